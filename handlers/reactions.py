"""✅ on a follow-up's message (or an ask's DM) closes it; removing the last ✅ reopens it.

Slack retries an event it thinks failed, and Bolt does not de-duplicate in HTTP mode: the
event id is claimed in the store first, so a retry (even after a restart) does nothing new.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import asks
from bot.deps import Deps
from bot.follow_ups import DONE_REACTIONS, set_follow_up_status


def register(app: App, deps: Deps) -> None:
    def added(body: dict[str, Any], client: WebClient) -> None:
        handle_reaction(body, client, deps, added=True)

    def removed(body: dict[str, Any], client: WebClient) -> None:
        handle_reaction(body, client, deps, added=False)

    app.event("reaction_added")(added)
    app.event("reaction_removed")(removed)


def handle_reaction(body: dict[str, Any], client: WebClient, deps: Deps, *, added: bool) -> None:
    event = body.get("event") or {}
    item = event.get("item") or {}
    if event.get("reaction") not in DONE_REACTIONS or item.get("type") != "message":
        return
    channel, ts, user = item.get("channel"), item.get("ts"), event.get("user")
    if not (channel and ts and user):
        return
    now = deps.now()
    event_id = body.get("event_id")
    if event_id and not deps.store.claim_event(str(event_id), now=now):
        return
    follow_up = deps.store.get_follow_up_by_message(channel, ts)
    ask = None if follow_up else deps.store.get_ask_by_dm(channel, ts)
    if follow_up is None and ask is None:
        return  # a ✅ on some other message: not ours to act on
    remaining = deps.store.save_reaction(channel, ts, user, event["reaction"], added=added, now=now)
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
            asks.set_ask_status(client, deps, ask.id, done=True, by=user, now=now)
        elif not added and remaining == 0 and ask.status == "done":
            asks.set_ask_status(client, deps, ask.id, done=False, by=user, now=now)
