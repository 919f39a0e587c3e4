"""App Home: drawn when opened, its "Mark done" buttons and its time-away controls."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import away
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

    def set_away(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_away_button(ack, body, client, deps, back=False)

    def back(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        handle_away_button(ack, body, client, deps, back=True)

    def picked(ack: Ack) -> None:
        ack()  # a datepicker changed: read when "Set away" is pressed

    app.event("app_home_opened")(opened)
    app.action(action_ids.HOME_CLOSE_FOLLOW_UP)(close_follow_up)
    app.action(action_ids.HOME_CLOSE_ASK)(close_ask)
    app.action(action_ids.AWAY_SET)(set_away)
    app.action(action_ids.AWAY_BACK)(back)
    app.action(action_ids.AWAY_FROM)(picked)
    app.action(action_ids.AWAY_TO)(picked)


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


def handle_away_button(
    ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, *, back: bool
) -> None:
    """ "Set away" (the two datepickers' dates) or "I'm back"; then App Home is drawn again."""
    ack()
    user = body["user"]["id"]
    if back:
        away.set_back(client, deps, user)
    else:
        values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
        picked = values.get(action_ids.AWAY_BLOCK) or {}
        starts = _picked_date(picked.get(action_ids.AWAY_FROM))
        ends = _picked_date(picked.get(action_ids.AWAY_TO))
        if starts is not None and ends is not None:
            away.save_away(deps, user, starts, ends)
    publish_home(client, deps, user)


def _picked_date(leaf: object) -> date | None:
    """A datepicker's `selected_date` (YYYY-MM-DD), None when unset or malformed."""
    value = leaf.get("selected_date") if isinstance(leaf, dict) else None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
