from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import CronSchedule
from digests.cycles import cycle_at, cycle_before, cycle_for_meeting

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY_9_BERLIN = CronSchedule("0 9 * * mon", ZoneInfo("Europe/Berlin"))
MONDAY_9_NEW_YORK = CronSchedule("0 9 * * mon", ZoneInfo("America/New_York"))


def test_a_standup_belongs_to_the_next_digest() -> None:
    cycle = cycle_at(MONDAY_9_BERLIN, datetime(2026, 11, 26, 12, tzinfo=UTC))
    assert cycle.meeting_date == date(2026, 11, 30)
    assert cycle.ends_at == datetime(2026, 11, 30, 8, tzinfo=UTC)  # 09:00 CET
    assert cycle.starts_at == datetime(2026, 11, 23, 8, tzinfo=UTC)


def test_the_digest_instant_itself_starts_the_next_cycle() -> None:
    at_digest = datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert cycle_at(MONDAY_9_BERLIN, at_digest - timedelta(seconds=1)).meeting_date == date(
        2026, 11, 30
    )
    assert cycle_at(MONDAY_9_BERLIN, at_digest).meeting_date == date(2026, 12, 7)


def test_cycle_across_the_autumn_dst_change_is_still_nine_local() -> None:
    # Europe leaves summer time on Sunday 2026-10-25: the cycle is 7 days and 1 hour long.
    cycle = cycle_for_meeting(MONDAY_9_BERLIN, date(2026, 10, 26))
    assert cycle.starts_at == datetime(2026, 10, 19, 7, tzinfo=UTC)  # 09:00 CEST
    assert cycle.ends_at == datetime(2026, 10, 26, 8, tzinfo=UTC)  # 09:00 CET
    assert cycle.ends_at - cycle.starts_at == timedelta(days=7, hours=1)


def test_cycle_across_the_spring_dst_change_in_new_york() -> None:
    # The US enters summer time on Sunday 2026-03-08: the cycle is an hour short of 7 days.
    cycle = cycle_for_meeting(MONDAY_9_NEW_YORK, date(2026, 3, 9))
    assert cycle.ends_at.astimezone(NEW_YORK).hour == 9
    assert cycle.starts_at.astimezone(NEW_YORK).hour == 9
    assert cycle.ends_at - cycle.starts_at == timedelta(days=6, hours=23)


def test_a_date_without_a_digest_is_refused_with_the_next_one() -> None:
    with pytest.raises(ValueError, match="next one is on 2026-12-07"):
        cycle_for_meeting(MONDAY_9_BERLIN, date(2026, 12, 1))


def test_cycles_chain_without_gaps() -> None:
    cycle = cycle_for_meeting(MONDAY_9_BERLIN, date(2026, 11, 30))
    previous = cycle_before(MONDAY_9_BERLIN, cycle)
    assert previous.meeting_date == date(2026, 11, 23)
    assert previous.ends_at == cycle.starts_at


def test_previous_and_next_fire_for_a_daily_cron() -> None:
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    daily = CronSchedule("30 8 * * *", ZoneInfo("UTC"))
    assert daily.next_fire(now) == datetime(2026, 11, 27, 8, 30, tzinfo=UTC)
    assert daily.previous_fire(now) == datetime(2026, 11, 26, 8, 30, tzinfo=UTC)
    yearly = CronSchedule("0 0 1 1 *", ZoneInfo("UTC"))
    assert yearly.previous_fire(now) == datetime(2026, 1, 1, tzinfo=UTC)
