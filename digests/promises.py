"""Promises and blockers followed from one cycle to the next. Pure: standups in, outcomes out.

A promise is an item of someone's Next. At the following cycle it is exactly one of:
- **delivered**: it appears in their Done (ticked items in the modal become Done lines), or a
  pull request it names merged during the cycle;
- **carried**: it appears in their Next again;
- **not reported**: neither (also when they sent no standup at all);
- **away**: neither, by someone away for the whole cycle (`digests.away.away_whole_cycle`): it is
  listed, but left out of "delivered N of M promised" (theirs, the team's, the trend's), since
  nobody could keep it.
"Appears" is `digests.matching.same_work`. Blockers are matched the same way against the last
cycle's: new, still blocked (with the cycle it was first reported for), or resolved.

`previous` is the person's standups of the cycles before this one, most recent first, one entry
per cycle (None where they sent none): a chain of promises or blockers stops at the first cycle
that does not repeat it.

For the whole team, `follow_team` does the same for everyone from the stored history, and
`trend_points` gives each cycle's figures: standups reported of the team, promises delivered of
those made.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from digests.matching import first_match, pull_request_keys
from digests.models import BlockerStatus, CycleStandups, Promise, Standup, TrendPoint

LONG_CARRIED_WEEKS = 3  # "Carried 3+ weeks": promised this many cycles in a row, not delivered
HISTORY_CYCLES = 8  # earlier cycles the digest reads: the trend's and the chains' horizon
TREND_CYCLES = 8  # cycles the trend shows, this one included


def follow_promises(
    previous: Sequence[Standup | None],
    current: Standup | None,
    *,
    merged: frozenset[str] = frozenset(),
    repos: Sequence[str] = (),
    away: bool = False,
) -> tuple[Promise, ...]:
    """The outcome of each item of the last cycle's Next (`previous[0]`).

    `merged`: the pull requests (`owner/repo#N`, any case) merged during the current cycle. A
    promise found in Done is delivered with the line it was found in (`matched`); one that is not,
    but names a pull request that merged, is delivered by the merge (`merged`), even when it is
    in Next again. `away`: the person was away for the whole cycle, so a promise neither
    delivered nor carried is "away", not "not reported".
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
        if (found := first_match(text, done, repos=repos)) is not None:
            promise = Promise(
                text=text, outcome="delivered", weeks_carried=weeks, first_promised=first,
                matched=found,
            )  # fmt: skip
        elif pull_request_keys(text, repos=repos) & merged_keys:
            promise = Promise(
                text=text, outcome="delivered", weeks_carried=weeks, first_promised=first,
                merged=True,
            )  # fmt: skip
        elif (found := first_match(text, next_, repos=repos)) is not None:
            promise = Promise(
                text=text, outcome="carried", weeks_carried=weeks + 1, first_promised=first,
                matched=found,
            )  # fmt: skip
        else:
            promise = Promise(
                text=text,
                outcome="away" if away else "not_reported",
                weeks_carried=weeks,
                first_promised=first,
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
    """(delivered, promised): "delivered 2 of 3 promised" (promises of someone away left out)."""
    delivered = sum(p.outcome == "delivered" for p in promises)
    return delivered, sum(p.outcome != "away" for p in promises)


def cycle_point(
    meeting_date: date,
    *,
    team_ids: Collection[str],
    reported: Collection[str],
    away: Collection[str],
    promises: Iterable[Sequence[Promise]],
) -> TrendPoint:
    """A cycle's figures as its digest states them: "Reported N of M" counts neither in N nor M
    the people `away` who sent nothing (`reported` are who sent a standup); promises delivered
    of those made (someone away's left out). Without a known team, those who reported are it."""
    team, reporters = set(team_ids), set(reported)
    expected = team - (set(away) - reporters)
    delivered = promised = 0
    for made in promises:
        done, counted = delivered_of_promised(made)
        delivered, promised = delivered + done, promised + counted
    return TrendPoint(
        meeting_date=meeting_date,
        team_size=len(expected) if team else len(reporters),
        reported=len(reporters & expected) if team else len(reporters),
        promised=promised,
        delivered=delivered,
    )


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


# --- the whole team -------------------------------------------------------------------------


@dataclass(frozen=True)
class Followed:
    """One person's promises of the last cycle and blockers of this one, followed."""

    user_id: str
    user_name: str  # as their latest standup gave it
    current: Standup | None  # this cycle's standup, if they sent one
    promises: tuple[Promise, ...]
    blockers: tuple[BlockerStatus, ...]
    away: bool = False  # away for the whole cycle


def latest_by_user(standups: Iterable[Standup]) -> dict[str, Standup]:
    """Each person's latest standup (by submission time) of those given."""
    latest: dict[str, Standup] = {}
    for standup in standups:
        known = latest.get(standup.user_id)
        if known is None or standup.submitted_at > known.submitted_at:
            latest[standup.user_id] = standup
    return latest


def follow_team(
    history: Sequence[CycleStandups],
    current: Iterable[Standup],
    *,
    team_ids: Collection[str],
    ends_at: datetime,
    merged_at: Mapping[str, datetime] | None = None,
    repos: Sequence[str] = (),
    away_ids: Collection[str] = (),
) -> list[Followed]:
    """Everyone who reported this cycle, and everyone on the team who made promises last cycle.

    `history`: the cycles before this one, most recent first. `merged_at`: when pull requests
    merged (`owner/repo#N`, any case); a promise naming one that merged after the promise was
    made and before `ends_at` is delivered. People who left the team and did not report are left
    out: their promises are nobody's to keep. `away_ids`: who was away for the whole cycle.
    """
    by_cycle = [latest_by_user(cycle.standups) for cycle in history]
    now = latest_by_user(current)
    last = by_cycle[0] if by_cycle else {}
    team = set(team_ids)
    merged = {key.casefold(): at for key, at in (merged_at or {}).items()}
    people = list(now) + [
        user
        for user, standup in last.items()
        if user not in now and user in team and any(item.strip() for item in standup.next)
    ]
    followed = []
    for user_id in people:
        previous: list[Standup | None] = [cycle.get(user_id) for cycle in by_cycle]
        standup = now.get(user_id)
        promised = previous[0] if previous else None
        named = standup or promised
        assert named is not None  # each person listed reported this cycle or the last
        merged_since: frozenset[str] = frozenset()
        if promised is not None:
            merged_since = frozenset(
                key for key, at in merged.items() if promised.submitted_at <= at < ends_at
            )
        away = user_id in away_ids
        promises = follow_promises(previous, standup, merged=merged_since, repos=repos, away=away)
        followed.append(
            Followed(
                user_id=user_id,
                user_name=named.user_name,
                current=standup,
                promises=promises,
                blockers=follow_blockers(previous, standup, repos=repos),
                away=away,
            )
        )
    return followed


def trend_points(
    history: Sequence[CycleStandups],
    this_cycle: TrendPoint,
    *,
    team_ids: Collection[str],
    recorded: Mapping[date, TrendPoint] | None = None,
    merged_at: Mapping[str, datetime] | None = None,
    repos: Sequence[str] = (),
    cycles: int = TREND_CYCLES,
    away: Mapping[date, Collection[str]] | None = None,
) -> tuple[TrendPoint, ...]:
    """The last `cycles` cycles' figures, oldest first, ending with `this_cycle`.

    A cycle whose digest recorded its figures (`recorded`, by meeting date) shows those; another
    is worked out from the history: the team as today plus whoever reported then (less who was
    away for all of it, `away` by meeting date, and sent nothing, as "Reported N of M" counts),
    and each promise's outcome from what was typed (and pull requests known to have merged); the
    promises of someone away count in neither figure. A cycle needs the one before it for its
    promises, so the oldest cycle of `history` gives none itself. Cycles before the first with
    any standup or promise are left out.
    """
    recorded = recorded or {}
    away_by: Mapping[date, Collection[str]] = away or {}
    merged = {key.casefold(): at for key, at in (merged_at or {}).items()}
    points = [this_cycle]
    by_cycle = [latest_by_user(cycle.standups) for cycle in history]
    for index in range(min(cycles - 1, len(history) - 1)):
        cycle = history[index].cycle
        known = recorded.get(cycle.meeting_date)
        if known is not None:
            points.append(known)
            continue
        reporters, before = by_cycle[index], by_cycle[index + 1]
        team = set(team_ids) | set(reporters)
        gone = set(away_by.get(cycle.meeting_date, ()))
        followed = []
        for user_id, earlier in before.items():
            if user_id not in team:
                continue
            merged_since = frozenset(
                key for key, at in merged.items() if earlier.submitted_at <= at < cycle.ends_at
            )
            followed.append(
                follow_promises(
                    [earlier],
                    reporters.get(user_id),
                    merged=merged_since,
                    repos=repos,
                    away=user_id in gone,
                )
            )
        points.append(
            cycle_point(
                cycle.meeting_date,
                team_ids=team,
                reported=reporters.keys(),
                away=gone,
                promises=followed,
            )
        )
    points.reverse()
    while len(points) > 1 and points[0].reported == 0 and points[0].promised == 0:
        points.pop(0)
    return tuple(points)
