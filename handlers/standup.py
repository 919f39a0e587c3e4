"""`/standup`, its modal's submission, and the "Write my standup" buttons.

The modal opens first, inside Slack's 3-second trigger window; anything slow happens after.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import away, follow_ups, search, standups
from digests.parsing import parse_command
from digests.render import action_ids
from digests.render.views import HELP, render_unknown_command


def register(app: App, deps: Deps) -> None:
    def command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_standup_command(ack, body, client, deps)

    def submission(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_standup_submission(ack, body, client, deps)

    def open_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_open_button(ack, body, client, deps)

    app.command("/standup")(command)
    app.view(action_ids.STANDUP_CALLBACK)(submission)
    app.action(action_ids.OPEN_STANDUP)(open_button)


def handle_standup_command(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    command = parse_command(body.get("text"))
    user_id = body["user_id"]
    if command.name == "open":
        ack()
        standups.open_standup_modal(client, deps, user_id=user_id, trigger_id=body["trigger_id"])
    elif command.name == "help":
        ack(text=HELP)
    elif command.name == "github":
        ack(text=standups.link_github(client, deps, user_id, command.argument))
    elif command.name == "followup":
        answer = follow_ups.add_follow_up_from_command(
            client,
            deps,
            user_id=user_id,
            user_name=body.get("user_name", user_id),
            text=command.argument,
        )
        ack(text=answer)
    elif command.name == "away":
        ack(text=away.set_away(deps, user_id, command.argument))
    elif command.name == "back":
        ack(text=away.set_back(client, deps, user_id))
    elif command.name == "search":
        ack()  # the answer comes by response_url: searching is not done inside the 3 s
        search.answer_search_command(
            client,
            deps,
            user_id=user_id,
            argument=command.argument,
            response_url=body.get("response_url", ""),
        )
    else:
        ack(text=render_unknown_command(command.argument))


def handle_standup_submission(
    ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    submission = standups.save_submission(client, deps, user=body["user"], view=body["view"])
    if submission.errors:
        ack(response_action="errors", errors=submission.errors)
        return
    ack()
    standups.after_submission(client, deps, submission)


def handle_open_button(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    standups.open_standup_modal(
        client, deps, user_id=body["user"]["id"], trigger_id=body["trigger_id"]
    )
