"""`standup-bot ci-report --months 12` against the fake GitHub at 50 repositories x 20 SKU lines
a day: wall time, GitHub requests and the command's peak memory, then the same again the same day
(closed months come from the database).

Run: `uv run python -m benchmarks.ci_report [--json]`.

The fake GitHub runs in a process of its own (`benchmarks.fake_github_server`), and the report
is the real `standup-bot ci-report` command in another, started from this small process: its
peak RSS (`wait4`'s `ru_maxrss`) is the command's own, not the fake's (a child started from a
process holding the fake's data would count that process's pages until it execs). The fake
holds GitHub's daily lines as the observed report has them: 50 repositories x 20 SKUs (Linux,
Windows and macOS runner sizes, and storage) x every day of 12 months, about 365,000 lines,
30,000 a month (about 8 MB of JSON a month). 110 forks (10 of them used minutes) make the fork
list two pages.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import httpx

from benchmarks.common import ROOT, standup_bot
from digests.billing import months_ending
from tests.fakes.github import FakeGitHub, daily_usage

ORG = "acme"
REPOS = 50
SKUS = 20
MONTHS = 12
ON_DAY = date(2026, 11, 30)
USAGE_LINES = REPOS * SKUS * 365  # Dec 2025 to Nov 2026, every day
BILLING_PATH = f"/organizations/{ORG}/settings/billing/usage"


def seed(fake: FakeGitHub) -> int:
    names = [f"service-{index:02d}" for index in range(REPOS - 10)]
    names += [f"fork-{index:02d}" for index in range(10)]  # forks that run Actions
    for name in names:
        fake.add_repo(ORG, name, fork=name.startswith("fork-"))
    for index in range(100):  # forks that run nothing
        fake.add_repo(ORG, f"idle-fork-{index:02d}", fork=True)
    items = daily_usage(
        ORG,
        months_ending((ON_DAY.year, ON_DAY.month), MONTHS),
        repos=names,
        skus=SKUS,
        seed=7,
        last_day=ON_DAY,
    )
    fake.set_billing(ORG, items, shape="observed")
    return len(items)


@dataclass
class FakeProcess:
    """The fake GitHub in its own process: its URL, token and request counts."""

    url: str
    token: str
    stdin: IO[str]
    stdout: IO[str]

    def clear_requests(self) -> None:
        self._ask("clear")

    def count(self, path: str = "/", *, status: int | None = None) -> int:
        return int(self._ask(f"count {path}" + (f" {status}" if status is not None else "")))

    def _ask(self, command: str) -> str:
        self.stdin.write(command + "\n")
        self.stdin.flush()
        return self.stdout.readline().strip()


@contextmanager
def fake_github_process() -> Iterator[FakeProcess]:
    process = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.fake_github_server", "benchmarks.ci_report"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        url, token = process.stdout.readline().split()
        yield FakeProcess(url, token, process.stdin, process.stdout)
    finally:
        process.stdin.close()
        process.wait(timeout=60)
        process.stdout.close()


def report_once(fake: FakeProcess, db: Path, out: Path) -> dict[str, Any]:
    """One `ci-report --months 12` in a fresh process: seconds, requests, peak RSS."""
    env = {
        **os.environ,
        "GITHUB_TOKEN": fake.token,
        "GITHUB_API_URL": fake.url,
        "GITHUB_ORG": ORG,
        "STANDUP_DB": str(db),
        "STANDUP_LOG_LEVEL": "WARNING",
    }
    fake.clear_requests()
    args = [standup_bot(), "ci-report", "--months", str(MONTHS), "--date", ON_DAY.isoformat()]
    started = time.perf_counter()
    process = subprocess.Popen(
        [*args, "--out", str(out)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode() if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    if process.returncode != 0:
        raise RuntimeError(f"ci-report exited {process.returncode}: {stderr}")
    return {
        "wall_s": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "billing_requests": fake.count(BILLING_PATH),
        "billing_304": fake.count(BILLING_PATH, status=304),
        "repo_list_pages": fake.count(f"/orgs/{ORG}/repos"),
        "graphql_requests": fake.count("/graphql"),
        "requests": fake.count(),
        "summary": stderr.strip().splitlines()[-1] if stderr.strip() else "",
    }


def month_answer_size(fake: FakeProcess) -> int:
    headers = {"Authorization": f"Bearer {fake.token}"}
    response = httpx.get(
        fake.url + BILLING_PATH,
        params={"year": ON_DAY.year, "month": ON_DAY.month},
        headers=headers,
        timeout=60.0,
    )
    return len(response.content)


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-ci-report-") as tmp:
        began = time.perf_counter()
        with fake_github_process() as fake:
            seeded = time.perf_counter() - began
            result = _measure(fake, Path(tmp))
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        **result,
        "fake_start_and_seed_s": round(seeded, 1),
        "benchmark_process_peak_rss_mb": round(own.ru_maxrss / 1024, 1),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _measure(fake: FakeProcess, tmp: Path) -> dict[str, Any]:
    db, out = tmp / "standup.db", tmp / "report"
    first = report_once(fake, db, out)
    second = report_once(fake, db, out)
    size = month_answer_size(fake)
    written = sorted(path.name for path in out.iterdir())
    db_mb = round(db.stat().st_size / 2**20, 2)
    lines = USAGE_LINES
    return {
        "repositories": REPOS,
        "skus_per_repo_per_day": SKUS,
        "months": MONTHS,
        "usage_lines": lines,
        "lines_per_month": lines // MONTHS,
        "month_answer_bytes": size,
        "first": first,
        "second_same_day": second,
        "files": written,
        "database_mb_after": db_mb,
    }


def render_table(result: dict[str, Any]) -> str:
    lines = [
        f"ci-report --months {result['months']}: {result['repositories']} repositories x "
        f"{result['skus_per_repo_per_day']} SKU lines a day = {result['usage_lines']:,} lines "
        f"({result['lines_per_month']:,} a month, {result['month_answer_bytes'] / 2**20:.1f} MB "
        "of JSON a month)",
        "",
        f"{'':18} {'wall s':>7} {'CPU s':>6} {'peak RSS MB':>12} {'billing req':>12} "
        f"{'of them 304':>12} {'repo pages':>11} {'GraphQL':>8}",
    ]
    for label, key in (("first run", "first"), ("again, same day", "second_same_day")):
        row = result[key]
        lines.append(
            f"{label:18} {row['wall_s']:>7} {row['cpu_s']:>6} {row['peak_rss_mb']:>12} "
            f"{row['billing_requests']:>12} {row['billing_304']:>12} "
            f"{row['repo_list_pages']:>11} {row['graphql_requests']:>8}"
        )
    lines += ["", f"files: {', '.join(result['files'])}; database {result['database_mb_after']} MB"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    options = parser.parse_args()
    result = run()
    print(json.dumps(result, indent=2) if options.json else render_table(result))


if __name__ == "__main__":
    main()
