"""Socket Mode's one Web API call: `apps.connections.open`, with the app-level token (`xapp-`).

Slack answers it with a single-use `wss://` URL for the websocket. What comes back is told apart
here once, for `serve` and `doctor` alike: a URL, a token Slack refuses (a setting to fix: the
process must not wait for it), or a problem that may pass (no network yet, Slack 5xx, a rate
limit), which is retried.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.slack.errors import slack_error

# Errors that mean the token itself will never work: wrong, revoked, not an app-level token,
# or without the connections:write scope.
REFUSED_APP_TOKEN_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
        "missing_scope",
        "no_permission",
    }
)

# What to do about a refused SLACK_APP_TOKEN: serve's one line and doctor's fix say it alike.
FIX_APP_TOKEN_REFUSED = (
    "generate an app-level token with the connections:write scope on the app's Basic "
    "Information page (App-Level Tokens), set SLACK_APP_TOKEN to it, and enable Socket Mode"
)


def refused_line(code: str) -> str:
    return f"Slack refused SLACK_APP_TOKEN ({code}): {FIX_APP_TOKEN_REFUSED}"


@dataclass(frozen=True)
class SocketUrl:
    """What `apps.connections.open` gave: exactly one of the three is set."""

    url: str | None = None
    refused: str | None = None  # Slack's error code: the token will not work
    problem: str | None = None  # why there is no URL this time (it may pass)


def open_socket_url(client: WebClient, app_token: str) -> SocketUrl:
    try:
        response = client.apps_connections_open(app_token=app_token)
    except SlackApiError as error:
        code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
        if code in REFUSED_APP_TOKEN_ERRORS:
            return SocketUrl(refused=code)
        return SocketUrl(problem=f"Slack answered {code}")
    except (SlackClientError, OSError) as error:
        return SocketUrl(problem=slack_error(error))
    url = response.get("url")
    if not isinstance(url, str) or not url.startswith(("wss://", "ws://")):
        return SocketUrl(problem="Slack's answer had no websocket URL")
    return SocketUrl(url=url)
