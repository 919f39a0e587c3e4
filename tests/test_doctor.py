"""`standup-bot doctor` end to end: the real CLI against the loopback Slack and GitHub fakes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bot.config import Settings
from bot.ops import doctor
from bot.ops.cli import main
from bot.slack.manifest import bot_scopes
from tests.fakes.github import FakeGitHub, usage_items
from tests.fakes.slack import DEFAULT_SCOPES, FakeSlack

CHANNEL = "C0STANDUP"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class Outcome:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    def line(self, start: str) -> str:
        """The one output line that starts with `start` (status and text)."""
        found = [line for line in self.lines if line.startswith(start)]
        assert len(found) == 1, f"expected one line starting {start!r} in:\n{self.out}"
        return found[0]


@pytest.fixture(autouse=True)
def _keep_logging() -> Iterator[None]:
    """The CLI installs its own root handler; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        fake.add_member("U1", "kevin", real_name="Kevin")
        fake.add_channel(CHANNEL, "standup", members=["U1"])
        yield fake


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub() as fake:
        fake.add_repo("acme", "api")
        fake.add_repo("acme", "web")
        fake.add_repo("other", "secret", private=True)
        fake.set_billing("acme", usage_items("acme", {date(2026, 5, 1): 1200.0}))
        yield fake


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, slack: FakeSlack, github: FakeGitHub
) -> pytest.MonkeyPatch:
    """A healthy configuration pointing at the fakes, and nothing from the real environment."""
    monkeypatch.chdir(tmp_path)  # no developer's .env
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("SLACK_API_URL", slack.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("STANDUP_CHANNEL", CHANNEL)
    monkeypatch.setenv("STANDUP_DB", str(tmp_path / "data" / "standup.db"))
    monkeypatch.setenv("GITHUB_TOKEN", github.token)
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_REPOS", "acme/api,acme/web")
    return monkeypatch


def run_doctor_cli(capsys: pytest.CaptureFixture[str]) -> Outcome:
    code = main(["doctor"])
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def fix(text: str) -> str:
    return f" -- fix: {text}"


def test_healthy_setup_passes_every_check(
    env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    slack: FakeSlack,
    github: FakeGitHub,
    tmp_path: Path,
) -> None:
    outcome = run_doctor_cli(capsys)

    assert outcome.code == 0, outcome.out
    checks = outcome.lines[:-1]
    assert all(line.startswith("ok  ") for line in checks), outcome.out
    assert outcome.lines[-1] == "doctor: all checks passed"
    assert outcome.line("ok    SLACK_BOT_TOKEN works: bot @standup-bot (UBOT) in workspace Acme")
    assert outcome.line("ok    the bot token has every scope it needs (10)")
    assert outcome.line(f"ok    STANDUP_CHANNEL is #standup ({CHANNEL}) and the bot is a member")
    assert outcome.line("ok    SLACK_SIGNING_SECRET is set (HTTP mode)")
    assert outcome.line("ok    schedule (UTC): next digest Mon ")
    assert outcome.line("ok    STANDUP_DB ").endswith(
        f"does not exist yet; serve creates it ({tmp_path} is writable)"
    )
    assert outcome.line("ok    GITHUB_TOKEN works: GitHub user octocat")
    assert outcome.line("ok    GitHub repository acme/api is readable")
    assert outcome.line("ok    GitHub repository acme/web is readable")
    assert outcome.line("ok    Actions billing for acme is readable")
    # Doctor creates no database: it may run as another user than `serve` (root over fly ssh).
    assert not (tmp_path / "data").exists()
    # It asked Slack and GitHub what it says it checked.
    assert len(slack.calls_to("auth.test")) == 1
    assert len(slack.calls_to("conversations.info")) == 1
    assert github.count("/organizations/acme/settings/billing/usage") == 1
    for secret in (slack.token, github.token, SIGNING_SECRET):
        assert secret not in outcome.out + outcome.err


def test_missing_scopes_are_listed_with_the_fix(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], slack: FakeSlack
) -> None:
    slack.scopes = [s for s in DEFAULT_SCOPES if s not in ("reactions:read", "files:write")]

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 1
    assert outcome.line("FAIL  the bot token lacks scopes") == (
        "FAIL  the bot token lacks scopes: reactions:read, files:write"
        + fix("add them in the app's OAuth & Permissions page or reinstall from manifest.yaml")
    )
    assert outcome.lines[-1] == "doctor: 1 problem(s) to fix, 0 warning(s)"


