"""Everything the bot shows outside the digest: the /standup modal, App Home, the DMs it sends
(reminders, asks, confirmations), the answers to `/standup` sub-commands and the "Read all"
modal. Pure: data in, Block Kit (or mrkdwn text) out.

What people typed is escaped here (`escape_mrkdwn`) and then clipped to Slack's limits, never
the other way round. Whatever is cut keeps a way to the whole text: a "Read all" button opens it
in a modal (`build_full_text_view`), which splits it over as many sections as it needs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from digests import checklist as checklists
from digests.checklist import Checklist
from digests.dates import short_day
from digests.escape import clip, clip_mrkdwn, escape_mrkdwn, split_mrkdwn
from digests.models import (
    AddressedLine,
    Ask,
    AwayPerson,
    Cycle,
    FollowUp,
    PersonPromises,
    SearchHit,
    SearchPage,
    Standup,
    TimeAway,
    TrendPoint,
)
from digests.parsing import ANSWER_METADATA_KEY, FIELDS, MAX_FIELD_CHARS, StandupForm
from digests.render import action_ids, wording
from digests.render.blocks import (
    MAX_BLOCKS_PER_MESSAGE,
    MAX_FALLBACK_TEXT,
    MAX_MESSAGE_BLOCK_TEXT,
    MAX_SECTION_TEXT,
    to_mrkdwn,
)

Block = dict[str, Any]

# Slack's limits: those of messages are blocks.py's (the Block Kit reference); a message's `text`
# is kept to MAX_FALLBACK_TEXT although chat.update takes 4,000.
MAX_MESSAGE_BLOCKS = MAX_BLOCKS_PER_MESSAGE
MAX_VIEW_BLOCKS = 100  # a modal or a Home tab
MAX_VIEW_TITLE = 24

MAX_LISTED = 20  # per list on App Home; the rest is counted
MAX_HOME_ITEM_CHARS = 600  # of rendered mrkdwn, per follow-up or ask on App Home
MAX_ANSWER_ITEM_CHARS = 500  # people's text quoted in an answer to a command
MAX_OVERFLOW_SECTIONS = 10  # per modal field, for lines that no longer fit the box

NO_TEXT = "_(no text)_"  # for a text of nothing but what `neutralise` removes
FULL_TEXT_ASK = "ask"
FULL_TEXT_ANSWER = "answer"
FULL_TEXT_FOLLOW_UP = "follow_up"

HELP = """*standup-bot* — the team's weekly standup in Slack.
• `/standup` — open your standup for this week (again to edit it; it opens pre-filled).
• `/standup followup <text>` — add a follow-up; start the text with `@name` to give it an owner.
• `/standup github <login>` — link your GitHub login, so the digest credits your pull requests.
• `/standup away <from> [<to>]`, `/standup away until <date>` — time away: no reminders, and \
the digest lists you under Away (`mon fri`, `dec 24 jan 2`, `until 2026-12-31`).
• `/standup back` — you're back (also when your Slack status still says away).
• `/standup search <words> [@person] [since <date>] [until <date>]` — find what was written.
• `/standup help` — this message.
In the form, one item per line; in a new week, tick what you delivered of last week's Next. \
Asks and follow-ups may start with a person: `@name …`, `Name: …` or `Everyone: …`; an ask's \
DM has an *Answer* button. PRs like `#123`, `repo#123` or a PR link show with live status in \
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


