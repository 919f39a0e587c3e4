"""The ask DM's buttons: "Mark done" and "Reopen"."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.asks import set_ask_status
from digests.render import action_ids


def register(app: App, deps: Deps) -> None:
    def close(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_ask_button(ack, body, client, deps, done=True)

    def reopen(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_ask_button(ack, body, client, deps, done=False)

    app.action(action_ids.CLOSE_ASK)(close)
    app.action(action_ids.REOPEN_ASK)(reopen)


def handle_ask_button(
    ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, *, done: bool
) -> None:
    ack()
    set_ask_status(
        client,
        deps,
        int(body["actions"][0]["value"]),
        done=done,
        by=body["user"]["id"],
        now=deps.now(),
    )