def test_bot_outside_the_channel_is_told_to_invite_it(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], slack: FakeSlack
) -> None:
    slack.add_channel("C0OTHER", "eng-standup", bot_member=False)
    env.setenv("STANDUP_CHANNEL", "C0OTHER")

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 1
    assert outcome.line("FAIL  the bot is not a member") == (
        "FAIL  the bot is not a member of #eng-standup (C0OTHER)"
        + fix("/invite @standup-bot in #eng-standup")
    )


def test_unknown_or_archived_channel_fails(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], slack: FakeSlack
) -> None:
    env.setenv("STANDUP_CHANNEL", "C0NOPE")
    outcome = run_doctor_cli(capsys)
    assert outcome.code == 1
    assert outcome.line("FAIL  STANDUP_CHANNEL C0NOPE was not found (channel_not_found)").endswith(
        fix(
            "check the ID in STANDUP_CHANNEL; "
            "for a private channel, /invite @standup-bot in it first"
        )
    )

    slack.add_channel("C0OLD", "old-standup", is_archived=True)
    env.setenv("STANDUP_CHANNEL", "C0OLD")
    outcome = run_doctor_cli(capsys)
    assert outcome.code == 1
    assert outcome.line("FAIL  STANDUP_CHANNEL #old-standup (C0OLD) is archived")


def test_rejected_slack_token_fails_and_skips_what_needs_it(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], slack: FakeSlack
) -> None:
    env.setenv("SLACK_BOT_TOKEN", "xoxb-9999-wrong-token")

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 1
    assert outcome.line("FAIL  Slack rejected SLACK_BOT_TOKEN (invalid_auth)").endswith(
        fix(doctor.FIX_BOT_TOKEN_REJECTED)
    )
    assert "scope" not in outcome.out  # not checked: auth.test failed
    assert not slack.calls_to("conversations.info")
    assert "xoxb-9999-wrong-token" not in outcome.out + outcome.err


def test_unset_slack_settings_fail_without_calling_slack(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], slack: FakeSlack
) -> None:
    env.delenv("SLACK_BOT_TOKEN")
    env.delenv("STANDUP_CHANNEL")
    env.delenv("SLACK_SIGNING_SECRET")

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 1
    assert outcome.line("FAIL  SLACK_BOT_TOKEN is not set").endswith(
        fix(doctor.FIX_BOT_TOKEN_MISSING)
    )
    assert outcome.line("FAIL  STANDUP_CHANNEL is not set")
    assert outcome.line("FAIL  SLACK_SIGNING_SECRET is not set (needed in HTTP mode)")
    assert outcome.lines[-1] == "doctor: 3 problem(s) to fix, 0 warning(s)"
    assert not slack.calls


