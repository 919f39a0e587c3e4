"""The "More" button under a `/standup search` answer: the next page, in its place."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import search
from digests.render import action_ids


def register(app: App, deps: Deps) -> None:
    def more(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_more(ack, body, client, deps)

    app.action(action_ids.SEARCH_MORE)(more)


def handle_more(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    action = (body.get("actions") or [{}])[0]
    search.answer_more(
        client,
        deps,
        value=str(action.get("value") or ""),
        response_url=body.get("response_url", ""),
    )
