"""The /standup modal's checklist of last cycle's promises: "tick what you delivered". Pure.

When someone opens `/standup` in a new cycle, last cycle's **Next** comes back twice: as a
checklist (Block Kit `checkboxes`, at most `MAX_OPTIONS` to an element, so one input block per
ten promises, up to `MAX_BLOCKS`) and pre-filled in the **Next** box, where each line can be
edited or deleted. On submission (`apply_ticks`) a ticked promise becomes a Done line (before the
lines typed in Done, in the order promised) and leaves Next; the unticked ones are whatever the
Next box says.

Editing the standup in the same cycle opens the checklist with the promises already in Done
ticked; the Done box then shows only the other Done lines, so that submitting again neither
duplicates a Done line nor lists a ticked promise twice (unticking one takes it out of Done).

What the submission needs crosses the modal in its `private_metadata` (at most 3,000
characters): not the promises themselves (ten of them may be 30,000 characters), but the meeting
they were promised for, how many there are and a fingerprint of their texts. The submission
reads them again from the store (last cycle's standup is no longer edited) and checks the
fingerprint; each option's value is the promise's index, its label the text cut to 75
characters.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from digests.models import Standup

MAX_OPTIONS = 10  # Slack: options per checkboxes element
MAX_OPTION_TEXT = 75  # Slack: an option's text
MAX_OPTION_VALUE = 150  # Slack: an option's value
MAX_BLOCKS = 5  # checklist blocks in the modal: 50 promises listed, the rest stay in Next
MAX_LISTED = MAX_OPTIONS * MAX_BLOCKS
BLOCK_PREFIX = "promises_"  # block ids promises_0, promises_1, …
METADATA_KEY = "checklist"
_INDEX = re.compile(r"[0-9]{1,4}")


@dataclass(frozen=True)
class Checklist:
    """Last cycle's promises as the modal lists them.

    `promises`: every promise (unique non-blank Next items, in order); the first MAX_LISTED are
    listed. `ticked`: indexes ticked when the modal opens (those already in this cycle's Done).
    """

    meeting_date: date  # the meeting the promises were made for (last cycle's)
    promises: tuple[str, ...]
    ticked: frozenset[int] = frozenset()

    @property
    def listed(self) -> tuple[str, ...]:
        return self.promises[:MAX_LISTED]

    @property
    def more(self) -> int:
        """Promises not listed (past MAX_LISTED): they are in Next, to move by hand."""
        return max(len(self.promises) - MAX_LISTED, 0)

    def blocks(self) -> list[tuple[int, tuple[str, ...]]]:
        """(index of the first, the promises) of each checklist block."""
        listed = self.listed
        starts = range(0, len(listed), MAX_OPTIONS)
        return [(start, listed[start : start + MAX_OPTIONS]) for start in starts]


@dataclass(frozen=True)
class ChecklistRef:
    """What the modal's `private_metadata` says of its checklist."""

    meeting_date: date
    count: int
    fingerprint: str


def promises_of(standup: Standup | None) -> tuple[str, ...]:
    """A standup's promises: its Next items, each once, blank ones left out (as
    `digests.promises.follow_promises` follows them)."""
    if standup is None:
        return ()
    return tuple(dict.fromkeys(item for item in standup.next if item.strip()))


def build_checklist(last: Standup | None, current: Standup | None) -> Checklist | None:
    """The checklist of `last`'s promises (last cycle's standup), with those already in
    `current`'s Done (this cycle's, when editing) ticked; None when nothing was promised."""
    promises = promises_of(last)
    if last is None or not promises:
        return None
    done = set(current.done) if current is not None else set()
    ticked = frozenset(index for index, text in enumerate(promises[:MAX_LISTED]) if text in done)
    return Checklist(meeting_date=last.meeting_date, promises=promises, ticked=ticked)


def untick_done(done: Sequence[str], checklist: Checklist | None) -> list[str]:
    """This cycle's Done lines without the ticked promises (each once): what the Done box shows
    when the standup is edited, the ticks standing for the rest."""
    if checklist is None:
        return list(done)
    pending = [checklist.promises[index] for index in sorted(checklist.ticked)]
    shown = []
    for line in done:
        if line in pending:
            pending.remove(line)
        else:
            shown.append(line)
    return shown


def apply_ticks(
    done: Sequence[str], next_: Sequence[str], ticked: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Done and Next as submitted with the checklist: the ticked promises first in Done (in the
    order promised), then the Done lines typed that are not one of them; Next without them."""
    chosen = tuple(dict.fromkeys(ticked))
    taken = set(chosen)
    return (
        chosen + tuple(line for line in done if line not in taken),
        tuple(line for line in next_ if line not in taken),
    )


# --- across the modal ---------------------------------------------------------------------------


def fingerprint(promises: Sequence[str]) -> str:
    """A short digest of the promises' texts, in order."""
    encoded = json.dumps(list(promises), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:16]


def checklist_metadata(checklist: Checklist) -> str:
    """The modal's `private_metadata` for this checklist: about 90 characters, whatever the
    promises."""
    return json.dumps(
        {
            METADATA_KEY: {
                "meeting": checklist.meeting_date.isoformat(),
                "count": len(checklist.promises),
                "fingerprint": fingerprint(checklist.promises),
            }
        },
        separators=(",", ":"),
    )


def read_checklist_metadata(text: object) -> ChecklistRef | None:
    """The checklist named by a submission's `private_metadata`; None for none (or junk)."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    found = value.get(METADATA_KEY) if isinstance(value, dict) else None
    if not isinstance(found, dict):
        return None
    meeting, count, print_ = found.get("meeting"), found.get("count"), found.get("fingerprint")
    if not isinstance(meeting, str) or not isinstance(print_, str):
        return None
    if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= 10_000:
        return None
    try:
        day = date.fromisoformat(meeting)
    except ValueError:
        return None
    return ChecklistRef(meeting_date=day, count=count, fingerprint=print_)


def read_ticked(state_values: Mapping[str, Any], count: int) -> frozenset[int]:
    """The promise indexes ticked in a submission's `view.state.values` (values of the
    checklist blocks' `checkboxes`); anything else in there, or past the `count` promises (or
    the MAX_LISTED listed), is ignored."""
    count = min(count, MAX_LISTED)
    ticked: set[int] = set()
    for block_id, actions in state_values.items():
        if not isinstance(block_id, str) or not block_id.startswith(BLOCK_PREFIX):
            continue
        if not isinstance(actions, Mapping):
            continue
        for leaf in actions.values():
            options = leaf.get("selected_options") if isinstance(leaf, Mapping) else None
            if not isinstance(options, list):
                continue
            ticked.update(_indexes(options, count))
    return frozenset(ticked)


def _indexes(options: Iterable[object], count: int) -> Iterable[int]:
    for option in options:
        value = option.get("value") if isinstance(option, Mapping) else None
        if isinstance(value, str) and _INDEX.fullmatch(value) and int(value) < count:
            yield int(value)


def ticked_texts(promises: Sequence[str], ticked: Iterable[int]) -> tuple[str, ...]:
    """The texts of the ticked promises, in the order promised."""
    return tuple(promises[index] for index in sorted(set(ticked)) if 0 <= index < len(promises))
