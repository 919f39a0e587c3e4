"""App Home: the person's standup this cycle, their open follow-ups and the asks to them."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.away import home_away_blocks
from bot.slack.errors import SLACK_FAILURES, slack_error
from digests.cycles import cycle_at
from digests.render.views import build_home_view

log = logging.getLogger(__name__)


def publish_home(client: WebClient, deps: Deps, user_id: str) -> None:
    store = deps.store
    cycle = cycle_at(deps.settings.digest_schedule, deps.now())
    team = store.get_team()
    view = build_home_view(
        user_id=user_id,
        cycle=cycle,
        standup=store.get_standup(user_id, cycle.meeting_date),
        follow_ups=store.get_open_follow_ups(owner_user_id=user_id),
        asks_to_me=store.get_asks_to(user_id),
        team_size=len(team),
        submitted=len(store.get_submitted_user_ids(cycle.meeting_date)),
        away_blocks=home_away_blocks(deps, user_id),
    )
    try:
        client.views_publish(user_id=user_id, view=view)
    except SLACK_FAILURES as error:
        log.warning("views.publish failed: user=%s error=%s", user_id, slack_error(error))
