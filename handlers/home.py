"""App Home: drawn when opened, and its "Mark done" buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.asks import set_ask_status
from bot.services.follow_ups import set_follow_up_status
from bot.services.home import publish_home
from digests.render import action_ids


def register(app: App, deps: Deps) -> None:
    def opened(body: dict[str, Any], client: WebClient) -> None:
        handle_home_opened(body, client, deps)

    def close_follow_up(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_close_button(ack, body, client, deps, follow_up=True)

    def close_ask(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_close_button(ack, body, client, deps, follow_up=False)

    app.event("app_home_opened")(opened)
    app.action(action_ids.HOME_CLOSE_FOLLOW_UP)(close_follow_up)
    app.action(action_ids.HOME_CLOSE_ASK)(close_ask)


def handle_home_opened(body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    event = body.get("event") or {}
    if event.get("tab", "home") == "home" and event.get("user"):
        publish_home(client, deps, event["user"])


def handle_close_button(
    ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, *, follow_up: bool
) -> None:
    ack()
    user = body["user"]["id"]
    item_id = int(body["actions"][0]["value"])
    if follow_up:
        set_follow_up_status(client, deps, item_id, done=True, by=user, now=deps.now())
    else:
        set_ask_status(client, deps, item_id, done=True, by=user, now=deps.now())
    publish_home(client, deps, user)
