"""A loopback fake of the Slack Web API, for tests that run the real code against a real socket.

`FakeSlack` is an HTTP server on 127.0.0.1 (a free port) that answers the Web API methods
standup-bot uses with Slack's response shapes and error codes, and records every call. Point
the code under test at it with `SLACK_API_URL=fake.url` or `WebClient(base_url=fake.url)`:

    with FakeSlack() as slack:
        slack.add_member("U1", "kevin", real_name="Kevin")
        slack.add_channel("C1", "standup", members=["U1"])
        client = WebClient(token=slack.token, base_url=slack.url)
        client.chat_postMessage(channel="C1", text="hi")
        assert slack.messages("C1")[0].text == "hi"

Like Slack, every API error is HTTP 200 with `{"ok": false, "error": ...}` except rate limits
(HTTP 429 with `Retry-After`). Faults (`fail_next`) and per-channel post pacing
(`rate_limit_posts`) let tests drive retries. State is plain dataclasses behind one lock; the
test thread may read it at any time.

The workspace starts with the bot user and Slackbot (whom users.list reports with
`is_bot: false`, as Slack does); add people and channels with `add_member` / `add_channel`.
Like Slack, stored message and view blocks get a random block_id where the app gave none.

Socket Mode: `enable_socket_mode()` makes `apps.connections.open` answer the app-level token
with the URL of a loopback websocket server that speaks Slack's Socket Mode (`hello`, envelopes
acked by `envelope_id`, `disconnect`): see `tests/fakes/socket_mode.py`.

What this fake does not model: Enterprise Grid, multi-person DMs, user tokens, message
deletion, pins, and sending events on its own (tests deliver events by signing them into the app
themselves, see `tests/fakes/slack_payloads.py`, or as Socket Mode envelopes).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import email.message
import email.parser
import email.policy
import json
import math
import mimetypes
import random
import string
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import yaml

if TYPE_CHECKING:
    from tests.fakes.socket_mode import FakeSocketMode

JsonDict = dict[str, Any]
T = TypeVar("T")

# --- the workspace every FakeSlack starts with (shared with slack_payloads.py) ---------------

DEFAULT_TOKEN = "xoxb-1111-2222-fakeslacktoken"
DEFAULT_TEAM_ID = "T0TEAM"
DEFAULT_TEAM_NAME = "Acme"
DEFAULT_TEAM_DOMAIN = "acme"
DEFAULT_APP_ID = "A0APP"
DEFAULT_BOT_USER_ID = "UBOT"
DEFAULT_BOT_ID = "BBOT"
DEFAULT_BOT_NAME = "standup-bot"
SLACKBOT_USER_ID = "USLACKBOT"

# Exactly the bot scopes manifest.yaml asks for, read from the file itself (not through the bot's
# code), so a call the real install may not make fails here too.
MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yaml"
DEFAULT_SCOPES: tuple[str, ...] = tuple(
    yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["oauth_config"]["scopes"]["bot"]
)

# Socket Mode's one Web API method; it takes the app-level token, not the bot token.
APPS_CONNECTIONS_OPEN = "apps.connections.open"

# The pseudo-method under which uploads to an upload URL are recorded and can be faulted.
UPLOAD = "upload"

# --- Slack's limits (Block Kit and Web API reference) --------------------------------

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_LABEL_TEXT = 2000
MAX_VIEW_TITLE = 24
MAX_VIEW_BUTTON = 24
MAX_PRIVATE_METADATA = 3000
MAX_ID_LENGTH = 255
MAX_INPUT_LENGTH = 3000
MAX_GROUP_OPTIONS = 10  # options of a checkboxes or radio_buttons element
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_MESSAGE_TEXT = 40_000
MAX_UPDATE_TEXT = 4_000
TRIGGER_TTL_SECONDS = 3.0

BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "table",
        "video",
    }
)
INPUT_ELEMENT_TYPES = frozenset(
    {
        "plain_text_input",
        "rich_text_input",
        "email_text_input",
        "url_text_input",
        "number_input",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "multi_conversations_select",
        "channels_select",
        "multi_channels_select",
        "static_select",
        "multi_static_select",
        "external_select",
        "multi_external_select",
        "checkboxes",
        "radio_buttons",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "file_input",
    }
)
TEXT_TYPES = frozenset({"plain_text", "mrkdwn"})

# Parameters that form-encoded callers send as JSON strings.
_JSON_PARAMS = ("blocks", "attachments", "metadata", "files", "view", "user_auth_blocks")


# --- state ----------------------------------------------------------------------------------


@dataclass
class FakeUser:
    id: str
    name: str
    real_name: str = ""
    display_name: str = ""
    email: str | None = None
    tz: str | None = "UTC"
    is_bot: bool = False
    deleted: bool = False
    bot_id: str | None = None
    status_text: str = ""
    status_emoji: str = ""
    status_expiration: int = 0  # epoch seconds; 0: the status does not expire


@dataclass
class FakeChannel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_archived: bool = False
    members: list[str] = field(default_factory=list)  # as conversations.members lists them
    user: str | None = None  # the other party of a DM
    created: int = 0
    topic: str = ""


@dataclass
class FakeMessage:
    channel: str
    ts: str
    user: str
    text: str = ""
    # As Slack stores them: a block_id filled in where the app gave none (the recorded call's
    # params keep the blocks exactly as sent).
    blocks: list[JsonDict] | None = None
    attachments: list[JsonDict] | None = None
    thread_ts: str | None = None  # set on replies only; a parent's thread_ts is its ts
    reply_broadcast: bool = False
    metadata: JsonDict | None = None  # {"event_type", "event_payload"}
    reactions: dict[str, list[str]] = field(default_factory=dict)  # name -> user ids, in order
    edited: dict[str, str] | None = None  # {"user", "ts"} of the last chat.update
    files: list[str] = field(default_factory=list)  # file ids shared with this message
    bot_id: str | None = None
    app_id: str | None = None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


@dataclass
class FakeEphemeral:
    channel: str
    user: str  # who sees it
    message_ts: str
    text: str
    blocks: list[JsonDict] | None
    thread_ts: str | None


@dataclass
class FakeFile:
    id: str
    name: str
    length: int  # as declared to files.getUploadURLExternal
    created: int
    content: bytes | None = None  # None until bytes arrive at the upload URL
    alt_txt: str | None = None
    title: str | None = None
    completed: bool = False
    channel: str | None = None
    thread_ts: str | None = None
    message_ts: str | None = None
    initial_comment: str | None = None

    @property
    def uploaded(self) -> bool:
        return self.content is not None


@dataclass
class FakeView:
    id: str
    view: JsonDict  # as Slack answers it: id, hash, blocks with block_ids filled in, ...
    user_id: str | None = None
    trigger_id: str | None = None
    updates: int = 0

    @property
    def type(self) -> str:
        return str(self.view.get("type", ""))

    @property
    def hash(self) -> str:
        return str(self.view["hash"])

    @property
    def callback_id(self) -> str:
        return str(self.view.get("callback_id", ""))

    @property
    def private_metadata(self) -> str:
        return str(self.view.get("private_metadata", ""))

    @property
    def blocks(self) -> list[JsonDict]:
        blocks: list[JsonDict] = self.view.get("blocks", [])
        return blocks


@dataclass
class RecordedCall:
    method: str  # e.g. "chat.postMessage", or UPLOAD for the upload URL
    params: JsonDict  # parsed body (+ query); JSON-string fields of form bodies decoded
    headers: dict[str, str]  # lower-cased names
    time: float  # wall clock at arrival
    status: int | None = None  # HTTP status answered, once answered
    response: JsonDict | None = None  # JSON body answered, once answered

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.response is None else self.response.get("error")


@dataclass
class Fault:
    method: str  # an API method, UPLOAD, or "*" for any
    times: int
    error: str | None
    status: int
    retry_after: int | None
    delay: float


@dataclass
class _Trigger:
    created: float
    user_id: str | None
    used: bool = False


@dataclass
class _Bucket:
    tokens: float
    updated: float


class ApiError(Exception):
    """Raised inside a method handler; becomes `{"ok": false, "error": ..., **extra}`."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


