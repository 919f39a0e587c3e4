"""When the digest and the reminders fire: crontab lines in the team's zone, by APScheduler.

The pure cycle arithmetic (`digests.cycles`) asks a `Schedule` for fire times; `CronSchedule` is
the one the bot runs on. Times come from APScheduler's CronTrigger in the team's zone, so a cron
line keeps its local hour across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from digests.models import HolidayMove

# How far back to look for the previous fire time before giving up (a yearly cron still works).
_MAX_LOOKBACK = timedelta(days=400)


@dataclass(frozen=True)
class CronSchedule:
    cron: str
    zone: ZoneInfo

    @property
    def trigger(self) -> CronTrigger:
        return _trigger(self.cron, self.zone)

    def next_fire(self, after: datetime) -> datetime:
        fire = self.trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
        if fire is None:
            raise ValueError(f"the crontab line {self.cron!r} never fires")
        return fire  # type: ignore[no-any-return]

    def previous_fire(self, before: datetime) -> datetime | None:
        step = timedelta(days=1)
        while True:
            fire = self.trigger.get_next_fire_time(None, before - step)
            if fire is not None and fire <= before:
                while True:
                    following = self.trigger.get_next_fire_time(
                        None, fire + timedelta(microseconds=1)
                    )
                    if following is None or following > before:
                        return fire  # type: ignore[no-any-return]
                    fire = following
            if step >= _MAX_LOOKBACK:
                return None
            step = min(step * 2, _MAX_LOOKBACK)

    def holiday_move(self, fire: datetime) -> HolidayMove | None:
        return None  # plain cron: nothing moves (digests.workdays.HolidaySchedule moves)


# Parsing a crontab line costs more than the arithmetic: each /standup asks for the current cycle.
@lru_cache(maxsize=16)
def _trigger(cron: str, zone: ZoneInfo) -> CronTrigger:
    return CronTrigger.from_crontab(cron, timezone=zone)
