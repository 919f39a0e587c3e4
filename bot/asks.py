"""Asks: DM each person asked, and close an ask from its DM (✅ or the button)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.models import Ask
from bot.slack_errors import SLACK_FAILURES, slack_error
from bot.slack_post import post_dm, update_message
from digests.escape import escape_mrkdwn

log = logging.getLogger(__name__)

CLOSE_ACTION = "close_ask"
REOPEN_ACTION = "reopen_ask"


def render_ask_dm(ask: Ask) -> tuple[str, list[dict[str, Any]]]:
    """The DM an asked person gets: who asks what, and a button to close it."""
    asker = f"<@{ask.from_user_id}>"
    text = escape_mrkdwn(ask.text)
    if ask.status == "done":
        closer = f" by <@{ask.closed_by}>" if ask.closed_by else ""
        body = f"~{asker} asked: {text}~\n:white_check_mark: Done{closer}."
        button = {
            "type": "button",
            "action_id": REOPEN_ACTION,
            "value": str(ask.id),
            "text": {"type": "plain_text", "text": "Reopen"},
        }
    else:
        body = (
            f"{asker} asked you in their standup for {ask.meeting_date:%A %B %-d}:\n"
            f">{text}\nReact :white_check_mark: or press the button when it's handled."
        )
        button = {
            "type": "button",
            "action_id": CLOSE_ACTION,
            "value": str(ask.id),
            "style": "primary",
            "text": {"type": "plain_text", "text": "Mark done"},
        }
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": body}},
        {"type": "actions", "block_id": f"ask_{ask.id}", "elements": [button]},
    ]
    fallback = f"{'Done: ' if ask.status == 'done' else ''}An ask from {asker}: {text}"
    return fallback, blocks


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
