"""What a failed Slack call looks like, whichever way it failed.

slack-sdk raises `SlackApiError` when Slack answers `ok: false`, but a timeout, a dropped
connection or a refused upload URL surface as `SlackClientError` or an `OSError` (urllib's
errors, `TimeoutError`). Every listener and job catches all three: a Slack outage is logged in one
line and never becomes a traceback or an HTTP 500.
"""

from __future__ import annotations

from slack_sdk.errors import SlackApiError, SlackClientError

SLACK_FAILURES: tuple[type[Exception], ...] = (SlackApiError, SlackClientError, OSError)


def slack_error(error: Exception) -> str:
    """Slack's error code (`channel_not_found`), or words for a call that got no answer."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error"))
    if isinstance(error, TimeoutError):
        return "timed out"
    reason = getattr(error, "reason", None) or getattr(error, "code", None) or error
    return f"no answer: {type(error).__name__}: {reason}"


# Slack refusals that may pass on their own (digests, DMs and reminders are retried on these).
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def transient(error: Exception) -> bool:
    """True when a failed call may work if tried again later: no answer, HTTP 429 or 5xx, or a
    refusal Slack gives while it is unwell. False for what needs a person (a bad id, a
    deactivated user, a missing scope)."""
    if not isinstance(error, SlackApiError):
        return True
    status = getattr(error.response, "status_code", 200)
    return status >= 500 or status == 429 or error.response.get("error") in TRANSIENT_ERRORS
