"""Closing and reopening follow-ups, and keeping their digest messages in step."""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient

from bot.deps import Deps
from bot.models import FollowUp
from bot.slack_post import update_message
from digests.blocks import render_follow_up_message

log = logging.getLogger(__name__)

# The reactions that mean "done" (INTERFACE.md).
DONE_REACTIONS = frozenset({"white_check_mark", "heavy_check_mark", "ballot_box_with_check"})


def set_follow_up_status(
    client: WebClient,
    deps: Deps,
    follow_up_id: int,
    *,
    done: bool,
    by: str | None,
    now: datetime,
    message: tuple[str, str] | None = None,
) -> FollowUp | None:
    """Mark a follow-up done (by whom, when) or open again, then chat.update its messages:
    the one reacted to (`message`, channel and ts) and its message in the latest digest."""
    follow_up = deps.store.save_follow_up_status(
        follow_up_id, "done" if done else "open", by=by, now=now
    )
    if follow_up is None:
        return None
    targets = {message} if message else set()
    if follow_up.channel and follow_up.ts:
        targets.add((follow_up.channel, follow_up.ts))
    text, blocks = render_follow_up_message(follow_up, now=now)
    for channel, ts in targets:
        update_message(client, channel, ts, text, blocks)
    log.info("follow-up id=%s status=%s", follow_up_id, follow_up.status)
    return follow_up
