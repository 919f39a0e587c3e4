"""Follow-ups and asks end to end: ✅ reactions, carry-over, the shortcut, ask DMs, App Home."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.ops.cli import main
from bot.services.digest import run_digest
from digests.cycles import cycle_for_meeting
from digests.models import FollowUp
from tests.factories import MEETING, all_text
from tests.fakes.slack import FakeMessage, FakeSlack
from tests.fakes.slack_payloads import (
    app_home_opened,
    block_action,
    message_shortcut,
    reaction_event,
)
from tests.harness import (
    CHANNEL,
    RunningBot,
    bot_environment,
    running_bot,
    submit_standup,
    wait_for,
)

AFTER_DIGEST = datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC)


@pytest.fixture
def bot(slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    with running_bot(slack, tmp_path) as running:
        yield running


def post_digest(bot: RunningBot, meeting: date = MEETING) -> None:
    cycle = cycle_for_meeting(bot.settings.digest_schedule, meeting)
    bot.clock.current = cycle.ends_at + timedelta(seconds=5)
    report = run_digest(bot.deps, bot.client, now=bot.clock.current, cycle=cycle, pace_seconds=0)
    assert report.ok, report.error


def follow_up_message(slack: FakeSlack, text: str) -> FakeMessage:
    roots = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id]
    for message in slack.thread(CHANNEL, roots[-1].ts):
        if "Follow-up for" in message.text and text in message.text:
            return message
    raise AssertionError(f"no follow-up message for {text!r}")


def react(
    bot: RunningBot,
    message: FakeMessage,
    *,
    user: str = "U3",
    added: bool = True,
    reaction: str = "white_check_mark",
    event_id: str | None = None,
) -> None:
    kind = "reaction_added" if added else "reaction_removed"
    response = bot.send(
        reaction_event(
            kind,
            user=user,
            reaction=reaction,
            channel=message.channel,
            ts=message.ts,
            event_id=event_id,
        )
    )
    assert response.status_code == 200


def updates_of(slack: FakeSlack, ts: str) -> list[dict[str, object]]:
    return [c.params for c in slack.calls_to("chat.update") if c.params.get("ts") == ts]


def the_follow_up(bot: RunningBot, text: str) -> FollowUp:
    for follow_up in bot.store.get_cycle_follow_ups(
        cycle_for_meeting(bot.settings.digest_schedule, MEETING)
    ):
        if follow_up.text == text:
            return follow_up
    raise AssertionError(text)


def test_a_check_closes_a_follow_up_and_removing_it_reopens(
    bot: RunningBot,
    slack: FakeSlack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    submit_standup(bot, "U1", {"Done": "a", "Follow-ups": "Mira: write the runbook"})
    post_digest(bot)
    message = follow_up_message(slack, "write the runbook")
    react(bot, message, user="U3")
    update = wait_for(lambda: updates_of(slack, message.ts), what="chat.update")[0]
    assert "~write the runbook~" in " ".join(all_text(update["blocks"]))
    assert "<@U3>" in " ".join(all_text(update["blocks"]))
    done = the_follow_up(bot, "write the runbook")
    assert done.status == "done" and done.done_by == "U3"
    for key, value in bot_environment(slack, tmp_path).items():
        monkeypatch.setenv(key, value)
    capsys.readouterr()
    assert main(["export", "--date", "2026-11-30"]) == 0
    [exported] = json.loads(capsys.readouterr().out)["follow_ups"]
    assert exported["status"] == "done" and exported["done_by"] == "U3"
    assert exported["done_at"] is not None
    react(bot, message, user="U3", added=False)
    wait_for(lambda: len(updates_of(slack, message.ts)) == 2, what="the restoring chat.update")
    restored = updates_of(slack, message.ts)[-1]
    assert "~" not in " ".join(all_text(restored["blocks"]))
    reopened = the_follow_up(bot, "write the runbook")
    assert reopened.status == "open" and reopened.done_by is None


def test_only_the_last_check_reopens(bot: RunningBot, slack: FakeSlack) -> None:
    submit_standup(bot, "U1", {"Done": "a", "Follow-ups": "one"})
    post_digest(bot)
    message = follow_up_message(slack, "one")

    def reacted() -> list[str]:
        return bot.store.get_reaction_users(message.channel, message.ts)

    react(bot, message, user="U2")
    wait_for(lambda: the_follow_up(bot, "one").status == "done", what="closed")
    react(bot, message, user="U3", reaction="heavy_check_mark")
    wait_for(lambda: reacted() == ["U2", "U3"], what="the second check")
    react(bot, message, user="U2", added=False)
    wait_for(lambda: reacted() == ["U3"], what="the first check removed")
    assert the_follow_up(bot, "one").status == "done"
    react(bot, message, user="U3", reaction="heavy_check_mark", added=False)
    wait_for(lambda: the_follow_up(bot, "one").status == "open", what="reopened")


def test_other_reactions_and_other_messages_change_nothing(
    bot: RunningBot, slack: FakeSlack
) -> None:
    submit_standup(bot, "U1", {"Done": "a", "Follow-ups": "one"})
    post_digest(bot)
    message = follow_up_message(slack, "one")
    react(bot, message, reaction="eyes", event_id="Ev0EYES")
    unrelated = slack.add_message(CHANNEL, "lunch?", user="U2")
    bot.send(
        reaction_event(
            user="U3",
            reaction="white_check_mark",
            channel=CHANNEL,
            ts=unrelated.ts,
            item_user="U2",
            event_id="Ev0UNRELATED",
        )
    )
    main_message = slack.messages(CHANNEL)[0]
    react(bot, main_message, event_id="Ev0MAIN")
    # Each listener says it ignored its event: the signal that all three are done.
    bot.logs.wait_for("reaction ignored: eyes is not a ✅")
    bot.logs.wait_for(f"reaction ignored: not the bot's message ({CHANNEL}/{unrelated.ts})")
    bot.logs.wait_for(f"reaction ignored: no follow-up or ask at {CHANNEL}/{main_message.ts}")
    # Nothing of them was recorded or claimed: only ✅s on the bot's follow-ups and asks are.
    seen = "SELECT count(*) FROM processed_events WHERE event_id LIKE 'Ev0%'"
    assert bot.store._conn().execute(seen).fetchone()[0] == 0
    assert bot.store._conn().execute("SELECT count(*) FROM reactions").fetchone()[0] == 0
    assert the_follow_up(bot, "one").status == "open"
    assert slack.calls_to("chat.update") == []


def test_the_same_event_delivered_twice_acts_once(bot: RunningBot, slack: FakeSlack) -> None:
    submit_standup(bot, "U1", {"Done": "a", "Follow-ups": "one"})
    post_digest(bot)
    message = follow_up_message(slack, "one")
    react(bot, message, event_id="Ev0DUPLICATE")
    wait_for(lambda: updates_of(slack, message.ts), what="the update")
    react(bot, message, event_id="Ev0DUPLICATE")  # Slack's retry of the same event
    # A remove that arrives as a retry of the add's id is also ignored.
    react(bot, message, added=False, event_id="Ev0DUPLICATE")
    bot.logs.wait_for("reaction event Ev0DUPLICATE already handled", count=2)
    assert len(updates_of(slack, message.ts)) == 1
    assert the_follow_up(bot, "one").status == "done"


def test_open_follow_ups_carry_over_and_done_ones_are_listed_once(
    bot: RunningBot, slack: FakeSlack
) -> None:
    submit_standup(bot, "U1", {"Done": "a", "Follow-ups": "keep me\nclose me"})
    post_digest(bot)
    react(bot, follow_up_message(slack, "close me"), user="U2")
    wait_for(lambda: the_follow_up(bot, "close me").status == "done", what="closed")
    bot.clock.advance(days=1)
    submit_standup_next = MEETING + timedelta(days=7)
    post_digest(bot, submit_standup_next)
    roots = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id]
    assert len(roots) == 2
    second_thread = slack.thread(CHANNEL, roots[-1].ts)
    follow_ups = [m.text for m in second_thread if "Follow-up for" in m.text]
    assert len(follow_ups) == 1 and "keep me" in follow_ups[0]
    everything = " ".join(t for m in second_thread for t in all_text(m.blocks))
    assert "close me" in everything  # listed among those closed since the last digest
    # A ✅ on the carried-over message closes it too.
    react(bot, follow_up_message(slack, "keep me"), user="U1")
    wait_for(lambda: the_follow_up(bot, "keep me").status == "done", what="closed")


def test_asks_are_dmd_and_closed_by_a_check_or_the_button(
    bot: RunningBot, slack: FakeSlack
) -> None:
    submit_standup(bot, "U1", {"Done": "a", "Asks": "@hesham review #13\n@mira pair on CI"})
    dm_hesham = wait_for(lambda: slack.messages(slack.dm_channel_id("U2")), what="DM")[0]
    dm_mira = wait_for(lambda: slack.messages(slack.dm_channel_id("U3")), what="DM")[0]
    assert "<@U1>" in dm_hesham.text and "review #13" in dm_hesham.text
    react(bot, dm_hesham, user="U2")
    wait_for(lambda: updates_of(slack, dm_hesham.ts), what="the DM update")
    [standup] = bot.store.get_standups(MEETING)
    response = bot.send(
        block_action(
            "close_ask",
            value=str(standup.asks[1].id),
            user_id="U3",
            channel_id=dm_mira.channel,
            message={"type": "message", "ts": dm_mira.ts, "text": dm_mira.text},
        )
    )
    assert response.status_code == 200
    wait_for(lambda: updates_of(slack, dm_mira.ts), what="the DM update")
    [standup] = bot.store.get_standups(MEETING)
    assert [a.status for a in standup.asks] == ["done", "done"]
    assert [a.closed_by for a in standup.asks] == ["U2", "U3"]
    post_digest(bot)
    main_text = " ".join(all_text(slack.messages(CHANNEL)[0].blocks))
    assert "review #13" in main_text and "~" in main_text  # shown as closed


def test_add_as_follow_up_shortcut_keeps_the_permalink(bot: RunningBot, slack: FakeSlack) -> None:
    bot.store.save_members([], team_ids=None, now=bot.clock())
    source = slack.add_message(CHANNEL, "<@U4> please update the on-call doc &amp; wiki", user="U2")
    trigger = slack.register_trigger(user_id="U2")
    response = bot.send(
        message_shortcut(
            "add_follow_up",
            {"type": "message", "ts": source.ts, "user": "U2", "text": source.text},
            CHANNEL,
            "U2",
            trigger,
        )
    )
    assert response.status_code == 200
    [follow_up] = wait_for(lambda: bot.store.get_open_follow_ups(), what="the follow-up")
    assert follow_up.text == "please update the on-call doc & wiki"
    assert follow_up.owner_user_id == "U4" and follow_up.created_by == "U2"
    assert follow_up.source is not None and source.ts.replace(".", "") in follow_up.source
    assert wait_for(lambda: slack.ephemerals(CHANNEL), what="the ephemeral confirmation")
    post_digest(bot)
    message = follow_up_message(slack, "on-call doc")
    assert follow_up.source in " ".join(all_text(message.blocks))


def test_app_home_shows_each_person_their_own(bot: RunningBot, slack: FakeSlack) -> None:
    submit_standup(
        bot,
        "U1",
        {
            "Done": "a",
            "Follow-ups": "Mira: write the runbook\nbook room",
            "Asks": "@mira review the doc",
        },
    )
    bot.store.save_members([], team_ids=["U1", "U2", "U3", "U4"], now=bot.clock())
    for user in ("U1", "U3"):
        assert bot.send(app_home_opened(user)).status_code == 200
    homes = wait_for(
        lambda: len(slack.published_views) == 2 and slack.published_views, what="two Home tabs"
    )
    kevin = " ".join(all_text(homes["U1"]["blocks"]))
    mira = " ".join(all_text(homes["U3"]["blocks"]))
    assert "You sent your standup" in kevin and "book room" in kevin
    assert "write the runbook" not in kevin
    assert "not in yet" in mira and "write the runbook" in mira and "review the doc" in mira
    assert "1 of 4 sent" in mira
    # Closing from Home marks it done and republishes.
    follow_up = the_follow_up(bot, "write the runbook")
    bot.send(
        block_action(
            "home_close_follow_up",
            value=str(follow_up.id),
            user_id="U3",
            view={"type": "home", "id": "VHOME"},
        )
    )
    wait_for(lambda: the_follow_up(bot, "write the runbook").status == "done", what="closed")
    wait_for(
        lambda: (
            "write the runbook" not in " ".join(all_text(slack.published_views["U3"]["blocks"]))
        ),
        what="republished Home",
    )
