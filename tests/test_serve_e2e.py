"""The real `standup-bot` processes: `serve` in HTTP and Socket Mode, then `export`, `digest`.

Each test starts `standup-bot serve` as a subprocess on a free loopback port against the fakes,
and reads what it answered, what it logged, and (for the 100 MB request) its memory from /proc.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx
import pytest

from bot.slack.connections import FIX_APP_TOKEN_REFUSED
from bot.store import Store
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_payloads import (
    fill_modal,
    post_signed,
    slash_command,
    view_submission,
)
from tests.fakes.socket_mode import FakeSocketMode
from tests.harness import (
    SIGNING_SECRET,
    bot_environment,
    free_socket,
    wait_for,
)

BIN = str(Path(sys.executable).with_name("standup-bot"))
LOGFMT = re.compile(r'^ts=\S+Z level=(debug|info|warning|error|critical) logger=\S+ msg="')
MB = 2**20


@dataclass
class Served:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path  # stdout and stderr of the process

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def healthz(self) -> httpx.Response:
        return httpx.get(f"{self.url}/healthz", timeout=2)

    def status(self, field: str) -> int:
        """A figure from /proc/PID/status, in KiB (VmRSS, VmHWM)."""
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(rf"^{field}:\s+(\d+) kB", text, flags=re.MULTILINE)[1])  # type: ignore[index]


@contextmanager
def serving(
    env: dict[str, str], tmp_path: Path, *, healthy: bool = True, timeout: float = 20
) -> Iterator[Served]:
    """`standup-bot serve` until /healthz answers (200, unless `healthy` is False: any answer).
    On exit: SIGTERM, and the process must end by itself."""
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    log = tmp_path / f"serve-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [BIN, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(f"http://127.0.0.1:{port}", proc, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            assert proc.poll() is None, served.output()
            try:
                if served.healthz().status_code == 200 or not healthy:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"serve did not answer /healthz:\n{served.output()}"
            time.sleep(0.05)
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"serve did not stop on SIGTERM:\n{served.output()}") from None


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )


def socket_environment(slack: FakeSlack, tmp_path: Path, token: str) -> dict[str, str]:
    env = bot_environment(slack, tmp_path, SLACK_APP_TOKEN=token)
    env.pop("SLACK_SIGNING_SECRET")
    return env


# --- HTTP mode ------------------------------------------------------------------------------------


def test_serve_takes_a_standup_and_export_prints_it(slack: FakeSlack, tmp_path: Path) -> None:
    env = bot_environment(slack, tmp_path)
    with serving(env, tmp_path) as served:
        trigger = slack.register_trigger(user_id="U2")
        command = slash_command(user_id="U2", trigger_id=trigger)
        assert post_signed(served.url, SIGNING_SECRET, command).status_code == 200
        view = wait_for(lambda: slack.opened_views, what="views.open")[0].view
        values = fill_modal(view, {"Done": "wrote the billing parser", "Blocked": "CI quota"})
        response = post_signed(
            served.url, SIGNING_SECRET, view_submission(view, values, user_id="U2")
        )
        assert response.status_code == 200
        wait_for(lambda: slack.messages(slack.dm_channel_id("U2")), what="confirmation")
        unsigned = httpx.post(f"{served.url}/slack/events", content=b"command=/standup")
        assert unsigned.status_code == 401
    # The meeting serve filed it under (serve reads the real clock), read back from the database
    with Store(Path(env["STANDUP_DB"])) as store:
        stored = store.get_latest_standup_before("U2", date.max)
    assert stored is not None
    meeting = stored.meeting_date.isoformat()
    result = run_cli(env, "export", "--date", meeting)
    assert result.returncode == 0, result.stderr
    exported = json.loads(result.stdout)
    assert [s["done"] for s in exported["standups"]] == [["wrote the billing parser"]]
    markdown = run_cli(env, "export", "--date", meeting, "--format", "md")
    assert "## Hesham" in markdown.stdout and "CI quota" in markdown.stdout


HOSTILE_UNSIGNED: list[tuple[str, bytes, dict[str, str]]] = [
    ("a JSON fragment", b"{bad", {"Content-Type": "application/json"}),
    ("a broken payload field", b"payload=%7Bx", {}),
    ("a payload field with JSON", b'payload={"type":"block_actions"}', {}),
    ("a JSON array", b"[1, 2]", {"Content-Type": "application/json"}),
    ("not UTF-8", b"\xff\xfe\x00command=/standup", {}),
    ("empty", b"", {}),
    ("a timestamp of abc", b"command=/standup", {"X-Slack-Request-Timestamp": "abc"}),
    ("Arabic-Indic digits", b"command=/standup", {"X-Slack-Request-Timestamp": "١٢٣"}),
    ("a huge timestamp", b"command=/standup", {"X-Slack-Request-Timestamp": "9" * 40}),
    ("a signature that is not one", b"command=/standup", {"X-Slack-Signature": "v0=zz"}),
    ("a signature beyond ASCII", b"command=/standup", {"X-Slack-Signature": "v0=\u00e9"}),
    ("an XML body", b"<xml/>", {"Content-Type": "text/xml"}),
]


def _signed_with_the_wrong_secret(body: bytes) -> dict[str, str]:
    """Slack's headers for `body`, its v0 HMAC made with another secret (over the raw bytes)."""
    stamp = str(int(time.time()))
    digest = hmac.new(b"another-secret", b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }


def test_whatever_an_outsider_sends_is_401_and_writes_no_traceback(
    slack: FakeSlack, tmp_path: Path
) -> None:
    env = bot_environment(slack, tmp_path, STANDUP_LOG_LEVEL="DEBUG")
    with serving(env, tmp_path) as served, httpx.Client(timeout=10) as client:
        for what, body, headers in HOSTILE_UNSIGNED:
            signed_badly = {**_signed_with_the_wrong_secret(body), **headers}
            for sent in (headers, signed_badly):
                encoded = {name: value.encode() for name, value in sent.items()}
                response = client.post(f"{served.url}/slack/events", content=body, headers=encoded)
                assert response.status_code == 401, (what, response.text)
                assert response.json() == {"error": "invalid request"}
        # Signed, but none of Slack's shapes: 400, one warning line
        for body, content_type in (
            (b"{bad", "application/json"),
            (b"[1]", "application/json"),
            (b"payload=%7Bx", "application/x-www-form-urlencoded"),
        ):
            response = post_signed(served.url, SIGNING_SECRET, body, content_type)
            assert response.status_code == 400, body
        # Not even HTTP: uvicorn answers 400 and logs one warning, in our format
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as conn:
            conn.sendall(b"\x16\x03\x01 not http at all\r\n\r\n")
            assert conn.recv(1024).startswith(b"HTTP/1.1 400 ")
    output = served.output()
    lines = output.splitlines()
    assert lines and all(LOGFMT.match(line) for line in lines), output
    assert "Traceback" not in output
    assert not [line for line in lines if "level=error" in line or "level=critical" in line]
    # uvicorn's own lines come through the same formatter
    assert any('level=warning logger=uvicorn.error msg="Invalid HTTP request' in x for x in lines)
    assert any(
        'logger=uvicorn.error msg="Waiting for application shutdown."' in line for line in lines
    )
    assert output.count("refused a request to /slack/events status=401") == 2 * len(
        HOSTILE_UNSIGNED
    )


