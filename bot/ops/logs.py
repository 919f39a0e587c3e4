"""One structured line per event (logfmt), and never a token in it."""

from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any

# Slack and GitHub tokens, wherever they would appear (a URL, an exception, a header dump).
_TOKEN = re.compile(
    r"\b(xox[abposr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|gh[pousr]_[A-Za-z0-9]+|"
    r"github_pat_[A-Za-z0-9_]+)"
)


def redact(text: str) -> str:
    return _TOKEN.sub(lambda m: m.group(0)[:5] + "…redacted", text)


class LogfmtFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = redact(record.getMessage())
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        line = (
            f"ts={stamp}Z level={record.levelname.lower()} logger={record.name} "
            f"msg={_quote(message)}"
        )
        if record.exc_info:
            line += f" error={_quote(redact(self.formatException(record.exc_info)))}"
        return line


def _quote(value: str) -> str:
    value = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{value}"'


class _DropKnownNoise(logging.Filter):
    """Bolt warns that the token is unused when it finds SLACK_BOT_TOKEN in the environment
    next to the client we pass it (which carries that same token)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (a test's capture, a redirected stream)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def setup_logging(level: str = "INFO") -> None:
    handler = _StderrHandler()
    handler.setFormatter(LogfmtFormatter())
    handler.addFilter(_DropKnownNoise())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Third-party chatter stays at warning; slack_sdk logs request bodies at debug. uvicorn's own
    # lines (start, shutdown, "Invalid HTTP request received.") come here too, through this
    # handler: `run_server` gives uvicorn no logging configuration of its own.
    for noisy in ("slack_sdk", "slack_bolt", "httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
