"""build_digest: who reported, notes with live PR states, asks by person, follow-ups, problems,
and last cycle's promises and blockers followed into this one, with the trend."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from digests.build import build_digest, zone_label
from digests.models import (
    ActionsBilling,
    DataProblem,
    Digest,
    Fetched,
    Person,
    PullRequest,
    PullRequestLookup,
    TrendPoint,
)
from tests.factories import (
    MEETING,
    NOW,
    ask,
    follow_up,
    inputs,
    lookups,
    month,
    promises_inputs,
    pull,
    standup,
)

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


# --- promises, blockers across cycles, the trend --------------------------------------------

WEEK = timedelta(weeks=1)


def followed_digest(**overrides: object) -> Digest:
    return build_digest(**promises_inputs(**overrides))


def test_each_person_s_promises_and_the_team_s_figures() -> None:
    digest = followed_digest()
    by_name = {p.person.name: p for p in digest.promises}
    assert list(by_name) == ["Hesham Nasser", "Jordan", "Kevin", "maya"]  # as the notes
    kevin = by_name["Kevin"]
    assert [(p.text, p.outcome, p.weeks_carried) for p in kevin.promises] == [
        ("Write the runbook", "carried", 4),  # 3 weeks ago, 2 weeks ago, last week and now
        ("Ship the export API", "delivered", 1),
        ("Fix the Safari login loop", "not_reported", 1),
    ]
    assert (kevin.delivered, kevin.promised, kevin.reported) == (1, 3, True)
    hesham = by_name["Hesham Nasser"]
    assert [(p.outcome, p.merged, p.matched, p.weeks_carried) for p in hesham.promises] == [
        ("delivered", True, None, 1),  # #418 merged during the cycle
        ("not_reported", False, None, 1),
        ("delivered", False, "Left notes on acme/web#1187", 1),  # the same PR in Done
        ("carried", False, "Q1 roadmap draft", 2),
    ]
    assert (by_name["maya"].delivered, by_name["maya"].promised) == (0, 1)
    assert not by_name["maya"].reported  # listed though she sent nothing
    jordan = by_name["Jordan"]  # away all week: listed, not counted
    assert jordan.away and [p.outcome for p in jordan.promises] == ["away"]
    assert (jordan.delivered, jordan.promised) == (0, 0)
    assert (digest.delivered_count, digest.promised_count) == (3, 8)
    [carried] = digest.carried_for(3)
    assert carried.person.name == "Kevin" and carried.promise.text == "Write the runbook"
    assert carried.promise.first_promised == MEETING - 3 * WEEK
    assert digest.carried_for(5) == ()


def test_blockers_are_marked_new_still_blocked_or_resolved() -> None:
    digest = followed_digest()
    marks = [(b.item.text, b.status.state, b.status.weeks) for b in digest.blockers if b.status]
    assert marks == [
        ("Waiting on staging DB credentials", "still_blocked", 3),
        ("No VPN access", "new", 1),
    ]
    assert digest.blockers[0].status is not None
    assert digest.blockers[0].status.first_reported == MEETING - 2 * WEEK
    [resolved] = digest.resolved_blockers
    assert (resolved.person.name, resolved.item.text) == ("Kevin", "Design sign-off")
    assert resolved.status is not None and resolved.status.state == "resolved"


def test_the_trend_ends_with_this_cycle_as_the_digest_states_it() -> None:
    digest = followed_digest()
    assert [p.meeting_date for p in digest.trend] == [MEETING - n * WEEK for n in (3, 2, 1, 0)]
    # This week "Reported 2 of 3": Jordan, away, sent nothing and counts in neither.
    assert digest.trend[-1] == TrendPoint(
        meeting_date=MEETING, team_size=3, reported=2, promised=8, delivered=3
    )
    # Last week: all four reported; Kevin's runbook promised 2 weeks ago was carried: 0 of 1.
    assert digest.trend[-2] == TrendPoint(
        meeting_date=MEETING - WEEK, team_size=4, reported=4, promised=1, delivered=0
    )


def test_a_promise_whose_pr_merged_is_known_from_the_lookups_too() -> None:
    merged = pull(418, state="merged", merged_at=NOW - timedelta(days=1))
    digest = followed_digest(
        board_pulls=Fetched[list[PullRequest]](data=[]),
        pr_lookups=Fetched[dict[str, PullRequestLookup]](data=lookups(merged)),
    )
    hesham = digest.promises_of("U2")
    assert hesham is not None and hesham.promises[0].merged


def test_without_history_nothing_is_followed() -> None:
    digest = followed_digest(history=[])
    assert digest.promises == () and digest.resolved_blockers == ()
    assert all(blocker.status is None for blocker in digest.blockers)
    assert digest.trend == (
        TrendPoint(meeting_date=MEETING, team_size=3, reported=2, promised=0, delivered=0),
    )
