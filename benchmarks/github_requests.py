"""GitHub requests for one digest: standup-bot's client next to a naive REST client.

Run: `uv run python -m benchmarks.github_requests [--json]`.

Starts the loopback fake GitHub with 4 repos x 500 PRs (a fifth open, the rest merged or closed,
some of those recently), then measures against it:
- the PR board for a 7-day cycle plus the PRs referenced in sample standups (GraphQL), and
- the Actions billing fetch for 7 months, twice with the billing month cache (the second asks only
  for the running month, with its ETag: a 304),
next to a naive REST client fetching the same data: per repo `pulls?state=all` pages of 100 until
the last page (open PRs can be old, so it cannot stop early), one combined-status request per PR
on the board for CI, one `pulls/{n}` + status per referenced PR not on the board, and the billing
months without ETags. Both clients are actually run; the request counts are what the fake recorded.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from bot.config import load_settings
from bot.github import GitHubClient
from bot.services.billing import fetch_actions_billing
from bot.store import Store
from digests.models import PullRequestRef, UsageItem
from digests.pr_refs import unique_refs
from tests.fakes.github import FakeGitHub, MemoryHttpCache, usage_items

REPOS = ("acme/api", "acme/web", "acme/ops", "acme/docs")
PRS_PER_REPO = 500
CYCLE = timedelta(days=7)
TODAY = date(2026, 5, 4)
NOW = datetime(2026, 5, 4, 9, tzinfo=UTC)
STANDUPS = (
    "Done: #12 and web#40 merged; reviewing acme/ops#7",
    "Next: https://github.com/acme/docs/pull/300/files, then ops#450",
    "Blocked: #3 waits on <https://github.com/acme/web/pull/2|the login fix>; #99999 (typo)",
)


@dataclass
class Row:
    what: str
    requests: int
    not_modified: int
    wall_ms: float
    naive_requests: int
    naive_wall_ms: float


def seed(fake: FakeGitHub) -> None:
    for index, name in enumerate(REPOS):
        fake.add_repo(*name.split("/"))
        fake.generate_pulls(name, PRS_PER_REPO, seed=index, open_share=0.2, recent_share=0.1)
    minutes = {
        date(2025, 11, 1): 120_000,
        date(2025, 12, 1): 140_000,
        date(2026, 1, 1): 170_000,
        date(2026, 2, 1): 198_000,
        date(2026, 3, 1): 150_000,
        date(2026, 4, 1): 93_000,
        date(2026, 5, 1): 8_000,
    }
    items = usage_items("acme", minutes, days=28)
    storage = [
        UsageItem(date=day, product="actions", sku="Actions storage", quantity=4_000.0,
                  unit_type="GigabyteHours", price_per_unit=0.00033, gross_amount=1.32,
                  discount_amount=0.0, net_amount=1.32, organization_name="acme",
                  repository_name="acme/api")
        for day in minutes
    ]  # fmt: skip
    fake.set_billing("acme", items + storage, shape="observed")


def naive_board(
    http: httpx.Client, since: datetime, refs: list[PullRequestRef]
) -> tuple[set[str], set[str]]:
    """What a straightforward REST client does: list everything, then one status per PR."""
    board: dict[str, str] = {}  # key -> head sha
    for name in REPOS:
        url: str | None = f"/repos/{name}/pulls?state=all&sort=updated&direction=desc&per_page=100"
        while url:
            response = http.get(url)
            response.raise_for_status()
            for pull in response.json():
                updated = datetime.fromisoformat(pull["updated_at"])
                if pull["state"] == "open" or updated >= since:
                    board[f"{name}#{pull['number']}"] = pull["head"]["sha"]
            url = response.links.get("next", {}).get("url")
    ci = {}
    for key, sha in board.items():
        name = key.split("#")[0]
        ci[key] = http.get(f"/repos/{name}/commits/{sha}/status").json()["state"]
    found = set()
    for ref in refs:
        if ref.key in board:
            found.add(ref.key)
            continue
        response = http.get(f"/repos/{ref.full_name}/pulls/{ref.number}")
        if response.status_code == 200:
            http.get(f"/repos/{ref.full_name}/commits/{response.json()['head']['sha']}/status")
            found.add(ref.key)
    return set(board), found


def naive_billing(http: httpx.Client) -> None:
    for year, month in [(2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 6)]:
        http.get(
            "/organizations/acme/settings/billing/usage", params={"year": year, "month": month}
        )


def run() -> tuple[list[Row], dict[str, object]]:
    rows: list[Row] = []
    with FakeGitHub() as fake:
        seed(fake)
        since = fake.now - CYCLE
        settings = load_settings(
            {
                "GITHUB_TOKEN": fake.token,
                "GITHUB_API_URL": fake.url,
                "GITHUB_REPOS": ",".join(REPOS),
            },
            env_file=None,
        )
        refs = unique_refs(STANDUPS, repos=settings.repos)
        headers = {"Authorization": f"Bearer {fake.token}", "Accept": "application/vnd.github+json"}
        with (
            tempfile.TemporaryDirectory(prefix="bench-github-") as tmp,
            Store(Path(tmp) / "months.db") as store,
            GitHubClient(settings, cache=MemoryHttpCache()) as client,
            httpx.Client(base_url=fake.url, headers=headers, timeout=20.0) as http,
        ):
            fake.clear_requests()
            started = time.perf_counter()
            board = client.fetch_board_pull_requests(settings.repos, since=since)
            lookups = client.fetch_pull_requests(refs)
            ours_ms = (time.perf_counter() - started) * 1000
            ours_requests = fake.count()
            fake.clear_requests()
            started = time.perf_counter()
            naive_keys, naive_found = naive_board(http, since, refs)
            naive_ms = (time.perf_counter() - started) * 1000
            assert board.problem is None and {pr.ref.key for pr in board.data} == naive_keys
            found = {key for key, lookup in lookups.data.items() if lookup.pull_request}
            assert found == naive_found, (found, naive_found)
            rows.append(
                Row(
                    "board + referenced PRs",
                    ours_requests,
                    0,
                    round(ours_ms, 1),
                    fake.count(),
                    round(naive_ms, 1),
                )  # fmt: skip
            )

            for label in ("billing, first fetch", "billing, second fetch"):
                fake.clear_requests()
                started = time.perf_counter()
                billing = fetch_actions_billing(client, "acme", today=TODAY, store=store, now=NOW)
                ours_ms = (time.perf_counter() - started) * 1000
                ours = (fake.count(), fake.count(status=304))
                fake.clear_requests()
                started = time.perf_counter()
                naive_billing(http)
                naive_ms = (time.perf_counter() - started) * 1000
                rows.append(
                    Row(
                        label, ours[0], ours[1], round(ours_ms, 1), fake.count(), round(naive_ms, 1)
                    )
                )
            assert billing.problem is None and billing.data.comparison is not None

        facts: dict[str, object] = {
            "repos": len(REPOS),
            "prs_per_repo": PRS_PER_REPO,
            "board_prs": len(board.data),
            "referenced_prs": len(refs),
            "floor_graphql_requests": math.ceil(len(board.data) / 100) + 1,
            "billing_summary": billing.data.comparison.summary,
        }
    return rows, facts


def render_table(rows: list[Row], facts: dict[str, object]) -> str:
    header = ("requests", "of them 304", "wall ms", "naive REST", "wall ms")
    lines = [
        f"{facts['repos']} repos x {facts['prs_per_repo']} PRs: {facts['board_prs']} PRs on the "
        f"board, {facts['referenced_prs']} referenced; floor ceil(PRs/100)+1 = "
        f"{facts['floor_graphql_requests']} requests",
        "",
        "{:24} {:>8} {:>11} {:>8}   {:>10} {:>8}".format("", *header),
    ]
    for row in rows:
        lines.append(
            f"{row.what:24} {row.requests:>8} {row.not_modified:>11} {row.wall_ms:>8.0f}   "
            f"{row.naive_requests:>10} {row.naive_wall_ms:>8.0f}"
        )
    lines += ["", f"billing: {facts['billing_summary']}"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    options = parser.parse_args()
    rows, facts = run()
    if options.json:
        print(json.dumps({**facts, "rows": [asdict(row) for row in rows]}, indent=2))
    else:
        print(render_table(rows, facts))


if __name__ == "__main__":
    main()
