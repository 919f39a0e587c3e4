"""A loopback GitHub: REST and GraphQL with GitHub's response shapes, for wire tests and benchmarks.

    with FakeGitHub() as github:
        github.add_repo("acme", "api")
        github.generate_pulls("acme/api", 500, seed=1)
        settings = load_settings({"GITHUB_TOKEN": github.token, "GITHUB_API_URL": github.url, ...})

Served (127.0.0.1, a free port, a daemon thread; `stop()` wakes any hang and joins every thread
it started, the request threads included):
- `POST /graphql`: a small real interpreter — it tokenizes and parses the query (operations,
  aliases, arguments, variables, fragments, inline fragments), validates fields and pagination
  arguments against a hand-written subset of GitHub's schema (see `_SCHEMA`), computes the point
  cost, and executes `repository(owner:, name:)`, `pullRequest(number:)`, `pullRequests(first:,
  last:, after:, before:, states:, orderBy:)` with `totalCount`/`pageInfo`/`nodes`/`edges`, the PR
  fields, `commits(last:)`, `statusCheckRollup`, `viewer` and `rateLimit`. Missing repositories
  and PRs come back as GitHub does: `null` at the alias plus a NOT_FOUND error with its path.
- REST: `/user`, `/repos/{o}/{r}`, `/repos/{o}/{r}/pulls` (state/sort/direction/per_page/page,
  `link` header), `/repos/{o}/{r}/pulls/{n}`, `/repos/{o}/{r}/commits/{ref}/status`, and
  `/organizations/{org}/settings/billing/usage` in the documented or the observed shape.
- On every answer: `x-ratelimit-*` headers; on REST 200s a weak ETag, and 304 for a matching
  `If-None-Match` (which, as on GitHub, costs no rate limit).
- Faults via `inject(kind, ...)`: "server_error", "hang", "secondary_limit", "rate_limited"
  (403 with remaining 0), "graphql_rate_limited" (200 with a RATE_LIMITED error), "bad_token".
  `set_billing_access(org, 403 | 404)` refuses billing.
Every request is recorded (method, path, query, headers, body, status) for tests to count.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

from digests.models import UsageItem

DOCS = "https://docs.github.com/rest"
RATE_LIMIT = 5000
DEFAULT_NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)

CiValue = Literal["success", "failure", "pending", "error", "expected"] | None
CI_CHOICES: tuple[CiValue, ...] = ("success", "success", "failure", "pending", None)
FaultKind = Literal[
    "server_error", "hang", "secondary_limit", "rate_limited", "graphql_rate_limited", "bad_token"
]


# --- the data it serves -------------------------------------------------------------------------


@dataclass
class FakePull:
    owner: str
    repo: str
    number: int
    title: str
    state: Literal["open", "closed"]
    draft: bool
    created_at: datetime
    updated_at: datetime
    merged_at: datetime | None = None
    closed_at: datetime | None = None
    author: str | None = "octocat"
    ci: CiValue = None
    review_decision: str | None = None  # APPROVED, CHANGES_REQUESTED, REVIEW_REQUIRED
    head_sha: str = ""
    # The latest opinionated review of each reviewer with write access, oldest first:
    # APPROVED, CHANGES_REQUESTED (what `latestOpinionatedReviews(writersOnly: true)` lists).
    reviews: tuple[str, ...] = ()

    @property
    def html_url(self) -> str:
        return f"https://github.com/{self.owner}/{self.repo}/pull/{self.number}"

    @property
    def graphql_state(self) -> str:
        if self.merged_at is not None:
            return "MERGED"
        return "OPEN" if self.state == "open" else "CLOSED"


@dataclass
class FakeRepo:
    owner: str
    name: str
    private: bool = False
    # GitHub's `reviewDecision` is null on every PR of a repository whose rules require no
    # review, approved or not (the PR's reviews still list the approvals).
    requires_review: bool = True
    fork: bool = False
    archived: bool = False
    pulls: dict[int, FakePull] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    status: int | None = None  # None until answered (or never, for a hang the client left)

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Fault:
    kind: FaultKind
    path: str  # applies to request paths starting with this
    method: str | None
    times: int
    status: int
    delay: float
    retry_after: int
    reset_at: int | None
    after: int = 0  # matching requests to let through first


class MemoryHttpCache:
    """A dict-backed HttpCache (bot.github.HttpCache) for tests and the benchmark."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, bytes]] = {}

    def get_http_cache(self, key: str) -> tuple[str, bytes] | None:
        return self.entries.get(key)

    def save_http_cache(self, key: str, etag: str, body: bytes) -> None:
        self.entries[key] = (etag, body)


# --- the server ---------------------------------------------------------------------------------


