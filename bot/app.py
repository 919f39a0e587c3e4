"""The Bolt app factory: one `App` per call, with everything it needs passed in."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.deps import Deps
from bot.store import Store

log = logging.getLogger(__name__)

# Slack answers 429 with Retry-After; slack-sdk honours it through this handler.
RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 2
CALL_TIMEOUT_SECONDS = 15


def create_web_client(settings: Settings) -> WebClient:
    client = WebClient(
        token=settings.secret("slack_bot_token"),
        base_url=settings.slack_api_url,
        timeout=CALL_TIMEOUT_SECONDS,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        ],
    )
    return client


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
    from handlers import register_all

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
