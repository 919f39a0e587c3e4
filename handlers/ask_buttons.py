"""The ask buttons: "Mark done" and "Reopen" on its DM, "Answer" on its DM and on App Home, and
the answer modal's submission ("Read all" is in `handlers.home`).

"Answer" opens the modal inside Slack's 3-second window (the trigger expires); the submission is
checked and saved with the database alone before the ack; the DM to the asker, the ask DM's
update and App Home come after it (`Deps.after_ack`)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services.asks import (
    ASK_GONE,
    AnswerSubmission,
    after_answer,
    open_answer_modal,
    receive_answer,
    set_ask_status,
)
from bot.services.home import publish_home
from bot.services.replies import reply
from digests.render import action_ids
from digests.render.views import render_not_allowed
from handlers.guard import action_value, guarded, number, shown, user_id

log = logging.getLogger(__name__)

ANSWER_FAILED = {
    "response_action": "errors",
    "errors": {
        action_ids.ANSWER_BLOCK: "Something went wrong and nothing was saved: please send again."
    },
}


def register(app: App, deps: Deps) -> None:
    def close(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        with guarded("close ask", ack):
            handle_ask_button(ack, body, client, respond, deps, done=True)

    def reopen(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        with guarded("reopen ask", ack):
            handle_ask_button(ack, body, client, respond, deps, done=False)

    def answer(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        with guarded("answer ask", ack):
            handle_answer_button(ack, body, client, respond, deps)

    def answer_submission(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        with guarded("answer submission", ack, **ANSWER_FAILED):
            handle_answer_submission(ack, body, client, deps)

    app.action(action_ids.CLOSE_ASK)(close)
    app.action(action_ids.REOPEN_ASK)(reopen)
    app.action(action_ids.ANSWER_ASK)(answer)
    app.view(action_ids.ANSWER_CALLBACK)(answer_submission)


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
    elif status.outcome == "not_found":  # its standup was edited: say so, not silence
        reply(respond, ASK_GONE)


def handle_answer_button(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond | None, deps: Deps
) -> None:
    """ "Answer" (or "Edit answer"): the answer modal at once, or a note to whoever may not."""
    ack()
    value, user, trigger = action_value(body), user_id(body), body.get("trigger_id")
    ask_id = number(value)
    if ask_id is None or user is None or not isinstance(trigger, str) or not trigger:
        log.info("answer button ignored: value %s (user %s)", shown(value), user)
        return
    container = body.get("container")
    from_home = isinstance(container, dict) and container.get("type") == "view"
    note = open_answer_modal(
        client, deps, ask_id=ask_id, user_id=user, trigger_id=trigger, from_home=from_home
    )
    if note is not None:
        deps.after_ack(reply, respond, note)


def handle_answer_submission(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    user, view = user_id(body), body.get("view")
    if user is None or not isinstance(view, dict):
        ack()
        log.info("answer submission ignored: no user or view")
        return
    submission = receive_answer(deps, user_id=user, view=view)
    if submission.errors:
        ack(response_action="errors", errors=submission.errors)
        return
    ack()
    deps.after_ack(answered, client, deps, user, submission)


def answered(client: WebClient, deps: Deps, user: str, submission: AnswerSubmission) -> None:
    after_answer(client, deps, submission)
    if submission.from_home:
        publish_home(client, deps, user)
