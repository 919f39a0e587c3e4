"""The GitHub client: pull requests by GraphQL, Actions billing and doctor checks by REST.

Every `fetch_*` returns a `Fetched` and never raises: when GitHub is down, slow, out of rate limit
or refuses the token, the data is whatever could be fetched and `problem` says why the rest is
missing. One request path (`_send`) owns the retry policy:

- 5xx, timeouts and connection errors: up to MAX_ATTEMPTS tries, exponential backoff.
- Primary rate limit (403/429 with `x-ratelimit-remaining: 0`, or a GraphQL `RATE_LIMITED` error on
  a 200): wait until `x-ratelimit-reset` when that is within `max_wait`, else give up and say until
  when. Secondary limit (403/429 with `retry-after`, or naming the secondary limit): honour
  `retry-after` within `max_wait` (60 s when GitHub gives no figure).
- REST GETs carry `If-None-Match` from the ETag cache; a 304 reuses the cached body (and costs no
  rate limit). GraphQL POSTs cannot be cached; they are few instead: one request carries up to 100
  referenced PRs, and the board aliases every repo's open and closed connections into each page.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Protocol, Self
from urllib.parse import urlencode

import httpx

from bot.config import Settings
from bot.models import (
    ActionsBilling,
    CiState,
    Fetched,
    PullRequest,
    PullRequestLookup,
    PullRequestRef,
    PullRequestState,
    ReviewDecision,
    UsageItem,
)
from digests.billing import build_billing_comparison, build_monthly_usage

log = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
USER_AGENT = "standup-bot (+https://github.com/standup-bot)"
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 1.0  # 1, 2, 4 s between tries
SECONDARY_LIMIT_WAIT = 60.0  # GitHub's advice when a secondary limit names no retry-after
PAGE_SIZE = 100  # GitHub's cap on `first` for a connection
REFS_PER_REQUEST = 100

NO_TOKEN = "GITHUB_TOKEN is not set"
NOT_FOUND = "not found or no access"
BILLING_ACCESS = (
    "Actions billing for {org} needs an organization owner's or billing manager's token "
    "(GitHub answered {status})"
)
_RATE_LIMIT_TYPES = frozenset({"RATE_LIMITED", "RATE_LIMIT"})
_NO_ACCESS_TYPES = frozenset({"NOT_FOUND", "FORBIDDEN"})


class HttpCache(Protocol):
    """Where ETags and bodies of REST answers are kept (the SQLite store implements this)."""

    def get_http_cache(self, key: str) -> tuple[str, bytes] | None: ...  # (etag, body)

    def save_http_cache(self, key: str, etag: str, body: bytes) -> None: ...


class _GiveUp(Exception):
    """Internal: this fetch cannot go on; `problem` says why in words for the digest."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass
class _Tally:
    requests: int = 0


@dataclass
class _GraphQLRateLimit:
    cost: int
    remaining: int
    reset_at: float  # epoch seconds


@dataclass
class _Connection:
    """One paged `pullRequests` connection of one repo on the board."""

    repo_index: int
    field: str  # the alias in the query: "open" or "done"
    states: str
    cursor: str | None = None
    active: bool = True


