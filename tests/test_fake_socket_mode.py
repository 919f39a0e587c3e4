"""The Socket Mode fake speaks Slack's protocol: checked with slack-sdk's own Socket Mode client
(the one `serve` uses), over real sockets, with nothing of the bot in between."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.fakes.slack import FakeSlack
from tests.fakes.slack_payloads import block_action, reaction_event, slash_command
from tests.fakes.socket_mode import FakeSocketMode, envelope_of


@pytest.fixture
def socket(slack: FakeSlack) -> FakeSocketMode:
    return slack.enable_socket_mode()


@pytest.fixture
def client(slack: FakeSlack, socket: FakeSocketMode) -> Iterator[SocketModeClient]:
    """slack-sdk's built-in client, acking every request it gets with a payload naming it."""
    sdk = SocketModeClient(
        app_token=socket.app_token,
        web_client=WebClient(base_url=slack.url),
        logger=logging.getLogger("tests.socket_mode"),
    )

    def answer(client: BaseSocketModeClient, request: SocketModeRequest) -> None:
        payload = {"text": f"got {request.type}"} if request.accepts_response_payload else None
        client.send_socket_mode_response(SocketModeResponse(request.envelope_id, payload))

    sdk.socket_mode_request_listeners.append(answer)
    try:
        yield sdk
    finally:
        sdk.close()


def test_apps_connections_open_takes_only_the_app_token(
    slack: FakeSlack, socket: FakeSocketMode
) -> None:
    web = WebClient(base_url=slack.url)
    url = web.apps_connections_open(app_token=socket.app_token)["url"]
    assert url.startswith(f"ws://127.0.0.1:{socket.port}/link/?ticket=")
    assert "app_id=A0APP" in url
    for token, error in (
        (slack.token, "not_allowed_token_type"),
        ("xapp-1-A0APP-1111-wrong", "invalid_auth"),
    ):
        with pytest.raises(SlackApiError) as refused:
            web.apps_connections_open(app_token=token)
        assert refused.value.response["error"] == error
    assert [call.method for call in slack.calls_to("apps.connections.open")] == [
        "apps.connections.open"
    ] * 3


def test_hello_then_envelopes_acked_by_envelope_id(
    socket: FakeSocketMode, client: SocketModeClient
) -> None:
    client.connect()
    link = socket.wait_for_connections(1)
    hello = socket.sent[0]
    assert hello["type"] == "hello" and hello["connection_info"] == {"app_id": "A0APP"}
    assert hello["num_connections"] == 1 and link.open
    command = socket.deliver(slash_command(text="help"))
    assert command.payload == {"text": "got slash_commands"}
    click = socket.deliver(block_action("some_button", value="1"))
    assert click.payload is None  # block_actions accept no response payload
    event = socket.deliver(
        reaction_event(user="U1", reaction="white_check_mark", channel="C1", ts="1.2"),
        retry_attempt=1,
        retry_reason="timeout",
    )
    assert event.payload is None
    sent = {envelope["type"]: envelope for envelope in socket.sent[1:]}
    assert set(sent) == {"slash_commands", "interactive", "events_api"}
    assert sent["events_api"]["retry_attempt"] == 1
    assert sent["events_api"]["retry_reason"] == "timeout"
    assert sent["slash_commands"]["accepts_response_payload"] is True
    assert sent["slash_commands"]["payload"]["text"] == "help"


def test_refresh_requested_makes_the_client_reconnect_with_a_new_url(
    slack: FakeSlack, socket: FakeSocketMode, client: SocketModeClient
) -> None:
    client.connect()
    first = socket.wait_for_connections(1)
    second = socket.refresh()
    assert not first.open and second.open and second.ticket != first.ticket
    assert len(slack.calls_to("apps.connections.open")) == 2  # a fresh URL for the new link
    assert [message["type"] for message in socket.sent] == ["hello", "disconnect", "hello"]
    assert socket.sent[1]["reason"] == "refresh_requested"
    assert socket.sent[2]["num_connections"] == 2  # the old link was still open then
    ack = socket.deliver(slash_command(text="after the refresh"))
    assert ack.link == second.number


def test_a_ticket_works_once(socket: FakeSocketMode) -> None:
    url = socket.issue_url()
    with connect(url) as first:
        assert json.loads(first.recv(timeout=5))["type"] == "hello"
    with pytest.raises(InvalidStatus) as refused:
        connect(url)
    assert refused.value.response.status_code == 401
    with pytest.raises(InvalidStatus):
        connect(f"ws://127.0.0.1:{socket.port}/link/?ticket=made-up")


def test_envelope_types_follow_what_slack_would_post() -> None:
    assert envelope_of(slash_command(text="x"))[0::2] == ("slash_commands", True)
    assert envelope_of(block_action("b"))[0::2] == ("interactive", False)
    event = reaction_event(user="U1", reaction="x", channel="C1", ts="1.2")
    kind, payload, accepts = envelope_of(event)
    assert (kind, accepts) == ("events_api", False) and payload["type"] == "event_callback"
