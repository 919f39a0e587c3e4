"""Promises and blockers across three cycles, end to end: standups submitted over signed requests
into the real app, GitHub from the loopback fake, each digest planned and posted to FakeSlack,
then App Home and the export read through the real app and the real command line.

- Cycle 1: three people submit Next and Blocked.
- Cycle 2: the modal lists each one's promises to tick; Kevin ticks one and repeats the other in
  Next, Hesham types a Done line matching one by its words and drops the other, Mira's promised
  pull request merges meanwhile; Kevin repeats a blocker.
- Cycle 3: the repeated item is repeated again: it is carried for the 3rd week. App Home shows
  Kevin's promises as they stand and the team's trend.

An ask answered through its DM's Answer button is followed to the asker's DM, the digest and the
export.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_settings
from bot.github import GitHubClient
from bot.ops.cli import main
from bot.services.digest import run_digest
from digests.cycles import cycle_for_meeting
from digests.render import action_ids
from tests.factories import all_text
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeMessage, FakeSlack
from tests.fakes.slack_payloads import app_home_opened, block_action, fill_modal, view_submission
from tests.harness import (
    CHANNEL,
    Clock,
    RunningBot,
    bot_environment,
    dm_texts,
    initial_values,
    running_bot,
    submit_standup,
    wait_for,
)

MEETINGS = (date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14))
# A Thursday noon in each cycle; digests fire Mondays 09:00 Berlin (08:00 UTC).
SUBMITTED = tuple(datetime(2026, 11, 26, 12, tzinfo=UTC) + timedelta(weeks=n) for n in range(3))
POSTED = tuple(datetime.combine(m, datetime.min.time(), tzinfo=UTC).replace(hour=8, second=5)
               for m in MEETINGS)  # fmt: skip
SAFARI_MERGED = datetime(2026, 12, 5, 10, tzinfo=UTC)  # in cycle 2
TICK = "Tick what you delivered"  # the checklist's label (fill_modal finds it by a part)

CYCLES: tuple[dict[str, dict[str, Any]], ...] = (
    {
        "U1": {
            "Next": "Write the runbook\nShip the export API (#12)",
            "Blocked": "Staging DB credentials",
        },
        "U2": {
            "Next": "Upgrade Postgres on staging\nHiring plan for Q1",
            "Blocked": "VPN access for the contractor",
        },
        "U3": {"Next": "Fix the Safari login loop (#13)", "Blocked": "Design sign-off"},
    },
    {
        "U1": {
            TICK: ["Ship the export API (#12)"],  # ticked: a Done line, out of Next
            "Next": "Still writing the runbook",  # the other, repeated (edited in the box)
            "Blocked": "Still waiting on the staging DB credentials",  # repeated
        },
        "U2": {"Done": "Upgraded Postgres on staging"},  # by its words; the hiring plan dropped
        "U3": {"Done": "Paired with Sam on onboarding"},  # #13 merged meanwhile
    },
    {
        "U1": {"Done": "Runbook outline reviewed", "Next": "Write the runbook"},  # 3rd week
        "U2": {"Done": "Hiring plan for Q1 shared"},
        "U3": {"Next": "Onboarding checklist"},
    },
)


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(now=datetime(2026, 12, 10, tzinfo=UTC)) as fake:
        fake.add_repo("acme", "api")
        opened = datetime(2026, 11, 20, tzinfo=UTC)
        export_merged = datetime(2026, 12, 2, tzinfo=UTC)
        fake.add_pull("acme", "api", 12, title="Export API", created_at=opened,
                      merged_at=export_merged)  # fmt: skip
        fake.add_pull("acme", "api", 13, title="Fix the Safari login loop", created_at=opened,
                      merged_at=SAFARI_MERGED)  # fmt: skip
        yield fake


@pytest.fixture
def bot(slack: FakeSlack, github: FakeGitHub, tmp_path: Path) -> Iterator[RunningBot]:
    extra = {
        "GITHUB_TOKEN": github.token,
        "GITHUB_API_URL": github.url,
        "GITHUB_REPOS": "acme/api",
    }
    settings = load_settings(bot_environment(slack, tmp_path, **extra), env_file=None)
    clock = Clock(current=SUBMITTED[0])
    with (
        GitHubClient(settings) as client,
        running_bot(slack, tmp_path, github=client, clock=clock, **extra) as running,
    ):
        yield running


def run_cycle(
    bot: RunningBot, number: int, *, before_digest: Callable[[], None] | None = None
) -> list[FakeMessage]:
    """Everyone's standup for cycle `number` (0-based), then that meeting's digest; returns the
    digest's messages (main first, then its thread)."""
    bot.clock.current = SUBMITTED[number]
    for user_id, answers in CYCLES[number].items():
        submit_standup(bot, user_id, answers, meeting=MEETINGS[number])
    if before_digest is not None:
        before_digest()
    bot.clock.current = POSTED[number]
    cycle = cycle_for_meeting(bot.settings.digest_schedule, MEETINGS[number])
    report = run_digest(bot.deps, bot.client, now=POSTED[number], cycle=cycle, pace_seconds=0)
    assert report.ok, report.error
    roots = [m for m in bot.slack.messages(CHANNEL) if m.user == bot.slack.bot_user_id]
    return bot.slack.thread(CHANNEL, roots[-1].ts)


