"""What every listener shares: reading ids out of Slack's body without trusting them, and a
guard so that a listener never raises into Bolt.

Bolt answers a request once the listener calls `ack()`; if the listener then raises, Bolt's
runner clears that answer and Slack sees nothing for 3 seconds, then a 404. So each listener
runs inside `guarded`: a failure is logged in one line (with its traceback, for the bug it is),
and a listener that had not acked yet acks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack

from digests.parsing import read_id

log = logging.getLogger(__name__)


@contextmanager
def guarded(name: str, ack: Ack | None = None, **answer: Any) -> Iterator[None]:
    """Run a listener's body; on an exception log it, and ack (with `answer`) if not yet."""
    try:
        yield
    except Exception as error:
        log.error("listener %s failed: %s: %s", name, type(error).__name__, error, exc_info=True)
        if ack is not None and ack.response is None:
            ack(**answer)


def action_value(body: Mapping[str, Any]) -> str | None:
    """The value of the first action in a block_actions payload, if it has one."""
    actions = body.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return None
    value = actions[0].get("value")
    return value if isinstance(value, str) else None


def number(value: str | None) -> int | None:
    """`value` as one of our ids, or None for anything else (junk in a forged payload)."""
    return read_id(value)


def user_id(body: Mapping[str, Any]) -> str | None:
    """Who acted: `user.id` of an interaction payload, `user_id` of a slash command."""
    user = body.get("user")
    found = user.get("id") if isinstance(user, dict) else body.get("user_id")
    return found if isinstance(found, str) and found else None


def shown(value: str | None) -> str:
    """A value from a payload as it may go into a log line: short, one line."""
    return repr(value if value is None else value[:60])
