"""Reminder DMs to whoever on the team has not sent a standup this cycle."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.team import current_team
from bot.slack.errors import SLACK_FAILURES, slack_error
from bot.slack.post import post_dm
from digests.cycles import cycle_at
from digests.render.views import render_reminder

log = logging.getLogger(__name__)


def send_reminders(deps: Deps, client: WebClient, *, now: datetime) -> int:
    """DM each team member who has no standup in the current cycle (once per cycle)."""
    settings, store = deps.settings, deps.store
    cycle = cycle_at(settings.digest_schedule, now)
    team = current_team(client, store, settings.standup_channel, now=now)
    submitted = store.get_submitted_user_ids(cycle.meeting_date)
    sent = 0
    for member in team:
        if member.user_id in submitted:
            continue
        if not store.claim_event(f"reminder:{cycle.meeting_date}:{member.user_id}", now=now):
            continue
        text, blocks = render_reminder(cycle)
        try:
            post_dm(client, member.user_id, text, blocks)
            sent += 1
        except SLACK_FAILURES as error:
            log.warning("reminder failed: user=%s error=%s", member.user_id, slack_error(error))
    log.info("reminders meeting=%s sent=%d submitted=%d", cycle.meeting_date, sent, len(submitted))
    return sent
