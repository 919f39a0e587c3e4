"""What members type and click, attacked through the running app (issue 11 items 3-11, issue 15
items 2, 3, 5, 6, 7): signed requests into the real server, then the answer, the log, the
database and the Web API calls that came out."""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.ops.cli import main
from bot.services.digest import render_digest_files, run_digest
from bot.services.reminders import retry_reminders, send_reminders
from bot.services.team import refresh_team
from digests.cycles import cycle_for_meeting
from digests.escape import BIDI_CONTROLS
from digests.parsing import MAX_ASKS_PER_STANDUP, MAX_FOLLOW_UPS_PER_CYCLE
from digests.render import action_ids
from tests.factories import all_text
from tests.fakes.slack import FakeMessage, FakeSlack, validate_blocks
from tests.fakes.slack_payloads import (
    app_home_opened,
    block_action,
    fill_modal,
    reaction_event,
    slash_command,
    view_submission,
)
from tests.harness import (
    CHANNEL,
    MEETING,
    LogWatch,
    RunningBot,
    bot_environment,
    dm_texts,
    initial_values,
    open_modal,
    running_bot,
    seed_workspace,
    submit_standup,
    submit_view,
    wait_for,
)


@pytest.fixture
def bot(slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    with running_bot(slack, tmp_path) as running:
        yield running


def warm(bot: RunningBot) -> None:
    """Fill the member cache as the scheduler would (most tests are about something else)."""
    refresh_team(bot.client, bot.store, CHANNEL, now=bot.clock())


def ask_dms(slack: FakeSlack, user_id: str) -> list[FakeMessage]:
    return [m for m in slack.messages(slack.dm_channel_id(user_id)) if "in their standup" in m.text]


def db(bot: RunningBot, sql: str, *params: Any) -> list[sqlite3.Row]:
    return bot.store._read(sql, params)


def click(bot: RunningBot, action: str, value: str, user_id: str, **extra: Any) -> Any:
    return bot.send(block_action(action, value=value, user_id=user_id, **extra))


# --- issue 11.3: concurrent submissions DM each ask once -----------------------------------------


def test_twenty_people_submitting_at_once_dm_each_ask_exactly_once(tmp_path: Path) -> None:
    people = [(f"U{n:02d}", f"p{n:02d}", f"Person {n:02d}") for n in range(10, 30)]
    with FakeSlack() as slack:
        seed_workspace(slack, people)
        with running_bot(slack, tmp_path) as bot:
            warm(bot)
            requests = []
            for index, (user_id, _, _) in enumerate(people):
                a, b = people[(index + 1) % 20][1], people[(index + 2) % 20][1]
                view = open_modal(bot, user_id)
                answers = {"Done": "work", "Asks": f"@{a} review my PR\n@{b} pair on CI"}
                requests.append(view_submission(view, fill_modal(view, answers), user_id=user_id))
            barrier = threading.Barrier(len(requests))

            def send(request: Any) -> int:
                barrier.wait()
                return bot.send(request).status_code

            with ThreadPoolExecutor(max_workers=len(requests)) as pool:
                assert list(pool.map(send, requests)) == [200] * 20
            bot.logs.wait_for("standup handled:", count=20, timeout=30)
            asks = db(bot, "SELECT id, dm_state, dm_channel, dm_ts, to_user_id FROM asks")
            assert len(asks) == 40 and {a["dm_state"] for a in asks} == {"sent"}
            # One DM per person asked and submission (each lists one ask here): 40, no more.
            dms = [m for user_id, _, _ in people for m in ask_dms(slack, user_id)]
            assert len(dms) == 40
            assert len({(a["dm_channel"], a["dm_ts"]) for a in asks}) == 40


# --- issue 11.4: ids that are not members; DMs that fail for good --------------------------------


def test_mentions_of_ids_that_are_not_members_are_never_dmd(bot: RunningBot) -> None:
    warm(bot)
    bogus = "\n".join(f"<@UBOGUS{n}> please look" for n in range(5))
    submit_standup(bot, "U1", {"Done": "a", "Asks": bogus + "\n@hesham review #3"})
    bot.logs.wait_for("standup handled: user=U1")
    opened = [c.params.get("users") for c in bot.slack.calls_to("conversations.open")]
    assert not [u for u in opened if "BOGUS" in str(u)]
    rows = db(bot, "SELECT to_user_id, to_name FROM asks WHERE to_name LIKE 'UBOGUS%'")
    assert len(rows) == 5 and {r["to_user_id"] for r in rows} == {None}
    confirmation = dm_texts(bot.slack, "U1")[0]
    assert "couldn't match" in confirmation and "UBOGUS0" in confirmation
    # A later, unrelated submission sends nothing for them either.
    bot.slack.clear_calls()
    submit_standup(bot, "U2", {"Done": "b"})
    bot.logs.wait_for("standup handled: user=U2")
    assert [c.params.get("users") for c in bot.slack.calls_to("conversations.open")] == ["U2"]


def test_a_dm_refused_for_good_is_recorded_and_not_sent_again(bot: RunningBot) -> None:
    warm(bot)
    # The confirmation to U1 comes first, then the ask DM to U3: both are refused.
    bot.slack.fail_next("conversations.open", error="user_not_found", times=2)
    submit_standup(bot, "U1", {"Done": "a", "Asks": "@mira review the doc"})
    bot.logs.wait_for("ask DM refused for good: to=U3 error=user_not_found")
    [ask] = db(bot, "SELECT dm_state, dm_error FROM asks")
    assert (ask["dm_state"], ask["dm_error"]) == ("failed", "user_not_found")
    bot.slack.clear_calls()
    submit_standup(bot, "U1", {"Done": "a\nb", "Asks": "@mira review the doc"})  # an edit
    bot.logs.wait_for("standup handled: user=U1", count=2)
    assert [c.params.get("users") for c in bot.slack.calls_to("conversations.open")] == ["U1"]


def test_a_dm_that_may_pass_is_released_and_sent_by_the_next_submission(bot: RunningBot) -> None:
    warm(bot)
    # The confirmation to U1, then the ask DM to U3: each 500 past slack-sdk's 2 retries.
    bot.slack.fail_next("conversations.open", status=500, times=6)
    submit_standup(bot, "U1", {"Done": "a", "Asks": "@mira review the doc"})
    bot.logs.wait_for("ask DM failed, to try again: to=U3")
    assert db(bot, "SELECT dm_state FROM asks")[0]["dm_state"] is None
    submit_standup(bot, "U1", {"Done": "a\nb", "Asks": "@mira review the doc"})
    bot.logs.wait_for("standup handled: user=U1", count=2)
    assert len(ask_dms(bot.slack, "U3")) == 1
    assert db(bot, "SELECT dm_state FROM asks")[0]["dm_state"] == "sent"


# --- issue 11.5: caps on fan-out -----------------------------------------------------------------


def test_too_many_asks_keep_the_modal_open_and_store_nothing(bot: RunningBot) -> None:
    view = open_modal(bot)
    asks = "\n".join(f"@hesham thing {n}" for n in range(MAX_ASKS_PER_STANDUP + 1))
    body = submit_view(bot, view, {"Done": "a", "Asks": asks}).json()
    assert body["response_action"] == "errors"
    assert f"at most {MAX_ASKS_PER_STANDUP}" in body["errors"]["asks"]
    assert bot.store.get_standups(MEETING) == []


def test_all_asks_to_one_person_come_in_one_dm(bot: RunningBot) -> None:
    warm(bot)
    to_hesham = MAX_ASKS_PER_STANDUP - 1
    asks = "\n".join(f"@hesham thing {n}" for n in range(to_hesham))
    submit_standup(bot, "U1", {"Done": "a", "Asks": asks + "\n@mira one for you"})
    bot.logs.wait_for("standup handled: user=U1 meeting=2026-11-30 changed=True ask_dms=2")
    [dm] = ask_dms(bot.slack, "U2")
    text = " ".join(all_text(dm.blocks))
    assert all(f"thing {n}" in text for n in range(to_hesham))
    buttons = [
        (e["action_id"], e["value"])
        for b in dm.blocks or []
        if b["type"] == "actions"
        for e in b["elements"]
    ]  # an Answer and a Mark done per ask
    ids = [str(ask.id) for ask in bot.store.get_asks_to("U2")]
    assert len(ids) == to_hesham
    answer, close = action_ids.ANSWER_ASK, action_ids.CLOSE_ASK
    assert buttons == [(action, i) for i in ids for action in (answer, close)]
    assert len(ask_dms(bot.slack, "U3")) == 1


def test_follow_ups_per_person_and_cycle_are_capped(bot: RunningBot) -> None:
    warm(bot)
    too_many = "\n".join(f"follow-up {n}" for n in range(MAX_FOLLOW_UPS_PER_CYCLE + 1))
    body = submit_view(bot, open_modal(bot), {"Follow-ups": too_many}).json()
    assert body["response_action"] == "errors" and "at most 20" in body["errors"]["follow_ups"]
    assert bot.store.get_open_follow_ups() == []
    exactly = "\n".join(f"follow-up {n}" for n in range(MAX_FOLLOW_UPS_PER_CYCLE))
    submit_standup(bot, "U1", {"Follow-ups": exactly})
    assert len(bot.store.get_open_follow_ups()) == MAX_FOLLOW_UPS_PER_CYCLE
    response_url = bot.slack.response_url()
    bot.send(slash_command(text="followup one more", user_id="U1", response_url=response_url))
    [answer] = wait_for(lambda: bot.slack.responses, what="the answer")
    assert "Not added" in answer[1]["text"] and "at most 20" in answer[1]["text"]
    assert len(bot.store.get_open_follow_ups()) == MAX_FOLLOW_UPS_PER_CYCLE


# --- issue 11.6: who may close or reopen an ask --------------------------------------------------


def test_only_the_asker_and_the_person_asked_may_close_or_reopen_an_ask(bot: RunningBot) -> None:
    warm(bot)
    submit_standup(bot, "U1", {"Done": "a", "Asks": "@hesham review #3"})
    bot.logs.wait_for("standup handled: user=U1")
    [ask] = bot.store.get_standups(MEETING)[0].asks
    response_url = bot.slack.response_url()
    forged = click(bot, action_ids.CLOSE_ASK, str(ask.id), "U4", response_url=response_url)
    assert forged.status_code == 200
    bot.logs.wait_for(f"ask {ask.id}: U4 may not close or reopen it")
    [(_, note)] = wait_for(lambda: bot.slack.responses, what="the note to U4")
    assert "Only <@U1>, who asked, and <@U2>, who was asked" in note["text"]
    assert bot.store.get_ask(ask.id).status == "open"  # type: ignore[union-attr]
    click(bot, action_ids.CLOSE_ASK, str(ask.id), "U2")
    wait_for(lambda: bot.store.get_ask(ask.id).status == "done", what="closed by U2")  # type: ignore[union-attr]
    click(bot, action_ids.REOPEN_ASK, str(ask.id), "U4")
    bot.logs.wait_for(f"ask {ask.id}: U4 may not close or reopen it", count=2)
    assert bot.store.get_ask(ask.id).status == "done"  # type: ignore[union-attr]
    click(bot, action_ids.REOPEN_ASK, str(ask.id), "U1")
    wait_for(lambda: bot.store.get_ask(ask.id).status == "open", what="reopened by U1")  # type: ignore[union-attr]


def test_an_ask_to_everyone_is_closed_by_the_team_not_by_others(bot: RunningBot) -> None:
    bot.slack.add_member("U9", "guest", real_name="Guest Person")  # in the workspace, not the team
    warm(bot)
    submit_standup(bot, "U1", {"Done": "a", "Asks": "Everyone: fill in the survey"})
    [ask] = bot.store.get_standups(MEETING)[0].asks
    assert ask.everyone
    click(bot, action_ids.HOME_CLOSE_ASK, str(ask.id), "U9", view={"type": "home", "id": "VH"})
    bot.logs.wait_for(f"ask {ask.id}: U9 may not close or reopen it")
    assert bot.store.get_ask(ask.id).status == "open"  # type: ignore[union-attr]
    click(bot, action_ids.HOME_CLOSE_ASK, str(ask.id), "U3", view={"type": "home", "id": "VH"})
    wait_for(lambda: bot.store.get_ask(ask.id).status == "done", what="closed by U3")  # type: ignore[union-attr]
    assert bot.store.get_ask(ask.id).closed_by == "U3"  # type: ignore[union-attr]


def test_a_check_on_an_ask_dm_counts_only_from_the_asker_or_the_person_asked(
    bot: RunningBot,
) -> None:
    warm(bot)
    submit_standup(bot, "U1", {"Done": "a", "Asks": "@hesham review #3"})
    [dm] = wait_for(lambda: ask_dms(bot.slack, "U2"), what="the ask DM")
    bot.send(reaction_event(user="U4", reaction="white_check_mark", channel=dm.channel, ts=dm.ts))
    bot.logs.wait_for("reaction ignored: U4 may not close the asks")
    assert db(bot, "SELECT status FROM asks")[0]["status"] == "open"
    assert db(bot, "SELECT count(*) AS n FROM reactions")[0]["n"] == 0


# --- issue 11.7: reactions from bots -------------------------------------------------------------


def digest_follow_up(bot: RunningBot, text: str) -> FakeMessage:
    cycle = cycle_for_meeting(bot.settings.digest_schedule, MEETING)
    bot.clock.current = cycle.ends_at + timedelta(seconds=5)
    report = run_digest(bot.deps, bot.client, now=bot.clock.current, cycle=cycle, pace_seconds=0)
    assert report.ok, report.error
    root = bot.slack.messages(CHANNEL)[-1]
    return next(m for m in bot.slack.thread(CHANNEL, root.ts) if text in m.text)


def test_a_bots_check_changes_nothing(bot: RunningBot) -> None:
    bot.slack.add_member("UOTHERBOT", "ci-bot", real_name="CI bot", is_bot=True)
    warm(bot)
    submit_standup(bot, "U1", {"Done": "a", "Follow-ups": "rotate the keys"})
    message = digest_follow_up(bot, "rotate the keys")
    bot.slack.add_member("UNEWBOT", "new-bot", is_bot=True)  # not in the cache: users.info says
    for user in ("UOTHERBOT", "UNEWBOT", "USLACKBOT"):
        bot.send(
            reaction_event(user=user, reaction="white_check_mark", channel=CHANNEL, ts=message.ts)
        )
        bot.logs.wait_for(f"reaction ignored: {user} is a bot")
    assert [c.params["user"] for c in bot.slack.calls_to("users.info")] == ["UNEWBOT"]
    assert bot.store.get_open_follow_ups()[0].text == "rotate the keys"
    assert db(bot, "SELECT count(*) AS n FROM reactions")[0]["n"] == 0
    assert bot.slack.calls_to("chat.update") == []


def test_the_bots_own_check_changes_nothing(bot: RunningBot) -> None:
    warm(bot)
    submit_standup(bot, "U1", {"Done": "a", "Follow-ups": "rotate the keys"})
    message = digest_follow_up(bot, "rotate the keys")
    # Bolt's IgnoringSelfEvents middleware logs each event it drops, at debug, on its own logger.
    with LogWatch(("slack_bolt.IgnoringSelfEvents",)) as bolt:
        own = reaction_event(
            user="UBOT", reaction="white_check_mark", channel=CHANNEL, ts=message.ts
        )
        assert bot.send(own).status_code == 200

        def handled() -> list[str]:  # Bolt skips the bot's own events; if not, the service does
            return bolt.messages("Skipped self event") or bot.logs.messages("UBOT is a bot")

        wait_for(handled, what="the bot's own ✅ set aside")
    assert bot.store.get_open_follow_ups()[0].text == "rotate the keys"
    assert db(bot, "SELECT count(*) AS n FROM reactions")[0]["n"] == 0


# --- issue 11.8: junk in a button value ----------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "", "12abc", "-1", "9" * 40, "1e3"])
@pytest.mark.parametrize(
    "action", [action_ids.CLOSE_ASK, action_ids.REOPEN_ASK, action_ids.HOME_CLOSE_FOLLOW_UP]
)
def test_a_junk_button_value_is_acked_and_ignored_in_one_log_line(
    bot: RunningBot, action: str, value: str
) -> None:
    response = click(bot, action, value, "U1")
    assert response.status_code == 200
    [line] = bot.logs.wait_for("ignored: value")
    assert repr(value[:60]) in line
    assert not [r for r in bot.logs.records if r.exc_info]
    assert bot.slack.calls_to("chat.update") == []


# --- issue 11.9: bidi controls and NUL -----------------------------------------------------------

REVERSING = "\u202e"
SNEAKY = f"Mallory{REVERSING}gnp.exe\u202c\x00\x1b[31m"


def test_bidi_controls_and_nul_reach_no_rendering(
    slack: FakeSlack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    slack.add_member("U5", "mallory", real_name=SNEAKY, display_name=SNEAKY, channels=[CHANNEL])
    with running_bot(slack, tmp_path) as bot:
        warm(bot)
        typed = {
            "Done": f"shipped {SNEAKY}",
            "Next": f"more{REVERSING} work",
            "Blocked": "stuck\u2066 here\u2069",
            "Asks": f"@hesham look at {SNEAKY}",
            "Follow-ups": f"@mallory clean {SNEAKY}",
        }
        submit_standup(bot, "U5", typed)
        bot.logs.wait_for("standup handled: user=U5")
        bot.send(app_home_opened("U5"))
        bot.send(app_home_opened("U2"))
        wait_for(lambda: len(slack.published_views) == 2, what="two Home tabs")
        digest_follow_up(bot, "clean")
        cycle = cycle_for_meeting(bot.settings.digest_schedule, MEETING)
        from bot.services.digest import gather_digest

        digest = gather_digest(bot.deps, cycle, now=bot.clock(), team_from=None)
        files = render_digest_files(digest)
        for key, value in bot_environment(slack, tmp_path).items():
            monkeypatch.setenv(key, value)
        capsys.readouterr()
        assert main(["export", "--date", MEETING.isoformat(), "--format", "md"]) == 0
        exported = capsys.readouterr().out
    posted = [m for channel in slack.channels for m in slack.messages(channel)]
    posted += [r for m in slack.messages(CHANNEL) for r in slack.thread(CHANNEL, m.ts)]
    rendered = [
        *(t for m in posted for t in [m.text, *all_text(m.blocks)]),
        *(t for view in slack.published_views.values() for t in all_text(view)),
        *(t for view in slack.opened_views for t in all_text(view.view)),
        files.markdown,
        *(t for planned in files.messages for t in all_text(list(planned.blocks))),
        exported,
    ]
    everything = "\n".join(rendered)
    assert "gnp.exe" in everything and "Mallory" in everything  # the words are there
    for char in [*BIDI_CONTROLS, "\x00", "\x1b"]:
        where = [text[:80] for text in rendered if char in text]
        assert not where, f"{char!r} reached a rendering: {where}"
    stored = db_text(tmp_path)
    assert not any(char in stored for char in [*BIDI_CONTROLS, "\x00", "\x1b"])


def db_text(tmp_path: Path) -> str:
    with sqlite3.connect(tmp_path / "standup.db") as conn:
        rows = conn.execute(
            "SELECT text FROM standup_items UNION ALL SELECT text FROM asks "
            "UNION ALL SELECT typed FROM asks UNION ALL SELECT text FROM follow_ups"
        ).fetchall()
    return "\n".join(str(r[0]) for r in rows)


# --- issue 11.10: @channel / @here at the start of an ask ----------------------------------------


@pytest.mark.parametrize("typed", ["@channel", "@here", "@Channel:", "<!here>", "@everyone"])
def test_channel_and_here_at_the_start_of_an_ask_mean_the_team(bot: RunningBot, typed: str) -> None:
    warm(bot)
    submit_standup(bot, "U1", {"Done": "a", "Asks": f"{typed} who has the staging key?"})
    bot.logs.wait_for("standup handled: user=U1")
    [ask] = bot.store.get_standups(MEETING)[0].asks
    assert ask.everyone and ask.to_user_id is None and ask.to_name == "Everyone"
    assert ask.text == "who has the staging key?"
    confirmation = dm_texts(bot.slack, "U1")[0]
    assert "couldn't match" not in confirmation
    cycle = cycle_for_meeting(bot.settings.digest_schedule, MEETING)
    bot.clock.current = cycle.ends_at + timedelta(seconds=5)
    assert run_digest(bot.deps, bot.client, now=bot.clock.current, cycle=cycle, pace_seconds=0).ok
    main_text = " ".join(all_text(bot.slack.messages(CHANNEL)[0].blocks))
    assert "For everyone" in main_text and "<!" not in main_text.replace("&lt;!", "")


# --- issue 11.11: GitHub logins are unique -------------------------------------------------------


def github(bot: RunningBot, user_id: str, login: str) -> str:
    response_url = bot.slack.response_url()
    bot.send(slash_command(text=f"github {login}", user_id=user_id, response_url=response_url))

    def answer() -> str | None:
        return next((p["text"] for u, p in bot.slack.responses if u == response_url), None)

    return str(wait_for(answer, what="the github answer"))


def test_a_github_login_linked_to_someone_else_is_refused(bot: RunningBot) -> None:
    warm(bot)
    assert "Linked your GitHub login `octocat`" in github(bot, "U1", "octocat")
    refused = github(bot, "U2", "OctoCat")
    assert "already linked to Kevin" in refused and "did not link it" in refused
    bot.logs.wait_for("GitHub login OctoCat refused for U2: linked to U1")
    assert bot.store.get_member("U1").github_login == "octocat"  # type: ignore[union-attr]
    assert bot.store.get_member("U2").github_login is None  # type: ignore[union-attr]
    assert "Linked" in github(bot, "U1", "octocat")  # linking your own again is fine


# --- issue 15.2: editing shows what was typed, fits, and changes nothing unchanged ---------------


def test_the_edit_modal_shows_people_as_they_were_typed(bot: RunningBot) -> None:
    warm(bot)
    asks = "@hesham review #3\nMira: pair on CI\nEveryone: fill in the survey\n@bob the doc"
    follow_ups = "Sam K: book the room\n@mira send the RFC\nwrite the notes"
    submit_standup(bot, "U1", {"Done": "a", "Asks": asks, "Follow-ups": follow_ups})
    values = initial_values(open_modal(bot))
    assert values["asks"] == asks
    assert values["follow_ups"] == follow_ups


def test_a_standup_that_fitted_fits_when_reopened(bot: RunningBot) -> None:
    warm(bot)
    line = "@sam " + "x" * 295  # 300 characters; the <@U4> it resolves to is longer than @sam
    follow_ups = "\n".join([line] * 9 + ["@sam " + "y" * (3000 - 9 * 301 - 5)])
    assert len(follow_ups) == 3000
    asks = "\n".join(f"@hesham {'z' * 290} {n}" for n in range(10))[:3000]
    submit_standup(bot, "U1", {"Asks": asks, "Follow-ups": follow_ups})
    view = open_modal(bot)
    values = initial_values(view)
    assert values["follow_ups"] == follow_ups and values["asks"] == asks
    assert not [b for b in view["blocks"] if "did not fit" in " ".join(all_text(b))]


def test_resubmitting_unchanged_changes_nothing(bot: RunningBot) -> None:
    warm(bot)
    answers = {"Done": "a", "Asks": "@hesham review #3\n@mira pair", "Follow-ups": "book a room"}
    submit_standup(bot, "U1", answers)
    bot.logs.wait_for("standup handled: user=U1")
    [hesham] = ask_dms(bot.slack, "U2")
    [standup] = bot.store.get_standups(MEETING)
    click(bot, action_ids.CLOSE_ASK, str(standup.asks[0].id), "U2")
    wait_for(lambda: bot.store.get_ask(standup.asks[0].id).status == "done", what="closed")  # type: ignore[arg-type,union-attr]
    before = db(bot, "SELECT * FROM asks ORDER BY id")
    updated_at = db(bot, "SELECT updated_at FROM standups")[0][0]
    messages = len(bot.slack.calls_to("chat.postMessage"))
    view = open_modal(bot)
    response = submit_view(bot, view, {k: v for k, v in initial_values(view).items() if v})
    assert response.status_code == 200 and b"errors" not in response.content
    bot.logs.wait_for("standup handled: user=U1 meeting=2026-11-30 changed=False ask_dms=0")
    assert len(bot.slack.calls_to("chat.postMessage")) == messages  # no DM of any kind
    assert [dict(r) for r in db(bot, "SELECT * FROM asks ORDER BY id")] == [dict(r) for r in before]
    assert db(bot, "SELECT updated_at FROM standups")[0][0] == updated_at
    assert bot.store.get_ask(standup.asks[0].id).status == "done"  # type: ignore[arg-type,union-attr]
    assert hesham.ts == ask_dms(bot.slack, "U2")[0].ts


# --- issue 15.3: whatever was typed fits Slack's limits ------------------------------------------


@pytest.mark.parametrize("text", ["w" * 2960, "&" * 2990, "<>" * 1495])
def test_an_ask_of_any_length_is_dmd_within_slacks_limits_and_readable_whole(
    bot: RunningBot, text: str
) -> None:
    warm(bot)
    submit_standup(bot, "U1", {"Done": "a", "Asks": f"@hesham {text}"})
    bot.logs.wait_for("standup handled: user=U1 meeting=2026-11-30 changed=True ask_dms=1")
    [dm] = ask_dms(bot.slack, "U2")  # FakeSlack refuses blocks Slack would (invalid_blocks)
    assert validate_blocks(dm.blocks or [], pointer="/blocks", max_blocks=50) == []
    read_all = next(
        e for b in dm.blocks or [] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == action_ids.SHOW_FULL_TEXT
    )  # fmt: skip
    trigger = bot.slack.register_trigger(user_id="U2")
    opened = len(bot.slack.opened_views)
    bot.send(
        block_action(
            action_ids.SHOW_FULL_TEXT, value=read_all["value"], user_id="U2", trigger_id=trigger
        )
    )
    wait_for(lambda: len(bot.slack.opened_views) > opened, what="the Read all modal")
    shown = "".join(
        b["text"]["text"]
        for b in bot.slack.opened_views[-1].view["blocks"]
        if b["type"] == "section"
    )
    unescaped = shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped == text


def test_app_home_escapes_then_clips_and_keeps_the_whole_text_reachable(bot: RunningBot) -> None:
    warm(bot)
    long_follow_up = "Tom & Jerry " * 240  # 2,880 characters typed, 3,840 escaped
    submit_standup(bot, "U1", {"Done": "a", "Follow-ups": long_follow_up})
    bot.send(app_home_opened("U1"))
    home = wait_for(lambda: bot.slack.published_views.get("U1"), what="Home")
    sections = [b for b in home["blocks"] if b["type"] == "section"]
    row = next(b for b in sections if b["text"]["text"].startswith(":pushpin:"))
    assert len(row["text"]["text"]) <= 700 and row["text"]["text"].endswith("…")
    assert "Tom &amp; Jerry" in row["text"]["text"]
    assert not re.search(r"&[a-z]*…", row["text"]["text"])  # no entity cut in two
    assert any(
        e.get("action_id") == action_ids.SHOW_FULL_TEXT
        for b in home["blocks"] if b["type"] == "actions" for e in b["elements"]
    )  # fmt: skip


# --- issue 15.5: claims --------------------------------------------------------------------------


def test_a_submission_whose_save_failed_is_stored_when_submitted_again(
    bot: RunningBot, tmp_path: Path
) -> None:
    view = open_modal(bot)
    request = view_submission(view, fill_modal(view, {"Done": "keep me"}))
    with sqlite3.connect(tmp_path / "standup.db") as conn:  # the disk refuses writes, for a while
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON standups "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
    first = bot.send(request).json()
    assert first["response_action"] == "errors" and "could not be saved" in first["errors"]["done"]
    bot.logs.wait_for("saving a standup failed")
    with sqlite3.connect(tmp_path / "standup.db") as conn:
        conn.execute("DROP TRIGGER refuse")
    second = bot.send(request)  # the same view (id and hash), submitted again from the modal
    assert second.status_code == 200 and b"errors" not in second.content
    [standup] = bot.store.get_standups(MEETING)
    assert standup.done == ("keep me",)


# FakeSlack's members are in UTC: their reminder (Friday 15:00 local) is at 15:00 UTC.
FRIDAY_REMINDER = datetime(2026, 11, 27, 15, 0, 5, tzinfo=UTC)


def test_a_reminder_that_failed_in_a_way_that_may_pass_is_sent_later(bot: RunningBot) -> None:
    friday = FRIDAY_REMINDER  # each member's reminder time (Friday 15:00 in their zone)
    assert retry_reminders(bot.deps, bot.client, now=friday) == 0  # before the reminders: nothing
    bot.slack.fail_next("conversations.open", status=500, times=3)  # U1's, past the retries
    assert send_reminders(bot.deps, bot.client, now=friday) == 3
    assert retry_reminders(bot.deps, bot.client, now=friday + timedelta(minutes=10)) == 1
    assert retry_reminders(bot.deps, bot.client, now=friday + timedelta(minutes=20)) == 0
    assert sorted(c.params["users"] for c in bot.slack.calls_to("conversations.open") if c.ok) == [
        "U1",
        "U2",
        "U3",
        "U4",
    ]


def test_a_reminder_refused_for_good_is_not_sent_again(bot: RunningBot) -> None:
    friday = FRIDAY_REMINDER  # each member's reminder time (Friday 15:00 in their zone)
    bot.slack.fail_next("conversations.open", error="user_not_found")
    assert send_reminders(bot.deps, bot.client, now=friday) == 3
    assert retry_reminders(bot.deps, bot.client, now=friday + timedelta(minutes=10)) == 0


# --- issue 15.6: nothing slow before the ack -----------------------------------------------------


def test_with_an_empty_member_cache_slack_gets_its_acks_before_users_list(
    bot: RunningBot,
) -> None:
    bot.slack.fail_next("users.list", delay=4.0, times=5)  # a big workspace's slow paging

    def users_list_answered() -> bool:
        return any(c.status is not None for c in bot.slack.calls_to("users.list"))

    view = open_modal(bot)  # the modal opens at once: no users.list before views.open
    assert bot.slack.calls_to("users.list") == []
    response = submit_view(bot, view, {"Done": "a", "Asks": "@hesham review #3"})
    assert response.status_code == 200 and b"errors" not in response.content
    assert not users_list_answered()  # acked while the member refresh had not finished
    assert bot.store.get_standups(MEETING)  # saved before the ack
    for text in ("github octocat", "followup @mira send notes"):
        ack = bot.send(slash_command(text=text, response_url=bot.slack.response_url()))
        assert ack.status_code == 200 and not users_list_answered()
    bot.logs.wait_for("standup handled: user=U1", timeout=20)
    [ask] = bot.store.get_standups(MEETING)[0].asks
    assert ask.to_user_id == "U2" and len(ask_dms(bot.slack, "U2")) == 1  # resolved after
    assert len([c for c in bot.slack.calls_to("users.list") if c.ok]) == 1  # one refresh


# --- issue 15.7: "none" is not a blocker ---------------------------------------------------------


def test_none_is_not_a_blocker_nor_an_item(bot: RunningBot) -> None:
    submit_standup(
        bot,
        "U1",
        {"Done": "shipped it\n- N/A", "Next": "-\nnothing.", "Blocked": "None!\nno blockers"},
    )
    [standup] = bot.store.get_standups(MEETING)
    assert standup.done == ("shipped it",) and standup.next == () and standup.blocked == ()
    cycle = cycle_for_meeting(bot.settings.digest_schedule, MEETING)
    bot.clock.current = cycle.ends_at + timedelta(seconds=5)
    assert run_digest(bot.deps, bot.client, now=bot.clock.current, cycle=cycle, pace_seconds=0).ok
    main_text = " ".join(all_text(bot.slack.messages(CHANNEL)[0].blocks))
    assert "*Blockers:* none reported" in main_text


def test_a_standup_that_only_says_none_asks_for_something(bot: RunningBot) -> None:
    body = submit_view(bot, open_modal(bot), {"Blocked": "none", "Done": "n/a"}).json()
    assert body["response_action"] == "errors" and "at least one" in body["errors"]["done"]
