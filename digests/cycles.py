"""Meeting-cycle arithmetic: which meeting a moment belongs to. Pure.

A cycle ends at the digest's scheduled time; a standup belongs to the first digest due after it
was submitted. When digests fire is a `Schedule`'s business (cron arithmetic in the team's zone
lives at the edge, `bot.schedule`; holiday moves in `digests.workdays`); here only the cycles it
implies are worked out, so a cycle that spans a daylight-saving change is still "every Monday at
09:00 local", and one whose digest moved off a holiday runs until the moved digest.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from digests.models import Cycle, HolidayMove


class Schedule(Protocol):
    """When digests fire. Implementations are hashable (cycles are cached per schedule)."""

    def __hash__(self) -> int: ...

    @property
    def zone(self) -> ZoneInfo: ...

    def next_fire(self, after: datetime) -> datetime:
        """The first scheduled time strictly after `after` (aware, in `zone`)."""
        ...

    def previous_fire(self, before: datetime) -> datetime | None:
        """The last scheduled time at or before `before`, or None if there is none."""
        ...

    def holiday_move(self, fire: datetime) -> HolidayMove | None:
        """For a fire time of this schedule: the holiday it was moved from, else None."""
        ...


def cycle_at(schedule: Schedule, now: datetime) -> Cycle:
    """The cycle `now` falls in: it ends at the next digest strictly after `now`."""
    return _cycle_ending(schedule, schedule.next_fire(now))


def cycle_for_meeting(schedule: Schedule, meeting_date: date) -> Cycle:
    """The cycle closed by the digest scheduled on `meeting_date` (local date).

    Raises ValueError when no digest is scheduled on that date.
    """
    zone = schedule.zone
    midnight = datetime.combine(meeting_date, time.min, tzinfo=zone)
    fire = schedule.next_fire(midnight - timedelta(microseconds=1))
    if fire.astimezone(zone).date() != meeting_date:
        next_day = fire.astimezone(zone).date().isoformat()
        move = schedule.holiday_move(fire)
        why = (
            f"; it moved there from {move.moved_from.isoformat()}, {move.holiday}"
            if move is not None and move.moved_from <= meeting_date
            else ""
        )
        raise ValueError(
            f"no digest is scheduled on {meeting_date.isoformat()} "
            f"(the next one is on {next_day}{why})"
        )
    return _cycle_ending(schedule, fire)


def upcoming_fires(
    schedule: Schedule, after: datetime, count: int
) -> list[tuple[datetime, HolidayMove | None]]:
    """The next `count` fire times strictly after `after`, each with its holiday move."""
    fires: list[tuple[datetime, HolidayMove | None]] = []
    for _ in range(count):
        after = schedule.next_fire(after)
        fires.append((after, schedule.holiday_move(after)))
    return fires


def cycle_before(schedule: Schedule, cycle: Cycle) -> Cycle:
    return _cycle_ending(schedule, cycle.starts_at.astimezone(schedule.zone))


# Every /standup asks for the current cycle: walking the schedule back for its start costs
# ~0.5 ms, paid once per cycle instead (a slow ack under load was this, measured with py-spy).
@lru_cache(maxsize=64)
def _cycle_ending(schedule: Schedule, ends: datetime) -> Cycle:
    starts = schedule.previous_fire(ends - timedelta(microseconds=1))
    if starts is None:
        starts = ends - timedelta(days=7)
    return Cycle(
        meeting_date=ends.astimezone(schedule.zone).date(),
        starts_at=starts.astimezone(UTC),
        ends_at=ends.astimezone(UTC),
        move=schedule.holiday_move(ends),
    )
