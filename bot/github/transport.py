"""The wire to GitHub: one request path with its retry policy, rate limits and ETag cache.

- 5xx, timeouts and connection errors: up to MAX_ATTEMPTS tries, exponential backoff.
- Primary rate limit (403/429 with `x-ratelimit-remaining: 0`, or a GraphQL `RATE_LIMITED` error on
  a 200): wait until `x-ratelimit-reset` when that is within `max_wait`, else give up and say until
  when. Secondary limit (403/429 with `retry-after`, or naming the secondary limit): honour
  `retry-after` within `max_wait` (60 s when GitHub gives no figure).
- REST GETs carry `If-None-Match` from the ETag cache; a 304 reuses the cached body (and costs no
  rate limit). GraphQL POSTs cannot be cached.

- A `Phase` groups the requests of one job (the GitHub part of a digest, a ci-report): one
  deadline for all of them (each try's timeouts and waits are cut to what is left of it) and one
  verdict. Once GitHub has clearly failed (MAX_ATTEMPTS tries in a row unanswered, with a
  backoff among them, or the deadline passed) nothing more is sent in that phase: every request
  still waiting or retrying fails at once with the same problem.
- At most `max_in_flight` requests are on the wire at once, across threads (GitHub asks for a
  handful at most; its secondary limits punish more).

Whatever fails raises `GiveUp`, whose `problem` says why in words for the digest.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx

from bot.config import Settings
from bot.github.parse import parse_datetime

log = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
USER_AGENT = "standup-bot (+https://github.com/standup-bot)"
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 1.0  # 1, 2, 4 s between tries
SECONDARY_LIMIT_WAIT = 60.0  # GitHub's advice when a secondary limit names no retry-after
MAX_IN_FLIGHT = 4  # requests on the wire at once: "a handful" is GitHub's polite concurrency
_RATE_LIMIT_TYPES = frozenset({"RATE_LIMITED", "RATE_LIMIT"})


class HttpCache(Protocol):
    """Where ETags and bodies of REST answers are kept (the SQLite store implements this)."""

    def get_http_cache(self, key: str) -> tuple[str, bytes] | None: ...  # (etag, body)

    def save_http_cache(self, key: str, etag: str, body: bytes) -> None: ...


class GiveUp(Exception):
    """This fetch cannot go on; `problem` says why in words for the digest."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass
class Tally:
    """Requests one fetch made (for the benchmarks and `Fetched.requests`); threads share it."""

    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self) -> None:
        with self._lock:
            self.requests += 1


