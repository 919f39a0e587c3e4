"""The "Add as follow-up" message shortcut (a message's ⋮ menu)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.follow_ups import add_follow_up_from_message
from digests.render import action_ids
from handlers.guard import guarded


def register(app: App, deps: Deps) -> None:
    def shortcut(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        with guarded("add follow-up shortcut", ack):
            handle_follow_up_shortcut(ack, body, client, deps)

    app.shortcut(action_ids.ADD_FOLLOW_UP_SHORTCUT)(shortcut)


def handle_follow_up_shortcut(
    ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    ack()
    deps.after_ack(add_follow_up_from_message, client, deps, body)
