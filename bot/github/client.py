"""The GitHub client: pull requests by GraphQL, Actions billing and doctor checks by REST.

Every `fetch_*` returns a `Fetched` of models and never raises: when GitHub is down, slow, out of
rate limit or refuses the token, the data is whatever could be fetched and `problem` says why the
rest is missing. The wire (retries, rate limits, the ETag cache, the in-flight limit) is
`bot.github.transport`.

Every fetch takes an optional `phase` (`GitHubClient.phase(seconds)`): the fetches of one job
share its deadline, and once GitHub has clearly failed in it nothing more is sent. Independent
requests of a fetch (batches of referenced PRs, groups of board repositories, billing months) go
out concurrently, a handful at a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from bot.config import Settings
from bot.github.parse import (
    NOT_FOUND,
    error_problem,
    errors_by_path,
    parse_lookup,
    parse_pull_request,
    sum_usage_month,
)
from bot.github.queries import board_query, pull_requests_query, repo_states_query
from bot.github.transport import (
    DEFAULT_TIMEOUT,
    MAX_IN_FLIGHT,
    GitHubTransport,
    GiveUp,
    HttpCache,
    Phase,
    Tally,
)
from digests.models import (
    BillingAccess,
    Fetched,
    PullRequest,
    PullRequestLookup,
    PullRequestRef,
    RepoInfo,
    UsageMonth,
    UsageMonths,
)

PAGE_SIZE = 100  # GitHub's cap on `first` for a connection, and REST's on per_page
REFS_PER_REQUEST = 100
# Repositories per board query: GitHub caps a query at 500,000 nodes and the board costs ~400 a
# repository (notes/github.md), so well below ~1,200; groups of repositories page concurrently.
REPOS_PER_QUERY = 50
REPOS_PER_STATE_QUERY = 100
# Billing months at once: a large org's month is ~8 MB of JSON (30,000 lines) and ~70 MB parsed;
# two at a time take a quarter less memory than four, about as fast (docs/BENCHMARKS.md).
MONTHS_IN_FLIGHT = 2

NO_TOKEN = "GITHUB_TOKEN is not set"
# Who may read the org's billing usage report (GitHub's REST reference and its usage-reporting
# tutorial; notes/github.md "Found since"), in the words the digest, the report and doctor use.
BILLING_TOKEN = (
    "a personal access token of an owner of {org}: classic, or fine-grained with the "
    '"Administration" organization permission (read)'
)
BILLING_FORBIDDEN = (
    "Actions billing for {org} needs " + BILLING_TOKEN + " (GitHub answered 403{message})"
)
BILLING_APP_TOKEN = (
    "Actions billing for {org} cannot be read with a GitHub App installation token (GitHub "
    "answered 403: Resource not accessible by integration); it needs " + BILLING_TOKEN
)
BILLING_NO_REPORT = (
    "GitHub has no billing usage report for {org} (GitHub answered 404): it is not an "
    "organization on GitHub's enhanced billing platform, or the name is wrong"
)
_INTEGRATION = "resource not accessible by integration"

T = TypeVar("T")
R = TypeVar("R")
# A month's answer, or why there is none, and how GitHub answered.
_MonthResult = tuple[UsageMonth | None, str | None, BillingAccess]


@dataclass
class _Connection:
    """One paged `pullRequests` connection of one repo on the board."""

    repo_index: int
    field: str  # the alias in the query: "open" or "done"
    states: str
    cursor: str | None = None
    active: bool = True


@dataclass
class _PageResult:
    pull_requests: list[PullRequest] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class GitHubClient:
    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        cache: HttpCache | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_wait: float = 60.0,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self._wire = GitHubTransport(
            settings,
            transport=transport,
            cache=cache,
            sleep=sleep,
            max_wait=max_wait,
            timeout=timeout,
            clock=clock,
            max_in_flight=max_in_flight,
        )
        self.enabled: bool = self._wire.has_token
        self._monotonic = monotonic
        self._workers = max(max_in_flight, 1)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    # --- lifecycle ----------------------------------------------------------------------------

    def phase(self, seconds: float | None) -> Phase:
        """A phase for the fetches of one job: `seconds` for all of them together."""
        return Phase(seconds, clock=self._monotonic)

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        self._wire.close()

    def _parallel(
        self, work: Callable[[T], R], items: Sequence[T], *, workers: int | None = None
    ) -> list[R]:
        """`work` over `items`, a handful at a time (the client's pool, or `workers` threads of
        their own), results in order; an exception `work` raises is raised here."""
        if len(items) <= 1:
            return [work(item) for item in items]
        if workers is not None:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="github") as own:
                return list(own.map(work, items))
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self._workers, thread_name_prefix="github"
                )
            pool = self._pool
        futures = [pool.submit(work, item) for item in items]
        return [future.result() for future in futures]

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- pull requests ------------------------------------------------------------------------

    def fetch_pull_requests(
        self, refs: Sequence[PullRequestRef], *, phase: Phase | None = None
    ) -> Fetched[dict[str, PullRequestLookup]]:
        """Each referenced PR, keyed by `ref.key` in first-asked order; one GraphQL request per
        100 refs, the batches concurrently.

        Every ref gets a lookup: the PR, or the reason there is none ("not found or no access").
        """
        unique = list({ref.key: ref for ref in refs}.values())
        if not self.enabled:
            return Fetched(
                data={ref.key: PullRequestLookup(ref=ref, problem=NO_TOKEN) for ref in unique},
                problem=NO_TOKEN,
            )
        tally = Tally()
        phase = phase or self.phase(None)

        def batch_lookups(batch: Sequence[PullRequestRef]) -> tuple[dict[str, Any], str | None]:
            try:
                return self._lookup_batch(batch, tally, phase), None
            except GiveUp as error:  # the phase stops the other batches from hammering GitHub
                failed = {
                    ref.key: PullRequestLookup(ref=ref, problem=error.problem) for ref in batch
                }
                return failed, error.problem

        lookups: dict[str, PullRequestLookup] = {}
        problem: str | None = None
        for found, failed in self._parallel(batch_lookups, list(_chunks(unique, REFS_PER_REQUEST))):
            lookups.update(found)
            problem = problem or failed
        return Fetched(data=lookups, problem=problem, requests=tally.requests)

    def _lookup_batch(
        self, batch: Sequence[PullRequestRef], tally: Tally, phase: Phase
    ) -> dict[str, PullRequestLookup]:
        by_repo: dict[str, list[PullRequestRef]] = {}
        for ref in batch:
            by_repo.setdefault(ref.full_name.casefold(), []).append(ref)
        groups = list(by_repo.values())
        body = self._wire.graphql(
            pull_requests_query([(g[0].owner, g[0].repo, [r.number for r in g]) for g in groups]),
            tally,
            phase,
        )
        data = body.get("data") or {}
        errors = errors_by_path(body)
        lookups: dict[str, PullRequestLookup] = {}
        for index, group in enumerate(groups):
            repo_node = data.get(f"r{index}")
            for ref in group:
                node = repo_node.get(f"p{ref.number}") if isinstance(repo_node, dict) else None
                error = errors.get((f"r{index}", f"p{ref.number}")) or errors.get((f"r{index}",))
                lookups[ref.key] = parse_lookup(ref, node, error)
        return {ref.key: lookups[ref.key] for ref in batch}  # in the order they were asked

    def fetch_board_pull_requests(
        self, repos: Sequence[str], *, since: datetime, phase: Phase | None = None
    ) -> Fetched[list[PullRequest]]:
        """Every open PR of every repo, and the merged or closed ones updated at or after `since`.

        All repos' connections ride in each request (100 PRs per connection); later requests carry
        only the connections that still have pages, and the closed/merged ones (newest update
        first) stop at the first PR older than `since`. More than REPOS_PER_QUERY repositories
        are paged in groups, concurrently. A repo that is missing or inaccessible is named in
        `problem`; the others are still returned. A naive `since` is taken as UTC.
        """
        if not self.enabled:
            return Fetched(data=[], problem=NO_TOKEN)
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        names = [(owner, name) for owner, _, name in (repo.partition("/") for repo in repos)]
        tally = Tally()
        phase = phase or self.phase(None)
        groups = [
            list(range(start, min(start + REPOS_PER_QUERY, len(names))))
            for start in range(0, len(names), REPOS_PER_QUERY)
        ]

        def page_group(indexes: list[int]) -> tuple[list[PullRequest], list[str]]:
            connections = [
                _Connection(index, alias, states)
                for index in indexes
                for alias, states in (("open", "[OPEN]"), ("done", "[MERGED, CLOSED]"))
            ]
            pulls: list[PullRequest] = []
            problems: list[str] = []
            while active := [c for c in connections if c.active]:
                try:
                    page = self._board_page(names, active, since, tally, phase)
                except GiveUp as error:
                    problems.append(error.problem)
                    break
                problems.extend(page.problems)
                pulls.extend(page.pull_requests)
            return pulls, problems

        found: dict[str, PullRequest] = {}
        problems: list[str] = []
        for pulls, group_problems in self._parallel(page_group, groups):
            for pull_request in pulls:
                found.setdefault(pull_request.ref.key, pull_request)
            problems.extend(p for p in group_problems if p not in problems)
        order = {f"{owner}/{repo}".casefold(): index for index, (owner, repo) in enumerate(names)}
        board = sorted(
            found.values(),
            key=lambda pr: (
                order.get(pr.ref.full_name.casefold(), len(order)),
                pr.state in ("merged", "closed"),
            ),
        )
        return Fetched(data=board, problem=_join(problems), requests=tally.requests)

    def _board_page(
        self,
        names: Sequence[tuple[str, str]],
        active: Sequence[_Connection],
        since: datetime,
        tally: Tally,
        phase: Phase,
    ) -> _PageResult:
        by_repo: dict[int, list[_Connection]] = {}
        for connection in active:
            by_repo.setdefault(connection.repo_index, []).append(connection)
        query = board_query(
            [
                (
                    index,
                    names[index][0],
                    names[index][1],
                    [(c.field, c.states, c.cursor) for c in connections],
                )
                for index, connections in by_repo.items()
            ],
            page_size=PAGE_SIZE,
        )
        body = self._wire.graphql(query, tally, phase)
        data = body.get("data") or {}
        errors = errors_by_path(body)
        result = _PageResult()
        for index, repo_connections in by_repo.items():
            owner, repo = names[index]
            repo_node = data.get(f"r{index}")
            if not isinstance(repo_node, dict):
                error = errors.get((f"r{index}",))
                result.problems.append(f"{owner}/{repo}: {error_problem(error)}")
                for connection in repo_connections:
                    connection.active = False
                continue
            for connection in repo_connections:
                self._read_page(
                    owner, repo, connection, repo_node.get(connection.field), since, result
                )
        return result

    @staticmethod
    def _read_page(
        owner: str,
        repo: str,
        connection: _Connection,
        page: Any,
        since: datetime,
        result: _PageResult,
    ) -> None:
        try:
            nodes = page["nodes"]
            info = page["pageInfo"]
            reached_since = False
            for node in nodes:
                if node is None:  # GitHub's schema allows nulls in a nodes list: skip them
                    continue
                pull_request = parse_pull_request(owner, repo, node)
                if connection.field == "done" and pull_request.updated_at < since:
                    reached_since = True  # newest first: everything after this is older too
                    break
                result.pull_requests.append(pull_request)
            cursor = info.get("endCursor")
            advanced = cursor is not None and cursor != connection.cursor
            connection.active = bool(info.get("hasNextPage")) and not reached_since and advanced
            connection.cursor = cursor
        except (KeyError, TypeError, ValueError) as error:
            connection.active = False
            result.problems.append(f"{owner}/{repo}: unexpected answer from GitHub ({error!r})")

    # --- Actions billing ----------------------------------------------------------------------

    def fetch_usage_months(
        self,
        org: str,
        months: Sequence[tuple[int, int, str | None]],
        *,
        phase: Phase | None = None,
        on_month: Callable[[UsageMonth], None] | None = None,
    ) -> Fetched[UsageMonths]:
        """The org's billing usage report for each `(year, month, etag)`, summed per month
        (`digests.billing.sum_usage_lines`): one REST request a month, the first alone (a token
        that may not read billing is told once), the rest concurrently. With an ETag a month
        GitHub has not changed comes back `not_modified` (a 304 costs no rate limit) and no
        lines. `on_month` is called as each month arrives (progress). Months after a failure are
        left out; `problem` says why (`data.access` how GitHub refused, if it did).
        """
        if not self.enabled:
            return Fetched(data=UsageMonths(org=org), problem=NO_TOKEN)
        tally = Tally()
        phase = phase or self.phase(None)

        def one(wanted: tuple[int, int, str | None]) -> _MonthResult:
            year, month, etag = wanted
            try:
                status, payload, answered_etag = self._wire.rest_get_conditional(
                    f"/organizations/{org}/settings/billing/usage",
                    {"year": year, "month": month},
                    tally,
                    phase,
                    etag=etag,
                )
            except GiveUp as error:
                return None, error.problem, "readable"
            refusal = _billing_refusal(org, status, payload)
            if refusal is not None:
                return None, refusal[1], refusal[0]
            if status == 304:
                answer = UsageMonth(year=year, month=month, etag=answered_etag, not_modified=True)
            elif status != 200:
                return (
                    None,
                    f"GitHub answered {status} for the Actions billing of {org}",
                    "readable",
                )
            else:
                try:
                    lines = sum_usage_month(payload, year, month)
                except (KeyError, TypeError, ValueError) as error:
                    return None, f"unexpected billing answer from GitHub ({error!r})", "readable"
                answer = UsageMonth(year=year, month=month, items=tuple(lines), etag=answered_etag)
            if on_month is not None:
                on_month(answer)
            return answer, None, "readable"

        wanted = list(months)
        results = [one(month) for month in wanted[:1]]
        if results and results[0][0] is not None:
            results += self._parallel(one, wanted[1:], workers=MONTHS_IN_FLIGHT)
        got: list[UsageMonth] = []
        problem: str | None = None
        access: BillingAccess = "readable"
        for answer, failed, how in results:
            if answer is not None and problem is None:
                got.append(answer)
            elif failed is not None and problem is None:
                problem, access = failed, how
        return Fetched(
            data=UsageMonths(org=org, months=tuple(got), access=access),
            problem=problem,
            requests=tally.requests,
        )

    def fetch_billing_access(self, org: str, *, today: date) -> Fetched[BillingAccess]:
        """How GitHub answers this token for the org's usage report (one request, this month)."""
        fetched = self.fetch_usage_months(org, [(today.year, today.month, None)])
        return Fetched(data=fetched.data.access, problem=fetched.problem, requests=fetched.requests)

    # --- repositories, for the CI audit -------------------------------------------------------

    def fetch_forks(self, org: str, *, phase: Phase | None = None) -> Fetched[list[RepoInfo]]:
        """The org's forks: `GET /orgs/{org}/repos?type=forks`, 100 a page until a short page,
        each page through the ETag cache (an unchanged page is a 304)."""
        if not self.enabled:
            return Fetched(data=[], problem=NO_TOKEN)
        tally = Tally()
        phase = phase or self.phase(None)
        forks: list[RepoInfo] = []
        page = 1
        while True:
            try:
                status, payload = self._wire.rest_get(
                    f"/orgs/{org}/repos",
                    {"type": "forks", "per_page": PAGE_SIZE, "page": page},
                    tally,
                    phase,
                )
            except GiveUp as error:
                return Fetched(data=forks, problem=error.problem, requests=tally.requests)
            if status != 200 or not isinstance(payload, list):
                problem = f"GitHub answered {status} listing the forks of {org}"
                return Fetched(data=forks, problem=problem, requests=tally.requests)
            for repo in payload:
                if isinstance(repo, dict) and isinstance(repo.get("name"), str):
                    forks.append(
                        RepoInfo(
                            name=repo["name"],
                            full_name=str(repo.get("full_name") or f"{org}/{repo['name']}"),
                            fork=bool(repo.get("fork", True)),
                            archived=bool(repo.get("archived")),
                        )
                    )
            if len(payload) < PAGE_SIZE:
                return Fetched(data=forks, requests=tally.requests)
            page += 1

    def fetch_repo_states(
        self, org: str, names: Sequence[str], *, phase: Phase | None = None
    ) -> Fetched[dict[str, RepoInfo]]:
        """Whether each of the org's repositories `names` (bare) is a fork or archived: one
        GraphQL request per 100. A repository GitHub does not know (deleted) is left out."""
        if not self.enabled:
            return Fetched(data={}, problem=NO_TOKEN)
        tally = Tally()
        phase = phase or self.phase(None)
        states: dict[str, RepoInfo] = {}
        problem: str | None = None
        unique = list(dict.fromkeys(names))
        for start in range(0, len(unique), REPOS_PER_STATE_QUERY):
            batch = unique[start : start + REPOS_PER_STATE_QUERY]
            try:
                body = self._wire.graphql(repo_states_query(org, batch), tally, phase)
            except GiveUp as error:
                problem = error.problem
                break
            data = body.get("data") or {}
            for index, name in enumerate(batch):
                node = data.get(f"r{index}")
                if isinstance(node, dict):
                    states[name] = RepoInfo(
                        name=name,
                        full_name=str(node.get("nameWithOwner") or f"{org}/{name}"),
                        fork=bool(node.get("isFork")),
                        archived=bool(node.get("isArchived")),
                    )
        return Fetched(data=states, problem=problem, requests=tally.requests)

    # --- doctor -------------------------------------------------------------------------------

    def fetch_viewer(self) -> Fetched[str | None]:
        """The login the token belongs to (GET /user)."""
        if not self.enabled:
            return Fetched(data=None, problem=NO_TOKEN)
        tally = Tally()
        try:
            status, payload = self._wire.rest_get("/user", {}, tally)
        except GiveUp as error:
            return Fetched(data=None, problem=error.problem, requests=tally.requests)
        if (
            status != 200
            or not isinstance(payload, dict)
            or not isinstance(payload.get("login"), str)
        ):
            return Fetched(
                data=None, problem=f"GET /user answered {status}", requests=tally.requests
            )
        return Fetched(data=payload["login"], requests=tally.requests)

    def fetch_repo_access(self, repo: str) -> Fetched[bool]:
        """Whether the token can read `owner/repo` (GET /repos/{owner}/{repo})."""
        if not self.enabled:
            return Fetched(data=False, problem=NO_TOKEN)
        tally = Tally()
        try:
            status, _ = self._wire.rest_get(f"/repos/{repo}", {}, tally)
        except GiveUp as error:
            return Fetched(data=False, problem=error.problem, requests=tally.requests)
        if status == 200:
            return Fetched(data=True, requests=tally.requests)
        return Fetched(
            data=False,
            problem=f"{repo}: {NOT_FOUND} with this token (GitHub answered {status})",
            requests=tally.requests,
        )


def _chunks(items: Sequence[PullRequestRef], size: int) -> Iterator[Sequence[PullRequestRef]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _join(problems: Sequence[str]) -> str | None:
    return "; ".join(problems) if problems else None


def _billing_refusal(org: str, status: int, payload: Any) -> tuple[BillingAccess, str] | None:
    """How GitHub refused the usage report, in words naming the token it needs; None if not."""
    message = payload.get("message") if isinstance(payload, dict) else None
    message = message if isinstance(message, str) and message else ""
    if status == 403:
        if _INTEGRATION in message.casefold():
            return "app_token", BILLING_APP_TOKEN.format(org=org)
        shown = f": {message}" if message else ""
        return "forbidden", BILLING_FORBIDDEN.format(org=org, message=shown)
    if status == 404:
        return "no_report", BILLING_NO_REPORT.format(org=org)
    return None
