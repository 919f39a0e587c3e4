"""The CI audit end to end: FakeGitHub's billing report and repositories, the digest's thread in
FakeSlack, and `standup-bot ci-report` writing its four files."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from bot.config import Settings, load_settings
from bot.deps import Deps
from bot.github import GitHubClient
from bot.ops.cli import main
from bot.ops.progress import month_progress
from bot.services.billing import fetch_ci_audit, fetch_usage
from bot.services.digest import REPO_CHART_FILE, run_digest
from bot.slack.client import create_web_client
from bot.store import Store
from digests.cycles import cycle_for_meeting
from digests.models import Standup, UsageItem
from tests.factories import MEETING
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack
from tests.harness import CHANNEL, PEOPLE, bot_environment, seed_workspace

AT = datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC)  # 09:00:05 in Berlin: the digest is due
TODAY = AT.date()


def line(day: date, repo: str | None, minutes: float, sku: str = "Actions Linux") -> UsageItem:
    price = {"Actions Linux": 0.006, "Actions macOS": 0.062}[sku]
    gross = round(minutes * price, 6)
    return UsageItem(
        date=day, product="actions", sku=sku, quantity=minutes, unit_type="minutes",
        price_per_unit=price, gross_amount=gross, discount_amount=gross, net_amount=0.0,
        organization_name="acme", repository_name=repo,
    )  # fmt: skip


def usage_lines() -> list[UsageItem]:
    """Daily lines for Sep to Nov 2026: api busy, a fork and an archived repo using minutes,
    a macOS-heavy repo, and some usage without a repository."""
    items = []
    for month, days in ((9, 30), (10, 31), (11, 29)):
        for day in range(1, days + 1):
            when = date(2026, month, day)
            items += [
                line(when, "api", 300 if month == 9 else 500),
                line(when, "acme/web", 100),  # the documented owner/repo form
                line(when, "api-fork", 20),
                line(when, "old-site", 10),
                line(when, "ios", 60, sku="Actions macOS"),
                line(when, "ios", 1),
                line(when, None, 5),
            ]
    return items


def seed(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "api")
    fake.add_repo("acme", "web")
    fake.add_repo("acme", "ios")
    fake.add_repo("acme", "old-site", archived=True)
    fake.add_repo("acme", "api-fork", fork=True)
    for index in range(150):  # forks that use nothing: the fork list takes two pages
        fake.add_repo("acme", f"idle-fork-{index:03d}", fork=True)
    fake.set_billing("acme", usage_lines(), shape="observed")


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(now=AT) as fake:
        seed(fake)
        yield fake


def settings_for(github: FakeGitHub, tmp_path: Path, slack: FakeSlack | None = None) -> Settings:
    env = {
        "GITHUB_TOKEN": github.token,
        "GITHUB_API_URL": github.url,
        "GITHUB_ORG": "acme",
        "STANDUP_DB": str(tmp_path / "standup.db"),
    }
    if slack is not None:
        env = bot_environment(slack, tmp_path, **env)
    return load_settings(env, env_file=None)


def test_forks_and_archived_repositories_that_used_minutes_are_flagged(
    github: FakeGitHub, tmp_path: Path
) -> None:
    settings = settings_for(github, tmp_path)
    with GitHubClient(settings) as client, Store(settings.standup_db) as store:
        usage = fetch_usage(client, "acme", today=TODAY, months=3, store=store, now=AT).usage
        audit = fetch_ci_audit(client, usage, today=TODAY).data

    flags = {(flag.repo, flag.kind) for flag in audit.flags}
    assert ("api-fork", "fork") in flags and ("old-site", "archived") in flags
    assert ("ios", "pricey_runners") in flags
    assert not any(repo.startswith("idle-fork") for repo, _ in flags)
    # Bare and owner/repo names are one repository; lines without one are grouped.
    names = [repo.repo for repo in audit.repos]
    assert "web" in names and "acme/web" not in names and "(no repository)" in names
    assert audit.forks_checked and audit.problem is None
    # The fork list: two pages of 100 (type=forks); the archived states: one GraphQL request.
    listed = [r for r in github.requests if r.path == "/orgs/acme/repos"]
    assert [(r.query["type"], r.query["page"]) for r in listed] == [
        (["forks"], ["1"]),
        (["forks"], ["2"]),
    ]
    assert github.count("/graphql") == 1


def test_the_fork_list_is_etag_cached(github: FakeGitHub, tmp_path: Path) -> None:
    settings = settings_for(github, tmp_path)
    with Store(settings.standup_db) as store, GitHubClient(settings, cache=store) as client:
        first = client.fetch_forks("acme")
        github.clear_requests()
        second = client.fetch_forks("acme")
    assert first.data == second.data and len(first.data) == 151
    assert [r.status for r in github.requests] == [304, 304]


def save_a_standup(store: Store, settings: Settings) -> None:
    cycle = cycle_for_meeting(settings.digest_schedule, MEETING)
    submitted = cycle.ends_at - timedelta(days=2)
    store.save_standup(
        Standup(user_id="U1", user_name="Kevin", meeting_date=MEETING, submitted_at=submitted,
                done=("trimmed the CI matrix",)),
        now=submitted,
    )  # fmt: skip


def test_the_digest_thread_gains_where_the_minutes_go_its_flags_and_a_second_chart(
    github: FakeGitHub, tmp_path: Path
) -> None:
    with FakeSlack() as slack:
        seed_workspace(slack, PEOPLE)
        settings = settings_for(github, tmp_path, slack)
        with Store(settings.standup_db) as store, GitHubClient(settings, cache=store) as client:
            save_a_standup(store, settings)
            deps = Deps(settings=settings, store=store, github=client, clock=lambda: AT)
            cycle = cycle_for_meeting(settings.digest_schedule, MEETING)
            report = run_digest(
                deps, create_web_client(settings), now=AT, cycle=cycle, pace_seconds=0
            )
        assert report.ok, report
        [main_message] = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id]
        thread = slack.thread(CHANNEL, main_message.ts)
        texts = [str(m.blocks) + m.text for m in thread]
        [where] = [t for t in texts if "Where the minutes go — Oct 2026" in t]
        assert "*api* — 15,500 min (" in where and "+72% vs Sep 2026" in where
        assert "*api-fork*: a fork that used 620 min in Oct 2026" in where
        assert "*old-site*: archived, yet it used 310 min in Oct 2026" in where
        charts = {f.name: f for f in slack.uploaded_files if f.completed}
        assert set(charts) == {"ci-billing.png", REPO_CHART_FILE}
        repo_chart = charts[REPO_CHART_FILE]
        assert repo_chart.thread_ts == main_message.ts
        assert repo_chart.content is not None and repo_chart.content.startswith(b"\x89PNG")
        assert repo_chart.alt_txt is not None and "api: 15,500 min" in repo_chart.alt_txt


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, github: FakeGitHub
) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.chdir(tmp_path)  # no developer's .env
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", github.token)
    monkeypatch.setenv("GITHUB_API_URL", github.url)
    monkeypatch.setenv("GITHUB_ORG", "acme")
    monkeypatch.setenv("STANDUP_DB", str(tmp_path / "standup.db"))
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield monkeypatch
    root.handlers[:] = handlers  # main installs its own root handler
    root.setLevel(level)


def test_ci_report_writes_four_files_whose_csv_sums_to_the_digests_figures(
    cli_env: pytest.MonkeyPatch,
    github: FakeGitHub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.services.billing import fetch_actions_billing

    out = tmp_path / "report"
    github.clear_requests()
    report_args = ["ci-report", "--months", "12", "--date", "2026-11-30", "--out", str(out)]
    assert main(report_args) == 0
    captured = capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == [
        "ci-billing.png", "ci-by-repo.png", "ci-report.md", "ci-usage.csv"
    ]  # fmt: skip
    assert "━" not in captured.err  # piped: no progress bar
    billing_requests = github.count("/organizations/acme/settings/billing/usage")
    assert billing_requests == 12
    report = (out / "ci-report.md").read_text()
    assert "## Repositories, Oct 2026" in report and "| api-fork (fork) |" in report
    assert "GET /organizations/acme/settings/billing/usage" in report  # the method
    # The CSV's minute rows add up to the digest's own figures, month by month, to the cent.
    rows = list(csv.DictReader(io.StringIO((out / "ci-usage.csv").read_text())))
    settings = load_settings(env_file=None)
    with GitHubClient(settings) as client:
        digest = fetch_actions_billing(client, "acme", today=TODAY, months=12).data
    for month in digest.months:
        key = f"{month.year:04d}-{month.month:02d}"
        minute_rows = [r for r in rows if r["month"] == key and r["unit"] == "minutes"]
        assert sum(Decimal(r["quantity"]) for r in minute_rows) == Decimal(str(month.minutes))
        for part in ("gross", "discount", "net"):
            total = sum((Decimal(r[part]) for r in minute_rows), Decimal(0))
            assert total == Decimal(str(getattr(month, part))).quantize(Decimal("0.01")), part

    # A second report the same day asks GitHub for the running month only.
    github.clear_requests()
    assert main(report_args) == 0
    assert github.count("/organizations/acme/settings/billing/usage") == 1


def test_billing_refused_the_report_and_the_digest_say_which_token_and_exit_cleanly(
    cli_env: pytest.MonkeyPatch,
    github: FakeGitHub,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    github.set_billing_access("acme", 403)
    token_words = 'fine-grained with the "Administration" organization permission (read)'
    out = tmp_path / "report"
    assert main(["ci-report", "--date", "2026-11-30", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    [line_out] = [line for line in captured.err.splitlines() if line.startswith("standup-bot:")]
    assert token_words in line_out and "Traceback" not in captured.err
    assert token_words in (out / "ci-report.md").read_text()
    assert not (out / "ci-by-repo.png").exists()
    assert github.count("/organizations/acme/settings/billing/usage") == 1  # told once

    with FakeSlack() as slack:
        seed_workspace(slack, PEOPLE)
        settings = settings_for(github, tmp_path, slack)
        with Store(settings.standup_db) as store, GitHubClient(settings, cache=store) as client:
            deps = Deps(settings=settings, store=store, github=client, clock=lambda: AT)
            cycle = cycle_for_meeting(settings.digest_schedule, MEETING)
            report = run_digest(
                deps, create_web_client(settings), now=AT, cycle=cycle, pace_seconds=0
            )
        assert report.ok
        [main_message] = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id]
        assert token_words in str(main_message.blocks)


def test_the_progress_bar_shows_on_a_terminal_only() -> None:
    shown = io.StringIO()
    terminal = Console(file=shown, force_terminal=True, width=100)
    with month_progress(3, "GitHub billing usage for acme", console=terminal) as advance:
        for _ in range(3):
            advance()
    assert "GitHub billing usage for acme" in shown.getvalue()
    piped = io.StringIO()
    with month_progress(3, "GitHub billing usage", console=Console(file=piped)) as advance:
        advance()
    assert piped.getvalue() == ""
