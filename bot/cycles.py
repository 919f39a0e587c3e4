"""Meeting-cycle arithmetic from the digest's cron line and the team's time zone.

A cycle ends at the digest's scheduled time; a standup belongs to the first digest due after it
was submitted. Times are computed by APScheduler's CronTrigger in the team's zone, so a cycle
that spans a daylight-saving change is still "every Monday at 09:00 local".
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.models import Cycle

# How far back to look for the previous fire time before giving up (a yearly cron still works).
_MAX_LOOKBACK = timedelta(days=400)


@lru_cache(maxsize=16)
def _trigger(cron: str, zone: ZoneInfo) -> CronTrigger:
    return CronTrigger.from_crontab(cron, timezone=zone)


def next_fire(cron: str, zone: ZoneInfo, after: datetime) -> datetime:
    """The first scheduled time strictly after `after` (aware, in `zone`)."""
    trigger = _trigger(cron, zone)
    fire = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    if fire is None:
        raise ValueError(f"the crontab line {cron!r} never fires")
    return fire  # type: ignore[no-any-return]


def previous_fire(cron: str, zone: ZoneInfo, before: datetime) -> datetime | None:
    """The last scheduled time at or before `before`, or None within the look-back."""
    trigger = _trigger(cron, zone)
    step = timedelta(days=1)
    while True:
        start = before - step
        fire = trigger.get_next_fire_time(None, start)
        if fire is not None and fire <= before:
            while True:
                following = trigger.get_next_fire_time(None, fire + timedelta(microseconds=1))
                if following is None or following > before:
                    return fire  # type: ignore[no-any-return]
                fire = following
        if step >= _MAX_LOOKBACK:
            return None
        step = min(step * 2, _MAX_LOOKBACK)


def cycle_at(cron: str, zone: ZoneInfo, now: datetime) -> Cycle:
    """The cycle `now` falls in: it ends at the next digest strictly after `now`."""
    ends = next_fire(cron, zone, now)
    return _cycle_ending(cron, zone, ends)


def cycle_for_meeting(cron: str, zone: ZoneInfo, meeting_date: date) -> Cycle:
    """The cycle closed by the digest scheduled on `meeting_date` (local date).

    Raises ValueError when the digest is not scheduled on that date.
    """
    midnight = datetime.combine(meeting_date, time.min, tzinfo=zone)
    fire = _trigger(cron, zone).get_next_fire_time(None, midnight)
    if fire is None or fire.astimezone(zone).date() != meeting_date:
        nearest = next_fire(cron, zone, midnight).astimezone(zone).date()
        raise ValueError(
            f"no digest is scheduled on {meeting_date.isoformat()} "
            f"(the next one is on {nearest.isoformat()})"
        )
    return _cycle_ending(cron, zone, fire)


def cycle_before(cron: str, zone: ZoneInfo, cycle: Cycle) -> Cycle:
    return _cycle_ending(cron, zone, cycle.starts_at.astimezone(zone))


# Every /standup asks for the current cycle: walking the cron back for its start costs ~0.5 ms,
# paid once per cycle instead (a slow ack under load was this, measured with py-spy).
@lru_cache(maxsize=64)
def _cycle_ending(cron: str, zone: ZoneInfo, ends: datetime) -> Cycle:
    starts = previous_fire(cron, zone, ends - timedelta(microseconds=1))
    if starts is None:
        starts = ends - timedelta(days=7)
    return Cycle(
        meeting_date=ends.astimezone(zone).date(),
        starts_at=starts.astimezone(UTC),
        ends_at=ends.astimezone(UTC),
    )
