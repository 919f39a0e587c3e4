"""The digest's Away list and holiday note in both renderers, and the search query builder and
store over anything typed (hypothesis)."""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store import Store
from digests.build import build_digest
from digests.models import AwayPerson, HolidayMove, Person, SearchQuery, Standup
from digests.render.blocks import render_digest_messages
from digests.render.markdown import render_markdown
from digests.search import fts_query, search_terms, snippet_parts
from tests.factories import CYCLE, all_text, inputs, standup

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
