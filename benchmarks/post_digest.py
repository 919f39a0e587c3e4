"""Posting a digest with 30 follow-ups at Slack's ~1 message/s per channel: time and Slack calls.

Run: `uv run python -m benchmarks.post_digest [--json]`.

`run_digest` (the scheduler's and `digest post`'s path, default pacing) posts to FakeSlack with
`rate_limit_posts(per_second=1.0, burst=3)` on, so a client that posts faster than Slack allows
gets HTTP 429s as it would from Slack. A 20-person team with 30 open follow-ups, its PR board
from FakeGitHub (4 repos x 500 PRs) and an Actions billing chart. Counted: every Web API call by
method, the 429s among them (the target is none), and the wall time next to the floor of
N messages x 1 s. A second run for the same meeting must post nothing.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.digest_build import CHANNEL, digest_world, settings_for, team_members
from bot.deps import Deps
from bot.github import GitHubClient
from bot.services.digest import run_digest
from bot.slack.client import create_web_client
from bot.store import Store
from tests.fakes.slack import UPLOAD, FakeSlack

PEOPLE = 20
FOLLOW_UPS = 30
SLACK_PER_SECOND = 1.0
SLACK_BURST = 3


def run() -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-post-") as tmp,
        digest_world(Path(tmp), people=PEOPLE, follow_ups=FOLLOW_UPS) as world,
        FakeSlack() as slack,
    ):
        members = team_members(PEOPLE)
        for member in members:
            slack.add_member(
                member.user_id,
                member.name,
                real_name=member.real_name,
                display_name=member.display_name,
            )
        slack.add_channel(CHANNEL, "eng-standup", members=[m.user_id for m in members])
        slack.rate_limit_posts(SLACK_PER_SECOND, burst=SLACK_BURST)
        settings = settings_for(
            world.github, world.db, SLACK_API_URL=slack.url, SLACK_BOT_TOKEN=slack.token
        )
        client = create_web_client(settings)
        with Store(world.db) as store, GitHubClient(settings, cache=store) as github:
            deps = Deps(settings=settings, store=store, github=github, clock=lambda: world.now)
            started = time.perf_counter()
            report = run_digest(deps, client, now=world.now, cycle=world.cycle)
            wall = time.perf_counter() - started
            calls = list(slack.calls)
            slack.clear_calls()
            started = time.perf_counter()
            again = run_digest(deps, client, now=world.now, cycle=world.cycle)
            again_wall = time.perf_counter() - started
            again_calls = list(slack.calls)
            planned = len(store.get_digest_plan(report.digest_id))
    if not report.ok:
        raise RuntimeError(f"posting stopped: {report.error}")
    by_method = Counter(call.method for call in calls)
    rate_limited = Counter(call.method for call in calls if call.status == 429)
    posts = [c for c in calls if c.method == "chat.postMessage" and c.ok]
    first_post = min(c.time for c in posts)
    last_post = max(c.time for c in posts)
    messages = report.posted
    return {
        "people": PEOPLE,
        "follow_ups": FOLLOW_UPS,
        "slack_rate": {"per_second": SLACK_PER_SECOND, "burst": SLACK_BURST},
        "planned_messages": planned,
        "posted_messages": messages,
        "wall_s": round(wall, 2),
        "posting_span_s": round(last_post - first_post, 2),
        "floor_s": messages * 1.0,
        "ratio_to_floor": round(wall / (messages * 1.0), 2),
        "calls_by_method": dict(sorted(by_method.items())),
        "calls_total": len(calls),
        # One call a message; files_upload_v2 adds two per chart; the team refresh two pages.
        "call_floor": messages + 2 * by_method.get(UPLOAD, 0) + 2,
        "uploads": by_method.get(UPLOAD, 0),
        "rate_limited_429": sum(rate_limited.values()),
        "rate_limited_by_method": dict(rate_limited),
        "second_run_posted": again.posted,
        "second_run_calls": dict(Counter(call.method for call in again_calls)),
        "second_run_wall_s": round(again_wall, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.parse_args()
    print(json.dumps(run(), indent=2))


if __name__ == "__main__":
    main()
