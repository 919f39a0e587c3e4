"""Asks: DM each person asked, and close an ask from its DM (✅ or the button)."""

from __future__ import annotations

import logging
from datetime import date, datetime

from slack_sdk import WebClient

from bot.deps import Deps
from bot.slack.errors import SLACK_FAILURES, slack_error
from bot.slack.post import post_dm, update_message
from digests.models import Ask
from digests.render.views import render_ask_dm

log = logging.getLogger(__name__)


def send_ask_dms(client: WebClient, deps: Deps, meeting_date: date) -> int:
    """DM every person asked in this meeting's standups who has not had the DM yet."""
    sent = 0
    for ask in deps.store.get_asks_without_dm(meeting_date):
        assert ask.id is not None and ask.to_user_id is not None
        text, blocks = render_ask_dm(ask)
        try:
            channel, ts = post_dm(client, ask.to_user_id, text, blocks)
        except SLACK_FAILURES as error:
            log.warning("ask DM failed: ask=%s error=%s", ask.id, slack_error(error))
            continue
        deps.store.save_ask_dm(ask.id, channel, ts)
        sent += 1
    return sent


def set_ask_status(
    client: WebClient, deps: Deps, ask_id: int, *, done: bool, by: str, now: datetime
) -> Ask | None:
    """Close or reopen an ask and update its DM to match."""
    ask = deps.store.save_ask_status(ask_id, "done" if done else "open", by=by, now=now)
    if ask is None:
        return None
    if ask.dm_channel and ask.dm_ts:
        text, blocks = render_ask_dm(ask)
        update_message(client, ask.dm_channel, ask.dm_ts, text, blocks)
    return ask
