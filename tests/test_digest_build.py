"""build_digest: who reported, notes with live PR states, asks by person, follow-ups, problems.

The helpers at the top (`inputs`, `standup`, `ask`, `follow_up`, `pull`) are shared with the
rendering tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from digests.build import build_digest, zone_label
from digests.models import (
    ActionsBilling,
    Ask,
    Cycle,
    DataProblem,
    Fetched,
    FollowUp,
    Member,
    MonthlyActionsUsage,
    Person,
    PullRequest,
    PullRequestLookup,
    PullRequestRef,
    Standup,
)

MEETING = date(2026, 11, 30)
ENDS = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CYCLE = Cycle(meeting_date=MEETING, starts_at=ENDS - timedelta(days=7), ends_at=ENDS)
NOW = ENDS
REPOS = ["acme/api", "acme/web"]
TEAM = [
    Member(user_id="U1", name="kevin", real_name="Kevin Okafor", display_name="Kevin"),
    Member(user_id="U2", name="hesham", real_name="Hesham Nasser", github_login="hnasser"),
    Member(user_id="U3", name="maya"),
    Member(user_id="U4", name="ghost", deleted=True),
    Member(user_id="B1", name="ci-bot", is_bot=True),
]


def standup(user_id: str, *, done=(), next_=(), blocked=(), hours_before: float = 24) -> Standup:  # type: ignore[no-untyped-def]
    return Standup(
        user_id=user_id,
        user_name=user_id.lower(),
        meeting_date=MEETING,
        submitted_at=ENDS - timedelta(hours=hours_before),
        done=tuple(done),
        next=tuple(next_),
        blocked=tuple(blocked),
    )


def ask(  # type: ignore[no-untyped-def]
    text: str, *, to: str | None = "U2", to_name: str = "Hesham", everyone=False, **extra
) -> Ask:
    values: dict[str, Any] = {
        "from_user_id": "U1",
        "from_name": "Kevin",
        "to_user_id": None if everyone else to,
        "to_name": "Everyone" if everyone else to_name,
        "everyone": everyone,
        "text": text,
        "meeting_date": MEETING,
    }
    values.update(extra)
    return Ask(**values)


def follow_up(id_: int, text: str, *, days_old: float = 3, **extra: Any) -> FollowUp:
    values: dict[str, Any] = {
        "id": id_,
        "text": text,
        "owner_user_id": "U2",
        "owner_name": "Hesham",
        "created_at": NOW - timedelta(days=days_old),
        "source": "standup",
        "meeting_date": MEETING - timedelta(days=7),
    }
    values.update(extra)
    return FollowUp(**values)


def pull(number: int, repo: str = "api", **extra: Any) -> PullRequest:
    values: dict[str, Any] = {
        "owner": "acme",
        "repo": repo,
        "number": number,
        "title": f"Change {number}",
        "url": f"https://github.com/acme/{repo}/pull/{number}",
        "state": "open",
        "ci": "success",
        "review_decision": "approved",
        "author": "hnasser",
        "created_at": NOW - timedelta(days=2),
        "updated_at": NOW - timedelta(days=1),
    }
    values.update(extra)
    return PullRequest(**values)


def lookups(*pulls: PullRequest, missing: tuple[str, ...] = ()) -> dict[str, PullRequestLookup]:
    found = {p.ref.key: PullRequestLookup(ref=p.ref, pull_request=p) for p in pulls}
    for key in missing:
        repo, number = key.split("#")
        owner, name = repo.split("/")
        ref = PullRequestRef(owner=owner, repo=name, number=int(number))
        found[key] = PullRequestLookup(ref=ref, problem="not found")
    return found


def month(year: int, number: int, minutes: float, *, complete: bool = True) -> MonthlyActionsUsage:
    gross = round(minutes * 0.006, 2)
    return MonthlyActionsUsage(
        year=year,
        month=number,
        minutes_by_sku={"Actions Linux": minutes},
        minutes=minutes,
        gross=gross,
        discount=gross,
        net=0.0,
        complete=complete,
    )


def inputs(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for build_digest: a small team with GitHub configured."""
    values: dict[str, Any] = {
        "cycle": CYCLE,
        "previous_meeting_date": MEETING - timedelta(days=7),
        "team": TEAM,
        "standups": [],
        "asks": [],
        "open_follow_ups": [],
        "closed_follow_ups": [],
        "pr_lookups": Fetched[dict[str, PullRequestLookup]](data={}),
        "board_pulls": Fetched[list[PullRequest]](data=[]),
        "billing": Fetched[ActionsBilling](data=ActionsBilling(org="acme")),
        "repos": REPOS,
        "stale_days": 7,
        "github_problem": None,
        "now": NOW,
    }
    values.update(overrides)
    return values


