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


def _raw_request(port: int, body: bytes) -> bytes:
    """The whole HTTP/1.1 request, signed, built before the clock starts."""
    headers = sign(SECRET, body)
    head = [
        "POST /slack/events HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    head += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _one(port: int, request: bytes) -> float:
    """Connect, send, read the whole answer: a bare asyncio client, so the client's own cost
    (an HTTP library's) stays out of the figure."""
    start = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    answer = await reader.read()  # the server closes: Connection: close
    elapsed = time.perf_counter() - start
    writer.close()
    await writer.wait_closed()
    status = answer.split(b" ", 2)[1] if answer else b"none"
    if status != b"200":
        raise RuntimeError(f"ack failed: {answer[:300]!r}")
    return elapsed


async def _burst(port: int, n: int) -> list[float]:
    requests = [
        _raw_request(port, slash_command(user_id="U1", trigger_id=f"bench.{next(_triggers)}").body)
        for _ in range(n)
    ]
    return list(await asyncio.gather(*(_one(port, r) for r in requests)))


def measure(args: list[str], env: dict[str, str], port: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}"
    with process(args, env) as proc:
        startup = wait_healthy(url, proc)
        time.sleep(1.0)
        rss_idle = psutil.Process(proc.pid).memory_info().rss
        asyncio.run(_burst(port, 10))  # warm-up: imports, thread pools, connections
        latencies: list[float] = []
        for _ in range(ROUNDS):
            latencies += asyncio.run(_burst(port, CONCURRENCY))
        rss_after = psutil.Process(proc.pid).memory_info().rss
    return {
        "startup_to_healthz_s": round(startup, 3),
        "rss_idle_mb": round(rss_idle / 2**20, 1),
        "rss_after_load_mb": round(rss_after / 2**20, 1),
        **summary_ms(latencies),
    }


@contextmanager
def fake_slack_process(*options: str) -> Iterator[tuple[str, str]]:
    proc = subprocess.Popen(
        [python(), "-m", "benchmarks.fake_slack_server", *options],
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
