"""The scheduler's jobs fire at the configured local times, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from slack_sdk import WebClient

from bot.config import load_settings
from bot.deps import Deps
from bot.runtime.scheduler import build_scheduler
from bot.store import Store


def test_jobs_are_registered_in_the_team_zone_across_dst(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "STANDUP_TIMEZONE": "Europe/Berlin",
            "STANDUP_DB": str(tmp_path / "s.db"),
            "STANDUP_DIGEST_CRON": "0 9 * * mon",
            "STANDUP_REMINDER_CRON": "0 15 * * fri",
        },
        env_file=None,
    )
    with Store(settings.standup_db) as store:
        scheduler = build_scheduler(
            Deps(settings=settings, store=store), WebClient(base_url="http://127.0.0.1:9/api/")
        )
        scheduler.start(paused=True)  # job defaults apply once started; paused: nothing runs
        jobs = {job.id: job for job in scheduler.get_jobs()}
        scheduler.shutdown(wait=False)
        assert set(jobs) == {
            "digest",
            "digest-retry",
            "reminders",
            "reminders-retry",
            "housekeeping",
            "members",
            "start-up",
        }
        digest = jobs["digest"].trigger
        # The Mondays either side of the end of summer time are both 09:00 in Berlin.
        before = digest.get_next_fire_time(None, datetime(2026, 10, 17, tzinfo=UTC))
        after = digest.get_next_fire_time(None, datetime(2026, 10, 24, tzinfo=UTC))
        assert before.astimezone(UTC) == datetime(2026, 10, 19, 7, tzinfo=UTC)
        assert after.astimezone(UTC) == datetime(2026, 10, 26, 8, tzinfo=UTC)
        # The reminder job wakes at least hourly, and exactly at 15:00 CET on the Friday.
        reminders = jobs["reminders"].trigger
        fires, fire = [], datetime(2026, 3, 23, tzinfo=UTC)
        while fire < datetime(2026, 3, 28, tzinfo=UTC):
            following = reminders.get_next_fire_time(fire, fire)
            assert timedelta(0) < following - fire <= timedelta(hours=1)
            fires.append(following.astimezone(UTC))
            fire = following
        assert datetime(2026, 3, 27, 14, tzinfo=UTC) in fires
        assert jobs["digest"].max_instances == 1 and jobs["digest"].coalesce
