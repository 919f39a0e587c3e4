"""App Home: the person's standup this cycle, their open follow-ups and the asks to them."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import asks
from bot.cycles import cycle_at
from bot.deps import Deps
from bot.follow_ups import set_follow_up_status
from bot.models import Ask, Cycle, FollowUp, Standup
from bot.slack_errors import SLACK_FAILURES, slack_error
from digests.escape import clip, escape_mrkdwn

log = logging.getLogger(__name__)

MAX_HOME_BLOCKS = 100  # Slack's limit for a Home tab
MAX_LISTED = 20  # per list; the rest is counted
CLOSE_FOLLOW_UP = "home_close_follow_up"
CLOSE_ASK = "home_close_ask"


def register(app: App, deps: Deps) -> None:
    def opened(body: dict[str, Any], client: WebClient) -> None:
        event = body.get("event") or {}
        if event.get("tab", "home") == "home" and event.get("user"):
            publish_home(client, deps, event["user"])

    def close_follow_up(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        set_follow_up_status(
            client, deps, int(body["actions"][0]["value"]), done=True, by=user, now=deps.now()
        )
        publish_home(client, deps, user)

    def close_ask(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = body["user"]["id"]
        asks.set_ask_status(
            client, deps, int(body["actions"][0]["value"]), done=True, by=user, now=deps.now()
        )
        publish_home(client, deps, user)

    app.event("app_home_opened")(opened)
    app.action(CLOSE_FOLLOW_UP)(close_follow_up)
    app.action(CLOSE_ASK)(close_ask)


def publish_home(client: WebClient, deps: Deps, user_id: str) -> None:
    store = deps.store
    cycle = cycle_at(deps.settings.standup_digest_cron, deps.settings.zone, deps.now())
    team = store.get_team()
    view = build_home_view(
        user_id=user_id,
        cycle=cycle,
        standup=store.get_standup(user_id, cycle.meeting_date),
        follow_ups=store.get_open_follow_ups(owner_user_id=user_id),
        asks_to_me=store.get_asks_to(user_id),
        team_size=len(team),
        submitted=len(store.get_submitted_user_ids(cycle.meeting_date)),
    )
    try:
        client.views_publish(user_id=user_id, view=view)
    except SLACK_FAILURES as error:
        log.warning("views.publish failed: user=%s error=%s", user_id, slack_error(error))


def build_home_view(
    *,
    user_id: str,
    cycle: Cycle,
    standup: Standup | None,
    follow_ups: list[FollowUp],
    asks_to_me: list[Ask],
    team_size: int,
    submitted: int,
) -> dict[str, Any]:
    meeting = f"{cycle.meeting_date:%A %B %-d}"
    if standup is None:
        status = f":hourglass_flowing_sand: Your standup for *{meeting}* is not in yet."
        button = "Write my standup"
    else:
        status = (
            f":white_check_mark: You sent your standup for *{meeting}* "
            f"({len(standup.done)} done, {len(standup.next)} next, "
            f"{len(standup.blocked)} blocked)."
        )
        button = "Edit my standup"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your standup"}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": status},
            "accessory": {
                "type": "button",
                "action_id": "open_standup",
                "style": "primary",
                "text": {"type": "plain_text", "text": button},
            },
        },
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": f"Team: {submitted} of {team_size} sent their standup for {meeting}.",
                }
            ],
        },
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Your open follow-ups"}},
    ]
    blocks += _list_blocks(
        [
            (f":pushpin: {escape_mrkdwn(clip(f.text, 600))}", CLOSE_FOLLOW_UP, str(f.id))
            for f in follow_ups
        ],
        empty="Nothing open. :tada:",
    )
    blocks += [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Asks to you"}},
    ]
    blocks += _list_blocks(
        [
            (
                f":raising_hand: <@{a.from_user_id}>{' (to everyone)' if a.everyone else ''}: "
                f"{escape_mrkdwn(clip(a.text, 600))}",
                CLOSE_ASK,
                str(a.id),
            )
            for a in asks_to_me
        ],
        empty="No open asks.",
    )
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}


def _list_blocks(rows: list[tuple[str, str, str]], *, empty: str) -> list[dict[str, Any]]:
    if not rows:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": empty}}]
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": text},
            "accessory": {
                "type": "button",
                "action_id": action,
                "value": value,
                "text": {"type": "plain_text", "text": "Mark done"},
            },
        }
        for text, action, value in rows[:MAX_LISTED]
    ]
    if len(rows) > MAX_LISTED:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"…and {len(rows) - MAX_LISTED} more."}],
            }
        )
    return blocks
