"""Everything the bot shows outside the digest: the /standup modal, App Home, the DMs it sends
(reminders, asks, confirmations) and the answers to `/standup` sub-commands. Pure: data in,
Block Kit (or mrkdwn text) out.

What people typed is escaped here (`escape_mrkdwn`) and then clipped to Slack's limits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from digests.dates import short_day
from digests.escape import clip, clip_mrkdwn, escape_mrkdwn
from digests.models import (
    AddressedLine,
    Ask,
    AwayPerson,
    Cycle,
    FollowUp,
    SearchHit,
    SearchPage,
    Standup,
    TimeAway,
)
from digests.parsing import FIELDS, MAX_FIELD_CHARS, StandupForm
from digests.render import action_ids

Block = dict[str, Any]

MAX_HOME_BLOCKS = 100  # Slack's limit for a Home tab
MAX_LISTED = 20  # per list on App Home; the rest is counted
MAX_HOME_ITEM_CHARS = 600

HELP = """*standup-bot* — the team's weekly standup in Slack.
• `/standup` — open your standup for this week (again to edit it; it opens pre-filled).
• `/standup followup <text>` — add a follow-up; start the text with `@name` to give it an owner.
• `/standup github <login>` — link your GitHub login, so the digest credits your pull requests.
• `/standup away <from> [<to>]`, `/standup away until <date>` — time away: no reminders, and \
the digest lists you under Away (`mon fri`, `dec 24 jan 2`, `until 2026-12-31`).
• `/standup back` — you're back (also when your Slack status still says away).
• `/standup search <words> [@person] [since <date>] [until <date>]` — find what was written.
• `/standup help` — this message.
In the form, one item per line. Asks and follow-ups may start with a person: `@name …`, \
`Name: …` or `Everyone: …`. PRs like `#123`, `repo#123` or a PR link show with live status in \
the Monday digest. React ✅ to a follow-up in the digest thread when it is done."""


# Answers to /standup sub-commands (shown only to the person who typed them).
FOLLOW_UP_USAGE = "Usage: `/standup followup <text>` — start with `@name` to give it an owner."
GITHUB_USAGE = "Usage: `/standup github <login>`, e.g. `/standup github octocat`."
NOT_A_MEMBER = "Slack does not list you as a member of this workspace, so I can't link you."
DATABASE_DOWN = "I could not save that just now (the database is unavailable). Try again shortly."
SLACK_DOWN = "I could not look you up in Slack just now. Try again shortly."
EMPTY_MESSAGE = "That message has no text to make a follow-up of."


def render_too_long(what: str, length: int, most: int) -> str:
    return f"That {what} is {length:,} characters; the most is {most:,}."


def render_github_linked(login: str) -> str:
    return f"Linked your GitHub login `{login}`: the digest credits its pull requests to you."


def meeting_words(meeting_date: date) -> str:
    """How a meeting is named in DMs and views: "Monday November 30"."""
    return f"{meeting_date:%A %B %-d}"


# --- the /standup modal -------------------------------------------------------------------------


def build_standup_view(form: StandupForm, *, meeting_date: date, editing: bool) -> dict[str, Any]:
    title_date = meeting_date.strftime("%b %-d")
    intro = (
        f"You already sent your standup for the meeting on *{meeting_words(meeting_date)}*: "
        "edit it below and submit to replace it."
        if editing
        else f"For the meeting on *{meeting_words(meeting_date)}*. One item per line; "
        "leave out what does not apply."
    )
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": intro}}]
    for block_id, label, placeholder in FIELDS:
        element: Block = {
            "type": "plain_text_input",
            "action_id": action_ids.FIELD_ACTION,
            "multiline": True,
            "max_length": MAX_FIELD_CHARS,
            "placeholder": {"type": "plain_text", "text": placeholder[:150]},
        }
        value = getattr(form, block_id)
        if value:
            element["initial_value"] = value[:MAX_FIELD_CHARS]
        blocks.append(
            {
                "type": "input",
                "block_id": block_id,
                "optional": True,
                "label": {"type": "plain_text", "text": label},
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": action_ids.STANDUP_CALLBACK,
        "title": {"type": "plain_text", "text": f"Standup · {title_date}"[:24]},
        "submit": {"type": "plain_text", "text": "Update" if editing else "Submit"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


# --- App Home -----------------------------------------------------------------------------------


def build_home_view(
    *,
    user_id: str,
    cycle: Cycle,
    standup: Standup | None,
    follow_ups: list[FollowUp],
    asks_to_me: list[Ask],
    team_size: int,
    submitted: int,
    away_blocks: list[Block] | None = None,
) -> dict[str, Any]:
    """`away_blocks`: the time-away controls (`build_away_blocks`), after the standup."""
    meeting = meeting_words(cycle.meeting_date)
    if standup is None:
        status = f":hourglass_flowing_sand: Your standup for *{meeting}* is not in yet."
        button = "Write my standup"
    else:
        status = (
            f":white_check_mark: You sent your standup for *{meeting}* "
            f"({len(standup.done)} done, {len(standup.next)} next, "
            f"{len(standup.blocked)} blocked)."
        )
        button = "Edit my standup"
    blocks: list[Block] = [
        _header("Your standup"),
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": status},
            "accessory": _button(action_ids.OPEN_STANDUP, button, style="primary"),
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Team: {submitted} of {team_size} sent their standup for {meeting}.",
                }
            ],
        },
        {"type": "divider"},
        *([*away_blocks, {"type": "divider"}] if away_blocks else []),
        _header("Your open follow-ups"),
    ]
    blocks += _list_blocks(
        [
            (
                f":pushpin: {escape_mrkdwn(clip(f.text, MAX_HOME_ITEM_CHARS))}",
                action_ids.HOME_CLOSE_FOLLOW_UP,
                str(f.id),
            )
            for f in follow_ups
        ],
        empty="Nothing open. :tada:",
    )
    blocks += [{"type": "divider"}, _header("Asks to you")]
    blocks += _list_blocks(
        [
            (
                f":raising_hand: <@{a.from_user_id}>{' (to everyone)' if a.everyone else ''}: "
                f"{escape_mrkdwn(clip(a.text, MAX_HOME_ITEM_CHARS))}",
                action_ids.HOME_CLOSE_ASK,
                str(a.id),
            )
            for a in asks_to_me
        ],
        empty="No open asks.",
    )
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}


def _list_blocks(rows: list[tuple[str, str, str]], *, empty: str) -> list[Block]:
    if not rows:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": empty}}]
    blocks: list[Block] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": text},
            "accessory": _button(action, "Mark done", value=value),
        }
        for text, action, value in rows[:MAX_LISTED]
    ]
    if len(rows) > MAX_LISTED:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"…and {len(rows) - MAX_LISTED} more."}],
            }
        )
    return blocks


# --- DMs ----------------------------------------------------------------------------------------


def render_reminder(cycle: Cycle) -> tuple[str, list[Block]]:
    """The reminder DM to someone whose standup is not in yet."""
    text = (
        f"Your standup for the meeting on {meeting_words(cycle.meeting_date)} is not in yet. "
        "Type /standup, or press the button."
    )
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f":wave: {text}"}},
        {
            "type": "actions",
            "elements": [_button(action_ids.OPEN_STANDUP, "Write my standup", style="primary")],
        },
    ]
    return text, blocks


def render_ask_dm(ask: Ask) -> tuple[str, list[Block]]:
    """The DM an asked person gets: who asks what, and a button to close (or reopen) it."""
    asker = f"<@{ask.from_user_id}>"
    text = escape_mrkdwn(ask.text)
    if ask.status == "done":
        closer = f" by <@{ask.closed_by}>" if ask.closed_by else ""
        body = f"~{asker} asked: {text}~\n:white_check_mark: Done{closer}."
        button = _button(action_ids.REOPEN_ASK, "Reopen", value=str(ask.id))
    else:
        body = (
            f"{asker} asked you in their standup for {meeting_words(ask.meeting_date)}:\n"
            f">{text}\nReact :white_check_mark: or press the button when it's handled."
        )
        button = _button(action_ids.CLOSE_ASK, "Mark done", value=str(ask.id), style="primary")
    blocks: list[Block] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": body}},
        {"type": "actions", "block_id": f"ask_{ask.id}", "elements": [button]},
    ]
    fallback = f"{'Done: ' if ask.status == 'done' else ''}An ask from {asker}: {text}"
    return fallback, blocks


def render_standup_confirmation(
    standup: Standup, follow_up_lines: list[AddressedLine], ask_lines: list[AddressedLine]
) -> str:
    """The DM after a standup is saved: what was stored, where the asks go, who was not found."""
    counts = [
        _count(len(standup.done), "done item"),
        _count(len(standup.next), "next item"),
        _count(len(standup.blocked), "blocker"),
        _count(len(standup.asks), "ask"),
        _count(len(follow_up_lines), "follow-up"),
    ]
    parts = [c for c in counts if c]
    lines = [
        f":white_check_mark: Saved your standup for the meeting on "
        f"{meeting_words(standup.meeting_date)}: {', '.join(parts)}.",
    ]
    if standup.asks:
        names = sorted({a.to_name for a in standup.asks})
        lines.append(f"Asks go to: {escape_mrkdwn(', '.join(names))}.")
    unknown = sorted(
        {
            line.person.name
            for line in [*ask_lines, *follow_up_lines]
            if line.person is not None and not line.person.resolved
        }
    )
    if unknown:
        lines.append(
            ":warning: I couldn't match "
            + ", ".join(f"“{escape_mrkdwn(name)}”" for name in unknown)
            + " to anyone in the workspace, so they stay as text. Use `@handle` or their "
            "Slack display name to reach them."
        )
    lines.append("Run `/standup` again before the digest to change it.")
    return "\n".join(lines)


def render_follow_up_added(
    follow_up: FollowUp,
    *,
    by_user_id: str,
    meeting_date: date,
    unmatched_name: str | None = None,
    from_shortcut: bool = False,
) -> str:
    """The answer to `/standup followup …` and to the "Add as follow-up" shortcut."""
    who = "you" if follow_up.owner_user_id == by_user_id else escape_mrkdwn(follow_up.owner_name)
    if from_shortcut:
        return (
            f":pushpin: Added follow-up #{follow_up.id} for {who}: "
            f"“{escape_mrkdwn(clip(follow_up.text, 200))}”. It shows in the "
            f"{meeting_words(meeting_date)} digest; react ✅ there when it's done."
        )
    note = (
        f" (I couldn't match “{escape_mrkdwn(unmatched_name)}” to anyone)" if unmatched_name else ""
    )
    return (
        f"Added follow-up #{follow_up.id} for {who}{note}: “{escape_mrkdwn(follow_up.text)}”. "
        f"It shows in the {meeting_words(meeting_date)} digest."
    )


def render_unknown_command(text: str) -> str:
    shown = text if len(text) <= 40 else text[:40] + "…"
    return f"I don't know `{escape_mrkdwn(shown)}`. Here is what I do:\n\n{HELP}"


# --- pieces -------------------------------------------------------------------------------------


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


def _button(action_id: str, text: str, *, value: str | None = None, style: str = "") -> Block:
    button: Block = {"type": "button", "action_id": action_id}
    if value is not None:
        button["value"] = value
    if style:
        button["style"] = style
    button["text"] = {"type": "plain_text", "text": text}
    return button


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}" if n else ""


# --- time away --------------------------------------------------------------------------------


def away_range_words(starts: date, ends: date) -> str:
    """ "Mon 30 Nov to Fri 4 Dec 2026", "Thu 24 Dec 2026" for one day."""
    if starts == ends:
        return short_day(starts)
    first = f"{starts:%a} {starts.day} {starts:%b}"
    if starts.year != ends.year:
        first += f" {starts.year}"
    return f"{first} to {short_day(ends)}"


def render_away_set(away: TimeAway) -> str:
    """The answer to `/standup away …` (and App Home's "Set away"): the range as understood."""
    return (
        f":palm_tree: You're away {away_range_words(away.starts, away.ends)}. No reminders "
        "then, and the digest lists you under Away. `/standup back` ends it early."
    )


def render_back(ended: list[TimeAway], *, status_cleared: bool) -> str:
    """The answer to `/standup back`."""
    if not ended and not status_cleared:
        return "You're not away: nothing to end. (`/standup away <from> [<to>]` sets it.)"
    parts = [":wave: Welcome back: you're no longer away"]
    if ended:
        parts.append(
            " (you were away " + ", ".join(away_range_words(a.starts, a.ends) for a in ended) + ")"
        )
    text = "".join(parts) + "."
    if status_cleared:
        text += " Your Slack status no longer counts as away; a new away status will."
    return text


def build_away_blocks(
    *, today: date, planned: list[TimeAway], status: AwayPerson | None
) -> list[Block]:
    """App Home's time-away controls: where things stand, two datepickers, Set away and Back."""
    if planned:
        lines = [f"• {away_range_words(a.starts, a.ends)}" for a in planned[:MAX_LISTED]]
        state = "*Time away you set:*\n" + "\n".join(lines)
    else:
        state = "You have no time away set."
    if status is not None:
        until = f" until {short_day(status.until)}" if status.until else ""
        state += f"\nYour Slack status counts as away{until}."
    first = planned[0] if planned and planned[0].starts <= today else None
    return [
        _header("Time away"),
        {"type": "section", "text": {"type": "mrkdwn", "text": state}},
        {
            "type": "actions",
            "block_id": action_ids.AWAY_BLOCK,
            "elements": [
                _datepicker(
                    action_ids.AWAY_FROM, "First day away", first.starts if first else today
                ),
                _datepicker(action_ids.AWAY_TO, "Last day away", first.ends if first else today),
                _button(action_ids.AWAY_SET, "Set away", style="primary"),
                _button(action_ids.AWAY_BACK, "I'm back"),
            ],
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "While you're away you get no reminders and the digest lists you "
                    "under Away. Also `/standup away mon fri`, `/standup away until dec 24`, "
                    "`/standup back`.",
                }
            ],
        },
    ]


