"""Time away end to end: `/standup away` and `/standup back` over signed requests, away-type
Slack statuses from users.list, App Home's datepickers; the reminders skip whoever is away and
the digest lists them under Away, not under "Not yet"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.services.digest import gather_digest, run_digest
from bot.services.reminders import send_reminders
from digests.cycles import cycle_for_meeting
from digests.render import action_ids
from tests.factories import all_text
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_payloads import app_home_opened, block_action, slash_command
from tests.harness import CHANNEL, MEETING, Clock, RunningBot, running_bot, submit_standup, wait_for

THURSDAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # conftest.NOW
# FakeSlack's members are in UTC: their reminder (Friday 15:00 local) is at 15:00 UTC.
FRIDAY_REMINDER = datetime(2026, 11, 27, 15, 0, 5, tzinfo=UTC)
AFTER_DIGEST = datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC)  # Monday 09:00:05 in Berlin


@pytest.fixture
def bot(slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    with running_bot(slack, tmp_path, clock=Clock(THURSDAY)) as running:
        yield running


def command(bot: RunningBot, user_id: str, text: str) -> str:
    """The answer to `/standup <text>`: in the ack, or (work done after the ack) on the
    request's response_url."""
    url = bot.slack.response_url()
    response = bot.send(slash_command(text=text, user_id=user_id, response_url=url))
    assert response.status_code == 200
    if response.text:
        return response.text
    [answer] = wait_for(
        lambda: [p.get("text", "") for u, p in bot.slack.responses if u == url],
        what=f"the answer to /standup {text}",
    )
    return str(answer)


def reminded(slack: FakeSlack) -> set[str]:
    """Who got a reminder DM (by the DM channel's other party)."""
    return {
        "U" + str(call.params["channel"])[1:]
        for call in slack.calls_to("chat.postMessage")
        if str(call.params.get("channel", "")).startswith("D")
        and "is not in yet" in str(call.params.get("text", ""))
    }


def main_text(slack: FakeSlack) -> str:
    main = next(m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id)
    return " ".join(all_text(main.blocks)) + " " + main.text


def post_digest(bot: RunningBot) -> None:
    bot.clock.current = AFTER_DIGEST
    cycle = cycle_for_meeting(bot.settings.digest_schedule, MEETING)
    assert run_digest(bot.deps, bot.client, now=AFTER_DIGEST, cycle=cycle, pace_seconds=0).ok


def test_away_by_command_skips_the_reminder_and_lists_them_under_away(
    bot: RunningBot, slack: FakeSlack
) -> None:
    answer = command(bot, "U1", "away thu to fri")
    assert "You're away Thu 26 Nov to Fri 27 Nov 2026" in answer
    submit_standup(bot, "U2", {"Done": "the release"})

    bot.clock.current = FRIDAY_REMINDER
    assert send_reminders(bot.deps, bot.client, now=FRIDAY_REMINDER) == 2
    assert reminded(slack) == {"U3", "U4"}  # U1 away, U2 has sent theirs

    post_digest(bot)
    text = main_text(slack)
    assert "Away (1):* Kevin (until Fri 27 Nov)" in text
    assert "Reported (1 of 3):" in text  # Kevin, away, counts in neither
    not_yet = text[text.index("Not yet") :]
    assert "Kevin" not in not_yet.split("Away")[0]


def test_misread_dates_show_at_once_and_nothing_is_saved(bot: RunningBot) -> None:
    assert "could not read “someday” as a date" in command(bot, "U1", "away someday")
    assert "before it starts" in command(bot, "U1", "away 2026-12-04 to 2026-12-01")
    assert bot.store.get_time_away(ending_on_or_after=date(2026, 1, 1)) == []


def test_back_ends_time_away_early(bot: RunningBot, slack: FakeSlack) -> None:
    command(bot, "U1", "away until dec 4")
    answer = command(bot, "U1", "back")
    assert "Welcome back" in answer and "Thu 26 Nov to Fri 4 Dec 2026" in answer
    assert bot.store.get_time_away(ending_on_or_after=date(2026, 11, 26)) == []
    assert "You're not away" in command(bot, "U1", "back")