# --- people ---------------------------------------------------------------------------------


def test_reported_and_missing_people_leave_out_bots_and_deleted_members() -> None:
    digest = build_digest(**inputs(standups=[standup("U2"), standup("U1")]))
    assert [person.name for person in digest.reported] == ["Hesham Nasser", "Kevin"]
    assert digest.missing == (Person(user_id="U3", name="maya"),)
    assert digest.team_size == 3
    assert [notes.person.user_id for notes in digest.notes] == ["U2", "U1"]


def test_the_latest_standup_of_a_person_wins() -> None:
    old = standup("U1", done=["old"], hours_before=48)
    new = standup("U1", done=["new"], hours_before=2)
    digest = build_digest(**inputs(standups=[new, old]))
    assert [item.text for item in digest.notes[0].done] == ["new"]


def test_someone_not_in_the_channel_still_has_their_notes_shown() -> None:
    digest = build_digest(**inputs(standups=[standup("U9")]))
    assert digest.notes[0].person == Person(user_id="U9", name="u9")
    assert len(digest.missing) == 3


def test_blockers_are_collected_across_the_team_and_blank_lines_dropped() -> None:
    digest = build_digest(
        **inputs(
            standups=[
                standup("U1", blocked=["DB creds", "  "]),
                standup("U2", blocked=["Design sign-off"]),
            ]
        )
    )
    assert [(b.person.name, b.item.text) for b in digest.blockers] == [
        ("Hesham Nasser", "Design sign-off"),
        ("Kevin", "DB creds"),
    ]


# --- pull request references --------------------------------------------------------------


def test_pr_references_carry_their_live_state_or_why_it_is_unknown() -> None:
    known = pull(12)
    fetched = Fetched[dict[str, PullRequestLookup]](data=lookups(known, missing=("acme/web#99",)))
    notes_text = "Fixed #12 and web#99, see acme/api#13"
    digest = build_digest(**inputs(standups=[standup("U1", done=[notes_text])], pr_lookups=fetched))
    item = digest.notes[0].done[0]
    assert "".join(segment.text for segment in item.segments) == notes_text
    assert [segment.text for segment in item.segments if segment.ref] == [
        "#12",
        "web#99",
        "acme/api#13",
    ]
    states = {info.ref.key: (info.pull_request, info.problem) for info in item.pull_requests}
    assert states["acme/api#12"] == (known, None)
    assert states["acme/web#99"] == (None, "not found")
    assert states["acme/api#13"] == (None, "GitHub returned nothing for it")
    assert digest.notes[0].pull_requests == item.pull_requests


def test_without_github_pr_references_are_kept_but_not_looked_up() -> None:
    digest = build_digest(
        **inputs(
            standups=[standup("U1", next_=["Ship #12"])],
            pr_lookups=None,
            board_pulls=None,
            billing=None,
            github_problem="GITHUB_TOKEN is not set",
        )
    )
    info = digest.notes[0].next[0].pull_requests[0]
    assert not info.looked_up
    assert digest.board is None and digest.billing is None
    assert digest.problems == (
        DataProblem(
            area="github",
            what="PR states, the PR board and CI billing",
            why="GITHUB_TOKEN is not set",
        ),
    )


def test_partial_github_data_says_which_part_is_missing_and_why() -> None:
    digest = build_digest(
        **inputs(
            standups=[standup("U1", done=["#12"])],
            pr_lookups=Fetched[dict[str, PullRequestLookup]](
                data={}, problem="GitHub answered 502"
            ),
            board_pulls=Fetched[list[PullRequest]](data=[pull(1)], problem="acme/web: no access"),
            billing=Fetched[ActionsBilling](
                data=ActionsBilling(org="acme", problem="billing needs an org owner's token")
            ),
        )
    )
    assert {(p.area, p.what, p.why) for p in digest.problems} == {
        ("pull_requests", "some PR states", "GitHub answered 502"),
        ("board", "part of the PR board", "acme/web: no access"),
        ("billing", "CI billing", "billing needs an org owner's token"),
    }
    assert digest.notes[0].done[0].pull_requests[0].problem == "GitHub answered 502"
    assert digest.billing is not None
    assert digest.billing.problem == "billing needs an org owner's token"


