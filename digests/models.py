"""The shared vocabulary: frozen pydantic models every layer speaks, one name per idea.

This module imports nothing of ours. Data enters at the edges (Slack payloads, GitHub JSON,
SQLite rows), becomes one of these models there, and the pure middle (`digests/`) only sees
these. The second half is the Digest: everything one Monday meeting needs, resolved and ready to
render. Text stays exactly as people typed it: escaping belongs to each renderer.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict


def month_name(month: tuple[int, int] | None) -> str:
    """ "Nov 2026" for (2026, 11); "" for None."""
    return date(month[0], month[1], 1).strftime("%b %Y") if month is not None else ""


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
    # The Slack status (users.list profile) as last seen; `status_expires_at` None: no expiry.
    status_text: str = ""
    status_emoji: str = ""
    status_expires_at: datetime | None = None

    @property
    def label(self) -> str:
        """The name people see in Slack: display name, else real name, else handle."""
        return self.display_name or self.real_name or self.name


# --- what people typed ---------------------------------------------------------------------

EVERYONE = "Everyone"


class Person(Frozen):
    """Someone named: a line's addressee, a follow-up's owner, a name in the digest.

    `name` is what people see (Member.label, what was typed, or a GitHub login). `user_id` is
    None when the name matched no Slack member (then `name` is what was typed), for GitHub
    authors who are not on the team, and when the line was addressed to everyone (`everyone` is
    True, `name` is "Everyone").
    """

    user_id: str | None = None
    name: str
    everyone: bool = False

    @property
    def resolved(self) -> bool:
        return self.everyone or self.user_id is not None


class AddressedLine(Frozen):
    """One line of the Asks or Follow-ups field: an optional person, then the text.

    `typed` is the line as the person typed it (list marker removed), shown again when the
    standup is edited."""

    person: Person | None
    text: str
    typed: str = ""


AskDmState = Literal["sending", "sent", "failed"]


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
    # The DM to the person asked: None (not sent yet), "sending" (claimed), "sent", "failed"
    # (Slack refused it for good, or nobody to send it to: never tried again).
    dm_state: AskDmState | None = None
    typed: str | None = None  # the line as typed; None for asks stored before it was kept
    # The answer given with the DM's (or App Home's) Answer button: answering closes the ask.
    answer: str | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None  # Slack user id of whoever answered

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


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
    typed: str | None = None  # the line as typed in the standup; None for other sources


class TimeAway(Frozen):
    """Days someone said they are away (`/standup away`, App Home): local dates, both included."""

    user_id: str
    starts: date
    ends: date


class AwayPerson(Frozen):
    """Someone away, as the digest and the answers show them."""

    person: Person
    until: date | None  # the last day away; None: a Slack status with no expiry
    by_status: bool = False  # only their Slack status says so
    # Their time away covers every working day of the cycle (`digests.away.away_whole_cycle`):
    # their promises of the cycle before are not held against them.
    whole_cycle: bool = False


# --- searching the history -----------------------------------------------------------------

SearchField = Literal["done", "next", "blocked", "ask", "follow_up"]


class SearchQuery(Frozen):
    """`/standup search` or `standup-bot search`: words, and optional person and date filters
    (meeting dates, both included); `offset` pages through the matches."""

    words: str
    user_id: str | None = None
    since: date | None = None
    until: date | None = None
    offset: int = 0
    limit: int = 10


class SnippetPart(Frozen):
    text: str
    matched: bool = False  # one of the words searched for (shown in bold)


class SearchHit(Frozen):
    """One line someone wrote that matches: who, for which meeting, in which field."""

    ref: str  # what it is in the database: item:<standup>:<kind>:<n>, ask:<id>, follow_up:<id>
    field: SearchField
    user_id: str | None
    name: str
    meeting_date: date | None
    text: str
    snippet: tuple[SnippetPart, ...]


class SearchPage(Frozen):
    query: SearchQuery
    hits: tuple[SearchHit, ...] = ()
    more: bool = False  # there are matches after this page


# --- GitHub ---------------------------------------------------------------------------------

# What GitHub allows in names (regex text, to embed in larger patterns): a login or organization
# is 1-39 letters, digits and single inner hyphens; a repository is 1-100 of [A-Za-z0-9._-].
GITHUB_LOGIN = r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}"
GITHUB_REPO = r"[A-Za-z0-9._-]{1,100}"

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
    """A referenced PR and what GitHub said of it: the PR, or why there is none.

    Both `pull_request` and `problem` are None when nobody asked GitHub (GitHub not configured).
    """

    ref: PullRequestRef
    pull_request: PullRequest | None = None
    problem: str | None = None  # e.g. "not found", "no access", "GitHub unavailable"

    @property
    def known(self) -> bool:
        return self.pull_request is not None

    @property
    def looked_up(self) -> bool:
        return self.pull_request is not None or self.problem is not None


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


class BillingUsage(Frozen):
    """GitHub's billing usage lines for the months that were fetched (as `(year, month)`).

    The lines may be GitHub's own (one per day, SKU and repository) or those summed per month
    (`digests.billing.sum_usage_lines`): every figure worked out of them is the same.
    """

    org: str
    items: tuple[UsageItem, ...] = ()
    months: tuple[tuple[int, int], ...] = ()  # the months GitHub answered for, oldest first


# How GitHub answered a request for the org's billing usage report.
BillingAccess = Literal[
    "readable",  # 200
    "forbidden",  # 403: the token's owner is not an organization owner, or lacks the permission
    "app_token",  # 403 "Resource not accessible by integration": a GitHub App installation token
    "no_report",  # 404: no usage report for this org (not on the enhanced billing platform)
]


class UsageMonth(Frozen):
    """One month of an org's usage lines, summed per month, as GitHub answered it (or as kept
    from an earlier answer: `not_modified` when GitHub said 304 to its ETag)."""

    year: int
    month: int
    items: tuple[UsageItem, ...] = ()
    etag: str | None = None
    not_modified: bool = False


class RepoInfo(Frozen):
    """What GitHub says of one of the org's repositories (for the CI audit's flags)."""

    name: str  # without the owner
    full_name: str
    fork: bool = False
    archived: bool = False


class CachedUsageMonth(Frozen):
    """A month as the store keeps it: when GitHub last sent or confirmed it, and whether the
    month had ended by then."""

    month: UsageMonth
    fetched_at: datetime
    closed: bool


class UsageMonths(Frozen):
    """The months a fetch got, in the order asked, and how GitHub answered the first one."""

    org: str
    months: tuple[UsageMonth, ...] = ()
    access: BillingAccess = "readable"


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
        return month_name((self.year, self.month))


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


# --- the CI audit: where the Actions minutes go, repository by repository ---------------------

Runner = Literal["Linux", "Windows", "macOS", "Other"]


class RepoMonthUsage(Frozen):
    """One repository's Actions minutes and dollars in one calendar month.

    Dollars are GitHub's own per-line amounts summed exactly, in whole cents apportioned so the
    repositories of a month add up to the org's totals to the cent (each within a cent of its
    exact sum). Storage is apart from the minutes and their dollars."""

    repo: str
    year: int
    month: int
    minutes_by_runner: dict[str, float] = {}
    minutes: float = 0.0
    gross: float = 0.0
    discount: float = 0.0
    net: float = 0.0
    storage_gb_hours: float = 0.0
    storage_net: float = 0.0

    @property
    def label(self) -> str:
        return month_name((self.year, self.month))


class RepoCi(Frozen):
    """A repository in the audit: its months, and how the last full month compares."""

    repo: str  # as GitHub names it in the org, without the owner; "(no repository)"
    months: tuple[RepoMonthUsage, ...]  # every audited month, oldest first, zeros where none
    latest: RepoMonthUsage  # the last full month
    previous: RepoMonthUsage | None = None  # the full month before it
    so_far: RepoMonthUsage | None = None  # the running month
    peak: RepoMonthUsage | None = None  # its own peak full month
    share: float = 0.0  # of the org's minutes in the last full month, 0..1
    fork: bool | None = None  # None: unknown (not looked up, or GitHub did not say)
    archived: bool | None = None


CiFlagKind = Literal["fork", "archived", "jump", "pricey_runners"]


class CiFlag(Frozen):
    repo: str
    kind: CiFlagKind
    why: str  # e.g. "a fork that used 1,240 min in Oct 2026 ($0 net)"


class CiUsageRow(Frozen):
    """One row of ci-usage.csv: a month × repository × SKU."""

    year: int
    month: int
    repo: str
    sku: str
    unit: str
    quantity: float
    gross: float
    discount: float
    net: float


class CiAudit(Frozen):
    org: str
    months: tuple[tuple[int, int], ...] = ()  # audited, oldest first
    latest: tuple[int, int] | None = None  # the last full month
    running: tuple[int, int] | None = None
    totals: tuple[MonthlyActionsUsage, ...] = ()  # the org's, per month: the digest's figures
    repos: tuple[RepoCi, ...] = ()  # most minutes in the last full month first
    flags: tuple[CiFlag, ...] = ()
    jump_percent: int = 50
    forks_checked: bool = False  # the fork list and archived states could be read
    problem: str | None = None


T = TypeVar("T")


class Fetched(Frozen, Generic[T]):
    """What a fetch got, and why it is incomplete if it is. Fetches never raise to their callers."""

    data: T
    problem: str | None = None
    requests: int = 0  # HTTP requests it took (for the benchmarks)


# --- cycles and digests ----------------------------------------------------------------------


class HolidayMove(Frozen):
    """A digest (or reminder) due on a holiday, moved to the next working day."""

    moved_from: date  # the local date it was due on
    holiday: str  # the holiday's name, e.g. "Whit Monday"


class Cycle(Frozen):
    """A meeting cycle: standups sent in [starts_at, ends_at) belong to the meeting at ends_at."""

    meeting_date: date  # local date of the digest that closes the cycle
    starts_at: datetime  # aware, UTC
    ends_at: datetime  # aware, UTC: the digest's scheduled time
    move: HolidayMove | None = None  # set when the digest moved off a holiday to ends_at


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


# --- promises and blockers across cycles ------------------------------------------------------

# "away": neither delivered nor carried, by someone away for the whole cycle: left out of
# "delivered N of M promised" (theirs, the team's and the trend's) instead of "not reported".
PromiseOutcome = Literal["delivered", "carried", "not_reported", "away"]


class Promise(Frozen):
    """An item of someone's Next, and what became of it by the following cycle.

    `weeks_carried`: how many cycles in a row it has been promised, counting the cycle it was
    first promised in and, when it is carried again, this one ("3rd week").
    """

    text: str  # as promised, in the previous cycle's Next
    outcome: PromiseOutcome
    weeks_carried: int
    first_promised: date  # meeting date of the cycle it was first promised for
    matched: str | None = None  # the Done or Next line it was found in
    merged: bool = False  # delivered because a pull request it names merged (not in Done)


BlockerState = Literal["new", "still_blocked", "resolved"]


class BlockerStatus(Frozen):
    """A blocker against the person's earlier ones: new, still blocked (since when), or resolved
    (reported last cycle, gone now)."""

    text: str
    state: BlockerState
    first_reported: date  # meeting date of the cycle it was first reported for
    weeks: int  # cycles in a row it has been reported (resolved: before it went away)


class CycleStandups(Frozen):
    """The standups of one earlier cycle: the history promises and blockers are followed in."""

    cycle: Cycle
    standups: tuple[Standup, ...] = ()

    @property
    def meeting_date(self) -> date:
        return self.cycle.meeting_date


class PersonPromises(Frozen):
    """One person's promises of the last cycle (their Next), and what became of each."""

    person: Person
    reported: bool  # sent a standup this cycle (else every promise is "not reported")
    promises: tuple[Promise, ...]
    away: bool = False  # away for the whole cycle: promises not delivered are "away"

    @property
    def delivered(self) -> int:
        return sum(promise.outcome == "delivered" for promise in self.promises)

    @property
    def promised(self) -> int:
        """The promises that count: all but those of someone away (outcome "away")."""
        return sum(promise.outcome != "away" for promise in self.promises)


