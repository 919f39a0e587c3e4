"""`standup-bot export`: one meeting's standups, asks and follow-ups as JSON or Markdown, or a
range of meetings as JSON, Markdown or CSV; and `standup-bot search`'s Markdown.

Each standup of a meeting also carries what became of the person's promises of the last cycle
(`promises`) and how their blockers stand against the last cycle's (`blockers_status`); the
promises of people who sent no standup are listed apart (`promises_without_standup`). Each ask
has its `answer`, `answered_at` and `answered_by` (null while unanswered).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any

from bot.config import Settings
from bot.services.history import FollowedCycle, follow_cycle
from bot.store import Store
from digests.escape import neutralise
from digests.models import BlockerStatus, Cycle, FollowUp, Promise, SearchPage, Standup
from digests.promises import delivered_of_promised
from digests.render import wording
from digests.render.views import FIELD_WORDS


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def build_export(store: Store, cycle: Cycle, settings: Settings) -> dict[str, Any]:
    standups = store.get_standups(cycle.meeting_date)
    follow_ups = store.get_cycle_follow_ups(cycle)
    followed = follow_cycle(store, settings, cycle, standups)
    return {
        "meeting_date": cycle.meeting_date.isoformat(),
        "cycle_start": cycle.starts_at.isoformat(),
        "cycle_end": cycle.ends_at.isoformat(),
        "standups": [_standup(s) | _followed(s, followed) for s in standups],
        "follow_ups": [_follow_up(f) for f in follow_ups],
        "promises_without_standup": [
            {
                "user_id": person.person.user_id,
                "user_name": person.person.name,
                "promises": [_promise(p) for p in person.promises],
            }
            for person in followed.without_standup
        ],
    }


def _followed(standup: Standup, followed: FollowedCycle) -> dict[str, Any]:
    return {
        "promises": [_promise(p) for p in followed.promises.get(standup.user_id, ())],
        "blockers_status": [_blocker(b) for b in followed.blockers.get(standup.user_id, ())],
    }


def _promise(promise: Promise) -> dict[str, Any]:
    # The outside surface knows three outcomes (shared/INTERFACE.md): a promise of someone away
    # the whole cycle was neither delivered nor carried, so it is "not_reported", with `away`
    # saying why no figure counts it.
    away = promise.outcome == "away"
    return {
        "text": promise.text,
        "outcome": "not_reported" if away else promise.outcome,
        "away": away,
        "weeks_carried": promise.weeks_carried,
        "first_promised": promise.first_promised.isoformat(),
        "merged": promise.merged,
    }


def _blocker(status: BlockerStatus) -> dict[str, Any]:
    return {
        "text": status.text,
        "state": status.state,
        "first_reported": status.first_reported.isoformat(),
        "weeks": status.weeks,
    }


def _standup(standup: Standup) -> dict[str, Any]:
    return {
        "user_id": standup.user_id,
        "user_name": standup.user_name,
        "submitted_at": _time(standup.submitted_at),
        "done": list(standup.done),
        "next": list(standup.next),
        "blocked": list(standup.blocked),
        "asks": [
            {
                "to_user_id": ask.to_user_id,
                "to_name": ask.to_name,
                "text": ask.text,
                "everyone": ask.everyone,
                "status": ask.status,
                "closed_at": _time(ask.closed_at),
                "closed_by": ask.closed_by,
                "answer": ask.answer,
                "answered_at": _time(ask.answered_at),
                "answered_by": ask.answered_by,
            }
            for ask in standup.asks
        ],
    }


def _follow_up(follow_up: FollowUp) -> dict[str, Any]:
    return {
        "id": follow_up.id,
        "text": follow_up.text,
        "owner_user_id": follow_up.owner_user_id,
        "owner_name": follow_up.owner_name,
        "status": follow_up.status,
        "created_at": _time(follow_up.created_at),
        "done_at": _time(follow_up.done_at),
        "done_by": follow_up.done_by,
        "source": follow_up.source,
    }


def render_export_json(export: dict[str, Any]) -> str:
    return json.dumps(export, indent=2, ensure_ascii=False)


def render_export_markdown(export: dict[str, Any]) -> str:
    """The export as Markdown; what people typed has its control characters and bidi
    overrides removed (`digests.escape.neutralise`), as in every rendering."""
    lines = [f"# Standup — {export['meeting_date']}", ""]
    if not export["standups"]:
        lines += ["_No standups were submitted for this meeting._", ""]
    lines += _standup_sections(
        export["standups"], export.get("promises_without_standup", []), heading="##"
    )
    lines += _follow_up_section(export["follow_ups"], with_meeting=False)
    return "\n".join(lines).rstrip() + "\n"


def _standup_sections(
    standups: list[dict[str, Any]], without_standup: list[dict[str, Any]], *, heading: str
) -> list[str]:
    """A section per person (`heading` "##" or "###"): promises, Done, Next, blockers, asks;
    then the people with promises but no standup."""
    t = neutralise
    lines: list[str] = []
    for standup in standups:
        lines += [f"{heading} {t(standup['user_name'])}", ""]
        lines += _promise_lines(standup.get("promises", []))
        for key, title in (("done", "Done"), ("next", "Next")):
            if standup[key]:
                lines += [f"**{title}**", *[f"- {t(item)}" for item in standup[key]], ""]
        lines += _blocker_lines(standup["blocked"], standup.get("blockers_status", []))
        if standup["asks"]:
            lines.append("**Asks**")
            for ask in standup["asks"]:
                answer = ask.get("answer")
                mark = " (answered)" if answer else " (done)" if ask["status"] == "done" else ""
                lines.append(f"- to {t(ask['to_name'])}: {t(ask['text'])}{mark}")
                if answer:
                    lines.append(f"  - answer: {t(' '.join(answer.split()))}")
            lines.append("")
    for person in without_standup:
        lines += [f"{heading} {t(person['user_name'])}", "", "_No standup this week._", ""]
        lines += _promise_lines(person["promises"])
    return lines


def _follow_up_section(follow_ups: list[dict[str, Any]], *, with_meeting: bool) -> list[str]:
    """ "## Follow-ups": a checkbox each, with its owner (and its meeting, over a range)."""
    lines = ["## Follow-ups", ""]
    if not follow_ups:
        lines += ["_None._", ""]
    for follow_up in follow_ups:
        box = "x" if follow_up["status"] == "done" else " "
        owner = follow_up["owner_name"] or follow_up["owner_user_id"] or "nobody"
        meeting = (
            f" ({follow_up['meeting_date']})"
            if with_meeting and follow_up.get("meeting_date")
            else ""
        )
        lines.append(f"- [{box}] {neutralise(follow_up['text'])} — {neutralise(owner)}{meeting}")
    return lines


def _promise_lines(promises: list[dict[str, Any]]) -> list[str]:
    if not promises:
        return []
    made = [_read_promise(p) for p in promises]
    delivered, promised = delivered_of_promised(made)
    lines = [f"**{wording.delivered_label(delivered, promised)} last week**"]
    lines += [f"- {neutralise(p.text)} — {wording.promise_outcome(p)}" for p in made]
    return [*lines, ""]


def _read_promise(exported: dict[str, Any]) -> Promise:
    """A promise back from its exported form (`away` stands for the outcome "away")."""
    fields = {key: value for key, value in exported.items() if key != "away"}
    if exported.get("away"):
        fields["outcome"] = "away"
    return Promise.model_validate(fields)


def _blocker_lines(blocked: list[str], statuses: list[dict[str, Any]]) -> list[str]:
    """Blocked items with their markers, then last cycle's that are gone, struck through."""
    known = {s["text"].strip(): BlockerStatus.model_validate(s) for s in statuses}
    lines = []
    if blocked:
        lines.append("**Blocked**")
        for item in blocked:
            status = known.get(item.strip())
            state = f" — {wording.blocker_state(status)}" if status else ""
            lines.append(f"- {neutralise(item)}{state}")
        lines.append("")
    resolved = [s for s in known.values() if s.state == "resolved"]
    if resolved:
        lines.append("**Resolved since last week**")
        lines += [f"- ~~{neutralise(s.text)}~~ — {wording.blocker_state(s)}" for s in resolved]
        lines.append("")
    return lines