def build_standup_view(
    form: StandupForm,
    *,
    meeting_date: date,
    editing: bool,
    checklist: Checklist | None = None,
) -> dict[str, Any]:
    """The /standup modal, pre-filled with `form`, with last week's promises as a checklist
    ("tick what you delivered", `digests.checklist`) before the fields.

    A field longer than its box (only an old standup, stored before lines were kept as typed,
    can be) keeps the whole lines that fit; the others are shown under it, saying that
    submitting leaves them out: nothing is dropped without a word."""
    title_date = meeting_date.strftime("%b %-d")
    intro = (
        f"You already sent your standup for the meeting on *{meeting_words(meeting_date)}*: "
        "edit it below and submit to replace it."
        if editing
        else f"For the meeting on *{meeting_words(meeting_date)}*. One item per line; "
        "leave out what does not apply."
    )
    blocks: list[Block] = [_section(intro)]
    if checklist is not None:
        blocks += _checklist_blocks(checklist)
    for block_id, label, placeholder in FIELDS:
        element: Block = {
            "type": "plain_text_input",
            "action_id": action_ids.FIELD_ACTION,
            "multiline": True,
            "max_length": MAX_FIELD_CHARS,
            "placeholder": {"type": "plain_text", "text": placeholder[:150]},
        }
        kept, overflow = fit_field(getattr(form, block_id))
        if kept:
            element["initial_value"] = kept
        blocks.append(
            {
                "type": "input",
                "block_id": block_id,
                "optional": True,
                "label": {"type": "plain_text", "text": label},
                "element": element,
            }
        )
        if overflow:
            blocks += _overflow_blocks(label, overflow)
    # An intro, MAX_BLOCKS + 1 of checklist, and per field its input and at most
    # MAX_OVERFLOW_SECTIONS + 2 of overflow: 72 at most.
    assert len(blocks) <= MAX_VIEW_BLOCKS
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": action_ids.STANDUP_CALLBACK,
        "title": {"type": "plain_text", "text": f"Standup · {title_date}"[:MAX_VIEW_TITLE]},
        "submit": {"type": "plain_text", "text": "Update" if editing else "Submit"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }
    if checklist is not None:
        view["private_metadata"] = checklists.checklist_metadata(checklist)
    return view


CHECKLIST_LABEL = "Tick what you delivered"
CHECKLIST_HINT = (
    "Your Next from last week. A ticked item becomes a Done line and leaves Next; the others "
    "are in Next below, to edit or delete."
)


def _checklist_blocks(checklist: Checklist) -> list[Block]:
    """Last week's promises, ten to a `checkboxes` element (Slack's most), each option's value
    its index and its label the text escaped, then cut to 75 characters; those ticked already
    (editing) as `initial_options`, the same objects as among `options`."""
    blocks: list[Block] = []
    for start, promises in checklist.blocks():
        options = [
            {
                "text": {"type": "mrkdwn", "text": _typed(text, checklists.MAX_OPTION_TEXT)[0]},
                "value": str(start + offset),
            }
            for offset, text in enumerate(promises)
        ]
        chosen = [o for i, o in enumerate(options, start) if i in checklist.ticked]
        element: Block = {
            "type": "checkboxes",
            "action_id": action_ids.CHECKLIST_ACTION,
            "options": options,
        }
        if chosen:
            element["initial_options"] = chosen
        label = CHECKLIST_LABEL
        if len(checklist.listed) > checklists.MAX_OPTIONS:
            label += f" ({start + 1}–{start + len(promises)} of {len(checklist.listed)})"
        block: Block = {
            "type": "input",
            "block_id": f"{checklists.BLOCK_PREFIX}{start // checklists.MAX_OPTIONS}",
            "optional": True,
            "label": {"type": "plain_text", "text": label},
            "element": element,
        }
        if not blocks:
            block["hint"] = {"type": "plain_text", "text": CHECKLIST_HINT}
        blocks.append(block)
    if checklist.more:
        more = "1 more promise" if checklist.more == 1 else f"{checklist.more} more promises"
        blocks.append(
            _context(
                f"…and {more} from last week, past the {checklists.MAX_LISTED} listed: they are "
                "in Next below. Move what you delivered to Done."
            )
        )
    return blocks


def fit_field(value: str, limit: int = MAX_FIELD_CHARS) -> tuple[str, list[str]]:
    """The whole lines of `value` that fit `limit` characters, and the lines that do not."""
    if len(value) <= limit:
        return value, []
    kept: list[str] = []
    overflow: list[str] = []
    length = 0
    for line in value.split("\n"):
        extra = len(line) + (1 if kept else 0)
        if not overflow and length + extra <= limit:
            kept.append(line)
            length += extra
        else:
            overflow.append(line)
    return "\n".join(kept), overflow