def last_modal(slack: FakeSlack, user_id: str) -> dict[str, Any]:
    """The /standup modal Slack last opened for `user_id`."""
    return [v for v in slack.opened_views if v.user_id == user_id][-1].view


def checklist(view: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The modal's checklist: every option's text, and those it opened ticked."""
    blocks = [b for b in view["blocks"] if b.get("block_id", "").startswith("promises_")]
    options = [o["text"]["text"] for b in blocks for o in b["element"]["options"]]
    ticked = [o["text"]["text"] for b in blocks for o in b["element"].get("initial_options", [])]
    return options, ticked


def home_text(bot: RunningBot, user_id: str) -> str:
    """App Home as `user_id` opens it: the text of its blocks, once published."""
    before = bot.slack.published_views.get(user_id)
    bot.send(app_home_opened(user_id))
    view = wait_for(
        lambda: (v := bot.slack.published_views.get(user_id)) is not before and v,
        what="App Home",
    )
    return "\n".join(all_text(view["blocks"]))


def texts(messages: list[FakeMessage]) -> tuple[str, str]:
    """The main message's block text, and the thread's."""
    main, *thread = messages
    return "\n".join(all_text(main.blocks)), "\n".join(
        t for m in thread for t in all_text(m.blocks)
    )


def export(
    bot: RunningBot,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    meeting: date,
    fmt: str = "json",
) -> Any:
    for key, value in bot_environment(bot.slack, tmp_path, GITHUB_REPOS="acme/api").items():
        monkeypatch.setenv(key, value)
    capsys.readouterr()
    assert main(["export", "--date", meeting.isoformat(), "--format", fmt]) == 0
    out = capsys.readouterr().out
    return json.loads(out) if fmt == "json" else out


def outcomes(exported: dict[str, Any]) -> dict[str, list[tuple[str, str, int]]]:
    return {
        s["user_id"]: [(p["text"], p["outcome"], p["weeks_carried"]) for p in s["promises"]]
        for s in exported["standups"]
    }


def test_three_cycles_of_promises_and_blockers(
    bot: RunningBot,
    slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # Cycle 1: nothing was promised before; every blocker is new; one meeting is no trend.
    main, thread = texts(run_cycle(bot, 0))
    assert checklist(last_modal(slack, "U1")) == ([], [])
    assert "promised" not in main and "Carried" not in main
    assert main.count("· _new_") == 3
    assert "promised" not in thread
    assert not [f for f in slack.uploaded_files if f.name == "delivery-trend.png"]

    # Cycle 2: each modal listed the person's promises to tick, and put them in Next.
    main, thread = texts(run_cycle(bot, 1))
    kevin = last_modal(slack, "U1")
    assert checklist(kevin) == (["Write the runbook", "Ship the export API (#12)"], [])
    assert initial_values(kevin)["next"] == "Write the runbook\nShip the export API (#12)"
    assert initial_values(kevin)["done"] is None
    assert checklist(last_modal(slack, "U2")) == (
        ["Upgrade Postgres on staging", "Hiring plan for Q1"],
        [],
    )
    assert checklist(last_modal(slack, "U3")) == (["Fix the Safari login loop (#13)"], [])
    ticked = bot.store.get_standup("U1", MEETINGS[1])
    assert ticked is not None
    assert ticked.done == ("Ship the export API (#12)",)  # the tick, as a Done line
    assert ticked.next == ("Still writing the runbook",)
    # What became of cycle 1's promises and blockers.
    assert ":dart: *Delivered 3 of 5 promised (60%)* last week." in main
    assert (
        "• *Kevin* — Still waiting on the staging DB credentials"
        " · _still blocked since Mon 30 Nov · 2 weeks_"
    ) in main
    assert ":white_check_mark: *Resolved since last week (2)*" in main
    assert "• *Hesham* — ~VPN access for the contractor~ · _resolved after 1 week_" in main
    assert "• *Mira* — ~Design sign-off~ · _resolved after 1 week_" in main
    assert "Carried 3+ weeks" not in main
    assert (
        "*Delivered 1 of 2 promised* last week\n"
        "• :repeat: Write the runbook — _carried · 2nd week_\n"
        "• :white_check_mark: Ship the export API (#12) — _delivered_"
    ) in thread
    assert (
        "• :white_check_mark: Upgrade Postgres on staging — _delivered_\n"
        "• :grey_question: Hiring plan for Q1 — _not reported_"
    ) in thread
    assert (
        "• :white_check_mark: Fix the Safari login loop (#13) — _delivered · PR merged_" in thread
    )
    [trend] = [f for f in slack.uploaded_files if f.name == "delivery-trend.png"]
    assert trend.completed and trend.content is not None and trend.content[:4] == b"\x89PNG"
    assert trend.alt_txt is not None
    assert "Mon 30 Nov: reported 3 of 4 (75%), no promises." in trend.alt_txt
    assert "Mon 7 Dec: reported 3 of 4 (75%), delivered 3 of 5 promised (60%)." in trend.alt_txt

    # Cycle 3: the runbook is carried for the 3rd week. Before the digest, App Home shows Kevin
    # his promise as it stands, and the team's meetings (this one so far).
    homes: list[str] = []
    main, thread = texts(
        run_cycle(bot, 2, before_digest=lambda: homes.append(home_text(bot, "U1")))
    )
    assert checklist(last_modal(slack, "U1")) == (["Still writing the runbook"], [])
    [home] = homes
    assert (
        "*Your promises of last week* · Delivered 0 of 1 promised so far\n"
        "• :repeat: Still writing the runbook — _carried · 3rd week_"
    ) in home
    assert (
        "*The team: standups and promises, last 3 meetings*\n"
        "• Mon 30 Nov 2026: reported 3 of 4 (75%) · no promises\n"
        "• Mon 7 Dec 2026: reported 3 of 4 (75%) · delivered 3 of 5 (60%)\n"
        "• Mon 14 Dec 2026 (so far): reported 3 of 4 (75%) · delivered 0 of 1 (0%)"
    ) in home
    assert (
        ":hourglass: *Carried 3+ weeks (1)*\n"
        "• Still writing the runbook — *Kevin* · _3rd week, first promised Mon 30 Nov_"
    ) in main
    assert ":dart: *Delivered 0 of 1 promised (0%)* last week." in main  # only Kevin promised
    assert "• :repeat: Still writing the runbook — _carried · 3rd week_" in thread
    assert "Resolved since last week (1)" in main  # the credentials, finally
    trends = [f for f in slack.uploaded_files if f.name == "delivery-trend.png"]
    assert len(trends) == 2 and trends[-1].alt_txt is not None
    assert trends[-1].alt_txt.startswith("Line chart of the last 3 meetings")

    # The export says the same; cycle 2's merged PR is known from what its digest recorded.
    assert outcomes(export(bot, monkeypatch, capsys, tmp_path, MEETINGS[1])) == {
        "U1": [("Write the runbook", "carried", 2), ("Ship the export API (#12)", "delivered", 1)],
        "U2": [
            ("Upgrade Postgres on staging", "delivered", 1),
            ("Hiring plan for Q1", "not_reported", 1),
        ],
        "U3": [("Fix the Safari login loop (#13)", "delivered", 1)],
    }
    second = export(bot, monkeypatch, capsys, tmp_path, MEETINGS[1])
    by_user = {s["user_id"]: s for s in second["standups"]}
    assert by_user["U3"]["promises"][0]["merged"] is True
    assert by_user["U1"]["blockers_status"] == [
        {
            "text": "Still waiting on the staging DB credentials",
            "state": "still_blocked",
            "first_reported": "2026-11-30",
            "weeks": 2,
        },
    ]
    assert [b["state"] for b in by_user["U2"]["blockers_status"]] == ["resolved"]
    third = export(bot, monkeypatch, capsys, tmp_path, MEETINGS[2])
    assert outcomes(third)["U1"] == [("Still writing the runbook", "carried", 3)]
    assert third["promises_without_standup"] == []
    notes = export(bot, monkeypatch, capsys, tmp_path, MEETINGS[2], fmt="md")
    assert "**Delivered 0 of 1 promised last week**" in notes
    assert "- Still writing the runbook — carried · 3rd week" in notes
    assert "- ~~Still waiting on the staging DB credentials~~ — resolved after 2 weeks" in notes


ASKED = "@hesham can you rotate the staging DB credentials?"
ANSWER = "Rotated <!channel> & they're in the vault\nSee acme/api#12 for the runbook"


def test_an_ask_answered_through_the_button(
    bot: RunningBot,
    slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    bot.clock.current = SUBMITTED[0]
    submit_standup(bot, "U1", {"Done": "Load-test plan", "Asks": ASKED}, meeting=MEETINGS[0])
    standup = bot.store.get_standup("U1", MEETINGS[0])
    assert standup is not None
    [ask] = standup.asks
    [dm] = slack.messages(slack.dm_channel_id("U2"))
    buttons = [e for b in dm.blocks or [] if b["type"] == "actions" for e in b["elements"]]
    assert [(e["action_id"], e["value"]) for e in buttons] == [
        (action_ids.ANSWER_ASK, str(ask.id)),
        (action_ids.CLOSE_ASK, str(ask.id)),
    ]

    # Hesham presses Answer in the DM: the answer modal opens with the ask.
    trigger = slack.register_trigger(user_id="U2")
    opened = len(slack.opened_views)
    message = {"type": "message", "ts": dm.ts, "text": dm.text}
    click = block_action(
        action_ids.ANSWER_ASK, value=str(ask.id), user_id="U2", trigger_id=trigger,
        channel_id=dm.channel, message=message,
    )  # fmt: skip
    assert bot.send(click).status_code == 200
    modal = wait_for(lambda: len(slack.opened_views) > opened, what="the answer modal")
    modal = slack.opened_views[-1].view
    assert modal["callback_id"] == action_ids.ANSWER_CALLBACK
    assert "can you rotate the staging DB credentials?" in "\n".join(all_text(modal["blocks"]))

    # He sends the answer: saved before the ack, the ask closed.
    submitted = bot.send(
        view_submission(modal, fill_modal(modal, {"answer": ANSWER}), user_id="U2")
    )
    assert submitted.status_code == 200 and b"errors" not in submitted.content
    bot.logs.wait_for(f"ask answered: id={ask.id} by=U2")
    closed = bot.store.get_ask(ask.id or 0)
    assert closed is not None and closed.status == "done" and closed.closed_by == "U2"
    assert closed.answer == ANSWER and closed.answered_by == "U2"
    assert closed.answered_at == SUBMITTED[0]

    # Kevin gets the answer by DM, escaped (nothing pings, nothing links), its lines quoted.
    [to_kevin] = [m for m in slack.messages(slack.dm_channel_id("U1")) if "answered" in m.text]
    shown = "\n".join(all_text(to_kevin.blocks))
    assert "<@U2> answered your ask in your standup for Monday November 30:" in shown
    assert (
        "*Answer:*\n>Rotated &lt;!channel&gt; &amp; they're in the vault\n"
        ">See acme/api#12 for the runbook"
    ) in shown
    assert "<!channel>" not in shown and "<!channel>" not in to_kevin.text
    # Hesham's DM now shows it answered, with Edit answer instead of Mark done.
    updated = slack.find_message(dm.channel, dm.ts)
    assert updated is not None
    assert ":speech_balloon: *Answered by <@U2>:*" in "\n".join(all_text(updated.blocks))
    buttons = [e for b in updated.blocks or [] if b["type"] == "actions" for e in b["elements"]]
    assert [e["text"]["text"] for e in buttons] == ["Edit answer"]
    assert dm_texts(slack, "U2")[-1] == dm.text  # updated in place, no second DM

    # The digest lists the ask with its answer under it.
    bot.clock.current = POSTED[0]
    cycle = cycle_for_meeting(bot.settings.digest_schedule, MEETINGS[0])
    report = run_digest(bot.deps, bot.client, now=POSTED[0], cycle=cycle, pace_seconds=0)
    assert report.ok, report.error
    root = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id][-1]
    main = "\n".join(all_text(root.blocks))
    assert ":raising_hand: *Asks (0 open, 1 answered)*" in main
    assert (
        "*For <@U2>*\n"
        "• can you rotate the staging DB credentials? — _from Kevin_ · :speech_balloon: answered\n"
        ">:speech_balloon: *Hesham:* Rotated &lt;!channel&gt; &amp; they're in the vault "
        "See acme/api#12 for the runbook"
    ) in main
    exported = export(bot, monkeypatch, capsys, tmp_path, MEETINGS[0])
    [asked] = exported["standups"][0]["asks"]
    assert asked["status"] == "done" and asked["answer"] == ANSWER
    assert asked["answered_at"] == SUBMITTED[0].isoformat() and asked["answered_by"] == "U2"
    notes = export(bot, monkeypatch, capsys, tmp_path, MEETINGS[0], fmt="md")
    assert (
        "- to Hesham: can you rotate the staging DB credentials? (answered)\n"
        "  - answer: Rotated <!channel> & they're in the vault See acme/api#12 for the runbook"
    ) in notes