# --- a range of meetings ----------------------------------------------------------------------

CSV_COLUMNS = (
    "meeting_date",
    "user_id",
    "user_name",
    "field",
    "text",
    "person",
    "status",
    "at",
)


def build_range_export(
    store: Store, first: date, last: date, *, user_id: str | None = None
) -> dict[str, Any]:
    """Every standup (with its asks) and follow-up of the meetings from `first` to `last`."""
    standups = store.get_standups_between(first, last, user_id=user_id)
    follow_ups = store.get_follow_ups_between(first, last, user_id=user_id)
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "user_id": user_id,
        "standups": [{"meeting_date": s.meeting_date.isoformat(), **_standup(s)} for s in standups],
        "follow_ups": [
            {
                "meeting_date": f.meeting_date.isoformat() if f.meeting_date else None,
                **_follow_up(f),
            }
            for f in follow_ups
        ],
    }


def render_range_csv(export: dict[str, Any]) -> str:
    """One row per line people wrote: Done/Next/Blocked items, asks and follow-ups."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for standup in export["standups"]:
        base = (standup["meeting_date"], standup["user_id"], standup["user_name"])
        for field in ("done", "next", "blocked"):
            for text in standup[field]:
                writer.writerow((*base, field, text, "", "", standup["submitted_at"]))
        for ask in standup["asks"]:
            writer.writerow(
                (*base, "ask", ask["text"], ask["to_name"], ask["status"], standup["submitted_at"])
            )
    for follow_up in export["follow_ups"]:
        writer.writerow(
            (
                follow_up["meeting_date"] or "",
                follow_up["owner_user_id"] or "",
                follow_up["owner_name"],
                "follow_up",
                follow_up["text"],
                follow_up["owner_name"],
                follow_up["status"],
                follow_up["created_at"],
            )
        )
    return out.getvalue()


def render_range_markdown(export: dict[str, Any]) -> str:
    """The range as meeting notes: one section per meeting, then the follow-ups."""
    lines = [f"# Standups {export['from']} to {export['to']}", ""]
    meetings: dict[str, list[dict[str, Any]]] = {}
    for standup in export["standups"]:
        meetings.setdefault(standup["meeting_date"], []).append(standup)
    if not meetings:
        lines += ["_No standups in this range._", ""]
    for meeting, standups in meetings.items():
        lines += [f"## Standup — {meeting}", ""]
        lines += _standup_sections(standups, [], heading="###")
    lines += _follow_up_section(export["follow_ups"], with_meeting=True)
    return "\n".join(lines).rstrip() + "\n"


def render_search_markdown(page: SearchPage, person_name: str | None) -> str:
    """`standup-bot search --format md`: one bullet per match, matched words in bold."""
    query = page.query
    what = f"“{neutralise(query.words)}”" + (
        f" by {neutralise(person_name)}" if person_name else ""
    )
    if query.since:
        what += f" since {query.since.isoformat()}"
    if query.until:
        what += f" until {query.until.isoformat()}"
    lines = [f"# Search: {what}", ""]
    if not page.hits:
        lines.append("_Nothing found._")
    for hit in page.hits:
        snippet = "".join(
            f"**{neutralise(p.text)}**" if p.matched else neutralise(p.text) for p in hit.snippet
        )
        meeting = hit.meeting_date.isoformat() if hit.meeting_date else "no meeting"
        name = neutralise(hit.name)
        lines.append(f"- **{name}** · {meeting} · {FIELD_WORDS[hit.field]}: {snippet}")
    if page.more:
        lines += ["", f"_More matches: --limit {query.limit * 2} shows more._"]
    return "\n".join(lines).rstrip() + "\n"