def _datepicker(action_id: str, placeholder: str, initial: date) -> Block:
    return {
        "type": "datepicker",
        "action_id": action_id,
        "initial_date": initial.isoformat(),
        "placeholder": {"type": "plain_text", "text": placeholder},
    }


# --- search -----------------------------------------------------------------------------------

FIELD_WORDS = {
    "done": "Done",
    "next": "Next",
    "blocked": "Blocked",
    "ask": "Ask",
    "follow_up": "Follow-up",
}
MAX_SNIPPET_CHARS = 600


def search_filters_words(page: SearchPage, person_name: str | None) -> str:
    """ "“deploy” by Kevin since Thu 1 Jan 2026": what was searched for, as understood."""
    query = page.query
    text = f"“{escape_mrkdwn(clip(query.words, 200))}”"
    if person_name or query.user_id:
        text += f" by {escape_mrkdwn(clip(person_name or query.user_id or '', 80))}"
    if query.since is not None:
        text += f" since {short_day(query.since)}"
    if query.until is not None:
        text += f" until {short_day(query.until)}"
    return text


def render_snippet(hit: SearchHit) -> str:
    """The snippet as mrkdwn: typed text escaped, matched words bold, then clipped."""
    pieces = []
    for part in hit.snippet:
        text = escape_mrkdwn(" ".join(part.text.split("\n")))
        pieces.append(f"*{text.strip()}*" if part.matched and text.strip() else text)
    return clip_mrkdwn("".join(pieces).strip(), MAX_SNIPPET_CHARS)


def render_search_page(
    page: SearchPage, *, person_name: str | None = None, more_value: str | None = None
) -> tuple[str, list[Block]]:
    """The ephemeral answer to `/standup search`: best matches, each person · meeting · field
    and a snippet; a "More" button (value `more_value`) when there are more."""
    searched = search_filters_words(page, person_name)
    first = page.query.offset + 1
    if not page.hits:
        text = (
            f"Nothing found for {searched}."
            if page.query.offset == 0
            else f"No more matches for {searched}."
        )
        return text, [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    last = page.query.offset + len(page.hits)
    heading = f":mag: Matches {first}–{last} for {searched}, best first:"
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": heading}}]
    for hit in page.hits:
        meeting = short_day(hit.meeting_date) if hit.meeting_date else "no meeting"
        who = escape_mrkdwn(clip(hit.name or "someone", 80))
        line = f"*{who}* · {meeting} · {FIELD_WORDS[hit.field]}\n{render_snippet(hit)}"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": line}})
    if page.more and more_value is not None:
        blocks.append(
            {
                "type": "actions",
                "elements": [_button(action_ids.SEARCH_MORE, "More", value=more_value)],
            }
        )
    return f"Matches {first}–{last} for {searched}", blocks
