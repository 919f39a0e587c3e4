"""App Home: drawn when opened, its "Mark done" buttons, its time-away controls, and "Read all"
(on App Home and in ask DMs) for a text cut to fit."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.deps import Deps
from bot.services import away
from bot.services.asks import set_ask_status
from bot.services.follow_ups import set_follow_up_status
from bot.services.home import open_full_text, publish_home
from digests.render import action_ids
from handlers.guard import action_value, guarded, number, shown, user_id

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    def opened(body: dict[str, Any], client: WebClient) -> None:
        with guarded("app_home_opened"):
            handle_home_opened(body, client, deps)

    def close_follow_up(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        with guarded("close follow-up on Home", ack):
            handle_close_button(ack, body, client, deps, follow_up=True)

    def close_ask(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        with guarded("close ask on Home", ack):
            handle_close_button(ack, body, client, deps, follow_up=False)

    def full_text(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        with guarded("read all", ack):
            handle_full_text_button(ack, body, client, deps)

    def set_away(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        with guarded("set away on Home", ack):
            handle_away_button(ack, body, client, deps, back=False)

    def back(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        with guarded("back on Home", ack):
            handle_away_button(ack, body, client, deps, back=True)

    def picked(ack: Ack) -> None:
        ack()  # a datepicker changed: read when "Set away" is pressed

    app.event("app_home_opened")(opened)
    app.action(action_ids.HOME_CLOSE_FOLLOW_UP)(close_follow_up)
    app.action(action_ids.HOME_CLOSE_ASK)(close_ask)
    app.action(action_ids.SHOW_FULL_TEXT)(full_text)
    app.action(action_ids.AWAY_SET)(set_away)
    app.action(action_ids.AWAY_BACK)(back)
    app.action(action_ids.AWAY_FROM)(picked)
    app.action(action_ids.AWAY_TO)(picked)


def handle_home_opened(body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    event = body.get("event") or {}
    if event.get("tab", "home") == "home" and isinstance(event.get("user"), str):
        deps.after_ack(publish_home, client, deps, event["user"])


def handle_close_button(
    ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, *, follow_up: bool
) -> None:
    ack()
    value, user = action_value(body), user_id(body)
    item_id = number(value)
    if item_id is None or user is None:
        what = "follow-up" if follow_up else "ask"
        log.info("Home button ignored: value %s is not a %s id (user %s)", shown(value), what, user)
        return
    deps.after_ack(close_from_home, client, deps, item_id, user, follow_up)


def close_from_home(
    client: WebClient, deps: Deps, item_id: int, user: str, follow_up: bool
) -> None:
    if follow_up:
        set_follow_up_status(client, deps, item_id, done=True, by=user, now=deps.now())
    else:
        set_ask_status(client, deps, item_id, done=True, by=user, now=deps.now())
    publish_home(client, deps, user)


def handle_full_text_button(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """Opens the modal at once (a trigger_id expires 3 s after the click)."""
    ack()
    value, user, trigger = action_value(body), user_id(body), body.get("trigger_id")
    if value is None or user is None or not isinstance(trigger, str):
        log.info("Read all ignored: value %s (user %s)", shown(value), user)
        return
    open_full_text(client, deps, user_id=user, trigger_id=trigger, value=value)


def handle_away_button(
    ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps, *, back: bool
) -> None:
    """ "Set away" (the two datepickers' dates) or "I'm back"; then App Home is drawn again."""
    ack()
    user = user_id(body)
    if user is None:
        log.info("time-away button ignored: no user")
        return
    starts = ends = None
    if not back:
        values = ((body.get("view") or {}).get("state") or {}).get("values") or {}
        chosen = values.get(action_ids.AWAY_BLOCK) or {}
        starts = _picked_date(chosen.get(action_ids.AWAY_FROM))
        ends = _picked_date(chosen.get(action_ids.AWAY_TO))
    deps.after_ack(_change_away, client, deps, user, back, starts, ends)


def _change_away(
    client: WebClient, deps: Deps, user: str, back: bool, starts: date | None, ends: date | None
) -> None:
    if back:
        away.set_back(client, deps, user)
    elif starts is not None and ends is not None:
        away.save_away(deps, user, starts, ends)
    publish_home(client, deps, user)


def _picked_date(leaf: object) -> date | None:
    """A datepicker's `selected_date` (YYYY-MM-DD), None when unset or malformed."""
    value = leaf.get("selected_date") if isinstance(leaf, dict) else None
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
