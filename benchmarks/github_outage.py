"""The digest's time with GitHub hanging, and with GitHub answering 5xx, on every request.

Run: `uv run python -m benchmarks.github_outage [--json]`.

`run_digest` exactly as the scheduler calls it (the real `GitHubClient` with its default
timeouts and backoff, real sleeps, the digest's 40 s GitHub phase), against FakeSlack and a
FakeGitHub whose every answer hangs for 300 s, or is a 502. A 20-person team, one repository,
seven months of billing. Measured: seconds from the start of `run_digest` until the main message
is in Slack, until the whole digest is, and the GitHub requests sent. The budget: the digest
posts within 60 s of starting, saying GitHub is unavailable.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config import load_settings
from bot.deps import Deps
from bot.github import GitHubClient
from bot.services.digest import GITHUB_SECONDS, run_digest
from bot.slack.client import create_web_client
from bot.store import Store
from digests.cycles import cycle_for_meeting
from digests.models import Standup
from tests.fakes.github import FakeGitHub, usage_items
from tests.fakes.slack import FakeSlack

MEETING = date(2026, 11, 30)
AT = datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC)
CHANNEL = "C0STANDUP"
PEOPLE = 20
BUDGET_S = 60.0
OUTAGES: dict[str, dict[str, Any]] = {
    "hanging": {"kind": "hang", "delay": 300.0, "times": 100_000},
    "5xx": {"kind": "server_error", "status": 502, "times": 100_000},
}


def seed_github(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "api")
    fake.generate_pulls("acme/api", 200, seed=1)
    fake.set_billing("acme", usage_items("acme", {date(2026, m, 1): 93_000 for m in range(5, 12)}))


def one_outage(outage: str, tmp: Path) -> dict[str, Any]:
    with FakeSlack() as slack, FakeGitHub(now=AT) as github:
        ids = [f"U{index:03d}" for index in range(PEOPLE)]
        for user_id in ids:
            slack.add_member(user_id, user_id.lower(), real_name=f"Person {user_id}")
        slack.add_channel(CHANNEL, "eng-standup", members=ids)
        seed_github(github)
        github.inject(**OUTAGES[outage])
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": slack.token,
                "SLACK_API_URL": slack.url,
                "SLACK_SIGNING_SECRET": "bench",
                "STANDUP_CHANNEL": CHANNEL,
                "STANDUP_DB": str(tmp / f"{outage}.db"),
                "GITHUB_TOKEN": github.token,
                "GITHUB_API_URL": github.url,
                "GITHUB_REPOS": "acme/api",
            },
            env_file=None,
        )
        cycle = cycle_for_meeting(settings.digest_schedule, MEETING)
        with Store(settings.standup_db) as store, GitHubClient(settings, cache=store) as client:
            for user_id in ids:
                sent = cycle.ends_at - timedelta(hours=5)
                store.save_standup(
                    Standup(user_id=user_id, user_name=user_id, meeting_date=MEETING,
                            submitted_at=sent, done=("shipped #12",), next=("review #13",)),
                    now=sent,
                )  # fmt: skip
            deps = Deps(settings=settings, store=store, github=client, clock=lambda: AT)
            started, wall = time.perf_counter(), time.time()
            report = run_digest(
                deps, create_web_client(settings), now=AT, cycle=cycle, pace_seconds=0
            )
            finished = time.perf_counter() - started
        main = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id]
        posts = [c for c in slack.calls_to("chat.postMessage") if c.ok]
        first_post = posts[0].time - wall if posts else None
        said = "GitHub is unavailable" in str(main[0].blocks) if main else False
        return {
            "digest_s": round(finished, 1),
            "main_message_s": round(first_post, 1) if first_post is not None else None,
            "posted": report.posted,
            "ok": report.ok,
            "says_github_is_unavailable": said,
            "github_requests": len(github.requests),
            "within_budget": finished <= BUDGET_S,
        }


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-outage-") as tmp:
        results = {outage: one_outage(outage, Path(tmp)) for outage in OUTAGES}
    return {"github_phase_s": GITHUB_SECONDS, "budget_s": BUDGET_S, **results}


def render_table(result: dict[str, Any]) -> str:
    lines = [
        f"digest with GitHub down (GitHub phase {result['github_phase_s']:g} s, budget "
        f"{result['budget_s']:g} s)",
        "",
        f"{'':10} {'main message s':>15} {'digest s':>9} {'requests':>9} {'posted':>7}  says it",
    ]
    for outage in OUTAGES:
        row = result[outage]
        lines.append(
            f"{outage:10} {row['main_message_s']:>15} {row['digest_s']:>9} "
            f"{row['github_requests']:>9} {row['posted']:>7}  "
            f"{'yes' if row['says_github_is_unavailable'] else 'NO'}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    options = parser.parse_args()
    result = run()
    print(json.dumps(result, indent=2) if options.json else render_table(result))


if __name__ == "__main__":
    main()