def _overflow_blocks(label: str, lines: list[str]) -> list[Block]:
    count = "1 line" if len(lines) == 1 else f"{len(lines)} lines"
    note = (
        f":warning: *{count} of {label} did not fit in the box* (Slack allows "
        f"{MAX_FIELD_CHARS:,} characters), so the box leaves {'it' if len(lines) == 1 else 'them'} "
        "out and submitting removes them. Copy what you want to keep into a shorter line or "
        "another field first:"
    )
    quoted = "\n".join(f">{escape_mrkdwn(line)}" for line in lines)
    pieces = split_mrkdwn(quoted, MAX_SECTION_TEXT)
    blocks = [_context(note), *(_section(piece) for piece in pieces[:MAX_OVERFLOW_SECTIONS])]
    if len(pieces) > MAX_OVERFLOW_SECTIONS:
        blocks.append(_context("…and more than this view can show: `standup-bot export` has all."))
    return blocks


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
    promises: PersonPromises | None = None,
    trend: Sequence[TrendPoint] = (),
) -> dict[str, Any]:
    """`away_blocks`: the time-away controls (`build_away_blocks`), after the standup.
    `promises`: the person's promises of last cycle, with their outcomes so far; `trend`: the
    team's last cycles, oldest first, this one (so far) last."""
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
        _context(f"Team: {submitted} of {team_size} sent their standup for {meeting}."),
        {"type": "divider"},
        *([*away_blocks, {"type": "divider"}] if away_blocks else []),
    ]
    delivery = [
        block for block in (_home_promises(promises), _home_trend(trend)) if block is not None
    ]
    if delivery:
        blocks += [*delivery, {"type": "divider"}]
    blocks.append(_header("Your open follow-ups"))
    blocks += _list_blocks(
        [
            _Row(
                ":pushpin: ",
                f.text,
                action_ids.HOME_CLOSE_FOLLOW_UP,
                str(f.id),
                f"{FULL_TEXT_FOLLOW_UP}:{f.id}",
            )
            for f in follow_ups
        ],
        empty="Nothing open. :tada:",
    )
    blocks += [{"type": "divider"}, _header("Asks to you")]
    blocks += _list_blocks(
        [
            _Row(
                f":raising_hand: <@{a.from_user_id}>{' (to everyone)' if a.everyone else ''}: ",
                a.text,
                action_ids.HOME_CLOSE_ASK,
                str(a.id),
                f"{FULL_TEXT_ASK}:{a.id}",
                answer=True,
            )
            for a in asks_to_me
        ],
        empty="No open asks.",
    )
    # 4 + 5 (time away) + 3 (delivery) fixed, then two lists of at most MAX_LISTED rows of 2
    # blocks, each with its header and "…and N more": 97 at most.
    assert len(blocks) <= MAX_VIEW_BLOCKS
    return {"type": "home", "blocks": blocks}


MAX_HOME_PROMISES = 15  # promises listed on App Home; the rest are counted
MAX_HOME_PROMISE_CHARS = 150


def _home_promises(person: PersonPromises | None) -> Block | None:
    """ "Your promises of last week": each with what became of it so far (worded as in the
    digest), and the tally."""
    if person is None or not person.promises:
        return None
    tally = wording.person_delivery(person)
    lines = [f"*Your promises of last week* · {tally} so far"]
    for promise in person.promises[:MAX_HOME_PROMISES]:
        line = wording.promise_line(promise, limit=MAX_HOME_PROMISE_CHARS, so_far=True)
        lines.append(f"• {to_mrkdwn(line)}")
    if len(person.promises) > MAX_HOME_PROMISES:
        lines.append(f"_…and {len(person.promises) - MAX_HOME_PROMISES} more._")
    return _section(clip_mrkdwn("\n".join(lines), MAX_SECTION_TEXT))


def _home_trend(points: Sequence[TrendPoint]) -> Block | None:
    """The team's last meetings as text (App Home cannot show the digest's chart): standups
    reported of the team, promises delivered of those made; this meeting so far last."""
    if len(points) < 2:
        return None
    title = wording.trend_title(points)
    lines = [f"*The team: {title[:1].lower()}{title[1:]}*"]
    for index, point in enumerate(points):
        so_far = " (so far)" if index == len(points) - 1 else ""
        delivered = wording.trend_delivered(point)
        lines.append(
            f"• {short_day(point.meeting_date)}{so_far}: reported "
            f"{wording.trend_reported(point)} · "
            + (f"delivered {delivered}" if point.promised else delivered)
        )
    return _section("\n".join(lines))


class _Row:
    """A follow-up or ask on App Home: our prefix, their text, its Mark done button, and the
    value of its "Read all" button (shown when the text had to be cut); an ask also has its
    Answer button."""

    def __init__(
        self,
        prefix: str,
        text: str,
        action: str,
        value: str,
        full_text: str,
        *,
        answer: bool = False,
    ) -> None:
        self.prefix, self.text, self.action, self.value = prefix, text, action, value
        self.full_text, self.answer = full_text, answer


