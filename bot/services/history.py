"""Earlier cycles for the digest and the export: their standups, and what their digests said.

Cycles are consecutive meetings of the digest's schedule (`digests.cycles.cycle_before`), so
"last cycle" is the meeting before this one whatever the cron line says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.config import Settings
from bot.services.away import away_whole_cycles_of
from bot.store import Store
from digests.cycles import Schedule, cycle_before
from digests.models import (
    BlockerStatus,
    Cycle,
    CycleRecord,
    CycleStandups,
    Digest,
    Person,
    PersonPromises,
    Promise,
    Standup,
)
from digests.promises import HISTORY_CYCLES, follow_team


def earlier_cycles(schedule: Schedule, cycle: Cycle, count: int = HISTORY_CYCLES) -> list[Cycle]:
    """The `count` cycles before `cycle`, most recent first."""
    cycles: list[Cycle] = []
    for _ in range(count):
        cycles.append(cycle_before(schedule, cycles[-1] if cycles else cycle))
    return cycles


def load_history(
    store: Store, schedule: Schedule, cycle: Cycle, count: int = HISTORY_CYCLES
) -> list[CycleStandups]:
    """The standups of the `count` cycles before `cycle`, most recent first (one read)."""
    cycles = earlier_cycles(schedule, cycle, count)
    by_meeting = store.get_standups_of_meetings([c.meeting_date for c in cycles])
    return [
        CycleStandups(cycle=c, standups=tuple(by_meeting.get(c.meeting_date, ()))) for c in cycles
    ]


def load_records(
    store: Store, channel: str | None, meetings: Sequence[date]
) -> dict[date, CycleRecord]:
    """What the digests posted to `channel` recorded of those meetings, by meeting date."""
    return store.get_cycle_records(channel, meetings) if channel else {}


def record_cycle(store: Store, channel: str, digest: Digest, *, now: datetime) -> None:
    """Keep what this digest says of its cycle, before it is posted (a re-plan replaces it)."""
    record = CycleRecord(point=digest.trend[-1], promises=digest.promises)
    store.save_cycle_record(channel, record, now=now)


@dataclass(frozen=True)
class FollowedCycle:
    """One cycle's promises and blockers, by person, for the export."""

    promises: dict[str, tuple[Promise, ...]]  # by user id: last cycle's promises and outcomes
    blockers: dict[str, tuple[BlockerStatus, ...]]  # by user id: new, still blocked, resolved
    without_standup: tuple[PersonPromises, ...]  # promises of people who sent no standup


def follow_cycle(
    store: Store, settings: Settings, cycle: Cycle, standups: Sequence[Standup]
) -> FollowedCycle:
    """What became of last cycle's promises and blockers in `cycle`.

    Outcomes are those the posted digest recorded, when it was posted (a promise delivered by
    its pull request merging is only known then); otherwise they are worked out from what was
    typed. Blockers are always worked out: they depend on nothing but the standups.
    """
    history = load_history(store, settings.digest_schedule, cycle)
    team_ids = {member.user_id for member in store.get_team()}
    away = away_whole_cycles_of(store, settings, [cycle])
    followed = follow_team(
        history,
        standups,
        team_ids=team_ids,
        ends_at=cycle.ends_at,
        repos=settings.repos,
        away_ids=away[cycle.meeting_date],
    )
    promises = {f.user_id: f.promises for f in followed if f.promises}
    names = {f.user_id: f.user_name for f in followed}
    reported = {f.user_id for f in followed if f.current is not None}
    record = load_records(store, settings.standup_channel, [cycle.meeting_date]).get(
        cycle.meeting_date
    )
    if record is not None:
        promises = {
            person.person.user_id: person.promises
            for person in record.promises
            if person.person.user_id is not None
        }
        names |= {
            person.person.user_id: person.person.name
            for person in record.promises
            if person.person.user_id is not None and person.person.user_id not in names
        }
    away_ids = {f.user_id for f in followed if f.away}
    without = tuple(
        PersonPromises(
            person=Person(user_id=user_id, name=names.get(user_id, user_id)),
            reported=False,
            promises=made,
            away=user_id in away_ids,
        )
        for user_id, made in promises.items()
        if user_id not in reported
    )
    return FollowedCycle(
        promises=promises,
        blockers={f.user_id: f.blockers for f in followed if f.blockers},
        without_standup=without,
    )
