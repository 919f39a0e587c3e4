"""GitHub Actions billing: the usage lines GitHub has, worked into the org's monthly figures and
the CI audit (where the minutes go, repository by repository).

Months are kept in the store (`bot.store.billing`): a month fetched after it ended is not asked
for again within a day (GitHub can still add late lines for a while, so it is asked again after
that, with its ETag: an unchanged month is a 304, which costs no rate limit); the running month is
asked every time, with its ETag.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.store import Store
from digests.billing import build_actions_billing, months_ending
from digests.ci_audit import DEFAULT_JUMP_PERCENT, NO_REPOSITORY, build_ci_audit, repo_name
from digests.models import (
    ActionsBilling,
    BillingAccess,
    BillingUsage,
    CiAudit,
    Fetched,
    UsageMonth,
)

if TYPE_CHECKING:  # httpx (and the CLI it imports) stays out of a server without GITHUB_TOKEN
    from bot.github.client import GitHubClient
    from bot.github.transport import Phase

BILLING_MONTHS = 7  # the running month and the six full months before it
CLOSED_MONTH_KEPT = timedelta(days=1)  # a closed month is not asked again within this


@dataclass(frozen=True)
class UsageFetch:
    """The usage lines of the months wanted, and what it took."""

    usage: Fetched[BillingUsage]
    access: BillingAccess
    asked: int  # months GitHub was asked for (the rest came from the store)


def fetch_usage(
    github: GitHubClient,
    org: str,
    *,
    today: date,
    months: int = BILLING_MONTHS,
    store: Store | None = None,
    now: datetime | None = None,
    phase: Phase | None = None,
    on_month: Callable[[], None] | None = None,
) -> UsageFetch:
    """The org's usage lines for the `months` months ending with the current one, each month
    from the store when it may be (see the module's docstring), else from GitHub. `on_month` is
    called once per month as it is ready (a progress bar)."""
    moment = now or datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    wanted = months_ending((today.year, today.month), months)
    kept = {key: store.get_usage_month(org, *key) for key in wanted} if store else {}
    ready: dict[tuple[int, int], UsageMonth] = {}
    ask: list[tuple[int, int, str | None]] = []
    for key in wanted:
        cached = kept.get(key)
        if cached is not None and cached.closed and moment - cached.fetched_at < CLOSED_MONTH_KEPT:
            ready[key] = cached.month
            if on_month is not None:
                on_month()
        else:
            ask.append((*key, cached.month.etag if cached is not None else None))
    fetched = github.fetch_usage_months(
        org, ask, phase=phase, on_month=(lambda _: on_month()) if on_month else None
    )
    for answer in fetched.data.months:
        key = (answer.year, answer.month)
        closed = moment >= _month_end(key)
        cached = kept.get(key)
        if answer.not_modified and cached is not None:
            ready[key] = cached.month
            if store is not None:
                store.save_usage_month_confirmed(org, *key, closed=closed, now=moment)
        else:
            ready[key] = answer
            if store is not None:
                store.save_usage_month(org, answer, closed=closed, now=moment)
    got = sorted(ready)
    usage = BillingUsage(
        org=org,
        items=tuple(item for key in got for item in ready[key].items),
        months=tuple(got),
    )
    return UsageFetch(
        usage=Fetched(data=usage, problem=fetched.problem, requests=fetched.requests),
        access=fetched.data.access,
        asked=len(ask),
    )


def fetch_actions_billing(
    github: GitHubClient,
    org: str,
    *,
    today: date,
    months: int = BILLING_MONTHS,
    store: Store | None = None,
    now: datetime | None = None,
    phase: Phase | None = None,
) -> Fetched[ActionsBilling]:
    """The org's Actions minutes and dollars per month; `problem` says what could not be read."""
    usage = fetch_usage(
        github, org, today=today, months=months, store=store, now=now, phase=phase
    ).usage
    return actions_billing(usage, today=today)


def actions_billing(usage: Fetched[BillingUsage], *, today: date) -> Fetched[ActionsBilling]:
    """The org's monthly figures from the usage lines fetched, with what could not be read."""
    return Fetched(
        data=build_actions_billing(usage, today=today),
        problem=usage.problem,
        requests=usage.requests,
    )


def fetch_ci_audit(
    github: GitHubClient,
    usage: Fetched[BillingUsage],
    *,
    today: date,
    jump_percent: int = DEFAULT_JUMP_PERCENT,
    phase: Phase | None = None,
) -> Fetched[CiAudit]:
    """The CI audit of `usage`: its forks (`GET /orgs/{org}/repos?type=forks`, ETag-cached) and
    whether the repositories that used minutes are archived (one GraphQL request per 100). When
    those cannot be read the figures stand and no repository is flagged as a fork or archived."""
    org = usage.data.org
    requests = 0
    problem = None
    forks = states = None
    # The org's own repositories that used anything (another owner's are not the org's to flag).
    names = {repo_name(item.repository_name, org) for item in usage.data.items}
    named = sorted(name for name in names if name != NO_REPOSITORY and "/" not in name)
    if usage.data.months:
        listed = github.fetch_forks(org, phase=phase)
        requests += listed.requests
        if listed.problem is None:
            forks = listed.data
            looked_up = github.fetch_repo_states(org, named, phase=phase)
            requests += looked_up.requests
            if looked_up.problem is None:
                states = looked_up.data
            else:
                problem = f"archived repositories not checked: {looked_up.problem}"
        else:
            problem = f"forks not checked: {listed.problem}"
    audit = build_ci_audit(
        usage.data,
        today=today,
        forks=forks,
        states=states,
        jump_percent=jump_percent,
        problem=usage.problem or problem,
    )
    return Fetched(data=audit, problem=audit.problem, requests=requests)


def _month_end(key: tuple[int, int]) -> datetime:
    year, month = key
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return datetime.combine(first_of_next, datetime.min.time(), tzinfo=UTC)
