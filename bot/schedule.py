"""When the digest and the reminders fire: crontab lines in the team's zone, by APScheduler.

The pure cycle arithmetic (`digests.cycles`) asks a `Schedule` for fire times; `CronSchedule` is
the one the bot runs on. Times come from APScheduler's CronTrigger in the team's zone, so a cron
line keeps its local hour across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from digests.models import HolidayMove

if TYPE_CHECKING:
    from digests.cycles import Schedule

# How far back to look for the previous fire time before giving up (a yearly cron still works).
_MAX_LOOKBACK = timedelta(days=400)
# Steps through the repeated hour of a night the clocks go back, at most.
_MAX_DST_STEPS = 500


@dataclass(frozen=True)
class CronSchedule:
    cron: str
    zone: ZoneInfo

    @property
    def trigger(self) -> CronTrigger:
        return _trigger(self.cron, self.zone)

    def next_fire(self, after: datetime) -> datetime:
        start = after + timedelta(microseconds=1)
        for _ in range(_MAX_DST_STEPS):
            fire = self.trigger.get_next_fire_time(None, start)
            if fire is None:
                raise ValueError(f"the crontab line {self.cron!r} never fires")
            if fire < start:
                # Inside the hour the clocks went back, APScheduler reads `start` as the wall
                # time's first occurrence and answers behind it; every fire left in that hour
                # is a repeat anyway: look on from where the wall times stop repeating.
                start = self._end_of_repeat(start)
                continue
            if not self._repeated(fire):
                return fire  # type: ignore[no-any-return]
            start = fire + timedelta(microseconds=1)  # a wall time come round again: skip it
        raise ValueError(f"the crontab line {self.cron!r} has no fire time after {after}")

    def _end_of_repeat(self, moment: datetime) -> datetime:
        wall = moment.astimezone(self.zone).replace(tzinfo=None, second=0, microsecond=0)
        for _ in range(_MAX_DST_STEPS):
            wall += timedelta(minutes=1)
            first = wall.replace(tzinfo=self.zone, fold=0)
            if first.utcoffset() == wall.replace(tzinfo=self.zone, fold=1).utcoffset():
                return first
        return moment + timedelta(hours=1)

    def _repeated(self, fire: datetime) -> bool:
        """A fire at a wall time that already happened an hour earlier (the night the clocks go
        back, 02:30 comes twice): the cron line means it once."""
        local = fire.astimezone(self.zone)
        first = local.replace(tzinfo=None).replace(tzinfo=self.zone, fold=0)
        return first.astimezone(UTC) < local.astimezone(UTC)

    def previous_fire(self, before: datetime) -> datetime | None:
        step = timedelta(days=1)
        while True:
            try:
                fire = self.next_fire(before - step - timedelta(microseconds=1))
                if fire <= before:
                    while True:
                        following = self.next_fire(fire)
                        if following > before:
                            return fire
                        fire = following
            except ValueError:
                return None
            if step >= _MAX_LOOKBACK:
                return None
            step = min(step * 2, _MAX_LOOKBACK)

    def holiday_move(self, fire: datetime) -> HolidayMove | None:
        return None  # plain cron: nothing moves (digests.workdays.HolidaySchedule moves)


# Parsing a crontab line costs more than the arithmetic: each /standup asks for the current cycle.
@lru_cache(maxsize=16)
def _trigger(cron: str, zone: ZoneInfo) -> CronTrigger:
    return CronTrigger.from_crontab(cron, timezone=zone)


# --- APScheduler triggers that follow a Schedule ----------------------------------------------


def _first_at_or_after(schedule: Schedule, moment: datetime) -> datetime:
    return schedule.next_fire(moment - timedelta(microseconds=1))


def _start(previous_fire_time: datetime | None, now: datetime) -> datetime:
    """Where APScheduler's own triggers start looking: just after the last fire (the scheduler
    catches up missed ones, coalesced), else now."""
    if previous_fire_time is None:
        return now
    return previous_fire_time + timedelta(microseconds=1)


class ScheduleTrigger(BaseTrigger):  # type: ignore[misc]  # APScheduler 3 is untyped
    """Fires at a `Schedule`'s times, holiday moves included: a moved digest fires once, on its
    moved day, and not on the holiday."""

    __slots__ = ("schedule",)

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        return _first_at_or_after(self.schedule, _start(previous_fire_time, now))

    def __str__(self) -> str:
        return f"schedule[{self.schedule}]"


class EarliestTrigger(BaseTrigger):  # type: ignore[misc]
    """Fires at the earliest next time of several schedules, read afresh at each turn
    (`schedules()`: e.g. the reminder time in each team member's zone), and at least every
    `at_most` so that a schedule added meanwhile is not missed."""

    __slots__ = ("schedules", "at_most")

    def __init__(self, schedules: Callable[[], Iterable[Schedule]], at_most: timedelta) -> None:
        self.schedules = schedules
        self.at_most = at_most

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        start = _start(previous_fire_time, now)
        times = [_first_at_or_after(schedule, start) for schedule in set(self.schedules())]
        cap = (previous_fire_time or now) + self.at_most
        return min([*times, cap]) if times else cap

    def __str__(self) -> str:
        return f"earliest[at most {self.at_most}]"
