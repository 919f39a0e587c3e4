"""Slash command → HTTP ack latency at 50 concurrent, standup-bot next to a bare slack-bolt app.

Each app runs as its own process on loopback against the same fake Slack; requests are signed
like Slack's. Also measures process start → /healthz 200 and idle resident memory.
"""

from __future__ import annotations

import asyncio
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psutil

from benchmarks.common import (
    ROOT,
    free_port,
    process,
    python,
    standup_bot,
    summary_ms,
    wait_healthy,
)
from tests.fakes.slack_payloads import sign, slash_command

SECRET = "bench-signing-secret"
CONCURRENCY = 50
ROUNDS = 6


_triggers = iter(range(10**9))


async def _burst(url: str, n: int) -> list[float]:
    requests = [
        slash_command(user_id="U1", trigger_id=f"bench.{next(_triggers)}") for _ in range(n)
    ]

    async def one(client: httpx.AsyncClient, body: bytes) -> float:
        headers = sign(SECRET, body)
        start = time.perf_counter()
        response = await client.post(f"{url}/slack/events", content=body, headers=headers)
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            raise RuntimeError(f"ack failed: {response.status_code} {response.text[:200]}")
        return elapsed

    limits = httpx.Limits(max_connections=n, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        return list(await asyncio.gather(*(one(client, r.body) for r in requests)))


def measure(args: list[str], env: dict[str, str], port: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}"
    with process(args, env) as proc:
        startup = wait_healthy(url, proc)
        time.sleep(1.0)
        rss_idle = psutil.Process(proc.pid).memory_info().rss
        asyncio.run(_burst(url, 10))  # warm-up: imports, thread pools, connections
        latencies: list[float] = []
        for _ in range(ROUNDS):
            latencies += asyncio.run(_burst(url, CONCURRENCY))
        rss_after = psutil.Process(proc.pid).memory_info().rss
    return {
        "startup_to_healthz_s": round(startup, 3),
        "rss_idle_mb": round(rss_idle / 2**20, 1),
        "rss_after_load_mb": round(rss_after / 2**20, 1),
        **summary_ms(latencies),
    }


@contextmanager
def fake_slack_process() -> Iterator[tuple[str, str]]:
    proc = subprocess.Popen(
        [python(), "-m", "benchmarks.fake_slack_server"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None and proc.stdin is not None
        url, token = proc.stdout.readline().decode().split()
        yield url, token
    finally:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        proc.wait(timeout=10)
        proc.stdout.close()


def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    with fake_slack_process() as (slack_url, token), tempfile.TemporaryDirectory() as tmp:
        env = {
            "SLACK_BOT_TOKEN": token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack_url,
            "STANDUP_CHANNEL": "C0STANDUP",
            "STANDUP_DB": str(Path(tmp) / "bench.db"),
            "STANDUP_LOG_LEVEL": "WARNING",
        }
        for name, mode in (
            ("bare_bolt_threadpool", "threadpool"),
            ("bare_bolt_adapter", "adapter"),
        ):
            port = free_port()
            results[name] = measure(
                [python(), "-m", "benchmarks.bare_bolt_app", str(port), mode], env, port
            )
        port = free_port()
        results["standup_bot"] = measure(
            [standup_bot(), "serve", "--host", "127.0.0.1", "--port", str(port)], env, port
        )
    floor = results["bare_bolt_threadpool"]
    bot = results["standup_bot"]
    results["ratios"] = {
        "p99_vs_bare": round(bot["p99_ms"] / floor["p99_ms"], 2),
        "p50_vs_bare": round(bot["p50_ms"] / floor["p50_ms"], 2),
        "startup_vs_bare": round(bot["startup_to_healthz_s"] / floor["startup_to_healthz_s"], 2),
    }
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
