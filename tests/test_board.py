"""build_pr_board: merged/opened this cycle, awaiting review, stale, drafts, per-person merges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from digests.board import build_pr_board
from digests.models import Cycle, Member, Person, PullRequest

ENDS = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CYCLE = Cycle(meeting_date=date(2026, 11, 30), starts_at=ENDS - timedelta(days=7), ends_at=ENDS)
NOW = ENDS + timedelta(minutes=5)
TEAM = [
    Member(user_id="U1", name="kevin", display_name="Kevin", github_login="KOkafor"),
    Member(user_id="U2", name="hesham", real_name="Hesham Nasser", github_login="hnasser"),
]


def pr(
    number: int,
    *,
    repo: str = "api",
    state: str = "open",
    created: float = 3,
    updated: float = 1,
    merged: float | None = None,
    review: str | None = None,
    author: str | None = "kokafor",
) -> PullRequest:
    """A PR whose times are days before the end of the cycle."""
    return PullRequest.model_validate(
        {
            "owner": "acme",
            "repo": repo,
            "number": number,
            "title": f"PR {number}",
            "url": f"https://github.com/acme/{repo}/pull/{number}",
            "state": state,
            "review_decision": review,
            "author": author,
            "created_at": ENDS - timedelta(days=created),
            "updated_at": ENDS - timedelta(days=updated),
            "merged_at": ENDS - timedelta(days=merged) if merged is not None else None,
        }
    )


def numbers(pulls: tuple[PullRequest, ...]) -> list[int]:
    return [pull.number for pull in pulls]


def board_for(pulls: list[PullRequest], repos: list[str] | None = None, stale_days: int = 7):  # type: ignore[no-untyped-def]
    return build_pr_board(
        pulls,
        repos=repos or ["acme/api", "acme/web"],
        cycle=CYCLE,
        now=NOW,
        stale_days=stale_days,
        team=TEAM,
    )


def test_merged_and_opened_only_count_inside_the_cycle() -> None:
    pulls = [
        pr(1, state="merged", created=10, merged=2),  # merged this cycle, opened before
        pr(2, state="merged", created=3, merged=1),  # opened and merged this cycle
        pr(3, state="merged", created=20, merged=8),  # merged before the cycle
        pr(4, state="merged", created=1, merged=-0.5),  # merged after the meeting time
        pr(5, created=7),  # opened exactly at the start: counts
        pr(6, created=7.01),  # opened just before the start
    ]
    api = board_for(pulls).repos[0]
    assert numbers(api.merged) == [2, 1]  # latest first
    assert numbers(api.opened) == [4, 2, 5]


def test_waiting_for_review_is_open_not_draft_and_not_decided() -> None:
    pulls = [
        pr(10, review="review_required", created=5),
        pr(11, review=None, created=9),
        pr(12, review="approved"),
        pr(13, review="changes_requested"),
        pr(14, state="draft", review=None),
        pr(15, state="merged", merged=1, review=None),
    ]
    board = board_for(pulls)
    assert numbers(board.repos[0].awaiting_review) == [11, 10]  # the longest waiting first
    assert numbers(board.awaiting_review) == [11, 10]


def test_stale_means_open_and_not_updated_for_stale_days() -> None:
    pulls = [
        pr(20, created=30, updated=7.1),  # 7 days and a bit before the meeting, 7+ before now
        pr(21, created=30, updated=6.5),  # updated within the week: not stale
        pr(22, created=40, updated=20, review="approved"),  # approved but forgotten: stale
        pr(23, state="draft", created=40, updated=30),  # drafts are apart
        pr(24, state="closed", created=40, updated=30),
    ]
    board = board_for(pulls)
    assert numbers(board.repos[0].stale) == [22, 20]  # least recently updated first
    assert numbers(board.repos[0].drafts) == [23]
    assert board.repos[0].open_count == 3
    assert numbers(board_for(pulls, stale_days=14).repos[0].stale) == [22]


def test_drafts_are_listed_apart_from_everything_else() -> None:
    pulls = [pr(30, state="draft", updated=2), pr(31, state="draft", updated=9)]
    api = board_for(pulls).repos[0]
    assert numbers(api.drafts) == [31, 30]
    assert api.awaiting_review == () and api.stale == () and api.open_count == 0


def test_merged_per_person_maps_logins_to_team_members() -> None:
    pulls = [
        pr(40, state="merged", merged=1, author="kokafor"),  # login differs in case
        pr(41, state="merged", merged=2, author="KOKAFOR", repo="web"),
        pr(42, state="merged", merged=3, author="hnasser"),
        pr(43, state="merged", merged=3, author="dependabot[bot]"),
        pr(44, state="merged", merged=9, author="hnasser"),  # before the cycle
        pr(45, state="merged", merged=1, author=None),
    ]
    rows = board_for(pulls).merged_by
    assert [(row.person, len(row.pulls)) for row in rows] == [
        (Person(user_id="U1", name="Kevin"), 2),
        (Person(name="dependabot[bot]"), 1),
        (Person(user_id="U2", name="Hesham Nasser"), 1),
        (Person(name="unknown"), 1),
    ]
    assert numbers(rows[0].pulls) == [40, 41]


def test_repos_keep_the_configured_order_and_unlisted_repos_come_after() -> None:
    pulls = [pr(50, repo="web"), pr(51, repo="zeta"), pr(52, repo="API")]
    board = board_for(pulls)
    assert [repo.repo for repo in board.repos] == ["acme/api", "acme/web", "acme/zeta"]
    assert numbers(board.repos[0].opened) == [52]  # repository names compare case-insensitively
    assert board.opened_count == 3


def test_the_same_pr_from_two_pages_counts_once() -> None:
    older = pr(60, updated=3, review="review_required")
    newer = pr(60, updated=1, review="approved")
    api = board_for([older, newer]).repos[0]
    assert numbers(api.opened) == [60]
    assert api.awaiting_review == ()


def test_no_cap_on_repositories_or_pull_requests() -> None:
    repos = [f"acme/r{index}" for index in range(30)]
    pulls = [pr(number, repo=f"r{number % 30}", created=2) for number in range(1, 1501)]
    board = board_for(pulls, repos=repos)
    assert len(board.repos) == 30
    assert board.opened_count == 1500
    assert len(board.awaiting_review) == 1500
