"""Follow-ups from any message ("Add as follow-up" shortcut) and the ask DM's buttons."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import asks
from bot.cycles import cycle_at
from bot.deps import Deps
from bot.models import PersonRef
from bot.parsing import parse_addressed_line, slack_text_to_plain
from bot.slack_errors import SLACK_FAILURES, slack_error
from bot.slack_post import post_dm
from bot.team import load_member_directory
from digests.escape import clip, escape_mrkdwn

log = logging.getLogger(__name__)

SHORTCUT_CALLBACK = "add_follow_up"
MAX_TEXT = 3000


def register(app: App, deps: Deps) -> None:
    def shortcut(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        handle_follow_up_shortcut(body, client, deps)

    def close(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        asks.set_ask_status(
            client,
            deps,
            int(body["actions"][0]["value"]),
            done=True,
            by=body["user"]["id"],
            now=deps.now(),
        )

    def reopen(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        asks.set_ask_status(
            client,
            deps,
            int(body["actions"][0]["value"]),
            done=False,
            by=body["user"]["id"],
            now=deps.now(),
        )

    app.shortcut(SHORTCUT_CALLBACK)(shortcut)
    app.action(asks.CLOSE_ACTION)(close)
    app.action(asks.REOPEN_ACTION)(reopen)


def handle_follow_up_shortcut(body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """Owner: whoever used the shortcut, unless the message starts by naming someone."""
    user_id = body["user"]["id"]
    channel = (body.get("channel") or {}).get("id")
    message = body.get("message") or {}
    directory = load_member_directory(
        client, deps.store, deps.settings.standup_channel, now=deps.now()
    )
    plain = " ".join(slack_text_to_plain(message.get("text") or "", directory).split())
    if not plain:
        _tell(client, channel, user_id, "That message has no text to make a follow-up of.")
        return
    line = parse_addressed_line(clip(plain, MAX_TEXT), directory)
    me = directory.by_id(user_id)
    owner = line.person or PersonRef(
        user_id=user_id, name=me.label if me else (body["user"].get("name") or user_id)
    )
    permalink = None
    if channel and message.get("ts"):
        try:
            permalink = client.chat_getPermalink(channel=channel, message_ts=message["ts"])[
                "permalink"
            ]
        except SLACK_FAILURES as error:
            log.warning("chat.getPermalink failed: %s", slack_error(error))
    now = deps.now()
    cycle = cycle_at(deps.settings.standup_digest_cron, deps.settings.zone, now)
    follow_up = deps.store.save_follow_up(
        text=line.text,
        owner=owner,
        created_by=user_id,
        meeting_date=cycle.meeting_date,
        source=permalink,
        now=now,
    )
    who = "you" if follow_up.owner_user_id == user_id else escape_mrkdwn(follow_up.owner_name)
    _tell(
        client,
        channel,
        user_id,
        f":pushpin: Added follow-up #{follow_up.id} for {who}: "
        f"“{escape_mrkdwn(clip(follow_up.text, 200))}”. It shows in the "
        f"{cycle.meeting_date:%A %B %-d} digest; react ✅ there when it's done.",
    )


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
