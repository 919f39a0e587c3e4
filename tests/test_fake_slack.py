"""The Slack fake, exercised through the real slack_sdk WebClient and a real Bolt app."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest
import yaml
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from slack_sdk.http_retry.builtin_handlers import ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web import SlackResponse

from tests.fakes.slack import DEFAULT_SCOPES, UPLOAD, FakeSlack
from tests.fakes.slack_payloads import (
    JSON,
    block_action,
    event_callback,
    fill_modal,
    message_shortcut,
    post_signed,
    reaction_event,
    rich_text_value,
    sign,
    slash_command,
    url_verification,
    view_submission,
)

SECRET = "signing-secret-for-tests"

MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "standup",
    "title": {"type": "plain_text", "text": "Weekly standup"},
    "submit": {"type": "plain_text", "text": "Submit"},
    "blocks": [
        {
            "type": "input",
            "block_id": "done",
            "label": {"type": "plain_text", "text": "Done"},
            "element": {"type": "plain_text_input", "multiline": True, "action_id": "text"},
        },
        {
            "type": "input",
            "label": {"type": "plain_text", "text": "Asks"},
            "optional": True,
            "element": {"type": "rich_text_input"},
        },
    ],
}


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_member(
            "U1",
            "kevin",
            real_name="Kevin Lee",
            display_name="kev",
            email="kevin@example.com",
            tz="Europe/Berlin",
        )
        fake.add_member("U2", "hesham", real_name="Hesham Ali")
        fake.add_channel("C1", "standup", members=["U1", "U2"])
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return WebClient(token=slack.token, base_url=slack.url)


def slack_error(call: Callable[[], object]) -> SlackApiError:
    with pytest.raises(SlackApiError) as caught:
        call()
    return caught.value


def pages_of(response: SlackResponse, key: str) -> list[list[Any]]:
    """Each page's items, following next_cursor the way slack-sdk does.

    SlackResponse iteration yields the same object each time, so copy out as it goes."""
    return [list(page[key]) for page in response]


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


# --- lifecycle ------------------------------------------------------------------------------


def test_stop_joins_its_threads_and_closes_the_port() -> None:
    before = set(threading.enumerate())
    fake = FakeSlack().start()
    url = fake.url
    WebClient(token=fake.token, base_url=url).auth_test()
    fake.stop()
    assert [t for t in threading.enumerate() if t not in before] == []
    with pytest.raises(httpx.ConnectError):
        httpx.post(url + "auth.test")


def test_stop_does_not_wait_for_a_hanging_answer() -> None:
    fake = FakeSlack().start()
    fake.fail_next("auth.test", delay=30)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(fake.url + "auth.test", timeout=0.2)
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 2


# --- auth -----------------------------------------------------------------------------------


def test_auth_test_answers_the_bot_identity_and_the_granted_scopes(
    slack: FakeSlack, client: WebClient
) -> None:
    response = client.auth_test()
    assert response["user_id"] == "UBOT"
    assert response["bot_id"] == "BBOT"
    assert response["team_id"] == "T0TEAM"
    assert "chat:write" in response.headers["x-oauth-scopes"].split(",")


def test_a_wrong_or_missing_token_is_refused(slack: FakeSlack) -> None:
    wrong = WebClient(token="xoxb-not-this-one", base_url=slack.url)
    assert slack_error(wrong.auth_test).response["error"] == "invalid_auth"
    anonymous = WebClient(base_url=slack.url)
    assert slack_error(anonymous.auth_test).response["error"] == "not_authed"


def test_the_default_scopes_are_the_manifests() -> None:
    manifest = yaml.safe_load((Path(__file__).parent.parent / "manifest.yaml").read_text())
    assert sorted(DEFAULT_SCOPES) == sorted(manifest["oauth_config"]["scopes"]["bot"])


def test_a_missing_scope_is_named() -> None:
    with FakeSlack(scopes=["commands", "users:read"]) as fake:
        fake.add_channel("C1", "standup")
        client = WebClient(token=fake.token, base_url=fake.url)
        error = slack_error(lambda: client.chat_postMessage(channel="C1", text="hi"))
    assert error.response["error"] == "missing_scope"
    assert error.response["needed"] == "chat:write"


def test_an_unknown_method_is_refused_and_recorded(slack: FakeSlack, client: WebClient) -> None:
    error = slack_error(lambda: client.api_call("chat.scheduleNothing"))
    assert error.response["error"] == "unknown_method"
    assert slack.calls_to("chat.scheduleNothing")[0].status == 200


# --- chat.postMessage -----------------------------------------------------------------------


def test_post_message_stores_it_and_answers_slacks_shape(
    slack: FakeSlack, client: WebClient
) -> None:
    first = client.chat_postMessage(channel="C1", text="first", blocks=[section("*first*")])
    second = client.chat_postMessage(channel="C1", text="second")
    assert first["channel"] == "C1"
    assert first["message"]["bot_id"] == "BBOT"
    assert first["message"]["blocks"][0]["block_id"]  # Slack names blocks the app left unnamed
    assert float(second["ts"]) > float(first["ts"])
    assert [m.text for m in slack.messages("C1")] == ["first", "second"]
    call = slack.calls_to("chat.postMessage")[0]
    assert call.params["blocks"] == [section("*first*")]
    assert call.headers["authorization"] == f"Bearer {slack.token}"
    assert call.headers["content-type"].startswith("application/json")


def test_form_encoded_calls_have_their_json_fields_decoded(
    slack: FakeSlack, client: WebClient
) -> None:
    blocks = [section("from a form body")]
    client.api_call(
        "chat.postMessage", params={"channel": "C1", "text": "x", "blocks": json.dumps(blocks)}
    )
    stored = slack.messages("C1")[0].blocks
    assert stored is not None and stored[0]["text"]["text"] == "from a form body"
    assert slack.calls_to("chat.postMessage")[0].params["blocks"] == blocks


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"channel": "C404", "text": "x"}, "channel_not_found"),
        ({"channel": "C1"}, "no_text"),
        ({"channel": "C1", "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": "C1", "text": "x", "thread_ts": "1.000001"}, "thread_not_found"),
    ],
)
def test_post_message_refuses_like_slack(
    client: WebClient, arguments: dict[str, Any], error: str
) -> None:
    # api_call: slack-sdk's chat_postMessage warns (an error here) when text is missing
    call = lambda: client.api_call("chat.postMessage", json=arguments)  # noqa: E731
    assert slack_error(call).response["error"] == error


def test_post_message_needs_the_bot_in_the_channel(slack: FakeSlack, client: WebClient) -> None:
    slack.add_channel("C2", "elsewhere", members=["U1"], bot_member=False)
    slack.add_channel("G1", "secret", is_private=True, members=["U1"], bot_member=False)
    assert slack_error(lambda: client.chat_postMessage(channel="C2", text="x")).response[
        "error"
    ] == ("not_in_channel")
    assert slack_error(lambda: client.chat_postMessage(channel="G1", text="x")).response[
        "error"
    ] == ("channel_not_found")


def test_fifty_one_blocks_are_invalid_blocks_with_slacks_messages(client: WebClient) -> None:
    blocks = [{"type": "divider"}] * 51
    error = slack_error(lambda: client.chat_postMessage(channel="C1", text="x", blocks=blocks))
    assert error.response["error"] == "invalid_blocks"
    assert error.response["response_metadata"]["messages"] == [
        "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
    ]


@pytest.mark.parametrize(
    ("block", "complaint"),
    [
        (
            section("x" * 3001),
            "must be less than 3001 characters [json-pointer:/blocks/0/text/text]",
        ),
        (section(""), "must be more than 0 characters [json-pointer:/blocks/0/text/text]"),
        (
            {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}},
            "must be less than 151 characters [json-pointer:/blocks/0/text/text]",
        ),
        (
            {"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}},
            "failed to match all allowed schemas [json-pointer:/blocks/0/text]",
        ),
        ({"type": "sektion"}, "failed to match all allowed schemas [json-pointer:/blocks/0]"),
    ],
)
def test_block_limits_are_enforced(
    client: WebClient, block: dict[str, Any], complaint: str
) -> None:
    error = slack_error(lambda: client.chat_postMessage(channel="C1", text="x", blocks=[block]))
    assert error.response["error"] == "invalid_blocks"
    assert complaint in error.response["errors"]
    assert f"[ERROR] {complaint}" in error.response["response_metadata"]["messages"]


def test_metadata_comes_back_only_when_asked_for(slack: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="digest")
    metadata = {"event_type": "standup_digest", "event_payload": {"digest": 7, "seq": 2}}
    client.chat_postMessage(channel="C1", text="notes", thread_ts=parent["ts"], metadata=metadata)

    with_metadata = client.conversations_replies(
        channel="C1", ts=parent["ts"], include_all_metadata=True
    )
    assert [m.get("metadata") for m in with_metadata["messages"]] == [None, metadata]
    plain = client.conversations_replies(channel="C1", ts=parent["ts"])
    assert all("metadata" not in m for m in plain["messages"])
    assert slack.thread("C1", parent["ts"])[1].metadata == metadata


def test_threads_and_history(slack: FakeSlack, client: WebClient) -> None:
    posted = [client.chat_postMessage(channel="C1", text=f"m{i}")["ts"] for i in range(5)]
    client.chat_postMessage(channel="C1", text="reply", thread_ts=posted[0])
    slack.add_message("C1", "thanks", user="U1", thread_ts=posted[0])

    pages = pages_of(client.conversations_history(channel="C1", limit=2), "messages")
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [m["text"] for p in pages for m in p] == ["m4", "m3", "m2", "m1", "m0"]
    parent = pages[-1][0]  # newest first, replies left out
    assert (parent["reply_count"], parent["reply_users"]) == (2, ["UBOT", "U1"])

    replies = client.conversations_replies(channel="C1", ts=posted[0])["messages"]
    assert [m["text"] for m in replies] == ["m0", "reply", "thanks"]
    assert [m.text for m in slack.messages("C1", thread_ts=posted[0])] == ["reply", "thanks"]


def test_history_needs_membership(slack: FakeSlack, client: WebClient) -> None:
    slack.add_channel("C2", "elsewhere", members=["U1"], bot_member=False)
    error = slack_error(lambda: client.conversations_history(channel="C2"))
    assert error.response["error"] == "not_in_channel"


# --- chat.update, ephemeral, permalink, reactions ------------------------------------------


def test_update_edits_the_bots_message_and_keeps_what_it_leaves_out(
    slack: FakeSlack, client: WebClient
) -> None:
    ts = client.chat_postMessage(
        channel="C1",
        text="Follow-up: ship it",
        blocks=[section("ship it")],
        metadata={"event_type": "follow_up", "event_payload": {"id": 1}},
    )["ts"]
    client.chat_update(channel="C1", ts=ts, text="Follow-up: ship it (done by Kevin)")
    message = slack.find_message("C1", ts)
    assert message is not None
    assert message.text == "Follow-up: ship it (done by Kevin)"
    assert message.blocks is not None and message.blocks[0]["text"]["text"] == "ship it"
    assert message.metadata == {"event_type": "follow_up", "event_payload": {"id": 1}}
    assert message.edited is not None and message.edited["user"] == "UBOT"


def test_update_refuses_missing_and_foreign_messages(slack: FakeSlack, client: WebClient) -> None:
    theirs = slack.add_message("C1", "mine", user="U1")
    missing = slack_error(lambda: client.chat_update(channel="C1", ts="1.000001", text="x"))
    foreign = slack_error(lambda: client.chat_update(channel="C1", ts=theirs.ts, text="x"))
    assert missing.response["error"] == "message_not_found"
    assert foreign.response["error"] == "cant_update_message"


def test_ephemeral_messages_and_permalinks(slack: FakeSlack, client: WebClient) -> None:
    answer = client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    assert slack.ephemerals("C1")[0].message_ts == answer["message_ts"]
    assert slack.messages("C1") == []
    outsider = slack_error(lambda: client.chat_postEphemeral(channel="C1", user="UBOT2", text="x"))
    assert outsider.response["error"] == "user_not_found"

    ts = client.chat_postMessage(channel="C1", text="x")["ts"]
    link = client.chat_getPermalink(channel="C1", message_ts=ts)["permalink"]
    assert link == f"https://acme.slack.com/archives/C1/p{ts.replace('.', '')}"


def test_reactions_are_state_the_api_reports(slack: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="follow-up")["ts"]
    slack.add_reaction("C1", ts, "white_check_mark", "U1")
    slack.add_reaction("C1", ts, "white_check_mark", "U2")
    reactions = client.reactions_get(channel="C1", timestamp=ts)["message"]["reactions"]
    assert reactions == [{"name": "white_check_mark", "users": ["U1", "U2"], "count": 2}]
    slack.remove_reaction("C1", ts, "white_check_mark", "U1")
    slack.remove_reaction("C1", ts, "white_check_mark", "U2")
    assert "reactions" not in client.reactions_get(channel="C1", timestamp=ts)["message"]


# --- conversations and users ----------------------------------------------------------------


def test_members_info_and_dms(slack: FakeSlack, client: WebClient) -> None:
    pages = pages_of(client.conversations_members(channel="C1", limit=2), "members")
    assert pages == [["U1", "U2"], ["UBOT"]]
    info = client.conversations_info(channel="C1", include_num_members=True)["channel"]
    assert (info["name"], info["is_member"], info["num_members"]) == ("standup", True, 3)

    opened = client.conversations_open(users="U1")
    assert opened["channel"]["id"] == "D1"
    client.chat_postMessage(channel=opened["channel"]["id"], text="Reminder: standup")
    assert [m.text for m in slack.messages("D1")] == ["Reminder: standup"]
    assert client.conversations_open(users="U1")["already_open"] is True
    assert client.chat_postMessage(channel="U1", text="by user id")["channel"] == "D1"
    by_user = slack_error(lambda: client.conversations_history(channel="U1"))
    assert by_user.response["error"] == "channel_not_found"
    assert slack_error(lambda: client.conversations_open(users="U404")).response["error"] == (
        "user_not_found"
    )


def test_users_list_paginates_with_cursors(slack: FakeSlack, client: WebClient) -> None:
    for n in range(3, 8):
        slack.add_member(f"U{n}", f"person{n}")
    pages = pages_of(client.users_list(limit=3), "members")
    assert [[m["id"] for m in page] for page in pages] == [
        ["UBOT", "USLACKBOT", "U1"],
        ["U2", "U3", "U4"],
        ["U5", "U6", "U7"],
    ]
    last = slack.calls_to("users.list")[-1].response
    assert last is not None and last["response_metadata"] == {"next_cursor": ""}
    assert slack_error(lambda: client.users_list(cursor="bm9wZQ==")).response["error"] == (
        "invalid_cursor"
    )


def test_users_info_shape_and_the_email_scope(slack: FakeSlack, client: WebClient) -> None:
    user = client.users_info(user="U1")["user"]
    assert (user["name"], user["real_name"], user["is_bot"], user["deleted"]) == (
        "kevin",
        "Kevin Lee",
        False,
        False,
    )
    assert user["profile"]["display_name"] == "kev"
    assert user["tz"] == "Europe/Berlin" and user["tz_offset"] in (3600, 7200)
    assert "email" not in user["profile"]  # needs users:read.email
    slack.scopes.append("users:read.email")
    assert client.users_info(user="U1")["user"]["profile"]["email"] == "kevin@example.com"
    assert slack_error(lambda: client.users_info(user="U404")).response["error"] == (
        "user_not_found"
    )


# --- views ----------------------------------------------------------------------------------


def test_views_open_takes_a_fresh_trigger_once(slack: FakeSlack, client: WebClient) -> None:
    trigger = slack.register_trigger(user_id="U1")
    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"].startswith("V") and view["hash"]
    assert view["callback_id"] == "standup"
    assert view["blocks"][1]["block_id"] and view["blocks"][1]["element"]["action_id"]
    assert slack.opened_views[0].user_id == "U1"
    assert slack.opened_views[0].view == view

    reused = slack_error(lambda: client.views_open(trigger_id=trigger, view=MODAL))
    assert reused.response["error"] == "exchanged_trigger_id"
    stale = slack.register_trigger(age=3.5)
    expired = slack_error(lambda: client.views_open(trigger_id=stale, view=MODAL))
    assert expired.response["error"] == "expired_trigger_id"
    unknown = slack_error(lambda: client.views_open(trigger_id="1.2.abc", view=MODAL))
    assert unknown.response["error"] == "invalid_trigger_id"


def with_changes(**changes: Any) -> dict[str, Any]:
    return {**MODAL, **changes}


def with_element(**changes: Any) -> dict[str, Any]:
    done = {**MODAL["blocks"][0], "element": {**MODAL["blocks"][0]["element"], **changes}}
    return with_changes(blocks=[done])


@pytest.mark.parametrize(
    ("view", "complaint"),
    [
        (
            with_changes(title={"type": "plain_text", "text": "t" * 25}),
            "must be less than 25 characters [json-pointer:/view/title/text]",
        ),
        (
            with_changes(blocks=[{"type": "divider"}] * 101),
            "no more than 100 items allowed [json-pointer:/view/blocks]",
        ),
        (
            with_element(action_id="a" * 256),
            "must be less than 256 characters [json-pointer:/view/blocks/0/element/action_id]",
        ),
        (
            with_element(max_length=3001),
            "must be no larger than 3000 [json-pointer:/view/blocks/0/element/max_length]",
        ),
        (
            with_changes(private_metadata="m" * 3001),
            "must be less than 3001 characters [json-pointer:/view/private_metadata]",
        ),
        (with_changes(submit=None), "must provide submit when input blocks are present"),
    ],
)
def test_views_open_validates_the_view(
    slack: FakeSlack, client: WebClient, view: dict[str, Any], complaint: str
) -> None:
    error = slack_error(lambda: client.views_open(trigger_id=slack.register_trigger(), view=view))
    assert error.response["error"] == "invalid_arguments"
    assert any(complaint in m for m in error.response["response_metadata"]["messages"])


def test_views_update_checks_the_hash(slack: FakeSlack, client: WebClient) -> None:
    view = client.views_open(trigger_id=slack.register_trigger(), view=MODAL)["view"]
    updated_modal = with_changes(title={"type": "plain_text", "text": "Thanks"})
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=updated_modal)
    assert updated["view"]["title"]["text"] == "Thanks"
    assert slack.opened_views[0].view["title"]["text"] == "Thanks"
    conflict = slack_error(
        lambda: client.views_update(view_id=view["id"], hash=view["hash"], view=MODAL)
    )
    assert conflict.response["error"] == "hash_conflict"


def test_views_publish_records_each_users_home(slack: FakeSlack, client: WebClient) -> None:
    home = {"type": "home", "blocks": [section("Your open follow-ups")]}
    client.views_publish(user_id="U1", view=home)
    assert slack.published_views["U1"]["blocks"][0]["text"]["text"] == "Your open follow-ups"
    wrong = slack_error(lambda: client.views_publish(user_id="U1", view=MODAL))
    assert wrong.response["error"] == "invalid_arguments"


# --- files ----------------------------------------------------------------------------------


def test_files_upload_v2_shares_the_file_into_a_thread(slack: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C1", text="digest")["ts"]
    png = b"\x89PNG\r\n\x1a\nchart"
    response = client.files_upload_v2(
        content=png,
        filename="ci-billing.png",
        title="CI billing",
        channel="C1",
        thread_ts=parent,
        initial_comment="CI minutes by month",
    )
    uploaded = slack.uploaded_files[0]
    assert (uploaded.content, uploaded.title, uploaded.thread_ts) == (png, "CI billing", parent)
    assert response["file"]["id"] == uploaded.id
    assert response["file"]["shares"]["public"]["C1"][0]["thread_ts"] == parent
    reply = slack.messages("C1", thread_ts=parent)[0]
    assert (reply.text, reply.files) == ("CI minutes by month", [uploaded.id])
    thread = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert thread[1]["files"][0]["name"] == "ci-billing.png"
    upload_call = slack.calls_to(UPLOAD)[0]
    assert "authorization" not in upload_call.headers
    assert upload_call.params["size"] == len(png)


def test_a_multipart_upload_keeps_the_file_part(slack: FakeSlack, client: WebClient) -> None:
    started = client.files_getUploadURLExternal(filename="chart.png", length=4)
    answer = httpx.post(started["upload_url"], files={"file": ("chart.png", b"\x89PNG")})
    assert (answer.status_code, answer.text) == (200, "OK - 4")
    assert slack.uploaded_files[0].content == b"\x89PNG"
    assert httpx.post(slack.root + "/upload/F404", content=b"x").status_code == 404


def test_completing_a_file_that_was_never_uploaded_fails(client: WebClient) -> None:
    started = client.files_getUploadURLExternal(filename="chart.png", length=10)
    error = slack_error(
        lambda: client.files_completeUploadExternal(
            files=[{"id": started["file_id"], "title": "chart"}], channel_id="C1"
        )
    )
    assert error.response["error"] == "file_not_found"


# --- faults and pacing ----------------------------------------------------------------------


def test_rate_limit_retry_handler_honours_retry_after(slack: FakeSlack) -> None:
    client = WebClient(
        token=slack.token, base_url=slack.url, retry_handlers=[RateLimitErrorRetryHandler()]
    )
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    started = time.monotonic()
    client.chat_postMessage(channel="C1", text="digest")
    assert time.monotonic() - started >= 1.0
    calls = slack.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[0].error == "ratelimited"
    assert len(slack.messages("C1")) == 1


def test_a_429_without_a_retry_handler_surfaces_retry_after(
    slack: FakeSlack, client: WebClient
) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    error = slack_error(lambda: client.chat_postMessage(channel="C1", text="x"))
    assert error.response.status_code == 429
    assert error.response.headers["Retry-After"] == "7"
    assert slack.messages("C1") == []


def test_server_errors_and_injected_api_errors(slack: FakeSlack) -> None:
    quick_retry = ServerErrorRetryHandler(
        max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
    )
    client = WebClient(token=slack.token, base_url=slack.url, retry_handlers=[quick_retry])
    slack.fail_next("users.list", status=500, times=2)
    assert client.users_list()["ok"] is True
    assert [c.status for c in slack.calls_to("users.list")] == [500, 500, 200]

    slack.fail_next("*", error="fatal_error")
    assert slack_error(client.auth_test).response["error"] == "fatal_error"
    assert client.auth_test()["ok"] is True


def test_a_slow_answer_is_still_an_answer(slack: FakeSlack, client: WebClient) -> None:
    slack.fail_next("auth.test", delay=0.2)
    started = time.monotonic()
    assert client.auth_test()["ok"] is True
    assert time.monotonic() - started >= 0.2


def test_post_pacing_is_per_channel_and_refills() -> None:
    now = [1000.0]
    with FakeSlack(clock=lambda: now[0]) as fake:
        fake.add_channel("C1", "standup")
        fake.add_channel("C2", "random")
        client = WebClient(token=fake.token, base_url=fake.url)
        fake.rate_limit_posts(per_second=1.0, burst=2)
        client.chat_postMessage(channel="C1", text="1")
        client.chat_postMessage(channel="C1", text="2")
        limited = slack_error(lambda: client.chat_postMessage(channel="C1", text="3"))
        assert limited.response.status_code == 429
        assert limited.response.headers["Retry-After"] == "1"
        client.chat_postMessage(channel="C2", text="elsewhere")
        now[0] += 1.0
        client.chat_postMessage(channel="C1", text="3")
        assert [m.text for m in fake.messages("C1")] == ["1", "2", "3"]


# --- requests into the app: payloads and signatures -----------------------------------------


def test_signatures_verify_with_slack_sdk() -> None:
    body = slash_command(text="hello").body
    headers = sign(SECRET, body)
    verifier = SignatureVerifier(SECRET)
    timestamp, signature = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert verifier.is_valid(body, timestamp, signature)
    assert not SignatureVerifier("another-secret").is_valid(body, timestamp, signature)
    assert not verifier.is_valid(body + b"x", timestamp, signature)
    stale = sign(SECRET, body, int(time.time()) - 600)
    stale_headers = {k.lower(): v for k, v in stale.items()}
    assert not verifier.is_valid_request(body, stale_headers)
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sign(SECRET, url_verification("c").body)["Content-Type"] == JSON


def test_slash_command_has_slacks_fields() -> None:
    fields = slash_command("/standup", "edit", user_id="U1", trigger_id="1.2.3").payload()
    assert set(fields) >= {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "response_url",
        "trigger_id",
        "api_app_id",
    }
    assert (fields["command"], fields["text"], fields["trigger_id"]) == (
        "/standup",
        "edit",
        "1.2.3",
    )


def test_view_submission_carries_the_opened_view_and_its_values(
    slack: FakeSlack, client: WebClient
) -> None:
    opened = client.views_open(trigger_id=slack.register_trigger(), view=MODAL)["view"]
    values = fill_modal(opened, {"Done": "Shipped #12\nReviewed #14", "asks": "<@U2> review"})
    payload = view_submission(opened, values, user_id="U1").payload()
    assert payload["type"] == "view_submission"
    assert payload["user"]["id"] == "U1"
    view = payload["view"]
    assert (view["id"], view["hash"], view["callback_id"]) == (
        opened["id"],
        opened["hash"],
        "standup",
    )
    assert view["state"]["values"]["done"]["text"] == {
        "type": "plain_text_input",
        "value": "Shipped #12\nReviewed #14",
    }
    asks_block = opened["blocks"][1]
    asks = view["state"]["values"][asks_block["block_id"]][asks_block["element"]["action_id"]]
    assert asks["rich_text_value"]["elements"][0]["elements"][0] == {
        "type": "user",
        "user_id": "U2",
    }


def test_rich_text_turns_markup_into_elements() -> None:
    value = rich_text_value("<!channel> ping <@U2> in <#C1|standup>")
    assert value["elements"][0]["elements"] == [
        {"type": "broadcast", "range": "channel"},
        {"type": "text", "text": " ping "},
        {"type": "user", "user_id": "U2"},
        {"type": "text", "text": " in "},
        {"type": "channel", "channel_id": "C1"},
    ]
    assert rich_text_value("") == {"type": "rich_text", "elements": []}


def test_events_and_interactivity_payload_shapes() -> None:
    event = reaction_event(
        user="U1", reaction="white_check_mark", channel="C1", ts="1.000100"
    ).payload()
    assert event["type"] == "event_callback"
    assert event["event_id"].startswith("Ev")
    assert event["authorizations"][0]["user_id"] == "UBOT"
    assert event["event"]["item"] == {"type": "message", "channel": "C1", "ts": "1.000100"}
    assert event["event"]["item_user"] == "UBOT"

    action = block_action("close", value="7", message={"ts": "1.000100", "text": "x"}).payload()
    assert action["container"]["message_ts"] == "1.000100"
    assert action["actions"][0]["value"] == "7"
    shortcut = message_shortcut(
        "add_follow_up", {"ts": "1.000200", "text": "do it"}, "C1", "U1", "1.2.3"
    ).payload()
    assert (shortcut["type"], shortcut["message_ts"]) == ("message_action", "1.000200")


# --- requests into a real Bolt app ------------------------------------------------------------


class QuietWSGIRequestHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def bolt_app(slack: FakeSlack) -> Iterator[tuple[App, str]]:
    """A Bolt app served over loopback HTTP, talking to the fake."""
    client = WebClient(token=slack.token, base_url=slack.url)
    app = App(client=client, signing_secret=SECRET, process_before_response=True)
    server: WSGIServer = make_server(
        "127.0.0.1", 0, SlackRequestHandler(app), handler_class=QuietWSGIRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_signed_slash_command_opens_the_modal_and_its_submission_arrives(
    slack: FakeSlack, bolt_app: tuple[App, str]
) -> None:
    app, base_url = bolt_app
    submitted: list[dict[str, Any]] = []

    @app.command("/standup")
    def open_modal(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    @app.view("standup")
    def take_submission(ack: Any, view: dict[str, Any]) -> None:
        ack()
        submitted.append(view["state"]["values"])

    trigger = slack.register_trigger(user_id="U1")
    assert post_signed(base_url, SECRET, slash_command(trigger_id=trigger)).status_code == 200
    opened = slack.opened_views[0].view
    values = fill_modal(opened, {"Done": "Shipped #12"})
    assert post_signed(base_url, SECRET, view_submission(opened, values)).status_code == 200
    assert submitted == [values]


def test_respond_posts_to_the_fakes_response_url(
    slack: FakeSlack, bolt_app: tuple[App, str]
) -> None:
    app, base_url = bolt_app

    @app.command("/standup")
    def answer_later(ack: Any, respond: Any) -> None:
        ack()
        respond(text="Your standup is saved")

    command = slash_command("/standup", "status", response_url=slack.response_url())
    assert post_signed(base_url, SECRET, command).status_code == 200
    [(url, posted)] = slack.responses
    assert url == command.payload()["response_url"]
    assert posted["text"] == "Your standup is saved"


def test_bolt_refuses_bad_signatures_and_stale_requests(bolt_app: tuple[App, str]) -> None:
    _, base_url = bolt_app
    request = url_verification("challenge-accepted")
    assert post_signed(base_url, SECRET, request, bad_signature=True).status_code == 401
    assert post_signed(base_url, SECRET, request, stale=True).status_code == 401
    answered = post_signed(base_url, SECRET, request)
    assert answered.status_code == 200
    assert answered.json() == {"challenge": "challenge-accepted"}


def test_retried_events_carry_slacks_retry_headers(bolt_app: tuple[App, str]) -> None:
    app, base_url = bolt_app
    seen: list[tuple[str, str | None]] = []

    @app.event("reaction_added")
    def on_reaction(event: dict[str, Any], request: Any) -> None:
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        seen.append((event["reaction"], retry))

    request = reaction_event(
        user="U1", reaction="white_check_mark", channel="C1", ts="1.000100", event_id="Ev1"
    )
    assert post_signed(base_url, SECRET, request).status_code == 200
    assert post_signed(base_url, SECRET, request, retry_num=1).status_code == 200
    assert seen == [("white_check_mark", None), ("white_check_mark", "1")]
    assert event_callback({"type": "app_mention"}).payload()["event"] == {"type": "app_mention"}