class Phase:
    """One deadline and one verdict for the requests of one job (see the module's docstring).

    `seconds=None`: no deadline (a fetch on its own). Thread-safe: a phase's requests may run in
    several threads. `down` is the problem once GitHub has clearly failed in this phase.
    """

    def __init__(
        self, seconds: float | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self._clock = clock
        self._deadline = None if seconds is None else clock() + seconds
        self._lock = threading.Lock()
        self._failures = 0  # tries in a row GitHub did not answer (5xx, timeouts, no connection)
        self._retried = False  # one of them was a retry, after a backoff
        self.down: str | None = None

    def remaining(self) -> float | None:
        return None if self._deadline is None else self._deadline - self._clock()

    def check(self, last_problem: str | None = None) -> None:
        """Raise GiveUp when nothing more may be sent in this phase."""
        with self._lock:
            expired = self._deadline is not None and self._deadline - self._clock() <= 0
            if self.down is None and expired:
                self.down = self._deadline_problem(last_problem)
            if self.down is not None:
                raise GiveUp(self.down)

    def trip(self, problem: str) -> None:
        """GitHub has clearly failed: the first reason given stays the phase's."""
        with self._lock:
            if self.down is None:
                self.down = problem

    def answered(self) -> None:
        with self._lock:
            self._failures = 0
            self._retried = False

    def unanswered(self, attempt: int, problem: str) -> None:
        """A try GitHub did not answer; enough of them in a row, one after a backoff, and the
        phase is down (a blip of a few concurrent 5xx is not enough)."""
        with self._lock:
            self._failures += 1
            self._retried = self._retried or attempt > 1
            if self.down is None and self._failures >= MAX_ATTEMPTS and self._retried:
                self.down = f"{problem} after {self._failures} tries"

    def _deadline_problem(self, last_problem: str | None) -> str:
        limit = f"no answer within the {self.seconds:g} s this job gives GitHub"
        return f"{last_problem}; {limit}" if last_problem else f"GitHub gave {limit}"


@dataclass
class _GraphQLRateLimit:
    cost: int
    remaining: int
    reset_at: float  # epoch seconds


@dataclass
class _Verdict:
    wait: float | None = None  # retry after this many seconds
    problem: str | None = None  # the reason, for a retry or for giving up
    final: bool = False  # give up now


class GitHubTransport:
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
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        token = settings.secret("github_token")
        self.has_token: bool = bool(token)
        self._api_url = settings.github_api_url.rstrip("/")
        self._graphql_url = settings.graphql_url
        self._cache = cache
        self._sleep = sleep
        self._max_wait = max_wait
        self._clock = clock
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._rate_limit: _GraphQLRateLimit | None = None
        self._rate_lock = threading.Lock()
        self._in_flight = threading.BoundedSemaphore(max(max_in_flight, 1))
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

    def close(self) -> None:
        self._http.close()

    def graphql(self, query: str, tally: Tally, phase: Phase | None = None) -> dict[str, Any]:
        """POST a query; the parsed body when it has data. Raises GiveUp otherwise."""
        phase = phase or Phase()
        self._wait_for_graphql_points(phase)
        response = self._send(
            "POST", self._graphql_url, tally, phase, json={"query": query}, graphql=True
        )
        if response.status_code != 200:
            raise GiveUp(f"GitHub GraphQL answered {response.status_code}{_message(response)}")
        body = _json(response)
        if not isinstance(body, dict):
            raise GiveUp("unexpected GraphQL answer from GitHub")
        self._remember_rate_limit(body)
        if not isinstance(body.get("data"), dict):
            errors = body.get("errors") or [{}]
            raise GiveUp(f"GitHub GraphQL error: {errors[0].get('message', 'no data')}")
        return body

    def rest_get(
        self,
        path: str,
        params: dict[str, int | str],
        tally: Tally,
        phase: Phase | None = None,
    ) -> tuple[int, Any]:
        """GET with the ETag cache: (status, parsed JSON). A 304 reports 200 and the cached body."""
        url = self._api_url + path
        key = url + ("?" + urlencode(sorted(params.items())) if params else "")
        cached = self._cached(key)
        headers = {"If-None-Match": cached[0]} if cached else {}
        response = self._send("GET", url, tally, phase or Phase(), params=params, headers=headers)
        if response.status_code == 304 and cached is not None:
            return 200, _json_bytes(cached[1])
        if response.status_code == 200 and (etag := response.headers.get("etag")):
            self._store(key, etag, response.content)
        if not response.content:
            return response.status_code, None
        return response.status_code, _json(response)

    def rest_get_conditional(
        self,
        path: str,
        params: dict[str, int | str],
        tally: Tally,
        phase: Phase | None = None,
        *,
        etag: str | None = None,
    ) -> tuple[int, Any, str | None]:
        """GET with the caller's own ETag, bypassing the HTTP cache (for answers the caller keeps
        in its own form, such as a month of billing lines): (status, parsed JSON or None for a
        304, the answer's ETag)."""
        headers = {"If-None-Match": etag} if etag else {}
        response = self._send(
            "GET", self._api_url + path, tally, phase or Phase(), params=params, headers=headers
        )
        answered_etag = response.headers.get("etag") or (
            etag if response.status_code == 304 else None
        )
        if response.status_code == 304 or not response.content:
            return response.status_code, None, answered_etag
        return response.status_code, _json(response), answered_etag

    def _send(
        self,
        method: str,
        url: str,
        tally: Tally,
        phase: Phase,
        *,
        params: dict[str, int | str] | None = None,
        headers: dict[str, str] | None = None,
        json: Any = None,
        graphql: bool = False,
    ) -> httpx.Response:
        """One logical request, with retries and rate-limit waits, within `phase`. Raises GiveUp."""
        verdict = _Verdict()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            phase.check(verdict.problem)
            tally.count()
            unanswered = True
            try:
                response = self._request(method, url, phase, params, headers, json)
            except httpx.TimeoutException as error:
                verdict = self._backoff(attempt, f"GitHub did not answer in time ({_kind(error)})")
            except httpx.TransportError as error:
                verdict = self._backoff(attempt, f"could not reach GitHub ({_kind(error)})")
            else:
                verdict = self._judge(response, attempt, graphql)
                unanswered = response.status_code >= 500
                if verdict.problem is None:
                    phase.answered()
                    return response
            if unanswered:
                assert verdict.problem is not None
                phase.unanswered(attempt, verdict.problem)
            else:
                phase.answered()
            if verdict.final or attempt == MAX_ATTEMPTS or verdict.wait is None:
                break
            phase.check(verdict.problem)
            remaining = phase.remaining()
            if remaining is not None and verdict.wait >= remaining:
                break  # no time left in the phase to wait and try again
            log.info("GitHub: %s; retrying in %.1f s", verdict.problem, verdict.wait)
            self._sleep(verdict.wait)
        problem = verdict.problem or "GitHub request failed"
        if not verdict.final:
            problem += f" after {attempt} {'try' if attempt == 1 else 'tries'}"
        if unanswered:
            phase.trip(problem)  # GitHub itself failed: nothing more is sent in this phase
        log.warning("GitHub %s %s: %s", method, url, problem)
        raise GiveUp(problem)

    def _request(
        self,
        method: str,
        url: str,
        phase: Phase,
        params: dict[str, int | str] | None,
        headers: dict[str, str] | None,
        json: Any,
    ) -> httpx.Response:
        """One try, on the wire within the in-flight limit, its timeouts and its whole body
        bounded by what is left of the phase (a GitHub that dribbles cannot outlast it)."""
        with self._in_flight:
            remaining = phase.remaining()
            timeout = self._timeout
            if remaining is not None:
                timeout = _capped(timeout, remaining)
            request = self._http.build_request(
                method, url, params=params, headers=headers, json=json, timeout=timeout
            )
            response = self._http.send(request, stream=True)
            try:
                chunks = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    left = phase.remaining()
                    if left is not None and left <= 0:
                        raise httpx.ReadTimeout("the phase's deadline passed mid-answer")
            finally:
                response.close()
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=b"".join(chunks),
            request=request,
        )

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
        # Only a body that names a rate limit is parsed here (graphql() parses every answer; a
        # board page can be megabytes): both of _RATE_LIMIT_TYPES contain the bytes.
        if graphql and status == 200 and b"RATE_LIMIT" in response.content:
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

    def _wait_for_graphql_points(self, phase: Phase) -> None:
        """Do not send a query the last answer's `rateLimit` says cannot be paid for."""
        with self._rate_lock:
            limit = self._rate_limit
        if (
            limit is None
            or limit.remaining >= max(limit.cost, 1)
            or limit.reset_at <= self._clock()
        ):
            return
        verdict = self._until_reset(limit.reset_at)
        remaining = phase.remaining()
        if verdict.final or verdict.wait is None:
            raise GiveUp(verdict.problem or "GitHub rate limit exhausted")
        if remaining is not None and verdict.wait >= remaining:
            raise GiveUp(f"{verdict.problem}; no time left to wait for the reset")
        self._sleep(verdict.wait)
        with self._rate_lock:
            self._rate_limit = None

    def _remember_rate_limit(self, body: dict[str, Any]) -> None:
        node = (body.get("data") or {}).get("rateLimit")
        if not isinstance(node, dict):
            return
        try:
            limit: _GraphQLRateLimit | None = _GraphQLRateLimit(
                cost=int(node["cost"]),
                remaining=int(node["remaining"]),
                reset_at=parse_datetime(node["resetAt"]).timestamp(),
            )
        except (KeyError, TypeError, ValueError):
            limit = None
        with self._rate_lock:
            self._rate_limit = limit

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


def _capped(timeout: httpx.Timeout, seconds: float) -> httpx.Timeout:
    """Each of `timeout`'s parts, at most `seconds` (never below a millisecond)."""
    cap = max(seconds, 0.001)

    def part(value: float | None) -> float:
        return cap if value is None else min(value, cap)

    return httpx.Timeout(
        connect=part(timeout.connect),
        read=part(timeout.read),
        write=part(timeout.write),
        pool=part(timeout.pool),
    )


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
        raise GiveUp("GitHub answered something that is not JSON") from None


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
