"""`/standup` end to end: signed requests into the real app, the real Web API calls out."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.ops.cli import main
from digests.parsing import parse_command
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_payloads import fill_modal, slash_command, view_submission
from tests.harness import (
    MEETING,
    RunningBot,
    bot_environment,
    dm_texts,
    initial_values,
    open_modal,
    running_bot,
    submit_view,
    wait_for,
)


@pytest.fixture
def bot(slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    with running_bot(slack, tmp_path) as running:
        yield running


def export_json(
    bot: RunningBot,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> dict[str, Any]:
    for key, value in bot_environment(bot.slack, tmp_path).items():
        monkeypatch.setenv(key, value)
    capsys.readouterr()
    assert main(["export", "--date", MEETING.isoformat()]) == 0
    exported: dict[str, Any] = json.loads(capsys.readouterr().out)
    return exported


def test_standup_opens_a_modal_is_stored_and_exported(
    bot: RunningBot,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    view = open_modal(bot)
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == ["Done", "Next", "Blocked", "Asks", "Follow-ups"]
    response = submit_view(
        bot,
        view,
        {
            "Done": "- shipped login\n- fixed flaky CI",
            "Next": "billing chart",
            "Blocked": "waiting on the DNS change",
            "Asks": "@hesham review acme/api#12\nEveryone: fill in the survey",
            "Follow-ups": "Mira: send the RFC",
        },
    )
    assert response.status_code == 200 and response.content in (b"", b"{}")
    exported = export_json(bot, monkeypatch, capsys, tmp_path)
    assert exported["meeting_date"] == "2026-11-30"
    [standup] = exported["standups"]
    assert standup["user_id"] == "U1" and standup["user_name"] == "Kevin"
    assert standup["done"] == ["shipped login", "fixed flaky CI"]
    assert standup["next"] == ["billing chart"] and standup["blocked"] == [
        "waiting on the DNS change"
    ]
    assert [(a["to_user_id"], a["to_name"], a["text"]) for a in standup["asks"]] == [
        ("U2", "Hesham", "review acme/api#12"),
        (None, "Everyone", "fill in the survey"),
    ]
    [follow_up] = exported["follow_ups"]
    assert follow_up["owner_user_id"] == "U3" and follow_up["text"] == "send the RFC"
    assert follow_up["status"] == "open" and follow_up["done_at"] is None
    confirmation = wait_for(lambda: dm_texts(bot.slack, "U1"), what="the confirmation DM")
    assert "Saved your standup" in confirmation[0] and "2 done items" in confirmation[0]
    # The person asked gets a DM naming who asked.
    ask_dm = wait_for(lambda: dm_texts(bot.slack, "U2"), what="the ask DM")
    assert "<@U1>" in ask_dm[0] and "review acme/api#12" in ask_dm[0]


def test_reopening_in_the_same_cycle_prefills_and_editing_replaces(bot: RunningBot) -> None:
    view = open_modal(bot)
    answers = {"Done": "one", "Asks": "@hesham look at #3", "Follow-ups": "book a room"}
    submit_view(bot, view, answers)
    wait_for(lambda: bot.store.get_standup("U1", MEETING), what="the standup")
    again = open_modal(bot)
    values = initial_values(again)
    assert values["done"] == "one"
    assert values["asks"] == "@hesham look at #3"  # as typed, not the <@U2> it resolved to
    assert values["follow_ups"] == "book a room"
    assert again["submit"]["text"] == "Update"
    submit_view(
        bot, again, {"Done": "one\ntwo", "Asks": "@hesham look at #3", "Follow-ups": "book a room"}
    )
    standups = wait_for(
        lambda: [s for s in bot.store.get_standups(MEETING) if len(s.done) == 2], what="the edit"
    )
    assert len(bot.store.get_standups(MEETING)) == 1 and standups[0].done == ("one", "two")
    assert len(standups[0].asks) == 1 and len(bot.store.get_open_follow_ups()) == 1
    # The unchanged ask is not DM'd twice.
    bot.logs.wait_for("standup handled: user=U1", count=2)
    assert len(dm_texts(bot.slack, "U2")) == 1


def test_a_new_cycle_lists_last_cycles_next_to_tick_and_in_next(bot: RunningBot) -> None:
    submit_view(bot, open_modal(bot), {"Done": "a", "Next": "write the RFC\nmigrate CI"})
    wait_for(lambda: bot.store.get_standup("U1", MEETING), what="the standup")
    bot.clock.advance(days=7)
    view = open_modal(bot)
    [checklist] = [b for b in view["blocks"] if b.get("block_id", "").startswith("promises_")]
    options = checklist["element"]["options"]
    assert [o["text"]["text"] for o in options] == ["write the RFC", "migrate CI"]
    assert "initial_options" not in checklist["element"]
    values = initial_values(view)
    assert values["next"] == "write the RFC\nmigrate CI" and values["done"] is None
    assert view["submit"]["text"] == "Submit"


def test_a_bad_signature_or_a_stale_timestamp_is_refused_and_stores_nothing(
    bot: RunningBot,
) -> None:
    view = open_modal(bot)
    request = view_submission(view, fill_modal(view, {"Done": "sneaky"}))
    assert bot.send(request, bad_signature=True).status_code == 401
    assert bot.send(request, stale=True).status_code == 401
    command = slash_command(trigger_id=bot.slack.register_trigger())
    assert bot.send(command, bad_signature=True).status_code == 401
    assert bot.store.get_standups(MEETING) == []
    assert len(bot.slack.opened_views) == 1  # only the signed /standup above opened one


def test_over_long_input_keeps_the_modal_open_and_stores_nothing(bot: RunningBot) -> None:
    view = open_modal(bot)
    response = submit_view(bot, view, {"Done": "fine", "Blocked": "x" * 3001})
    body = response.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"blocked"} and "3,001" in body["errors"]["blocked"]
    assert bot.store.get_standups(MEETING) == []


def test_an_empty_submission_asks_for_something(bot: RunningBot) -> None:
    view = open_modal(bot)
    body = submit_view(bot, view, {"Done": "  \n  "}).json()
    assert body["response_action"] == "errors" and "done" in body["errors"]
    assert bot.store.get_standups(MEETING) == []


def test_the_same_submission_delivered_twice_is_stored_once(bot: RunningBot) -> None:
    view = open_modal(bot)
    request = view_submission(view, fill_modal(view, {"Done": "once", "Asks": "@mira hi"}))
    assert bot.send(request).status_code == 200
    assert bot.send(request, retry_num=1).status_code == 200
    bot.logs.wait_for("standup handled: user=U1")
    bot.logs.wait_for("already saved")
    assert len(bot.store.get_standups(MEETING)) == 1
    assert len(dm_texts(bot.slack, "U1")) == 1 and len(dm_texts(bot.slack, "U3")) == 1


def test_an_unknown_name_stays_as_text_and_the_confirmation_says_so(bot: RunningBot) -> None:
    submit_view(bot, open_modal(bot), {"Asks": "@bob can you review the doc"})
    confirmation = wait_for(lambda: dm_texts(bot.slack, "U1"), what="the confirmation")[0]
    assert "couldn't match “bob”" in confirmation
    [standup] = bot.store.get_standups(MEETING)
    assert standup.asks[0].to_user_id is None and standup.asks[0].to_name == "bob"


def answers(bot: RunningBot, response_url: str) -> list[str]:
    return [payload.get("text", "") for url, payload in bot.slack.responses if url == response_url]


def test_help_and_unknown_subcommands_answer_with_usage(bot: RunningBot) -> None:
    help_text = bot.send(slash_command(text="help")).text
    assert "/standup followup" in help_text
    unknown = bot.send(slash_command(text="<!channel> dance")).text
    assert (
        unknown.startswith("I don't know `&lt;!channel&gt; dance`") and "/standup help" in unknown
    )
    assert bot.slack.opened_views == []


def test_github_and_followup_subcommands(bot: RunningBot) -> None:
    """Both may need Slack (a member refresh): they ack at once and answer on response_url."""
    github_url, followup_url = bot.slack.response_url(), bot.slack.response_url()
    ack = bot.send(slash_command(text="github octocat", user_id="U1", response_url=github_url))
    assert ack.status_code == 200 and ack.content == b""
    [linked] = wait_for(lambda: answers(bot, github_url), what="the github answer")
    assert "octocat" in linked
    bot.send(
        slash_command(text="followup @mira send the notes", user_id="U1", response_url=followup_url)
    )
    [text] = wait_for(lambda: answers(bot, followup_url), what="the followup answer")
    assert "for Mira" in text
    [follow_up] = bot.store.get_open_follow_ups()
    assert follow_up.owner_user_id == "U3" and follow_up.text == "send the notes"
    assert bot.store.get_member("U1").github_login == "octocat"  # type: ignore[union-attr]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(max_size=200))
def test_any_text_after_the_command_gets_an_answer(bot: RunningBot, text: str) -> None:
    # Text with "payload" in it is issue 15.1 (Bolt parses such a form body as `payload=` JSON
    # and answers 404), fixed in the HTTP adapter on the wire branch: drop this line there.
    assume("payload" not in text)
    response_url = bot.slack.response_url()
    response = bot.send(slash_command(text=text, response_url=response_url))
    assert response.status_code == 200
    command = parse_command(text)
    if command.name in ("github", "followup"):  # answered after the ack
        assert wait_for(lambda: answers(bot, response_url), what="the answer")[0].strip()
    elif command.name != "open":  # anything but "open the modal" answers in words at once
        assert response.text.strip()


def test_rich_text_input_is_read_and_broadcasts_stay_inert(bot: RunningBot) -> None:
    view = open_modal(bot)
    for block in view["blocks"]:
        if block.get("block_id") == "asks":
            block["element"] = {"type": "rich_text_input", "action_id": "value"}
    submit_view(bot, view, {"Asks": "<@U2> <!channel> review please"})
    # The member cache was empty: the mention resolves after the ack, then U2 gets the DM.
    wait_for(lambda: dm_texts(bot.slack, "U2"), what="the ask DM")
    [standup] = bot.store.get_standups(MEETING)
    assert standup.asks[0].to_user_id == "U2"
    assert standup.asks[0].text == "@channel review please"
