"""Holidays and local-time reminders end to end, with the scheduler's own triggers driving the
real jobs against FakeSlack at fixed `now` values (the clock jumps from one fire time to the
next, as the scheduler would wake)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.ops.doctor import check_schedule
from bot.runtime.scheduler import _digest_job, _DigestRetry, build_scheduler
from bot.services.reminders import send_reminders
from tests.factories import all_text
from tests.fakes.slack import FakeSlack
from tests.harness import CHANNEL, Clock, RunningBot, running_bot, submit_standup

WHIT_MONDAY = date(2026, 5, 25)  # Pentecost Monday, a public holiday in Bavaria


def job_trigger(bot: RunningBot, job_id: str) -> Any:
    scheduler = build_scheduler(bot.deps, WebClient(base_url="http://127.0.0.1:9/api/"))
    scheduler.start(paused=True)
    try:
        return scheduler.get_job(job_id).trigger
    finally:
        scheduler.shutdown(wait=False)


def fire_times(trigger: Any, start: datetime, end: datetime) -> list[datetime]:
    """Every time `trigger` fires in [start, end), as APScheduler walks it."""
    fires: list[datetime] = []
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire < end:
        fires.append(fire.astimezone(UTC))
        fire = trigger.get_next_fire_time(fire, fire)
    return fires


# --- a holiday Monday ---------------------------------------------------------------------------


@pytest.fixture
def bavaria(slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    clock = Clock(datetime(2026, 5, 21, 12, tzinfo=UTC))
    with running_bot(slack, tmp_path, clock=clock, STANDUP_HOLIDAYS="DE-BY") as bot:
        yield bot


def test_a_holiday_monday_digest_moves_to_tuesday_and_fires_once(
    bavaria: RunningBot, slack: FakeSlack
) -> None:
    bot = bavaria
    submit_standup(bot, "U1", {"Done": "before the holiday"}, meeting=date(2026, 5, 26))
    bot.clock.current = datetime(2026, 5, 25, 10, tzinfo=UTC)  # on the holiday itself
    submit_standup(bot, "U2", {"Done": "on the holiday"}, meeting=date(2026, 5, 26))

    fires = fire_times(
        job_trigger(bot, "digest"),
        datetime(2026, 5, 18, 12, tzinfo=UTC),
        datetime(2026, 6, 2, tzinfo=UTC),
    )
    # 09:00 in Berlin (CEST): Tuesday 26 May instead of Whit Monday, then Monday 1 June.
    assert fires == [datetime(2026, 5, 26, 7, tzinfo=UTC), datetime(2026, 6, 1, 7, tzinfo=UTC)]

    # The job at each of those times (and, for good measure, at the holiday's own 09:00).
    retry = _DigestRetry()
    for now in [datetime(2026, 5, 25, 7, 0, 5, tzinfo=UTC), *fires[:1]]:
        bot.clock.current = now
        _digest_job(bot.deps, bot.client, retry)
    mains = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id]
    assert len(mains) == 1
    header = mains[0].blocks[0]["text"]["text"]  # type: ignore[index]
    assert header.endswith("Tuesday 26 May 2026 (moved from Monday 25 May: Pentecost Monday)")
    assert "moved from Monday 25 May: Pentecost Monday" in mains[0].text
    text = " ".join(all_text(mains[0].blocks))
    assert "Reported (2 of 4):" in text  # the standup sent on the holiday is in this digest
    assert bot.store.get_digest_id(CHANNEL, date(2026, 5, 26)) is not None
    assert bot.store.get_digest_id(CHANNEL, WHIT_MONDAY) is None


def test_the_holiday_digest_note_is_in_the_meeting_notes_and_doctor(bavaria: RunningBot) -> None:
    from bot.services.digest import gather_digest, render_digest_files
    from digests.cycles import cycle_for_meeting

    cycle = cycle_for_meeting(bavaria.settings.digest_schedule, date(2026, 5, 26))
    files = render_digest_files(
        gather_digest(bavaria.deps, cycle, now=bavaria.clock(), team_from=None)
    )
    assert files.markdown.startswith(
        "# Standup — Tuesday 26 May 2026 (moved from Monday 25 May: Pentecost Monday)\n"
    )
    line = check_schedule(bavaria.settings, datetime(2026, 5, 20, tzinfo=UTC)).what
    assert (
        "next digest Tue 2026-05-26 09:00 (moved from Monday 25 May: Pentecost Monday), "
        "then Mon 2026-06-01 09:00, Mon 2026-06-08 09:00" in line
    )
    assert "holidays: DE-BY" in line


def test_reminders_due_on_a_holiday_move_too(slack: FakeSlack, tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 12, 21, 12, tzinfo=UTC))
    with running_bot(
        slack, tmp_path, clock=clock, STANDUP_EXTRA_HOLIDAYS="2026-12-24",
        STANDUP_REMINDER_CRON="0 15 * * thu", STANDUP_DIGEST_CRON="0 9 * * tue",
    ) as bot:  # fmt: skip
        fires = fire_times(
            job_trigger(bot, "reminders"),
            datetime(2026, 12, 23, 12, tzinfo=UTC),
            datetime(2026, 12, 30, tzinfo=UTC),
        )
        sent_at = []
        for now in fires:
            bot.clock.current = now
            if send_reminders(bot.deps, bot.client, now=now):
                sent_at.append(now)
    # Thursday 24 December is a holiday and Friday 25th a weekday: reminders on the 25th at
    # 15:00 in the members' zone (UTC), once each.
    assert sent_at == [datetime(2026, 12, 25, 15, tzinfo=UTC)]


# --- reminders at each person's local time ------------------------------------------------------

ZONES = {"U1": "Europe/Berlin", "U2": "America/New_York", "U3": "Pacific/Kiritimati"}  # UTC+14


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[RunningBot, FakeSlack]]:
    with FakeSlack() as fake:
        for user_id, zone in ZONES.items():
            fake.add_member(user_id, zone.split("/")[1].lower(), real_name=zone, tz=zone)
        fake.add_member("U4", "nozone", real_name="No Zone", tz=None)
        fake.add_channel(CHANNEL, "eng-standup", members=[*ZONES, "U4"])
        clock = Clock(datetime(2026, 10, 1, tzinfo=UTC))
        with running_bot(fake, tmp_path, clock=clock) as bot:
            yield bot, fake


def run_reminders(bot: RunningBot, start: datetime, end: datetime) -> dict[str, list[datetime]]:
    """Drive the reminder job at every time its trigger fires in [start, end): who got a
    reminder DM, and when."""
    slack: FakeSlack = bot.slack
    got: dict[str, list[datetime]] = {}
    for now in fire_times(job_trigger(bot, "reminders"), start, end):
        bot.clock.current = now
        before = len(slack.calls_to("chat.postMessage"))
        send_reminders(bot.deps, bot.client, now=now)
        for call in slack.calls_to("chat.postMessage")[before:]:
            got.setdefault("U" + str(call.params["channel"])[1:], []).append(now)
    return got


def test_reminders_go_out_at_each_persons_local_hour(world: tuple[RunningBot, FakeSlack]) -> None:
    bot, _ = world
    # The cycle ending Monday 9 November 09:00 in Berlin; reminders Friday 15:00 local.
    got = run_reminders(
        bot, datetime(2026, 11, 2, 8, tzinfo=UTC), datetime(2026, 11, 9, 8, tzinfo=UTC)
    )
    assert got == {
        "U3": [datetime(2026, 11, 6, 1, tzinfo=UTC)],  # 15:00 in Kiritimati (UTC+14)
        "U1": [datetime(2026, 11, 6, 14, tzinfo=UTC)],  # 15:00 CET
        "U4": [datetime(2026, 11, 6, 14, tzinfo=UTC)],  # no tz from Slack: the team's zone
        "U2": [datetime(2026, 11, 6, 20, tzinfo=UTC)],  # 15:00 EST
    }


def test_one_reminder_per_person_per_cycle_across_dst_changes(
    world: tuple[RunningBot, FakeSlack],
) -> None:
    bot, _ = world
    # Europe leaves summer time on Sunday 25 October, the US on Sunday 1 November: the cycles
    # ending 26 October and 2 November each span one of them.
    got = run_reminders(
        bot, datetime(2026, 10, 19, 7, tzinfo=UTC), datetime(2026, 11, 2, 8, tzinfo=UTC)
    )
    assert {user: len(times) for user, times in got.items()} == {"U1": 2, "U2": 2, "U3": 2, "U4": 2}
    assert got["U1"] == [
        datetime(2026, 10, 23, 13, tzinfo=UTC),
        datetime(2026, 10, 30, 14, tzinfo=UTC),
    ]
    assert got["U2"] == [
        datetime(2026, 10, 23, 19, tzinfo=UTC),
        datetime(2026, 10, 30, 19, tzinfo=UTC),
    ]
    assert got["U3"] == [
        datetime(2026, 10, 23, 1, tzinfo=UTC),
        datetime(2026, 10, 30, 1, tzinfo=UTC),
    ]


def test_a_reminder_at_a_wall_time_that_comes_twice_goes_out_once(
    world: tuple[RunningBot, FakeSlack], tmp_path: Path
) -> None:
    bot, fake = world
    with running_bot(
        fake, tmp_path / "night", clock=Clock(datetime(2026, 10, 20, tzinfo=UTC)),
        STANDUP_REMINDER_CRON="30 2 * * sun",
    ) as night:  # fmt: skip
        got = run_reminders(
            night, datetime(2026, 10, 19, 7, tzinfo=UTC), datetime(2026, 10, 26, 8, tzinfo=UTC)
        )
    # 02:30 on 25 October happens twice in Berlin (00:30 and 01:30 UTC): one reminder.
    assert got["U1"] == [datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]
    assert {user: len(times) for user, times in got.items()} == {"U1": 1, "U2": 1, "U3": 1, "U4": 1}


def test_a_reminder_is_never_sent_once_the_digest_is_out(
    world: tuple[RunningBot, FakeSlack],
) -> None:
    from bot.services.digest import run_digest
    from digests.cycles import cycle_for_meeting

    bot, _ = world
    # Someone posts the 9 November digest early, on Friday morning (`standup-bot digest post`).
    cycle = cycle_for_meeting(bot.settings.digest_schedule, date(2026, 11, 9))
    bot.clock.current = datetime(2026, 11, 6, 10, tzinfo=UTC)
    assert run_digest(bot.deps, bot.client, now=bot.clock(), cycle=cycle, pace_seconds=0).ok
    got = run_reminders(
        bot, datetime(2026, 11, 6, 10, tzinfo=UTC), datetime(2026, 11, 9, 8, tzinfo=UTC)
    )
    assert got == {}  # Kiritimati's 15:00 was earlier (01:00 UTC); the rest came after it
