"""A hung or failing GitHub during a digest: it costs the digest one bounded phase, nothing more
is sent once GitHub has clearly failed, and the digest posts saying GitHub is unavailable."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_settings
from bot.deps import Deps
from bot.github import GitHubClient
from bot.services.digest import run_digest
from bot.slack.client import create_web_client
from bot.store import Store
from digests.cycles import cycle_for_meeting
from digests.models import Standup
from tests.factories import MEETING
from tests.fakes.github import FakeGitHub, usage_items
from tests.fakes.slack import FakeSlack
from tests.harness import CHANNEL, bot_environment

AT = datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC)


def seed(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "api")
    fake.add_pull("acme", "api", 12, title="Fix login", ci="success")
    fake.set_billing("acme", usage_items("acme", {date(2026, m, 1): 93_000 for m in range(5, 12)}))


OUTAGES: dict[str, dict[str, Any]] = {
    "hang": {"kind": "hang", "delay": 30.0, "times": 1000},
    "5xx": {"kind": "server_error", "status": 502, "times": 1000},
}


@pytest.mark.parametrize("outage", list(OUTAGES))
def test_a_digest_with_github_down_posts_saying_so_and_stops_asking(
    slack: FakeSlack, tmp_path: Path, outage: str
) -> None:
    with FakeGitHub(now=AT) as github:
        seed(github)
        github.inject(**OUTAGES[outage])  # every path: GraphQL and REST alike
        env = bot_environment(
            slack, tmp_path, GITHUB_TOKEN=github.token, GITHUB_API_URL=github.url,
            GITHUB_REPOS="acme/api",
        )  # fmt: skip
        settings = load_settings(env, env_file=None)
        cycle = cycle_for_meeting(settings.digest_schedule, MEETING)
        with Store(settings.standup_db) as store, GitHubClient(settings, timeout=1.0) as client:
            submitted = cycle.ends_at - timedelta(days=1)
            store.save_standup(
                Standup(user_id="U1", user_name="Kevin", meeting_date=MEETING,
                        submitted_at=submitted, done=("merged #12",)),
                now=submitted,
            )  # fmt: skip
            deps = Deps(settings=settings, store=store, github=client, clock=lambda: AT)
            report = run_digest(
                deps, create_web_client(settings), now=AT, cycle=cycle, pace_seconds=0
            )
        sent = len(github.requests)

    assert report.ok, report
    [main] = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id]
    text = str(main.blocks)
    # One line says it, instead of a problem per section.
    assert text.count("GitHub is unavailable") == 1, text
    assert "No GitHub data (PR states, the PR board and CI billing): GitHub is unavailable" in text
    # The PR lookups, the board and the first billing month went out together (3 requests) and
    # were retried once; once GitHub had failed 4 times in a row, with a retry among them,
    # nothing more was sent: not 4 tries for each of them one after another (12 requests).
    assert sent <= 3 + 3, sent
