"""Matching lines across cycles, and what became of promises and blockers. Pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from benchmarks.promise_matching import load_pairs, measure
from digests.matching import (
    MATCH_THRESHOLD,
    content_words,
    pull_request_keys,
    same_work,
    similarity,
)
from digests.models import Cycle, CycleStandups, Standup, TrendPoint
from digests.promises import (
    cycle_point,
    delivered_of_promised,
    follow_blockers,
    follow_promises,
    follow_team,
    trend_points,
)
from tests.factories import MEETING

REPOS = ("acme/api", "acme/web")


def standup(
    weeks_ago: int, *, done: tuple[str, ...] = (), next_: tuple[str, ...] = (), blocked=()
) -> Standup:  # type: ignore[no-untyped-def]
    meeting = MEETING - timedelta(weeks=weeks_ago)
    return Standup(
        user_id="U1",
        user_name="Kevin",
        meeting_date=meeting,
        submitted_at=datetime.combine(meeting, datetime.min.time(), tzinfo=UTC),
        done=done,
        next=next_,
        blocked=tuple(blocked),
    )


# --- matching ---------------------------------------------------------------------------------


def test_the_labelled_pairs_are_matched_as_documented() -> None:
    figures = measure(load_pairs())
    assert figures["pairs"] >= 100
    assert figures["precision"] >= 0.98 and figures["recall"] >= 0.95, figures


def test_tense_order_and_progress_words_do_not_matter() -> None:
    assert same_work("Deploy the billing worker", "Deployed billing worker", repos=REPOS)
    assert same_work("Write the runbook", "Still writing the runbook", repos=REPOS)
    assert content_words("Finished deploying the new workers") == ("deploy", "worker")


def test_near_misses_on_the_same_topic_are_different_work() -> None:
    assert not same_work("Upgrade Postgres on staging", "Upgrade Redis on staging", repos=REPOS)
    assert similarity("Fix the bug", "Fix the flaky test") < MATCH_THRESHOLD


def test_pull_requests_decide_when_both_lines_name_one() -> None:
    assert same_work("Rate limiting (#418)", "Something else entirely, #418", repos=REPOS)
    assert not same_work("Rate limiting (#418)", "Rate limiting (#420)", repos=REPOS)
    link = "https://github.com/acme/api/pull/418"
    assert same_work("api#418 review", f"merged {link}", repos=REPOS)


LINES = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
BLANK = st.text(alphabet=" \t\u00a0\n-*·.,", max_size=10)


@given(line=LINES, blank=BLANK)
def test_nothing_matches_a_blank_or_wordless_line(line: str, blank: str) -> None:
    assert not same_work(line, blank, repos=REPOS)
    assert not same_work(blank, line, repos=REPOS)


@given(a=LINES, b=LINES)
def test_matching_is_symmetric(a: str, b: str) -> None:
    assert same_work(a, b, repos=REPOS) == same_work(b, a, repos=REPOS)


@given(a=LINES, b=LINES, number=st.integers(min_value=1, max_value=99_999))
def test_a_shared_pull_request_always_wins(a: str, b: str, number: int) -> None:
    assert same_work(f"{a} #{number}", f"#{number} {b}", repos=REPOS)
    # The same words naming two different pull requests are two pieces of work (unless the
    # words themselves name one, which both lines then share).
    assume(not pull_request_keys(a, repos=REPOS))
    assert not same_work(f"{a} #{number}", f"{a} #{number + 1}", repos=REPOS)


def test_the_same_words_with_a_pull_request_each_share_the_words_one() -> None:
    assert same_work("#1 #1", "#1 #2", repos=REPOS)  # both name #1
    assert not same_work("Ship it #1", "Ship it #2", repos=REPOS)


# --- promises ---------------------------------------------------------------------------------

PROMISED = ("Ship the export API", "Write the runbook", "Fix the Safari login loop", "Hiring")


def test_each_promise_has_exactly_one_outcome() -> None:
    last = standup(1, next_=PROMISED)
    now = standup(
        0,
        done=("Shipped the export API", "Interviewed two candidates"),
        next_=("Write the runbook (half done)", "Plan Q1"),
    )
    promises = follow_promises([last], now, repos=REPOS)
    outcomes = {p.text: p.outcome for p in promises}
    assert outcomes == {
        "Ship the export API": "delivered",
        "Write the runbook": "carried",
        "Fix the Safari login loop": "not_reported",
        "Hiring": "not_reported",
    }
    assert delivered_of_promised(promises) == (1, 4)
    carried = next(p for p in promises if p.outcome == "carried")
    assert (carried.weeks_carried, carried.first_promised) == (2, MEETING - timedelta(weeks=1))
    assert carried.matched == "Write the runbook (half done)"


def test_a_promise_carried_three_cycles_counts_its_weeks_from_the_first() -> None:
    history = [
        standup(1, next_=("Write the runbook",)),
        standup(2, next_=("Still writing the runbook",)),
        standup(3, next_=("Write the onboarding guide",)),  # different work: the chain stops
    ]
    now = standup(0, next_=("Write the runbook",))
    (promise,) = follow_promises(history, now, repos=REPOS)
    assert promise.outcome == "carried"
    assert promise.weeks_carried == 3  # promised for 2 weeks ago, last week and again now
    assert promise.first_promised == MEETING - timedelta(weeks=2)


def test_a_week_without_a_standup_breaks_the_chain() -> None:
    history = [
        standup(1, next_=("Write the runbook",)),
        None,
        standup(3, next_=("Write the runbook",)),
    ]
    (promise,) = follow_promises(history, standup(0, next_=("Write the runbook",)), repos=REPOS)
    assert promise.weeks_carried == 2


def test_a_promise_whose_pull_request_merged_is_delivered() -> None:
    last = standup(1, next_=("Rate limiting for the public API (#418)",))
    (promise,) = follow_promises([last], None, merged=frozenset({"ACME/API#418"}), repos=REPOS)
    assert promise.outcome == "delivered" and promise.merged


def test_nobody_reporting_leaves_every_promise_not_reported() -> None:
    promises = follow_promises([standup(1, next_=PROMISED)], None, repos=REPOS)
    assert {p.outcome for p in promises} == {"not_reported"}
    assert follow_promises([None], standup(0, done=("x",)), repos=REPOS) == ()
    assert follow_promises([], standup(0), repos=REPOS) == ()


@given(extra=st.lists(LINES, max_size=3), data=st.data())
def test_reordering_done_changes_no_outcome(extra: list[str], data: st.DataObject) -> None:
    done = ("Shipped the export API", "Fixed the Safari login loop", "Hiring done", *extra)
    first = follow_promises([standup(1, next_=PROMISED)], standup(0, done=done), repos=REPOS)
    shuffled = tuple(data.draw(st.permutations(done)))
    second = follow_promises([standup(1, next_=PROMISED)], standup(0, done=shuffled), repos=REPOS)
    assert [p.outcome for p in first] == [p.outcome for p in second]


@given(done=st.lists(LINES, max_size=5), next_=st.lists(LINES, max_size=5))
def test_every_promise_gets_one_outcome_whatever_was_typed(
    done: list[str], next_: list[str]
) -> None:
    promises = follow_promises(
        [standup(1, next_=PROMISED)], standup(0, done=tuple(done), next_=tuple(next_)), repos=REPOS
    )
    assert [p.text for p in promises] == list(PROMISED)
    for promise in promises:
        if promise.outcome == "carried":
            assert promise.weeks_carried >= 2
        else:
            assert promise.weeks_carried >= 1


# --- blockers ---------------------------------------------------------------------------------


def test_blockers_are_new_still_blocked_or_resolved() -> None:
    history = [
        standup(1, blocked=("Waiting on staging DB credentials", "Design sign-off")),
        standup(2, blocked=("Staging DB credentials from infra",)),
    ]
    now = standup(0, blocked=("Still waiting on the staging DB credentials", "No VPN access"))
    statuses = {s.text: s for s in follow_blockers(history, now, repos=REPOS)}
    credentials = statuses["Still waiting on the staging DB credentials"]
    assert credentials.state == "still_blocked"
    assert (credentials.first_reported, credentials.weeks) == (MEETING - timedelta(weeks=2), 3)
    assert statuses["No VPN access"].state == "new"
    assert statuses["No VPN access"].weeks == 1
    assert statuses["Design sign-off"].state == "resolved"
    assert len(statuses) == 3


def test_no_standup_this_cycle_says_nothing_about_blockers() -> None:
    assert follow_blockers([standup(1, blocked=("x",))], None, repos=REPOS) == ()


# --- the whole team ---------------------------------------------------------------------------


def cycle_of(weeks_ago: int) -> Cycle:
    ends = datetime.combine(MEETING - timedelta(weeks=weeks_ago), time(9), tzinfo=UTC)
    return Cycle(meeting_date=ends.date(), starts_at=ends - timedelta(days=7), ends_at=ends)


def of(user_id: str, made: Standup) -> Standup:
    return made.model_copy(update={"user_id": user_id, "user_name": user_id.lower()})


def team_history(*standups: Standup, cycles: int = 4) -> list[CycleStandups]:
    return [
        CycleStandups(
            cycle=cycle_of(weeks),
            standups=tuple(s for s in standups if s.meeting_date == cycle_of(weeks).meeting_date),
        )
        for weeks in range(1, cycles + 1)
    ]


def test_follow_team_follows_reporters_and_the_team_s_silent_promisers() -> None:
    history = team_history(
        of("U1", standup(1, next_=("Write the runbook",), blocked=("VPN access",))),
        of("U2", standup(1, next_=("Ship the export API",))),
        of("LEFT", standup(1, next_=("Something",))),  # left the team, sent nothing now
        of("U3", standup(1, done=("only done",))),  # promised nothing
    )
    followed = follow_team(
        history,
        [of("U1", standup(0, done=("Wrote the runbook",)))],
        team_ids={"U1", "U2", "U3"},
        ends_at=cycle_of(0).ends_at,
    )
    by_user = {f.user_id: f for f in followed}
    assert set(by_user) == {"U1", "U2"}
    assert [p.outcome for p in by_user["U1"].promises] == ["delivered"]
    assert [b.state for b in by_user["U1"].blockers] == ["resolved"]
    assert by_user["U2"].current is None and by_user["U2"].user_name == "u2"
    assert [p.outcome for p in by_user["U2"].promises] == ["not_reported"]
    assert by_user["U2"].blockers == ()


def test_a_pull_request_counts_only_when_it_merged_after_the_promise_and_before_the_meeting() -> (
    None
):
    promised = of("U1", standup(1, next_=("Rate limiting (#418)", "Search (#420)", "Docs (#421)")))
    made_at = promised.submitted_at
    merged = {
        "acme/api#418": made_at + timedelta(hours=1),  # after the promise: delivered
        "acme/api#420": made_at - timedelta(hours=1),  # before it: it was no promise of work
        "acme/api#421": cycle_of(0).ends_at,  # at the meeting: the next cycle's
    }
    [followed] = follow_team(
        team_history(promised),
        [],
        team_ids={"U1"},
        ends_at=cycle_of(0).ends_at,
        merged_at=merged,
        repos=REPOS,
    )
    assert [(p.outcome, p.merged) for p in followed.promises] == [
        ("delivered", True),
        ("not_reported", False),
        ("not_reported", False),
    ]


def test_trend_counts_reported_of_the_team_and_delivered_of_promised() -> None:
    history = team_history(
        # 1 week ago: U1 and U2 report; U1 delivers 1 of the 2 they promised 2 weeks ago.
        of("U1", standup(1, done=("Shipped the export API",), next_=("Write the runbook",))),
        of("U2", standup(1, next_=("Hiring plan",))),
        # 2 weeks ago: only U1 reports; of the 2 promised 3 weeks ago none is delivered.
        of("U1", standup(2, next_=("Ship the export API", "Fix Safari login"))),
        of("U2", standup(3, next_=("Hiring plan",))),
        of("U1", standup(3, next_=("Upgrade Postgres",))),
        cycles=3,
    )
    this_cycle = TrendPoint(meeting_date=MEETING, team_size=3, reported=2, promised=4, delivered=1)
    points = trend_points(history, this_cycle, team_ids={"U1", "U2", "U3"})
    assert points == (
        # 3 weeks ago is the oldest cycle read: its own promises are unknown, so it is not shown.
        TrendPoint(
            meeting_date=MEETING - timedelta(weeks=2),
            team_size=3,
            reported=1,
            promised=2,  # U1's "Upgrade Postgres" (not reported) and U2's "Hiring plan" (silent)
            delivered=0,
        ),
        TrendPoint(
            meeting_date=MEETING - timedelta(weeks=1),
            team_size=3,
            reported=2,
            promised=2,
            delivered=1,
        ),
        this_cycle,
    )


def test_recorded_figures_win_and_empty_cycles_before_the_first_are_left_out() -> None:
    history = team_history(of("U1", standup(1, next_=("a",))), cycles=8)
    recorded = TrendPoint(
        meeting_date=MEETING - timedelta(weeks=1), team_size=9, reported=7, promised=5, delivered=4
    )
    this_cycle = TrendPoint(meeting_date=MEETING, team_size=3, reported=0, promised=1, delivered=0)
    points = trend_points(
        history, this_cycle, team_ids={"U1"}, recorded={recorded.meeting_date: recorded}
    )
    assert points == (recorded, this_cycle)
    assert trend_points([], this_cycle, team_ids=set()) == (this_cycle,)


PEOPLE = ("U1", "U2", "U3")
TYPED = st.lists(st.one_of(LINES, st.sampled_from(PROMISED), st.just("Done: #418")), max_size=4)


@given(
    last=st.dictionaries(st.sampled_from(PEOPLE), st.tuples(TYPED, TYPED), max_size=3),
    now=st.dictionaries(st.sampled_from(PEOPLE), st.tuples(TYPED, TYPED, TYPED), max_size=3),
)
def test_every_promise_of_the_team_is_followed_once_whatever_was_typed(
    last: dict[str, tuple[list[str], list[str]]],
    now: dict[str, tuple[list[str], list[str], list[str]]],
) -> None:
    history = team_history(
        *(of(u, standup(1, next_=tuple(n), blocked=tuple(b))) for u, (n, b) in last.items()),
        cycles=2,
    )
    current = [
        of(u, standup(0, done=tuple(d), next_=tuple(n), blocked=tuple(b)))
        for u, (d, n, b) in now.items()
    ]
    followed = follow_team(
        history, current, team_ids=set(PEOPLE), ends_at=cycle_of(0).ends_at, repos=REPOS
    )
    assert len({f.user_id for f in followed}) == len(followed)
    promisers = {u for u, (made, _) in last.items() if any(t.strip() for t in made)}
    assert promisers | set(now) == {f.user_id for f in followed}
    for person in followed:
        made = [t for t in dict.fromkeys(last.get(person.user_id, ((), ()))[0]) if t.strip()]
        assert [p.text for p in person.promises] == made
        if person.current is None:
            assert {p.outcome for p in person.promises} <= {"not_reported"}
            assert person.blockers == ()
    point = TrendPoint(
        meeting_date=MEETING, team_size=3, reported=len(now), promised=0, delivered=0
    )
    for trend in trend_points(history, point, team_ids=set(PEOPLE), repos=REPOS):
        assert 0 <= trend.delivered <= trend.promised and 0 <= trend.reported <= trend.team_size


# --- away for the whole cycle -----------------------------------------------------------------


def test_someone_away_all_cycle_has_their_open_promises_left_out_of_the_counts() -> None:
    last = standup(1, next_=PROMISED)
    now = standup(0, done=("Shipped the export API",), next_=("Write the runbook again",))
    promises = follow_promises([last], now, repos=REPOS, away=True)
    assert {p.text: p.outcome for p in promises} == {
        "Ship the export API": "delivered",  # what they did deliver still counts
        "Write the runbook": "carried",  # and what they said carries, carries
        "Fix the Safari login loop": "away",
        "Hiring": "away",
    }
    assert delivered_of_promised(promises) == (1, 2)
    silent = follow_promises([last], None, repos=REPOS, away=True)
    assert {p.outcome for p in silent} == {"away"} and delivered_of_promised(silent) == (0, 0)


def test_the_team_and_the_trend_leave_out_who_was_away_all_cycle() -> None:
    history = team_history(
        of("U1", standup(1, next_=("Write the runbook",))),
        of("U2", standup(1, next_=("Hiring plan", "Upgrade Postgres"))),
        of("U1", standup(2, next_=("Ship the export API",))),
        of("U2", standup(2, next_=("Plan Q1",))),
        cycles=3,
    )
    current = [of("U1", standup(0, done=("Wrote the runbook",)))]
    followed = follow_team(
        history,
        current,
        team_ids={"U1", "U2", "U3"},
        ends_at=cycle_of(0).ends_at,
        repos=REPOS,
        away_ids={"U2"},
    )
    hesham = next(f for f in followed if f.user_id == "U2")
    assert hesham.away and {p.outcome for p in hesham.promises} == {"away"}
    point = cycle_point(
        MEETING,
        team_ids={"U1", "U2", "U3"},
        reported={"U1"},
        away={"U2"},
        promises=[f.promises for f in followed],
    )
    # "Reported 1 of 2": U2 is away and sent nothing; "delivered 1 of 1": U2's two left out.
    assert (point.team_size, point.reported, point.promised, point.delivered) == (2, 1, 1, 1)
    # A week no digest recorded, worked out: U3, away all of it, sent nothing and counts in
    # neither figure; U2, away too, reported anyway (counted), and their promise is left out.
    away_week = MEETING - timedelta(weeks=1)
    points = trend_points(
        history, point, team_ids={"U1", "U2", "U3"}, away={away_week: {"U2", "U3"}}, repos=REPOS
    )
    week = next(p for p in points if p.meeting_date == away_week)
    assert (week.team_size, week.reported, week.promised, week.delivered) == (2, 2, 1, 0)
    # Reported anyway: they count as reported, and so do their own promises' outcomes.
    assert (
        cycle_point(
            MEETING, team_ids={"U1", "U2"}, reported={"U1", "U2"}, away={"U2"}, promises=[]
        ).team_size  # fmt: skip
        == 2
    )
    assert cycle_point(MEETING, team_ids=(), reported={"U9"}, away=(), promises=[]).team_size == 1
