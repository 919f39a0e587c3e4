"""`standup-bot export`: one meeting's standups, asks and follow-ups as JSON or Markdown."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.store import Store
from digests.escape import neutralise
from digests.models import Cycle, FollowUp, Standup


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def build_export(store: Store, cycle: Cycle) -> dict[str, Any]:
    standups = store.get_standups(cycle.meeting_date)
    follow_ups = store.get_cycle_follow_ups(cycle)
    return {
        "meeting_date": cycle.meeting_date.isoformat(),
        "cycle_start": cycle.starts_at.isoformat(),
        "cycle_end": cycle.ends_at.isoformat(),
        "standups": [_standup(s) for s in standups],
        "follow_ups": [_follow_up(f) for f in follow_ups],
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
    t = neutralise
    lines = [f"# Standup — {export['meeting_date']}", ""]
    if not export["standups"]:
        lines += ["_No standups were submitted for this meeting._", ""]
    for standup in export["standups"]:
        lines += [f"## {t(standup['user_name'])}", ""]
        for key, title in (("done", "Done"), ("next", "Next"), ("blocked", "Blocked")):
            if standup[key]:
                lines += [f"**{title}**", *[f"- {t(item)}" for item in standup[key]], ""]
        if standup["asks"]:
            lines.append("**Asks**")
            for ask in standup["asks"]:
                mark = " (done)" if ask["status"] == "done" else ""
                lines.append(f"- to {t(ask['to_name'])}: {t(ask['text'])}{mark}")
            lines.append("")
    lines += ["## Follow-ups", ""]
    if not export["follow_ups"]:
        lines += ["_None._", ""]
    for follow_up in export["follow_ups"]:
        box = "x" if follow_up["status"] == "done" else " "
        owner = follow_up["owner_name"] or follow_up["owner_user_id"] or "nobody"
        lines.append(f"- [{box}] {t(follow_up['text'])} — {t(owner)}")
    return "\n".join(lines).rstrip() + "\n"