class FakeSlack:
    """The fake. See the module docstring; every public method is safe from any thread."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        scopes: Iterable[str] = DEFAULT_SCOPES,
        team_id: str = DEFAULT_TEAM_ID,
        team_name: str = DEFAULT_TEAM_NAME,
        team_domain: str = DEFAULT_TEAM_DOMAIN,
        app_id: str = DEFAULT_APP_ID,
        bot_user_id: str = DEFAULT_BOT_USER_ID,
        bot_id: str = DEFAULT_BOT_ID,
        bot_name: str = DEFAULT_BOT_NAME,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        seed: int = 0,
    ) -> None:
        self.token = token
        self.scopes: list[str] = list(scopes)
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.app_id = app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.trigger_ttl = TRIGGER_TTL_SECONDS
        self._clock = clock  # for trigger expiry and rate limits
        self._wall_clock = wall_clock  # for message ts and `created` fields
        self._rng = random.Random(seed)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

        self.users: dict[str, FakeUser] = {}
        self.channels: dict[str, FakeChannel] = {}
        self._messages: dict[str, list[FakeMessage]] = {}
        self._ephemerals: list[FakeEphemeral] = []
        self._files: dict[str, FakeFile] = {}
        self._views: dict[str, FakeView] = {}
        self._opened: list[FakeView] = []
        self._home: dict[str, FakeView] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._faults: list[Fault] = []
        self._post_rate: tuple[float, int] | None = None
        self._buckets: dict[str, _Bucket] = {}
        self._last_ts_micros = 0
        self._ids = 0
        self.calls: list[RecordedCall] = []
        self.responses: list[tuple[str, JsonDict]] = []  # (response_url, JSON posted to it)
        self.internal_errors: list[str] = []  # tracebacks of bugs in this fake
        self.socket_mode: FakeSocketMode | None = None  # see enable_socket_mode

        self.users[bot_user_id] = FakeUser(
            bot_user_id, bot_name, real_name=bot_name, tz=None, is_bot=True, bot_id=bot_id
        )
        self.users[SLACKBOT_USER_ID] = FakeUser(
            SLACKBOT_USER_ID, "slackbot", real_name="Slackbot", tz="America/Los_Angeles"
        )
        self._methods: dict[str, Callable[[JsonDict], JsonDict]] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.members": self._conversations_members,
            "conversations.info": self._conversations_info,
            "conversations.open": self._conversations_open,
            "users.list": self._users_list,
            "users.info": self._users_info,
            "reactions.get": self._reactions_get,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
        }

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeSlack:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wake any delayed answer, join every thread and close the socket."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        if self.socket_mode is not None:
            self.socket_mode.stop()
        server.shutdown()
        server.server_close()  # joins the request threads (block_on_close)
        if thread is not None:
            thread.join()
        self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        errors = self.internal_errors + (
            self.socket_mode.internal_errors if self.socket_mode else []
        )
        if exc_type is None and errors:
            raise AssertionError("FakeSlack crashed:\n" + "\n".join(errors))

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not running; call start() or use it in a with block")
        return int(self._server.server_address[1])

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """The Web API base URL, for `SLACK_API_URL` / `WebClient(base_url=...)`."""
        return f"{self.root}/api/"

    # --- setting up the workspace -----------------------------------------------------------

    def add_member(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str = "",
        display_name: str = "",
        email: str | None = None,
        tz: str | None = "UTC",
        is_bot: bool = False,
        deleted: bool = False,
        channels: Iterable[str] = (),
    ) -> FakeUser:
        """Add a workspace member (and put them in `channels`, which must exist)."""
        user = FakeUser(
            user_id,
            name,
            real_name=real_name,
            display_name=display_name,
            email=email,
            tz=tz,
            is_bot=is_bot,
            deleted=deleted,
            bot_id=f"B{user_id[1:]}" if is_bot else None,
        )
        with self._lock:
            self.users[user_id] = user
            for channel_id in channels:
                members = self.channels[channel_id].members
                if user_id not in members:
                    members.append(user_id)
        return user

    def set_status(
        self, user_id: str, emoji: str = "", text: str = "", *, expiration: int = 0
    ) -> None:
        """Set a member's custom status, as users.profile.set would (users.list shows it).

        The fake never clears a status at its expiration (it has no clock of the test's), so
        what the bot sees past it is its own reading of `status_expiration`."""
        with self._lock:
            user = self.users[user_id]
            user.status_emoji, user.status_text, user.status_expiration = emoji, text, expiration

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        is_private: bool = False,
        members: Iterable[str] = (),
        bot_member: bool = True,
        is_archived: bool = False,
        topic: str = "",
    ) -> FakeChannel:
        """Add a channel. The bot is a member unless `bot_member=False`."""
        member_ids = list(members)
        if bot_member and self.bot_user_id not in member_ids:
            member_ids.append(self.bot_user_id)
        channel = FakeChannel(
            channel_id,
            name,
            is_private=is_private,
            is_archived=is_archived,
            members=member_ids,
            created=int(self._wall_clock()),
            topic=topic,
        )
        with self._lock:
            self.channels[channel_id] = channel
            self._messages.setdefault(channel_id, [])
        return channel

    def bot_in(self, channel_id: str) -> bool:
        with self._lock:
            channel = self.channels.get(channel_id)
            return channel is not None and self.bot_user_id in channel.members

    def dm_channel_id(self, user_id: str) -> str:
        """The id conversations.open gives the bot's DM with `user_id`."""
        return "D" + user_id.removeprefix("U").removeprefix("W")

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str,
        thread_ts: str | None = None,
        blocks: list[JsonDict] | None = None,
    ) -> FakeMessage:
        """Put a message a person wrote into a channel (or thread), as if they had posted it."""
        with self._lock:
            if channel not in self.channels:
                raise KeyError(f"no channel {channel}")
            root = self._thread_root(channel, thread_ts) if thread_ts else None
            if thread_ts and root is None:
                raise KeyError(f"no message {thread_ts} in {channel}")
            message = FakeMessage(
                channel,
                self._next_ts(),
                user,
                text=text,
                blocks=blocks,
                thread_ts=root.ts if root else None,
            )
            self._messages[channel].append(message)
            return message

    def add_reaction(self, channel: str, ts: str, name: str, user: str) -> FakeMessage:
        """A person reacts (state only; deliver the event by signing one into the app)."""
        with self._lock:
            message = self._require_message(channel, ts)
            users = message.reactions.setdefault(name, [])
            if user not in users:
                users.append(user)
            return message

    def remove_reaction(self, channel: str, ts: str, name: str, user: str) -> FakeMessage:
        with self._lock:
            message = self._require_message(channel, ts)
            users = message.reactions.get(name, [])
            if user in users:
                users.remove(user)
            if not users:
                message.reactions.pop(name, None)
            return message

    def register_trigger(
        self, trigger_id: str | None = None, *, user_id: str | None = None, age: float = 0.0
    ) -> str:
        """A trigger_id that views.open accepts once within `trigger_ttl` seconds.

        `age` makes it that many seconds old already (an expired trigger without sleeping).
        """
        with self._lock:
            if trigger_id is None:
                trigger_id = (
                    f"{self._rng.randrange(10**10, 10**11)}.{self._rng.randrange(10**9, 10**10)}."
                    f"{self._rng.getrandbits(128):032x}"
                )
            self._triggers[trigger_id] = _Trigger(self._clock() - age, user_id)
            return trigger_id

    def response_url(self) -> str:
        """A response_url on this server; what the app posts to it lands in `responses`."""
        with self._lock:
            return f"{self.root}/respond/{self._new_id('R')}"

    # --- faults -----------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        times: int = 1,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        delay: float = 0.0,
    ) -> None:
        """Make the next `times` calls of `method` ("*" for any, UPLOAD for the upload URL) fail.

        status=429 answers `Retry-After` (default 1) and `ratelimited`; status=5xx answers that
        status; error="x" answers HTTP 200 `{"ok": false, "error": "x"}`; delay sleeps first,
        and with no error or status it then answers normally (a slow Slack).
        """
        if error is None and status == 200 and delay <= 0:
            raise ValueError("fail_next needs an error, a non-200 status or a delay")
        with self._lock:
            self._faults.append(Fault(method, times, error, status, retry_after, delay))

    def rate_limit_posts(self, per_second: float | None = 1.0, *, burst: int = 3) -> None:
        """Pace chat.postMessage per channel like Slack (~1/s with short bursts); None: off."""
        with self._lock:
            self._post_rate = None if per_second is None else (per_second, burst)
            self._buckets.clear()

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._post_rate = None
            self._buckets.clear()

    # --- inspecting -------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[RecordedCall]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def clear_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    def messages(self, channel: str, thread_ts: str | None = None) -> list[FakeMessage]:
        """Top-level messages of a channel, oldest first; with thread_ts, that thread's replies."""
        with self._lock:
            stored = self._messages.get(channel, [])
            if thread_ts is None:
                return [m for m in stored if not m.is_reply]
            return [m for m in stored if m.is_reply and m.thread_ts == thread_ts]

    def thread(self, channel: str, ts: str) -> list[FakeMessage]:
        """A thread's parent followed by its replies (what conversations.replies answers)."""
        with self._lock:
            root = self._thread_root(channel, ts)
            if root is None:
                return []
            return [root, *self.messages(channel, thread_ts=root.ts)]

    def find_message(self, channel: str, ts: str) -> FakeMessage | None:
        with self._lock:
            for message in self._messages.get(channel, []):
                if message.ts == ts:
                    return message
            return None

    def ephemerals(self, channel: str | None = None) -> list[FakeEphemeral]:
        with self._lock:
            return [e for e in self._ephemerals if channel is None or e.channel == channel]

    @property
    def opened_views(self) -> list[FakeView]:
        """Modals opened by views.open, in order (each reflects later views.update calls)."""
        with self._lock:
            return list(self._opened)

    @property
    def published_views(self) -> dict[str, JsonDict]:
        """The Home tab view last published for each user id."""
        with self._lock:
            return {user: view.view for user, view in self._home.items()}

    @property
    def uploaded_files(self) -> list[FakeFile]:
        """Every file started with files.getUploadURLExternal, in order."""
        with self._lock:
            return list(self._files.values())

    def view(self, view_id: str) -> FakeView:
        with self._lock:
            return self._views[view_id]

    # --- Socket Mode (tests/fakes/socket_mode.py) --------------------------------------------

    def enable_socket_mode(self, app_token: str | None = None) -> FakeSocketMode:
        """Start the Socket Mode server; `apps.connections.open` then answers `app_token` (an
        `xapp-` token) with a single-use `ws://` URL of it. Stopped with this fake."""
        from tests.fakes.socket_mode import DEFAULT_APP_TOKEN, FakeSocketMode

        with self._lock:
            if self.socket_mode is None:
                self.socket_mode = FakeSocketMode(
                    app_id=self.app_id, app_token=app_token or DEFAULT_APP_TOKEN
                ).start()
            return self.socket_mode

    def _apps_connections_open(
        self, headers: dict[str, str], params: JsonDict
    ) -> tuple[int, JsonDict, dict[str, str]]:
        """Like Slack: the app-level token gets a URL; a bot or user token is the wrong type;
        anything else is invalid_auth."""
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ").strip() or str(params.get("token") or "")
        socket = self.socket_mode
        scopes = {
            "x-oauth-scopes": "connections:write",
            "x-accepted-oauth-scopes": "connections:write",
        }
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        if token.startswith(("xoxb-", "xoxp-")):
            return 200, {"ok": False, "error": "not_allowed_token_type"}, {}
        if socket is None or token != socket.app_token:
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        return 200, {"ok": True, "url": socket.issue_url()}, scopes

    # --- HTTP plumbing (called from the request threads) ------------------------------------

    def _handle(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        path = parts.path
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in handler.headers.items()}
        if path.startswith("/api/"):
            self._handle_api(handler, path.removeprefix("/api/"), parts.query, body, headers)
        elif path.startswith("/upload/"):
            self._handle_upload(handler, path.removeprefix("/upload/"), body, headers)
        elif path.startswith("/respond/"):
            self._handle_response_url(handler, body, headers)
        else:
            handler.send_text(404, "Not Found")

    def _handle_api(
        self, handler: _Handler, method: str, query: str, body: bytes, headers: dict[str, str]
    ) -> None:
        call = RecordedCall(method, {}, headers, self._wall_clock())
        with self._lock:
            self.calls.append(call)
        try:
            call.params = _parse_params(query, body, headers.get("content-type", ""))
        except ApiError as exc:
            self._answer(handler, call, 200, {"ok": False, "error": exc.error})
            return
        if self._inject_fault(handler, call):
            return
        status, payload, extra_headers = self._call_api(method, call.params, headers)
        self._answer(handler, call, status, payload, extra_headers)

    def _call_api(
        self, method: str, params: JsonDict, headers: dict[str, str]
    ) -> tuple[int, JsonDict, dict[str, str]]:
        if method == APPS_CONNECTIONS_OPEN:
            return self._apps_connections_open(headers, params)
        implementation = self._methods.get(method)
        if implementation is None:
            return 200, {"ok": False, "error": "unknown_method", "req_method": method}, {}
        with self._lock:
            scope_headers = {"x-oauth-scopes": ",".join(self.scopes)}
            auth_error = None if method == "api.test" else self._check_token(headers, params)
            if auth_error:
                return 200, {"ok": False, "error": auth_error}, {}
            needed = self._needed_scopes(method, params)
            scope_headers["x-accepted-oauth-scopes"] = ",".join(needed)
            if needed and not any(scope in self.scopes for scope in needed):
                payload = {
                    "ok": False,
                    "error": "missing_scope",
                    "needed": ",".join(needed),
                    "provided": ",".join(self.scopes),
                }
                return 200, payload, scope_headers
            if method == "chat.postMessage":
                retry_after = self._take_post_token(str(params.get("channel", "")))
                if retry_after is not None:
                    scope_headers["Retry-After"] = str(retry_after)
                    return 429, {"ok": False, "error": "ratelimited"}, scope_headers
            try:
                result = implementation(params)
            except ApiError as exc:
                return 200, {"ok": False, "error": exc.error, **exc.extra}, scope_headers
            return 200, {"ok": True, **result}, scope_headers

    def _inject_fault(self, handler: _Handler, call: RecordedCall) -> bool:
        """Apply the first pending fault for this call; True if it answered the request."""
        with self._lock:
            fault = next(
                (f for f in self._faults if f.method in (call.method, "*") and f.times > 0), None
            )
            if fault is None:
                return False
            fault.times -= 1
            if fault.times == 0:
                self._faults.remove(fault)
        if fault.delay > 0 and self._stopping.wait(fault.delay):
            handler.close_connection = True
            return True  # shutting down: drop the request like a dying server
        if fault.status == 200 and fault.error is None:
            return False  # a slow but otherwise normal answer
        headers: dict[str, str] = {}
        if fault.status == 429:
            headers["Retry-After"] = str(fault.retry_after if fault.retry_after else 1)
            error = fault.error or "ratelimited"
        elif fault.status >= 500:
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            error = fault.error or "internal_error"
        else:
            error = fault.error or "fake_fault"
        self._answer(handler, call, fault.status, {"ok": False, "error": error}, headers)
        return True

    def _answer(
        self,
        handler: _Handler,
        call: RecordedCall,
        status: int,
        payload: JsonDict,
        headers: dict[str, str] | None = None,
    ) -> None:
        call.status, call.response = status, payload
        handler.send_json(status, payload, headers or {})

    def _handle_upload(
        self, handler: _Handler, file_id: str, body: bytes, headers: dict[str, str]
    ) -> None:
        call = RecordedCall(UPLOAD, {"file_id": file_id}, headers, self._wall_clock())
        with self._lock:
            self.calls.append(call)
        if self._inject_fault(handler, call):
            return
        content = _upload_content(body, headers.get("content-type", ""))
        call.params["size"] = len(content)
        with self._lock:
            upload = self._files.get(file_id)
            if upload is not None and not upload.completed:
                upload.content = content
        if upload is None or upload.completed:
            call.status = 404
            handler.send_text(404, "Not Found")
            return
        call.status = 200
        handler.send_text(200, f"OK - {len(content)}")

    def _handle_response_url(self, handler: _Handler, body: bytes, headers: dict[str, str]) -> None:
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            handler.send_text(400, "invalid_payload")
            return
        with self._lock:
            self.responses.append((self.root + handler.path, payload))
        handler.send_text(200, "ok")

    # --- auth, scopes, pacing ---------------------------------------------------------------

    def _check_token(self, headers: dict[str, str], params: JsonDict) -> str | None:
        authorization = headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ").strip() if authorization else ""
        token = token or str(params.get("token") or "")
        if not token:
            return "not_authed"
        if token != self.token:
            return "invalid_auth"
        return None

    def _needed_scopes(self, method: str, params: JsonDict) -> tuple[str, ...]:
        """Scopes of which the token needs one for `method` (by channel type where relevant)."""
        if method in ("conversations.history", "conversations.replies"):
            return (self._scope_family(params) + ":history",)
        if method in ("conversations.members", "conversations.info"):
            return (self._scope_family(params) + ":read",)
        fixed = {
            "chat.postMessage": "chat:write",
            "chat.update": "chat:write",
            "chat.postEphemeral": "chat:write",
            "conversations.open": "im:write",
            "users.list": "users:read",
            "users.info": "users:read",
            "reactions.get": "reactions:read",
            "files.getUploadURLExternal": "files:write",
            "files.completeUploadExternal": "files:write",
        }
        return (fixed[method],) if method in fixed else ()

    def _scope_family(self, params: JsonDict) -> str:
        channel = self.channels.get(str(params.get("channel", "")))
        if channel is None:
            return "channels"
        if channel.is_im:
            return "im"
        return "groups" if channel.is_private else "channels"

    def _take_post_token(self, channel: str) -> int | None:
        """Token bucket per channel; the Retry-After seconds when the post must wait."""
        if self._post_rate is None:
            return None
        rate, burst = self._post_rate
        now = self._clock()
        bucket = self._buckets.setdefault(channel, _Bucket(float(burst), now))
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / rate))

    # --- ids and lookups --------------------------------------------------------------------

    def _next_ts(self) -> str:
        micros = max(int(self._wall_clock() * 1_000_000), self._last_ts_micros + 1)
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}{self._ids:010d}"

    def _random_id(self, length: int) -> str:
        return "".join(
            self._rng.choice(string.ascii_letters + string.digits) for _ in range(length)
        )

    def _thread_root(self, channel: str, ts: str | None) -> FakeMessage | None:
        message = self.find_message(channel, ts) if ts else None
        if message is None:
            return None
        return self.find_message(channel, message.thread_ts or "") if message.is_reply else message

    def _require_message(self, channel: str, ts: str) -> FakeMessage:
        message = self.find_message(channel, ts)
        if message is None:
            raise KeyError(f"no message {ts} in {channel}")
        return message

    def _channel(self, ref: Any, *, user_ids: bool = False) -> FakeChannel:
        """The channel a `channel` argument names: an id or a #name, or with `user_ids` (where
        Slack allows one, as chat.postMessage does) a user id for the bot's DM with them."""
        ref = str(ref or "")
        if user_ids and ref.startswith(("U", "W")) and ref in self.users:
            return self._open_dm(ref)
        channel = self.channels.get(ref)
        if channel is None and ref.startswith("#"):
            channel = next((c for c in self.channels.values() if c.name == ref[1:]), None)
        if channel is None:
            raise ApiError("channel_not_found")
        if channel.is_private and self.bot_user_id not in channel.members:
            raise ApiError("channel_not_found")  # private channels are invisible to outsiders
        return channel

    def _readable_channel(self, params: JsonDict) -> FakeChannel:
        channel = self._channel(params.get("channel"))
        if self.bot_user_id not in channel.members:
            raise ApiError("not_in_channel")
        return channel

    def _writable_channel(self, params: JsonDict, *, user_ids: bool = False) -> FakeChannel:
        channel = self._channel(params.get("channel"), user_ids=user_ids)
        if channel.is_archived:
            raise ApiError("is_archived")
        public_ok = not channel.is_private and "chat:write.public" in self.scopes
        if self.bot_user_id not in channel.members and not public_ok:
            raise ApiError("not_in_channel")
        return channel

    def _open_dm(self, user_id: str) -> FakeChannel:
        channel_id = self.dm_channel_id(user_id)
        channel = self.channels.get(channel_id)
        if channel is None:
            channel = FakeChannel(
                channel_id,
                channel_id,
                is_im=True,
                members=[user_id, self.bot_user_id],
                user=user_id,
                created=int(self._wall_clock()),
            )
            self.channels[channel_id] = channel
            self._messages[channel_id] = []
        return channel

    # --- rendering --------------------------------------------------------------------------

    def _render_message(self, message: FakeMessage, *, include_metadata: bool) -> JsonDict:
        out: JsonDict = {"type": "message", "text": message.text, "user": message.user}
        if message.bot_id:
            out["bot_id"] = message.bot_id
            out["app_id"] = message.app_id
            out["bot_profile"] = {
                "id": message.bot_id,
                "app_id": message.app_id,
                "name": self.bot_name,
                "deleted": False,
                "team_id": self.team_id,
            }
        out["ts"] = message.ts
        out["team"] = self.team_id
        if message.blocks is not None:
            out["blocks"] = message.blocks
        if message.attachments is not None:
            out["attachments"] = message.attachments
        if message.files:
            out["files"] = [self._render_file(self._files[f]) for f in message.files]
            out["upload"] = True
            out["display_as_bot"] = False
        if message.is_reply:
            parent = self._require_message(message.channel, message.thread_ts or "")
            out["thread_ts"] = message.thread_ts
            out["parent_user_id"] = parent.user
            if message.reply_broadcast:
                out["subtype"] = "thread_broadcast"
        else:
            replies = self.messages(message.channel, thread_ts=message.ts)
            if replies:
                reply_users = list(dict.fromkeys(r.user for r in replies))
                out.update(
                    thread_ts=message.ts,
                    reply_count=len(replies),
                    reply_users_count=len(reply_users),
                    latest_reply=replies[-1].ts,
                    reply_users=reply_users,
                    is_locked=False,
                    subscribed=False,
                )
        if message.edited:
            out["edited"] = dict(message.edited)
        if message.reactions:
            out["reactions"] = [
                {"name": name, "users": list(users), "count": len(users)}
                for name, users in message.reactions.items()
            ]
        if include_metadata and message.metadata is not None:
            out["metadata"] = copy.deepcopy(message.metadata)
        return out

    def _render_user(self, user: FakeUser) -> JsonDict:
        first, _, last = user.real_name.partition(" ")
        profile: JsonDict = {
            "title": "",
            "phone": "",
            "skype": "",
            "real_name": user.real_name,
            "real_name_normalized": user.real_name,
            "display_name": user.display_name,
            "display_name_normalized": user.display_name,
            "fields": None,
            "status_text": user.status_text,
            "status_emoji": user.status_emoji,
            "status_expiration": user.status_expiration,
            "avatar_hash": "g" + user.id[-6:].lower(),
            "first_name": first,
            "last_name": last,
            "image_24": f"https://secure.gravatar.com/avatar/{user.id}.jpg?s=24",
            "image_72": f"https://secure.gravatar.com/avatar/{user.id}.jpg?s=72",
            "team": self.team_id,
        }
        if user.email and "users:read.email" in self.scopes:
            profile["email"] = user.email
        if user.bot_id:
            profile["bot_id"] = user.bot_id
            profile["api_app_id"] = self.app_id if user.id == self.bot_user_id else ""
            profile["always_active"] = False
        out: JsonDict = {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "deleted": user.deleted,
            "color": "9f69e7",
            "real_name": user.real_name,
        }
        if user.tz and not user.deleted:  # Slack drops the time zone of deactivated users
            now = datetime.fromtimestamp(self._wall_clock(), ZoneInfo(user.tz))
            offset = now.utcoffset()
            out["tz"] = user.tz
            out["tz_label"] = now.tzname() or user.tz
            out["tz_offset"] = int(offset.total_seconds()) if offset is not None else 0
        out["profile"] = profile
        out.update(
            is_admin=False,
            is_owner=False,
            is_primary_owner=False,
            is_restricted=False,
            is_ultra_restricted=False,
            is_bot=user.is_bot,
            is_app_user=False,
            updated=int(self._wall_clock()),
            is_email_confirmed=not user.is_bot,
            who_can_share_contact_card="EVERYONE",
        )
        return out

    def _render_channel(self, channel: FakeChannel, *, num_members: bool = False) -> JsonDict:
        if channel.is_im:
            other = self.users.get(channel.user or "")
            return {
                "id": channel.id,
                "created": channel.created,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": self.team_id,
                "updated": channel.created * 1000,
                "user": channel.user,
                "is_user_deleted": bool(other and other.deleted),
                "priority": 0,
            }
        out: JsonDict = {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_private,
            "is_group": channel.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": channel.is_private,
            "created": channel.created,
            "is_archived": channel.is_archived,
            "is_general": channel.name == "general",
            "unlinked": 0,
            "name_normalized": channel.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": self.team_id,
            "updated": channel.created * 1000,
            "parent_conversation": None,
            "creator": "",
            "is_ext_shared": False,
            "shared_team_ids": [self.team_id],
            "pending_connected_team_ids": [],
            "is_member": self.bot_user_id in channel.members,
            "topic": {"value": channel.topic, "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "previous_names": [],
        }
        if num_members:
            out["num_members"] = len(channel.members)
        return out

    def _render_file(self, upload: FakeFile) -> JsonDict:
        mimetype = mimetypes.guess_type(upload.name)[0] or "application/octet-stream"
        extension = upload.name.rpartition(".")[2].lower() if "." in upload.name else "binary"
        base = f"https://files.slack.com/files-pri/{self.team_id}-{upload.id}"
        out: JsonDict = {
            "id": upload.id,
            "created": upload.created,
            "timestamp": upload.created,
            "name": upload.name,
            "title": upload.title if upload.title is not None else upload.name,
            "mimetype": mimetype,
            "filetype": extension,
            "pretty_type": extension.upper(),
            "user": self.bot_user_id,
            "user_team": self.team_id,
            "editable": False,
            "size": len(upload.content or b""),
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": False,
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": f"{base}/{upload.name}",
            "url_private_download": f"{base}/download/{upload.name}",
            "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/"
            f"{upload.id}/{upload.name}",
            "permalink_public": f"https://slack-files.com/{self.team_id}-{upload.id}-0000",
            "comments_count": 0,
            "is_starred": False,
            "shares": {},
            "channels": [],
            "groups": [],
            "ims": [],
            "has_more_shares": False,
            "has_rich_preview": False,
            "file_access": "visible",
        }
        if upload.alt_txt:
            out["alt_txt"] = upload.alt_txt
        channel = self.channels.get(upload.channel or "")
        if channel is not None and upload.message_ts is not None:
            share: JsonDict = {
                "reply_users": [],
                "reply_users_count": 0,
                "reply_count": 0,
                "ts": upload.message_ts,
                "channel_name": channel.name,
                "team_id": self.team_id,
                "share_user_id": self.bot_user_id,
                "source": "UNKNOWN",
            }
            if upload.thread_ts:
                share["thread_ts"] = upload.thread_ts
            visibility = "public" if not (channel.is_private or channel.is_im) else "private"
            out["is_public"] = visibility == "public"
            out["shares"] = {visibility: {channel.id: [share]}}
            kind = "ims" if channel.is_im else "groups" if channel.is_private else "channels"
            out[kind] = [channel.id]
        return out

    # --- message content --------------------------------------------------------------------

    def _message_content(
        self, params: JsonDict, *, max_text: int, required: bool = True
    ) -> tuple[str | None, list[JsonDict] | None, list[JsonDict] | None]:
        """Validated (text, blocks, attachments) of a chat.* call."""
        text = params.get("text")
        text = None if text is None else str(text)
        blocks = params.get("blocks")
        attachments = params.get("attachments")
        if blocks is not None:
            if not isinstance(blocks, list):
                raise ApiError("invalid_blocks_format")
            errors = validate_blocks(blocks, pointer="/blocks", max_blocks=MAX_MESSAGE_BLOCKS)
            if errors:
                raise _invalid("invalid_blocks", errors, with_errors=True)
            blocks = self._with_block_ids(blocks)
        if attachments is not None and not isinstance(attachments, list):
            raise ApiError("invalid_attachments")
        if required and not text and not blocks and not attachments:
            raise ApiError("no_text")
        if text is not None and len(text) > max_text:
            raise ApiError("msg_too_long")
        return text, blocks, attachments

    def _metadata(self, params: JsonDict) -> JsonDict | None:
        metadata = params.get("metadata")
        if metadata is None:
            return None
        if not isinstance(metadata, dict):
            raise ApiError("invalid_metadata_format")
        if not isinstance(metadata.get("event_type"), str) or not isinstance(
            metadata.get("event_payload", {}), dict
        ):
            raise ApiError("invalid_metadata_schema")
        return {
            "event_type": metadata["event_type"],
            "event_payload": copy.deepcopy(metadata.get("event_payload", {})),
        }

    def _with_block_ids(self, blocks: list[JsonDict]) -> list[JsonDict]:
        """A copy of blocks with a random block_id (and action_id) wherever the app left none."""
        filled = copy.deepcopy(blocks)
        for block in filled:
            block.setdefault("block_id", self._random_id(self._rng.randint(3, 5)))
            element = block.get("element")
            if isinstance(element, dict) and "type" in element:
                element.setdefault("action_id", self._random_id(self._rng.randint(4, 6)))
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                if isinstance(element, dict):
                    element.setdefault("action_id", self._random_id(self._rng.randint(4, 6)))
        return filled

    # --- the Web API methods (called with the lock held) ------------------------------------

    def _api_test(self, params: JsonDict) -> JsonDict:
        return {"args": {k: v for k, v in params.items() if k != "token"}} if params else {}

    def _auth_test(self, params: JsonDict) -> JsonDict:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, params: JsonDict) -> JsonDict:
        channel = self._writable_channel(params, user_ids=True)
        text, blocks, attachments = self._message_content(params, max_text=MAX_MESSAGE_TEXT)
        root = None
        if params.get("thread_ts"):
            root = self._thread_root(channel.id, str(params["thread_ts"]))
            if root is None:
                raise ApiError("thread_not_found")
        message = FakeMessage(
            channel.id,
            self._next_ts(),
            self.bot_user_id,
            text=text or "",
            blocks=blocks,
            attachments=attachments,
            thread_ts=root.ts if root else None,
            reply_broadcast=root is not None and _flag(params, "reply_broadcast"),
            metadata=self._metadata(params),
            bot_id=self.bot_id,
            app_id=self.app_id,
        )
        self._messages[channel.id].append(message)
        return {
            "channel": channel.id,
            "ts": message.ts,
            "message": self._render_message(message, include_metadata=True),
        }

    def _chat_update(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params.get("channel"))
        message = self.find_message(channel.id, str(params.get("ts") or ""))
        if message is None:
            raise ApiError("message_not_found")
        if message.user != self.bot_user_id:
            raise ApiError("cant_update_message")
        text, blocks, attachments = self._message_content(
            params, max_text=MAX_UPDATE_TEXT, required=False
        )
        # Slack keeps what an update leaves out: blocks, attachments and metadata stay.
        new_text = text if text is not None else message.text
        new_blocks = blocks if "blocks" in params else message.blocks
        if not new_text and not new_blocks and not (attachments or message.attachments):
            raise ApiError("no_text")
        message.text = new_text
        if "blocks" in params:
            message.blocks = blocks or None  # an empty list removes them
        if attachments is not None:
            message.attachments = attachments
        if "metadata" in params:
            message.metadata = self._metadata(params)
        message.edited = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel.id,
            "ts": message.ts,
            "text": message.text,
            "message": self._render_message(message, include_metadata=True),
        }

    def _chat_post_ephemeral(self, params: JsonDict) -> JsonDict:
        channel = self._writable_channel(params)
        user = str(params.get("user") or "")
        if user not in self.users:
            raise ApiError("user_not_found")
        if user not in channel.members:
            raise ApiError("user_not_in_channel")
        text, blocks, _ = self._message_content(params, max_text=MAX_MESSAGE_TEXT)
        ts = self._next_ts()
        thread_ts = str(params["thread_ts"]) if params.get("thread_ts") else None
        self._ephemerals.append(FakeEphemeral(channel.id, user, ts, text or "", blocks, thread_ts))
        return {"message_ts": ts}

    def _chat_get_permalink(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params.get("channel"))
        message = self.find_message(channel.id, str(params.get("message_ts") or ""))
        if message is None:
            raise ApiError("message_not_found")
        link = (
            f"https://{self.team_domain}.slack.com/archives/{channel.id}/"
            f"p{message.ts.replace('.', '')}"
        )
        if message.is_reply:
            link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    def _conversations_history(self, params: JsonDict) -> JsonDict:
        channel = self._readable_channel(params)
        visible = [m for m in self._messages[channel.id] if not m.is_reply or m.reply_broadcast]
        visible = _between(visible, params)
        visible.reverse()  # newest first
        page, cursor = _paginate(
            visible, params, key=lambda m: m.ts, prefix="next_ts", default=100, maximum=999
        )
        metadata = _flag(params, "include_all_metadata")
        return {
            "messages": [self._render_message(m, include_metadata=metadata) for m in page],
            "has_more": bool(cursor),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_replies(self, params: JsonDict) -> JsonDict:
        channel = self._readable_channel(params)
        root = self._thread_root(channel.id, str(params.get("ts") or ""))
        if root is None:
            raise ApiError("thread_not_found")
        thread = [root, *_between(self.messages(channel.id, thread_ts=root.ts), params)]
        page, cursor = _paginate(
            thread, params, key=lambda m: m.ts, prefix="next_ts", default=1000, maximum=1000
        )
        metadata = _flag(params, "include_all_metadata")
        return {
            "messages": [self._render_message(m, include_metadata=metadata) for m in page],
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def _conversations_members(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params.get("channel"))
        page, cursor = _paginate(
            list(channel.members), params, key=str, prefix="user", default=100, maximum=1000
        )
        return {"members": page, "response_metadata": {"next_cursor": cursor}}

    def _conversations_info(self, params: JsonDict) -> JsonDict:
        channel = self._channel(params.get("channel"))
        return {
            "channel": self._render_channel(
                channel, num_members=_flag(params, "include_num_members")
            )
        }

    def _conversations_open(self, params: JsonDict) -> JsonDict:
        if params.get("channel"):
            channel = self._channel(params["channel"])
            return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if not users:
            raise ApiError("users_list_not_supplied")
        if len(users) > 1:
            raise ApiError("fake_unsupported", detail="FakeSlack models 1:1 DMs only")
        user = self.users.get(users[0])
        if user is None:
            raise ApiError("user_not_found")
        if user.deleted:
            raise ApiError("user_disabled")
        existed = self.dm_channel_id(user.id) in self.channels
        channel = self._open_dm(user.id)
        rendered = (
            self._render_channel(channel) if _flag(params, "return_im") else {"id": channel.id}
        )
        if existed:
            return {"no_op": True, "already_open": True, "channel": rendered}
        return {"channel": rendered}

    def _users_list(self, params: JsonDict) -> JsonDict:
        page, cursor = _paginate(
            list(self.users.values()),
            params,
            key=lambda u: u.id,
            prefix="user",
            default=0,
            maximum=1000,
        )
        return {
            "members": [self._render_user(u) for u in page],
            "cache_ts": int(self._wall_clock()),
            "response_metadata": {"next_cursor": cursor},
        }

    def _users_info(self, params: JsonDict) -> JsonDict:
        user = self.users.get(str(params.get("user") or ""))
        if user is None:
            raise ApiError("user_not_found")
        return {"user": self._render_user(user)}

    def _reactions_get(self, params: JsonDict) -> JsonDict:
        channel = self._readable_channel(params)
        message = self.find_message(channel.id, str(params.get("timestamp") or ""))
        if message is None:
            raise ApiError("message_not_found")
        return {
            "type": "message",
            "channel": channel.id,
            "message": self._render_message(message, include_metadata=False),
        }

    def _views_open(self, params: JsonDict) -> JsonDict:
        trigger_id = str(params.get("trigger_id") or "")
        if not trigger_id:
            raise _invalid("invalid_arguments", ["missing required field: trigger_id"])
        trigger = self._triggers.get(trigger_id)
        if trigger is None:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        if self._clock() - trigger.created > self.trigger_ttl:
            raise ApiError("expired_trigger_id")
        view = self._checked_view(params, kind="modal")
        trigger.used = True
        opened = FakeView(self._new_id("V"), {}, user_id=trigger.user_id, trigger_id=trigger_id)
        opened.view = self._materialize_view(view, opened.id)
        self._views[opened.id] = opened
        self._opened.append(opened)
        return {"view": copy.deepcopy(opened.view)}

    def _views_update(self, params: JsonDict) -> JsonDict:
        view_id, external_id = params.get("view_id"), params.get("external_id")
        if not view_id and not external_id:
            raise _invalid("invalid_arguments", ["either view_id or external_id is required"])
        existing = self._views.get(str(view_id)) if view_id else None
        if existing is None and external_id:
            existing = next(
                (v for v in self._views.values() if v.view.get("external_id") == external_id),
                None,
            )
        if existing is None:
            raise ApiError("not_found")
        if params.get("hash") and params["hash"] != existing.hash:
            raise ApiError("hash_conflict")
        view = self._checked_view(params, kind=existing.type)
        existing.view = self._materialize_view(view, existing.id)
        existing.updates += 1
        return {"view": copy.deepcopy(existing.view)}

    def _views_publish(self, params: JsonDict) -> JsonDict:
        user_id = str(params.get("user_id") or "")
        if user_id not in self.users:
            raise ApiError("user_not_found")
        view = self._checked_view(params, kind="home")
        existing = self._home.get(user_id)
        if existing is not None and params.get("hash") and params["hash"] != existing.hash:
            raise ApiError("hash_conflict")
        if existing is None:
            existing = FakeView(self._new_id("V"), {}, user_id=user_id)
            self._views[existing.id] = existing
            self._home[user_id] = existing
        else:
            existing.updates += 1
        existing.view = self._materialize_view(view, existing.id)
        return {"view": copy.deepcopy(existing.view)}

    def _checked_view(self, params: JsonDict, *, kind: str) -> JsonDict:
        view = params.get("view")
        if not isinstance(view, dict):
            raise _invalid("invalid_arguments", ["missing required field: view"])
        errors = validate_view(view, kind=kind)
        if errors:
            raise _invalid("invalid_arguments", errors)
        return view

    def _materialize_view(self, view: JsonDict, view_id: str) -> JsonDict:
        """The view as Slack stores and answers it."""
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": view["type"],
            "blocks": self._with_block_ids(view.get("blocks", [])),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(self._wall_clock())}.{self._random_id(8)}",
            "title": copy.deepcopy(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": copy.deepcopy(view.get("close")),
            "submit": copy.deepcopy(view.get("submit")),
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _files_get_upload_url_external(self, params: JsonDict) -> JsonDict:
        filename = str(params.get("filename") or "")
        length = params.get("length")
        if not filename:
            raise _invalid("invalid_arguments", ["missing required field: filename"])
        try:
            size = int(str(length))
        except ValueError:
            raise _invalid("invalid_arguments", ["missing required field: length"]) from None
        file_id = self._new_id("F")
        alt_txt = params.get("alt_txt")
        self._files[file_id] = FakeFile(
            file_id,
            filename,
            size,
            int(self._wall_clock()),
            alt_txt=None if alt_txt is None else str(alt_txt),
        )
        return {"upload_url": f"{self.root}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, params: JsonDict) -> JsonDict:
        entries = params.get("files")
        if not isinstance(entries, list) or not entries:
            raise _invalid("invalid_arguments", ["missing required field: files"])
        uploads: list[tuple[FakeFile, str | None]] = []
        for entry in entries:
            upload = self._files.get(str(entry.get("id"))) if isinstance(entry, dict) else None
            if upload is None or not upload.uploaded or upload.completed:
                raise ApiError("file_not_found")
            uploads.append((upload, entry.get("title")))
        channel_ids = [str(params["channel_id"])] if params.get("channel_id") else []
        channel_ids += [c for c in str(params.get("channels") or "").split(",") if c]
        channels = [self._writable_channel({"channel": c}, user_ids=True) for c in channel_ids]
        thread_ts = str(params["thread_ts"]) if params.get("thread_ts") else None
        root = None
        if thread_ts:
            if len(channels) != 1:
                raise _invalid("invalid_arguments", ["thread_ts needs exactly one channel"])
            root = self._thread_root(channels[0].id, thread_ts)
            if root is None:
                raise ApiError("thread_not_found")
        comment = params.get("initial_comment")
        for upload, title in uploads:
            upload.completed = True
            upload.title = None if title is None else str(title)
            upload.initial_comment = None if comment is None else str(comment)
        for channel in channels:
            message = FakeMessage(
                channel.id,
                self._next_ts(),
                self.bot_user_id,
                text=str(comment or ""),
                thread_ts=root.ts if root else None,
                files=[upload.id for upload, _ in uploads],
                bot_id=self.bot_id,
                app_id=self.app_id,
            )
            self._messages[channel.id].append(message)
            for upload, _ in uploads:
                upload.channel, upload.message_ts = channel.id, message.ts
                upload.thread_ts = root.ts if root else None
        return {"files": [self._render_file(upload) for upload, _ in uploads]}


# --- validation (pure) ----------------------------------------------------------------------


def validate_blocks(blocks: Sequence[Any], *, pointer: str, max_blocks: int) -> list[str]:
    """Slack's complaints about blocks, each like "must be ... [json-pointer:/blocks/0/text]".

    Covers the limits standup-bot can hit (Slack's Block Kit reference); an empty list means
    Slack would take them.
    """
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"no more than {max_blocks} items allowed [json-pointer:{pointer}]")
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        at = f"{pointer}/{index}"
        if not isinstance(block, dict) or block.get("type") not in BLOCK_TYPES:
            errors.append(f"failed to match all allowed schemas [json-pointer:{at}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            errors += _length_errors(block_id, MAX_ID_LENGTH, f"{at}/block_id")
            if block_id in seen_ids:
                errors.append(f"duplicate block_id [json-pointer:{at}/block_id]")
            seen_ids.add(str(block_id))
        errors += _block_errors(block, at)
    return errors


def validate_view(view: JsonDict, *, kind: str) -> list[str]:
    """Slack's complaints about a view payload for views.open/update ("modal") or publish."""
    errors: list[str] = []
    if view.get("type") != kind:
        errors.append(f"must be {kind} [json-pointer:/view/type]")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return [*errors, "missing required field: blocks [json-pointer:/view/blocks]"]
    if kind == "modal":
        errors += _text_object_errors(
            view.get("title"), "/view/title", MAX_VIEW_TITLE, plain_only=True, required=True
        )
        for button in ("submit", "close"):
            if view.get(button) is not None:
                errors += _text_object_errors(
                    view[button], f"/view/{button}", MAX_VIEW_BUTTON, plain_only=True
                )
        has_inputs = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
        if has_inputs and view.get("submit") is None:
            errors.append("must provide submit when input blocks are present [json-pointer:/view]")
    errors += validate_blocks(blocks, pointer="/view/blocks", max_blocks=MAX_VIEW_BLOCKS)
    for name, limit in (
        ("private_metadata", MAX_PRIVATE_METADATA),
        ("callback_id", MAX_ID_LENGTH),
        ("external_id", MAX_ID_LENGTH),
    ):
        if view.get(name) is not None:
            errors += _length_errors(view[name], limit, f"/view/{name}")
    return errors


def _block_errors(block: JsonDict, at: str) -> list[str]:
    kind = block["type"]
    errors: list[str] = []
    if kind == "section":
        if block.get("text") is None and not block.get("fields"):
            errors.append(f"must provide either text or fields [json-pointer:{at}]")
        if block.get("text") is not None:
            errors += _text_object_errors(block["text"], f"{at}/text", MAX_SECTION_TEXT)
        fields = block.get("fields") or []
        if len(fields) > MAX_SECTION_FIELDS:
            errors.append(
                f"no more than {MAX_SECTION_FIELDS} items allowed [json-pointer:{at}/fields]"
            )
        for i, item in enumerate(fields):
            errors += _text_object_errors(item, f"{at}/fields/{i}", MAX_FIELD_TEXT)
        errors += _element_errors(block.get("accessory"), f"{at}/accessory")
    elif kind == "header":
        errors += _text_object_errors(
            block.get("text"), f"{at}/text", MAX_HEADER_TEXT, plain_only=True, required=True
        )
    elif kind in ("context", "actions"):
        limit = MAX_CONTEXT_ELEMENTS if kind == "context" else MAX_ACTIONS_ELEMENTS
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            errors.append(f"must provide at least 1 item [json-pointer:{at}/elements]")
        elif len(elements) > limit:
            errors.append(f"no more than {limit} items allowed [json-pointer:{at}/elements]")
        else:
            for i, element in enumerate(elements):
                errors += _element_errors(element, f"{at}/elements/{i}")
    elif kind == "input":
        errors += _text_object_errors(
            block.get("label"), f"{at}/label", MAX_LABEL_TEXT, plain_only=True, required=True
        )
        element = block.get("element")
        if not isinstance(element, dict) or element.get("type") not in INPUT_ELEMENT_TYPES:
            errors.append(f"failed to match all allowed schemas [json-pointer:{at}/element]")
        else:
            errors += _element_errors(element, f"{at}/element")
    elif kind == "image":
        if not block.get("image_url") and not block.get("slack_file"):
            errors.append(f"must provide image_url or slack_file [json-pointer:{at}]")
        errors += _length_errors(block.get("alt_text"), MAX_FIELD_TEXT, f"{at}/alt_text", 1)
    elif kind == "rich_text" and not isinstance(block.get("elements"), list):
        errors.append(f"missing required field: elements [json-pointer:{at}]")
    return errors


def _element_errors(element: Any, at: str) -> list[str]:
    if element is None or not isinstance(element, dict):
        return []
    errors: list[str] = []
    if element.get("action_id") is not None:
        errors += _length_errors(element["action_id"], MAX_ID_LENGTH, f"{at}/action_id")
    if element.get("type") in ("plain_text_input", "rich_text_input"):
        for name in ("max_length", "min_length"):
            value = element.get(name)
            if value is not None and (not isinstance(value, int) or value > MAX_INPUT_LENGTH):
                errors.append(
                    f"must be no larger than {MAX_INPUT_LENGTH} [json-pointer:{at}/{name}]"
                )
    if element.get("type") == "button":
        errors += _text_object_errors(element.get("text"), f"{at}/text", 75, plain_only=True)
    if element.get("type") in ("checkboxes", "radio_buttons"):
        errors += _option_group_errors(element, at)
    return errors


def _option_group_errors(element: JsonDict, at: str) -> list[str]:
    """Checkboxes and radio buttons: 1 to MAX_GROUP_OPTIONS options, each a text of at most
    MAX_OPTION_TEXT and a value of at most MAX_OPTION_VALUE (unique); `initial_options` (one
    `initial_option` for radio buttons) only among the options, exactly as given there."""
    errors: list[str] = []
    options = element.get("options")
    if not isinstance(options, list) or not options:
        return [f"must provide at least 1 item [json-pointer:{at}/options]"]
    if len(options) > MAX_GROUP_OPTIONS:
        errors.append(f"no more than {MAX_GROUP_OPTIONS} items allowed [json-pointer:{at}/options]")
    values: list[Any] = []
    for i, option in enumerate(options):
        where = f"{at}/options/{i}"
        if not isinstance(option, dict):
            errors.append(f"failed to match all allowed schemas [json-pointer:{where}]")
            continue
        errors += _text_object_errors(option.get("text"), f"{where}/text", MAX_OPTION_TEXT)
        errors += _length_errors(option.get("value"), MAX_OPTION_VALUE, f"{where}/value", 1)
        if option.get("description") is not None:
            errors += _text_object_errors(
                option["description"], f"{where}/description", MAX_OPTION_TEXT
            )
        values.append(option.get("value"))
    if len(set(map(str, values))) != len(values):
        errors.append(f"options must have unique values [json-pointer:{at}/options]")
    initial = element.get("initial_options")
    if element.get("type") == "radio_buttons" and element.get("initial_option") is not None:
        initial = [element["initial_option"]]
    if initial is not None:
        if not isinstance(initial, list) or not initial:
            errors.append(f"must provide at least 1 item [json-pointer:{at}/initial_options]")
        else:
            for i, chosen in enumerate(initial):
                if chosen not in options:
                    errors.append(
                        f"must match one of the options [json-pointer:{at}/initial_options/{i}]"
                    )
    return errors


def _text_object_errors(
    obj: Any, at: str, limit: int, *, plain_only: bool = False, required: bool = True
) -> list[str]:
    if obj is None:
        return [f"missing required field: text [json-pointer:{at}]"] if required else []
    allowed = {"plain_text"} if plain_only else TEXT_TYPES
    if not isinstance(obj, dict) or obj.get("type") not in allowed:
        return [f"failed to match all allowed schemas [json-pointer:{at}]"]
    text = obj.get("text")
    if not isinstance(text, str):
        return [f"missing required field: text [json-pointer:{at}/text]"]
    problems = _length_errors(text, limit, f"{at}/text", minimum=1)
    return (
        [f"failed to match all allowed schemas [json-pointer:{at}]", *problems] if problems else []
    )


def _length_errors(value: Any, limit: int, at: str, minimum: int = 0) -> list[str]:
    if not isinstance(value, str):
        return [f"must be a string [json-pointer:{at}]"] if minimum or value is not None else []
    if len(value) < minimum:
        return [f"must be more than {minimum - 1} characters [json-pointer:{at}]"]
    if len(value) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{at}]"]
    return []


def _invalid(error: str, problems: list[str], *, with_errors: bool = False) -> ApiError:
    """An error with Slack's `response_metadata.messages` (and `errors` for invalid_blocks)."""
    extra: JsonDict = {}
    if with_errors:
        extra["errors"] = list(problems)
    extra["response_metadata"] = {"messages": [f"[ERROR] {p}" for p in problems]}
    return ApiError(error, **extra)


# --- request parsing (pure) -----------------------------------------------------------------


def _parse_params(query: str, body: bytes, content_type: str) -> JsonDict:
    """Params as Slack reads them: query string, then a JSON, form or multipart body."""
    params: JsonDict = dict(parse_qsl(query, keep_blank_values=True))
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "application/json":
        try:
            decoded = json.loads(body or b"{}")
        except ValueError:
            raise ApiError("invalid_json") from None
        if not isinstance(decoded, dict):
            raise ApiError("invalid_json")
        params.update(decoded)
        return _decode_json_params(params)
    if media_type == "multipart/form-data":
        params.update(_multipart_fields(body, content_type))
    elif body:
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return _decode_json_params(params)


def _decode_json_params(params: JsonDict) -> JsonDict:
    """Decode the fields that arrive as JSON strings; leave undecodable ones as sent."""
    for name in _JSON_PARAMS:
        value = params.get(name)
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                params[name] = json.loads(value)
    return params


def _multipart_parts(body: bytes, content_type: str) -> list[email.message.EmailMessage]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(head + body)
    return [part for part in message.iter_parts() if isinstance(part, email.message.EmailMessage)]


def _multipart_fields(body: bytes, content_type: str) -> JsonDict:
    fields: JsonDict = {}
    for part in _multipart_parts(body, content_type):
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, str) and part.get_filename() is None:
            payload = part.get_payload(decode=True)
            fields[name] = payload.decode("utf-8") if isinstance(payload, bytes) else ""
    return fields


def _upload_content(body: bytes, content_type: str) -> bytes:
    """The file's bytes: the raw body (slack-sdk), or the file part of a multipart form."""
    if content_type.split(";")[0].strip().lower() != "multipart/form-data":
        return body
    parts = _multipart_parts(body, content_type)
    for part in parts:
        if part.get_filename() is not None:
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else b""
    return body


def _flag(params: JsonDict, name: str) -> bool:
    value = params.get(name)
    if isinstance(value, str):
        return value.lower() in ("1", "true")
    return bool(value)


def _between(messages: list[FakeMessage], params: JsonDict) -> list[FakeMessage]:
    """Messages within `oldest`/`latest` (exclusive unless `inclusive`)."""
    inclusive = _flag(params, "inclusive")
    oldest = float(params["oldest"]) if params.get("oldest") else None
    latest = float(params["latest"]) if params.get("latest") else None

    def keep(message: FakeMessage) -> bool:
        ts = float(message.ts)
        if oldest is not None and (ts < oldest or (ts == oldest and not inclusive)):
            return False
        return latest is None or ts < latest or (ts == latest and inclusive)

    return [m for m in messages if keep(m)]


def _paginate(
    items: list[T],
    params: JsonDict,
    *,
    key: Callable[[T], str],
    prefix: str,
    default: int,
    maximum: int,
) -> tuple[list[T], str]:
    """One page and the next cursor ("" at the end); Slack's cursors are base64 "kind:key"."""
    try:
        limit = int(params.get("limit") or default)
    except ValueError:
        raise ApiError("invalid_limit") from None
    limit = min(limit, maximum) if limit > 0 else len(items)
    start = 0
    cursor = str(params.get("cursor") or "")
    if cursor:
        try:
            kind, _, value = base64.b64decode(cursor, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise ApiError("invalid_cursor") from None
        keys = [key(item) for item in items]
        if kind != prefix or value not in keys:
            raise ApiError("invalid_cursor")
        start = keys.index(value)
    page = items[start : start + limit]
    rest = items[start + limit :]
    next_cursor = base64.b64encode(f"{prefix}:{key(rest[0])}".encode()).decode() if rest else ""
    return page, next_cursor


# --- the HTTP server ------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # track request threads so server_close() can join them
    block_on_close = True

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = 10  # a client that stalls mid-request cannot hold stop() forever
    server_version = "FakeSlack/1.0"

    def do_POST(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        fake = self.server.fake
        try:
            fake._handle(self)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (timed out) before a slow answer was written: Slack would not
            # notice either. Not a bug of the fake.
            self.close_connection = True
        except Exception:  # a bug in the fake: answer 500 and keep the traceback for the test
            with fake._lock:
                fake.internal_errors.append(traceback.format_exc())
            self.send_text(500, "FakeSlack internal error")

    def send_json(self, status: int, payload: JsonDict, headers: dict[str, str]) -> None:
        body = json.dumps(payload).encode()
        self._send(status, body, "application/json; charset=utf-8", headers)

    def send_text(self, status: int, text: str) -> None:
        self._send(status, text.encode(), "text/plain; charset=utf-8", {})

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the calls are recorded on the fake instead."""