def test_socket_mode_needs_no_signing_secret_and_checks_the_app_token(
    env: pytest.MonkeyPatch, slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    socket_mode = slack.enable_socket_mode()
    env.delenv("SLACK_SIGNING_SECRET")
    env.setenv("SLACK_APP_TOKEN", socket_mode.app_token)

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 0, outcome.out
    assert outcome.line("ok    SLACK_APP_TOKEN works: Slack opens Socket Mode connections for it")
    assert len(slack.calls_to("apps.connections.open")) == 1
    assert socket_mode.app_token not in outcome.out


@pytest.mark.parametrize(
    ("token", "code"),
    [("xapp-1-A0APP-1234-revoked", "invalid_auth"), ("xapp-", "invalid_auth")],
)
def test_an_app_token_slack_refuses_is_a_failure_with_the_fix(
    env: pytest.MonkeyPatch,
    slack: FakeSlack,
    capsys: pytest.CaptureFixture[str],
    token: str,
    code: str,
) -> None:
    slack.enable_socket_mode()
    env.delenv("SLACK_SIGNING_SECRET")
    env.setenv("SLACK_APP_TOKEN", token)

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 1
    assert outcome.line(f"FAIL  Slack refused SLACK_APP_TOKEN ({code})").endswith(
        fix(doctor.FIX_APP_TOKEN_REFUSED)
    )


def test_an_app_token_that_cannot_be_checked_says_so(
    env: pytest.MonkeyPatch, slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    socket_mode = slack.enable_socket_mode()
    slack.fail_next("apps.connections.open", status=503)
    env.delenv("SLACK_SIGNING_SECRET")
    env.setenv("SLACK_APP_TOKEN", socket_mode.app_token)

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 1
    line = outcome.line("FAIL  could not check SLACK_APP_TOKEN at ")
    assert "Slack answered internal_error" in line and line.endswith(
        fix(doctor.FIX_SLACK_UNREACHABLE)
    )


SLACK_API_DEFAULT = Settings.model_fields["slack_api_url"].default


def test_slack_error_other_than_the_token_fails(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], slack: FakeSlack
) -> None:
    slack.fail_next("auth.test", error="fatal_error")

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 1
    assert outcome.line("FAIL  Slack auth.test failed (fatal_error)").endswith(
        fix(f"check the network and SLACK_API_URL (normally {SLACK_API_DEFAULT})")
    )


def test_unreachable_slack_fails_with_the_url(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import socket

    from slack_sdk import WebClient

    from bot.config import load_settings

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/api/"
    env.setenv("SLACK_API_URL", dead)
    settings = load_settings()
    out = io.StringIO()
    client = WebClient(token=settings.secret("slack_bot_token"), base_url=dead, retry_handlers=[])

    code = doctor.run_doctor(settings, client=client, out=out)

    assert code == 1
    assert (
        f"FAIL  could not reach Slack at {dead} (URLError)" + fix(doctor.FIX_SLACK_UNREACHABLE)
        in out.getvalue().splitlines()
    )


def test_unwritable_database_fails(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "not-a-directory").write_text("a file where a directory should be")
    env.setenv("STANDUP_DB", str(tmp_path / "not-a-directory" / "standup.db"))

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 1
    assert outcome.line("FAIL  STANDUP_DB: ").endswith(fix(doctor.FIX_DATABASE))


def test_existing_database_is_opened_and_written(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from bot.store import SCHEMA_VERSION, Store

    path = tmp_path / "data" / "standup.db"
    Store(path).close()

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 0, outcome.out
    assert outcome.line(f"ok    STANDUP_DB {path} is writable (schema version {SCHEMA_VERSION})")
    with Store(path) as store:
        assert store.get_meta("doctor_checked_at") is not None


def test_database_newer_than_the_bot_fails(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import sqlite3

    path = tmp_path / "data" / "standup.db"
    path.parent.mkdir()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    conn.close()

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 1
    assert "newer than this bot's" in outcome.line("FAIL  STANDUP_DB: ")


def test_bad_github_token_fails(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], github: FakeGitHub
) -> None:
    env.setenv("GITHUB_TOKEN", "ghp_notTheRightToken123")

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 1
    line = outcome.line("FAIL  GITHUB_TOKEN does not work: GitHub rejected GITHUB_TOKEN (401")
    assert line.endswith(fix(doctor.FIX_GITHUB_TOKEN_REJECTED))
    assert "ghp_notTheRightToken123" not in outcome.out + outcome.err
    # Nothing else is asked of GitHub with a token it refused.
    assert github.count("/repos") == 0
    assert github.count("/organizations") == 0


def test_unreadable_repository_fails(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env.setenv("GITHUB_REPOS", "acme/api,acme/missing")

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 1
    assert outcome.line("ok    GitHub repository acme/api is readable")
    assert outcome.line("FAIL  GitHub repository acme/missing: ") == (
        "FAIL  GitHub repository acme/missing: not found or no access with this token "
        "(GitHub answered 404)" + fix(doctor.FIX_REPO)
    )


def test_billing_403_is_a_warning_naming_the_token_that_works(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], github: FakeGitHub
) -> None:
    github.set_billing_access("acme", 403)

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 0, outcome.out
    assert outcome.line("warn  Actions billing for acme") == (
        "warn  Actions billing for acme needs a personal access token of an owner of acme: "
        'classic, or fine-grained with the "Administration" organization permission (read) '
        "(GitHub answered 403: You must be an organization owner or billing manager to view "
        "billing.)" + fix(doctor.FIX_BILLING.format(org="acme"))
    )
    assert outcome.lines[-1] == "doctor: ready, with 1 warning(s)"


def test_a_github_app_token_refused_billing_says_so(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], github: FakeGitHub
) -> None:
    github.set_billing_access("acme", 403, app_token=True)

    outcome = run_doctor_cli(capsys)

    line = outcome.line("warn  Actions billing for acme")
    assert "cannot be read with a GitHub App installation token" in line
    assert "Resource not accessible by integration" in line
    assert line.endswith(fix(doctor.FIX_BILLING_APP_TOKEN.format(org="acme")))


def test_an_org_without_a_usage_report_is_told_apart_from_a_missing_permission(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], github: FakeGitHub
) -> None:
    github.set_billing_access("acme", 404)

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 0, outcome.out
    line = outcome.line("warn  GitHub has no billing usage report for acme")
    assert "enhanced billing platform" in line and "owner" not in line
    assert line.endswith(fix(doctor.FIX_BILLING_NO_REPORT.format(org="acme")))


def test_billing_readable_with_no_usage_yet_is_ok(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], github: FakeGitHub
) -> None:
    github.set_billing("acme", [])  # a plan with nothing billed this month: an empty report

    outcome = run_doctor_cli(capsys)

    assert outcome.line("ok    Actions billing for acme is readable")