@dataclass
class _Verdict:
    wait: float | None = None  # retry after this many seconds
    problem: str | None = None  # the reason, for a retry or for giving up
    final: bool = False  # give up now


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
    ) -> None:
        token = settings.secret("github_token")
        self.enabled: bool = bool(token)
        self._api_url = settings.github_api_url.rstrip("/")
        self._graphql_url = settings.graphql_url
        self._cache = cache
        self._sleep = sleep
        self._max_wait = max_wait
        self._clock = clock
        self._rate_limit: _GraphQLRateLimit | None = None
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": USER_AGENT,
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            headers=headers, timeout=timeout, transport=transport, follow_redirects=True
        )

    # --- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

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
        tally = _Tally()
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
            except _GiveUp as error:
                problem = error.problem
                lookups.update(
                    {ref.key: PullRequestLookup(ref=ref, problem=problem) for ref in batch}
                )
        return Fetched(data=lookups, problem=problem, requests=tally.requests)

    def _lookup_batch(
        self, batch: Sequence[PullRequestRef], tally: _Tally
    ) -> dict[str, PullRequestLookup]:
        by_repo: dict[str, list[PullRequestRef]] = {}
        for ref in batch:
            by_repo.setdefault(ref.full_name.casefold(), []).append(ref)
        groups = list(by_repo.values())
        selections = []
        for index, group in enumerate(groups):
            pulls = " ".join(
                f"p{ref.number}: pullRequest(number: {ref.number}) {{ ...PR }}" for ref in group
            )
            selections.append(
                f"r{index}: {_repository(group[0].owner, group[0].repo)} {{ {pulls} }}"
            )
        query = (
            "query PullRequests { rateLimit { cost remaining resetAt } "
            + " ".join(selections)
            + " }\n"
            + _PR_FRAGMENT
        )
        body = self._graphql(query, tally)
        data = body.get("data") or {}
        errors = _errors_by_path(body)
        lookups: dict[str, PullRequestLookup] = {}
        for index, group in enumerate(groups):
            repo_node = data.get(f"r{index}")
            for ref in group:
                node = repo_node.get(f"p{ref.number}") if isinstance(repo_node, dict) else None
                error = errors.get((f"r{index}", f"p{ref.number}")) or errors.get((f"r{index}",))
                lookups[ref.key] = _lookup(ref, node, error)
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
        names = [tuple(repo.split("/", 1)) for repo in repos]
        connections = [
            _Connection(index, alias, states)
            for index in range(len(names))
            for alias, states in (("open", "[OPEN]"), ("done", "[MERGED, CLOSED]"))
        ]
        tally = _Tally()
        found: dict[str, PullRequest] = {}
        problems: list[str] = []
        while active := [c for c in connections if c.active]:
            try:
                page = self._board_page(names, active, since, tally)
            except _GiveUp as error:
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
        names: Sequence[tuple[str, ...]],
        active: Sequence[_Connection],
        since: datetime,
        tally: _Tally,
    ) -> _PageResult:
        by_repo: dict[int, list[_Connection]] = {}
        for connection in active:
            by_repo.setdefault(connection.repo_index, []).append(connection)
        selections = []
        for index, repo_connections in by_repo.items():
            owner, repo = names[index]
            fields = " ".join(
                f"{c.field}: pullRequests(first: {PAGE_SIZE}"
                + (f", after: {json.dumps(c.cursor)}" if c.cursor else "")
                + f", states: {c.states}, orderBy: {{field: UPDATED_AT, direction: DESC}})"
                " { ...Page }"
                for c in repo_connections
            )
            selections.append(f"r{index}: {_repository(owner, repo)} {{ {fields} }}")
        query = (
            "query Board { rateLimit { cost remaining resetAt } "
            + " ".join(selections)
            + " }\n"
            + _PAGE_FRAGMENT
            + _PR_FRAGMENT
        )
        body = self._graphql(query, tally)
        data = body.get("data") or {}
        errors = _errors_by_path(body)
        result = _PageResult()
        for index, repo_connections in by_repo.items():
            owner, repo = names[index]
            repo_node = data.get(f"r{index}")
            if not isinstance(repo_node, dict):
                error = errors.get((f"r{index}",))
                result.problems.append(f"{owner}/{repo}: {_error_problem(error)}")
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
                pull_request = _pull_request(owner, repo, node)
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

    def fetch_actions_billing(
        self, org: str, *, today: date, months: int = 7
    ) -> Fetched[ActionsBilling]:
        """Actions minutes and dollars for the `months` months ending with the current one.

        One REST request per month (ETag-cached: unchanged months come back as 304s). A token
        that may not read billing (403/404) yields `problem` saying so, and no months.
        """
        if not self.enabled:
            return Fetched(data=ActionsBilling(org=org, problem=NO_TOKEN), problem=NO_TOKEN)
        tally = _Tally()
        items: list[UsageItem] = []
        fetched: set[tuple[int, int]] = set()
        problem: str | None = None
        for year, month in _months_ending(today, months):
            try:
                status, payload = self._rest_get(
                    f"/organizations/{org}/settings/billing/usage",
                    {"year": year, "month": month},
                    tally,
                )
            except _GiveUp as error:
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
            fetched.add((year, month))
        monthly = [
            usage
            for usage in build_monthly_usage(items, today=today, months=months)
            if (usage.year, usage.month) in fetched
        ]
        billing = ActionsBilling(
            org=org,
            months=tuple(monthly),
            comparison=build_billing_comparison(monthly),
            problem=problem,
        )
        return Fetched(data=billing, problem=problem, requests=tally.requests)

    # --- doctor -------------------------------------------------------------------------------

    def fetch_viewer(self) -> Fetched[str | None]:
        """The login the token belongs to (GET /user)."""
        if not self.enabled:
            return Fetched(data=None, problem=NO_TOKEN)
        tally = _Tally()
        try:
            status, payload = self._rest_get("/user", {}, tally)
        except _GiveUp as error:
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
        tally = _Tally()
        try:
            status, _ = self._rest_get(f"/repos/{repo}", {}, tally)
        except _GiveUp as error:
            return Fetched(data=False, problem=error.problem, requests=tally.requests)
        if status == 200:
            return Fetched(data=True, requests=tally.requests)
        return Fetched(
            data=False,
            problem=f"{repo}: {NOT_FOUND} with this token (GitHub answered {status})",
            requests=tally.requests,
        )

    # --- the wire -----------------------------------------------------------------------------

    def _graphql(self, query: str, tally: _Tally) -> dict[str, Any]:
        """POST a query; the parsed body when it has data. Raises _GiveUp otherwise."""
        self._wait_for_graphql_points()
        response = self._send("POST", self._graphql_url, tally, json={"query": query}, graphql=True)
        if response.status_code != 200:
            raise _GiveUp(f"GitHub GraphQL answered {response.status_code}{_message(response)}")
        body = _json(response)
        if not isinstance(body, dict):
            raise _GiveUp("unexpected GraphQL answer from GitHub")
        self._remember_rate_limit(body)
        if not isinstance(body.get("data"), dict):
            errors = body.get("errors") or [{}]
            raise _GiveUp(f"GitHub GraphQL error: {errors[0].get('message', 'no data')}")
        return body

    def _rest_get(self, path: str, params: dict[str, int | str], tally: _Tally) -> tuple[int, Any]:
        """GET with the ETag cache: (status, parsed JSON). A 304 reports 200 and the cached body."""
        url = self._api_url + path
        key = url + ("?" + urlencode(sorted(params.items())) if params else "")
        cached = self._cached(key)
        headers = {"If-None-Match": cached[0]} if cached else {}
        response = self._send("GET", url, tally, params=params, headers=headers)
        if response.status_code == 304 and cached is not None:
            return 200, _json_bytes(cached[1])
        if response.status_code == 200 and (etag := response.headers.get("etag")):
            self._store(key, etag, response.content)
        if not response.content:
            return response.status_code, None
        return response.status_code, _json(response)

    def _send(
        self,
        method: str,
        url: str,
        tally: _Tally,
        *,
        params: dict[str, int | str] | None = None,
        headers: dict[str, str] | None = None,
        json: Any = None,
        graphql: bool = False,
    ) -> httpx.Response:
        """One logical request, with retries and rate-limit waits. Raises _GiveUp."""
        verdict = _Verdict()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            tally.requests += 1
            try:
                response = self._http.request(
                    method, url, params=params, headers=headers, json=json
                )
            except httpx.TimeoutException as error:
                verdict = self._backoff(attempt, f"GitHub did not answer in time ({_kind(error)})")
            except httpx.TransportError as error:
                verdict = self._backoff(attempt, f"could not reach GitHub ({_kind(error)})")
            else:
                verdict = self._judge(response, attempt, graphql)
                if verdict.problem is None:
                    return response
            if verdict.final or attempt == MAX_ATTEMPTS or verdict.wait is None:
                break
            log.info("GitHub: %s; retrying in %.1f s", verdict.problem, verdict.wait)
            self._sleep(verdict.wait)
        problem = verdict.problem or "GitHub request failed"
        if not verdict.final:
            problem += f" after {MAX_ATTEMPTS} tries"
        log.warning("GitHub %s %s: %s", method, url, problem)
        raise _GiveUp(problem)

    def _judge(self, response: httpx.Response, attempt: int, graphql: bool) -> _Verdict:
        status = response.status_code
        if status >= 500:
            return self._backoff(attempt, f"GitHub is unavailable (HTTP {status})")
        if status == 401:
            return _Verdict(
                problem=f"GitHub rejected GITHUB_TOKEN (401{_message(response)})", final=True
            )
        if status in (403, 429):
            if response.headers.get("x-ratelimit-remaining") == "0":
                return self._until_reset(_float(response.headers.get("x-ratelimit-reset")))
            retry_after = _retry_after(response.headers.get("retry-after"), self._clock())
            if retry_after is not None or status == 429 or "secondary rate limit" in response.text:
                return self._secondary(retry_after)
            return _Verdict()  # a plain 403: the caller says what is forbidden
        if graphql and status == 200:
            body = _json_or_none(response)
            errors = body.get("errors") if isinstance(body, dict) else None
            if isinstance(errors, list) and any(
                isinstance(e, dict) and e.get("type") in _RATE_LIMIT_TYPES for e in errors
            ):
                reset = _float(response.headers.get("x-ratelimit-reset"))
                if reset is None and self._rate_limit is not None:
                    reset = self._rate_limit.reset_at
                return self._until_reset(reset)
        return _Verdict()

    def _backoff(self, attempt: int, problem: str) -> _Verdict:
        return _Verdict(
            wait=min(BACKOFF_SECONDS * 2 ** (attempt - 1), self._max_wait), problem=problem
        )

    def _until_reset(self, reset: float | None) -> _Verdict:
        if reset is None:
            return _Verdict(problem="GitHub rate limit exhausted", final=True)
        wait = max(reset - self._clock(), 0.0) + 1.0  # a second past the reset, to be safe
        if wait > self._max_wait:
            until = datetime.fromtimestamp(reset, UTC).strftime("%H:%M")
            return _Verdict(problem=f"GitHub rate limit exhausted until {until} UTC", final=True)
        return _Verdict(wait=wait, problem="GitHub rate limit exhausted")

    def _secondary(self, retry_after: float | None) -> _Verdict:
        wait = SECONDARY_LIMIT_WAIT if retry_after is None else retry_after
        if wait > self._max_wait:
            return _Verdict(
                problem=f"GitHub secondary rate limit: asked to wait {math.ceil(wait)} s",
                final=True,
            )
        return _Verdict(wait=wait, problem="GitHub secondary rate limit")

    def _wait_for_graphql_points(self) -> None:
        """Do not send a query the last answer's `rateLimit` says cannot be paid for."""
        limit = self._rate_limit
        if (
            limit is None
            or limit.remaining >= max(limit.cost, 1)
            or limit.reset_at <= self._clock()
        ):
            return
        verdict = self._until_reset(limit.reset_at)
        if verdict.final or verdict.wait is None:
            raise _GiveUp(verdict.problem or "GitHub rate limit exhausted")
        self._sleep(verdict.wait)
        self._rate_limit = None

    def _remember_rate_limit(self, body: dict[str, Any]) -> None:
        node = (body.get("data") or {}).get("rateLimit")
        if not isinstance(node, dict):
            return
        try:
            self._rate_limit = _GraphQLRateLimit(
                cost=int(node["cost"]),
                remaining=int(node["remaining"]),
                reset_at=_parse_datetime(node["resetAt"]).timestamp(),
            )
        except (KeyError, TypeError, ValueError):
            self._rate_limit = None

    def _cached(self, key: str) -> tuple[str, bytes] | None:
        if self._cache is None:
            return None
        try:
            return self._cache.get_http_cache(key)
        except Exception:  # a broken cache costs a full request, never the fetch
            log.warning("GitHub HTTP cache read failed", exc_info=True)
            return None

    def _store(self, key: str, etag: str, body: bytes) -> None:
        if self._cache is None:
            return
        try:
            self._cache.save_http_cache(key, etag, body)
        except Exception:
            log.warning("GitHub HTTP cache write failed", exc_info=True)


