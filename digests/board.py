"""The PR board: what moved in each repository during the cycle, and what is waiting.

Definitions (all times compared as aware datetimes):
- merged this cycle: `merged_at` in [cycle.starts_at, cycle.ends_at);
- opened this cycle: `created_at` in that window, whatever the PR's state now;
- awaiting review: open, not a draft, review decision "review_required" or none yet;
- stale: open, not a draft, not updated for `stale_days` before `now`;
- drafts: open drafts, apart from everything above.
Per person: PRs merged this cycle by author login; a login maps to the team member whose
`github_login` matches (case-insensitively), else stays the login.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from digests.models import Cycle, Member, MergedBy, Person, PrBoard, PullRequest, RepoBoard

UNKNOWN_AUTHOR = "unknown"


def build_pr_board(
    pulls: Sequence[PullRequest],
    *,
    repos: Sequence[str],
    cycle: Cycle,
    now: datetime,
    stale_days: int,
    team: Sequence[Member],
) -> PrBoard:
    by_repo: dict[str, list[PullRequest]] = defaultdict(list)
    for pull in _unique(pulls):
        by_repo[pull.ref.full_name.casefold()].append(pull)

    names = [*repos]
    configured = {repo.casefold() for repo in repos}
    # PRs of repositories not in the list still count; they come after the configured ones.
    extra = sorted(
        {pull.ref.full_name for pull in pulls if pull.ref.full_name.casefold() not in configured}
    )
    names.extend(extra)

    stale_before = now - timedelta(days=stale_days)
    boards = tuple(
        _repo_board(name, by_repo.get(name.casefold(), []), cycle=cycle, stale_before=stale_before)
        for name in dict.fromkeys(names)
    )
    return PrBoard(
        starts_at=cycle.starts_at,
        ends_at=cycle.ends_at,
        stale_days=stale_days,
        repos=boards,
        merged_by=_merged_by(boards, team),
    )


def merged_in(pull: PullRequest, cycle: Cycle) -> bool:
    return pull.merged_at is not None and cycle.starts_at <= pull.merged_at < cycle.ends_at


def person_for_login(login: str | None, team: Sequence[Member]) -> Person:
    if not login:
        return Person(name=UNKNOWN_AUTHOR)
    for member in team:
        if member.github_login and member.github_login.casefold() == login.casefold():
            return Person(user_id=member.user_id, name=member.label)
    return Person(name=login)


def _repo_board(
    name: str, pulls: list[PullRequest], *, cycle: Cycle, stale_before: datetime
) -> RepoBoard:
    merged = [pull for pull in pulls if merged_in(pull, cycle)]
    opened = [pull for pull in pulls if cycle.starts_at <= pull.created_at < cycle.ends_at]
    ready = [pull for pull in pulls if pull.state == "open"]
    awaiting = [pull for pull in ready if pull.review_decision in (None, "review_required")]
    stale = [pull for pull in ready if pull.updated_at < stale_before]
    drafts = [pull for pull in pulls if pull.state == "draft"]
    return RepoBoard(
        repo=name,
        merged=_sorted(merged, lambda pull: pull.merged_at or pull.updated_at, latest_first=True),
        opened=_sorted(opened, lambda pull: pull.created_at, latest_first=True),
        awaiting_review=_sorted(awaiting, lambda pull: pull.created_at),
        stale=_sorted(stale, lambda pull: pull.updated_at),
        drafts=_sorted(drafts, lambda pull: pull.updated_at),
        open_count=len(ready),
    )


def _merged_by(boards: Sequence[RepoBoard], team: Sequence[Member]) -> tuple[MergedBy, ...]:
    pulls_by_login: dict[str, list[PullRequest]] = defaultdict(list)
    spelling: dict[str, str] = {}
    for board in boards:
        for pull in board.merged:
            login = pull.author or UNKNOWN_AUTHOR
            spelling.setdefault(login.casefold(), login)
            pulls_by_login[login.casefold()].append(pull)
    rows = [
        MergedBy(
            person=person_for_login(spelling[key], team),
            login=spelling[key],
            pulls=_sorted(pulls, lambda pull: pull.merged_at or pull.updated_at, latest_first=True),
        )
        for key, pulls in pulls_by_login.items()
    ]
    rows.sort(key=lambda row: (-len(row.pulls), row.person.name.casefold()))
    return tuple(rows)


def _sorted(
    pulls: list[PullRequest], when: Callable[[PullRequest], datetime], *, latest_first: bool = False
) -> tuple[PullRequest, ...]:
    ordered = sorted(pulls, key=lambda pull: (when(pull), pull.number))
    return tuple(reversed(ordered)) if latest_first else tuple(ordered)


def _unique(pulls: Sequence[PullRequest]) -> list[PullRequest]:
    """Each PR once (the most recently updated copy), whatever pages it came from."""
    seen: dict[str, PullRequest] = {}
    for pull in pulls:
        key = pull.ref.key.casefold()
        if key not in seen or pull.updated_at > seen[key].updated_at:
            seen[key] = pull
    return list(seen.values())
