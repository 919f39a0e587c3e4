"""Shared pieces of the benchmarks: processes on loopback ports, timing, percentiles."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(values) * 1000, 1),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
        "n": len(values),
    }


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 20.0) -> float:
    """Poll /healthz until 200; return seconds since the call (the process just started)."""
    start = time.perf_counter()
    with httpx.Client(timeout=1.0) as client:
        while time.perf_counter() - start < timeout:
            if process.poll() is not None:
                raise RuntimeError(f"process exited with {process.returncode}")
            try:
                if client.get(f"{url}/healthz").status_code == 200:
                    return time.perf_counter() - start
            except httpx.TransportError:
                pass
            time.sleep(0.005)
    raise RuntimeError(f"{url}/healthz did not answer within {timeout} s")


@contextmanager
def process(args: Sequence[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    full_env = {**os.environ, **env}
    proc = subprocess.Popen(
        list(args), env=full_env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def python() -> str:
    return sys.executable


def standup_bot() -> str:
    return str(Path(sys.executable).with_name("standup-bot"))
