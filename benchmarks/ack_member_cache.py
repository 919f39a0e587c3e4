"""Slack's ack with an empty member cache next to a warm one: `/standup` and its modal's
submission, 50 concurrent, against a workspace whose users.list paging is slow.

Run: `uv run python -m benchmarks.ack_member_cache [--rounds N] [--command CMD]`.

FakeSlack runs in its own process with 2,000 more members (10 users.list pages of 200) and
every page answered after USERS_LIST_DELAY seconds, so one refresh takes ~5 s, as in a big
workspace. Each round starts `standup-bot serve` on a fresh database (an empty member cache;
its own start-up refresh is then under way) and sends, as fast as it can: a burst of 50
`/standup` commands and a burst of 50 submissions of the modal, each with an ask by name.
After a warm-up of 10 commands (which read no members), it times the cold bursts; once the
cache is filled and the cold submissions' DMs are out (the database says so) it sends the same
two bursts again: the warm figures. The ack is what Slack waits for (3 s at most); the member
refresh belongs after it.

`--command` runs another build of the bot (e.g. an older checkout, `python -m bot.ops.cli` with
its directory on PYTHONPATH) for a before/after comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sqlite3
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.ack_latency import SECRET, _raw_request, fake_slack_process
from benchmarks.common import (
    free_port,
    percentile,
    process,
    standup_bot,
    summary_ms,
    wait_healthy,
)
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


async def _one(port: int, request: bytes) -> tuple[float, int]:
    """Seconds until the whole answer, and its HTTP status (Bolt answers 404 when a listener
    did not ack within 3 s)."""
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    answer = await reader.read()
    elapsed = time.perf_counter() - start
    writer.close()
    await writer.wait_closed()
    return elapsed, int(answer.split(b" ", 2)[1]) if answer else 0


async def _burst(requests: list[bytes], port: int) -> list[tuple[float, int]]:
    return list(await asyncio.gather(*(_one(port, r) for r in requests)))


def _read(db: Path, sql: str) -> Any:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            row = conn.execute(sql).fetchone()
            return row[0] if row else None
    except sqlite3.Error:
        return None


def _cache_warm(db: Path) -> bool:
    return _read(db, "SELECT value FROM meta WHERE key = 'members_refreshed_at'") is not None


def _asks_handled(db: Path) -> int:
    """Asks whose DM was sent or given up: the work after the cold acks is done. (A database
    from before the DM state was kept counts the DMs sent.)"""
    handled = _read(db, "SELECT count(*) FROM asks WHERE dm_state IN ('sent', 'failed')")
    if handled is None:
        handled = _read(db, "SELECT count(*) FROM asks WHERE dm_ts IS NOT NULL")
    return int(handled or 0)


def one_round(
    command: list[str], slack: tuple[str, str], key: str
) -> dict[str, list[tuple[float, int]]]:
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
            # Warm-up (imports, thread pools, connections): commands, which read no members.
            asyncio.run(_burst([_command(port) for _ in range(10)], port))
            figures: dict[str, list[tuple[float, int]]] = {}
            figures["command_cold"] = asyncio.run(
                _burst([_command(port) for _ in range(CONCURRENCY)], port)
            )
            cold = [_submission(port, f"{key}c", n) for n in range(CONCURRENCY)]
            figures["submission_cold"] = asyncio.run(_burst(cold, port))
            # (A bot that pages users.list before its acks sees the cache fill meanwhile.)
            deadline = time.monotonic() + 120
            while not _cache_warm(db):
                if time.monotonic() > deadline:
                    raise RuntimeError("the member cache never filled")
                time.sleep(0.1)
            cold_saved = int(_read(db, "SELECT count(*) FROM asks") or 0)
            while _asks_handled(db) < cold_saved:  # the cold submissions' DMs, after the acks
                if time.monotonic() > deadline:
                    raise RuntimeError("the cold submissions' ask DMs never went out")
                time.sleep(0.1)
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
        answers = [answer for run in runs for answer in run[name]]
        summary[name] = summary_ms([seconds for seconds, _ in answers])
        summary[name]["not_200"] = sum(1 for _, status in answers if status != 200)
    ratios = {
        what: round(summary[f"{what}_cold"]["p99_ms"] / summary[f"{what}_warm"]["p99_ms"], 2)
        for what in ("command", "submission")
    }

    def p99(answers: list[tuple[float, int]]) -> float:  # as summary_ms takes it
        return percentile([seconds for seconds, _ in answers], 0.99)

    per_round = {
        what: [round(p99(run[f"{what}_cold"]) / p99(run[f"{what}_warm"]), 2) for run in runs]
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
