"""Requests Slack sends INTO the app, built with Slack's shapes and signed like Slack signs them.

    request = slash_command(text="", user_id="U1", trigger_id=slack.register_trigger())
    response = post_signed(app_url, SECRET, request)

Each builder returns a `SlackRequest` (the raw body and its content type, as Slack posts it):
slash commands and interactivity payloads as form bodies, Events API callbacks as JSON.
`post_signed` posts one to `{base_url}/slack/events` with `X-Slack-Signature` and
`X-Slack-Request-Timestamp`, or with a bad signature, a stale timestamp or Slack's retry headers.
Shapes follow Slack's API reference and slack-bolt's own scenario tests.
"""

from __future__ import annotations

import json
import random
import re
import string
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
from slack_sdk.signature import SignatureVerifier

from tests.fakes.slack import (
    DEFAULT_APP_ID,
    DEFAULT_BOT_ID,
    DEFAULT_BOT_USER_ID,
    DEFAULT_TEAM_DOMAIN,
    DEFAULT_TEAM_ID,
)

JsonDict = dict[str, Any]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
VERIFICATION_TOKEN = "fake-verification-token"  # the deprecated `token` field in payloads
# Bolt refuses requests whose timestamp is more than 5 minutes off; this is well past that.
STALE_SECONDS = 60 * 10
# A response_url that refuses connections at once; pass `slack.response_url()` to record them.
UNUSED_RESPONSE_URL = "http://127.0.0.1:9/commands/T0TEAM/1/unused"


@dataclass(frozen=True)
class SlackRequest:
    body: bytes
    content_type: str

    def payload(self) -> JsonDict:
        """The decoded request: the JSON body, the `payload=` JSON, or the form fields."""
        if self.content_type == JSON:
            decoded: JsonDict = json.loads(self.body)
            return decoded
        fields = {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}
        if set(fields) == {"payload"}:
            decoded = json.loads(fields["payload"])
            return decoded
        return dict(fields)


# --- signing and posting --------------------------------------------------------------------


