"""The shared vocabulary: frozen pydantic models every layer speaks.

This module imports nothing of ours. Data enters at the edges (Slack payloads, GitHub JSON,
SQLite rows), becomes one of these models there, and the middle only sees these.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- people ---------------------------------------------------------------------------------


class Member(Frozen):
    """A Slack workspace member as the bot knows them."""

    user_id: str
    name: str  # the Slack handle (users.list `name`)
    real_name: str = ""
    display_name: str = ""
    tz: str | None = None
    is_bot: bool = False
    deleted: bool = False
    github_login: str | None = None

    @property
    def label(self) -> str:
        """The name people see in Slack: display name, else real name, else handle."""
        return self.display_name or self.real_name or self.name


# --- what people typed ---------------------------------------------------------------------

EVERYONE = "Everyone"


class PersonRef(Frozen):
    """Who a line of text was addressed to, as resolved against the workspace's members.

    `user_id` is None when the name matched nobody (then `name` is what was typed) or when
    the line was addressed to everyone (`everyone` is True, `name` is "Everyone").
    """

    user_id: str | None = None
    name: str
    everyone: bool = False

    @property
    def resolved(self) -> bool:
        return self.everyone or self.user_id is not None


class AddressedLine(Frozen):
    """One line of the Asks or Follow-ups field: an optional person, then the text."""

    person: PersonRef | None
    text: str


class Ask(Frozen):
    id: int | None = None
    from_user_id: str
    from_name: str = ""
    to_user_id: str | None  # None: unresolved name, or everyone
    to_name: str
    everyone: bool = False
    text: str
    meeting_date: date
    status: Literal["open", "done"] = "open"
    closed_at: datetime | None = None
    closed_by: str | None = None
    dm_channel: str | None = None
    dm_ts: str | None = None


class Standup(Frozen):
    """One person's standup for one meeting cycle. Items are one per line, in order."""

    user_id: str
    user_name: str
    meeting_date: date
    submitted_at: datetime
    done: tuple[str, ...] = ()
    next: tuple[str, ...] = ()
    blocked: tuple[str, ...] = ()
    asks: tuple[Ask, ...] = ()


FollowUpStatus = Literal["open", "done"]


class FollowUp(Frozen):
    id: int
    text: str
    owner_user_id: str | None
    owner_name: str
    status: FollowUpStatus = "open"
    created_at: datetime
    created_by: str | None = None
    meeting_date: date | None = None  # the cycle it was raised in
    source: str | None = None  # "standup", or a message permalink, or a meeting-notes link
    done_at: datetime | None = None
    done_by: str | None = None  # Slack user id of whoever closed it
    # Where its message in the latest digest thread lives (for chat.update on a reaction).
    channel: str | None = None
    ts: str | None = None


# --- GitHub ---------------------------------------------------------------------------------

PullRequestState = Literal["open", "draft", "merged", "closed"]
CiState = Literal["success", "failure", "pending", "none"]
ReviewDecision = Literal["approved", "changes_requested", "review_required"]


class PullRequestRef(Frozen):
    """A pull request named in text: `#12`, `repo#12`, `owner/repo#12` or its URL."""

    owner: str
    repo: str
    number: int

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.repo}"

    @property
    def key(self) -> str:
        return f"{self.owner}/{self.repo}#{self.number}"


class PullRequest(Frozen):
    owner: str
    repo: str
    number: int
    title: str
    url: str
    state: PullRequestState
    ci: CiState = "none"
    review_decision: ReviewDecision | None = None
    author: str | None = None
    created_at: datetime
    updated_at: datetime
    merged_at: datetime | None = None
    closed_at: datetime | None = None

    @property
    def ref(self) -> PullRequestRef:
        return PullRequestRef(owner=self.owner, repo=self.repo, number=self.number)


class PullRequestLookup(Frozen):
    """A referenced PR and what GitHub said of it: the PR, or why there is none."""

    ref: PullRequestRef
    pull_request: PullRequest | None = None
    problem: str | None = None  # e.g. "not found", "no access", "GitHub unavailable"


class UsageItem(Frozen):
    """One line of GitHub's enhanced billing usage report, normalised.

    `product` is lower-cased; `date` is the day the usage belongs to.
    """

    date: date
    product: str
    sku: str
    quantity: float
    unit_type: str
    price_per_unit: float
    gross_amount: float
    discount_amount: float
    net_amount: float
    organization_name: str | None = None
    repository_name: str | None = None


class MonthlyActionsUsage(Frozen):
    """One calendar month of GitHub Actions minutes and dollars, as GitHub billed them."""

    year: int
    month: int
    minutes_by_sku: dict[str, float]  # e.g. {"Actions Linux": 93000.0}
    minutes: float
    gross: float  # dollars at the pricePerUnit GitHub returned
    discount: float  # covered by the plan's included minutes / discounts
    net: float  # what was actually paid
    complete: bool = True  # False for the current, still running, month

    @property
    def label(self) -> str:
        return date(self.year, self.month, 1).strftime("%b %Y")


class BillingComparison(Frozen):
    """The peak month against the latest full month."""

    peak: MonthlyActionsUsage
    latest: MonthlyActionsUsage
    minutes_delta: float  # latest − peak, per month
    gross_delta: float  # dollars per month
    gross_delta_per_year: float
    net_delta: float
    summary: str  # e.g. "−105,000 min/mo; $630/mo ($7,560/yr) gross; $0 net — fully covered ..."


class ActionsBilling(Frozen):
    org: str
    months: tuple[MonthlyActionsUsage, ...] = ()  # oldest first
    comparison: BillingComparison | None = None
    problem: str | None = None  # e.g. "billing needs an org owner's token"


T = TypeVar("T")


class Fetched(Frozen, Generic[T]):
    """What a fetch got, and why it is incomplete if it is. Fetches never raise to their callers."""

    data: T
    problem: str | None = None
    requests: int = 0  # HTTP requests it took (for the benchmarks)


# --- cycles and digests ----------------------------------------------------------------------


class Cycle(Frozen):
    """A meeting cycle: standups sent in [starts_at, ends_at) belong to the meeting at ends_at."""

    meeting_date: date  # local date of the digest that closes the cycle
    starts_at: datetime  # aware, UTC
    ends_at: datetime  # aware, UTC: the digest's scheduled time


class PlannedMessage(Frozen):
    """A message a digest will post: the main message (thread=False) or a reply in its thread.

    `kind` says what it is ("main", "notes", "chart", "follow_up", ...). A chart message carries the
    PNG file name in `file_name` and is sent with files_upload_v2; `follow_up_id` links a
    follow-up's own message to its row.
    """

    seq: int
    kind: str
    text: str
    blocks: tuple[dict[str, object], ...] = ()
    thread: bool = True
    follow_up_id: int | None = None
    file_name: str | None = None
    file_title: str | None = None
    alt_text: str | None = None
