"""What Slack (or anyone) can POST to /slack/events, through the real app under uvicorn.

Properties, not examples: every field of a slash command may hold words that trip a parser that
guesses the body's shape (`payload`, `payload=%7B`, `{`, `&`, `=`…), and the command must still
arrive whole; anything unsigned, whatever its bytes and headers, is 401.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes.slack import FakeSlack
from tests.fakes.slack_payloads import FORM, JSON, SlackRequest
from tests.harness import RunningBot, running_bot, wait_for

# Words that look like a body's shape or its separators: what broke slack-bolt's parse_body.
HOSTILE = [
    "payload",
    "payload=",
    "payload={",
    '"payload":',
    "payload=%7Bx",
    "%7B",
    "{",
    "}",
    "[",
    "]",
    "&",
    "=",
    "+",
    "%",
    "?",
    "#",
    ";",
    "command=/x",
    "ssl_check=1",
    "\n",
    " ",
    "é",
    "😀",
    "<@U2>",
    "&amp;",
    "'",
    '"',
    "\\",
]
hostile_words = st.lists(
    st.sampled_from(HOSTILE) | st.text(st.characters(codec="utf-8", categories=["L", "N", "P"])),
    min_size=1,
    max_size=6,
).map("".join)

FIELDS = (  # every field of a slash command but `command` and `text`, in Slack's order
    "token",
    "team_id",
    "team_domain",
    "channel_id",
    "channel_name",
    "user_id",
    "user_name",
    "api_app_id",
    "is_enterprise_install",
    "response_url",
    "trigger_id",
)
# What each field starts with in Slack's requests; the hostile words follow.
PREFIX = {
    "token": "verif",
    "team_id": "T",
    "team_domain": "acme",
    "channel_id": "C",
    "channel_name": "standup",
    "user_id": "U",
    "user_name": "alice",
    "api_app_id": "A",
    "is_enterprise_install": "false",
    "response_url": "http://127.0.0.1:9/commands/",
    "trigger_id": "1234.5678.",
}


@pytest.fixture
def bot(slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    with running_bot(slack, tmp_path) as running:
        yield running


def command_body(values: dict[str, str], text: str) -> SlackRequest:
    fields = {name: values[name] for name in FIELDS[:7]}
    fields.update(command="/standup", text=text)
    fields.update({name: values[name] for name in FIELDS[7:]})
    return SlackRequest(urlencode(fields).encode(), FORM)


@st.composite
def hostile_commands(draw: st.DrawFn) -> dict[str, str]:
    return {name: PREFIX[name] + draw(hostile_words) for name in FIELDS}


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=hostile_commands())
def test_any_field_with_hostile_words_still_opens_the_modal(
    bot: RunningBot, values: dict[str, str]
) -> None:
    trigger = bot.slack.register_trigger(values["trigger_id"], user_id=values["user_id"])
    before = len(bot.slack.opened_views)
    response = bot.send(command_body(values, text=""))
    assert response.status_code == 200, response.text
    wait_for(lambda: len(bot.slack.opened_views) > before, what="views.open")
    assert [view.trigger_id for view in bot.slack.opened_views[before:]] == [trigger]


EXAMPLES = itertools.count()


# Each example is a request over the wire and the work after its ack: no per-example deadline.
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=hostile_commands(), words=hostile_words.filter(lambda w: w.strip()))
def test_command_text_with_hostile_words_reaches_the_subcommand(
    bot: RunningBot, values: dict[str, str], words: str
) -> None:
    """`/standup followup <words>` (the issue's own example: "fix the payload bug"). The
    follow-up is saved after the ack (the answer goes to the response_url). Each example is
    someone else, so the cap on follow-ups a person raises a week is never what stops it."""
    values = {**values, "user_id": f"{values['user_id']}{next(EXAMPLES)}"}
    # The answer goes to the fake's response_url (the hostile words after its path).
    hostile_tail = values["response_url"].removeprefix(PREFIX["response_url"])
    values["response_url"] = bot.slack.response_url() + hostile_tail
    bot.deps.finish_work()  # the last example's follow-up is saved, whatever its timing
    before = len(bot.store.get_open_follow_ups())
    response = bot.send(command_body(values, text=f"followup fix the {words} bug"))
    assert response.status_code == 200, response.text
    follow_ups = wait_for(
        lambda: (found := bot.store.get_open_follow_ups()) and len(found) > before and found,
        what="the follow-up",
    )
    assert len(follow_ups) == before + 1
    newest = max(follow_ups, key=lambda f: f.id or 0)
    assert newest.created_by == values["user_id"]
    assert newest.text.startswith("fix the ") and newest.text.endswith(" bug")


def test_the_issues_own_examples(bot: RunningBot) -> None:
    values = {name: PREFIX[name] + "1" for name in FIELDS}
    values.update(channel_name="payload-team", user_name="payload.person")
    values["response_url"] += "payload"
    bot.slack.register_trigger(values["trigger_id"])
    assert bot.send(command_body(values, text="")).status_code == 200
    response = bot.send(command_body(values, text="followup fix the payload bug"))
    assert response.status_code == 200
    stored = wait_for(bot.store.get_open_follow_ups, what="the follow-up")
    assert [f.text for f in stored] == ["fix the payload bug"]


# --- unsigned: 401, whatever it is ---------------------------------------------------------------

# What a client can put in a header: no control characters, nothing at either end to trim.
header_text = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x24F, exclude_characters="\x7f"), max_size=80
).filter(lambda text: text == text.strip())
timestamps = st.none() | header_text | st.sampled_from(["abc", "", "-1", "1e9", "١٢٣", "9" * 40])
signatures = (
    st.none()
    | header_text
    | st.binary(min_size=32, max_size=32).map(lambda b: "v0=" + b.hex())
    | st.sampled_from(["v0=", "v1=abc", "v0=" + "0" * 64])
)
content_types = st.none() | st.sampled_from(
    [FORM, JSON, "application/json; charset=utf-8", "text/plain", "multipart/form-data"]
)
bodies = (
    st.binary(max_size=400)
    | hostile_words.map(str.encode)
    | st.sampled_from([b"{bad", b"payload=%7Bx", b"payload=", b"[]", b"{}", b"command=/standup"])
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=bodies,
    content_type=content_types,
    timestamp=timestamps,
    signature=signatures,
    now_stamp=st.booleans(),
    wrong_secret=st.booleans(),
)
def test_anything_unsigned_is_401(
    bot: RunningBot,
    body: bytes,
    content_type: str | None,
    timestamp: str | None,
    signature: str | None,
    now_stamp: bool,
    wrong_secret: bool,
) -> None:
    headers: dict[str, bytes] = {}
    if content_type is not None:
        headers["Content-Type"] = content_type.encode()
    if now_stamp:  # a current timestamp, so only the signature can fail
        timestamp = str(int(time.time()))
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = timestamp.encode()
    if wrong_secret and timestamp is not None:  # well formed, made with another secret
        digest = hmac.new(b"not-the-secret", f"v0:{timestamp}:".encode() + body, hashlib.sha256)
        signature = "v0=" + digest.hexdigest()
    if signature is not None:
        headers["X-Slack-Signature"] = signature.encode()
    response = httpx.post(f"{bot.url}/slack/events", content=body, headers=headers, timeout=10)
    assert response.status_code == 401, response.text
    assert response.json() == {"error": "invalid request"}
