"""The "More" button under a `/standup search` answer: the next page, in its place."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import search
from digests.render import action_ids
from handlers.guard import action_value, guarded


def register(app: App, deps: Deps) -> None:
    def more(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        with guarded("search more", ack):
            handle_more(ack, body, client, deps)

    app.action(action_ids.SEARCH_MORE)(more)


def handle_more(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()  # the next page comes by response_url: searching is not done inside Slack's 3 s
    deps.after_ack(
        search.answer_more,
        client,
        deps,
        value=action_value(body) or "",
        response_url=str(body.get("response_url") or ""),
    )