def test_billing_problem_from_the_fetch_is_kept_with_the_months() -> None:
    billing = ActionsBilling(org="acme", months=(month(2026, 10, 93000),))
    digest = build_digest(
        **inputs(billing=Fetched[ActionsBilling](data=billing, problem="Sep 2026: HTTP 500"))
    )
    assert digest.billing is not None
    assert digest.billing.months == billing.months
    assert digest.billing.problem == "Sep 2026: HTTP 500"
    assert digest.problem("billing") == DataProblem(
        area="billing", what="part of CI billing", why="Sep 2026: HTTP 500"
    )


def test_no_repositories_means_no_board_and_says_so() -> None:
    digest = build_digest(**inputs(repos=[], board_pulls=None))
    assert digest.board is None
    problem = digest.problem("board")
    assert problem is not None and "GITHUB_REPOS" in problem.why


def test_board_is_built_from_the_board_pulls() -> None:
    merged = pull(5, state="merged", merged_at=NOW - timedelta(days=1))
    digest = build_digest(
        **inputs(board_pulls=Fetched[list[PullRequest]](data=[merged, pull(6, repo="web")]))
    )
    assert digest.board is not None
    assert digest.board.merged_count == 1
    assert digest.board.merged_by[0].person == Person(user_id="U2", name="Hesham Nasser")


# --- asks -----------------------------------------------------------------------------------


def test_asks_are_grouped_by_the_person_asked_with_everyone_first() -> None:
    asks = [
        ask("Rotate the creds", to="U2"),
        ask("Fill in the sheet", everyone=True),
        ask("Sign off", to=None, to_name="Design team"),
        ask("Copy for the empty cart", to=None, to_name="design TEAM "),
        ask("Old one", to="U2", meeting_date=MEETING - timedelta(days=7)),
        ask("Done one", to="U2", status="done"),
    ]
    digest = build_digest(**inputs(asks=asks))
    groups = [(g.to.name, g.everyone, [a.item.text for a in g.asks]) for g in digest.asks]
    assert groups == [
        ("Everyone", True, ["Fill in the sheet"]),
        ("Design team", False, ["Sign off", "Copy for the empty cart"]),
        ("Hesham Nasser", False, ["Old one", "Rotate the creds", "Done one"]),
    ]
    hesham = digest.asks[2]
    assert hesham.to.user_id == "U2"
    assert [a.carried_over for a in hesham.asks] == [True, False, False]
    assert hesham.open_count == 2
    assert digest.open_ask_count == 5
    assert hesham.asks[0].from_person == Person(user_id="U1", name="Kevin")


def test_an_ask_given_twice_counts_once() -> None:
    digest = build_digest(**inputs(asks=[ask("Same", id=7), ask("Same", id=7)]))
    assert len(digest.asks[0].asks) == 1


# --- follow-ups ---------------------------------------------------------------------------


def test_follow_ups_carry_owner_and_age_in_days() -> None:
    open_ones = [follow_up(2, "Newer", days_old=0.5), follow_up(1, "Older", days_old=12.9)]
    closed = [
        follow_up(3, "Closed", status="done", done_at=NOW - timedelta(days=1), done_by="U1"),
    ]
    digest = build_digest(**inputs(open_follow_ups=open_ones, closed_follow_ups=closed))
    assert [(f.follow_up.id, f.age_days) for f in digest.open_follow_ups] == [(1, 12), (2, 0)]
    assert digest.open_follow_ups[0].owner == Person(user_id="U2", name="Hesham Nasser")
    assert digest.closed_follow_ups[0].closed_by == Person(user_id="U1", name="Kevin")


def test_a_follow_up_without_an_owner_id_keeps_the_typed_name() -> None:
    lone = follow_up(4, "Ask legal", owner_user_id=None, owner_name="Legal")
    digest = build_digest(**inputs(open_follow_ups=[lone]))
    assert digest.open_follow_ups[0].owner == Person(name="Legal")


# --- time -----------------------------------------------------------------------------------


def test_times_are_shown_in_the_zone_of_now() -> None:
    berlin = NOW.astimezone(ZoneInfo("Europe/Berlin"))
    assert zone_label(berlin) == "Europe/Berlin"
    assert zone_label(NOW) == "UTC"
    assert build_digest(**inputs(now=berlin)).time_zone == "Europe/Berlin"


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_digest(**inputs(now=datetime(2026, 11, 30, 9, 0)))
