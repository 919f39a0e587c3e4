"""✅ on a follow-up's message (or an ask's DM) closes it; removing the last ✅ reopens it.

Only the bot's own messages count, and only people: a ✅ from a bot (or the bot itself) changes
nothing, and a ✅ anywhere else is neither recorded nor claimed. On one of the bot's messages
the event is claimed, the reaction recorded and the status changed in one transaction
(`Store.save_done_reaction`): Slack retries an event it thinks failed, and Bolt does not
de-duplicate in HTTP mode, so a retry (even after a restart) does nothing new.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.asks import may_change_ask, team_ids, update_ask_dm
from bot.services.follow_ups import DONE_REACTIONS, update_follow_up_messages
from bot.slack.errors import SLACK_FAILURES, slack_error
from bot.slack.members import fetch_member

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reaction:
    """A reaction added to or removed from a message, as Slack's event told it."""

    event_id: str | None
    user_id: str
    reaction: str
    channel: str
    ts: str
    added: bool
    item_user: str | None = None  # who wrote the message reacted to
    bot_user_id: str | None = None  # the bot's own user id (from the event's authorizations)


def apply_reaction(client: WebClient, deps: Deps, reaction: Reaction) -> None:
    channel, ts, user = reaction.channel, reaction.ts, reaction.user_id
    if reaction.reaction not in DONE_REACTIONS:
        log.debug("reaction ignored: %s is not a ✅ (%s/%s)", reaction.reaction, channel, ts)
        return
    bot = reaction.bot_user_id
    if bot is not None and reaction.item_user is not None and reaction.item_user != bot:
        log.debug("reaction ignored: not the bot's message (%s/%s)", channel, ts)
        return
    follow_up = deps.store.get_follow_up_by_message(channel, ts)
    asks = [] if follow_up else deps.store.get_asks_by_dm(channel, ts)
    if follow_up is None and not asks:
        log.debug("reaction ignored: no follow-up or ask at %s/%s", channel, ts)
        return
    if user == bot or _is_bot(client, deps, user):
        log.info("reaction ignored: %s is a bot (channel=%s ts=%s)", user, channel, ts)
        return
    ask_ids: list[int] = []
    if asks:
        team = team_ids(deps) if any(ask.everyone for ask in asks) else set()
        ask_ids = [a.id for a in asks if a.id is not None and may_change_ask(a, user, team)]
        if not ask_ids:
            log.warning("reaction ignored: %s may not close the asks at %s/%s", user, channel, ts)
            return
    now = deps.now()
    changed = deps.store.save_done_reaction(
        event_id=reaction.event_id,
        channel=channel,
        ts=ts,
        user_id=user,
        reaction=reaction.reaction,
        added=reaction.added,
        follow_up_id=follow_up.id if follow_up else None,
        ask_ids=ask_ids,
        now=now,
    )
    if changed is None:
        log.info("reaction event %s already handled", reaction.event_id)
        return
    if not changed:
        log.info("reaction recorded, no status change: channel=%s ts=%s", channel, ts)
        return
    if follow_up is not None:
        updated = deps.store.get_follow_up(follow_up.id)
        if updated is not None:
            update_follow_up_messages(client, updated, now=now, message=(channel, ts))
            log.info("follow-up id=%s status=%s by=%s", updated.id, updated.status, user)
        return
    updated_asks = deps.store.get_asks(ask_ids)
    if updated_asks:
        update_ask_dm(client, deps, updated_asks[0])
        log.info("asks %s status=%s by=%s", ask_ids, updated_asks[0].status, user)


def _is_bot(client: WebClient, deps: Deps, user_id: str) -> bool:
    """Whether Slack says `user_id` is a bot (Slackbot included): from the member cache, else
    users.info (cached). When Slack cannot say, the reaction counts as a person's."""
    member = deps.store.get_member(user_id)
    if member is None:
        try:
            member = fetch_member(client, user_id)
        except SLACK_FAILURES as error:
            log.warning(
                "users.info %s failed (%s): taking it as a person", user_id, slack_error(error)
            )
            return False
        deps.store.save_members([member], team_ids=None, now=deps.now())
    return member.is_bot