class FakeGitHub:
    def __init__(
        self,
        *,
        token: str = "ghp_fake_token",
        login: str = "octocat",
        now: datetime = DEFAULT_NOW,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.login = login
        self.now = now  # "today" for generated data
        self.clock = clock  # epoch seconds, for rate-limit resets
        self.repos: dict[str, FakeRepo] = {}
        self.billing: dict[str, list[UsageItem]] = {}
        self.billing_shape: dict[str, Literal["documented", "observed"]] = {}
        self.billing_by_month: dict[str, dict[tuple[int, int], list[UsageItem]]] = {}
        self.billing_access: dict[str, int] = {}
        self.billing_app_token: dict[str, bool] = {}
        self.rest_remaining = RATE_LIMIT
        self.graphql_remaining = RATE_LIMIT
        # GitHub's schema lets a `nodes` list hold nulls (an item that could not be resolved,
        # e.g. for permissions); True puts one at the head of every `nodes` list answered.
        self.null_nodes = False
        self.reset_at = int(clock()) + 3600
        self._requests: list[RecordedRequest] = []
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeGitHub:
        handler = type("Handler", (_Handler,), {"fake": self})
        server = _Server(("127.0.0.1", 0), handler)
        self._server = server
        self._stopping.clear()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes any hanging handler
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> FakeGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def graphql_url(self) -> str:
        return self.url + "/graphql"

    # --- seeding ------------------------------------------------------------------------------

    def add_repo(
        self,
        owner: str,
        name: str,
        *,
        private: bool = False,
        requires_review: bool = True,
        fork: bool = False,
        archived: bool = False,
    ) -> FakeRepo:
        repo = FakeRepo(
            owner=owner,
            name=name,
            private=private,
            requires_review=requires_review,
            fork=fork,
            archived=archived,
        )
        with self._lock:
            self.repos[repo.full_name.casefold()] = repo
        return repo

    def add_pull(
        self,
        owner: str,
        repo: str,
        number: int,
        *,
        title: str = "",
        state: Literal["open", "closed"] = "open",
        draft: bool = False,
        merged_at: datetime | None = None,
        closed_at: datetime | None = None,
        created_at: datetime | None = None,
        updated_at: datetime | None = None,
        author: str | None = "octocat",
        ci: CiValue = None,
        review_decision: str | None = None,
        reviews: Sequence[str] | None = None,
    ) -> FakePull:
        """`reviews`: the latest opinionated review states; by default the one that made
        `review_decision` (APPROVED or CHANGES_REQUESTED), else none."""
        target = self._repo(f"{owner}/{repo}")
        if target is None:
            raise KeyError(f"add_repo({owner!r}, {repo!r}) first")
        created = created_at or self.now - timedelta(days=1)
        if merged_at is not None:
            state = "closed"
            closed_at = closed_at or merged_at
        pull = FakePull(
            owner=target.owner,
            repo=target.name,
            number=number,
            title=title or f"Change {number}",
            state=state,
            draft=draft,
            created_at=created,
            updated_at=updated_at or closed_at or created,
            merged_at=merged_at,
            closed_at=closed_at if state == "closed" else None,
            author=author,
            ci=ci,
            review_decision=review_decision,
            head_sha=hashlib.sha1(f"{target.full_name}#{number}".encode()).hexdigest(),
            reviews=tuple(
                reviews
                if reviews is not None
                else [review_decision]
                if review_decision in ("APPROVED", "CHANGES_REQUESTED")
                else []
            ),
        )
        with self._lock:
            target.pulls[number] = pull
        return pull

    def generate_pulls(
        self,
        repo: str,
        n: int,
        *,
        seed: int,
        open_share: float = 0.2,
        recent_share: float = 0.1,
        recent_days: int = 7,
    ) -> list[FakePull]:
        """`n` PRs over the last 400 days: `open_share` open (a quarter of them drafts), the rest
        merged (3 in 4) or closed; `recent_share` of the merged/closed ones updated within
        `recent_days`. Open PRs' last updates are spread over their lifetime, so some are old.
        """
        owner, name = repo.split("/", 1)
        target = self._repo(repo)
        if target is None:
            raise KeyError(f"add_repo({owner!r}, {name!r}) first")
        rng = random.Random(seed)
        first = max(target.pulls, default=0) + 1
        made = []
        for number in range(first, first + n):
            created = self.now - timedelta(days=rng.uniform(recent_days + 1, 400))
            ci: CiValue = rng.choice(CI_CHOICES)
            review = rng.choice(["APPROVED", "CHANGES_REQUESTED", "REVIEW_REQUIRED", None])
            author = rng.choice(["ada", "grace", "linus", "margaret", "ken", None])
            if rng.random() < open_share:
                updated = created + (self.now - created) * rng.random()
                made.append(
                    self.add_pull(
                        owner, name, number, title=f"Open change {number}", state="open",
                        draft=rng.random() < 0.25, created_at=created, updated_at=updated,
                        author=author, ci=ci, review_decision=review,
                    )
                )  # fmt: skip
                continue
            if rng.random() < recent_share:
                ended = self.now - timedelta(days=rng.uniform(0, recent_days - 0.01))
            else:
                ended = created + (self.now - timedelta(days=recent_days) - created) * rng.random()
            merged = rng.random() < 0.75
            made.append(
                self.add_pull(
                    owner, name, number, title=f"Change {number}", state="closed",
                    merged_at=ended if merged else None, closed_at=ended, created_at=created,
                    updated_at=ended, author=author, ci=ci,
                    review_decision=review if merged else None,
                )
            )  # fmt: skip
        return made

    def set_billing(
        self,
        org: str,
        items: Iterable[UsageItem],
        shape: Literal["documented", "observed"] = "documented",
    ) -> None:
        kept = list(items)
        by_month: dict[tuple[int, int], list[UsageItem]] = {}
        for item in kept:
            by_month.setdefault((item.date.year, item.date.month), []).append(item)
        with self._lock:
            self.billing[org.casefold()] = kept
            self.billing_by_month[org.casefold()] = by_month
            self.billing_shape[org.casefold()] = shape

    def set_billing_access(self, org: str, status: int, *, app_token: bool = False) -> None:
        """Refuse billing for `org` as GitHub does: 403 for a token whose owner may not read it
        (`app_token`: the message a GitHub App installation token gets), 404 for an org with
        no usage report (not on the enhanced billing platform)."""
        with self._lock:
            self.billing_access[org.casefold()] = status
            self.billing_app_token[org.casefold()] = app_token

    def inject(
        self,
        kind: FaultKind,
        *,
        path: str = "/",
        method: str | None = None,
        times: int = 1,
        status: int = 502,
        delay: float = 5.0,
        retry_after: int = 1,
        reset_at: int | None = None,
        after: int = 0,
    ) -> None:
        """Answer `times` matching requests, from the one after the next `after`, with a fault
        instead of the real answer."""
        with self._lock:
            self._faults.append(
                Fault(kind, path, method, times, status, delay, retry_after, reset_at, after)
            )

    # --- what happened ------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def count(
        self, path: str | None = None, *, method: str | None = None, status: int | None = None
    ) -> int:
        """Requests whose path starts with `path` (and with that method / answer status)."""
        return sum(
            1
            for r in self.requests
            if (path is None or r.path.startswith(path))
            and (method is None or r.method == method)
            and (status is None or r.status == status)
        )

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # --- internals ----------------------------------------------------------------------------

    def _repo(self, full_name: str) -> FakeRepo | None:
        return self.repos.get(full_name.casefold())

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if path.startswith(fault.path) and fault.method in (None, method):
                    if fault.after > 0:
                        fault.after -= 1
                        return None
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _rate_headers(self, resource: str) -> dict[str, str]:
        remaining = self.graphql_remaining if resource == "graphql" else self.rest_remaining
        return {
            "x-ratelimit-limit": str(RATE_LIMIT),
            "x-ratelimit-remaining": str(max(remaining, 0)),
            "x-ratelimit-used": str(RATE_LIMIT - max(remaining, 0)),
            "x-ratelimit-reset": str(self.reset_at),
            "x-ratelimit-resource": "graphql" if resource == "graphql" else "core",
        }


