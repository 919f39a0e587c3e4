"""APScheduler 3 in the server process: it only registers the jobs of bot.services.

The digest fires at `Settings.digest_schedule`'s times: the cron line in STANDUP_TIMEZONE (so
"Monday 09:00" stays 09:00 local across daylight-saving changes), moved off holidays (a digest
due on a holiday fires once, on the next working day). The reminder job wakes at the earliest
reminder time in any team member's zone, and at least hourly. One worker thread: jobs never
overlap, and a digest never races its own catch-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient

from bot.deps import Deps
from bot.schedule import EarliestTrigger, ScheduleTrigger
from bot.services import digest as digest_service
from bot.services.housekeeping import prune_bookkeeping
from bot.services.reminders import (
    REMINDER_TICK,
    reminder_schedules,
    retry_reminders,
    send_reminders,
)
from bot.services.team import refresh_team
from bot.store import StoreError
from digests.cycles import Schedule
from digests.models import Cycle

log = logging.getLogger(__name__)

MEMBER_REFRESH_HOURS = 12
HOUSEKEEPING_HOURS = 24
RETRY_MINUTES = 10  # a digest stopped by a passing Slack failure is tried again this often


@dataclass
class _DigestRetry:
    """The cycle whose digest stopped on an error that may pass (timeouts, 5xx), if any."""

    cycle: Cycle | None = None


MISFIRE_GRACE_SECONDS = 3600


def _digest_job(deps: Deps, client: WebClient, retry: _DigestRetry) -> None:
    now = deps.now()
    cycle = digest_service.scheduled_cycle(deps.settings, now)
    if cycle is None:
        return
    if (now - cycle.ends_at).total_seconds() > MISFIRE_GRACE_SECONDS:
        # Not a digest time (the last one is long past): nothing is due now.
        log.warning("digest job ran at %s, no digest due (the last was %s)", now, cycle.ends_at)
        return
    report = digest_service.run_digest(deps, client, now=now, cycle=cycle, chart_in_child=True)
    retry.cycle = cycle if report.retryable else None


def _retry_job(deps: Deps, client: WebClient, retry: _DigestRetry) -> None:
    cycle, now = retry.cycle, deps.now()
    if cycle is None:
        return
    if now - cycle.ends_at > digest_service.CATCH_UP_WINDOW:
        log.error("giving up the digest for %s: still failing after 12 hours", cycle.meeting_date)
        retry.cycle = None
        return
    report = digest_service.run_digest(deps, client, now=now, cycle=cycle, chart_in_child=True)
    retry.cycle = cycle if report.retryable else None


def _guarded(name: str, job: Callable[[], object]) -> Callable[[], None]:
    """A job that fails logs one line and waits for its next turn; the scheduler lives on."""

    def run() -> None:
        try:
            job()
        except Exception:
            log.exception("job %s failed", name)

    return run


def build_scheduler(deps: Deps, client: WebClient) -> BackgroundScheduler:
    settings = deps.settings
    zone = settings.zone
    scheduler = BackgroundScheduler(
        timezone=zone,
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": MISFIRE_GRACE_SECONDS,
        },
    )
    retry = _DigestRetry()
    scheduler.add_job(
        _guarded("digest", lambda: _digest_job(deps, client, retry)),
        ScheduleTrigger(settings.digest_schedule),
        id="digest",
        name="Monday digest",
    )
    scheduler.add_job(
        _guarded("digest-retry", lambda: _retry_job(deps, client, retry)),
        IntervalTrigger(minutes=RETRY_MINUTES, timezone=zone),
        id="digest-retry",
        name="digest retry after a passing failure",
    )
    scheduler.add_job(
        _guarded("reminders", lambda: send_reminders(deps, client, now=deps.now())),
        EarliestTrigger(lambda: _reminder_schedules(deps), at_most=REMINDER_TICK),
        id="reminders",
        name="reminder DMs, each at its person's local time",
    )
    scheduler.add_job(
        _guarded("reminders-retry", lambda: retry_reminders(deps, client, now=deps.now())),
        IntervalTrigger(minutes=RETRY_MINUTES, timezone=zone),
        id="reminders-retry",
        name="reminder DMs that failed in a way that may pass",
    )
    scheduler.add_job(
        _guarded("housekeeping", lambda: prune_bookkeeping(deps.store, now=deps.now())),
        IntervalTrigger(hours=HOUSEKEEPING_HOURS, timezone=zone),
        id="housekeeping",
        name="prune processed events, reactions and the HTTP cache",
    )
    scheduler.add_job(
        _guarded(
            "members",
            lambda: refresh_team(client, deps.store, settings.standup_channel, now=deps.now()),
        ),
        IntervalTrigger(hours=MEMBER_REFRESH_HOURS, timezone=zone),
        id="members",
        name="member refresh",
    )
    # At start-up: members (if a day old) and a digest missed while the process was down.
    scheduler.add_job(
        _guarded("start-up", lambda: _on_start(deps, client)), id="start-up", name="start-up"
    )
    return scheduler


def _reminder_schedules(deps: Deps) -> list[Schedule]:
    """The reminder time in each team member's zone; the team's zone alone when the database
    cannot say (the trigger must never fail: it would stop the scheduler's loop)."""
    try:
        team = deps.store.get_team()
    except StoreError as error:
        log.error("reading the team's time zones failed: %s", error)
        team = []
    return reminder_schedules(deps.settings, team)


def _on_start(deps: Deps, client: WebClient) -> None:
    prune_bookkeeping(deps.store, now=deps.now())
    refresh_team(client, deps.store, deps.settings.standup_channel, now=deps.now(), force=False)
    if deps.settings.standup_channel:
        digest_service.catch_up_missed_digest(deps, client, now=deps.now())


def start_scheduler(deps: Deps, client: WebClient) -> BackgroundScheduler:
    scheduler = build_scheduler(deps, client)
    scheduler.start()
    for job in scheduler.get_jobs():
        log.info("scheduled job=%s next=%s", job.id, job.next_run_time)
    return scheduler
