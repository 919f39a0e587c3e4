"""What Slack sends in over HTTP, taken apart before Bolt sees it: size, signature, shape.

- **Size.** Slack's payloads are a few kilobytes. A body is never read whole on trust: a
  `Content-Length` over `MAX_BODY_BYTES` is refused before a byte of it is read, and a body
  without one (chunked) is counted as it arrives and refused once it passes the limit.
- **Signature.** `X-Slack-Signature` is checked on the raw bytes (slack-sdk's
  `SignatureVerifier`: v0 HMAC-SHA256, timestamp within 5 minutes) before anything parses them,
  so whatever fails it is refused the same way, whatever its shape (`{bad`, `payload=%7Bx`, a
  timestamp of `abc`, bytes that are not UTF-8).
- **Shape.** slack-bolt's `parse_body` decides between "form fields" and "`payload=` JSON" by
  looking for the text `payload` anywhere in the body, so a slash command typed as `/standup
  followup fix the payload bug` (or run in `#payload-team`) became `{}` and got a 404. Here the
  body is parsed by what it is: JSON (Events API), a form whose `payload` field is the JSON
  (interactivity), or plain form fields (slash commands). Bolt gets the parsed body together with
  the raw one (`ParsedBoltRequest`), and still checks the signature on the raw one itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from slack_bolt import BoltRequest
from slack_bolt.context import BoltContext
from slack_sdk.signature import SignatureVerifier

MAX_BODY_BYTES = 1_000_000  # Slack's payloads are far smaller; anything bigger is refused

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

# What Slack sends: `v0=` and 64 hex digits; a Unix time in seconds.
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class TooLarge(Exception):
    """The body is (or would be) larger than MAX_BODY_BYTES."""


class MalformedBody(ValueError):
    """A signed body that is none of Slack's shapes. The message says which part is wrong."""


def declared_length(headers: Mapping[str, str]) -> int | None:
    """The request's Content-Length, or None without one (the server has checked its syntax)."""
    value = headers.get("content-length")
    return int(value) if value is not None and value.isdigit() else None


async def read_limited(
    chunks: AsyncIterator[bytes], *, declared: int | None, limit: int = MAX_BODY_BYTES
) -> bytes:
    """The whole body, or TooLarge as soon as it is known to pass `limit`: before reading it
    when the declared length says so, else as soon as the bytes counted so far do."""
    if declared is not None and declared > limit:
        raise TooLarge(f"Content-Length {declared} is over {limit} bytes")
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"the body passed {limit} bytes")
    return bytes(body)


def verified_text(
    verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str]
) -> str | None:
    """The body as text when Slack signed it, else None.

    Everything that cannot be a signature Slack made is refused here without raising: a missing
    or malformed header, a timestamp that is not a number, a body that is not UTF-8 (Slack's
    always are; the verifier would fail to decode it).
    """
    signature = headers.get("x-slack-signature", "")
    timestamp = headers.get("x-slack-request-timestamp", "")
    if not _SIGNATURE.fullmatch(signature) or not _TIMESTAMP.fullmatch(timestamp):
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if verifier.is_valid(body=text, timestamp=timestamp, signature=signature) else None


def parse_body(text: str, content_type: str) -> dict[str, Any]:
    """The request as Bolt reads it, decided by the body's real shape, not by a substring.

    JSON bodies (the Events API) are one object. Form bodies are interactivity when they carry a
    `payload` field and no `command` (Slack posts interactivity as `payload=<JSON>` alone), else
    a slash command's fields. Anything else is MalformedBody.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    if media == JSON or (not media and text.lstrip().startswith("{")):
        return _json_object(text, "the JSON body")
    if media not in (FORM, ""):
        raise MalformedBody(f"unsupported Content-Type {media!r}")
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in fields and "command" not in fields:
        return _json_object(fields["payload"], "the payload field")
    return fields


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        raise MalformedBody(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise MalformedBody(f"{what} is not a JSON object")
    return value


class ParsedBoltRequest(BoltRequest):
    """A BoltRequest for HTTP mode whose body was parsed here (`parse_body`), not by Bolt.

    Bolt's constructor parses a raw HTTP body itself; built from the parsed dict instead, and
    given the raw text afterwards, Bolt's request verification still checks the signature on
    the raw body. Copies (lazy listeners) keep both.
    """

    def __init__(
        self,
        *,
        raw_body: str,
        body: dict[str, Any],
        query: Mapping[str, str] | Mapping[str, Sequence[str]] | None = None,
        headers: Mapping[str, str] | Mapping[str, Sequence[str]] | None = None,
        context: dict[str, Any] | BoltContext | None = None,
    ) -> None:
        super().__init__(
            body=body,
            query=dict(query) if query is not None else None,
            headers=dict(headers) if headers is not None else None,
            context=dict(context) if context is not None else None,
            mode="socket_mode",  # the mode in which Bolt takes a parsed dict as it is
        )
        self.raw_body = raw_body
        self.mode = "http"

    def to_copyable(self) -> BoltRequest:
        return ParsedBoltRequest(
            raw_body=self.raw_body,
            body=self.body,
            query=self.query,
            headers=self.headers,
            context=self.context.to_copyable(),
        )