# --- parsing GitHub's answers (pure) -----------------------------------------------------------

_PR_FRAGMENT = """fragment PR on PullRequest {
  number title url state isDraft mergedAt closedAt createdAt updatedAt reviewDecision
  author { login }
  commits(last: 1) { nodes { commit { statusCheckRollup { state } } } }
}
"""
_PAGE_FRAGMENT = """fragment Page on PullRequestConnection {
  totalCount pageInfo { hasNextPage endCursor } nodes { ...PR }
}
"""
_CI_STATES: dict[str | None, CiState] = {
    "SUCCESS": "success",
    "FAILURE": "failure",
    "ERROR": "failure",
    "PENDING": "pending",
    "EXPECTED": "pending",
    None: "none",
}
_REVIEW_DECISIONS: dict[str, ReviewDecision] = {
    "APPROVED": "approved",
    "CHANGES_REQUESTED": "changes_requested",
    "REVIEW_REQUIRED": "review_required",
}


def parse_usage_items(payload: Any) -> list[UsageItem]:
    """GitHub's billing usage answer → UsageItems, for the documented and the observed shapes.

    Documented: `date` "2023-08-01", `product` "Actions", integer quantities. Observed: `date`
    "2025-01-01T00:00:00Z", `product` "actions", float quantities, storage lines. Dollar fields
    GitHub leaves out are derived from its own `pricePerUnit`.
    """
    rows = payload.get("usageItems") if isinstance(payload, dict) else payload
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise ValueError("usageItems is not a list")
    items = []
    for row in rows:
        quantity = float(row.get("quantity") or 0)
        price = float(row.get("pricePerUnit") or 0)
        gross = _amount(row.get("grossAmount"), quantity * price)
        discount = _amount(row.get("discountAmount"), 0.0)
        net = _amount(row.get("netAmount"), gross - discount)
        items.append(
            UsageItem(
                date=_parse_date(row["date"]),
                product=str(row.get("product") or "").casefold(),
                sku=str(row.get("sku") or ""),
                quantity=quantity,
                unit_type=str(row.get("unitType") or ""),
                price_per_unit=price,
                gross_amount=gross,
                discount_amount=discount,
                net_amount=net,
                organization_name=row.get("organizationName") or None,
                repository_name=row.get("repositoryName") or None,
            )
        )
    return items


