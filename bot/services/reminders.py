"""Reminder DMs to whoever on the team has not sent a standup this cycle.

Each person is reminded at STANDUP_REMINDER_CRON's local time in their own zone (Slack's `tz`;
the team's zone when Slack gives none), moved off holidays like the digest. The scheduler wakes
the job at the earliest of those times (`reminder_schedules`), and at least hourly; each run
sends the reminders that fell due since, at most once per person and cycle (a claim), never once
the cycle's digest has gone out, and never to someone away. A reminder that failed in a way that
may pass (Slack down, rate limited) is released, and `retry_reminders` sends it later in the
cycle.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient

from bot.config import Settings
from bot.deps import Deps
from bot.services.away import away_book
from bot.services.team import current_team, members_stale
from bot.slack.errors import SLACK_FAILURES, slack_error, transient
from bot.slack.post import post_dm
from digests.cycles import Schedule, cycle_at
from digests.models import Cycle, Member
from digests.render.views import render_reminder

log = logging.getLogger(__name__)

# A reminder more than this late (the process was down at its time) is not sent any more.
REMINDER_GRACE = timedelta(hours=2)
# The reminder job runs at least this often, so a zone new to the team is not missed.
REMINDER_TICK = timedelta(hours=1)
# A reminder released after a failure that may pass is tried again for this long after its
# time: a Slack outage is ridden out, but nobody gets Friday's reminder in the night.
RETRY_GRACE = timedelta(hours=12)
_RUN_KEY = "reminders_run:{meeting}"  # meta: this cycle's reminders first went out at (ISO time)


def member_zone(member: Member, team_zone: ZoneInfo) -> ZoneInfo:
    """The zone a member's reminder is due in: Slack's `tz`, else the team's."""
    if member.tz:
        try:
            return ZoneInfo(member.tz)
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown time zone %r for %s: using the team's", member.tz, member.user_id)
    return team_zone


def reminder_schedules(settings: Settings, team: Iterable[Member]) -> list[Schedule]:
    """The reminder schedule in each zone of the team (the team's own zone always included)."""
    zones = {settings.zone.key: settings.zone}
    for member in team:
        zone = member_zone(member, settings.zone)
        zones[zone.key] = zone
    return [settings.reminder_schedule_in(zone) for zone in zones.values()]


def reminder_due(
    settings: Settings,
    member: Member,
    cycle: Cycle,
    now: datetime,
    grace: timedelta | None = REMINDER_GRACE,
) -> bool:
    """Whether `member`'s reminder time for `cycle` has come (and, with `grace`, is not long
    past)."""
    fired = settings.reminder_schedule_in(member_zone(member, settings.zone)).previous_fire(now)
    if fired is None or fired < cycle.starts_at:
        return False
    return grace is None or now - fired <= grace


def send_reminders(
    deps: Deps, client: WebClient, *, now: datetime, grace: timedelta | None = REMINDER_GRACE
) -> int:
    """DM each team member whose reminder time has come and who has no standup this cycle."""
    settings, store = deps.settings, deps.store
    cycle = cycle_at(settings.digest_schedule, now)
    channel = settings.standup_channel
    if channel and store.get_digest_id(channel, cycle.meeting_date) is not None:
        log.info("reminders meeting=%s skipped: its digest has gone out", cycle.meeting_date)
        return 0
    submitted = store.get_submitted_user_ids(cycle.meeting_date)

    def due(team: list[Member]) -> list[Member]:
        return [
            m
            for m in team
            if m.user_id not in submitted and reminder_due(settings, m, cycle, now, grace)
        ]

    cached = store.get_team()
    if cached and not members_stale(store, now=now) and not due(cached):
        return 0  # nobody's time has come: no need to ask Slack for the team
    team = current_team(client, store, channel, now=now)
    book = away_book(deps, team, from_day=now.astimezone(settings.zone).date())
    sent = away = 0
    for member in due(team):
        if book.away_at(member.user_id, now) is not None:
            away += 1
            continue
        claim = f"reminder:{cycle.meeting_date}:{member.user_id}"
        if not store.claim_event(claim, now=now):
            continue
        text, blocks = render_reminder(cycle)
        try:
            post_dm(client, member.user_id, text, blocks)
            sent += 1
        except SLACK_FAILURES as error:
            if transient(error):
                store.release_event(claim)
            log.warning("reminder failed: user=%s error=%s", member.user_id, slack_error(error))
    store.save_meta(_RUN_KEY.format(meeting=cycle.meeting_date), now.isoformat())
    log.info(
        "reminders meeting=%s sent=%d away=%d submitted=%d",
        cycle.meeting_date,
        sent,
        away,
        len(submitted),
    )
    return sent


def retry_reminders(deps: Deps, client: WebClient, *, now: datetime) -> int:
    """Once this cycle's reminders have started going out: send those released after a failure
    (and to whoever joined the team since), up to `RETRY_GRACE` after their time. Before that,
    nothing."""
    cycle = cycle_at(deps.settings.digest_schedule, now)
    if deps.store.get_meta(_RUN_KEY.format(meeting=cycle.meeting_date)) is None:
        return 0
    return send_reminders(deps, client, now=now, grace=RETRY_GRACE)
