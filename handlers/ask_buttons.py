"""The ask DM's buttons: "Mark done" and "Reopen" ("Read all" is in `handlers.home`)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.asks import set_ask_status
from bot.services.replies import reply
from digests.render import action_ids
from digests.render.views import render_not_allowed
from handlers.guard import action_value, guarded, number, shown, user_id

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    def close(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        with guarded("close ask", ack):
            handle_ask_button(ack, body, client, respond, deps, done=True)

    def reopen(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        with guarded("reopen ask", ack):
            handle_ask_button(ack, body, client, respond, deps, done=False)

    app.action(action_ids.CLOSE_ASK)(close)
    app.action(action_ids.REOPEN_ASK)(reopen)


def handle_ask_button(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
    deps: Deps,
    *,
    done: bool,
) -> None:
    ack()
    value, user = action_value(body), user_id(body)
    ask_id = number(value)
    if ask_id is None or user is None:
        log.info("ask button ignored: value %s is not an ask id (user %s)", shown(value), user)
        return
    deps.after_ack(change_ask, client, deps, respond, ask_id, user, done)


def change_ask(
    client: WebClient, deps: Deps, respond: Respond | None, ask_id: int, user: str, done: bool
) -> None:
    status = set_ask_status(client, deps, ask_id, done=done, by=user, now=deps.now())
    if status.outcome == "refused" and status.ask is not None:
        reply(respond, render_not_allowed(status.ask))