def test_no_github_token_is_a_warning(
    env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], github: FakeGitHub
) -> None:
    env.delenv("GITHUB_TOKEN")

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 0, outcome.out
    assert outcome.line("warn  GITHUB_TOKEN is not set").endswith(
        fix(doctor.FIX_GITHUB_TOKEN_MISSING)
    )
    assert not github.requests


def test_everything_broken_at_once_gives_one_line_each(
    env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    slack: FakeSlack,
    github: FakeGitHub,
) -> None:
    slack.scopes = [s for s in DEFAULT_SCOPES if s != "chat:write"]
    slack.add_channel("C0OTHER", "eng-standup", bot_member=False)
    env.setenv("STANDUP_CHANNEL", "C0OTHER")
    github.set_billing_access("acme", 403)
    env.setenv("GITHUB_REPOS", "acme/api,acme/missing")

    outcome = run_doctor_cli(capsys)

    assert outcome.code == 1
    statuses = [line.split()[0] for line in outcome.lines[:-1]]
    assert statuses.count("FAIL") == 3  # scope, channel membership, repository
    assert statuses.count("warn") == 1  # billing
    assert outcome.lines[-1] == "doctor: 3 problem(s) to fix, 1 warning(s)"
    for line in outcome.lines[:-1]:
        assert (" -- fix: " in line) == (not line.startswith("ok")), line


def test_manifest_scopes_are_the_ones_doctor_requires() -> None:
    import yaml

    manifest = yaml.safe_load(Path(__file__).parent.parent.joinpath("manifest.yaml").read_text())
    assert manifest["oauth_config"]["scopes"]["bot"] == list(bot_scopes())


def test_check_lines_are_redacted() -> None:
    check = doctor.Check(doctor.Status.FAIL, "token xoxb-123-456-abc leaked", "not ghp_abcdef")
    line = doctor.render_check(check)
    assert "xoxb-123-456-abc" not in line
    assert "ghp_abcdef" not in line
    assert line.startswith("FAIL  token xoxb-")
