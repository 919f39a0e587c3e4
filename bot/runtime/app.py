"""The Bolt app factory, and the one place `handlers` is imported: one `App` per call, with
everything it needs passed in."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient

from bot.config import Settings
from bot.deps import Deps
from bot.slack.client import create_web_client
from bot.store import Store
from handlers import register_all

log = logging.getLogger(__name__)


def create_app(
    settings: Settings,
    *,
    client: WebClient | None = None,
    store: Store | None = None,
    deps: Deps | None = None,
) -> App:
    """Build the Bolt app and register every listener.

    The token is not verified here (no `auth.test` at start-up, so /healthz answers fast and a
    Slack outage cannot stop the process); `standup-bot doctor` checks it.
    """
    settings.require("slack_bot_token")
    if deps is None:
        deps = Deps(settings=settings, store=store or Store(settings.standup_db))
    app = App(
        client=client or create_web_client(settings),
        signing_secret=settings.secret("slack_signing_secret") or "",
        token_verification_enabled=False,
        request_verification_enabled=not settings.socket_mode,
        logger=logging.getLogger("slack_bolt"),
    )
    register_all(app, deps)
    return app
