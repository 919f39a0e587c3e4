"""`/standup`, its modal's submission, and the "Write my standup" buttons.

Inside Slack's 3-second window only the ack and `views.open` happen (and, for a submission, the
checks and the save the modal's answer depends on: the database only). Everything else is handed
to `Deps.after_ack`: sub-commands that need Slack or the database ack at once and answer through
the request's `response_url`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import away, follow_ups, search, standups
from bot.services.replies import reply
from digests.parsing import parse_command
from digests.render import action_ids
from digests.render.views import HELP, render_unknown_command
from handlers.guard import guarded, user_id

log = logging.getLogger(__name__)

SUBMISSION_FAILED = {
    "response_action": "errors",
    "errors": {"done": "Something went wrong and nothing was saved: please submit again."},
}


def register(app: App, deps: Deps) -> None:
    def command(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        with guarded("/standup", ack):
            handle_standup_command(ack, body, client, respond, deps)

    def submission(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        with guarded("standup submission", ack, **SUBMISSION_FAILED):
            handle_standup_submission(ack, body, client, deps)

    def open_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        with guarded("open standup button", ack):
            handle_open_button(ack, body, client, deps)

    app.command("/standup")(command)
    app.view(action_ids.STANDUP_CALLBACK)(submission)
    app.action(action_ids.OPEN_STANDUP)(open_button)


def handle_standup_command(
    ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond | None, deps: Deps
) -> None:
    command = parse_command(body.get("text"))
    user = user_id(body)
    if user is None:
        ack()
        log.info("/standup ignored: no user_id")
        return
    if command.name == "open":
        ack()
        standups.open_standup_modal(
            client, deps, user_id=user, trigger_id=str(body.get("trigger_id") or "")
        )
    elif command.name == "help":
        ack(text=HELP)
    elif command.name == "github":
        ack()
        deps.after_ack(_answer, respond, standups.link_github, client, deps, user, command.argument)
    elif command.name == "followup":
        ack()
        deps.after_ack(
            _answer,
            respond,
            follow_ups.add_follow_up_from_command,
            client,
            deps,
            user_id=user,
            user_name=str(body.get("user_name") or user),
            text=command.argument,
        )
    elif command.name == "away":
        ack()
        deps.after_ack(_answer, respond, away.set_away, deps, user, command.argument)
    elif command.name == "back":
        ack()
        deps.after_ack(_answer, respond, away.set_back, client, deps, user)
    elif command.name == "search":
        ack()  # the answer comes by response_url: searching is not done inside the 3 s
        deps.after_ack(
            search.answer_search_command,
            client,
            deps,
            user_id=user,
            argument=command.argument,
            response_url=str(body.get("response_url") or ""),
        )
    else:
        ack(text=render_unknown_command(command.argument))


def handle_standup_submission(
    ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    user, view = body.get("user"), body.get("view")
    if user_id(body) is None or not isinstance(user, dict) or not isinstance(view, dict):
        ack()
        log.info("standup submission ignored: no user or view")
        return
    submission = standups.receive_submission(deps, user=user, view=view)
    if submission.errors:
        ack(response_action="errors", errors=submission.errors)
        return
    ack()
    deps.after_ack(standups.after_submission, client, deps, submission)


def _answer(respond: Respond | None, work: Callable[..., str], *args: Any, **kwargs: Any) -> None:
    """After the ack: do a sub-command's `work` and send its answer by response_url."""
    reply(respond, work(*args, **kwargs))


def handle_open_button(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    user = user_id(body)
    if user is None or not body.get("trigger_id"):
        log.info("open standup ignored: no user or trigger_id")
        return
    standups.open_standup_modal(client, deps, user_id=user, trigger_id=str(body["trigger_id"]))
