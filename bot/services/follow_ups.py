"""Follow-ups: raised by `/standup followup` or the "Add as follow-up" shortcut, closed and
reopened (✅ or a button), with their digest messages kept in step.

Anyone may close a follow-up (README, "Using it"); each person may raise at most
MAX_FOLLOW_UPS_PER_CYCLE a cycle, however they raise them (standup, command, shortcut)."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.team import load_member_directory
from bot.slack.errors import SLACK_FAILURES, slack_error
from bot.slack.post import post_dm, update_message
from bot.store import StoreError
from digests.cycles import cycle_at
from digests.escape import clip
from digests.models import FollowUp, Person
from digests.parsing import (
    MemberDirectory,
    follow_up_cap_error,
    parse_addressed_items,
    parse_addressed_line,
    slack_text_to_plain,
)
from digests.render import views
from digests.render.blocks import render_follow_up_message

log = logging.getLogger(__name__)

# The reactions that mean "done" (README, "Using it").
DONE_REACTIONS = frozenset({"white_check_mark", "heavy_check_mark", "ballot_box_with_check"})
MAX_TEXT = 3000


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
    update_follow_up_messages(client, follow_up, now=now, message=message)
    log.info("follow-up id=%s status=%s", follow_up_id, follow_up.status)
    return follow_up


def update_follow_up_messages(
    client: WebClient,
    follow_up: FollowUp,
    *,
    now: datetime,
    message: tuple[str, str] | None = None,
) -> None:
    """chat.update the follow-up's message in the latest digest (and `message`) to its status."""
    targets = {message} if message else set()
    if follow_up.channel and follow_up.ts:
        targets.add((follow_up.channel, follow_up.ts))
    text, blocks = render_follow_up_message(follow_up, now=now)
    for channel, ts in targets:
        update_message(client, channel, ts, text, blocks)


def add_follow_up_from_command(
    client: WebClient, deps: Deps, *, user_id: str, user_name: str, text: str
) -> str:
    """`/standup followup <text>`: the answer to show the person (runs after the ack)."""
    if len(text) > MAX_TEXT:
        return views.render_too_long("follow-up", len(text), MAX_TEXT)
    directory = load_member_directory(
        client, deps.store, deps.settings.standup_channel, now=deps.now()
    )
    lines = parse_addressed_items(text.replace("\n", " "), directory)
    if not lines:
        return views.FOLLOW_UP_USAGE
    line = lines[0]
    owner = line.person or _self(directory, user_id, user_name)
    raised = _raise(deps, text=line.text, owner=owner, user_id=user_id, source=None)
    if isinstance(raised, str):
        return raised
    follow_up, meeting_date = raised
    return views.render_follow_up_added(
        follow_up,
        by_user_id=user_id,
        meeting_date=meeting_date,
        unmatched_name=None if owner.resolved else owner.name,
    )


def _raise(
    deps: Deps, *, text: str, owner: Person, user_id: str, source: str | None
) -> tuple[FollowUp, date] | str:
    """Save a follow-up `user_id` raised in this cycle, within the cap: it and its cycle's
    meeting date, or what to tell them instead (past the cap, the database down)."""
    now = deps.now()
    cycle = cycle_at(deps.settings.digest_schedule, now)
    try:
        cap = follow_up_cap_error(
            deps.store.count_follow_ups_raised(user_id, cycle.meeting_date), adding=1
        )
        if cap is not None:
            return views.render_follow_up_cap(cap)
        follow_up = deps.store.save_follow_up(
            text=text,
            owner=owner,
            created_by=user_id,
            meeting_date=cycle.meeting_date,
            source=source,
            now=now,
        )
    except StoreError as error:
        log.error("saving a follow-up failed: %s", error)
        return views.DATABASE_DOWN
    return follow_up, cycle.meeting_date


def add_follow_up_from_message(client: WebClient, deps: Deps, body: dict[str, Any]) -> None:
    """The "Add as follow-up" shortcut. Owner: whoever used it, unless the message starts by
    naming someone. The answer is ephemeral where it was used, else a DM."""
    user_id = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id")
    message = body.get("message") or {}
    directory = load_member_directory(
        client, deps.store, deps.settings.standup_channel, now=deps.now()
    )
    plain = " ".join(slack_text_to_plain(message.get("text") or "", directory).split())
    if not plain:
        _tell(client, channel, user_id, views.EMPTY_MESSAGE)
        return
    line = parse_addressed_line(clip(plain, MAX_TEXT), directory)
    owner = line.person or _self(directory, user_id, body["user"].get("name") or user_id)
    permalink = None
    if channel and message.get("ts"):
        try:
            permalink = client.chat_getPermalink(channel=channel, message_ts=message["ts"])[
                "permalink"
            ]
        except SLACK_FAILURES as error:
            log.warning("chat.getPermalink failed: %s", slack_error(error))
    raised = _raise(deps, text=line.text, owner=owner, user_id=user_id, source=permalink)
    if isinstance(raised, str):
        _tell(client, channel, user_id, raised)
        return
    follow_up, meeting_date = raised
    answer = views.render_follow_up_added(
        follow_up, by_user_id=user_id, meeting_date=meeting_date, from_shortcut=True
    )
    _tell(client, channel, user_id, answer)


def _self(directory: MemberDirectory, user_id: str, fallback: str) -> Person:
    member = directory.by_id(user_id)
    return Person(user_id=user_id, name=member.label if member else fallback)


def _tell(client: WebClient, channel: str | None, user_id: str, text: str) -> None:
    """An ephemeral note where the shortcut was used, else a DM (the bot may not be there)."""
    try:
        if channel:
            client.chat_postEphemeral(channel=channel, user=user_id, text=text)
            return
    except SLACK_FAILURES as error:
        log.info("ephemeral failed (%s); sending a DM", slack_error(error))
    try:
        post_dm(client, user_id, text)
    except SLACK_FAILURES as error:
        log.warning("could not confirm a follow-up: %s", slack_error(error))