def _send_big_body(port: int, head: bytes, chunks: Iterator[bytes]) -> bytes:
    """Send `head`, then `chunks` while the server keeps reading; return its answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        conn.sendall(head)
        stop = threading.Event()

        def pump() -> None:
            try:
                for chunk in chunks:
                    if stop.is_set():
                        return
                    conn.sendall(chunk)
            except OSError:
                return  # the server answered and closed: it need not read the rest

        sender = threading.Thread(target=pump, daemon=True)
        sender.start()
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = conn.recv(65536)
            if not data:
                break
            answer += data
        stop.set()
        sender.join(timeout=30)
        return answer


def _megabytes(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    block = b"x" * size
    for _ in range(total // size):
        yield block


def _chunked(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    for block in _megabytes(total, size):
        yield f"{len(block):x}\r\n".encode() + block + b"\r\n"
    yield b"0\r\n\r\n"


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_100_mb_unsigned_request_costs_a_few_mb(
    slack: FakeSlack, tmp_path: Path, framing: str
) -> None:
    total = 100 * MB
    env = bot_environment(slack, tmp_path)
    with serving(env, tmp_path) as served:
        with contextlib.suppress(OSError):  # VmHWM := VmRSS: the peak below is this request's
            Path(f"/proc/{served.proc.pid}/clear_refs").write_text("5")
        before = served.status("VmHWM")
        if framing == "content-length":
            head = f"Content-Length: {total}\r\n"
            body = _megabytes(total)
        else:
            head, body = "Transfer-Encoding: chunked\r\n", _chunked(total)
        request = (
            f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
            "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
        ).encode()
        answer = _send_big_body(served.port, request, body)
        assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
        peak = served.status("VmHWM")
        assert served.healthz().status_code == 200  # still serving
    assert (peak - before) / 1024 < 8, f"the request cost {(peak - before) / 1024:.1f} MB"


# --- Socket Mode ----------------------------------------------------------------------------------


def _socket(slack: FakeSlack) -> FakeSocketMode:
    return slack.enable_socket_mode()


def test_socket_mode_keeps_connecting_until_slack_answers_and_healthz_says_so(
    slack: FakeSlack, tmp_path: Path
) -> None:
    socket_mode = _socket(slack)
    slack.fail_next("apps.connections.open", times=1000, status=503)  # the network is not up
    env = socket_environment(slack, tmp_path, socket_mode.app_token)
    with serving(env, tmp_path, healthy=False) as served:
        down = served.healthz()
        assert down.status_code == 503
        assert down.json()["socket"] == "connecting" and "internal_error" in down.json()["problem"]
        wait_for(
            lambda: len(slack.calls_to("apps.connections.open")) >= 3,
            timeout=10,
            what="two retries after the first attempt",
        )
        assert socket_mode.links == []
        slack.clear_faults()  # the network comes up
        socket_mode.wait_for_connections(1, timeout=20)
        wait_for(lambda: served.healthz().status_code == 200, what="/healthz 200")
        assert served.healthz().json() == {"ok": True, "mode": "socket", "socket": "connected"}
        # It hears Slack: /standup over the socket opens the modal
        trigger = slack.register_trigger(user_id="U1")
        ack = socket_mode.deliver(slash_command(user_id="U1", trigger_id=trigger))
        assert ack.payload is None
        wait_for(lambda: slack.opened_views, what="views.open")
        # and serves no HTTP endpoint for Slack
        assert httpx.post(f"{served.url}/slack/events", content=b"{}").status_code in (404, 405)
    assert "Traceback" not in served.output()


@pytest.mark.parametrize("socket_mode_enabled", [True, False], ids=["wrong token", "not enabled"])
def test_an_app_token_slack_refuses_stops_serve_with_one_line(
    slack: FakeSlack, tmp_path: Path, socket_mode_enabled: bool
) -> None:
    if socket_mode_enabled:
        _socket(slack)
    token = "xapp-1-A0APP-2222-notthisone"
    result = run_cli(socket_environment(slack, tmp_path, token), "serve", "--port", "0")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("standup-bot: Slack refused SLACK_APP_TOKEN (invalid_auth): ")
    assert FIX_APP_TOKEN_REFUSED in lines[0]
    assert "Traceback" not in result.stderr and token not in result.stderr + result.stdout
    assert not Path(tmp_path / "standup.db").exists()  # stopped before it started anything


def test_an_app_token_revoked_while_serving_stops_serve(slack: FakeSlack, tmp_path: Path) -> None:
    socket_mode = _socket(slack)
    env = socket_environment(slack, tmp_path, socket_mode.app_token)
    with serving(env, tmp_path) as served:
        socket_mode.wait_for_connections(1)
        socket_mode.app_token = "xapp-1-A0APP-9999-regenerated"  # the old token is revoked
        socket_mode.send_disconnect("refresh_requested")  # so the next URL is refused
        served.proc.wait(timeout=30)
    assert served.proc.returncode == 2
    output = served.output()
    assert "standup-bot: Slack refused SLACK_APP_TOKEN (invalid_auth)" in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("STANDUP_TIMEZONE", "Mars/Olympus", "STANDUP_TIMEZONE must be an IANA zone"),
        ("STANDUP_DIGEST_CRON", "every monday", "STANDUP_DIGEST_CRON must be a crontab line"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN must be a bot token"),
        ("SLACK_SIGNING_SECRET", "", "SLACK_SIGNING_SECRET is not set"),
        ("STANDUP_STALE_DAYS", "soon", "STANDUP_STALE_DAYS"),
        ("SLACK_APP_TOKEN", "xoxb-not-an-app-token", "SLACK_APP_TOKEN must be an app-level"),
    ],
)
def test_bad_configuration_fails_with_one_line_naming_the_variable(
    slack: FakeSlack, tmp_path: Path, variable: str, value: str, expected: str
) -> None:
    env = bot_environment(slack, tmp_path, **{variable: value})
    result = run_cli(env, "serve", "--port", "0")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_date_is_one_clear_line(slack: FakeSlack, tmp_path: Path) -> None:
    env = bot_environment(slack, tmp_path)
    result = run_cli(env, "export", "--date", "2026-12-01")
    assert result.returncode == 2
    assert "no digest is scheduled on 2026-12-01" in result.stderr
    assert "Traceback" not in result.stderr
