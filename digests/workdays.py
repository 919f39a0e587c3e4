"""Holidays, and a schedule that moves what falls on one to the next working day. Pure.

`HolidayCalendar` says which local dates are holidays: a country (and subdivision) of the
`holidays` package, plus extra dates the team does not work. `HolidaySchedule` wraps any
`Schedule` (the cron one, `bot.schedule.CronSchedule`): a fire time whose local date is a holiday
moves to the same local time on the next working day (Monday to Friday, not a holiday), and the
cycle runs until then. When the moved time would reach the schedule's own next fire, the holiday's
fire is folded into that one instead (a daily digest on a holiday Monday is Tuesday's digest), so
there is never more than one fire for one moment, and the fires stay in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from digests.models import HolidayMove

if TYPE_CHECKING:
    from digests.cycles import Schedule

# A move never goes further than this; a calendar with no working day in it leaves the fire.
MAX_MOVE_DAYS = 31
# How many earlier holiday fires folded into one fire are looked at for its note.
_MAX_FOLDED = 60
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class HolidayCalendar:
    """Public holidays of `country` (ISO 3166 code) and `subdivision`, plus `extra` dates."""

    country: str | None = None
    subdivision: str | None = None
    extra: frozenset[date] = frozenset()

    def holiday(self, day: date) -> str | None:
        """The holiday's name on `day`, or None when it is not one."""
        if day in self.extra:
            return "team holiday"
        if self.country is None:
            return None
        name = _country_holidays(self.country, self.subdivision).get(day)
        return str(name).split(";")[0].strip() if name else None

    def working_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday(day) is None

    @property
    def empty(self) -> bool:
        return self.country is None and not self.extra


@lru_cache(maxsize=8)
def _country_holidays(country: str, subdivision: str | None) -> Any:
    import holidays

    return holidays.country_holidays(country, subdiv=subdivision)


def check_country(country: str, subdivision: str | None) -> str | None:
    """Why the `holidays` package cannot give this country's holidays, or None when it can."""
    import holidays

    supported = holidays.list_supported_countries()
    if country not in supported:
        return f"{country!r} is not a country code the holidays package knows (e.g. US, DE, GB)"
    subdivisions = supported[country]
    if subdivision is not None and subdivision not in subdivisions:
        known = ", ".join(subdivisions[:12]) + (", …" if len(subdivisions) > 12 else "")
        return f"{country} has no subdivision {subdivision!r} (it has: {known})"
    return None


@dataclass(frozen=True)
class _Fire:
    at: datetime
    move: HolidayMove | None


@dataclass(frozen=True)
class HolidaySchedule:
    """`base`'s fire times, with those on a holiday moved to the next working day."""

    base: Schedule
    calendar: HolidayCalendar

    @property
    def zone(self) -> ZoneInfo:
        return self.base.zone

    def next_fire(self, after: datetime) -> datetime:
        return self._next(after).at

    def previous_fire(self, before: datetime) -> datetime | None:
        fire = self._previous(before)
        return fire.at if fire is not None else None

    def holiday_move(self, fire: datetime) -> HolidayMove | None:
        """Why the fire at `fire` is where it is: the holiday it moved from, or None."""
        found = self._previous(fire)
        return found.move if found is not None and found.at == fire else None

    # --- the arithmetic -------------------------------------------------------------------

    def _next(self, after: datetime) -> _Fire:
        raw = self.base.next_fire(after)
        # A fire due at or before `after` may have moved past it: only the latest one can, the
        # base fire just before `raw` (cached per `raw`: every /standup asks for its cycle).
        latest = _raw_before(self, raw)
        if latest is not None:
            fire = _emitted(self, latest)
            if fire is not None and fire.at > after:
                return fire
        for _ in range(_MAX_FOLDED):
            fire = _emitted(self, raw)
            if fire is not None:
                return fire
            raw = self.base.next_fire(raw)
        return _Fire(raw, None)

    def _previous(self, before: datetime) -> _Fire | None:
        raw = self.base.previous_fire(before)
        for _ in range(_MAX_FOLDED):
            if raw is None:
                return None
            fire = _emitted(self, raw)
            if fire is not None and fire.at <= before:
                return fire
            raw = self.base.previous_fire(raw - _MICROSECOND)
        return None

    def emitted(self, raw: datetime) -> _Fire | None:
        """The fire that `raw` (a base fire time) becomes, or None when it folds into the next."""
        own = self._own_move(raw)
        if own is None:
            return _Fire(raw, self._folded_into(raw))
        moved, move = own
        if self.base.next_fire(raw) <= moved:
            return None
        return _Fire(moved, self._folded_into(raw) or move)

    def _own_move(self, raw: datetime) -> tuple[datetime, HolidayMove] | None:
        local = raw.astimezone(self.zone)
        name = self.calendar.holiday(local.date())
        if name is None:
            return None
        day = local.date()
        for _ in range(MAX_MOVE_DAYS):
            day += timedelta(days=1)
            if self.calendar.working_day(day):
                moved = datetime.combine(day, local.time(), tzinfo=self.zone)
                # A wall time that does not exist that day (a DST gap) reads as the next one.
                moved = moved.astimezone(ZoneInfo("UTC")).astimezone(self.zone)
                return moved, HolidayMove(moved_from=local.date(), holiday=name)
        return None

    def _folded_into(self, raw: datetime) -> HolidayMove | None:
        """The earliest holiday fire folded into `raw`'s fire (its move), if any."""
        note: HolidayMove | None = None
        earlier = self.base.previous_fire(raw - _MICROSECOND)
        for _ in range(_MAX_FOLDED):
            if earlier is None:
                break
            own = self._own_move(earlier)
            if own is None or self.base.next_fire(earlier) > own[0]:
                break  # not a holiday, or it was posted on its own moved day
            note = own[1]
            earlier = self.base.previous_fire(earlier - _MICROSECOND)
        return note


# Pure functions of a (hashable, frozen) schedule and a base fire time: cached.
@lru_cache(maxsize=256)
def _raw_before(schedule: HolidaySchedule, raw: datetime) -> datetime | None:
    return schedule.base.previous_fire(raw - _MICROSECOND)


@lru_cache(maxsize=256)
def _emitted(schedule: HolidaySchedule, raw: datetime) -> _Fire | None:
    return schedule.emitted(raw)
