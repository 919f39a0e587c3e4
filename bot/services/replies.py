"""Answers sent through a request's `response_url` (Bolt's `respond`): what a slash command
says once its work is done after the ack, and notes to whoever pressed a button."""

from __future__ import annotations

import logging

from slack_bolt import Respond

from bot.slack.errors import SLACK_FAILURES

log = logging.getLogger(__name__)


def reply(respond: Respond | None, text: str) -> bool:
    """An ephemeral answer to the person who sent the request; False (logged) when it cannot go."""
    if respond is None:
        log.info("no response_url to answer on")
        return False
    try:
        response = respond(text=text, response_type="ephemeral", replace_original=False)
    except SLACK_FAILURES as error:
        log.warning("response_url answer failed: %s: %s", type(error).__name__, error)
        return False
    if response.status_code != 200:
        log.warning("response_url answered HTTP %s", response.status_code)
        return False
    return True
