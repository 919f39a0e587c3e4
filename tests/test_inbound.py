"""The request checks `serve` makes before Bolt: the body's shape, its signature, its size."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.signature import SignatureVerifier

from bot.runtime.inbound import (
    FORM,
    JSON,
    MalformedBody,
    ParsedBoltRequest,
    TooLarge,
    parse_body,
    read_limited,
    verified_text,
)

text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
field_names = text.filter(lambda name: name not in ("payload", "command"))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=10,
)
json_objects = st.dictionaries(text, json_values, max_size=5)


@given(fields=st.dictionaries(field_names, text, max_size=8), command=text, words=text)
def test_a_slash_command_is_its_form_fields_whatever_they_hold(
    fields: dict[str, str], command: str, words: str
) -> None:
    sent = {**fields, "command": command, "text": words + " payload={" + words}
    assert parse_body(urlencode(sent), FORM) == sent
    assert parse_body(urlencode(sent), "") == sent  # no Content-Type: still a form


@given(payload=json_objects)
def test_interactivity_is_the_json_in_its_payload_field(payload: dict[str, Any]) -> None:
    assert parse_body(urlencode({"payload": json.dumps(payload)}), FORM) == payload


@given(body=json_objects)
def test_the_events_api_is_its_json_body(body: dict[str, Any]) -> None:
    assert parse_body(json.dumps(body), JSON) == body
    assert parse_body(json.dumps(body), "application/json; charset=utf-8") == body


@pytest.mark.parametrize(
    ("body", "content_type", "why"),
    [
        ("{bad", JSON, "the JSON body is not JSON"),
        ("[1, 2]", JSON, "the JSON body is not a JSON object"),
        ("payload=%7Bx", FORM, "the payload field is not JSON"),
        ("payload=%5B%5D", FORM, "the payload field is not a JSON object"),
        ("<xml/>", "text/xml", "unsupported Content-Type 'text/xml'"),
    ],
)
def test_what_is_none_of_slacks_shapes_says_why(body: str, content_type: str, why: str) -> None:
    with pytest.raises(MalformedBody, match=why):
        parse_body(body, content_type)


SECRET = "inbound-test-secret"


def signed(body: bytes, stamp: int) -> dict[str, str]:
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=str(stamp), body=body)
    return {"x-slack-signature": signature or "", "x-slack-request-timestamp": str(stamp)}


@given(body=text.map(str.encode), flip=st.integers(min_value=0))
def test_only_the_exact_signed_bytes_pass(body: bytes, flip: int) -> None:
    verifier = SignatureVerifier(SECRET)
    stamp = int(time.time())
    headers = signed(body, stamp)
    assert verified_text(verifier, body, headers) == body.decode()
    if body:
        index = flip % len(body)
        tampered = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
        assert verified_text(verifier, tampered, headers) is None
    assert verified_text(verifier, body, signed(body, stamp - 301)) is None  # stale


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"x-slack-signature": "v0=" + "0" * 64, "x-slack-request-timestamp": "abc"},
        {"x-slack-signature": "v0=é", "x-slack-request-timestamp": "1"},
        {"x-slack-signature": "v0=" + "0" * 64, "x-slack-request-timestamp": "١٢٣"},
        {"x-slack-signature": "v0=" + "0" * 64, "x-slack-request-timestamp": "9" * 40},
    ],
)
def test_headers_that_cannot_be_a_signature_are_refused_without_raising(
    headers: dict[str, str],
) -> None:
    assert verified_text(SignatureVerifier(SECRET), b"command=/standup", headers) is None


def test_a_body_that_is_not_utf8_is_refused_without_raising() -> None:
    body = b"\xff\xfecommand"
    stamp = int(time.time())
    headers = signed(b"", stamp)  # any well-formed header: the body cannot be what Slack signed
    assert verified_text(SignatureVerifier(SECRET), body, headers) is None


class Chunks:
    """An async body that counts how much of it was read."""

    def __init__(self, total: int, size: int) -> None:
        self.total, self.size, self.read = total, size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.read < self.total:
            chunk = b"x" * min(self.size, self.total - self.read)
            self.read += len(chunk)
            yield chunk


def run(chunks: Chunks, declared: int | None, limit: int) -> bytes:
    return asyncio.run(read_limited(chunks.__aiter__(), declared=declared, limit=limit))


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    chunks = Chunks(total=10_000, size=100)
    with pytest.raises(TooLarge, match="Content-Length 10000 is over 1000 bytes"):
        run(chunks, declared=10_000, limit=1000)
    assert chunks.read == 0


@given(total=st.integers(1001, 50_000), size=st.integers(1, 4096))
def test_an_undeclared_body_is_counted_and_refused_once_past_the_limit(
    total: int, size: int
) -> None:
    chunks = Chunks(total=total, size=size)
    with pytest.raises(TooLarge, match="the body passed 1000 bytes"):
        run(chunks, declared=None, limit=1000)
    assert chunks.read <= 1000 + size  # it stopped reading at the first chunk past the limit


def test_a_body_within_the_limit_is_read_whole() -> None:
    assert run(Chunks(total=1000, size=64), declared=None, limit=1000) == b"x" * 1000


def test_bolt_gets_the_parsed_body_and_the_raw_one_and_copies_keep_both() -> None:
    raw = urlencode({"command": "/standup", "text": "fix the payload bug", "user_id": "U1"})
    request = ParsedBoltRequest(
        raw_body=raw, body=parse_body(raw, FORM), headers={"content-type": FORM}
    )
    copy = request.to_copyable()
    for each in (request, copy):
        assert each.mode == "http" and each.raw_body == raw
        assert each.body["text"] == "fix the payload bug"
        assert each.context.user_id == "U1"
    assert isinstance(copy, ParsedBoltRequest)
