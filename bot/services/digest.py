"""The digest: GitHub → store → digests → Slack.

`run_digest` gathers a cycle's data, plans the digest's messages (stored before anything is
sent), and posts what is not yet posted. The scheduler and the CLI call these; nothing here
reads the clock itself (`now` comes in).
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from slack_sdk import WebClient

from bot.config import Settings
from bot.deps import Deps
from bot.services.away import away_in_cycle, away_whole_cycles_of
from bot.services.billing import actions_billing, fetch_ci_audit, fetch_usage
from bot.services.history import load_history, load_records, record_cycle
from bot.services.team import current_team
from bot.slack.post import PostReport, post_digest
from digests.build import build_digest
from digests.cycles import cycle_for_meeting
from digests.models import (
    ActionsBilling,
    BillingUsage,
    CiAudit,
    Cycle,
    Digest,
    Fetched,
    PlannedMessage,
    PullRequest,
    PullRequestLookup,
    PullRequestRef,
)
from digests.render import trend_chart
from digests.render.chart import FILE_NAME as CHART_FILE
from digests.render.ci_chart import FILE_NAME as REPO_CHART_FILE

log = logging.getLogger(__name__)

T = TypeVar("T")

TREND_FILE = trend_chart.FILE_NAME
CATCH_UP_WINDOW = timedelta(hours=12)
# The whole GitHub part of a digest (PR lookups, the board, billing and the CI audit) gets this
# long, together: a hung GitHub costs the digest at most this, then it posts saying so.
GITHUB_SECONDS = 40.0


@dataclass(frozen=True)
class DigestFiles:
    """A digest rendered every way: Slack messages, Markdown notes and the charts."""

    digest: Digest
    messages: list[PlannedMessage]
    markdown: str
    chart_png: bytes | None
    repo_chart_png: bytes | None = None  # the CI audit's chart: the top repositories' minutes
    trend_png: bytes | None = None  # the delivery trend (digests.render.trend_chart)

    @property
    def charts(self) -> dict[str, bytes]:
        """The PNGs by the file name their message uploads them as."""
        charts = {
            CHART_FILE: self.chart_png,
            REPO_CHART_FILE: self.repo_chart_png,
            TREND_FILE: self.trend_png,
        }
        return {name: png for name, png in charts.items() if png is not None}


@dataclass(frozen=True)
class GitHubData:
    """What the GitHub part of a digest got (None: not asked), and why the rest is missing."""

    pr_lookups: Fetched[dict[str, PullRequestLookup]] | None = None
    board: Fetched[list[PullRequest]] | None = None
    billing: Fetched[ActionsBilling] | None = None
    ci_audit: CiAudit | None = None
    problem: str | None = None  # GitHub clearly failed: the digest says so, once


# --- gathering and building -------------------------------------------------------------------


def gather_digest(
    deps: Deps, cycle: Cycle, *, now: datetime, team_from: WebClient | None
) -> Digest:
    """Everything the digest shows, from the store and GitHub (which may fail: it says why)."""
    from digests.pr_refs import unique_refs

    settings, store = deps.settings, deps.store
    team = current_team(team_from, store, settings.standup_channel, now=now)
    standups = store.get_standups(cycle.meeting_date)
    history = load_history(store, settings.digest_schedule, cycle)
    records = load_records(store, settings.standup_channel, [c.meeting_date for c in history])
    open_follow_ups = [
        f
        for f in store.get_open_follow_ups()
        if f.created_at < cycle.ends_at or f.meeting_date == cycle.meeting_date
    ]
    closed_follow_ups = store.get_follow_ups_closed_between(cycle.starts_at, now)
    previous = (
        store.get_last_digest_before(settings.standup_channel, cycle.meeting_date)
        if settings.standup_channel
        else None
    )
    github = deps.github
    if github is None or not github.enabled:
        fetched = GitHubData(problem="GITHUB_TOKEN is not set")
    else:
        texts = [line for s in standups for line in (*s.done, *s.next, *s.blocked)]
        texts += [f.text for f in open_follow_ups]
        # Last cycle's promises and blockers: a promise naming a PR that merged is delivered.
        texts += [line for s in history[0].standups for line in (*s.next, *s.blocked)]
        fetched = gather_github(
            deps, refs=unique_refs(texts, repos=settings.repos), cycle=cycle, now=now
        )
    return build_digest(
        cycle=cycle,
        previous_meeting_date=previous,
        team=team,
        standups=standups,
        asks=store.get_digest_asks(cycle.meeting_date, answered_since=cycle.starts_at),
        open_follow_ups=open_follow_ups,
        closed_follow_ups=closed_follow_ups,
        pr_lookups=fetched.pr_lookups,
        board_pulls=fetched.board,
        billing=fetched.billing,
        repos=settings.repos,
        stale_days=settings.standup_stale_days,
        github_problem=fetched.problem,
        now=now.astimezone(settings.zone),  # times in the digest read in the team's zone
        history=history,
        recorded_trend=[record.point for record in records.values()],
        away=away_in_cycle(deps, team, cycle, now=now),
        ci_audit=fetched.ci_audit,
        away_before=away_whole_cycles_of(store, settings, [c.cycle for c in history]),
    )


def gather_github(
    deps: Deps,
    *,
    refs: list[PullRequestRef],
    cycle: Cycle,
    now: datetime,
    seconds: float = GITHUB_SECONDS,
) -> GitHubData:
    """The PR lookups, the board and the billing months at the same time, then the CI audit,
    all within one phase of `seconds`. When GitHub has clearly failed (it stopped answering, or
    the time ran out) whatever came back incomplete is dropped and `problem` says why, once."""
    settings, github = deps.settings, deps.github
    assert github is not None
    phase = github.phase(seconds)
    org = settings.org
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="digest-github") as pool:
        lookups = pool.submit(github.fetch_pull_requests, refs, phase=phase) if refs else None
        board = (
            pool.submit(
                github.fetch_board_pull_requests, settings.repos, since=cycle.starts_at, phase=phase
            )
            if settings.repos
            else None
        )
        usage = (
            pool.submit(
                fetch_usage, github, org, today=now.date(), store=deps.store, now=now, phase=phase
            )
            if org
            else None
        )
        got_lookups = lookups.result() if lookups else None
        got_board = board.result() if board else None
        got_usage: Fetched[BillingUsage] | None = usage.result().usage if usage else None
    billing = audit = None
    if got_usage is not None:
        billing = actions_billing(got_usage, today=now.date())
        if got_usage.data.months:
            audit = fetch_ci_audit(
                github,
                got_usage,
                today=now.date(),
                jump_percent=settings.standup_ci_jump,
                phase=phase,
            ).data
    if phase.down is None:
        return GitHubData(got_lookups, got_board, billing, audit)
    log.warning("GitHub failed during the digest: %s", phase.down)
    unavailable = "GitHub is unavailable"
    problem = phase.down if phase.down.startswith(unavailable) else f"{unavailable}: {phase.down}"
    return GitHubData(
        pr_lookups=_complete(got_lookups),
        board=_complete(got_board),
        billing=_complete(billing),
        ci_audit=audit if audit is not None and _complete(billing) else None,
        problem=problem,
    )


def _complete(fetched: Fetched[T] | None) -> Fetched[T] | None:
    """What came back whole before GitHub failed; a part of something is dropped."""
    return fetched if fetched is not None and fetched.problem is None else None


def render_digest_files(digest: Digest, *, chart_in_child: bool = False) -> DigestFiles:
    """Render every way. `chart_in_child` (the server) draws the chart in a short-lived process
    so matplotlib's memory never stays resident; one-shot commands draw it in-process."""
    from digests.render.blocks import render_digest_messages
    from digests.render.markdown import render_markdown

    messages = render_digest_messages(digest)
    files = {m.file_name for m in messages if m.file_name}
    chart = repo_chart = trend = None
    if CHART_FILE in files:
        assert digest.billing is not None
        chart = render_chart_in_child(digest.billing) if chart_in_child else None
        if chart is None:
            from digests.render.chart import render_billing_chart

            chart = render_billing_chart(digest.billing)
    if REPO_CHART_FILE in files:
        assert digest.ci_audit is not None
        repo_chart = render_repo_chart_in_child(digest.ci_audit) if chart_in_child else None
        if repo_chart is None:
            from digests.render.ci_chart import render_repo_chart

            repo_chart = render_repo_chart(digest.ci_audit)
    if TREND_FILE in files:
        trend = render_trend_chart_in_child(digest) if chart_in_child else None
        if trend is None:
            from digests.render.trend_chart import render_trend_chart

            trend = render_trend_chart(digest.trend)
    return DigestFiles(
        digest=digest,
        messages=messages,
        markdown=render_markdown(digest),
        chart_png=chart,
        repo_chart_png=repo_chart,
        trend_png=trend,
    )


