"""The Slack Web API client every Slack call goes through: base URL, timeout and retries."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings

# Slack answers 429 with Retry-After; slack-sdk honours it through this handler.
RATE_LIMIT_RETRIES = 5
SERVER_ERROR_RETRIES = 2
CALL_TIMEOUT_SECONDS = 15


def create_web_client(settings: Settings) -> WebClient:
    return WebClient(
        token=settings.secret("slack_bot_token"),
        base_url=settings.slack_api_url,
        timeout=CALL_TIMEOUT_SECONDS,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            ServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        ],
    )


# Socket Mode's `apps.connections.open` (app-level token, passed per call): a short timeout and
# no connection retries of its own, since the caller retries with backoff.
APP_TOKEN_CALL_TIMEOUT_SECONDS = 10


def create_app_token_client(settings: Settings) -> WebClient:
    """A Web API client without a bot token, for calls made with SLACK_APP_TOKEN."""
    return WebClient(
        base_url=settings.slack_api_url,
        timeout=APP_TOKEN_CALL_TIMEOUT_SECONDS,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
