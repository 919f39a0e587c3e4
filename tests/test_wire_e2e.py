"""The whole path in both of Slack's transports: signed HTTP requests, and Socket Mode envelopes
over a websocket (FakeSlack's Socket Mode server, the runtime's own connector).

/standup → the modal → a submission the modal refuses (`response_action: errors`) → the real one
→ the digest → ✅ on its follow-up, with a reconnect in the middle of the session (Slack's
`disconnect: refresh_requested`) and an event Slack delivers twice (`retry_attempt`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.services.digest import run_digest
from digests.cycles import cycle_for_meeting
from tests.factories import MEETING
from tests.fakes.slack import FakeMessage, FakeSlack
from tests.fakes.slack_payloads import (
    SlackRequest,
    fill_modal,
    new_event_id,
    reaction_event,
    slash_command,
    view_submission,
)
from tests.harness import (
    CHANNEL,
    RunningBot,
    deliver,
    running_bot,
    running_socket_bot,
    wait_for,
)


@pytest.fixture(params=["http", "socket"])
def bot(request: pytest.FixtureRequest, slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    runner = running_bot if request.param == "http" else running_socket_bot
    with runner(slack, tmp_path) as running:
        yield running


def reconnect(bot: RunningBot) -> None:
    """Slack recycles the Socket Mode connection (HTTP has none to recycle)."""
    socket = bot.extra.get("socket_mode")
    if socket is not None:
        before = socket.active
        after = socket.refresh()
        assert after.number == before.number + 1 and not before.open


def follow_up_message(slack: FakeSlack, text: str) -> FakeMessage:
    root = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id][-1]
    return next(m for m in slack.thread(CHANNEL, root.ts) if text in m.text and m.is_reply)


def check(bot: RunningBot, message: FakeMessage, user: str, *, added: bool = True) -> SlackRequest:
    """A ✅ added or removed by `user` on `message`, delivered; the event as Slack sent it."""
    kind = "reaction_added" if added else "reaction_removed"
    request = reaction_event(
        kind,
        user=user,
        reaction="white_check_mark",
        channel=message.channel,
        ts=message.ts,
        event_id=new_event_id(),
    )
    assert deliver(bot, request).status == 200
    return request


def updates_of(slack: FakeSlack, ts: str) -> list[str]:
    """The text of every chat.update of the message `ts`, in order."""
    return [
        str(c.params.get("text")) for c in slack.calls_to("chat.update") if c.params["ts"] == ts
    ]


def test_standup_to_digest_to_check_over_either_transport(
    bot: RunningBot, slack: FakeSlack
) -> None:
    # /standup opens the modal (views.open with the command's trigger)
    trigger = slack.register_trigger(user_id="U1")
    opened = deliver(bot, slash_command(user_id="U1", trigger_id=trigger))
    assert opened.status == 200 and opened.body is None
    view = wait_for(lambda: slack.opened_views, what="views.open")[0].view

    # An empty submission: the ack keeps the modal open with the error on its block
    empty = deliver(bot, view_submission(view, fill_modal(view, {"Done": " "}), user_id="U1"))
    assert empty.body is not None and empty.body["response_action"] == "errors"
    assert "done" in empty.body["errors"]

    reconnect(bot)  # mid-session: the submission goes over the new connection

    answers = {"Done": "shipped the importer", "Follow-ups": "Mira: write the runbook"}
    saved = deliver(bot, view_submission(view, fill_modal(view, answers), user_id="U1"))
    assert saved.status == 200 and saved.body is None
    wait_for(lambda: bot.store.get_standup("U1", MEETING), what="the stored standup")

    # The digest, posted at its time; its follow-up is a message of its own in the thread
    cycle = cycle_for_meeting(bot.settings.digest_schedule, MEETING)
    bot.clock.current = cycle.ends_at + timedelta(seconds=5)
    report = run_digest(bot.deps, bot.client, now=bot.clock.current, cycle=cycle, pace_seconds=0)
    assert report.ok, report.error
    message = follow_up_message(slack, "write the runbook")

    reconnect(bot)

    # ✅ closes it; its removal reopens it
    first = check(bot, message, "U3")
    wait_for(lambda: len(updates_of(slack, message.ts)) == 1, what="the closing update")
    check(bot, message, "U3", added=False)
    wait_for(lambda: len(updates_of(slack, message.ts)) == 2, what="the reopening update")

    # Slack delivers the first ✅ again (it thought the ack was lost): it must change nothing,
    # or it would close the follow-up again in U3's name
    assert deliver(bot, first, retry_num=1).status == 200

    # The positive signal that the redelivery was handled: U4's ✅ is the one that closes it,
    # and U4 removing it reopens it (had the redelivery counted, U3's ✅ would still hold it)
    check(bot, message, "U4")
    wait_for(lambda: len(updates_of(slack, message.ts)) == 3, what="U4's closing update")
    check(bot, message, "U4", added=False)
    wait_for(lambda: len(updates_of(slack, message.ts)) == 4, what="U4's reopening update")
    [follow_up] = bot.store.get_cycle_follow_ups(cycle)
    assert follow_up.status == "open" and follow_up.done_by is None
    assert len(updates_of(slack, message.ts)) == 4


def test_healthz_reports_the_transport(bot: RunningBot) -> None:
    health = httpx.get(f"{bot.url}/healthz", timeout=5)
    assert health.status_code == 200
    if "socket_mode" in bot.extra:
        assert health.json() == {"ok": True, "mode": "socket", "socket": "connected"}
    else:
        assert health.json() == {"ok": True}