CHART_TIMEOUT_SECONDS = 120


def render_chart_in_child(billing: ActionsBilling) -> bytes | None:
    """The chart PNG from `python -m digests.render.chart`; None (logged) if the child fails."""
    return png_from_child("digests.render.chart", billing.model_dump_json().encode(), "billing")


def render_repo_chart_in_child(audit: CiAudit) -> bytes | None:
    """The CI audit's chart from `python -m digests.render.ci_chart`; None if the child fails."""
    return png_from_child("digests.render.ci_chart", audit.model_dump_json().encode(), "CI audit")


def render_trend_chart_in_child(digest: Digest) -> bytes | None:
    """The trend chart PNG from `python -m digests.render.trend_chart`; None (logged) if the
    child fails (the caller then draws it in-process)."""
    from digests.render.trend_chart import POINTS

    return png_from_child("digests.render.trend_chart", POINTS.dump_json(digest.trend), "trend")


def png_from_child(module: str, payload: bytes, what: str) -> bytes | None:
    """A PNG drawn by `python -m module` from `payload` on stdin, so matplotlib's memory never
    stays in the server; None (logged) if the child fails."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", module],
            input=payload,
            capture_output=True,
            timeout=CHART_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("%s chart child failed, drawing in-process: %s", what, error)
        return None
    if done.returncode != 0 or not done.stdout.startswith(b"\x89PNG"):
        last_line = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        log.warning(
            "%s chart child exited %s, drawing in-process: %s", what, done.returncode, last_line[0]
        )
        return None
    return done.stdout


def write_preview(files: DigestFiles, out: Path) -> list[Path]:
    """digest.md, blocks.json (what would be posted), ci-billing.png (when there is billing),
    ci-by-repo.png (when the CI audit has repositories) and delivery-trend.png (when there are
    two meetings or more to chart)."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "digest.md", out / "blocks.json"]
    written[0].write_text(files.markdown, encoding="utf-8")
    blocks = [
        {"text": m.text, "blocks": list(m.blocks), "thread": m.thread, "kind": m.kind}
        for m in files.messages
    ]
    written[1].write_text(json.dumps(blocks, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    charts = files.charts
    for name in (CHART_FILE, REPO_CHART_FILE, TREND_FILE):
        chart_path = out / name
        if name in charts:
            chart_path.write_bytes(charts[name])
            written.append(chart_path)
        elif chart_path.exists():
            chart_path.unlink()  # a stale chart from an earlier preview would mislead
    return written


# --- posting ------------------------------------------------------------------------------


def run_digest(
    deps: Deps,
    client: WebClient,
    *,
    now: datetime,
    cycle: Cycle,
    force: bool = False,
    pace_seconds: float = 1.0,
    chart_in_child: bool = False,
) -> PostReport:
    """Plan (once) and post the digest for `cycle` to STANDUP_CHANNEL. Re-runs resume."""
    settings, store = deps.settings, deps.store
    settings.require("standup_channel")
    channel = settings.standup_channel
    assert channel is not None
    existing = store.get_digest_id(channel, cycle.meeting_date)
    if existing is None or force:
        digest = gather_digest(deps, cycle, now=now, team_from=client)
        record_cycle(store, channel, digest, now=now)
        files = render_digest_files(digest, chart_in_child=chart_in_child)
        digest_id = store.save_digest_plan(
            channel,
            cycle.meeting_date,
            files.messages,
            files=files.charts or None,
            force=force,
            now=now,
        )
        resumed = digest_id == existing
    else:
        digest_id, resumed = existing, True
    report = post_digest(
        client,
        store,
        digest_id,
        now=deps.now,
        pace_seconds=pace_seconds,
        look_for_earlier_attempt=resumed,
    )
    log.info(
        "digest meeting=%s digest=%s posted=%d already=%d found=%d error=%s",
        cycle.meeting_date,
        digest_id,
        report.posted,
        report.already_posted,
        report.found_after_crash,
        report.error,
    )
    return report


def scheduled_cycle(settings: Settings, now: datetime) -> Cycle | None:
    """The cycle whose digest fired last (at or before `now`)."""
    schedule = settings.digest_schedule
    fired = schedule.previous_fire(now)
    if fired is None:
        return None
    return cycle_for_meeting(schedule, fired.astimezone(schedule.zone).date())


def catch_up_missed_digest(deps: Deps, client: WebClient, *, now: datetime) -> PostReport | None:
    """At start-up: a digest due in the last 12 hours but not fully posted is posted now."""
    cycle = scheduled_cycle(deps.settings, now)
    channel = deps.settings.standup_channel
    if cycle is None or channel is None or now - cycle.ends_at > CATCH_UP_WINDOW:
        return None
    digest_id = deps.store.get_digest_id(channel, cycle.meeting_date)
    if digest_id is not None and deps.store.get_digest_info(digest_id)["finished_at"]:
        return None
    log.info(
        "catching up the digest for %s, due at %s", cycle.meeting_date, cycle.ends_at.isoformat()
    )
    return run_digest(deps, client, now=now, cycle=cycle, chart_in_child=True)