def _pull_request(owner: str, repo: str, node: dict[str, Any]) -> PullRequest:
    commits = (node.get("commits") or {}).get("nodes") or []
    rollup = (commits[-1].get("commit") or {}).get("statusCheckRollup") if commits else None
    ci = _CI_STATES.get(rollup.get("state") if isinstance(rollup, dict) else None, "none")
    state: PullRequestState
    if node["state"] == "MERGED":
        state = "merged"
    elif node["state"] == "CLOSED":
        state = "closed"
    else:
        state = "draft" if node.get("isDraft") else "open"
    author = node.get("author")
    return PullRequest(
        owner=owner,
        repo=repo,
        number=int(node["number"]),
        title=str(node["title"]),
        url=str(node["url"]),
        state=state,
        ci=ci,
        review_decision=_REVIEW_DECISIONS.get(node.get("reviewDecision") or ""),
        author=author.get("login") if isinstance(author, dict) else None,  # None: a deleted user
        created_at=_parse_datetime(node["createdAt"]),
        updated_at=_parse_datetime(node["updatedAt"]),
        merged_at=_parse_datetime(node["mergedAt"]) if node.get("mergedAt") else None,
        closed_at=_parse_datetime(node["closedAt"]) if node.get("closedAt") else None,
    )


def _lookup(ref: PullRequestRef, node: Any, error: dict[str, Any] | None) -> PullRequestLookup:
    if not isinstance(node, dict):
        return PullRequestLookup(ref=ref, problem=_error_problem(error))
    try:
        return PullRequestLookup(ref=ref, pull_request=_pull_request(ref.owner, ref.repo, node))
    except (KeyError, TypeError, ValueError) as parse_error:
        return PullRequestLookup(
            ref=ref, problem=f"unexpected answer from GitHub ({parse_error!r})"
        )