class CarriedPromise(Frozen):
    """A promise carried again, with its owner (the "Carried 3+ weeks" list)."""

    person: Person
    promise: Promise


class TrendPoint(Frozen):
    """One cycle of the trend: standups reported of the team, promises delivered of those made."""

    meeting_date: date
    team_size: int
    reported: int
    promised: int
    delivered: int


class CycleRecord(Frozen):
    """What the posted digest said of its cycle, kept for later trends and the export: the team's
    figures and each promise's outcome (a pull request merging is only known at that time)."""

    point: TrendPoint
    promises: tuple[PersonPromises, ...] = ()


# --- the digest ------------------------------------------------------------------------------


class Segment(Frozen):
    """A piece of an item's text; `ref` is set when the piece is a PR reference."""

    text: str
    ref: PullRequestRef | None = None


class Item(Frozen):
    """One line people typed (a Done/Next/Blocked item, an ask), split at its PR references."""

    text: str
    segments: tuple[Segment, ...]
    pull_requests: tuple[PullRequestLookup, ...] = ()


class PersonNotes(Frozen):
    person: Person
    submitted_at: datetime
    done: tuple[Item, ...] = ()
    next: tuple[Item, ...] = ()
    blocked: tuple[Item, ...] = ()
    pull_requests: tuple[PullRequestLookup, ...] = ()  # every PR referenced, once, first seen first

    @property
    def empty(self) -> bool:
        return not (self.done or self.next or self.blocked)