def sign(
    secret: str, body: bytes, timestamp: int | None = None, *, content_type: str | None = None
) -> dict[str, str]:
    """Slack's request headers for `body`: timestamp, v0 signature and Content-Type."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    if content_type is None:
        content_type = JSON if body.lstrip().startswith(b"{") else FORM
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature or "",
    }


def post_signed(
    base_url: str,
    secret: str,
    body: bytes | SlackRequest,
    content_type: str | None = None,
    *,
    timestamp: int | None = None,
    headers: Mapping[str, str] | None = None,
    bad_signature: bool = False,
    stale: bool = False,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
    timeout: float = 10.0,
) -> httpx.Response:
    """POST a signed request to `{base_url}/slack/events` and return the (read) response.

    `bad_signature` signs with the wrong secret; `stale` dates the request STALE_SECONDS ago;
    `retry_num` adds `X-Slack-Retry-Num` / `X-Slack-Retry-Reason` as Slack's redeliveries do.
    """
    if isinstance(body, SlackRequest):
        content_type = content_type or body.content_type
        body = body.body
    if stale:
        timestamp = int(time.time()) - STALE_SECONDS
    request_headers = sign(
        secret + "-wrong" if bad_signature else secret,
        body,
        timestamp,
        content_type=content_type,
    )
    if retry_num is not None:
        request_headers["X-Slack-Retry-Num"] = str(retry_num)
        request_headers["X-Slack-Retry-Reason"] = retry_reason
    request_headers.update(headers or {})
    with httpx.Client(timeout=timeout) as client:
        return client.post(
            f"{base_url.rstrip('/')}/slack/events", content=body, headers=request_headers
        )


# --- slash commands and interactivity (form bodies) -----------------------------------------


def slash_command(
    command: str = "/standup",
    text: str = "",
    *,
    user_id: str = "U1",
    user_name: str = "alice",
    channel_id: str = "C1",
    channel_name: str = "standup",
    trigger_id: str | None = None,
    team_id: str = DEFAULT_TEAM_ID,
    team_domain: str = DEFAULT_TEAM_DOMAIN,
    response_url: str = UNUSED_RESPONSE_URL,
    api_app_id: str = DEFAULT_APP_ID,
) -> SlackRequest:
    """A slash command as Slack posts it (form fields in Slack's order)."""
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return SlackRequest(urlencode(fields).encode(), FORM)


def view_submission(
    view: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    *,
    user_id: str = "U1",
    user_name: str = "alice",
    view_id: str | None = None,
    callback_id: str | None = None,
    private_metadata: str | None = None,
    hash: str | None = None,
    trigger_id: str | None = None,
    team_id: str = DEFAULT_TEAM_ID,
    api_app_id: str = DEFAULT_APP_ID,
) -> SlackRequest:
    """A modal's submission. `view` is the view as opened (e.g. `slack.opened_views[-1].view`)
    or as the app built it; `values` is `state.values` (see `fill_modal`)."""
    submitted = dict(view)
    submitted.update(
        id=view_id or view.get("id") or "V0000000001",
        team_id=team_id,
        type=view.get("type", "modal"),
        private_metadata=(
            private_metadata if private_metadata is not None else view.get("private_metadata", "")
        ),
        callback_id=callback_id if callback_id is not None else view.get("callback_id", ""),
        state={"values": dict(values or {})},
        hash=hash or view.get("hash") or f"{int(time.time())}.{_random_string(8)}",
    )
    for key, default in (
        ("clear_on_close", False),
        ("notify_on_close", False),
        ("previous_view_id", None),
        ("app_id", api_app_id),
        ("external_id", ""),
        ("app_installed_team_id", team_id),
        ("bot_id", DEFAULT_BOT_ID),
    ):
        submitted.setdefault(key, default)
    submitted.setdefault("root_view_id", submitted["id"])
    payload = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": DEFAULT_TEAM_DOMAIN},
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": submitted,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _interactive(payload)


def block_action(
    action_id: str,
    *,
    value: str | None = None,
    block_id: str = "actions",
    action_type: str = "button",
    user_id: str = "U1",
    user_name: str = "alice",
    channel_id: str | None = "C1",
    message: Mapping[str, Any] | None = None,
    view: Mapping[str, Any] | None = None,
    state_values: Mapping[str, Any] | None = None,
    trigger_id: str | None = None,
    response_url: str = UNUSED_RESPONSE_URL,
    team_id: str = DEFAULT_TEAM_ID,
    api_app_id: str = DEFAULT_APP_ID,
) -> SlackRequest:
    """A click on an interactive element, in a message (default) or in a view (`view=`)."""
    action: JsonDict = {
        "action_id": action_id,
        "block_id": block_id,
        "type": action_type,
        "action_ts": _event_ts(),
    }
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
    if value is not None:
        action["value"] = value
    payload: JsonDict = {
        "type": "block_actions",
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": {"id": team_id, "domain": DEFAULT_TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "")}
        payload["view"] = {**view, "state": {"values": dict(state_values or {})}}
    else:
        message_ts = (message or {}).get("ts", _event_ts())
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": channel_id, "name": "standup"}
        payload["message"] = dict(message or {"type": "message", "ts": message_ts, "text": ""})
        payload["state"] = {"values": dict(state_values or {})}
        payload["response_url"] = response_url
    payload["actions"] = [action]
    return _interactive(payload)


def message_shortcut(
    callback_id: str,
    message: Mapping[str, Any],
    channel: str,
    user_id: str,
    trigger_id: str | None = None,
    *,
    user_name: str = "alice",
    channel_name: str = "standup",
    response_url: str = UNUSED_RESPONSE_URL,
    team_id: str = DEFAULT_TEAM_ID,
) -> SlackRequest:
    """A message shortcut ("message_action") run on `message` (a Web API message dict)."""
    payload = {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": _event_ts(),
        "team": {"id": team_id, "domain": DEFAULT_TEAM_DOMAIN},
        "user": {"id": user_id, "name": user_name},
        "channel": {"id": channel, "name": channel_name},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or new_trigger_id(),
        "response_url": response_url,
        "message_ts": message.get("ts"),
        "message": dict(message),
    }
    return _interactive(payload)


# --- modal state ----------------------------------------------------------------------------


def fill_modal(view: Mapping[str, Any], answers: Mapping[str, Any]) -> JsonDict:
    """`state.values` for a modal's input blocks, as Slack submits them.

    Keys of `answers` name an input block by block_id or by a case-insensitive part of its
    label ("Done", "Asks"). Text inputs take a string (lines joined with "\\n"); user selects
    take a user id or a list of them; checkboxes a list of options, each by its value or its
    text. Inputs without an answer are submitted empty (checkboxes as they opened).
    """
    remaining = dict(answers)
    values: JsonDict = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        if "block_id" not in block or "action_id" not in element:
            raise ValueError(
                "fill_modal needs the view as Slack answered views.open (with block_id and "
                "action_id filled in), e.g. slack.opened_views[-1].view"
            )
        label = str(block.get("label", {}).get("text", ""))
        key = next(
            (k for k in remaining if k == block["block_id"] or k.lower() in label.lower()), None
        )
        answer = remaining.pop(key) if key is not None else None
        values[block["block_id"]] = {element["action_id"]: _input_value(element, answer)}
    if remaining:
        raise KeyError(f"no input block matches {sorted(remaining)}")
    return values


def _input_value(element: Mapping[str, Any], answer: Any) -> JsonDict:
    kind = element["type"]
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        return {"type": kind, "value": answer if answer not in (None, "") else None}
    if kind == "rich_text_input":
        return {"type": kind, "rich_text_value": rich_text_value(answer or "")}
    if kind == "users_select":
        return {"type": kind, "selected_user": answer}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": list(answer or [])}
    if kind == "static_select":
        options = [o for o in element.get("options", []) if o.get("value") == answer]
        return {"type": kind, "selected_option": options[0] if options else None}
    if kind == "checkboxes":
        return {"type": kind, "selected_options": _ticked(element, answer)}
    raise ValueError(f"fill_modal cannot fill a {kind}")


def _ticked(element: Mapping[str, Any], answer: Any) -> list[JsonDict]:
    """The options of a checkboxes element to submit as ticked: `answer` lists each by its
    value or its text; None submits those the element opened with (`initial_options`), as
    Slack does when nobody touches them."""
    options = list(element.get("options", []))
    if answer is None:
        return [dict(o) for o in element.get("initial_options", [])]
    wanted = [answer] if isinstance(answer, str) else list(answer)
    chosen = []
    for want in wanted:
        found = [o for o in options if want in (o.get("value"), o["text"].get("text"))]
        if not found:
            raise KeyError(f"no checkbox {want!r} among {[o['text']['text'] for o in options]}")
        chosen.append(dict(found[0]))
    return chosen


_RICH_TOKEN = re.compile(
    r"<@(?P<user>[UW][A-Z0-9]+)>|<#(?P<channel>C[A-Z0-9]+)(?:\|[^>]*)?>"
    r"|<!subteam\^(?P<usergroup>S[A-Z0-9]+)(?:\|[^>]*)?>"
    r"|<!(?P<broadcast>here|channel|everyone)>"
)


def rich_text_value(text: str) -> JsonDict:
    """What a rich_text_input submits for `text` typed with Slack's markup for mentions.

    `<@U1>` becomes a user element, `<!channel>` a broadcast, `<#C1>` a channel, and
    `<!subteam^S1>` a usergroup; everything else is text (newlines kept inside it, as Slack
    does for a plain multi-line paragraph).
    """
    elements: list[JsonDict] = []
    position = 0
    for match in _RICH_TOKEN.finditer(text):
        if match.start() > position:
            elements.append({"type": "text", "text": text[position : match.start()]})
        if match["user"]:
            elements.append({"type": "user", "user_id": match["user"]})
        elif match["channel"]:
            elements.append({"type": "channel", "channel_id": match["channel"]})
        elif match["usergroup"]:
            elements.append({"type": "usergroup", "usergroup_id": match["usergroup"]})
        else:
            elements.append({"type": "broadcast", "range": match["broadcast"]})
        position = match.end()
    if position < len(text):
        elements.append({"type": "text", "text": text[position:]})
    sections = [{"type": "rich_text_section", "elements": elements}] if elements else []
    return {"type": "rich_text", "elements": sections}


# --- Events API (JSON bodies) ---------------------------------------------------------------


def event_callback(
    event: Mapping[str, Any],
    *,
    event_id: str | None = None,
    event_time: int | None = None,
    team_id: str = DEFAULT_TEAM_ID,
    api_app_id: str = DEFAULT_APP_ID,
    bot_user_id: str = DEFAULT_BOT_USER_ID,
) -> SlackRequest:
    """An Events API delivery wrapping `event`, with the bot's `authorizations`."""
    payload = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + _random_string(40),
    }
    return SlackRequest(json.dumps(payload).encode(), JSON)


def reaction_event(
    kind: str = "reaction_added",
    *,
    user: str,
    reaction: str,
    channel: str,
    ts: str,
    item_user: str = DEFAULT_BOT_USER_ID,
    event_id: str | None = None,
) -> SlackRequest:
    """`reaction_added` / `reaction_removed` on the message `ts` in `channel`."""
    if kind not in ("reaction_added", "reaction_removed"):
        raise ValueError(f"not a reaction event: {kind}")
    event = {
        "type": kind,
        "user": user,
        "reaction": reaction,
        "item_user": item_user,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "event_ts": _event_ts(),
    }
    return event_callback(event, event_id=event_id)


def app_home_opened(
    user: str,
    *,
    channel: str | None = None,
    tab: str = "home",
    view: Mapping[str, Any] | None = None,
    event_id: str | None = None,
) -> SlackRequest:
    """`app_home_opened` (`view` is the Home view last published for the user, if any)."""
    event: JsonDict = {
        "type": "app_home_opened",
        "user": user,
        "channel": channel or "D" + user.removeprefix("U").removeprefix("W"),
        "tab": tab,
        "event_ts": _event_ts(),
    }
    if view is not None:
        event["view"] = dict(view)
    return event_callback(event, event_id=event_id)


def url_verification(challenge: str) -> SlackRequest:
    payload = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return SlackRequest(json.dumps(payload).encode(), JSON)


# --- ids ------------------------------------------------------------------------------------


def new_trigger_id() -> str:
    """A trigger id shaped like Slack's (FakeSlack accepts only ones it registered)."""
    return f"{random.randrange(10**10, 10**11)}.{random.randrange(10**9, 10**10)}.{_hex(32)}"


def new_event_id() -> str:
    return "Ev" + "".join(random.choices(string.ascii_uppercase + string.digits, k=9))


def _event_ts() -> str:
    return f"{time.time():.6f}"


def _hex(length: int) -> str:
    return "".join(random.choices("0123456789abcdef", k=length))


def _random_string(length: int) -> str:
    return "".join(random.choices(string.ascii_letters + string.digits, k=length))


def _user(user_id: str, user_name: str, team_id: str) -> JsonDict:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def _interactive(payload: Mapping[str, Any]) -> SlackRequest:
    """Interactivity payloads arrive as one form field: payload=<url-encoded JSON>."""
    return SlackRequest(urlencode({"payload": json.dumps(payload)}).encode(), FORM)
