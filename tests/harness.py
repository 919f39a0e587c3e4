"""Running the real bot for a test: the real Bolt app behind the real ASGI server (uvicorn) on a
loopback port, talking to FakeSlack (and FakeGitHub) over real sockets.

Only the far sides of the wires are fake. Time is a `Clock` the test moves, so cycles are fixed.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from slack_bolt import App

from bot.config import Settings, load_settings
from bot.deps import Deps
from bot.runtime.app import create_app
from bot.runtime.http import create_web_app
from bot.store import Store
from tests.conftest import NOW
from tests.factories import MEETING
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_payloads import (
    SlackRequest,
    fill_modal,
    post_signed,
    slash_command,
    view_submission,
)

SIGNING_SECRET = "test-signing-secret"
CHANNEL = "C0STANDUP"


@dataclass
class Clock:
    current: datetime = NOW

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class LogWatch(logging.Handler):
    """The bot's log records (loggers `bot` and `handlers`, DEBUG and up) while a test runs: a
    positive signal that a listener finished, where nothing else would show it."""

    def __init__(self, loggers: tuple[str, ...] = ("bot", "handlers")) -> None:
        super().__init__(logging.DEBUG)
        self.loggers = loggers
        self.records: list[logging.LogRecord] = []
        self._lock_records = threading.Lock()
        self._levels: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock_records:
            self.records.append(record)

    def messages(self, containing: str = "") -> list[str]:
        with self._lock_records:
            found = [r.getMessage() for r in self.records]
        return [m for m in found if containing in m]

    def wait_for(self, containing: str, *, count: int = 1, timeout: float = 5.0) -> list[str]:
        """Wait until `count` messages contain `containing`; return them."""
        return wait_for(
            lambda: len(self.messages(containing)) >= count and self.messages(containing),
            timeout=timeout,
            what=f"{count} log line(s) with {containing!r}",
        )

    def __enter__(self) -> LogWatch:
        for name in self.loggers:
            logger = logging.getLogger(name)
            self._levels[name] = logger.level
            logger.setLevel(logging.DEBUG)
            logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self.loggers:
            logger = logging.getLogger(name)
            logger.removeHandler(self)
            logger.setLevel(self._levels.get(name, logging.NOTSET))


@dataclass
class RunningBot:
    url: str
    settings: Settings
    deps: Deps
    slack: FakeSlack
    clock: Clock
    client: Any = None
    logs: LogWatch = field(default_factory=LogWatch)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def store(self) -> Store:
        return self.deps.store

    def send(self, request: SlackRequest, **options: Any) -> httpx.Response:
        return post_signed(self.url, SIGNING_SECRET, request, **options)


def bot_environment(slack: FakeSlack, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.url,
        "STANDUP_CHANNEL": CHANNEL,
        "STANDUP_DB": str(tmp_path / "standup.db"),
        "STANDUP_TIMEZONE": "Europe/Berlin",
    }
    env.update(extra)
    return env


def seed_workspace(slack: FakeSlack, people: list[tuple[str, str, str]]) -> None:
    """Members (id, handle, real name) and the standup channel with all of them and the bot."""
    for user_id, name, real_name in people:
        slack.add_member(user_id, name, real_name=real_name, display_name=real_name.split()[0])
    slack.add_channel(CHANNEL, "eng-standup", members=[p[0] for p in people])


PEOPLE = [
    ("U1", "kevin", "Kevin Ortiz"),
    ("U2", "hesham", "Hesham Ali"),
    ("U3", "mira", "Mira Chen"),
    ("U4", "sam", "Sam Kowalski"),
]


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve_asgi(web_app: Any) -> Iterator[str]:
    """Run an ASGI app under uvicorn in a thread on a free loopback port; yield its base URL."""
    sock = free_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(web_app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def running_bot(
    slack: FakeSlack,
    tmp_path: Path,
    *,
    github: Any = None,
    clock: Clock | None = None,
    **env: str,
) -> Iterator[RunningBot]:
    settings = load_settings(bot_environment(slack, tmp_path, **env), env_file=None)
    clock = clock or Clock()
    with (
        _app(settings, github, clock) as (deps, app, logs),
        serve_asgi(create_web_app(app)) as url,
    ):
        yield RunningBot(
            url=url,
            settings=settings,
            deps=deps,
            slack=slack,
            clock=clock,
            client=app.client,
            logs=logs,
        )


@contextmanager
def _app(settings: Settings, github: Any, clock: Clock) -> Iterator[tuple[Deps, App, LogWatch]]:
    """The real app on its own Store, its logs watched; on the way out the work handed on after
    acks is finished before the Store closes."""
    store = Store(settings.standup_db)
    deps = Deps(settings=settings, store=store, github=github, clock=clock)
    try:
        with LogWatch() as logs:
            yield deps, create_app(settings, deps=deps), logs
    finally:
        deps.finish_work()
        store.close()


def aligned_wall_clock(start: datetime) -> Callable[[], float]:
    """A wall clock for FakeSlack that starts at `start` (the test's time) and runs on, so that
    message timestamps are of the test's day, not the day the suite runs: a resume's history
    search looks back from times the bot took from its injected clock."""
    started = time.monotonic()
    return lambda: start.timestamp() + (time.monotonic() - started)


def wait_for(condition: Callable[[], Any], *, timeout: float = 5.0, what: str = "it") -> Any:
    """Poll until `condition()` is truthy (listeners finish after the ack); return its value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def submit_standup(
    bot: RunningBot, user_id: str, answers: dict[str, str], *, meeting: date = MEETING
) -> None:
    """/standup, then the modal filled with `answers` and submitted; waits until it is saved and
    everything after the ack (member refresh, confirmation, ask DMs) is done."""
    view = open_modal(bot, user_id)
    handled = f"standup handled: user={user_id} "
    done_before = len(bot.logs.messages(handled))
    response = submit_view(bot, view, answers, user_id)
    assert response.status_code == 200 and b"errors" not in response.content
    wait_for(lambda: bot.store.get_standup(user_id, meeting), what=f"{user_id}'s standup")
    bot.logs.wait_for(handled, count=done_before + 1, timeout=10)


def open_modal(bot: RunningBot, user_id: str = "U1", text: str = "") -> dict[str, Any]:
    """/standup (with `text`) as `user_id`; the view Slack was asked to open (with Slack's ids
    filled in)."""
    trigger = bot.slack.register_trigger(user_id=user_id)
    before = len(bot.slack.opened_views)
    response = bot.send(slash_command(text=text, user_id=user_id, trigger_id=trigger))
    assert response.status_code == 200, response.text
    wait_for(lambda: len(bot.slack.opened_views) > before, what="views.open")
    opened = next(v for v in bot.slack.opened_views[before:] if v.trigger_id == trigger)
    return opened.view


def submit_view(
    bot: RunningBot,
    view: dict[str, Any],
    answers: dict[str, str],
    user_id: str = "U1",
    **options: Any,
) -> httpx.Response:
    """Submit `view` filled with `answers` (`options` go to `bot.send`); the HTTP answer."""
    return bot.send(view_submission(view, fill_modal(view, answers), user_id=user_id), **options)


def dm_texts(slack: FakeSlack, user_id: str) -> list[str]:
    return [m.text for m in slack.messages(slack.dm_channel_id(user_id))]


def initial_values(view: dict[str, Any]) -> dict[str, str | None]:
    """block_id → initial_value of each input of a modal."""
    return {
        b["block_id"]: b["element"].get("initial_value")
        for b in view["blocks"]
        if b["type"] == "input"
    }


# --- Socket Mode, and one way to deliver a request in either mode --------------------------------


@dataclass(frozen=True)
class Delivered:
    """Slack's view of a delivery: the HTTP status and JSON body, or in Socket Mode the ack's
    payload (200: the app acked)."""

    status: int
    body: dict[str, Any] | None


def deliver(bot: RunningBot, request: SlackRequest, *, retry_num: int | None = None) -> Delivered:
    """`request` as Slack sends it to this bot: signed over HTTP, or as a Socket Mode envelope
    (with `retry_attempt` for a redelivery) when the bot runs in Socket Mode."""
    socket = bot.extra.get("socket_mode")
    if socket is None:
        response = bot.send(request, retry_num=retry_num)
        if response.headers.get("content-type", "").startswith("application/json"):
            return Delivered(response.status_code, response.json())
        # A plain-text answer is what Bolt sends as {"text": …} in Socket Mode
        return Delivered(response.status_code, {"text": response.text} if response.text else None)
    ack = socket.deliver(
        request, retry_attempt=retry_num, retry_reason="timeout" if retry_num else ""
    )
    return Delivered(200, ack.payload)


@contextmanager
def running_socket_bot(
    slack: FakeSlack,
    tmp_path: Path,
    *,
    github: Any = None,
    clock: Clock | None = None,
    **env: str,
) -> Iterator[RunningBot]:
    """The real app in Socket Mode: `bot.runtime.socket_mode` connects it to FakeSlack's Socket
    Mode server (`slack.enable_socket_mode()`), and /healthz runs under uvicorn. `extra` holds
    `socket_mode` (the fake's end) and `connector` (the app's)."""
    from bot.runtime.socket_mode import SocketMode

    socket = slack.enable_socket_mode()
    environment = bot_environment(slack, tmp_path, SLACK_APP_TOKEN=socket.app_token, **env)
    environment.pop("SLACK_SIGNING_SECRET")
    settings = load_settings(environment, env_file=None)
    clock = clock or Clock()
    with _app(settings, github, clock) as (deps, app, logs):
        connector = SocketMode(settings)
        refused: list[str] = []
        try:
            connector.check_token()
            links = len(socket.links)
            connector.start(app, on_refused=refused.append)
            socket.wait_for_connections(links + 1)
            with serve_asgi(create_web_app(None, health=connector.health)) as url:
                yield RunningBot(
                    url=url,
                    settings=settings,
                    deps=deps,
                    slack=slack,
                    clock=clock,
                    client=app.client,
                    logs=logs,
                    extra={"socket_mode": socket, "connector": connector, "refused": refused},
                )
        finally:
            connector.close()