class Blocker(Frozen):
    person: Person
    item: Item
    status: BlockerStatus | None = None  # against the person's earlier blockers (None: unknown)


class AskLine(Frozen):
    from_person: Person
    item: Item
    status: Literal["open", "done"] = "open"
    meeting_date: date
    carried_over: bool = False  # raised for an earlier meeting (still open, or answered since)
    closed_at: datetime | None = None
    answer: Item | None = None  # the answer given with the Answer button (the ask is closed)
    answered_by: Person | None = None
    answered_at: datetime | None = None


class AskGroup(Frozen):
    """The asks addressed to one person (or to everyone)."""

    to: Person
    everyone: bool = False
    asks: tuple[AskLine, ...]

    @property
    def open_count(self) -> int:
        return sum(1 for ask in self.asks if ask.status == "open")


class OpenFollowUp(Frozen):
    follow_up: FollowUp
    owner: Person
    age_days: int


class ClosedFollowUp(Frozen):
    follow_up: FollowUp
    owner: Person
    closed_by: Person | None = None


class RepoBoard(Frozen):
    """One repository's pull requests for the cycle. Lists are sorted most relevant first."""

    repo: str
    merged: tuple[PullRequest, ...] = ()  # merged this cycle, latest first
    opened: tuple[PullRequest, ...] = ()  # created this cycle (any state), latest first
    awaiting_review: tuple[PullRequest, ...] = ()  # open, not draft, no approval yet; oldest first
    stale: tuple[PullRequest, ...] = ()  # open, not draft, no update for stale_days; oldest first
    drafts: tuple[PullRequest, ...] = ()  # open drafts, least recently updated first
    open_count: int = 0  # open PRs that are not drafts


