"""Each listener in `handlers/`, called directly as bolt-python's starter template tests them:
Bolt's own `Ack` (and `Respond`), the body Slack sends, and a `WebClient` pointed at the fake
Slack. Through-the-server tests (test_*_e2e.py) are for the wire; these pin each listener's
answer and calls, synchronously, with nothing to wait for."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.config import load_settings
from bot.deps import Deps
from bot.services.asks import ASK_GONE
from bot.services.team import refresh_team
from bot.store import Store
from digests.render import action_ids
from digests.render.views import HELP
from handlers.ask_buttons import (
    handle_answer_button,
    handle_answer_submission,
    handle_ask_button,
)
from handlers.guard import guarded
from handlers.home import handle_close_button, handle_full_text_button, handle_home_opened
from handlers.reactions import handle_reaction
from handlers.search import handle_more
from handlers.shortcut import handle_follow_up_shortcut
from handlers.standup import handle_open_button, handle_standup_command, handle_standup_submission
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_payloads import (
    app_home_opened,
    block_action,
    fill_modal,
    message_shortcut,
    reaction_event,
    slash_command,
    view_submission,
)
from tests.harness import CHANNEL, MEETING, Clock, bot_environment, dm_texts


@pytest.fixture
def deps(slack: FakeSlack, tmp_path: Path) -> Iterator[Deps]:
    settings = load_settings(bot_environment(slack, tmp_path), env_file=None)
    with Store(settings.standup_db) as store:
        deps = Deps(settings=settings, store=store, clock=Clock())
        yield deps
        deps.finish_work()


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return WebClient(token=slack.token, base_url=slack.url)


def answer(ack: Ack) -> dict[str, Any]:
    """What the listener acked with (the work it handed to `after_ack` may still run)."""
    assert ack.response is not None, "the listener did not ack"
    assert ack.response.status == 200
    body = ack.response.body
    return json.loads(body) if body else {}


def opened_modal(slack: FakeSlack, client: WebClient, deps: Deps, user_id: str) -> dict[str, Any]:
    trigger = slack.register_trigger(user_id=user_id)
    body = slash_command(user_id=user_id, trigger_id=trigger).payload()
    handle_standup_command(Ack(), body, client, None, deps)
    return slack.opened_views[-1].view


def submitted(
    slack: FakeSlack, client: WebClient, deps: Deps, answers: dict[str, str], user_id: str = "U1"
) -> Ack:
    view = opened_modal(slack, client, deps, user_id)
    body = view_submission(view, fill_modal(view, answers), user_id=user_id).payload()
    ack = Ack()
    handle_standup_submission(ack, body, client, deps)
    deps.finish_work()  # what it handed on after the ack: confirmation, ask DMs
    return ack


# --- /standup ------------------------------------------------------------------------------------


def test_the_command_acks_then_opens_the_modal(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    trigger = slack.register_trigger(user_id="U1")
    ack = Ack()
    handle_standup_command(ack, slash_command(trigger_id=trigger).payload(), client, None, deps)
    assert answer(ack) == {}
    [opened] = slack.opened_views
    assert opened.trigger_id == trigger and opened.view["callback_id"] == "standup_submit"
    assert slack.calls_to("users.list") == []  # nothing but the modal in Slack's window


def test_help_and_unknown_answer_in_the_ack(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    ack = Ack()
    handle_standup_command(ack, slash_command(text="help").payload(), client, None, deps)
    assert ack.response is not None and ack.response.body == HELP
    ack = Ack()
    handle_standup_command(ack, slash_command(text="dance").payload(), client, None, deps)
    assert ack.response is not None and "I don't know `dance`" in ack.response.body
    assert slack.calls == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [("github octocat", "Linked your GitHub login `octocat`"), ("followup write it", "for you")],
)
def test_github_and_followup_ack_empty_and_answer_on_the_response_url(
    slack: FakeSlack, client: WebClient, deps: Deps, text: str, expected: str
) -> None:
    url = slack.response_url()
    ack = Ack()
    body = slash_command(text=text, user_id="U1", response_url=url).payload()
    handle_standup_command(ack, body, client, Respond(response_url=url), deps)
    assert answer(ack) == {}
    deps.finish_work()
    [(posted_to, payload)] = slack.responses
    assert posted_to == url and expected in payload["text"]
    assert payload["response_type"] == "ephemeral"


# --- the modal's submission ----------------------------------------------------------------------


def test_a_submission_is_saved_before_the_ack_and_followed_by_its_dms(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    refresh_team(client, deps.store, CHANNEL, now=deps.now())
    ack = submitted(slack, client, deps, {"Done": "shipped", "Asks": "@hesham review #3"})
    assert answer(ack) == {}
    [standup] = deps.store.get_standups(MEETING)
    assert standup.done == ("shipped",) and standup.asks[0].to_user_id == "U2"
    assert "Saved your standup" in dm_texts(slack, "U1")[0]
    assert "review #3" in dm_texts(slack, "U2")[0]


def test_a_bad_submission_is_answered_with_errors_and_saves_nothing(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    ack = submitted(slack, client, deps, {"Blocked": "x" * 3001})
    assert answer(ack)["response_action"] == "errors"
    assert deps.store.get_standups(MEETING) == []


def test_a_submission_without_a_view_is_acked_and_ignored(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    ack = Ack()
    handle_standup_submission(ack, {"type": "view_submission", "user": {"id": "U1"}}, client, deps)
    assert answer(ack) == {} and deps.store.get_standups(MEETING) == []


def test_the_write_my_standup_button_opens_the_modal(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    trigger = slack.register_trigger(user_id="U1")
    ack = Ack()
    handle_open_button(
        ack, block_action("open_standup", trigger_id=trigger).payload(), client, deps
    )
    assert answer(ack) == {} and slack.opened_views[0].trigger_id == trigger


# --- asks: buttons and reactions -----------------------------------------------------------------


def asked(slack: FakeSlack, client: WebClient, deps: Deps) -> tuple[int, str, str]:
    """Kevin asks Hesham; the ask id and its DM (channel, ts)."""
    refresh_team(client, deps.store, CHANNEL, now=deps.now())
    submitted(slack, client, deps, {"Asks": "@hesham review #3"})
    [ask] = deps.store.get_standups(MEETING)[0].asks
    assert ask.id is not None and ask.dm_channel and ask.dm_ts
    return ask.id, ask.dm_channel, ask.dm_ts


def test_mark_done_by_the_person_asked_closes_the_ask_and_updates_its_dm(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    ask_id, channel, ts = asked(slack, client, deps)
    ack = Ack()
    body = block_action(action_ids.CLOSE_ASK, value=str(ask_id), user_id="U2").payload()
    handle_ask_button(ack, body, client, None, deps, done=True)
    assert answer(ack) == {}
    deps.finish_work()
    assert deps.store.get_ask(ask_id).status == "done"  # type: ignore[union-attr]
    [update] = slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (channel, ts)


def test_mark_done_by_anyone_else_is_refused_with_a_note(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    ask_id, _, _ = asked(slack, client, deps)
    url = slack.response_url()
    body = block_action(action_ids.CLOSE_ASK, value=str(ask_id), user_id="U3").payload()
    ack = Ack()
    handle_ask_button(ack, body, client, Respond(response_url=url), deps, done=True)
    assert answer(ack) == {}
    deps.finish_work()
    assert deps.store.get_ask(ask_id).status == "open"  # type: ignore[union-attr]
    [(_, note)] = slack.responses
    assert "Only <@U1>, who asked, and <@U2>, who was asked" in note["text"]


@pytest.mark.parametrize("done", [True, False])
def test_a_button_of_an_ask_edited_away_says_so(
    slack: FakeSlack, client: WebClient, deps: Deps, done: bool
) -> None:
    ask_id, _, _ = asked(slack, client, deps)
    submitted(slack, client, deps, {"Done": "reviewed it myself"})  # edited: the ask is gone
    assert deps.store.get_ask(ask_id) is None
    url = slack.response_url()
    action = action_ids.CLOSE_ASK if done else action_ids.REOPEN_ASK
    body = block_action(action, value=str(ask_id), user_id="U2").payload()
    handle_ask_button(Ack(), body, client, Respond(response_url=url), deps, done=done)
    deps.finish_work()
    [(_, note)] = slack.responses
    assert note["text"] == ASK_GONE


def test_search_more_acks_at_once_and_answers_on_the_response_url_after(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    url = slack.response_url()
    body = block_action(action_ids.SEARCH_MORE, value="{bad", response_url=url).payload()
    ack = Ack()
    handle_more(ack, body, client, deps)
    assert answer(ack) == {}
    deps.finish_work()
    [(_, page)] = slack.responses
    assert page["text"] == "That search can no longer be paged: search again."


@pytest.mark.parametrize("value", [None, "abc", "1.5", " 7"])
def test_a_button_value_that_is_no_id_is_acked_and_logged_once(
    slack: FakeSlack,
    client: WebClient,
    deps: Deps,
    caplog: pytest.LogCaptureFixture,
    value: str | None,
) -> None:
    caplog.set_level(logging.INFO, logger="handlers")
    ack = Ack()
    body = block_action(action_ids.REOPEN_ASK, value=value, user_id="U2").payload()
    handle_ask_button(ack, body, client, None, deps, done=False)
    assert answer(ack) == {}
    [record] = [r for r in caplog.records if r.name.startswith("handlers")]
    assert "ignored" in record.getMessage() and record.exc_info is None
    assert slack.calls == []


def test_a_check_on_the_ask_dm_closes_it(slack: FakeSlack, client: WebClient, deps: Deps) -> None:
    ask_id, channel, ts = asked(slack, client, deps)
    body = reaction_event(user="U2", reaction="white_check_mark", channel=channel, ts=ts).payload()
    handle_reaction(body, client, deps, added=True)
    deps.finish_work()
    assert deps.store.get_ask(ask_id).status == "done"  # type: ignore[union-attr]
    removed = reaction_event(
        "reaction_removed", user="U2", reaction="white_check_mark", channel=channel, ts=ts
    ).payload()
    handle_reaction(removed, client, deps, added=False)
    deps.finish_work()
    assert deps.store.get_ask(ask_id).status == "open"  # type: ignore[union-attr]


def test_the_bots_own_check_is_ignored_by_the_listener_itself(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    ask_id, channel, ts = asked(slack, client, deps)
    body = reaction_event(user="UBOT", reaction="white_check_mark", channel=channel, ts=ts)
    handle_reaction(body.payload(), client, deps, added=True)  # Bolt's middleware not involved
    deps.finish_work()
    assert deps.store.get_ask(ask_id).status == "open"  # type: ignore[union-attr]
    assert deps.store.get_reaction_users(channel, ts) == []


# --- answering an ask -----------------------------------------------------------------------------


def answer_modal(slack: FakeSlack, client: WebClient, deps: Deps, ask_id: int) -> dict[str, Any]:
    """Hesham presses Answer in the DM; the modal it opened."""
    trigger = slack.register_trigger(user_id="U2")
    body = block_action(
        action_ids.ANSWER_ASK, value=str(ask_id), user_id="U2", trigger_id=trigger
    ).payload()
    ack = Ack()
    handle_answer_button(ack, body, client, None, deps)
    assert answer(ack) == {}
    assert slack.opened_views[-1].trigger_id == trigger  # opened inside the ack window
    return slack.opened_views[-1].view


def test_answer_opens_the_modal_and_its_submission_is_saved_before_the_ack(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    ask_id, channel, ts = asked(slack, client, deps)
    modal = answer_modal(slack, client, deps, ask_id)
    assert modal["callback_id"] == action_ids.ANSWER_CALLBACK and "review #3" in json.dumps(modal)
    body = view_submission(modal, fill_modal(modal, {"answer": "done, LGTM"}), user_id="U2")
    ack = Ack()
    handle_answer_submission(ack, body.payload(), client, deps)
    assert answer(ack) == {}
    saved = deps.store.get_ask(ask_id)  # before anything after the ack has run
    assert saved is not None and saved.answer == "done, LGTM" and saved.status == "done"
    deps.finish_work()
    assert "done, LGTM" in dm_texts(slack, "U1")[-1]
    [update] = slack.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (channel, ts)
    # The same delivery again (Slack retries) saves nothing and sends nothing.
    handle_answer_submission(Ack(), body.payload(), client, deps)
    deps.finish_work()
    assert len(slack.calls_to("chat.update")) == 1
    # Edit answer: the modal opens with the answer; the asker is told the new one.
    again = answer_modal(slack, client, deps, ask_id)
    [box] = [b for b in again["blocks"] if b["type"] == "input"]
    assert box["element"]["initial_value"] == "done, LGTM"
    edit = view_submission(again, fill_modal(again, {"answer": "merged"}), user_id="U2")
    handle_answer_submission(Ack(), edit.payload(), client, deps)
    deps.finish_work()
    assert "<@U2> changed their answer to your ask" in dm_texts(slack, "U1")[-1]
    assert deps.store.get_ask(ask_id).answer == "merged"  # type: ignore[union-attr]


def test_an_answer_from_app_home_draws_home_again_without_the_ask(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    ask_id, _, _ = asked(slack, client, deps)
    trigger = slack.register_trigger(user_id="U2")
    home = {"type": "home", "id": "VH"}
    body = block_action(
        action_ids.ANSWER_ASK, value=str(ask_id), user_id="U2", trigger_id=trigger, view=home
    ).payload()
    handle_answer_button(Ack(), body, client, None, deps)
    modal = slack.opened_views[-1].view
    submission = view_submission(modal, fill_modal(modal, {"answer": "on it"}), user_id="U2")
    handle_answer_submission(Ack(), submission.payload(), client, deps)
    deps.finish_work()
    published = json.dumps(slack.published_views["U2"])
    assert "Asks to you" in published and "review #3" not in published  # answered: closed


def test_an_empty_answer_keeps_the_modal_open(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    ask_id, _, _ = asked(slack, client, deps)
    modal = answer_modal(slack, client, deps, ask_id)
    ack = Ack()
    body = view_submission(modal, fill_modal(modal, {"answer": " \n "}), user_id="U2")
    handle_answer_submission(ack, body.payload(), client, deps)
    assert answer(ack)["response_action"] == "errors"
    assert set(answer(ack)["errors"]) == {action_ids.ANSWER_BLOCK}
    assert deps.store.get_ask(ask_id).answer is None  # type: ignore[union-attr]


def test_answer_by_anyone_but_the_person_asked_is_refused_with_a_note(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    ask_id, _, _ = asked(slack, client, deps)
    opened = len(slack.opened_views)
    url = slack.response_url()
    for user in ("U3", "U1"):  # someone else, and the asker (who may close it, not answer it)
        body = block_action(
            action_ids.ANSWER_ASK, value=str(ask_id), user_id=user,
            trigger_id=slack.register_trigger(user_id=user), response_url=url,
        ).payload()  # fmt: skip
        ack = Ack()
        handle_answer_button(ack, body, client, Respond(response_url=url), deps)
        assert answer(ack) == {}
    deps.finish_work()
    assert len(slack.opened_views) == opened
    assert [note["text"] for _, note in slack.responses] == [
        "Only <@U2>, who was asked, can answer this ask."
    ] * 2
    # A submission forged for the ask is refused too.
    modal = answer_modal(slack, client, deps, ask_id)
    ack = Ack()
    forged = view_submission(modal, fill_modal(modal, {"answer": "mine"}), user_id="U3")
    handle_answer_submission(ack, forged.payload(), client, deps)
    assert "Only <@U2>" in answer(ack)["errors"][action_ids.ANSWER_BLOCK]
    assert deps.store.get_ask(ask_id).answer is None  # type: ignore[union-attr]


def test_an_answered_ask_stays_closed_whatever_the_reopen_button_or_a_check(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    ask_id, channel, ts = asked(slack, client, deps)
    deps.store.save_ask_answer(ask_id, "yes", by="U2", now=deps.now())
    body = block_action(action_ids.REOPEN_ASK, value=str(ask_id), user_id="U1").payload()
    handle_ask_button(Ack(), body, client, None, deps, done=False)
    deps.finish_work()
    assert deps.store.get_ask(ask_id).status == "done"  # type: ignore[union-attr]
    for added in (True, False):  # a ✅ added, then removed: the last ✅ gone reopens nothing
        event = reaction_event(
            "reaction_added" if added else "reaction_removed",
            user="U2", reaction="white_check_mark", channel=channel, ts=ts,
        ).payload()  # fmt: skip
        handle_reaction(event, client, deps, added=added)
        deps.finish_work()
    assert deps.store.get_ask(ask_id).status == "done"  # type: ignore[union-attr]


# --- the checklist in the modal ------------------------------------------------------------------


def test_ticked_promises_become_done_lines_and_leave_next(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    submitted(slack, client, deps, {"Next": "write the RFC\nmigrate CI\nbook the room"})
    deps.clock.advance(days=7)  # type: ignore[attr-defined]
    view = opened_modal(slack, client, deps, "U1")
    answers = {"Tick": ["migrate CI"], "Done": "fixed a bug", "Next": view_next(view)}
    ack = Ack()
    body = view_submission(view, fill_modal(view, answers), user_id="U1").payload()
    handle_standup_submission(ack, body, client, deps)
    assert answer(ack) == {}
    saved = deps.store.get_standup("U1", MEETING + timedelta(days=7))
    assert saved is not None
    assert saved.done == ("migrate CI", "fixed a bug")
    assert saved.next == ("write the RFC", "book the room")


def test_a_checklist_that_no_longer_matches_is_refused_without_saving(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    submitted(slack, client, deps, {"Next": "write the RFC"})
    deps.clock.advance(days=7)  # type: ignore[attr-defined]
    view = opened_modal(slack, client, deps, "U1")
    view["private_metadata"] = view["private_metadata"].replace('"count":1', '"count":2')
    ack = Ack()
    body = view_submission(view, fill_modal(view, {"Tick": ["write the RFC"]}), user_id="U1")
    handle_standup_submission(ack, body.payload(), client, deps)
    assert set(answer(ack)["errors"]) == {"promises_0"}
    assert deps.store.get_standup("U1", MEETING + timedelta(days=7)) is None


def view_next(view: dict[str, Any]) -> str:
    return next(b for b in view["blocks"] if b.get("block_id") == "next")["element"].get(
        "initial_value", ""
    )


# --- App Home ------------------------------------------------------------------------------------


def test_home_is_published_when_opened(slack: FakeSlack, client: WebClient, deps: Deps) -> None:
    handle_home_opened(app_home_opened("U1").payload(), client, deps)
    deps.finish_work()
    assert "Your standup" in json.dumps(slack.published_views["U1"])
    handle_home_opened(app_home_opened("U1", tab="messages").payload(), client, deps)
    deps.finish_work()
    assert len(slack.calls_to("views.publish")) == 1


def test_a_home_button_closes_the_follow_up_and_republishes(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    refresh_team(client, deps.store, CHANNEL, now=deps.now())
    submitted(slack, client, deps, {"Follow-ups": "rotate the keys"})
    [follow_up] = deps.store.get_open_follow_ups()
    ack = Ack()
    body = block_action(
        action_ids.HOME_CLOSE_FOLLOW_UP, value=str(follow_up.id), user_id="U1",
        view={"type": "home", "id": "VH"},
    ).payload()  # fmt: skip
    handle_close_button(ack, body, client, deps, follow_up=True)
    deps.finish_work()
    assert answer(ack) == {} and deps.store.get_open_follow_ups() == []
    assert "rotate the keys" not in json.dumps(slack.published_views["U1"])


def test_read_all_opens_the_whole_text(slack: FakeSlack, client: WebClient, deps: Deps) -> None:
    ask_id, _, _ = asked(slack, client, deps)
    trigger = slack.register_trigger(user_id="U2")
    ack = Ack()
    body = block_action(
        action_ids.SHOW_FULL_TEXT, value=f"ask:{ask_id}", user_id="U2", trigger_id=trigger
    ).payload()
    handle_full_text_button(ack, body, client, deps)
    assert answer(ack) == {}
    assert "review #3" in json.dumps(slack.opened_views[-1].view)


@pytest.mark.parametrize("value", ["ask:\u00b2", "ask:" + "9" * 30, "follow_up:", "ask:-1"])
def test_read_all_with_a_forged_id_is_ignored_with_one_info_line(
    slack: FakeSlack,
    client: WebClient,
    deps: Deps,
    caplog: pytest.LogCaptureFixture,
    value: str,
) -> None:
    caplog.set_level(logging.INFO)
    trigger = slack.register_trigger(user_id="U2")
    ack = Ack()
    body = block_action(
        action_ids.SHOW_FULL_TEXT, value=value, user_id="U2", trigger_id=trigger
    ).payload()
    handle_full_text_button(ack, body, client, deps)
    assert answer(ack) == {} and slack.opened_views == []
    assert "Read all ignored" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# --- the message shortcut ------------------------------------------------------------------------


def test_the_shortcut_adds_a_follow_up_and_says_so_where_it_was_used(
    slack: FakeSlack, client: WebClient, deps: Deps
) -> None:
    source = slack.add_message(CHANNEL, "<@U4> update the on-call doc", user="U2")
    message = {"type": "message", "ts": source.ts, "user": "U2", "text": source.text}
    ack = Ack()
    handle_follow_up_shortcut(
        ack, message_shortcut("add_follow_up", message, CHANNEL, "U2").payload(), client, deps
    )
    deps.finish_work()
    assert answer(ack) == {}
    [follow_up] = deps.store.get_open_follow_ups()
    assert follow_up.owner_user_id == "U4" and follow_up.text == "update the on-call doc"
    assert "Added follow-up" in slack.ephemerals(CHANNEL)[0].text


# --- the guard every listener runs in ------------------------------------------------------------


def test_a_listener_that_fails_is_logged_and_acked_never_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ack = Ack()
    with guarded("a listener", ack, text="sorry"):
        raise KeyError("user")
    assert ack.response is not None and ack.response.body == "sorry"
    [record] = caplog.records
    assert "listener a listener failed: KeyError" in record.getMessage()
    acked = Ack()
    acked()
    with guarded("another", acked, text="not this"):
        raise ValueError("after the ack")
    assert acked.response is not None and acked.response.body == ""
