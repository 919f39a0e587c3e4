"""✅ on a follow-up's message (or an ask's DM) closes it; removing the last ✅ reopens it.

Slack retries an event it thinks failed, and Bolt does not de-duplicate in HTTP mode: the
event id is claimed in the store first, so a retry (even after a restart) does nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.asks import set_ask_status
from bot.services.follow_ups import DONE_REACTIONS, set_follow_up_status


@dataclass(frozen=True)
class Reaction:
    """A reaction added to or removed from a message, as Slack's event told it."""

    event_id: str | None
    user_id: str
    reaction: str
    channel: str
    ts: str
    added: bool


def apply_reaction(client: WebClient, deps: Deps, reaction: Reaction) -> None:
    if reaction.reaction not in DONE_REACTIONS:
        return
    channel, ts, user = reaction.channel, reaction.ts, reaction.user_id
    now = deps.now()
    if reaction.event_id and not deps.store.claim_event(reaction.event_id, now=now):
        return
    follow_up = deps.store.get_follow_up_by_message(channel, ts)
    ask = None if follow_up else deps.store.get_ask_by_dm(channel, ts)
    if follow_up is None and ask is None:
        return  # a ✅ on some other message: not ours to act on
    added = reaction.added
    remaining = deps.store.save_reaction(channel, ts, user, reaction.reaction, added=added, now=now)
    if follow_up is not None:
        if added and follow_up.status == "open":
            set_follow_up_status(
                client, deps, follow_up.id, done=True, by=user, now=now, message=(channel, ts)
            )
        elif not added and remaining == 0 and follow_up.status == "done":
            set_follow_up_status(
                client, deps, follow_up.id, done=False, by=None, now=now, message=(channel, ts)
            )
    elif ask is not None and ask.id is not None:
        if added and ask.status == "open":
            set_ask_status(client, deps, ask.id, done=True, by=user, now=now)
        elif not added and remaining == 0 and ask.status == "done":
            set_ask_status(client, deps, ask.id, done=False, by=user, now=now)
