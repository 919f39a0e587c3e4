"""GitHub's JSON answers → models. Pure: no I/O, and nothing here raises past its callers
except on an answer of the wrong shape (KeyError, TypeError or ValueError, which they catch)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from digests.billing import UsageSums
from digests.models import (
    CiState,
    PullRequest,
    PullRequestLookup,
    PullRequestRef,
    PullRequestState,
    ReviewDecision,
    UsageItem,
)

NOT_FOUND = "not found or no access"
_NO_ACCESS_TYPES = frozenset({"NOT_FOUND", "FORBIDDEN"})
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
    return [
        UsageItem(**{name: getattr(row, name) for name in _UsageRow.__slots__})
        for row in _usage_rows(payload)
    ]


def sum_usage_month(payload: Any, year: int, month: int) -> list[UsageItem]:
    """A month's answer summed per month, SKU and repository (`digests.billing.sum_usage_lines`)
    straight from GitHub's rows: a large org's month is tens of thousands of daily lines, and a
    model for each would cost more than the sums. Lines of other months are left out, so an
    answer spanning more cannot count twice."""
    sums = UsageSums()
    for row in _usage_rows(payload):
        if (row.date.year, row.date.month) == (year, month):
            sums.add(row)
    return sums.lines()


@dataclass(frozen=True, slots=True)
class _UsageRow:
    """A usage line as read, named as `UsageItem`'s fields (a `digests.billing.UsageLine`)."""

    date: date
    product: str
    sku: str
    unit_type: str
    quantity: float
    price_per_unit: float
    gross_amount: float
    discount_amount: float
    net_amount: float
    organization_name: str | None
    repository_name: str | None


def _usage_rows(payload: Any) -> Iterator[_UsageRow]:
    rows = payload.get("usageItems") if isinstance(payload, dict) else payload
    if rows is None:
        return
    if not isinstance(rows, list):
        raise ValueError("usageItems is not a list")
    for row in rows:
        if not isinstance(row, dict):
            continue  # a null line carries nothing to count
        quantity = float(row.get("quantity") or 0)
        price = float(row.get("pricePerUnit") or 0)
        gross = _amount(row.get("grossAmount"), quantity * price)
        discount = _amount(row.get("discountAmount"), 0.0)
        organization = row.get("organizationName")
        repository = row.get("repositoryName")
        yield _UsageRow(
            date=parse_date(str(row["date"])),
            product=str(row.get("product") or "").casefold(),
            sku=str(row.get("sku") or ""),
            unit_type=str(row.get("unitType") or ""),
            quantity=quantity,
            price_per_unit=price,
            gross_amount=gross,
            discount_amount=discount,
            net_amount=_amount(row.get("netAmount"), gross - discount),
            organization_name=str(organization) if organization else None,
            repository_name=str(repository) if repository else None,
        )


def nodes_of(connection: Any) -> list[dict[str, Any]]:
    """A connection's `nodes`, without the nulls GitHub's schema allows in the list."""
    nodes = connection.get("nodes") if isinstance(connection, dict) else None
    return [node for node in nodes or [] if isinstance(node, dict)]


def review_decision(node: dict[str, Any]) -> ReviewDecision | None:
    """GitHub's `reviewDecision`; where it is null (no review required by the repository's
    rules) the latest opinionated reviews decide: any "changes requested" wins, else any
    approval; no reviews is no decision."""
    decision = _REVIEW_DECISIONS.get(node.get("reviewDecision") or "")
    if decision is not None:
        return decision
    states = {review.get("state") for review in nodes_of(node.get("latestOpinionatedReviews"))}
    if "CHANGES_REQUESTED" in states:
        return "changes_requested"
    if "APPROVED" in states:
        return "approved"
    return None


def parse_pull_request(owner: str, repo: str, node: dict[str, Any]) -> PullRequest:
    commits = nodes_of(node.get("commits"))
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
        review_decision=review_decision(node),
        author=author.get("login") if isinstance(author, dict) else None,  # None: a deleted user
        created_at=parse_datetime(node["createdAt"]),
        updated_at=parse_datetime(node["updatedAt"]),
        merged_at=parse_datetime(node["mergedAt"]) if node.get("mergedAt") else None,
        closed_at=parse_datetime(node["closedAt"]) if node.get("closedAt") else None,
    )


def parse_lookup(ref: PullRequestRef, node: Any, error: dict[str, Any] | None) -> PullRequestLookup:
    if not isinstance(node, dict):
        return PullRequestLookup(ref=ref, problem=error_problem(error))
    try:
        return PullRequestLookup(
            ref=ref, pull_request=parse_pull_request(ref.owner, ref.repo, node)
        )
    except (KeyError, TypeError, ValueError) as parse_error:
        return PullRequestLookup(
            ref=ref, problem=f"unexpected answer from GitHub ({parse_error!r})"
        )


def error_problem(error: dict[str, Any] | None) -> str:
    if error is None or error.get("type") in _NO_ACCESS_TYPES:
        return NOT_FOUND
    return str(error.get("message") or NOT_FOUND)


def errors_by_path(body: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    errors: dict[tuple[str, ...], dict[str, Any]] = {}
    for error in body.get("errors") or []:
        if isinstance(error, dict) and isinstance(error.get("path"), list):
            errors.setdefault(tuple(str(part) for part in error["path"]), error)
    return errors


def parse_datetime(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: str) -> date:
    if "T" in value:
        return parse_datetime(value).astimezone(UTC).date()
    return date.fromisoformat(value)


def _amount(value: Any, default: float) -> float:
    return default if value is None else float(value)
