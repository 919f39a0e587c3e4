"""The GitHub client: pull requests by GraphQL, Actions billing and doctor checks by REST.

Every `fetch_*` returns a `Fetched` of models and never raises: when GitHub is down, slow, out of
rate limit or refuses the token, the data is whatever could be fetched and `problem` says why the
rest is missing. The wire (retries, rate limits, the ETag cache) is `bot.github.transport`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Self

import httpx

from bot.config import Settings
from bot.github.parse import (
    NOT_FOUND,
    error_problem,
    errors_by_path,
    parse_lookup,
    parse_pull_request,
    parse_usage_items,
)
from bot.github.queries import board_query, pull_requests_query
from bot.github.transport import DEFAULT_TIMEOUT, GitHubTransport, GiveUp, HttpCache, Tally
from digests.models import (
    BillingUsage,
    Fetched,
    PullRequest,
    PullRequestLookup,
    PullRequestRef,
    UsageItem,
)

PAGE_SIZE = 100  # GitHub's cap on `first` for a connection
REFS_PER_REQUEST = 100

NO_TOKEN = "GITHUB_TOKEN is not set"
BILLING_ACCESS = (
    "Actions billing for {org} needs an organization owner's or billing manager's token "
    "(GitHub answered {status})"
)


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
        sleep: Callable[[float], None] | None = None,
        max_wait: float = 60.0,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] | None = None,
    ) -> None:
        options: dict[str, Any] = {}
        if sleep is not None:
            options["sleep"] = sleep
        if clock is not None:
            options["clock"] = clock
        self._wire = GitHubTransport(
            settings,
            transport=transport,
            cache=cache,
            max_wait=max_wait,
            timeout=timeout,
            **options,
        )
        self.enabled: bool = self._wire.has_token

    # --- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        self._wire.close()

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
        self, refs: Sequence[PullRequestRef]
    ) -> Fetched[dict[str, PullRequestLookup]]:
        """Each referenced PR, keyed by `ref.key` in first-asked order; one GraphQL request per
        100 refs.

        Every ref gets a lookup: the PR, or the reason there is none ("not found or no access").
        """
        unique = list({ref.key: ref for ref in refs}.values())
        if not self.enabled:
            return Fetched(
                data={ref.key: PullRequestLookup(ref=ref, problem=NO_TOKEN) for ref in unique},
                problem=NO_TOKEN,
            )
        tally = Tally()
        lookups: dict[str, PullRequestLookup] = {}
        problem: str | None = None
        for batch in _chunks(unique, REFS_PER_REQUEST):
            if problem is not None:  # GitHub already failed: do not hammer it batch after batch
                lookups.update(
                    {ref.key: PullRequestLookup(ref=ref, problem=problem) for ref in batch}
                )
                continue
            try:
                lookups.update(self._lookup_batch(batch, tally))
            except GiveUp as error:
                problem = error.problem
                lookups.update(
                    {ref.key: PullRequestLookup(ref=ref, problem=problem) for ref in batch}
                )
        return Fetched(data=lookups, problem=problem, requests=tally.requests)

    def _lookup_batch(
        self, batch: Sequence[PullRequestRef], tally: Tally
    ) -> dict[str, PullRequestLookup]:
        by_repo: dict[str, list[PullRequestRef]] = {}
        for ref in batch:
            by_repo.setdefault(ref.full_name.casefold(), []).append(ref)
        groups = list(by_repo.values())
        body = self._wire.graphql(
            pull_requests_query([(g[0].owner, g[0].repo, [r.number for r in g]) for g in groups]),
            tally,
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
        self, repos: Sequence[str], *, since: datetime
    ) -> Fetched[list[PullRequest]]:
        """Every open PR of every repo, and the merged or closed ones updated at or after `since`.

        All repos' connections ride in each request (100 PRs per connection); later requests carry
        only the connections that still have pages, and the closed/merged ones (newest update
        first) stop at the first PR older than `since`. A repo that is missing or inaccessible is
        named in `problem`; the others are still returned. A naive `since` is taken as UTC.
        """
        if not self.enabled:
            return Fetched(data=[], problem=NO_TOKEN)
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        names = [(owner, name) for owner, _, name in (repo.partition("/") for repo in repos)]
        connections = [
            _Connection(index, alias, states)
            for index in range(len(names))
            for alias, states in (("open", "[OPEN]"), ("done", "[MERGED, CLOSED]"))
        ]
        tally = Tally()
        found: dict[str, PullRequest] = {}
        problems: list[str] = []
        while active := [c for c in connections if c.active]:
            try:
                page = self._board_page(names, active, since, tally)
            except GiveUp as error:
                problems.append(error.problem)
                break
            problems.extend(page.problems)
            for pull_request in page.pull_requests:
                found.setdefault(pull_request.ref.key, pull_request)
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
        body = self._wire.graphql(query, tally)
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

    def fetch_billing_usage(
        self, org: str, *, today: date, months: int = 7
    ) -> Fetched[BillingUsage]:
        """The org's billing usage lines for the `months` months ending with the current one.

        One REST request per month (ETag-cached: unchanged months come back as 304s); the figures
        are worked out from them by `digests.billing`. A token that may not read billing
        (403/404) yields `problem` saying so, and no months.
        """
        if not self.enabled:
            return Fetched(data=BillingUsage(org=org), problem=NO_TOKEN)
        tally = Tally()
        items: list[UsageItem] = []
        fetched: list[tuple[int, int]] = []
        problem: str | None = None
        for year, month in _months_ending(today, months):
            try:
                status, payload = self._wire.rest_get(
                    f"/organizations/{org}/settings/billing/usage",
                    {"year": year, "month": month},
                    tally,
                )
            except GiveUp as error:
                problem = error.problem
                break
            if status in (403, 404):
                problem = BILLING_ACCESS.format(org=org, status=status)
                break
            if status != 200:
                problem = f"GitHub answered {status} for the Actions billing of {org}"
                break
            try:
                usage = parse_usage_items(payload)
            except (KeyError, TypeError, ValueError) as error:
                problem = f"unexpected billing answer from GitHub ({error!r})"
                break
            # Keep only the month asked for, so an answer spanning more cannot count twice.
            items.extend(
                item for item in usage if (item.date.year, item.date.month) == (year, month)
            )
            fetched.append((year, month))
        usage_report = BillingUsage(org=org, items=tuple(items), months=tuple(fetched))
        return Fetched(data=usage_report, problem=problem, requests=tally.requests)

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


def _months_ending(today: date, count: int) -> list[tuple[int, int]]:
    keys = []
    year, month = today.year, today.month
    for _ in range(max(count, 0)):
        keys.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def _chunks(items: Sequence[PullRequestRef], size: int) -> Iterator[Sequence[PullRequestRef]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _join(problems: Sequence[str]) -> str | None:
    return "; ".join(problems) if problems else None
