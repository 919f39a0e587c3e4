"""App Home: the person's standup this cycle, their open follow-ups and the asks to them; and
the "Read all" modal for an ask or follow-up cut to fit a DM or App Home."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.asks import may_change_ask, team_ids
from bot.services.away import home_away_blocks
from bot.slack.errors import SLACK_FAILURES, slack_error
from digests.cycles import cycle_at
from digests.render.views import (
    FULL_TEXT_ASK,
    FULL_TEXT_FOLLOW_UP,
    build_full_text_view,
    build_home_view,
    meeting_words,
)

log = logging.getLogger(__name__)


def publish_home(client: WebClient, deps: Deps, user_id: str) -> None:
    store = deps.store
    cycle = cycle_at(deps.settings.digest_schedule, deps.now())
    team = store.get_team()
    on_team = any(member.user_id == user_id for member in team)
    view = build_home_view(
        user_id=user_id,
        cycle=cycle,
        standup=store.get_standup(user_id, cycle.meeting_date),
        follow_ups=store.get_open_follow_ups(owner_user_id=user_id),
        # Asks to everyone are the team's (its members may close them): not shown to others.
        asks_to_me=store.get_asks_to(user_id, everyone=on_team),
        team_size=len(team),
        submitted=len(store.get_submitted_user_ids(cycle.meeting_date)),
        away_blocks=home_away_blocks(deps, user_id),
    )
    try:
        client.views_publish(user_id=user_id, view=view)
    except SLACK_FAILURES as error:
        log.warning("views.publish failed: user=%s error=%s", user_id, slack_error(error))


def open_full_text(
    client: WebClient, deps: Deps, *, user_id: str, trigger_id: str, value: str
) -> bool:
    """Open the modal with the whole text of `value` ("ask:12", "follow_up:7"); False (logged)
    for a value that names nothing this person may read."""
    kind, _, number = value.partition(":")
    if not number.isdigit():
        log.info("Read all ignored: value %r names no ask or follow-up", value[:80])
        return False
    item_id = int(number)
    if kind == FULL_TEXT_ASK:
        ask = deps.store.get_ask(item_id)
        if ask is None or not may_change_ask(ask, user_id, team_ids(deps) if ask.everyone else ()):
            log.info("Read all refused: ask %s for %s", item_id, user_id)
            return False
        to = "everyone" if ask.everyone else f"<@{ask.to_user_id}>" if ask.to_user_id else "—"
        about = f"An ask from <@{ask.from_user_id}> to {to}, {meeting_words(ask.meeting_date)}:"
        view = build_full_text_view("Ask", about, ask.text)
    elif kind == FULL_TEXT_FOLLOW_UP:
        follow_up = deps.store.get_follow_up(item_id)
        if follow_up is None:
            log.info("Read all ignored: no follow-up %s", item_id)
            return False
        owner = f"<@{follow_up.owner_user_id}>" if follow_up.owner_user_id else "nobody yet"
        view = build_full_text_view("Follow-up", f"A follow-up for {owner}:", follow_up.text)
    else:
        log.info("Read all ignored: value %r names no ask or follow-up", value[:80])
        return False
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SLACK_FAILURES as error:
        log.warning("views.open failed: %s", slack_error(error))
        return False
    return True
