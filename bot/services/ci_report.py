"""`standup-bot ci-report`: the CI audit the team presented, from GitHub's billing usage report.

GitHub → the billing month cache → `digests.ci_audit` → four files: `ci-report.md`,
`ci-by-repo.png`, `ci-billing.png` and `ci-usage.csv`. `demo` writes the same files from the
sample data through `write_ci_report`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.deps import Deps
from bot.services.billing import fetch_ci_audit, fetch_usage
from digests.billing import build_actions_billing
from digests.ci_audit import build_usage_rows
from digests.models import ActionsBilling, BillingAccess, BillingUsage, CiAudit
from digests.render.chart import FILE_NAME as BILLING_CHART_FILE
from digests.render.ci_chart import FILE_NAME as REPO_CHART_FILE

REPORT_FILE = "ci-report.md"
USAGE_FILE = "ci-usage.csv"
MAX_MONTHS = 24  # GitHub keeps the usage report for the last 24 months
CI_REPORT_SECONDS = 300.0  # the whole GitHub part of a report: a dead GitHub costs 5 minutes


@dataclass(frozen=True)
class CiReport:
    usage: BillingUsage
    audit: CiAudit
    billing: ActionsBilling
    problem: str | None
    access: BillingAccess
    requests: int
    months_asked: int  # months GitHub was asked for (the others came from the store)


def build_ci_report(
    deps: Deps,
    *,
    org: str,
    months: int,
    now: datetime,
    on_month: Callable[[], None] | None = None,
) -> CiReport:
    """The audit of the `months` months ending with the current one (`now`'s, in UTC)."""
    github = deps.github
    if github is None or not github.enabled:
        audit = CiAudit(org=org, problem="GITHUB_TOKEN is not set")
        billing = ActionsBilling(org=org, problem=audit.problem)
        return CiReport(BillingUsage(org=org), audit, billing, audit.problem, "readable", 0, 0)
    phase = github.phase(CI_REPORT_SECONDS)
    today = now.date()
    fetched = fetch_usage(
        github,
        org,
        today=today,
        months=months,
        store=deps.store,
        now=now,
        phase=phase,
        on_month=on_month,
    )
    usage = fetched.usage
    audit_fetch = fetch_ci_audit(
        github,
        usage,
        today=today,
        jump_percent=deps.settings.standup_ci_jump,
        phase=phase,
    )
    billing = build_actions_billing(usage, today=today)
    return CiReport(
        usage=usage.data,
        audit=audit_fetch.data,
        billing=billing,
        problem=audit_fetch.data.problem,
        access=fetched.access,
        requests=usage.requests + audit_fetch.requests,
        months_asked=fetched.asked,
    )


def write_ci_report(
    out: Path, *, usage: BillingUsage, audit: CiAudit, billing: ActionsBilling, now: datetime
) -> list[Path]:
    """The four files (the charts only when there is something to draw; stale ones go)."""
    from digests.render.chart import chart_months
    from digests.render.ci_chart import chart_repos
    from digests.render.markdown import render_ci_report

    out.mkdir(parents=True, exist_ok=True)
    report = out / REPORT_FILE
    report.write_text(render_ci_report(audit, billing, generated_at=now), encoding="utf-8")
    rows = out / USAGE_FILE
    rows.write_text(render_usage_csv(usage, audit), encoding="utf-8", newline="")
    written = [report, rows]
    charts: list[tuple[str, Callable[[], bytes] | None]] = [
        (REPO_CHART_FILE, (lambda: _repo_chart(audit)) if chart_repos(audit) else None),
        (BILLING_CHART_FILE, (lambda: _billing_chart(billing)) if chart_months(billing) else None),
    ]
    for name, draw in charts:
        path = out / name
        if draw is not None:
            path.write_bytes(draw())
            written.append(path)
        elif path.exists():
            path.unlink()  # a chart from an earlier report would mislead
    return written


CSV_HEADER = ("month", "repository", "sku", "unit", "quantity", "gross", "discount", "net")


def render_usage_csv(usage: BillingUsage, audit: CiAudit) -> str:
    """ci-usage.csv: one row per month × repository × SKU; the minute rows add up to the org's
    figures (the digest's) to the cent, the storage rows (unit GigabyteHours) apart."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for row in build_usage_rows(usage, audit):
        writer.writerow(
            (
                f"{row.year:04d}-{row.month:02d}",
                row.repo,
                row.sku,
                row.unit,
                _quantity(row.quantity),
                f"{row.gross:.2f}",
                f"{row.discount:.2f}",
                f"{row.net:.2f}",
            )
        )
    return buffer.getvalue()


def _quantity(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text or "0"


def _repo_chart(audit: CiAudit) -> bytes:
    from digests.render.ci_chart import render_repo_chart

    return render_repo_chart(audit)


def _billing_chart(billing: ActionsBilling) -> bytes:
    from digests.render.chart import render_billing_chart

    return render_billing_chart(billing)