def _list_blocks(rows: list[_Row], *, empty: str) -> list[Block]:
    if not rows:
        return [_section(empty)]
    blocks: list[Block] = []
    for row in rows[:MAX_LISTED]:
        shown, cut = _typed(row.text, MAX_HOME_ITEM_CHARS)
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": row.prefix + shown},
                "accessory": _button(row.action, "Mark done", value=row.value),
            }
        )
        elements = []
        if row.answer:
            elements.append(_button(action_ids.ANSWER_ASK, "Answer", value=row.value))
        if cut:
            elements.append(_button(action_ids.SHOW_FULL_TEXT, "Read all", value=row.full_text))
        if elements:
            blocks.append({"type": "actions", "elements": elements})
    if len(rows) > MAX_LISTED:
        blocks.append(_context(f"…and {len(rows) - MAX_LISTED} more."))
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


def render_ask_dm(asks: Sequence[Ask]) -> tuple[str, list[Block]]:
    """The DM an asked person gets for one submission: who asks, each ask with its buttons
    (Answer, and Mark done or Reopen), an answered one with its answer under it, and "Read all"
    under a text cut to fit the message.

    `asks` are one person's asks from one standup (one asker, one meeting), in order."""
    first = asks[0]
    asker = f"<@{first.from_user_id}>"
    open_count = sum(1 for ask in asks if ask.status == "open")
    budget = (MAX_MESSAGE_BLOCK_TEXT - 1000) // len(asks)
    limit = min(MAX_SECTION_TEXT - 100, budget)
    what = "an ask" if len(asks) == 1 else f"{len(asks)} asks"
    blocks: list[Block] = [
        _section(
            f"{asker} sent you {what} in their standup for {meeting_words(first.meeting_date)}:"
        )
    ]
    for ask in asks:
        blocks += _ask_blocks(ask, limit)
    if open_count:
        them = "it" if len(asks) == 1 else "them all"
        blocks.append(
            _context(
                f"Press *Answer* to reply (it goes to {asker} and closes the ask), react "
                f":white_check_mark: to this message to close {them}, or press *Mark done* "
                "when one is handled."
            )
        )
    elif all(ask.answered for ask in asks):
        blocks.append(_context(":speech_balloon: All answered."))
    else:
        blocks.append(_context(":white_check_mark: All done."))
    # 3 blocks an ask (its text, its answer, its buttons), at most MAX_ASKS_PER_STANDUP
    assert len(blocks) <= MAX_MESSAGE_BLOCKS
    shown, _ = _typed(first.text, 200)
    done = "Done: " if not open_count else ""
    fallback = f"{done}{what.capitalize()} from {asker} in their standup: {shown}"
    return clip_mrkdwn(fallback, MAX_FALLBACK_TEXT), blocks


