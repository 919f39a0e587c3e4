"""Answers sent through a request's `response_url` (Bolt's `respond`): what a slash command
says once its work is done after the ack, and notes to whoever pressed a button."""

from __future__ import annotations

import logging

from slack_bolt import Respond

from bot.slack.respond import post_response

log = logging.getLogger(__name__)


def reply(respond: Respond | None, text: str) -> bool:
    """An ephemeral answer to the person who sent the request; False (logged) when it cannot go."""
    url = respond.response_url if respond is not None else None
    if not url:
        log.info("no response_url to answer on")
        return False
    return post_response(url, text)