def test_away_by_status_counts_until_it_expires(bot: RunningBot, slack: FakeSlack) -> None:
    # A vacation status that ends on Friday at 10:00 UTC; reminders go out daily at 15:00.
    slack.set_status("U2", ":palm_tree:", "Vacationing", expiration=epoch(2026, 11, 27, 10))
    with running_bot(
        slack, bot.settings.standup_db.parent / "daily", clock=Clock(THURSDAY),
        STANDUP_REMINDER_CRON="0 15 * * *",
    ) as daily:  # fmt: skip
        thursday = datetime(2026, 11, 26, 15, 0, 5, tzinfo=UTC)
        daily.clock.current = thursday
        assert send_reminders(daily.deps, daily.client, now=thursday) == 3
        assert "U2" not in reminded(slack)  # before the expiry: away
        digest = gather_digest(
            daily.deps,
            cycle_for_meeting(daily.settings.digest_schedule, MEETING),
            now=thursday,
            team_from=daily.client,
        )
        assert [(a.person.user_id, a.until, a.by_status) for a in digest.away] == [
            ("U2", date(2026, 11, 27), True)
        ]
        slack.clear_calls()
        friday = thursday + timedelta(days=1)
        daily.clock.current = friday
        assert send_reminders(daily.deps, daily.client, now=friday) == 1
        assert reminded(slack) == {"U2"}  # after it: not away


def test_back_wins_over_an_away_status(bot: RunningBot, slack: FakeSlack) -> None:
    slack.set_status("U3", ":face_with_thermometer:", "Out sick")  # no expiry
    bot.clock.current = FRIDAY_REMINDER
    send_reminders(bot.deps, bot.client, now=FRIDAY_REMINDER)
    assert "U3" not in reminded(slack)
    bot.clock.current = THURSDAY
    assert "Slack status no longer counts as away" in command(bot, "U3", "back")
    post_digest(bot)
    text = main_text(slack)
    assert "Away" not in text and "Mira" in text[text.index("Not yet") :]


def test_app_home_sets_time_away_with_datepickers(bot: RunningBot, slack: FakeSlack) -> None:
    bot.send(app_home_opened("U1"))
    view = wait_for(lambda: slack.published_views.get("U1"), what="App Home")
    pickers = [
        element
        for block in view["blocks"]
        if block.get("block_id") == action_ids.AWAY_BLOCK
        for element in block["elements"]
    ]
    assert [p["type"] for p in pickers] == ["datepicker", "datepicker", "button", "button"]
    state = {
        action_ids.AWAY_BLOCK: {
            action_ids.AWAY_FROM: {"type": "datepicker", "selected_date": "2026-12-21"},
            action_ids.AWAY_TO: {"type": "datepicker", "selected_date": "2027-01-01"},
        }
    }
    # Picking a date is acknowledged (and changes nothing yet); "Set away" saves the range.
    picked = block_action(
        action_ids.AWAY_FROM, action_type="datepicker", user_id="U1", view=view,
        state_values=state, block_id=action_ids.AWAY_BLOCK,
    )  # fmt: skip
    assert bot.send(picked).status_code == 200
    assert bot.store.get_time_away(ending_on_or_after=date(2026, 11, 26)) == []
    before = len(slack.calls_to("views.publish"))
    press = block_action(
        action_ids.AWAY_SET, user_id="U1", view=view, state_values=state,
        block_id=action_ids.AWAY_BLOCK,
    )  # fmt: skip
    assert bot.send(press).status_code == 200
    wait_for(lambda: len(slack.calls_to("views.publish")) > before, what="App Home redrawn")
    [away] = bot.store.get_time_away(ending_on_or_after=date(2026, 11, 26))
    assert (away.user_id, away.starts, away.ends) == ("U1", date(2026, 12, 21), date(2027, 1, 1))
    home = " ".join(all_text(slack.published_views["U1"]["blocks"]))
    assert "Mon 21 Dec 2026 to Fri 1 Jan 2027" in home
    before = len(slack.calls_to("views.publish"))
    bot.send(block_action(action_ids.AWAY_BACK, user_id="U1", view=view))
    wait_for(lambda: len(slack.calls_to("views.publish")) > before, what="App Home redrawn")
    # Back today leaves time away that starts later alone.
    assert len(bot.store.get_time_away(ending_on_or_after=date(2026, 11, 26))) == 1


def epoch(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())  # type: ignore[misc]