def _ask_blocks(ask: Ask, limit: int) -> list[Block]:
    """An ask in its DM: the text, the answer (when answered) and the buttons. The text budget
    is shared by the ask and its answer."""
    answered = ask.answered and ask.answer is not None
    shown, cut = _typed(ask.text, limit // 2 if answered else limit)
    blocks: list[Block] = []
    elements: list[Block] = []
    if answered:
        answer, answer_cut = _quoted(ask.answer or "", limit // 2)
        by = f" by <@{ask.answered_by}>" if ask.answered_by else ""
        blocks += [_section(f">{shown}"), _section(f":speech_balloon: *Answered{by}:*\n{answer}")]
        elements.append(_button(action_ids.ANSWER_ASK, "Edit answer", value=str(ask.id)))
    elif ask.status == "done":
        closer = f" by <@{ask.closed_by}>" if ask.closed_by else ""
        blocks.append(_section(f"~{shown}~\n:white_check_mark: Done{closer}."))
        elements += [
            _button(action_ids.REOPEN_ASK, "Reopen", value=str(ask.id)),
            _button(action_ids.ANSWER_ASK, "Answer", value=str(ask.id)),
        ]
        answer_cut = False
    else:
        blocks.append(_section(f">{shown}"))
        elements += [
            _button(action_ids.ANSWER_ASK, "Answer", value=str(ask.id), style="primary"),
            _button(action_ids.CLOSE_ASK, "Mark done", value=str(ask.id)),
        ]
        answer_cut = False
    elements += _read_all_buttons(ask, asked_cut=cut, answer_cut=answer_cut)
    blocks.append({"type": "actions", "block_id": f"ask_{ask.id}", "elements": elements})
    return blocks


def _quoted(text: str, limit: int) -> tuple[str, bool]:
    """A text people typed over several lines, escaped, cut to `limit`, each line quoted."""
    shown, cut = _typed(text.strip(), limit)
    return "\n".join(f">{line}" for line in shown.split("\n")), cut


# --- answering an ask -------------------------------------------------------------------------

MAX_ANSWER_CHARS = MAX_FIELD_CHARS  # Slack's plain_text_input limit
MAX_ANSWER_VIEW_ASK_SECTIONS = 5
ANSWER_HINT = (
    "It goes to whoever asked, by DM, and closes the ask; the digest lists the ask with your "
    "answer under it."
)


def build_answer_view(ask: Ask, *, from_home: bool = False) -> dict[str, Any]:
    """The modal the Answer button opens: the ask (whole, over as many sections as it needs, up
    to MAX_ANSWER_VIEW_ASK_SECTIONS), and a box for the answer (the current one when editing)."""
    to = "everyone" if ask.everyone else "you"
    about = (
        f"<@{ask.from_user_id}> asked {to} in their standup for {meeting_words(ask.meeting_date)}:"
    )
    pieces = split_mrkdwn(
        "\n".join(f">{line}" for line in (escape_mrkdwn(ask.text) or NO_TEXT).split("\n")),
        MAX_SECTION_TEXT,
    )
    blocks: list[Block] = [_context(about)]
    blocks += [_section(piece) for piece in pieces[:MAX_ANSWER_VIEW_ASK_SECTIONS]]
    if len(pieces) > MAX_ANSWER_VIEW_ASK_SECTIONS:
        blocks.append(_context("…cut here: *Read all* in the DM shows the whole ask."))
    element: Block = {
        "type": "plain_text_input",
        "action_id": action_ids.FIELD_ACTION,
        "multiline": True,
        "max_length": MAX_ANSWER_CHARS,
        "placeholder": {"type": "plain_text", "text": "What you have to say to it"},
    }
    if ask.answer:
        element["initial_value"] = ask.answer[:MAX_ANSWER_CHARS]
    blocks.append(
        {
            "type": "input",
            "block_id": action_ids.ANSWER_BLOCK,
            "label": {"type": "plain_text", "text": "Your answer"},
            "hint": {"type": "plain_text", "text": ANSWER_HINT},
            "element": element,
        }
    )
    return {
        "type": "modal",
        "callback_id": action_ids.ANSWER_CALLBACK,
        "private_metadata": answer_metadata(ask.id or 0, from_home=from_home),
        "title": {"type": "plain_text", "text": "Edit answer" if ask.answer else "Answer"},
        "submit": {"type": "plain_text", "text": "Update" if ask.answer else "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def answer_metadata(ask_id: int, *, from_home: bool) -> str:
    """What the answer modal carries to its submission: the ask, and where it was opened."""
    return json.dumps({ANSWER_METADATA_KEY: ask_id, "home": from_home}, separators=(",", ":"))


def _read_all_buttons(ask: Ask, *, asked_cut: bool, answer_cut: bool) -> list[Block]:
    """ "Read all" for an ask cut to fit, "Read the whole answer" for its answer."""
    buttons = []
    if asked_cut:
        buttons.append(
            _button(action_ids.SHOW_FULL_TEXT, "Read all", value=f"{FULL_TEXT_ASK}:{ask.id}")
        )
    if answer_cut:
        buttons.append(
            _button(
                action_ids.SHOW_FULL_TEXT,
                "Read the whole answer",
                value=f"{FULL_TEXT_ANSWER}:{ask.id}",
            )
        )
    return buttons


def render_answer_dm(ask: Ask, *, edited: bool = False) -> tuple[str, list[Block]]:
    """The DM to whoever asked: who answered which ask, and the answer ("Read all" under a text
    cut to fit)."""
    by = f"<@{ask.answered_by}>" if ask.answered_by else "Someone"
    verb = "changed their answer to" if edited else "answered"
    meeting = meeting_words(ask.meeting_date)
    limit = (MAX_MESSAGE_BLOCK_TEXT - 1000) // 2
    asked, asked_cut = _quoted(ask.text, min(limit, MAX_SECTION_TEXT - 100))
    answer, answer_cut = _quoted(ask.answer or "", min(limit, MAX_SECTION_TEXT - 100))
    blocks: list[Block] = [
        _section(f":speech_balloon: {by} {verb} your ask in your standup for {meeting}:"),
        _section(asked),
        _section(f"*Answer:*\n{answer}"),
    ]
    elements = _read_all_buttons(ask, asked_cut=asked_cut, answer_cut=answer_cut)
    if elements:
        blocks.append({"type": "actions", "elements": elements})
    blocks.append(_context("The ask is closed; the digest lists it with this answer."))
    short, _ = _typed(" ".join((ask.answer or "").split()), 300)
    fallback = f"{by} {verb} your ask ({_typed(ask.text, 100)[0]}): {short}"
    return clip_mrkdwn(fallback, MAX_FALLBACK_TEXT), blocks


def render_not_allowed_to_answer(ask: Ask) -> str:
    """To someone who pressed Answer on an ask they may not answer."""
    if ask.everyone:
        return "Only someone on the team can answer an ask to everyone."
    if ask.to_user_id is None:
        return "This ask names nobody in the workspace, so nobody can answer it here."
    return f"Only <@{ask.to_user_id}>, who was asked, can answer this ask."


def build_full_text_view(title: str, about: str, text: str) -> dict[str, Any]:
    """A modal with the whole of a text that was cut elsewhere: `about` (our mrkdwn) says whose
    it is; `text` (what people typed) is escaped and split over as many sections as it needs."""
    pieces = split_mrkdwn(escape_mrkdwn(text) or NO_TEXT, MAX_SECTION_TEXT)
    blocks: list[Block] = [_context(about), *(_section(piece) for piece in pieces)]
    if len(blocks) > MAX_VIEW_BLOCKS:
        blocks = blocks[: MAX_VIEW_BLOCKS - 1]
        blocks.append(_context("…cut: this is as much as a Slack view can hold."))
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": title[:MAX_VIEW_TITLE]},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks,
    }


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
        lines.append(f"Asks go to: {_quoted_names(names)}.")
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
            + _quoted_names(unknown, quotes=True)
            + " to anyone in the workspace, so they stay as text (nobody is sent a DM). Use "
            "`@handle` or their Slack display name to reach them."
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
    if follow_up.owner_user_id == by_user_id:
        who = "you"
    else:
        who, _ = _typed(follow_up.owner_name, 100)
    text, _ = _typed(follow_up.text, MAX_ANSWER_ITEM_CHARS)
    if from_shortcut:
        return (
            f":pushpin: Added follow-up #{follow_up.id} for {who}: “{text}”. It shows in the "
            f"{meeting_words(meeting_date)} digest; react ✅ there when it's done."
        )
    note = ""
    if unmatched_name:
        note = f" (I couldn't match “{_typed(unmatched_name, 100)[0]}” to anyone)"
    return (
        f"Added follow-up #{follow_up.id} for {who}{note}: “{text}”. "
        f"It shows in the {meeting_words(meeting_date)} digest."
    )


def render_follow_up_cap(message: str) -> str:
    return f":no_entry: Not added. {message}"


def render_github_taken(login: str, holder_name: str) -> str:
    shown, _ = _typed(holder_name, 100)
    return (
        f"The GitHub login `{login}` is already linked to {shown}, so I did not link it to "
        "you: each login belongs to one person (their merged pull requests are credited to "
        f"them). If `{login}` is yours, ask {shown} to link their own login instead."
    )


def render_unknown_command(text: str) -> str:
    shown = clip_mrkdwn(escape_mrkdwn(text), 40)
    return f"I don't know `{shown}`. Here is what I do:\n\n{HELP}"


def render_not_allowed(ask: Ask) -> str:
    """To someone who pressed an ask's button but may not change it."""
    if ask.everyone:
        return (
            f"Only <@{ask.from_user_id}>, who asked, or someone on the team can close or "
            "reopen an ask to everyone."
        )
    return (
        f"Only <@{ask.from_user_id}>, who asked, and <@{ask.to_user_id}>, who was asked, can "
        "close or reopen this ask."
    )


# --- pieces -------------------------------------------------------------------------------------


def _typed(text: str, limit: int) -> tuple[str, bool]:
    """What people typed as mrkdwn: escaped, then cut to `limit`; and whether it was cut."""
    escaped = escape_mrkdwn(text) or NO_TEXT
    shown = clip_mrkdwn(escaped, limit)
    return shown, shown != escaped


def _quoted_names(names: Sequence[str], *, quotes: bool = False) -> str:
    shown = [_typed(name, 100)[0] for name in names]
    return ", ".join(f"“{name}”" if quotes else name for name in shown)


def _header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": text}}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


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
    first = wording.short_date(starts)
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
