"""The Digest: everything one Monday meeting needs, resolved and ready to render.

`build_digest` (digests/build.py) makes one from plain data; the renderers (blocks, markdown,
chart) only read it. Text stays exactly as people typed it here: escaping belongs to each renderer.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from bot.models import (
    ActionsBilling,
    Cycle,
    FollowUp,
    Frozen,
    PullRequest,
    PullRequestRef,
)


class Person(Frozen):
    """Someone named in the digest: `name` is what people see (Member.label, or a GitHub login).

    `user_id` is None for names that matched no Slack member and for GitHub authors who are not on
    the team.
    """

    user_id: str | None = None
    name: str


# How a PR's CI and review state read, in Slack and in Markdown alike.
CI_WORDS = {"success": "CI passing", "failure": "CI failing", "pending": "CI running"}
REVIEW_WORDS = {
    "approved": "approved",
    "changes_requested": "changes requested",
    "review_required": "review required",
}


class PullRequestInfo(Frozen):
    """A referenced PR and its live state, or why it is unknown.

    Both `pull_request` and `problem` are None when nobody asked GitHub (GitHub not configured).
    """

    ref: PullRequestRef
    pull_request: PullRequest | None = None
    problem: str | None = None

    @property
    def known(self) -> bool:
        return self.pull_request is not None

    @property
    def looked_up(self) -> bool:
        return self.pull_request is not None or self.problem is not None


class Segment(Frozen):
    """A piece of an item's text; `ref` is set when the piece is a PR reference."""

    text: str
    ref: PullRequestRef | None = None


class Item(Frozen):
    """One line people typed (a Done/Next/Blocked item, an ask), split at its PR references."""

    text: str
    segments: tuple[Segment, ...]
    pull_requests: tuple[PullRequestInfo, ...] = ()


class PersonNotes(Frozen):
    person: Person
    submitted_at: datetime
    done: tuple[Item, ...] = ()
    next: tuple[Item, ...] = ()
    blocked: tuple[Item, ...] = ()
    pull_requests: tuple[PullRequestInfo, ...] = ()  # every PR referenced, once, first seen first

    @property
    def empty(self) -> bool:
        return not (self.done or self.next or self.blocked)


class Blocker(Frozen):
    person: Person
    item: Item


class AskLine(Frozen):
    from_person: Person
    item: Item
    status: Literal["open", "done"] = "open"
    meeting_date: date
    carried_over: bool = False  # raised for an earlier meeting and still open
    closed_at: datetime | None = None


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
    missing: tuple[Person, ...] = ()  # on the team, no standup this cycle
    notes: tuple[PersonNotes, ...] = ()
    blockers: tuple[Blocker, ...] = ()
    asks: tuple[AskGroup, ...] = ()
    board: PrBoard | None = None
    open_follow_ups: tuple[OpenFollowUp, ...] = ()
    closed_follow_ups: tuple[ClosedFollowUp, ...] = ()
    billing: ActionsBilling | None = None  # None: not configured; `.problem` says what is missing
    problems: tuple[DataProblem, ...] = ()

    @property
    def open_ask_count(self) -> int:
        return sum(group.open_count for group in self.asks)

    def problem(self, area: DataArea) -> DataProblem | None:
        for problem in self.problems:
            if problem.area == area:
                return problem
        return None
