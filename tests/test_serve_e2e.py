"""The real `standup-bot` processes: `serve` in HTTP and Socket Mode, then `export`, `digest`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.fakes.slack import FakeSlack
from tests.fakes.slack_payloads import fill_modal, post_signed, slash_command, view_submission
from tests.harness import (
    SIGNING_SECRET,
    bot_environment,
    free_socket,
    wait_for,
)

BIN = str(Path(sys.executable).with_name("standup-bot"))


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    proc = subprocess.Popen(
        [BIN, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert proc.poll() is None, proc.stdout.read().decode()  # type: ignore[union-attr]
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not answer /healthz"
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )


def test_serve_takes_a_standup_and_export_prints_it(slack: FakeSlack, tmp_path: Path) -> None:
    env = bot_environment(slack, tmp_path)
    with serving(env) as url:
        trigger = slack.register_trigger(user_id="U2")
        response = post_signed(url, SIGNING_SECRET, slash_command(user_id="U2", trigger_id=trigger))
        assert response.status_code == 200
        view = wait_for(lambda: slack.opened_views, what="views.open")[0].view
        values = fill_modal(view, {"Done": "wrote the billing parser", "Blocked": "CI quota"})
        response = post_signed(url, SIGNING_SECRET, view_submission(view, values, user_id="U2"))
        assert response.status_code == 200
        wait_for(lambda: slack.messages(slack.dm_channel_id("U2")), what="confirmation")
        unsigned = httpx.post(f"{url}/slack/events", content=b"command=/standup")
        assert unsigned.status_code == 401
    result = run_cli(env, "export")
    assert result.returncode == 0, result.stderr
    exported = json.loads(result.stdout)
    assert [s["done"] for s in exported["standups"]] == [["wrote the billing parser"]]
    markdown = run_cli(env, "export", "--format", "md")
    assert "## Hesham" in markdown.stdout and "CI quota" in markdown.stdout


def test_socket_mode_still_answers_healthz_and_has_no_http_endpoint(
    slack: FakeSlack, tmp_path: Path
) -> None:
    env = bot_environment(slack, tmp_path, SLACK_APP_TOKEN="xapp-1-A0APP-123-abc")
    env.pop("SLACK_SIGNING_SECRET")
    with serving(env) as url:
        assert httpx.post(f"{url}/slack/events", content=b"{}").status_code in (404, 405)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("STANDUP_TIMEZONE", "Mars/Olympus", "STANDUP_TIMEZONE must be an IANA zone"),
        ("STANDUP_DIGEST_CRON", "every monday", "STANDUP_DIGEST_CRON must be a crontab line"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN must be a bot token"),
        ("SLACK_SIGNING_SECRET", "", "SLACK_SIGNING_SECRET is not set"),
        ("STANDUP_STALE_DAYS", "soon", "STANDUP_STALE_DAYS"),
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
