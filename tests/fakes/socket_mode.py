"""Slack's Socket Mode, faked on loopback: the websocket end of `apps.connections.open`.

    with FakeSlack() as slack:
        socket = slack.enable_socket_mode()          # apps.connections.open now answers
        ...start the bot with SLACK_APP_TOKEN=socket.app_token...
        socket.wait_for_connections(1)               # the bot connected and got `hello`
        ack = socket.deliver(slash_command(...))     # an envelope; the bot's ack comes back

As Slack speaks it (Slack's Socket Mode docs; shapes as in slack-sdk's own Socket Mode tests):

- `apps.connections.open` (FakeSlack, with the `xapp-` token) hands out a single-use
  `ws://127.0.0.1:PORT/link/?ticket=…&app_id=…`; a ticket used twice or unknown is refused with
  HTTP 401 at the handshake.
- On connect the server sends `{"type": "hello", "num_connections", "debug_info",
  "connection_info": {"app_id"}}`.
- Envelopes: `{"envelope_id", "type": "slash_commands" | "interactive" | "events_api",
  "payload", "accepts_response_payload"}`, and for events `retry_attempt` / `retry_reason`. The
  app acks with `{"envelope_id", "payload"?}` on the socket; `payload` carries what an HTTP answer
  body would (`response_action` for modals, `text` for commands).
- `refresh()` sends `{"type": "disconnect", "reason": "refresh_requested", "debug_info"}`, waits
  for the app to open a new connection (with a new URL), then closes the old one.

Built on the `websockets` library's threaded server. Every connection, message and ack is
recorded; `internal_errors` holds tracebacks of bugs in this fake.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from tests.fakes.slack_payloads import JSON, SlackRequest

JsonDict = dict[str, Any]

DEFAULT_APP_TOKEN = "xapp-1-A0APP-1111-fakesocketmodetoken"
ACK_TIMEOUT_SECONDS = 5.0  # Slack waits 3 s for an ack; tests wait a little longer


@dataclass
class Link:
    """One websocket connection from the app."""

    number: int
    ticket: str
    connection: ServerConnection
    opened_at: float
    closed_at: float | None = None
    received: list[str] = field(default_factory=list)  # every text frame, in order
    greeted: bool = False  # its `hello` was sent (and is in FakeSocketMode.sent)

    @property
    def open(self) -> bool:
        return self.closed_at is None


@dataclass(frozen=True)
class Ack:
    envelope_id: str
    payload: JsonDict | None
    link: int  # which connection it came on


class FakeSocketMode:
    def __init__(
        self, *, app_id: str, app_token: str = DEFAULT_APP_TOKEN, host_name: str = "applink-fake"
    ) -> None:
        self.app_id = app_id
        self.app_token = app_token
        self.host_name = host_name
        self._lock = threading.Condition()
        self._tickets: dict[str, bool] = {}  # ticket -> used
        self._numbers = itertools.count(1)
        self.links: list[Link] = []
        self.acks: dict[str, list[Ack]] = {}
        self.sent: list[JsonDict] = []  # every envelope and control message sent, in order
        self.internal_errors: list[str] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeSocketMode:
        if self._server is None:
            self._server = serve(
                self._serve_link,
                "127.0.0.1",
                0,
                process_request=self._check_ticket,
                compression=None,
                server_header="FakeSlackSocketMode/1.0",
            )
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="FakeSocketMode", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection (1001 going away), join every thread, close the socket."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        if thread is not None:
            thread.join(timeout=10)
        self._server = self._thread = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSocketMode is not running")
        return int(self._server.socket.getsockname()[1])

    # --- what apps.connections.open hands out -----------------------------------------------

    def issue_url(self) -> str:
        ticket = uuid.uuid4().hex
        with self._lock:
            self._tickets[ticket] = False
        query = urlencode({"ticket": ticket, "app_id": self.app_id})
        return f"ws://127.0.0.1:{self.port}/link/?{query}"

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        parts = urlsplit(request.path)
        ticket = parse_qs(parts.query).get("ticket", [""])[0]
        with self._lock:
            known = parts.path.rstrip("/") == "/link" and self._tickets.get(ticket) is False
            if known:
                self._tickets[ticket] = True
        if not known:
            return connection.respond(401, "invalid or used ticket\n")
        return None

    # --- the connection ---------------------------------------------------------------------

    def _serve_link(self, connection: ServerConnection) -> None:
        ticket = parse_qs(urlsplit(connection.request.path if connection.request else "").query)
        with self._lock:
            link = Link(next(self._numbers), ticket.get("ticket", [""])[0], connection, time.time())
            self.links.append(link)
            hello = {
                "type": "hello",
                "num_connections": sum(1 for known in self.links if known.open),
                "debug_info": {
                    "host": f"{self.host_name}-{link.number}",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.app_id},
            }
        try:
            connection.send(json.dumps(hello))
            with self._lock:
                self.sent.append(hello)
                link.greeted = True
                self._lock.notify_all()
            for message in connection:
                self._receive(link, message)
        except ConnectionClosed:
            pass
        except Exception:
            with self._lock:
                self.internal_errors.append(traceback.format_exc())
        finally:
            with self._lock:
                link.closed_at = time.time()
                self._lock.notify_all()

    def _receive(self, link: Link, message: str | bytes) -> None:
        text = message.decode() if isinstance(message, bytes) else message
        with self._lock:
            link.received.append(text)
            try:
                decoded = json.loads(text)
            except ValueError:
                decoded = None
            if isinstance(decoded, dict) and isinstance(decoded.get("envelope_id"), str):
                payload = decoded.get("payload")
                ack = Ack(decoded["envelope_id"], payload if payload else None, link.number)
                self.acks.setdefault(ack.envelope_id, []).append(ack)
            self._lock.notify_all()

    # --- what tests do ----------------------------------------------------------------------

    def wait_for(self, condition: Callable[[], Any], *, timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                value = condition()
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"FakeSocketMode: timed out waiting for {what}")
                self._lock.wait(left)

    def wait_for_connections(self, count: int, *, timeout: float = 10.0) -> Link:
        """Wait until the app has opened `count` connections in all, the last of them sent its
        `hello`; that one."""

        def greeted() -> bool:
            return len(self.links) >= count and self.links[count - 1].greeted

        self.wait_for(greeted, timeout=timeout, what=f"{count} links, greeted")
        return self.links[count - 1]

    @property
    def active(self) -> Link:
        """The newest open connection (where Slack sends envelopes)."""
        with self._lock:
            for link in reversed(self.links):
                if link.open:
                    return link
        raise AssertionError("FakeSocketMode: the app has no open connection")

    def send_envelope(
        self,
        kind: str,
        payload: JsonDict,
        *,
        accepts_response_payload: bool,
        retry_attempt: int | None = None,
        retry_reason: str = "",
        envelope_id: str | None = None,
    ) -> str:
        envelope: JsonDict = {
            "envelope_id": envelope_id or str(uuid.uuid4()),
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason
        link = self.active
        link.connection.send(json.dumps(envelope))
        with self._lock:
            self.sent.append(envelope)
        return str(envelope["envelope_id"])

    def wait_for_ack(self, envelope_id: str, *, timeout: float = ACK_TIMEOUT_SECONDS) -> Ack:
        acks = self.wait_for(
            lambda: self.acks.get(envelope_id), timeout=timeout, what=f"the ack of {envelope_id}"
        )
        return acks[0]  # type: ignore[no-any-return]

    def deliver(
        self,
        request: SlackRequest,
        *,
        retry_attempt: int | None = None,
        retry_reason: str = "",
        timeout: float = ACK_TIMEOUT_SECONDS,
    ) -> Ack:
        """Send what Slack would POST in HTTP mode as the envelope it sends in Socket Mode, and
        wait for the app's ack."""
        kind, payload, accepts = envelope_of(request)
        envelope_id = self.send_envelope(
            kind,
            payload,
            accepts_response_payload=accepts,
            retry_attempt=retry_attempt,
            retry_reason=retry_reason,
        )
        return self.wait_for_ack(envelope_id, timeout=timeout)

    def send_disconnect(self, reason: str = "refresh_requested") -> Link:
        """Slack's `disconnect` message on the active connection; that connection."""
        link = self.active
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": self.host_name}}
        with self._lock:
            self.sent.append(message)
        link.connection.send(json.dumps(message))
        return link

    def refresh(self, reason: str = "refresh_requested", *, timeout: float = 10.0) -> Link:
        """Ask the app to reconnect, as Slack does before recycling a connection: it must open
        a new connection; then the old one is closed if the app has not closed it already."""
        with self._lock:
            before = len(self.links)
        old = self.send_disconnect(reason)
        new = self.wait_for_connections(before + 1, timeout=timeout)
        old.connection.close()
        self.wait_for(lambda: not old.open, timeout=timeout, what="the old link to close")
        return new


def envelope_of(request: SlackRequest) -> tuple[str, JsonDict, bool]:
    """(type, payload, accepts_response_payload) of the envelope Slack sends in Socket Mode for
    what it would POST in HTTP mode: Events API JSON, a slash command's form fields, or an
    interactivity payload."""
    payload = request.payload()
    if request.content_type == JSON:
        return "events_api", payload, False
    if "command" in payload:
        return "slash_commands", payload, True
    return "interactive", payload, payload.get("type") in ("view_submission", "block_suggestion")
