"""Promises and blockers followed from one cycle to the next. Pure: standups in, outcomes out.

A promise is an item of someone's Next. At the following cycle it is exactly one of:
- **delivered**: it appears in their Done (ticked items in the modal become Done lines), or a
  pull request it names merged during the cycle;
- **carried**: it appears in their Next again;
- **not reported**: neither (also when they sent no standup at all).
"Appears" is `digests.matching.same_work`. Blockers are matched the same way against the last
cycle's: new, still blocked (with the cycle it was first reported for), or resolved.

`previous` is the person's standups of the cycles before this one, most recent first, one entry
per cycle (None where they sent none): a chain of promises or blockers stops at the first cycle
that does not repeat it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from digests.matching import first_match, pull_request_keys
from digests.models import BlockerStatus, Promise, Standup


def follow_promises(
    previous: Sequence[Standup | None],
    current: Standup | None,
    *,
    merged: frozenset[str] = frozenset(),
    repos: Sequence[str] = (),
) -> tuple[Promise, ...]:
    """The outcome of each item of the last cycle's Next (`previous[0]`).

    `merged`: the pull requests (`owner/repo#N`, any case) merged during the current cycle.
    """
    last = previous[0] if previous else None
    if last is None:
        return ()
    merged_keys = frozenset(key.casefold() for key in merged)
    done = current.done if current else ()
    next_ = current.next if current else ()
    promises = []
    for text in dict.fromkeys(item for item in last.next if item.strip()):
        weeks, first = _chain(text, previous, lambda standup: standup.next, repos)
        if pull_request_keys(text, repos=repos) & merged_keys:
            promise = Promise(
                text=text, outcome="delivered", weeks_carried=weeks, first_promised=first,
                merged=True,
            )  # fmt: skip
        elif (found := first_match(text, done, repos=repos)) is not None:
            promise = Promise(
                text=text, outcome="delivered", weeks_carried=weeks, first_promised=first,
                matched=found,
            )  # fmt: skip
        elif (found := first_match(text, next_, repos=repos)) is not None:
            promise = Promise(
                text=text, outcome="carried", weeks_carried=weeks + 1, first_promised=first,
                matched=found,
            )  # fmt: skip
        else:
            promise = Promise(
                text=text, outcome="not_reported", weeks_carried=weeks, first_promised=first
            )
        promises.append(promise)
    return tuple(promises)


def follow_blockers(
    previous: Sequence[Standup | None],
    current: Standup | None,
    *,
    repos: Sequence[str] = (),
) -> tuple[BlockerStatus, ...]:
    """This cycle's blockers (new or still blocked), then last cycle's that are gone (resolved).

    Without a standup this cycle nothing is known: no statuses.
    """
    if current is None:
        return ()
    last = previous[0] if previous else None
    earlier = last.blocked if last else ()
    statuses = []
    for text in dict.fromkeys(item for item in current.blocked if item.strip()):
        before = first_match(text, earlier, repos=repos)
        if before is None:
            statuses.append(
                BlockerStatus(text=text, state="new", first_reported=current.meeting_date, weeks=1)
            )
            continue
        weeks, first = _chain(before, previous, lambda standup: standup.blocked, repos)
        statuses.append(
            BlockerStatus(text=text, state="still_blocked", first_reported=first, weeks=weeks + 1)
        )
    for text in dict.fromkeys(item for item in earlier if item.strip()):
        if first_match(text, current.blocked, repos=repos) is None:
            weeks, first = _chain(text, previous, lambda standup: standup.blocked, repos)
            statuses.append(
                BlockerStatus(text=text, state="resolved", first_reported=first, weeks=weeks)
            )
    return tuple(statuses)


def delivered_of_promised(promises: Sequence[Promise]) -> tuple[int, int]:
    """(delivered, promised): "delivered 2 of 3 promised"."""
    return sum(p.outcome == "delivered" for p in promises), len(promises)


def _chain(
    text: str,
    previous: Sequence[Standup | None],
    items: Callable[[Standup], Sequence[str]],
    repos: Sequence[str],
) -> tuple[int, date]:
    """How many cycles in a row, from `previous[0]` back, list `text` among their `items` (it is
    in `previous[0]`'s), and the meeting date of the earliest of them."""
    last = previous[0]
    assert last is not None
    weeks, first, current = 1, last.meeting_date, text
    for standup in previous[1:]:
        if standup is None:
            break
        found = first_match(current, items(standup), repos=repos)
        if found is None:
            break
        weeks, first, current = weeks + 1, standup.meeting_date, found
    return weeks, first