class MergedBy(Frozen):
    person: Person  # the team member with that GitHub login, else the login itself
    login: str
    pulls: tuple[PullRequest, ...]


class PrBoard(Frozen):
    starts_at: datetime
    ends_at: datetime
    stale_days: int
    repos: tuple[RepoBoard, ...] = ()
    merged_by: tuple[MergedBy, ...] = ()  # most merges first

    @property
    def merged_count(self) -> int:
        return sum(len(repo.merged) for repo in self.repos)

    @property
    def opened_count(self) -> int:
        return sum(len(repo.opened) for repo in self.repos)

    @property
    def awaiting_review(self) -> tuple[PullRequest, ...]:
        """Across repos, the longest waiting first."""
        pulls = [pull for repo in self.repos for pull in repo.awaiting_review]
        return tuple(sorted(pulls, key=lambda pull: (pull.created_at, pull.ref.key)))

    @property
    def stale(self) -> tuple[PullRequest, ...]:
        pulls = [pull for repo in self.repos for pull in repo.stale]
        return tuple(sorted(pulls, key=lambda pull: (pull.updated_at, pull.ref.key)))


DataArea = Literal["github", "pull_requests", "board", "billing"]


class DataProblem(Frozen):
    """GitHub data the digest lacks, and why (shown to the team as is)."""

    area: DataArea
    what: str  # e.g. "PR states", "the PR board"
    why: str  # e.g. "GITHUB_TOKEN is not set"


