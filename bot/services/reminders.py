"""Reminder DMs to whoever on the team has not sent a standup this cycle."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.team import current_team
from bot.slack.errors import SLACK_FAILURES, slack_error, transient
from bot.slack.post import post_dm
from digests.cycles import cycle_at
from digests.render.views import render_reminder

log = logging.getLogger(__name__)

_RUN_KEY = "reminders_run:{meeting}"  # meta: this cycle's reminders went out at (ISO time)


def send_reminders(deps: Deps, client: WebClient, *, now: datetime) -> int:
    """DM each team member who has no standup in the current cycle (once per cycle).

    A reminder is claimed before it is sent; one that fails in a way that may pass is released,
    and `retry_reminders` sends it later in the cycle."""
    settings, store = deps.settings, deps.store
    cycle = cycle_at(settings.digest_schedule, now)
    team = current_team(client, store, settings.standup_channel, now=now)
    submitted = store.get_submitted_user_ids(cycle.meeting_date)
    sent = 0
    for member in team:
        if member.user_id in submitted:
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
    log.info("reminders meeting=%s sent=%d submitted=%d", cycle.meeting_date, sent, len(submitted))
    return sent


def retry_reminders(deps: Deps, client: WebClient, *, now: datetime) -> int:
    """Once this cycle's reminders have gone out: send those released after a failure (and to
    whoever joined the team since). Before that, nothing."""
    cycle = cycle_at(deps.settings.digest_schedule, now)
    if deps.store.get_meta(_RUN_KEY.format(meeting=cycle.meeting_date)) is None:
        return 0
    return send_reminders(deps, client, now=now)
