"""Reading what people type: the standup form, addressed lines, slash-command text.

Pure functions of text and the workspace's members. They never raise on any input: whatever a
person types either parses or stays as text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from digests.checklist import Checklist, untick_done
from digests.dates import parse_day
from digests.escape import neutralise
from digests.models import (
    EVERYONE,
    GITHUB_LOGIN,
    AddressedLine,
    Ask,
    FollowUp,
    Member,
    Person,
    Standup,
)
from digests.render import action_ids

# A list marker a person may type or paste in front of an item: "- ", "* ", "• ", "1. ", "2) ".
_BULLET = re.compile(r"^\s*(?:[-*•◦▪‣]|\d{1,3}[.)])\s+")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>[\s:,-]*")
# A broadcast as Slack spells it (pasted, or a rich text `broadcast` element's raw form).
_BROADCAST_TOKEN = re.compile(r"^<!(channel|here|everyone)(?:\|[^>]*)?>[\s:,-]*", re.IGNORECASE)
_AT_NAME = re.compile(r"^@([\w][\w.\-']{0,79})[\s:,-]*", re.UNICODE)
# "Name: text" — up to three words before the colon, none of them a URL scheme.
_NAME_COLON = re.compile(
    r"^([^\W\d_][\w.\-']*(?:\s+[^\W\d_][\w.\-']*){0,2})\s*:\s+(?=\S)", re.UNICODE
)
_EVERYONE_WORDS = {"everyone", "everybody", "all", "team"}
# `@channel` and `@here` mean the team too, but only with the `@` ("Channel: …" is a word).
_BROADCAST_WORDS = {"channel", "here", "everyone"}

# A line that says there is nothing: "none", "n/a", "-", "Nothing.", "No blockers!" (any case,
# any punctuation). It is not an item: not listed, not counted as a blocker.
NOTHING_WORDS = frozenset(
    {
        "none",
        "na",
        "n a",
        "no",
        "nil",
        "nope",
        "nada",
        "nothing",
        "no blocker",
        "no blockers",
        "not blocked",
        "none yet",
        "nothing yet",
        "none so far",
        "nothing so far",
        "nothing to report",
        "nothing new",
        "not applicable",
    }
)


def says_nothing(item: str) -> bool:
    """True for an item that only says there is nothing (see NOTHING_WORDS), or is only
    punctuation ("-", "—", "...")."""
    words = "".join(
        " " if unicodedata.category(char).startswith("P") else char for char in item.casefold()
    )
    key = " ".join(words.split())
    return not key or key in NOTHING_WORDS


def split_items(text: str | None) -> list[str]:
    """One item per non-empty line: control characters and list markers removed, and lines
    that only say "none" left out."""
    if not text:
        return []
    items = []
    for raw in neutralise(text).splitlines():
        line = _BULLET.sub("", raw, count=1).strip()
        if line and not says_nothing(line):
            items.append(line)
    return items


@dataclass
class MemberDirectory:
    """Looks people up by id, handle, display name, real name or a unique first name."""

    members: Sequence[Member]
    _by_id: dict[str, Member] = field(init=False, default_factory=dict)
    _by_name: dict[str, Member | None] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        for member in self.members:
            if member.deleted:
                continue
            self._by_id[member.user_id] = member
        # Exact names first; a first name only counts when it is unambiguous.
        exact: dict[str, set[str]] = {}
        first: dict[str, set[str]] = {}
        for member in self._by_id.values():
            for name in (member.name, member.display_name, member.real_name):
                key = _key(name)
                if key:
                    exact.setdefault(key, set()).add(member.user_id)
                    first.setdefault(_key(name.split()[0]), set()).add(member.user_id)
        for key, ids in first.items():
            if len(ids) == 1:
                self._by_name[key] = self._by_id[next(iter(ids))]
        for key, ids in exact.items():
            self._by_name[key] = self._by_id[next(iter(ids))] if len(ids) == 1 else None

    def by_id(self, user_id: str) -> Member | None:
        return self._by_id.get(user_id)

    def by_name(self, name: str) -> Member | None:
        return self._by_name.get(_key(name))


def _key(name: str) -> str:
    return " ".join(name.strip().lstrip("@").casefold().split())


def parse_addressed_line(line: str, directory: MemberDirectory) -> AddressedLine:
    """Split "<@U1> text", "@name text", "Name: text" or "Everyone: text" into person and text.

    `@channel`, `@here`, `@everyone` (and `<!channel>` …) mean the team, like "Everyone:". A
    `<@U…>` whose id is not a member, or an `@name` that matches nobody, is kept as an
    unresolved person (nobody is DM'd); "Word: text" only counts as a person when the word names
    a member or everyone (else it is ordinary text).
    """
    text = neutralise(line).strip()

    def addressed(person: Person | None, rest: str) -> AddressedLine:
        return AddressedLine(person=person, text=rest, typed=text)

    match = _BROADCAST_TOKEN.match(text)
    if match and text[match.end() :].strip():
        return addressed(Person(name=EVERYONE, everyone=True), text[match.end() :].strip())
    match = _MENTION.match(text)
    if match:
        user_id, label = match.group(1), match.group(2)
        member = directory.by_id(user_id)
        rest = text[match.end() :].strip()
        if member is None:
            return addressed(Person(name=label or user_id), rest or text)
        return addressed(Person(user_id=user_id, name=member.label), rest or text)
    match = _AT_NAME.match(text)
    if match:
        name = match.group(1).rstrip(".-'")
        rest = text[match.end() :].strip()
        if rest and name.casefold() in _BROADCAST_WORDS:
            return addressed(Person(name=EVERYONE, everyone=True), rest)
        if rest:
            return addressed(_resolve(name, directory, keep_unknown=True), rest)
    match = _NAME_COLON.match(text)
    if match:
        person = _resolve(match.group(1), directory, keep_unknown=False)
        if person is not None:
            return addressed(person, text[match.end() :].strip())
    return addressed(None, text)


def mentioned_ids(lines: Sequence[AddressedLine]) -> set[str]:
    """The `<@U…>` ids typed at the start of lines that named nobody the directory knows."""
    ids = set()
    for line in lines:
        match = _MENTION.match(line.typed)
        if match and line.person is not None and line.person.user_id is None:
            ids.add(match.group(1))
    return ids


def _resolve(name: str, directory: MemberDirectory, *, keep_unknown: bool) -> Person | None:
    if _key(name) in _EVERYONE_WORDS:
        return Person(name=EVERYONE, everyone=True)
    member = directory.by_name(name)
    if member is not None:
        return Person(user_id=member.user_id, name=member.label)
    return Person(name=name) if keep_unknown else None


def parse_addressed_items(text: str | None, directory: MemberDirectory) -> list[AddressedLine]:
    return [parse_addressed_line(item, directory) for item in split_items(text)]


# --- rich text -------------------------------------------------------------------------------


def rich_text_to_text(value: Mapping[str, Any] | None) -> str:
    """Flatten a rich_text_input value to lines of plain text.

    Users become `<@U…>` (so they resolve like a typed mention); broadcasts and user groups
    become inert words (`@channel`, `@group`) so nothing typed can ping; links become their URL.
    """
    if not value:
        return ""
    lines: list[str] = []
    for element in value.get("elements", []) or []:
        _flatten_block(element, lines)
    return "\n".join(lines)


def _flatten_block(element: Mapping[str, Any], lines: list[str]) -> None:
    kind = element.get("type")
    if kind == "rich_text_list":
        for child in element.get("elements", []) or []:
            _flatten_block(child, lines)
        return
    if kind in ("rich_text_section", "rich_text_preformatted", "rich_text_quote"):
        text = "".join(_inline(child) for child in element.get("elements", []) or [])
        lines.extend(text.split("\n"))


def _inline(element: Mapping[str, Any]) -> str:
    kind = element.get("type")
    if kind == "text":
        return str(element.get("text", ""))
    if kind == "user":
        return f"<@{element.get('user_id', '')}>"
    if kind == "broadcast":
        return f"@{element.get('range', 'channel')}"
    if kind == "usergroup":
        return "@group"
    if kind == "channel":
        return f"#{element.get('channel_id', 'channel')}"
    if kind == "link":
        return str(element.get("text") or element.get("url", ""))
    if kind == "emoji":
        return f":{element.get('name', '')}:"
    if kind == "date":
        return str(element.get("fallback", ""))
    return ""


# --- the slash command ---------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    """What `/standup <text>` asks for."""

    name: str  # "open", "help", "github", "followup", "away", "back", "search", "unknown"
    argument: str = ""


_SUBCOMMANDS = {
    "": "open",
    "edit": "open",
    "open": "open",
    "help": "help",
    "?": "help",
    "github": "github",
    "followup": "followup",
    "follow-up": "followup",
    "fu": "followup",
    "away": "away",
    "back": "back",
    "search": "search",
    "find": "search",
}


def parse_command(text: str | None) -> Command:
    stripped = neutralise(text or "").strip()
    word, _, rest = stripped.partition(" ")
    name = _SUBCOMMANDS.get(word.casefold())
    if name is None:
        return Command("unknown", stripped)
    return Command(name, rest.strip())


def parse_github_login(argument: str) -> str | None:
    """A GitHub login from `@login`, `login` or a profile URL; None when it cannot be one."""
    value = argument.strip().strip("<>").rstrip("/")
    value = re.sub(r"^https?://github\.com/", "", value).lstrip("@")
    if re.fullmatch(GITHUB_LOGIN, value):
        return value
    return None


# --- Slack message text ------------------------------------------------------------------------

_SLACK_ENTITY = re.compile(r"<([@#!])?([^<>|]*)(?:\|([^<>]*))?>")


def slack_text_to_plain(text: str, directory: MemberDirectory) -> str:
    """A message's mrkdwn as a person would read it: `<@U1>` → `<@U1>` kept (it resolves as a
    mention), links → their label and URL, channels → `#name`, broadcasts → inert words."""

    def replace(match: re.Match[str]) -> str:
        sigil, target, label = match.group(1), match.group(2), match.group(3)
        if sigil == "@":
            return f"<@{target}>" if directory.by_id(target) or not label else f"@{label}"
        if sigil == "#":
            return f"#{label or target}"
        if sigil == "!":
            return f"@{(label or target).split('^')[0]}"
        return f"{label} ({target})" if label and label != target else target

    plain = _SLACK_ENTITY.sub(replace, neutralise(text))
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# --- the standup form ----------------------------------------------------------------------------

MAX_FIELD_CHARS = 3000  # Slack's plain_text_input limit; also enforced here, server-side
# Caps on what one person can make the bot send (README, "Limits"): asks per standup (each
# person asked gets one DM per submission, listing all of theirs), and follow-ups a person may
# raise per cycle (each open follow-up is a message of its own in the digest's thread).
MAX_ASKS_PER_STANDUP = 10
MAX_FOLLOW_UPS_PER_CYCLE = 20

# (block_id, label, placeholder)
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("done", "Done", "What you finished since the last standup: one item per line"),
    ("next", "Next", "What you will do before the next one: one item per line"),
    ("blocked", "Blocked", "Anything stopping you: one item per line"),
    ("asks", "Asks", "One per line, starting with the person: @name …, Name: … or Everyone: …"),
    ("follow_ups", "Follow-ups", "One per line; start with a person to give it an owner"),
)


@dataclass(frozen=True)
class StandupForm:
    """The five fields as typed, one string each (lines not yet parsed)."""

    done: str = ""
    next: str = ""
    blocked: str = ""
    asks: str = ""
    follow_ups: str = ""

    def is_empty(self) -> bool:
        return not any(split_items(getattr(self, name)) for name, _, _ in FIELDS)


def form_from_standup(
    standup: Standup | None,
    *,
    follow_ups: Sequence[str] = (),
    checklist: Checklist | None = None,
    directory: MemberDirectory | None = None,
) -> StandupForm:
    """Pre-fill: this cycle's standup as typed, or a fresh one whose Next is last cycle's
    promises (`checklist`: ticking one moves it to Done).

    Editing, the Done box leaves out the promises the checklist shows ticked
    (`digests.checklist.untick_done`). Asks come back as they were typed (a leading `<@U…>` as
    `@handle`, while the field still fits); `follow_ups` are the lines to show (see
    `follow_up_line`). A field submitted within MAX_FIELD_CHARS comes back within it.
    """
    if standup is not None:
        directory = directory or MemberDirectory([])
        readable = "\n".join(ask_line(ask, directory) for ask in standup.asks)
        if len(readable) > MAX_FIELD_CHARS:
            readable = "\n".join(ask.typed or ask_line(ask, directory) for ask in standup.asks)
        return StandupForm(
            done="\n".join(untick_done(standup.done, checklist)),
            next="\n".join(standup.next),
            blocked="\n".join(standup.blocked),
            asks=readable,
            follow_ups="\n".join(follow_ups),
        )
    if checklist is not None:
        return StandupForm(next="\n".join(checklist.promises))
    return StandupForm()


def ask_line(ask: Ask, directory: MemberDirectory) -> str:
    """An ask as the person typed it; one stored before that was kept is written out again."""
    if ask.typed:
        return readable_line(ask.typed, directory)
    if ask.everyone:
        return f"Everyone: {ask.text}"
    if ask.to_user_id:
        return f"{_handle_or_mention(ask.to_user_id, directory)} {ask.text}"
    return f"@{ask.to_name} {ask.text}"


def follow_up_line(follow_up: FollowUp, user_id: str, directory: MemberDirectory) -> str:
    """A follow-up raised in a standup, as its line was typed (or written out again)."""
    if follow_up.typed:
        return readable_line(follow_up.typed, directory)
    if follow_up.owner_user_id == user_id:
        return follow_up.text
    if follow_up.owner_user_id is None:
        owner = f"@{follow_up.owner_name} " if follow_up.owner_name else ""
        return owner + follow_up.text
    return f"{_handle_or_mention(follow_up.owner_user_id, directory)} {follow_up.text}"


def readable_line(typed: str, directory: MemberDirectory) -> str:
    """A line with its leading `<@U…>` (from rich text, or pasted) shown as `@handle`, when the
    handle names that member and no one else; otherwise exactly as typed."""
    match = _MENTION.match(typed)
    rest = typed[match.end() :].strip() if match else ""
    if match is None or not rest:
        return typed
    handle = _handle_or_mention(match.group(1), directory)
    return typed if handle.startswith("<@") else f"{handle} {rest}"


def _handle_or_mention(user_id: str, directory: MemberDirectory) -> str:
    member = directory.by_id(user_id)
    if member is not None and directory.by_name(member.name) == member:
        return f"@{member.name}"
    return f"<@{user_id}>"


def read_form(state_values: dict[str, Any]) -> StandupForm:
    """The five fields from `view.state.values`, plain_text_input or rich_text_input alike."""
    texts: dict[str, str] = {}
    for block_id, _, _ in FIELDS:
        for leaf in (state_values.get(block_id) or {}).values():
            if not isinstance(leaf, dict):
                continue
            if leaf.get("type") == "rich_text_input":
                texts[block_id] = rich_text_to_text(leaf.get("rich_text_value"))
            else:
                texts[block_id] = str(leaf.get("value") or "")
            break
    return StandupForm(**{key: neutralise(value) for key, value in texts.items()})


def validate_form(form: StandupForm, *, ticked: int = 0) -> dict[str, str]:
    """Errors per block id: too long, too many asks, or nothing filled in at all (`ticked`
    promises of the checklist count as filled in). Empty when the form is fine. (The cap on
    follow-ups needs the store: `follow_up_cap_error`.)"""
    errors = {
        block_id: f"{label} is {len(getattr(form, block_id)):,} characters; "
        f"the most is {MAX_FIELD_CHARS:,}. Move some of it to another field or shorten it."
        for block_id, label, _ in FIELDS
        if len(getattr(form, block_id)) > MAX_FIELD_CHARS
    }
    asks = len(split_items(form.asks))
    if "asks" not in errors and asks > MAX_ASKS_PER_STANDUP:
        errors["asks"] = (
            f"That is {asks} asks; one standup can have at most {MAX_ASKS_PER_STANDUP}. "
            "Put several requests to one person on one line, or raise the rest next week."
        )
    if not errors and not ticked and form.is_empty():
        errors["done"] = "Fill in at least one field: what you did, what is next, or a blocker."
    return errors


def follow_up_cap_error(already: int, adding: int) -> str | None:
    """The message for a person past MAX_FOLLOW_UPS_PER_CYCLE (`already` raised this cycle,
    `adding` new ones now), or None when they fit."""
    if adding <= 0 or already + adding <= MAX_FOLLOW_UPS_PER_CYCLE:
        return None
    room = max(MAX_FOLLOW_UPS_PER_CYCLE - already, 0)
    return (
        f"You can raise at most {MAX_FOLLOW_UPS_PER_CYCLE} follow-ups a week; you have raised "
        f"{already} this week, so {room} more fit{'s' if room == 1 else ''} (this adds {adding}). "
        "Close or merge some first."
    )


# --- answering an ask ---------------------------------------------------------------------------

ANSWER_METADATA_KEY = "answer_to"  # the answer modal's private_metadata: {"answer_to": ask id}
_ID = re.compile(r"[0-9]{1,18}")  # an id of ours: ASCII digits, and within SQLite's integers


def read_id(value: object) -> int | None:
    """`value` (from a payload: a button's value, a metadata field) as one of our ids; None for
    anything else: junk in a forged payload, "²", or a number SQLite cannot hold."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    return int(text) if isinstance(text, str) and _ID.fullmatch(text) else None


@dataclass(frozen=True)
class AnswerTo:
    """What the answer modal's `private_metadata` names: the ask, and where it was opened."""

    ask_id: int
    from_home: bool = False


def read_answer_metadata(text: object) -> AnswerTo | None:
    """The ask an answer modal's submission is for; None for anything else (or junk)."""
    if not isinstance(text, str):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    ask_id, home = value.get(ANSWER_METADATA_KEY), value.get("home", False)
    if not isinstance(ask_id, int) or not isinstance(home, bool):
        return None
    found = read_id(ask_id)
    return AnswerTo(ask_id=found, from_home=home) if found is not None else None


def read_answer(state_values: Mapping[str, Any]) -> str:
    """The answer typed in the answer modal: control characters removed, ends trimmed, lines
    kept (a rich text input flattens like the standup's fields)."""
    for leaf in (state_values.get(action_ids.ANSWER_BLOCK) or {}).values():
        if not isinstance(leaf, dict):
            continue
        if leaf.get("type") == "rich_text_input":
            return neutralise(rich_text_to_text(leaf.get("rich_text_value"))).strip()
        return neutralise(str(leaf.get("value") or "")).strip()
    return ""


def validate_answer(answer: str) -> str | None:
    """Why the answer cannot be sent (empty, or longer than the box allows), or None."""
    if not answer.strip():
        return "Write an answer first (or close this and press Mark done instead)."
    if len(answer) > MAX_FIELD_CHARS:
        return (
            f"That answer is {len(answer):,} characters; the most is {MAX_FIELD_CHARS:,}. "
            "Shorten it, or put the rest in a follow-up."
        )
    return None


# --- /standup away and /standup search ------------------------------------------------------

MAX_AWAY_DAYS = 366
AWAY_USAGE = (
    "Usage: `/standup away <from> [<to>]` or `/standup away until <date>`, e.g. "
    "`/standup away mon fri`, `/standup away dec 24 jan 2`, `/standup away until 2026-12-31`; "
    "`/standup back` when you are back."
)
_RANGE_WORDS = re.compile(r"\s+(?:to|until|till|through|thru|-|–|—)\s+|\s*\.\.\s*", re.IGNORECASE)
_UNTIL = re.compile(r"^(?:until|till|to|through|thru)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class AwayRequest:
    """What `/standup away …` asks for: the first and last day away, or why it cannot be read."""

    starts: date | None = None
    ends: date | None = None
    problem: str | None = None


def parse_away(argument: str, today: date) -> AwayRequest:
    """`<from> [<to>]` or `until <date>`, in the team's zone (`today` is its local date)."""
    text = " ".join(argument.split())
    if not text:
        return AwayRequest(problem=AWAY_USAGE)
    until = _UNTIL.match(text)
    if until:
        ends = parse_day(text[until.end() :], today)
        if ends is None:
            return AwayRequest(problem=_unreadable(text[until.end() :]))
        return _checked(today, ends, today)
    parts = _RANGE_WORDS.split(text, maxsplit=1)
    if len(parts) == 2:
        starts = parse_day(parts[0], today)
        if starts is None:
            return AwayRequest(problem=_unreadable(parts[0]))
        ends = parse_day(parts[1], starts)
        if ends is None:
            return AwayRequest(problem=_unreadable(parts[1]))
        return _checked(starts, ends, today)
    single = parse_day(text, today)
    if single is not None:
        return _checked(single, single, today)
    words = text.split(" ")
    for cut in range(1, len(words)):
        starts = parse_day(" ".join(words[:cut]), today)
        if starts is None:
            continue
        ends = parse_day(" ".join(words[cut:]), starts)
        if ends is not None:
            return _checked(starts, ends, today)
    return AwayRequest(problem=_unreadable(text))


def _checked(starts: date, ends: date, today: date) -> AwayRequest:
    if ends < starts:
        return AwayRequest(
            problem=f"That ends ({ends.isoformat()}) before it starts ({starts.isoformat()})."
        )
    if ends < today:
        return AwayRequest(problem=f"That is over already (it ended {ends.isoformat()}).")
    if ends - starts >= timedelta(days=MAX_AWAY_DAYS):
        return AwayRequest(problem=f"That is more than {MAX_AWAY_DAYS} days; give a shorter range.")
    return AwayRequest(starts=starts, ends=ends)


def _unreadable(text: str) -> str:
    shown = text if len(text) <= 40 else text[:40] + "…"
    return (
        f"I could not read “{shown}” as a date. Try `2026-12-24`, `mon`, `next friday`, "
        f"`dec 24` or `in 2 weeks`.\n{AWAY_USAGE}"
    )


SEARCH_USAGE = (
    "Usage: `/standup search <words> [@person] [since <date>] [until <date>]`, e.g. "
    "`/standup search deploy @kevin since 2026-01-01`."
)
MAX_SEARCH_TEXT = 500
_FILTER = re.compile(r"(?:^|\s)(since|until|after|before)\s+", re.IGNORECASE)
_PERSON = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>|(?:^|(?<=\s))@([\w][\w.\-']{0,79})")


@dataclass(frozen=True)
class SearchRequest:
    """What `/standup search …` asks for. `person` is a user id, else the name as typed (which
    matched nobody: `problem` says so)."""

    words: str = ""
    person: str | None = None
    person_name: str | None = None
    since: date | None = None
    until: date | None = None
    problem: str | None = None


def parse_search(argument: str, today: date, directory: MemberDirectory) -> SearchRequest:
    """`<words> [@person] [since <date>] [until <date>]`, dates in the team's zone. A `since`
    or `until` not followed by a date stays one of the words."""
    text = " ".join(argument.split())[:MAX_SEARCH_TEXT]
    since = until = None
    words_parts: list[str] = []
    for keyword, raw, body in _filter_chunks(text):
        if keyword:
            day = parse_day(
                body, today, prefer="past" if keyword in ("since", "after") else "nearest"
            )
            if day is not None:
                if keyword in ("since", "after"):
                    since = day + timedelta(days=1) if keyword == "after" else day
                else:
                    until = day - timedelta(days=1) if keyword == "before" else day
                continue
        words_parts.append(raw)
    rest = " ".join(words_parts)
    person = person_name = None
    found = _PERSON.search(rest)
    if found:
        rest = (rest[: found.start()] + " " + rest[found.end() :]).strip()
        if found.group(1):
            member = directory.by_id(found.group(1))
            person = found.group(1)
            person_name = member.label if member else (found.group(2) or found.group(1))
        else:
            member = directory.by_name(found.group(3))
            person_name = found.group(3)
            if member is None:
                return SearchRequest(
                    words=rest,
                    person_name=person_name,
                    problem=f"I don't know anyone called “@{person_name}” here.",
                )
            person, person_name = member.user_id, member.label
    words = " ".join(rest.split())
    if not words:
        return SearchRequest(person=person, person_name=person_name, problem=SEARCH_USAGE)
    if since is not None and until is not None and until < since:
        return SearchRequest(
            words=words,
            problem=f"I read that as since {since.isoformat()} until {until.isoformat()}: "
            "the `until` date is before the `since` one.",
        )
    return SearchRequest(
        words=words, person=person, person_name=person_name, since=since, until=until
    )


def _filter_chunks(text: str) -> list[tuple[str, str, str]]:
    """`text` cut at each since/until/after/before: (keyword or "", the raw chunk, its body)."""
    chunks: list[tuple[str, str, str]] = []
    matches = list(_FILTER.finditer(text))
    start = 0
    keyword = ""
    body_start = 0
    for match in matches:
        chunks.append((keyword, text[start : match.start()], text[body_start : match.start()]))
        keyword = match.group(1).casefold()
        start, body_start = match.start(), match.end()
    chunks.append((keyword, text[start:], text[body_start:]))
    return [(k, raw.strip(), body.strip()) for k, raw, body in chunks if raw.strip()]
