"""Answers to a slash command or a button by its `response_url` (ephemeral, to the person only)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.webhook import WebhookClient

log = logging.getLogger(__name__)

RESPONSE_TIMEOUT_SECONDS = 10


def post_response(
    response_url: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    *,
    replace_original: bool = False,
) -> bool:
    """Send an ephemeral answer (or replace the earlier one, to page); False (logged) on failure.

    A response_url takes up to five answers within 30 minutes of the request."""
    try:
        response = WebhookClient(response_url, timeout=RESPONSE_TIMEOUT_SECONDS).send(
            text=text,
            blocks=blocks,
            response_type="ephemeral",
            replace_original=replace_original,
        )
    except (OSError, ValueError) as error:
        log.warning("response_url answer failed: %s", error)
        return False
    if response.status_code != 200:
        log.warning("response_url answered %s: %s", response.status_code, response.body[:200])
        return False
    return True
