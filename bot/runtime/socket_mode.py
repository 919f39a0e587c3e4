"""Socket Mode: the bot connects out to Slack and keeps connecting.

slack-sdk's built-in client (`slack_sdk.socket_mode.builtin`) runs the websocket: it answers
`hello`, acks each envelope by its `envelope_id`, reconnects on `disconnect` (Slack's
`refresh_requested`) and when a session drops, but its reconnect monitor only starts after a
first connect got as far as a websocket. A first `apps.connections.open` that fails (a laptop
whose network comes up late) used to end the connecting thread for good while /healthz said 200.
Here:

- `SocketMode.check_token()` runs before `serve` starts anything: a token Slack refuses stops the
  process with one line naming SLACK_APP_TOKEN (`ConfigError`); no network is not a refusal.
- `SocketMode.start()` connects in a thread and retries with backoff (`BACKOFF`) until a session
  is up; from then on the SDK's monitor reconnects. A token refused later (revoked while running)
  calls `on_refused`, which stops `serve` with the same line.
- `SocketMode.health()` is what /healthz reports: 200 only while a session is connected.

Every envelope runs through the same Bolt app as HTTP mode (`run_bolt_app`, `send_response`:
what slack-bolt's own Socket Mode handler does).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.config import ConfigError, Settings
from bot.slack.client import create_app_token_client
from bot.slack.connections import SocketUrl, open_socket_url, refused_line

log = logging.getLogger(__name__)

PING_INTERVAL_SECONDS = 10.0  # slack-bolt's default; a session silent for 4 pings is replaced


@dataclass(frozen=True)
class Backoff:
    """Seconds between connection attempts: `first`, doubling up to `longest`, plus up to
    `jitter` of each (so many bots coming back from one outage do not knock in step)."""

    first: float = 1.0
    longest: float = 60.0
    jitter: float = 0.1

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay * (1 + random.uniform(0, self.jitter))
            delay = min(delay * 2, self.longest)


BACKOFF = Backoff()


class AppTokenRefused(Exception):
    """Slack refused SLACK_APP_TOKEN while (re)connecting."""


class _SocketClient(SocketModeClient):
    """The SDK's client, asking for each websocket URL through `open_socket_url` so that every
    answer is told apart the same way, and a refused token is reported once, not retried."""

    def __init__(
        self,
        app_token: str,
        web_client: WebClient,
        *,
        on_refused: Callable[[str], None],
        on_problem: Callable[[str | None], None],
    ) -> None:
        super().__init__(
            app_token=app_token,
            web_client=web_client,
            logger=logging.getLogger("slack_sdk.socket_mode"),
            ping_interval=PING_INTERVAL_SECONDS,
            on_error_listeners=[lambda error: on_problem(f"{type(error).__name__}: {error}")],
        )
        self._on_refused = on_refused
        self._on_problem = on_problem

    def connect_to_new_endpoint(self, force: bool = False) -> None:
        """The SDK calls this on `disconnect` and from its monitor; a failure to get a URL is
        reported here in one line (or through on_refused), not as the SDK's traceback."""
        try:
            super().connect_to_new_endpoint(force=force)
        except AppTokenRefused:
            pass
        except ConnectionError as error:
            log.warning("Socket Mode: could not reconnect (%s); trying again", error)

    def issue_new_wss_url(self) -> str:
        answer = open_socket_url(self.web_client, self.app_token)
        if answer.refused is not None:
            self.auto_reconnect_enabled = False
            self._on_refused(answer.refused)
            raise AppTokenRefused(answer.refused)
        if answer.url is None:
            problem = answer.problem or "no answer"
            self._on_problem(problem)
            raise ConnectionError(problem)
        self._on_problem(None)
        return answer.url


class SocketMode:
    """One Socket Mode connection for `serve`: check the token, connect, report, close."""

    def __init__(self, settings: Settings, *, backoff: Backoff = BACKOFF) -> None:
        token = settings.secret("slack_app_token")
        if not token:
            raise ConfigError("SLACK_APP_TOKEN is not set: Socket Mode needs the app-level token")
        self._token = token
        self._web_client = create_app_token_client(settings)
        self._backoff = backoff
        self._first_url: str | None = None
        self._client: _SocketClient | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._problem: str | None = None
        self._refused: str | None = None
        self._on_refused: Callable[[str], None] = lambda line: None

    def check_token(self) -> None:
        """Ask Slack for a websocket URL once, before serving: ConfigError if it refuses the
        token. Without an answer (no network yet) the bot serves and keeps trying."""
        answer: SocketUrl = open_socket_url(self._web_client, self._token)
        if answer.refused is not None:
            raise ConfigError(refused_line(answer.refused))
        if answer.url is None:
            self._note_problem(answer.problem or "no answer")
            log.warning(
                "Socket Mode: Slack cannot be reached yet (%s); connecting in the background",
                self._problem,
            )
        self._first_url = answer.url

    def start(self, app: App, *, on_refused: Callable[[str], None]) -> None:
        """Connect in the background, retrying until a session is up. `on_refused(line)` is
        called once if Slack refuses the token (the caller stops serving)."""
        self._on_refused = on_refused
        client = _SocketClient(
            self._token, self._web_client, on_refused=self._refuse, on_problem=self._note_problem
        )

        def handle(client: BaseSocketModeClient, request: SocketModeRequest) -> None:
            started = time.time()
            send_response(client, request, run_bolt_app(app, request), started)

        client.socket_mode_request_listeners.append(handle)
        self._client = client
        self._thread = threading.Thread(target=self._connect, name="socket-mode", daemon=True)
        self._thread.start()

    def _connect(self) -> None:
        client = self._client
        assert client is not None
        delays = self._backoff.delays()
        while not self._stopping.is_set():
            try:
                if self._first_url is not None:
                    client.wss_uri, self._first_url = self._first_url, None
                    client.connect()
                else:
                    client.connect_to_new_endpoint()
            except Exception as error:  # the SDK raises what urllib and sockets raise
                self._note_problem(f"{type(error).__name__}: {error}")
            with self._lock:
                if self._refused is not None:
                    return
            if client.is_connected():
                with self._lock:
                    self._problem = None
                log.info("Socket Mode: connected (session %s)", client.session_id())
                return
            delay = next(delays)
            log.info("Socket Mode: not connected yet; trying again in %.0f s", delay)
            self._stopping.wait(delay)

    def _note_problem(self, problem: str | None) -> None:
        with self._lock:
            self._problem = problem

    def _refuse(self, code: str) -> None:
        with self._lock:
            first = self._refused is None
            self._refused = code
        if first:
            line = refused_line(code)
            log.error("Socket Mode: %s", line)
            self._on_refused(line)

    def health(self) -> tuple[bool, dict[str, Any]]:
        """(connected, what /healthz shows): the socket's state and, while down, why."""
        client = self._client
        connected = client is not None and client.is_connected()
        with self._lock:
            refused, problem = self._refused, self._problem
        details: dict[str, Any] = {"mode": "socket"}
        if connected:
            details["socket"] = "connected"
        elif refused is not None:
            details.update(socket="refused", problem=refused_line(refused))
        else:
            details["socket"] = "connecting"
            if problem:
                details["problem"] = problem
        return connected, details

    def close(self) -> None:
        self._stopping.set()
        if self._client is not None:
            self._client.close()
        if self._thread is not None:
            self._thread.join(timeout=10)
