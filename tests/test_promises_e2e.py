"""Promises and blockers across three cycles, end to end: standups submitted over signed requests
into the real app, GitHub from the loopback fake, each digest planned and posted to FakeSlack,
then the export read through the real command line.

- Cycle 1: three people submit Next and Blocked.
- Cycle 2: they type Done lines (one matching a promise by its words, one by its pull request),
  repeat one Next, drop one, repeat one blocker; a pull request one of them promised merges.
- Cycle 3: the repeated item is repeated again: it is carried for the 3rd week.

Each cycle's answers are one dict per person (`CYCLES`): the modal's checklist of last cycle's
promises ("tick what you delivered") only adds ticks to them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_settings
from bot.github import GitHubClient
from bot.ops.cli import main
from bot.services.digest import run_digest
from digests.cycles import cycle_for_meeting
from tests.factories import all_text
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeMessage, FakeSlack
from tests.harness import CHANNEL, Clock, RunningBot, bot_environment, running_bot, submit_standup

MEETINGS = (date(2026, 11, 30), date(2026, 12, 7), date(2026, 12, 14))
# A Thursday noon in each cycle; digests fire Mondays 09:00 Berlin (08:00 UTC).
SUBMITTED = tuple(datetime(2026, 11, 26, 12, tzinfo=UTC) + timedelta(weeks=n) for n in range(3))
POSTED = tuple(datetime.combine(m, datetime.min.time(), tzinfo=UTC).replace(hour=8, second=5)
               for m in MEETINGS)  # fmt: skip
SAFARI_MERGED = datetime(2026, 12, 5, 10, tzinfo=UTC)  # in cycle 2

CYCLES: tuple[dict[str, dict[str, str]], ...] = (
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
            "Done": "Merged acme/api#12",  # the promise's pull request
            "Next": "Still writing the runbook",  # repeated
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


def run_cycle(bot: RunningBot, number: int) -> list[FakeMessage]:
    """Everyone's standup for cycle `number` (0-based), then that meeting's digest; returns the
    digest's messages (main first, then its thread)."""
    bot.clock.current = SUBMITTED[number]
    for user_id, answers in CYCLES[number].items():
        submit_standup(bot, user_id, answers, meeting=MEETINGS[number])
    bot.clock.current = POSTED[number]
    cycle = cycle_for_meeting(bot.settings.digest_schedule, MEETINGS[number])
    report = run_digest(bot.deps, bot.client, now=POSTED[number], cycle=cycle, pace_seconds=0)
    assert report.ok, report.error
    roots = [m for m in bot.slack.messages(CHANNEL) if m.user == bot.slack.bot_user_id]
    return bot.slack.thread(CHANNEL, roots[-1].ts)


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
    assert "promised" not in main and "Carried" not in main
    assert main.count("· _new_") == 3
    assert "promised" not in thread
    assert not [f for f in slack.uploaded_files if f.name == "delivery-trend.png"]

    # Cycle 2: what became of cycle 1's promises and blockers.
    main, thread = texts(run_cycle(bot, 1))
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

    # Cycle 3: the runbook is carried for the 3rd week.
    main, thread = texts(run_cycle(bot, 2))
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
