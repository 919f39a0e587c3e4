"""Earlier cycles for the digest and the export: their standups, and what their digests said.

Cycles are consecutive meetings of the digest's schedule (`digests.cycles.cycle_before`), so
"last cycle" is the meeting before this one whatever the cron line says.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.store import Store
from digests.cycles import Schedule, cycle_before
from digests.models import Cycle, CycleRecord, CycleStandups, Digest
from digests.promises import HISTORY_CYCLES


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