def _error_problem(error: dict[str, Any] | None) -> str:
    if error is None or error.get("type") in _NO_ACCESS_TYPES:
        return NOT_FOUND
    return str(error.get("message") or NOT_FOUND)


def _errors_by_path(body: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    errors: dict[tuple[str, ...], dict[str, Any]] = {}
    for error in body.get("errors") or []:
        if isinstance(error, dict) and isinstance(error.get("path"), list):
            errors.setdefault(tuple(str(part) for part in error["path"]), error)
    return errors


def _repository(owner: str, repo: str) -> str:
    return f"repository(owner: {json.dumps(owner)}, name: {json.dumps(repo)})"


def _parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_date(value: str) -> date:
    if "T" in value:
        return _parse_datetime(value).astimezone(UTC).date()
    return date.fromisoformat(value)


def _amount(value: Any, default: float) -> float:
    return default if value is None else float(value)


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


def _retry_after(value: str | None, now: float) -> float | None:
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:  # an HTTP date
        return max(email.utils.parsedate_to_datetime(value).timestamp() - now, 0.0)
    except (TypeError, ValueError):
        return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _json(response: httpx.Response) -> Any:
    return _json_bytes(response.content)


def _json_bytes(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        raise _GiveUp("GitHub answered something that is not JSON") from None


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _message(response: httpx.Response) -> str:
    body = _json_or_none(response)
    message = body.get("message") if isinstance(body, dict) else None
    return f" {message}" if isinstance(message, str) and message else ""


def _kind(error: Exception) -> str:
    return type(error).__name__


def _join(problems: Sequence[str]) -> str | None:
    return "; ".join(problems) if problems else None
