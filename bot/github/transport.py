"""The wire to GitHub: one request path with its retry policy, rate limits and ETag cache.

- 5xx, timeouts and connection errors: up to MAX_ATTEMPTS tries, exponential backoff.
- Primary rate limit (403/429 with `x-ratelimit-remaining: 0`, or a GraphQL `RATE_LIMITED` error on
  a 200): wait until `x-ratelimit-reset` when that is within `max_wait`, else give up and say until
  when. Secondary limit (403/429 with `retry-after`, or naming the secondary limit): honour
  `retry-after` within `max_wait` (60 s when GitHub gives no figure).
- REST GETs carry `If-None-Match` from the ETag cache; a 304 reuses the cached body (and costs no
  rate limit). GraphQL POSTs cannot be cached.

Whatever fails raises `GiveUp`, whose `problem` says why in words for the digest.
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
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
    """Requests one fetch made (for the benchmarks and `Fetched.requests`)."""

    requests: int = 0


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
    ) -> None:
        token = settings.secret("github_token")
        self.has_token: bool = bool(token)
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

    def close(self) -> None:
        self._http.close()

    def graphql(self, query: str, tally: Tally) -> dict[str, Any]:
        """POST a query; the parsed body when it has data. Raises GiveUp otherwise."""
        self._wait_for_graphql_points()
        response = self._send("POST", self._graphql_url, tally, json={"query": query}, graphql=True)
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

    def rest_get(self, path: str, params: dict[str, int | str], tally: Tally) -> tuple[int, Any]:
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
        tally: Tally,
        *,
        params: dict[str, int | str] | None = None,
        headers: dict[str, str] | None = None,
        json: Any = None,
        graphql: bool = False,
    ) -> httpx.Response:
        """One logical request, with retries and rate-limit waits. Raises GiveUp."""
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
        raise GiveUp(problem)

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
            raise GiveUp(verdict.problem or "GitHub rate limit exhausted")
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
                reset_at=parse_datetime(node["resetAt"]).timestamp(),
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