# --- HTTP ---------------------------------------------------------------------------------------


@dataclass
class _Answer:
    status: int
    body: Any = None  # JSON-able, or None for no body
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = False  # compute an ETag (REST 200s)


class _Server(ThreadingHTTPServer):
    # Request threads must not be daemons: socketserver's `_Threads` list only keeps non-daemon
    # threads, so with daemon threads `server_close()` joined nothing and `stop()` could return
    # while a woken hang was still unwinding (the flaky thread count in test_fake_github).
    daemon_threads = False
    block_on_close = True  # server_close() joins every request thread


class _Handler(BaseHTTPRequestHandler):
    fake: FakeGitHub
    timeout = 10  # a client that stalls mid-request cannot hold stop() forever
    server_version = "GitHub.com"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read the recorded requests instead

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        recorded = RecordedRequest(
            method=method,
            path=split.path,
            query=parse_qs(split.query),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        self.fake._record(recorded)
        resource = "graphql" if split.path == "/graphql" else "core"
        fault = self.fake._take_fault(method, split.path)
        if fault is not None and fault.kind == "hang":
            # Answer late (the real answer), or not at all when the fake is stopping.
            if self.fake._stopping.wait(fault.delay):
                return
            fault = None
        answer = self._fault(fault) if fault is not None else None
        if answer is None:
            answer = self._route(method, split.path, recorded, resource)
        self._write(answer, recorded, resource)

    def _fault(self, fault: Fault) -> _Answer:
        fake = self.fake
        if fault.kind == "server_error":
            return _Answer(fault.status, {"message": "Server Error"})
        if fault.kind == "bad_token":
            return _bad_credentials()
        if fault.kind == "secondary_limit":
            message = (
                "You have exceeded a secondary rate limit. Please wait a few minutes before you "
                "try again."
            )
            headers = {"retry-after": str(fault.retry_after)}
            return _Answer(403, {"message": message, "documentation_url": DOCS}, headers)
        reset = fault.reset_at if fault.reset_at is not None else fake.reset_at
        headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}
        if fault.kind == "graphql_rate_limited":
            error = {"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}
            return _Answer(200, {"errors": [error]}, headers)
        message = "API rate limit exceeded for user ID 1."
        return _Answer(403, {"message": message, "documentation_url": DOCS}, headers)

    def _route(self, method: str, path: str, request: RecordedRequest, resource: str) -> _Answer:
        fake = self.fake
        if not self._authorized(request):
            return _bad_credentials()
        with fake._lock:
            exhausted = fake.rest_remaining <= 0
        if exhausted and resource == "core":
            headers = {"x-ratelimit-remaining": "0"}
            message = "API rate limit exceeded for user ID 1."
            return _Answer(403, {"message": message, "documentation_url": DOCS}, headers)
        if method == "POST" and path == "/graphql":
            return self._graphql(request)
        if method != "GET":
            return _not_found()
        parts = [part for part in path.split("/") if part]
        query = {name: values[-1] for name, values in request.query.items()}
        match parts:
            case ["user"]:
                return _Answer(200, {"login": fake.login, "id": 1, "type": "User"}, etag=True)
            case ["repos", owner, name]:
                repo = fake._repo(f"{owner}/{name}")
                return _Answer(200, _rest_repo(repo), etag=True) if repo else _not_found()
            case ["repos", owner, name, "pulls"]:
                return self._pulls(owner, name, query)
            case ["repos", owner, name, "pulls", number] if number.isdigit():
                repo = fake._repo(f"{owner}/{name}")
                pull = repo.pulls.get(int(number)) if repo else None
                return _Answer(200, _rest_pull(pull, fake.url), etag=True) if pull else _not_found()
            case ["repos", owner, name, "commits", ref, "status"]:
                return self._status(owner, name, ref)
            case ["organizations", org, "settings", "billing", "usage"]:
                return self._billing(org, query)
            case ["orgs", org, "repos"]:
                return self._org_repos(org, query)
        return _not_found()

    def _authorized(self, request: RecordedRequest) -> bool:
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        return scheme.lower() in ("bearer", "token") and token == self.fake.token

    def _graphql(self, request: RecordedRequest) -> _Answer:
        fake = self.fake
        try:
            payload = request.json()
            query = payload["query"]
            variables = payload.get("variables") or {}
        except (ValueError, KeyError, TypeError):
            return _Answer(400, {"message": "Problems parsing JSON", "documentation_url": DOCS})
        with fake._lock:
            remaining = fake.graphql_remaining
        try:
            document = _parse(query)
            operation = document.operation()
            _validate("Query", operation.selections, document)
            cost = max(1, round(_requests_needed("Query", operation.selections, document, 1) / 100))
        except _QueryError as error:
            return _Answer(200, {"errors": [error.as_json()]})
        if cost > remaining:
            headers = {"x-ratelimit-remaining": "0"}
            limited = {"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}
            return _Answer(200, {"errors": [limited]}, headers)
        with fake._lock:
            fake.graphql_remaining -= cost
        executor = _Executor(fake, document, variables, cost)
        try:
            data = executor.select("Query", None, operation.selections, [])
        except _QueryError as error:
            return _Answer(200, {"errors": [error.as_json()]})
        body: dict[str, Any] = {"data": data}
        if executor.errors:
            body["errors"] = executor.errors
        return _Answer(200, body)

    def _pulls(self, owner: str, name: str, query: dict[str, str]) -> _Answer:
        repo = self.fake._repo(f"{owner}/{name}")
        if repo is None:
            return _not_found()
        state = query.get("state", "open")
        sort = query.get("sort", "created")
        direction = query.get("direction", "desc" if sort == "created" else "asc")
        per_page = min(int(query.get("per_page", 30)), 100)
        page = max(int(query.get("page", 1)), 1)
        pulls = [p for p in repo.pulls.values() if state == "all" or p.state == state]
        key = {"created": "created_at", "updated": "updated_at"}.get(sort, "created_at")
        pulls.sort(key=lambda p: (getattr(p, key), p.number), reverse=direction == "desc")
        last_page = max((len(pulls) + per_page - 1) // per_page, 1)
        chunk = pulls[(page - 1) * per_page : page * per_page]
        links = []
        base = f"{self.fake.url}/repos/{repo.owner}/{repo.name}/pulls?"
        params = {**query, "per_page": str(per_page)}
        for rel, target in (
            ("prev", page - 1),
            ("next", page + 1),
            ("last", last_page),
            ("first", 1),
        ):
            if (rel in ("prev", "first") and page > 1) or (
                rel in ("next", "last") and page < last_page
            ):
                links.append(f'<{base}{urlencode({**params, "page": str(target)})}>; rel="{rel}"')
        headers = {"link": ", ".join(links)} if links else {}
        return _Answer(200, [_rest_pull(p, self.fake.url) for p in chunk], headers, etag=True)

    def _org_repos(self, org: str, query: dict[str, str]) -> _Answer:
        """`GET /orgs/{org}/repos`: type all|public|private|forks|sources, pages by `link`."""
        kind = query.get("type", "all")
        per_page = min(int(query.get("per_page", 30)), 100)
        page = max(int(query.get("page", 1)), 1)
        with self.fake._lock:
            repos = [r for r in self.fake.repos.values() if r.owner.casefold() == org.casefold()]
        if not repos:
            return _not_found()
        keep = {
            "all": lambda r: True,
            "public": lambda r: not r.private,
            "private": lambda r: r.private,
            "forks": lambda r: r.fork,
            "sources": lambda r: not r.fork,
        }.get(kind, lambda r: True)
        chosen = sorted((r for r in repos if keep(r)), key=lambda r: r.name.casefold())
        last_page = max((len(chosen) + per_page - 1) // per_page, 1)
        chunk = chosen[(page - 1) * per_page : page * per_page]
        base = f"{self.fake.url}/orgs/{org}/repos?"
        params = {**query, "per_page": str(per_page)}
        links = [
            f'<{base}{urlencode({**params, "page": str(target)})}>; rel="{rel}"'
            for rel, target, shown in (
                ("next", page + 1, page < last_page),
                ("last", last_page, page < last_page),
            )
            if shown
        ]
        headers = {"link": ", ".join(links)} if links else {}
        return _Answer(200, [_rest_repo(r) for r in chunk], headers, etag=True)

    def _status(self, owner: str, name: str, ref: str) -> _Answer:
        repo = self.fake._repo(f"{owner}/{name}")
        pull = next((p for p in repo.pulls.values() if p.head_sha == ref), None) if repo else None
        if pull is None:
            return _Answer(
                422, {"message": f"No commit found for SHA: {ref}", "documentation_url": DOCS}
            )
        statuses = []
        state = "pending"  # GitHub's combined state when there are no statuses at all
        if pull.ci is not None:
            state = {"expected": "pending"}.get(pull.ci, pull.ci)
            statuses = [{"state": state, "context": "ci/build", "description": "Build"}]
        body = {"state": state, "sha": ref, "total_count": len(statuses), "statuses": statuses}
        return _Answer(200, body, etag=True)

    def _billing(self, org: str, query: dict[str, str]) -> _Answer:
        fake = self.fake
        access = fake.billing_access.get(org.casefold())
        if access == 403:
            message = "You must be an organization owner or billing manager to view billing."
            if fake.billing_app_token.get(org.casefold()):
                message = "Resource not accessible by integration"
            return _Answer(403, {"message": message, "documentation_url": DOCS, "status": "403"})
        if access == 404 or org.casefold() not in fake.billing:
            return _not_found()
        items = fake.billing[org.casefold()]
        shape = fake.billing_shape[org.casefold()]
        wanted = {name: int(query[name]) for name in ("year", "month", "day") if name in query}
        if set(wanted) == {"year", "month"}:  # a month at once, as the bot asks (a large org's
            month = (wanted["year"], wanted["month"])  # report has tens of thousands of lines)
            items = fake.billing_by_month[org.casefold()].get(month, [])
        rows = [
            _usage_row(item, shape)
            for item in items
            if all(getattr(item.date, name) == value for name, value in wanted.items())
        ]
        return _Answer(200, {"usageItems": rows}, etag=True)

    def _write(self, answer: _Answer, request: RecordedRequest, resource: str) -> None:
        fake = self.fake
        body = b"" if answer.body is None else json.dumps(answer.body).encode()
        status = answer.status
        etag = None
        if answer.etag and status == 200:
            etag = 'W/"' + hashlib.sha256(body).hexdigest() + '"'
            if etag in _etags(request.headers.get("if-none-match", "")):
                status, body = 304, b""
        if resource == "core" and status not in (304, 401) and status < 500:
            with fake._lock:
                fake.rest_remaining -= 1  # as GitHub: the headers count this request already
        headers = {
            "content-type": "application/json; charset=utf-8",
            "x-github-api-version-selected": "2022-11-28",
            "x-github-media-type": "github.v3; format=json",
            **fake._rate_headers(resource),
            **({"etag": etag} if etag else {}),
            **answer.headers,
        }
        request.status = status  # before the client can read it, so tests see it at once
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            request.status = None  # the client had gone


def _etags(header: str) -> set[str]:
    tags = {part.strip() for part in header.split(",") if part.strip()}
    return tags | {tag.removeprefix("W/") for tag in tags} | {f"W/{tag}" for tag in tags}


def _not_found() -> _Answer:
    return _Answer(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})


def _bad_credentials() -> _Answer:
    return _Answer(401, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"})


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rest_repo(repo: FakeRepo) -> dict[str, Any]:
    return {
        "id": abs(hash(repo.full_name)) % 10**8,
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "fork": repo.fork,
        "archived": repo.archived,
        "owner": {"login": repo.owner, "type": "Organization"},
        "html_url": f"https://github.com/{repo.full_name}",
        "default_branch": "main",
    }


def _rest_pull(pull: FakePull, api: str) -> dict[str, Any]:
    full_name = f"{pull.owner}/{pull.repo}"
    return {
        "url": f"{api}/repos/{full_name}/pulls/{pull.number}",
        "id": pull.number,
        "html_url": pull.html_url,
        "number": pull.number,
        "state": pull.state,
        "locked": False,
        "title": pull.title,
        "user": {"login": pull.author, "type": "User"} if pull.author else None,
        "body": "",
        "created_at": _iso(pull.created_at),
        "updated_at": _iso(pull.updated_at),
        "closed_at": _iso(pull.closed_at),
        "merged_at": _iso(pull.merged_at),
        "draft": pull.draft,
        "head": {"ref": f"change-{pull.number}", "sha": pull.head_sha},
        "base": {"ref": "main"},
        "requested_reviewers": [],
        "labels": [],
    }


def _usage_row(item: UsageItem, shape: Literal["documented", "observed"]) -> dict[str, Any]:
    if shape == "documented":
        quantity: float = (
            int(item.quantity) if item.quantity == int(item.quantity) else item.quantity
        )
        return {
            "date": item.date.isoformat(),
            "product": item.product.capitalize(),
            "sku": item.sku,
            "quantity": quantity,
            "unitType": item.unit_type,
            "pricePerUnit": item.price_per_unit,
            "grossAmount": item.gross_amount,
            "discountAmount": item.discount_amount,
            "netAmount": item.net_amount,
            "organizationName": item.organization_name,
            "repositoryName": item.repository_name,
        }
    return {
        "date": f"{item.date.isoformat()}T00:00:00Z",
        "product": item.product.lower(),
        "sku": item.sku,
        "quantity": float(item.quantity),
        "unitType": item.unit_type,
        "pricePerUnit": item.price_per_unit,
        "grossAmount": item.gross_amount,
        "discountAmount": item.discount_amount,
        "netAmount": item.net_amount,
        "organizationName": item.organization_name,
        "repositoryName": (item.repository_name or "").rsplit("/", 1)[-1] or None,
    }


# --- GraphQL: tokens and parser -----------------------------------------------------------------


class _QueryError(Exception):
    """A query GitHub would refuse as a whole: `{"errors": [...]}` and no data."""

    def __init__(self, message: str, position: tuple[int, int] | None = None, **extra: Any):
        super().__init__(message)
        self.message = message
        self.position = position
        self.extra = extra

    def as_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, **self.extra}
        if self.position:
            error["locations"] = [{"line": self.position[0], "column": self.position[1]}]
        return error


class _FieldError(Exception):
    """One field failed (e.g. NOT_FOUND): null at its path and an error, the rest still answers."""

    def __init__(self, message: str, error_type: str) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type


_TOKEN = re.compile(
    r"""(?P<skip>[\s,\ufeff]+|\#[^\n]*)
    |(?P<spread>\.\.\.)
    |(?P<punct>[{}()\[\]:!$=@|&])
    |(?P<string>"(?:[^"\\\n]|\\.)*")
    |(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
    |(?P<name>[_A-Za-z][_0-9A-Za-z]*)""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Var:
    name: str


@dataclass(frozen=True)
class _Enum:
    name: str


@dataclass
class _Field:
    alias: str | None
    name: str
    args: dict[str, Any]
    selections: list[Any] | None
    position: tuple[int, int]

    @property
    def key(self) -> str:
        return self.alias or self.name


@dataclass
class _Spread:
    name: str
    position: tuple[int, int]


@dataclass
class _InlineFragment:
    type_condition: str | None
    selections: list[Any]


@dataclass
class _Operation:
    kind: str
    selections: list[Any]


@dataclass
class _Document:
    operations: list[_Operation]
    fragments: dict[str, tuple[str, list[Any]]]

    def operation(self) -> _Operation:
        if len(self.operations) != 1:
            raise _QueryError("This fake serves documents with exactly one operation")
        operation = self.operations[0]
        if operation.kind != "query":
            raise _QueryError(f"This fake serves queries only, not {operation.kind}")
        return operation


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(source):
            match = _TOKEN.match(source, position)
            if match is None:
                raise _QueryError(f'Parse error on "{source[position]}"', self._where(position))
            kind = match.lastgroup or ""
            if kind != "skip":
                self.tokens.append((kind, match.group(), position))
            position = match.end()
        self.index = 0

    def _where(self, position: int) -> tuple[int, int]:
        line = self.source.count("\n", 0, position) + 1
        return line, position - (self.source.rfind("\n", 0, position) + 1) + 1

    def peek(self) -> tuple[str, str, int]:
        if self.index < len(self.tokens):
            return self.tokens[self.index]
        return ("end", "", len(self.source))

    def take(self, value: str | None = None, kind: str | None = None) -> tuple[str, str, int]:
        token = self.peek()
        if (
            token[0] == "end"
            or (value is not None and token[1] != value)
            or (kind is not None and token[0] != kind)
        ):
            expected = value or kind or "more"
            shown = token[1] or "end of query"
            raise _QueryError(
                f'Parse error on "{shown}" (expected {expected})', self._where(token[2])
            )
        self.index += 1
        return token

    def at(self, value: str) -> bool:
        return self.peek()[1] == value and self.peek()[0] != "string"

    def document(self) -> _Document:
        operations: list[_Operation] = []
        fragments: dict[str, tuple[str, list[Any]]] = {}
        while self.peek()[0] != "end":
            if self.at("{"):
                operations.append(_Operation("query", self.selection_set()))
            elif self.at("fragment"):
                self.take()
                name = self.take(kind="name")[1]
                self.take("on")
                type_condition = self.take(kind="name")[1]
                fragments[name] = (type_condition, self.selection_set())
            elif self.peek()[1] in ("query", "mutation", "subscription"):
                kind = self.take()[1]
                if self.peek()[0] == "name":
                    self.take()
                if self.at("("):
                    self.variable_definitions()
                operations.append(_Operation(kind, self.selection_set()))
            else:
                self.take("query")
        return _Document(operations, fragments)

    def variable_definitions(self) -> None:
        self.take("(")
        while not self.at(")"):
            self.take("$")
            self.take(kind="name")
            self.take(":")
            self.type_reference()
            if self.at("="):
                self.take()
                self.value()
        self.take(")")

    def type_reference(self) -> None:
        if self.at("["):
            self.take()
            self.type_reference()
            self.take("]")
        else:
            self.take(kind="name")
        if self.at("!"):
            self.take()

    def selection_set(self) -> list[Any]:
        self.take("{")
        selections: list[Any] = []
        while not self.at("}"):
            selections.append(self.selection())
        self.take("}")
        if not selections:
            raise _QueryError("Parse error: empty selection set")
        return selections

    def selection(self) -> Any:
        token = self.peek()
        if token[0] == "spread":
            self.take()
            if self.at("on") or self.at("{"):
                type_condition = None
                if self.at("on"):
                    self.take()
                    type_condition = self.take(kind="name")[1]
                return _InlineFragment(type_condition, self.selection_set())
            return _Spread(self.take(kind="name")[1], self._where(token[2]))
        name = self.take(kind="name")[1]
        alias = None
        if self.at(":"):
            self.take()
            alias, name = name, self.take(kind="name")[1]
        args: dict[str, Any] = {}
        if self.at("("):
            self.take()
            while not self.at(")"):
                arg = self.take(kind="name")[1]
                self.take(":")
                args[arg] = self.value()
            self.take(")")
        selections = self.selection_set() if self.at("{") else None
        return _Field(alias, name, args, selections, self._where(token[2]))

    def value(self) -> Any:
        kind, text, _ = self.peek()
        if kind == "string":
            self.take()
            return json.loads(text)
        if kind == "number":
            self.take()
            return float(text) if any(c in text for c in ".eE") else int(text)
        if text == "$" and kind == "punct":
            self.take()
            return _Var(self.take(kind="name")[1])
        if text == "[" and kind == "punct":
            self.take()
            items = []
            while not self.at("]"):
                items.append(self.value())
            self.take("]")
            return items
        if text == "{" and kind == "punct":
            self.take()
            fields = {}
            while not self.at("}"):
                name = self.take(kind="name")[1]
                self.take(":")
                fields[name] = self.value()
            self.take("}")
            return fields
        name = self.take(kind="name")[1]
        return {"true": True, "false": False, "null": None}.get(name, _Enum(name))


def _parse(source: str) -> _Document:
    return _Parser(source).document()


def _evaluate(value: Any, variables: dict[str, Any]) -> Any:
    if isinstance(value, _Var):
        return variables.get(value.name)
    if isinstance(value, _Enum):
        return value.name
    if isinstance(value, list):
        return [_evaluate(item, variables) for item in value]
    if isinstance(value, dict):
        return {name: _evaluate(item, variables) for name, item in value.items()}
    return value


# --- GraphQL: the schema subset -----------------------------------------------------------------

Resolver = Callable[["_Executor", Any, dict[str, Any]], Any]


@dataclass(frozen=True)
class _FieldSpec:
    type: str | None  # an object type name; None for a scalar or enum
    resolve: Resolver
    args: frozenset[str] = frozenset()
    is_list: bool = False
    connection: bool = False  # paginated: needs first or last, at most 100


def _key(name: str) -> _FieldSpec:
    return _FieldSpec(None, lambda ex, obj, args: obj[name])


def _object(type_name: str, name: str, is_list: bool = False) -> _FieldSpec:
    return _FieldSpec(type_name, lambda ex, obj, args: obj[name], is_list=is_list)


_CONNECTION_ARGS = frozenset({"first", "last", "after", "before"})

_SCHEMA: dict[str, dict[str, _FieldSpec]] = {
    "Query": {
        "repository": _FieldSpec(
            "Repository",
            lambda ex, obj, args: ex.repository(args["owner"], args["name"]),
            frozenset({"owner", "name", "followRenames"}),
        ),
        "viewer": _FieldSpec("User", lambda ex, obj, args: {"login": ex.fake.login}),
        "rateLimit": _FieldSpec(
            "RateLimit", lambda ex, obj, args: ex.rate_limit(), frozenset({"dryRun"})
        ),
    },
    "RateLimit": {
        name: _key(name) for name in ("cost", "limit", "nodeCount", "remaining", "resetAt", "used")
    },
    "User": {"login": _key("login")},
    "Actor": {"login": _key("login")},
    "Repository": {
        "name": _FieldSpec(None, lambda ex, repo, args: repo.name),
        "nameWithOwner": _FieldSpec(None, lambda ex, repo, args: repo.full_name),
        "url": _FieldSpec(None, lambda ex, repo, args: f"https://github.com/{repo.full_name}"),
        "isPrivate": _FieldSpec(None, lambda ex, repo, args: repo.private),
        "isFork": _FieldSpec(None, lambda ex, repo, args: repo.fork),
        "isArchived": _FieldSpec(None, lambda ex, repo, args: repo.archived),
        "owner": _FieldSpec("Actor", lambda ex, repo, args: {"login": repo.owner}),
        "pullRequest": _FieldSpec(
            "PullRequest",
            lambda ex, repo, args: ex.pull_request(repo, args["number"]),
            frozenset({"number"}),
        ),
        "pullRequests": _FieldSpec(
            "PullRequestConnection",
            lambda ex, repo, args: ex.pull_requests(repo, args),
            _CONNECTION_ARGS | {"states", "orderBy", "labels", "baseRefName", "headRefName"},
            connection=True,
        ),
    },
    "PullRequestConnection": {
        "totalCount": _key("totalCount"),
        "pageInfo": _object("PageInfo", "pageInfo"),
        "nodes": _object("PullRequest", "nodes", is_list=True),
        "edges": _object("PullRequestEdge", "edges", is_list=True),
    },
    "PullRequestEdge": {"cursor": _key("cursor"), "node": _object("PullRequest", "node")},
    "PageInfo": {
        name: _key(name) for name in ("hasNextPage", "hasPreviousPage", "startCursor", "endCursor")
    },
    "PullRequest": {
        "number": _FieldSpec(None, lambda ex, pr, args: pr.number),
        "title": _FieldSpec(None, lambda ex, pr, args: pr.title),
        "url": _FieldSpec(None, lambda ex, pr, args: pr.html_url),
        "state": _FieldSpec(None, lambda ex, pr, args: pr.graphql_state),
        "isDraft": _FieldSpec(None, lambda ex, pr, args: pr.draft),
        "merged": _FieldSpec(None, lambda ex, pr, args: pr.merged_at is not None),
        "closed": _FieldSpec(None, lambda ex, pr, args: pr.state == "closed"),
        "mergedAt": _FieldSpec(None, lambda ex, pr, args: _iso(pr.merged_at)),
        "closedAt": _FieldSpec(None, lambda ex, pr, args: _iso(pr.closed_at)),
        "createdAt": _FieldSpec(None, lambda ex, pr, args: _iso(pr.created_at)),
        "updatedAt": _FieldSpec(None, lambda ex, pr, args: _iso(pr.updated_at)),
        "reviewDecision": _FieldSpec(None, lambda ex, pr, args: _review_decision(ex, pr)),
        "latestOpinionatedReviews": _FieldSpec(
            "PullRequestReviewConnection",
            lambda ex, pr, args: _reviews(ex, pr, args),
            _CONNECTION_ARGS | {"writersOnly"},
            connection=True,
        ),
        "author": _FieldSpec(
            "Actor", lambda ex, pr, args: {"login": pr.author} if pr.author else None
        ),
        "repository": _FieldSpec(
            "Repository", lambda ex, pr, args: ex.fake._repo(f"{pr.owner}/{pr.repo}")
        ),
        "statusCheckRollup": _FieldSpec("StatusCheckRollup", lambda ex, pr, args: _rollup(pr)),
        "commits": _FieldSpec(
            "PullRequestCommitConnection",
            lambda ex, pr, args: _commits(ex, pr),
            _CONNECTION_ARGS,
            connection=True,
        ),
    },
    "PullRequestCommitConnection": {
        "totalCount": _key("totalCount"),
        "nodes": _object("PullRequestCommit", "nodes", is_list=True),
    },
    "PullRequestCommit": {"commit": _object("Commit", "commit")},
    "PullRequestReviewConnection": {
        "totalCount": _key("totalCount"),
        "nodes": _object("PullRequestReview", "nodes", is_list=True),
    },
    "PullRequestReview": {"state": _key("state"), "author": _object("Actor", "author")},
    "Commit": {
        "oid": _key("oid"),
        "statusCheckRollup": _object("StatusCheckRollup", "statusCheckRollup"),
    },
    "StatusCheckRollup": {"state": _key("state")},
}
_ISSUE_ORDER_FIELDS = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at", "COMMENTS": "number"}


def _rollup(pull: FakePull) -> dict[str, str] | None:
    return None if pull.ci is None else {"state": pull.ci.upper()}


def _commits(ex: _Executor, pull: FakePull) -> dict[str, Any]:
    commit = {"oid": pull.head_sha, "statusCheckRollup": _rollup(pull)}
    return {"totalCount": 1, "nodes": ex.nodes([{"commit": commit}])}


def _review_decision(ex: _Executor, pull: FakePull) -> str | None:
    repo = ex.fake._repo(f"{pull.owner}/{pull.repo}")
    return pull.review_decision if repo is not None and repo.requires_review else None


def _reviews(ex: _Executor, pull: FakePull, args: dict[str, Any]) -> dict[str, Any]:
    reviews = [
        {"state": state, "author": {"login": f"reviewer{index}"}}
        for index, state in enumerate(pull.reviews, start=1)
    ]
    if args.get("first") is not None:
        reviews = reviews[: args["first"]]
    if args.get("last") is not None:
        reviews = reviews[-args["last"] :] if args["last"] else []
    return {"totalCount": len(pull.reviews), "nodes": ex.nodes(reviews)}


def _fields(selections: Sequence[Any], type_name: str, document: _Document) -> Iterator[_Field]:
    """The fields of a selection set with fragments spread, for an object of `type_name`."""
    for selection in selections:
        if isinstance(selection, _Field):
            yield selection
        elif isinstance(selection, _Spread):
            if selection.name not in document.fragments:
                raise _QueryError(
                    f"Fragment {selection.name} was used, but not defined", selection.position
                )
            condition, inner = document.fragments[selection.name]
            if condition == type_name:
                yield from _fields(inner, type_name, document)
        elif selection.type_condition in (None, type_name):
            yield from _fields(selection.selections, type_name, document)


def _validate(type_name: str, selections: Sequence[Any], document: _Document) -> None:
    for spread in selections:
        if isinstance(spread, _Spread) and spread.name in document.fragments:
            condition = document.fragments[spread.name][0]
            if condition != type_name:
                raise _QueryError(
                    f"Fragment {spread.name} on {condition} can't be spread inside {type_name}",
                    spread.position,
                )
    for selected in _fields(selections, type_name, document):
        if selected.name == "__typename":
            continue
        spec = _SCHEMA[type_name].get(selected.name)
        if spec is None:
            raise _QueryError(
                f"Field '{selected.name}' doesn't exist on type '{type_name}'",
                selected.position,
                extensions={
                    "code": "undefinedField",
                    "typeName": type_name,
                    "fieldName": selected.name,
                },
            )
        for arg in selected.args:
            if arg not in spec.args:
                raise _QueryError(
                    f"Field '{selected.name}' doesn't accept argument '{arg}'", selected.position
                )
        if spec.connection:
            _check_page_size(selected)
        if spec.type is None and selected.selections:
            raise _QueryError(
                f"Selections can't be made on scalars (field '{selected.name}')", selected.position
            )
        if spec.type is not None:
            if not selected.selections:
                raise _QueryError(
                    f"Field must have selections (field '{selected.name}' returns {spec.type} "
                    "but has no selections.)",
                    selected.position,
                )
            _validate(spec.type, selected.selections, document)


def _check_page_size(selected: _Field) -> None:
    sizes = {name: selected.args.get(name) for name in ("first", "last")}
    given = {name: size for name, size in sizes.items() if size is not None}
    if not given:
        raise _QueryError(
            f"You must provide a `first` or `last` value to properly paginate the "
            f"`{selected.name}` connection.",
            selected.position,
            type="MISSING_PAGINATION_BOUNDARIES",
        )
    for name, size in given.items():
        if isinstance(size, int) and not 0 <= size <= 100:
            raise _QueryError(
                f"Requesting {size} records on the `{selected.name}` connection exceeds the "
                f"`{name}` limit of 100 records.",
                selected.position,
                type="EXCESSIVE_PAGINATION",
            )


def _requests_needed(
    type_name: str, selections: Sequence[Any], document: _Document, multiplier: int
) -> int:
    """GitHub's cost rule: each connection costs one request per parent it is fetched for."""
    total = 0
    for selected in _fields(selections, type_name, document):
        spec = _SCHEMA[type_name].get(selected.name)
        if spec is None or spec.type is None or not selected.selections:
            continue
        inner = multiplier
        if spec.connection:
            total += multiplier
            size = selected.args.get("first") or selected.args.get("last") or 0
            inner = multiplier * (size if isinstance(size, int) else 100)
        total += _requests_needed(spec.type, selected.selections, document, inner)
    return total


class _Executor:
    fake: FakeGitHub

    def __init__(
        self, fake: FakeGitHub, document: _Document, variables: dict[str, Any], cost: int
    ) -> None:
        self.fake = fake
        self.document = document
        self.variables = variables
        self.cost = cost
        self.errors: list[dict[str, Any]] = []

    def select(
        self, type_name: str, obj: Any, selections: Sequence[Any], path: list[str | int]
    ) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for selected in _fields(selections, type_name, self.document):
            if selected.name == "__typename":
                result[selected.key] = type_name
                continue
            spec = _SCHEMA[type_name][selected.name]
            args = {name: _evaluate(value, self.variables) for name, value in selected.args.items()}
            here = [*path, selected.key]
            try:
                value = spec.resolve(self, obj, args)
            except _FieldError as error:
                line, column = selected.position
                self.errors.append(
                    {
                        "type": error.error_type,
                        "path": here,
                        "locations": [{"line": line, "column": column}],
                        "message": error.message,
                    }
                )
                result[selected.key] = None
                continue
            result[selected.key] = self.complete(spec, value, selected, here)
        return result

    def complete(
        self, spec: _FieldSpec, value: Any, selected: _Field, path: list[str | int]
    ) -> Any:
        if value is None or spec.type is None or selected.selections is None:
            return value
        if spec.is_list:
            return [
                None
                if item is None
                else self.select(spec.type, item, selected.selections, [*path, index])
                for index, item in enumerate(value)
            ]
        return self.select(spec.type, value, selected.selections, path)

    def nodes(self, items: list[Any]) -> list[Any]:
        """A `nodes` list as GitHub may answer it: with a null at its head when asked to."""
        return [None, *items] if self.fake.null_nodes else items

    # --- resolvers --------------------------------------------------------------------------

    def repository(self, owner: str, name: str) -> FakeRepo:
        repo = self.fake._repo(f"{owner}/{name}")
        if repo is None or repo.private:
            raise _FieldError(
                f"Could not resolve to a Repository with the name '{owner}/{name}'.", "NOT_FOUND"
            )
        return repo

    def pull_request(self, repo: FakeRepo, number: int) -> FakePull:
        pull = repo.pulls.get(number)
        if pull is None:
            raise _FieldError(
                f"Could not resolve to a PullRequest with the number of {number}.", "NOT_FOUND"
            )
        return pull

    def pull_requests(self, repo: FakeRepo, args: dict[str, Any]) -> dict[str, Any]:
        states = set(args.get("states") or ["OPEN", "CLOSED", "MERGED"])
        pulls = [p for p in repo.pulls.values() if p.graphql_state in states]
        order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
        attribute = _ISSUE_ORDER_FIELDS[order.get("field", "CREATED_AT")]
        pulls.sort(
            key=lambda p: (getattr(p, attribute), p.number),
            reverse=order.get("direction") == "DESC",
        )
        start, end = 0, len(pulls)
        if args.get("after"):
            start = _decode_cursor(args["after"]) + 1
        if args.get("before"):
            end = _decode_cursor(args["before"])
        if args.get("first") is not None:
            end = min(end, start + args["first"])
        if args.get("last") is not None:
            start = max(start, end - args["last"])
        window = list(enumerate(pulls))[start:end]
        edges = [{"cursor": _encode_cursor(index), "node": pull} for index, pull in window]
        return {
            "totalCount": len(pulls),
            "nodes": self.nodes([pull for _, pull in window]),
            "edges": edges,
            "pageInfo": {
                "hasNextPage": end < len(pulls),
                "hasPreviousPage": start > 0,
                "startCursor": edges[0]["cursor"] if edges else None,
                "endCursor": edges[-1]["cursor"] if edges else None,
            },
        }

    def rate_limit(self) -> dict[str, Any]:
        remaining = self.fake.graphql_remaining
        return {
            "cost": self.cost,
            "limit": RATE_LIMIT,
            "nodeCount": 0,
            "remaining": remaining,
            "used": RATE_LIMIT - remaining,
            "resetAt": datetime.fromtimestamp(self.fake.reset_at, UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
        }


def _encode_cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _decode_cursor(cursor: str) -> int:
    try:
        return int(base64.b64decode(cursor).decode().rsplit(":", 1)[1])
    except (ValueError, IndexError):
        raise _QueryError(f"`{cursor}` does not appear to be a valid cursor.") from None


def usage_items(
    org: str,
    month_minutes: dict[date, float],
    *,
    sku: str = "Actions Linux",
    price: float = 0.006,
    discounted: bool = True,
    days: int = 1,
) -> list[UsageItem]:
    """Usage lines for `org`: each month's minutes spread over `days` daily lines at `price`."""
    items = []
    for month, minutes in month_minutes.items():
        for day in range(days):
            quantity = minutes / days
            gross = round(quantity * price, 6)
            items.append(
                UsageItem(
                    date=month.replace(day=day + 1),
                    product="actions",
                    sku=sku,
                    quantity=quantity,
                    unit_type="minutes",
                    price_per_unit=price,
                    gross_amount=gross,
                    discount_amount=gross if discounted else 0.0,
                    net_amount=0.0 if discounted else gross,
                    organization_name=org,
                    repository_name=f"{org}/api",
                )
            )
    return items


def daily_usage(
    org: str,
    months: Sequence[tuple[int, int]],
    *,
    repos: Sequence[str],
    skus: int = 20,
    seed: int = 0,
    last_day: date | None = None,
) -> list[UsageItem]:
    """GitHub's daily usage lines: every repository × `skus` SKUs (Linux, Windows and macOS
    runner sizes, and storage) every day of `months`, up to `last_day`, as the observed report
    has them (bare repository names, float quantities, GitHub's own amounts per line)."""
    rng = random.Random(seed)
    kinds = [
        ("Actions Linux", "minutes", 0.006),
        ("Actions Linux 4-core", "minutes", 0.012),
        ("Actions Windows", "minutes", 0.010),
        ("Actions macOS", "minutes", 0.062),
        ("Actions storage", "GigabyteHours", 0.00033),
    ]
    names = [(kinds[i % len(kinds)][0] + (f" {i // len(kinds)}" if i >= len(kinds) else ""),
              *kinds[i % len(kinds)][1:]) for i in range(skus)]  # fmt: skip
    items = []
    for year, month in months:
        days = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
        for day in range(1, days + 1):
            when = date(year, month, day)
            if last_day is not None and when > last_day:
                break
            for repo in repos:
                for sku, unit, price in names:
                    quantity = (
                        float(rng.randint(0, 400)) if unit == "minutes" else rng.uniform(0, 50)
                    )
                    gross = round(quantity * price, 6)
                    discount = gross if rng.random() < 0.7 else 0.0
                    items.append(
                        UsageItem(date=when, product="actions", sku=sku, quantity=quantity,
                                  unit_type=unit, price_per_unit=price, gross_amount=gross,
                                  discount_amount=discount, net_amount=round(gross - discount, 6),
                                  organization_name=org, repository_name=repo)
                    )  # fmt: skip
    return items
