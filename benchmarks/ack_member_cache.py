"""Slack's ack with an empty member cache next to a warm one: `/standup` and its modal's
submission, 50 concurrent, against a workspace whose users.list paging is slow.

Run: `uv run python -m benchmarks.ack_member_cache [--rounds N] [--command CMD]`.

FakeSlack runs in its own process with 2,000 more members (10 users.list pages of 200) and
every page answered after USERS_LIST_DELAY seconds, so one refresh takes ~5 s, as in a big
workspace. Each round starts `standup-bot serve` on a fresh database (an empty member cache;
its own start-up refresh is then under way) and sends, as fast as it can: a burst of 50
`/standup` commands and a burst of 50 submissions of the modal, each with an ask by name.
Once the cache is filled (the database says so) it sends the same two bursts again: the warm
figures. The ack is what Slack waits for (3 s at most); the member refresh belongs after it.

`--command` runs another build of the bot (e.g. an older checkout, `python -m bot.ops.cli` with
its directory on PYTHONPATH) for a before/after comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sqlite3
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.ack_latency import SECRET, _one, _raw_request, fake_slack_process
from benchmarks.common import free_port, process, standup_bot, summary_ms, wait_healthy
from digests.parsing import StandupForm
from digests.render.views import build_standup_view
from tests.fakes.slack_payloads import fill_modal, slash_command, view_submission

MEMBERS = 2_000
USERS_LIST_DELAY = 0.5
CONCURRENCY = 50
ROUNDS = 3
MEETING_VIEW = build_standup_view(StandupForm(), meeting_date=date(2026, 11, 30), editing=False)

_triggers = iter(range(10**9))


def _command(port: int) -> bytes:
    body = slash_command(user_id="U1", trigger_id=f"bench.{next(_triggers)}").body
    return _raw_request(port, body)


def _submission(port: int, key: str, n: int) -> bytes:
    user = f"U{1000 + n}"
    answers = {"Done": "shipped it", "Asks": f"@p{1000 + (n + 1) % MEMBERS} review my PR"}
    request = view_submission(
        MEETING_VIEW,
        fill_modal(MEETING_VIEW, answers),
        user_id=user,
        view_id=f"V{key}{n}",
        hash=f"{key}.{n}",
    )
    return _raw_request(port, request.body)


async def _burst(requests: list[bytes], port: int) -> list[float]:
    return list(await asyncio.gather(*(_one(port, r) for r in requests)))


def _cache_warm(db: Path) -> bool:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'members_refreshed_at'")
            return row.fetchone() is not None
    except sqlite3.Error:
        return False


def one_round(command: list[str], slack: tuple[str, str], key: str) -> dict[str, list[float]]:
    url, token = slack
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp:
        db = Path(tmp) / "bench.db"
        env = {
            "SLACK_BOT_TOKEN": token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": url,
            "STANDUP_CHANNEL": "C0STANDUP",
            "STANDUP_DB": str(db),
            "STANDUP_LOG_LEVEL": "WARNING",
        }
        port = free_port()
        with process([*command, "serve", "--host", "127.0.0.1", "--port", str(port)], env) as proc:
            wait_healthy(f"http://127.0.0.1:{port}", proc)
            figures: dict[str, list[float]] = {}
            figures["command_cold"] = asyncio.run(
                _burst([_command(port) for _ in range(CONCURRENCY)], port)
            )
            cold = [_submission(port, f"{key}c", n) for n in range(CONCURRENCY)]
            figures["submission_cold"] = asyncio.run(_burst(cold, port))
            if _cache_warm(db):
                raise RuntimeError("the member cache filled before the cold bursts ended")
            deadline = time.monotonic() + 120
            while not _cache_warm(db):
                if time.monotonic() > deadline:
                    raise RuntimeError("the member cache never filled")
                time.sleep(0.1)
            time.sleep(1.0)  # what the cold submissions left to do after their acks
            figures["command_warm"] = asyncio.run(
                _burst([_command(port) for _ in range(CONCURRENCY)], port)
            )
            warm = [_submission(port, f"{key}w", n) for n in range(CONCURRENCY)]
            figures["submission_warm"] = asyncio.run(_burst(warm, port))
    return figures


def run(rounds: int = ROUNDS, command: list[str] | None = None) -> dict[str, Any]:
    command = command or [standup_bot()]
    options = ("--members", str(MEMBERS), "--users-list-delay", str(USERS_LIST_DELAY))
    runs = []
    with fake_slack_process(*options) as slack:
        for number in range(rounds):
            runs.append(one_round(command, slack, f"r{number}"))
    summary: dict[str, Any] = {}
    for name in ("command_cold", "command_warm", "submission_cold", "submission_warm"):
        summary[name] = summary_ms([value for run in runs for value in run[name]])
    ratios = {
        what: round(summary[f"{what}_cold"]["p99_ms"] / summary[f"{what}_warm"]["p99_ms"], 2)
        for what in ("command", "submission")
    }
    per_round = {
        what: [
            round(
                statistics.quantiles(run[f"{what}_cold"], n=100)[98]
                / statistics.quantiles(run[f"{what}_warm"], n=100)[98],
                2,
            )
            for run in runs
        ]
        for what in ("command", "submission")
    }
    return {
        "members": MEMBERS + 1,
        "users_list_page_delay_s": USERS_LIST_DELAY,
        "concurrency": CONCURRENCY,
        "rounds": rounds,
        "command": command,
        **summary,
        "p99_cold_vs_warm": ratios,
        "p99_cold_vs_warm_per_round": per_round,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--command", help="how to run the bot (default: standup-bot)")
    options = parser.parse_args()
    command = shlex.split(options.command) if options.command else None
    print(json.dumps(run(options.rounds, command), indent=2))


if __name__ == "__main__":
    main()
