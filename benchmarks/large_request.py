"""Resident memory of `standup-bot serve` while it refuses a 100 MB unsigned request.

Run: `uv run python -m benchmarks.large_request`.

`serve` runs as its own process against FakeSlack. After `/healthz` answers and a second of rest,
its idle RSS is read from /proc; then, for each framing (a declared `Content-Length`, and a
`Transfer-Encoding: chunked` body that declares nothing), the peak-RSS counter is reset
(`/proc/PID/clear_refs`) and a raw socket client sends the headers and streams 100 MB of body
while the server reads. The figures: the status the server answered, the peak RSS while it did
(VmHWM), how many bytes the client got to send before the answer, and the seconds until it.
"""

from __future__ import annotations

import json
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import free_port, process, standup_bot, wait_healthy
from tests.fakes.slack import FakeSlack

MB = 2**20
TOTAL = 100 * MB
CHUNK = 64 * 1024


def _status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def _reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM := VmRSS
    except OSError:
        return False
    return True


def _body(framing: str) -> Iterator[bytes]:
    block = b"x" * CHUNK
    for _ in range(TOTAL // CHUNK):
        yield block if framing == "content-length" else f"{CHUNK:x}\r\n".encode() + block + b"\r\n"
    if framing == "chunked":
        yield b"0\r\n\r\n"


def refuse_once(port: int, framing: str) -> dict[str, Any]:
    declared = f"Content-Length: {TOTAL}" if framing == "content-length" else ""
    head = (
        "POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (f"{declared}\r\n" if declared else "Transfer-Encoding: chunked\r\n")
        + "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
    ).encode()
    sent = 0
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as conn:
        conn.sendall(head)
        answered = threading.Event()

        def pump() -> None:
            nonlocal sent
            try:
                for chunk in _body(framing):
                    if answered.is_set():
                        return
                    conn.sendall(chunk)
                    sent += len(chunk)
            except OSError:
                return  # the server answered and closed the connection

        sender = threading.Thread(target=pump, daemon=True)
        sender.start()
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = conn.recv(65536)
            if not data:
                break
            answer += data
        elapsed = time.perf_counter() - started
        answered.set()
        sender.join(timeout=60)
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0
    return {"status": status, "body_sent_mb": round(sent / MB, 1), "answer_s": round(elapsed, 3)}


def run() -> dict[str, Any]:
    results: dict[str, Any] = {"request_mb": TOTAL // MB}
    with FakeSlack() as slack, tempfile.TemporaryDirectory(prefix="bench-large-") as tmp:
        port = free_port()
        env = {
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": "bench-signing-secret",
            "SLACK_API_URL": slack.url,
            "STANDUP_DB": str(Path(tmp) / "large.db"),
            "STANDUP_LOG_LEVEL": "WARNING",
        }
        args = [standup_bot(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        with process(args, env) as proc:
            wait_healthy(f"http://127.0.0.1:{port}", proc)
            time.sleep(1.0)
            results["rss_idle_mb"] = round(_status_kb(proc.pid, "VmRSS") / 1024, 1)
            for framing in ("content-length", "chunked"):
                reset = _reset_peak(proc.pid)
                before = _status_kb(proc.pid, "VmRSS")
                figures = refuse_once(port, framing)
                peak = _status_kb(proc.pid, "VmHWM")
                figures["peak_rss_mb"] = round(peak / 1024, 1)
                figures["peak_over_before_mb"] = round((peak - before) / 1024, 1)
                figures["peak_counter_reset"] = reset
                results[framing] = figures
            results["rss_after_mb"] = round(_status_kb(proc.pid, "VmRSS") / 1024, 1)
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
