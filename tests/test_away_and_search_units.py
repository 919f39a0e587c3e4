"""The digest's Away list and holiday note in both renderers, and the search query builder and
store over anything typed (hypothesis)."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store import Store
from digests.away import AwayBook, away_whole_cycle, away_whole_cycles, cycle_workdays
from digests.build import build_digest
from digests.models import AwayPerson, HolidayMove, Member, Person, SearchQuery, Standup, TimeAway
from digests.render.blocks import render_digest_messages
from digests.render.markdown import render_markdown
from digests.search import fts_query, search_terms, snippet_parts
from digests.workdays import HolidayCalendar
from tests.factories import CYCLE, JORDAN_AWAY, all_text, inputs, promises_inputs, standup

KEVIN_AWAY = AwayPerson(person=Person(user_id="U1", name="x"), until=date(2026, 12, 4))


def test_people_away_are_listed_under_away_and_not_counted() -> None:
    digest = build_digest(**inputs(standups=[standup("U2", done=["a"])], away=[KEVIN_AWAY]))
    assert [p.user_id for p in digest.missing] == ["U3"]
    assert [(a.person.name, a.until) for a in digest.away] == [("Kevin", date(2026, 12, 4))]
    main = " ".join(all_text(list(render_digest_messages(digest)[0].blocks)))
    assert "*Reported (1 of 2):* Hesham Nasser" in main
    assert ":palm_tree: *Away (1):* Kevin (until Fri 4 Dec)" in main
    markdown = render_markdown(digest)
    assert "- **Reported (1 of 2):** Hesham Nasser" in markdown
    assert "- **Away (1):** Kevin (until Fri 4 Dec)" in markdown


def test_someone_away_who_reported_anyway_is_reported() -> None:
    digest = build_digest(**inputs(standups=[standup("U1", done=["a"])], away=[KEVIN_AWAY]))
    assert digest.away == () and [p.user_id for p in digest.reported] == ["U1"]
    assert "Away" not in render_markdown(digest)


BERLIN = ZoneInfo("Europe/Berlin")
# The factories' cycle: Mon 23 Nov 09:00 to Mon 30 Nov 09:00 (UTC), working days 23-27 Nov.
WEEK = (date(2026, 11, 23), date(2026, 11, 27))


def away(user: str, starts: date, ends: date) -> TimeAway:
    return TimeAway(user_id=user, starts=starts, ends=ends)


def test_away_for_the_whole_cycle_means_every_working_day_of_it() -> None:
    calendar = HolidayCalendar()
    days = cycle_workdays(CYCLE, zone=BERLIN, calendar=calendar)
    assert (days[0], days[-1], len(days)) == (*WEEK, 5)  # the meeting's Monday is not one
    assert away_whole_cycle([away("U1", *WEEK)], CYCLE, zone=BERLIN, calendar=calendar)
    split = [away("U1", WEEK[0], date(2026, 11, 24)), away("U1", date(2026, 11, 25), WEEK[1])]
    assert away_whole_cycle(split, CYCLE, zone=BERLIN, calendar=calendar)
    missing_friday = [away("U1", WEEK[0], date(2026, 11, 26))]
    assert not away_whole_cycle(missing_friday, CYCLE, zone=BERLIN, calendar=calendar)
    # A holiday on the Friday is no working day: Monday to Thursday away is the whole cycle.
    friday_off = HolidayCalendar(extra=frozenset({WEEK[1]}))
    assert away_whole_cycle(missing_friday, CYCLE, zone=BERLIN, calendar=friday_off)
    all_off = HolidayCalendar(extra=frozenset(days))
    assert not away_whole_cycle([], CYCLE, zone=BERLIN, calendar=all_off)  # no working day
    assert away_whole_cycles(
        [
            away("U1", *WEEK),
            away("U2", WEEK[0], date(2026, 11, 26)),
        ],
        [CYCLE],
        zone=BERLIN,
        calendar=calendar,
    ) == {CYCLE.meeting_date: frozenset({"U1"})}


def test_the_book_says_whole_cycle_only_for_days_set_never_for_a_status() -> None:
    member = Member(user_id="U1", name="kevin", status_emoji=":palm_tree:")
    book = AwayBook.build([member], [away("U1", *WEEK)], {}, zone=BERLIN)
    found = book.away_in_cycle("U1", CYCLE, CYCLE.ends_at)
    assert found is not None and found.whole_cycle
    by_status = AwayBook.build([member], [], {}, zone=BERLIN).away_in_cycle(
        "U1", CYCLE, CYCLE.ends_at
    )
    assert by_status is not None and by_status.by_status and not by_status.whole_cycle


def test_promises_of_someone_away_all_cycle_are_listed_as_away_and_not_counted() -> None:
    maya_away = AwayPerson(
        person=Person(user_id="U3", name="maya"), until=WEEK[1], whole_cycle=True
    )
    digest = build_digest(**promises_inputs(away=[JORDAN_AWAY, maya_away]))
    maya = digest.promises_of("U3")
    assert maya is not None and maya.away and [p.outcome for p in maya.promises] == ["away"]
    assert (digest.delivered_count, digest.promised_count) == (3, 7)  # was 3 of 8
    assert digest.trend[-1].team_size == 2 and digest.trend[-1].reported == 2
    markdown = render_markdown(digest)
    assert "- **Delivered 3 of 7 promised (43%)** last week" in markdown
    assert (
        "### maya\n\n_Away this week: promises not counted_\n\n**Promised** last week\n\n"
        "- 🌴 Upgrade Postgres — _away, not counted_"
    ) in markdown
    thread = " ".join(
        t for m in render_digest_messages(digest)[1:] for t in all_text(list(m.blocks))
    )
    assert (
        "*maya* · _away this week: promises not counted_\n*Promised* last week\n"
        "• :palm_tree: Upgrade Postgres — _away, not counted_"
    ) in thread


def test_a_status_without_expiry_reads_no_end_date() -> None:
    away = AwayPerson(person=Person(user_id="U3", name="maya"), until=None, by_status=True)
    digest = build_digest(**inputs(away=[away]))
    assert "- **Away (1):** maya (no end date)" in render_markdown(digest)


def test_a_moved_digest_says_so_in_both_renderers() -> None:
    moved = CYCLE.model_copy(
        update={
            "meeting_date": date(2026, 12, 1),
            "ends_at": CYCLE.ends_at + timedelta(days=1),
            "move": HolidayMove(moved_from=date(2026, 11, 30), holiday="<!channel> day"),
        }
    )
    digest = build_digest(**inputs(cycle=moved))
    main = render_digest_messages(digest)[0]
    header = main.blocks[0]["text"]["text"]  # type: ignore[index]
    assert header.endswith(
        "Tuesday 1 December 2026 (moved from Monday 30 November: <!channel> day)"
    )
    assert main.blocks[0]["text"]["type"] == "plain_text"  # type: ignore[index]
    assert "&lt;!channel&gt; day" in main.text and "<!channel>" not in main.text
    assert render_markdown(digest).startswith(
        "# Standup — Tuesday 1 December 2026 (moved from Monday 30 November: &lt;!channel&gt; day)"
    )


def test_search_terms_and_query() -> None:
    assert search_terms("Deploying the API, deploying!") == ["deploying", "the", "api"]
    assert fts_query('x" OR "y NEAR(') == 'text : ("x" "or" "y" "near")'
    assert fts_query("  ¿?  ") is None
    parts = snippet_parts("…check \x02deployments\x03 now\x02!\x03")
    assert [(p.text, p.matched) for p in parts] == [
        ("…check ", False),
        ("deployments", True),
        (" now", False),
        ("!", True),
    ]


_STORE = Store(Path(tempfile.mkdtemp()) / "search.db")
_STORE.save_standup(
    Standup(
        user_id="U1",
        user_name="Kevin",
        meeting_date=date(2026, 11, 30),
        submitted_at=datetime(2026, 11, 26, tzinfo=UTC),
        done=("deployed the api", "ÄÖÜ ünïcödé façade"),
    ),
    now=datetime(2026, 11, 26, tzinfo=UTC),
)


@settings(max_examples=200)
@given(st.text(max_size=80), st.one_of(st.none(), st.text(max_size=12)))
def test_search_takes_anything_typed(words: str, user: str | None) -> None:
    page = _STORE.search(SearchQuery(words=words, user_id=user, limit=5))
    assert len(page.hits) <= 5


def test_search_folds_diacritics_and_orders_newest_first_among_equals() -> None:
    assert [h.text for h in _STORE.search(SearchQuery(words="facade unicode")).hits] == [
        "ÄÖÜ ünïcödé façade"
    ]
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s.db") as store:
        for meeting in (date(2026, 11, 16), date(2026, 11, 30), date(2026, 11, 23)):
            store.save_standup(
                Standup(
                    user_id="U1",
                    user_name="Kevin",
                    meeting_date=meeting,
                    submitted_at=datetime(2026, 11, 1, tzinfo=UTC),
                    done=("rotated the keys",),
                ),
                now=datetime(2026, 11, 1, tzinfo=UTC),
            )
        hits = store.search(SearchQuery(words="rotate key")).hits
        assert [h.meeting_date for h in hits] == [
            date(2026, 11, 30),
            date(2026, 11, 23),
            date(2026, 11, 16),
        ]
