"""Holidays move digests and reminders to the next working day: cycle arithmetic, hand-checked.

2026 dates used: Pentecost Monday (DE-BY) is Monday 25 May; Boxing Day (observed, GB-SCT) is
Monday 28 December; Europe leaves summer time on Sunday 25 October.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_settings
from bot.schedule import CronSchedule
from digests.cycles import cycle_at, cycle_before, cycle_for_meeting, upcoming_fires
from digests.models import HolidayMove
from digests.workdays import HolidayCalendar, HolidaySchedule

BERLIN = ZoneInfo("Europe/Berlin")
BAVARIA = HolidayCalendar(country="DE", subdivision="BY")
MONDAY_9 = HolidaySchedule(CronSchedule("0 9 * * mon", BERLIN), BAVARIA)
WHIT = HolidayMove(moved_from=date(2026, 5, 25), holiday="Pentecost Monday")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)  # type: ignore[misc]


def test_a_digest_due_on_a_holiday_moves_to_the_next_working_day_same_time() -> None:
    cycle = cycle_at(MONDAY_9, local(2026, 5, 22, 12))
    assert cycle.meeting_date == date(2026, 5, 26)
    assert cycle.ends_at == local(2026, 5, 26, 9)
    assert cycle.starts_at == local(2026, 5, 18, 9)
    assert cycle.move == WHIT


def test_the_cycle_runs_until_the_moved_digest_and_a_holiday_standup_belongs_to_it() -> None:
    on_the_holiday = cycle_at(MONDAY_9, local(2026, 5, 25, 10))
    assert on_the_holiday.meeting_date == date(2026, 5, 26)
    after = cycle_at(MONDAY_9, local(2026, 5, 26, 9))
    assert after.meeting_date == date(2026, 6, 1)
    assert after.starts_at == local(2026, 5, 26, 9)
    assert after.move is None
    assert cycle_before(MONDAY_9, after) == on_the_holiday


def test_the_holiday_date_itself_names_where_the_digest_went() -> None:
    with pytest.raises(ValueError, match="next one is on 2026-05-26; it moved there from"):
        cycle_for_meeting(MONDAY_9, date(2026, 5, 25))
    assert cycle_for_meeting(MONDAY_9, date(2026, 5, 26)).move == WHIT


def test_fires_are_the_moved_one_once_then_the_usual_ones() -> None:
    fires = upcoming_fires(MONDAY_9, local(2026, 5, 19), 3)
    assert fires == [
        (local(2026, 5, 26, 9), WHIT),
        (local(2026, 6, 1, 9), None),
        (local(2026, 6, 8, 9), None),
    ]
    assert MONDAY_9.previous_fire(local(2026, 5, 26, 8, 59)) == local(2026, 5, 18, 9)
    assert MONDAY_9.previous_fire(local(2026, 5, 26, 9)) == local(2026, 5, 26, 9)


def test_a_daily_digest_folds_the_holiday_into_the_next_days() -> None:
    daily = HolidaySchedule(CronSchedule("0 9 * * *", BERLIN), BAVARIA)
    fires = upcoming_fires(daily, local(2026, 5, 24, 9), 2)
    assert fires == [(local(2026, 5, 26, 9), WHIT), (local(2026, 5, 27, 9), None)]


def test_holidays_in_a_row_and_extra_dates_skip_to_the_first_working_day() -> None:
    calendar = HolidayCalendar(
        country="GB", subdivision="SCT", extra=frozenset({date(2026, 12, 29)})
    )
    schedule = HolidaySchedule(CronSchedule("0 9 * * mon", ZoneInfo("Europe/London")), calendar)
    cycle = cycle_at(schedule, datetime(2026, 12, 24, tzinfo=UTC))
    assert cycle.meeting_date == date(2026, 12, 30)  # Mon 28 Boxing Day (observed), Tue 29 extra
    assert cycle.move == HolidayMove(moved_from=date(2026, 12, 28), holiday="Boxing Day (observed)")


def test_a_friday_holiday_moves_over_the_weekend() -> None:
    calendar = HolidayCalendar(extra=frozenset({date(2026, 12, 4)}))
    schedule = HolidaySchedule(CronSchedule("0 16 * * fri", BERLIN), calendar)
    assert schedule.next_fire(local(2026, 12, 1)) == local(2026, 12, 7, 16)
    assert schedule.holiday_move(local(2026, 12, 7, 16)) == HolidayMove(
        moved_from=date(2026, 12, 4), holiday="team holiday"
    )


def test_a_move_across_the_dst_change_keeps_the_local_time() -> None:
    calendar = HolidayCalendar(extra=frozenset({date(2026, 10, 23)}))
    schedule = HolidaySchedule(CronSchedule("0 9 * * fri", BERLIN), calendar)
    moved = schedule.next_fire(local(2026, 10, 20))
    assert moved == local(2026, 10, 26, 9)
    assert moved.astimezone(UTC) == datetime(2026, 10, 26, 8, tzinfo=UTC)  # CET by then
    previous = schedule.previous_fire(moved - timedelta(seconds=1))
    assert previous is not None
    assert moved.astimezone(UTC) - previous.astimezone(UTC) == timedelta(days=10, hours=1)


def test_no_holidays_configured_is_plain_cron() -> None:
    settings = load_settings({}, env_file=None)
    assert isinstance(settings.digest_schedule, CronSchedule)


def test_settings_build_the_holiday_schedule_for_digests_and_reminders() -> None:
    settings = load_settings(
        {
            "STANDUP_TIMEZONE": "Europe/Berlin",
            "STANDUP_HOLIDAYS": "de-by",
            "STANDUP_EXTRA_HOLIDAYS": "2026-12-24, 2026-12-31",
            "STANDUP_REMINDER_CRON": "0 15 * * thu",
        },
        env_file=None,
    )
    assert settings.standup_holidays == "DE-BY"
    assert settings.digest_schedule == MONDAY_9.__class__(
        CronSchedule("0 9 * * mon", BERLIN),
        HolidayCalendar("DE", "BY", frozenset({date(2026, 12, 24), date(2026, 12, 31)})),
    )
    # Thursday 24 December is a team holiday, Friday 25th Christmas Day, then the weekend.
    assert settings.reminder_schedule.next_fire(local(2026, 12, 20)) == local(2026, 12, 28, 15)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("STANDUP_HOLIDAYS", "Germany", "must be a country code"),
        ("STANDUP_HOLIDAYS", "XX", "'XX' is not a country code the holidays package knows"),
        ("STANDUP_HOLIDAYS", "DE-ZZ", "DE has no subdivision 'ZZ'"),
        ("STANDUP_EXTRA_HOLIDAYS", "2026-12-24,24.12.2026", "got '24.12.2026'"),
        ("STANDUP_AWAY_EMOJI", ":ok:,not an emoji", "got 'not an emoji'"),
    ],
)
def test_bad_holiday_settings_fail_in_one_line(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({variable: value}, env_file=None)
    text = str(error.value)
    assert variable in text and message in text and "\n" not in text