class Digest(Frozen):
    meeting_date: date
    previous_meeting_date: date | None = None
    cycle: Cycle
    generated_at: datetime  # the `now` it was built at; its zone is the one times are shown in
    time_zone: str  # label of that zone, e.g. "Europe/Berlin" or "UTC"
    repos: tuple[str, ...] = ()
    team_size: int
    reported: tuple[Person, ...] = ()
    missing: tuple[Person, ...] = ()  # on the team, no standup this cycle, not away
    away: tuple[AwayPerson, ...] = ()  # on the team, no standup this cycle, away
    notes: tuple[PersonNotes, ...] = ()
    blockers: tuple[Blocker, ...] = ()
    asks: tuple[AskGroup, ...] = ()
    board: PrBoard | None = None
    open_follow_ups: tuple[OpenFollowUp, ...] = ()
    closed_follow_ups: tuple[ClosedFollowUp, ...] = ()
    billing: ActionsBilling | None = None  # None: not configured; `.problem` says what is missing
    problems: tuple[DataProblem, ...] = ()
    # Last cycle's promises, by person (people without a standup this cycle too), name order.
    promises: tuple[PersonPromises, ...] = ()
    resolved_blockers: tuple[Blocker, ...] = ()  # reported last cycle, gone now (shown once)
    trend: tuple[TrendPoint, ...] = ()  # oldest first; the last point is this cycle
    ci_audit: CiAudit | None = None  # where the minutes go, by repository (with billing data)

    @property
    def open_ask_count(self) -> int:
        return sum(group.open_count for group in self.asks)

    @property
    def promised_count(self) -> int:
        return sum(person.promised for person in self.promises)

    @property
    def delivered_count(self) -> int:
        return sum(person.delivered for person in self.promises)

    def promises_of(self, user_id: str | None) -> PersonPromises | None:
        for person in self.promises:
            if user_id is not None and person.person.user_id == user_id:
                return person
        return None

    def carried_for(self, weeks: int) -> tuple[CarriedPromise, ...]:
        """Promises carried again that have been promised `weeks` or more cycles in a row,
        the longest first."""
        carried = [
            CarriedPromise(person=person.person, promise=promise)
            for person in self.promises
            for promise in person.promises
            if promise.outcome == "carried" and promise.weeks_carried >= weeks
        ]
        carried.sort(key=lambda c: (-c.promise.weeks_carried, c.person.name.casefold()))
        return tuple(carried)

    def problem(self, area: DataArea) -> DataProblem | None:
        for problem in self.problems:
            if problem.area == area:
                return problem
        return None
