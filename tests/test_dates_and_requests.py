"""Dates people type, `/standup away …` and `/standup search …`: hand-checked examples, and
properties over any text (never raises; ISO dates read back exactly; a range never runs
backwards)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digests.away import AwayBook, status_means_away
from digests.dates import parse_day
from digests.models import Cycle, Member, TimeAway
from digests.parsing import MemberDirectory, parse_away, parse_command, parse_search

TODAY = date(2026, 11, 26)  # a Thursday
DIRECTORY = MemberDirectory(
    [
        Member(user_id="U1", name="kevin", real_name="Kevin Ortiz", display_name="Kevin"),
        Member(user_id="U2", name="hesham", real_name="Hesham Ali"),
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-24", date(2026, 12, 24)),
        ("today", TODAY),
        ("Tomorrow", date(2026, 11, 27)),
        ("thu", TODAY),
        ("mon", date(2026, 11, 30)),
        ("Monday", date(2026, 11, 30)),
        ("next thursday", date(2026, 12, 3)),
        ("next fri", date(2026, 11, 27)),
        ("dec 24", date(2026, 12, 24)),
        ("24 December", date(2026, 12, 24)),
        ("jan 5", date(2027, 1, 5)),  # no year: the next one
        ("5 Jan 2026", date(2026, 1, 5)),
        ("24.12.", date(2026, 12, 24)),
        ("2.1.2027", date(2027, 1, 2)),
        ("12/24", date(2026, 12, 24)),
        ("in 2 weeks", date(2026, 12, 10)),
        ("in 3 days", date(2026, 11, 29)),
    ],
)
def test_dates_as_typed(text: str, expected: date) -> None:
    assert parse_day(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jan 5", date(2026, 1, 5)),
        ("mon", date(2026, 11, 23)),
        ("last thu", date(2026, 11, 19)),
        ("2 weeks ago", date(2026, 11, 12)),
    ],
)
def test_dates_in_the_past_for_searching(text: str, expected: date) -> None:
    assert parse_day(text, TODAY, prefer="past") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("nov 29", date(2026, 11, 29)), ("jan 5", date(2027, 1, 5)), ("oct 1", date(2026, 10, 1))],
)
def test_dates_nearest_today_for_search_until(text: str, expected: date) -> None:
    assert parse_day(text, TODAY, prefer="nearest") == expected


@pytest.mark.parametrize(
    "text", ["", "the", "december", "10:00", "<@U1>", "31.2.", "soon", "x" * 80]
)
def test_what_is_not_a_date_is_none(text: str) -> None:
    assert parse_day(text, TODAY) is None


@given(st.text(max_size=60), st.dates())
def test_parse_day_never_raises(text: str, today: date) -> None:
    parse_day(text, today)
    parse_day(text, today, prefer="past")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_iso_dates_read_back_exactly(day: date) -> None:
    assert parse_day(day.isoformat(), TODAY) == day


@pytest.mark.parametrize(
    ("argument", "starts", "ends"),
    [
        ("mon fri", date(2026, 11, 30), date(2026, 12, 4)),
        ("mon to fri", date(2026, 11, 30), date(2026, 12, 4)),
        ("dec 24 jan 2", date(2026, 12, 24), date(2027, 1, 2)),
        ("24.12. - 2.1.", date(2026, 12, 24), date(2027, 1, 2)),
        ("until 2026-12-31", TODAY, date(2026, 12, 31)),
        ("2026-12-01", date(2026, 12, 1), date(2026, 12, 1)),
        ("tomorrow", date(2026, 11, 27), date(2026, 11, 27)),
    ],
)
def test_away_ranges(argument: str, starts: date, ends: date) -> None:
    request = parse_away(argument, TODAY)
    assert (request.starts, request.ends, request.problem) == (starts, ends, None)


@pytest.mark.parametrize(
    ("argument", "problem"),
    [
        ("", "Usage: `/standup away"),
        ("whenever", "could not read “whenever” as a date"),
        ("2026-12-04 to 2026-12-01", "ends (2026-12-01) before it starts (2026-12-04)"),
        ("2026-11-01 to 2026-11-20", "over already"),
        ("2026-12-01 to 2028-12-01", "more than 366 days"),
    ],
)
def test_away_problems_are_said_plainly(argument: str, problem: str) -> None:
    request = parse_away(argument, TODAY)
    assert request.starts is None and request.problem is not None and problem in request.problem


@given(st.text(max_size=80))
def test_parse_away_never_raises_and_never_runs_backwards(argument: str) -> None:
    request = parse_away(argument, TODAY)
    if request.problem is None:
        assert request.starts is not None and request.ends is not None
        assert request.starts <= request.ends and request.ends >= TODAY


def test_the_new_sub_commands() -> None:
    assert parse_command("away mon fri").name == "away"
    assert parse_command("away mon fri").argument == "mon fri"
    assert parse_command("BACK").name == "back"
    assert parse_command("search deploy @kevin").argument == "deploy @kevin"


def test_search_with_every_filter() -> None:
    request = parse_search("deploying api @kevin since 2026-01-01 until oct 1", TODAY, DIRECTORY)
    assert request.problem is None
    assert request.words == "deploying api"
    assert (request.person, request.person_name) == ("U1", "Kevin")
    assert (request.since, request.until) == (date(2026, 1, 1), date(2026, 10, 1))


def test_search_by_a_mention_and_with_since_as_a_word() -> None:
    request = parse_search("<@U2|hesham> wait since forever", TODAY, DIRECTORY)
    assert (request.person, request.words, request.since) == ("U2", "wait since forever", None)


@pytest.mark.parametrize(
    ("argument", "problem"),
    [
        ("", "Usage: `/standup search"),
        ("@kevin", "Usage: `/standup search"),
        ("deploy @nobody", "anyone called “@nobody”"),
        ("deploy since 2026-10-01 until 2026-09-01", "until 2026-09-01: the `until` date"),
    ],
)
def test_search_problems(argument: str, problem: str) -> None:
    request = parse_search(argument, TODAY, DIRECTORY)
    assert request.problem is not None and problem in request.problem


@given(st.text(max_size=120))
def test_parse_search_never_raises(argument: str) -> None:
    request = parse_search(argument, TODAY, DIRECTORY)
    assert request.problem is not None or request.words


# --- statuses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("emoji", "text"),
    [
        (":palm_tree:", ""),
        (":airplane:", "Travelling"),
        (":face_with_thermometer:", ""),
        (":no_entry:", "heads down"),
        ("", "Vacationing"),
        ("", "OOO until Monday"),
        ("", "out of office"),
        ("", "Sick"),
        ("", "on parental leave"),
        ("", "Im Urlaub"),
        ("", "en congé"),
        ("", "de vacaciones"),
        ("", "de férias"),
        ("", "in ferie"),
        ("", "op vakantie"),
        ("", "na urlopie"),
        ("", "夏季休暇"),
        (":beach_with_umbrella:", ""),  # configured as extra below
    ],
)
def test_away_statuses(emoji: str, text: str) -> None:
    assert status_means_away(emoji, text, extra_emoji=(":beach_with_umbrella:",))


@pytest.mark.parametrize(
    ("emoji", "text"),
    [
        (":spiral_calendar_pad:", "In a meeting"),
        (":house_with_garden:", "Working remotely"),
        ("", "Leaves at 5"),
        ("", "Vacations planning"),
        ("", "sickle repair"),
        (":beach_with_umbrella:", ""),  # not configured here
    ],
)
def test_statuses_that_are_not_away(emoji: str, text: str) -> None:
    assert not status_means_away(emoji, text)


BERLIN = ZoneInfo("Europe/Berlin")
EXPIRES = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)  # Sat 28 Nov 00:00 in Berlin


def book(*, back: str | None = None, ranges: tuple[TimeAway, ...] = ()) -> AwayBook:
    member = Member(
        user_id="U1",
        name="kevin",
        status_emoji=":palm_tree:",
        status_text="Vacationing",
        status_expires_at=EXPIRES,
    )
    backs = {"U1": back} if back else {}
    return AwayBook.build([member], ranges, backs, zone=BERLIN)


def test_a_status_counts_until_it_expires() -> None:
    away = book().away_at("U1", EXPIRES - timedelta(minutes=1))
    assert away is not None and away.by_status and away.until == date(2026, 11, 27)
    assert book().away_at("U1", EXPIRES) is None


def test_back_wins_over_the_status_it_was_said_from() -> None:
    assert (
        book(back=":palm_tree:|Vacationing|2026-11-27T23:00:00+00:00").away_at(
            "U1", EXPIRES - timedelta(hours=1)
        )
        is None
    )
    assert book(back="something else").away_at("U1", EXPIRES - timedelta(hours=1)) is not None


def test_days_away_count_in_a_cycle_they_overlap() -> None:
    cycle = Cycle(
        meeting_date=date(2026, 11, 30),
        starts_at=datetime(2026, 11, 23, 8, tzinfo=UTC),
        ends_at=datetime(2026, 11, 30, 8, tzinfo=UTC),
    )
    ranges = (TimeAway(user_id="U1", starts=date(2026, 11, 20), ends=date(2026, 11, 24)),)
    after_status = EXPIRES + timedelta(days=2)
    away = book(ranges=ranges).away_in_cycle("U1", cycle, after_status)
    assert away is not None and away.until == date(2026, 11, 24) and not away.by_status
    ranges = (TimeAway(user_id="U1", starts=date(2026, 11, 1), ends=date(2026, 11, 22)),)
    assert book(ranges=ranges).away_in_cycle("U1", cycle, after_status) is None
