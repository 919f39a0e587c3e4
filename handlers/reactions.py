"""`reaction_added` / `reaction_removed`: a ✅ closes a follow-up or an ask, its removal reopens."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.reactions import Reaction, apply_reaction
from handlers.guard import guarded


def register(app: App, deps: Deps) -> None:
    def added(body: dict[str, Any], client: WebClient) -> None:
        with guarded("reaction_added"):
            handle_reaction(body, client, deps, added=True)

    def removed(body: dict[str, Any], client: WebClient) -> None:
        with guarded("reaction_removed"):
            handle_reaction(body, client, deps, added=False)

    app.event("reaction_added")(added)
    app.event("reaction_removed")(removed)


def handle_reaction(body: dict[str, Any], client: WebClient, deps: Deps, *, added: bool) -> None:
    event = body.get("event") or {}
    item = event.get("item") or {}
    channel, ts, user = item.get("channel"), item.get("ts"), event.get("user")
    if item.get("type") != "message" or not (channel and ts and user):
        return
    event_id = body.get("event_id")
    reaction = Reaction(
        event_id=str(event_id) if event_id else None,
        user_id=str(user),
        reaction=str(event.get("reaction")),
        channel=str(channel),
        ts=str(ts),
        added=added,
        item_user=str(event["item_user"]) if event.get("item_user") else None,
        bot_user_id=_bot_user_id(body),
    )
    deps.after_ack(apply_reaction, client, deps, reaction)


def _bot_user_id(body: dict[str, Any]) -> str | None:
    """The bot's own user id, from the event's `authorizations` (the installation it is for)."""
    for authorization in body.get("authorizations") or []:
        if isinstance(authorization, dict) and authorization.get("is_bot"):
            found = authorization.get("user_id")
            return str(found) if found else None
    return None
