"""GitHub Actions billing: the usage lines GitHub has, worked into the org's monthly figures."""

from __future__ import annotations

from datetime import date

from bot.github.client import GitHubClient
from digests.billing import build_actions_billing
from digests.models import ActionsBilling, Fetched

BILLING_MONTHS = 7  # the running month and the six full months before it


def fetch_actions_billing(
    github: GitHubClient, org: str, *, today: date, months: int = BILLING_MONTHS
) -> Fetched[ActionsBilling]:
    """The org's Actions minutes and dollars per month; `problem` says what could not be read."""
    usage = github.fetch_billing_usage(org, today=today, months=months)
    billing = build_actions_billing(usage, today=today)
    return Fetched(data=billing, problem=usage.problem, requests=usage.requests)
