import sqlite3
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError
from digests.models import Ask, Person, PlannedMessage, Standup
from tests.conftest import NOW, TEAM
from tests.factories import MEETING


def standup(user_id: str = "U1", **fields: object) -> Standup:
    values: dict[str, object] = {
        "user_id": user_id,
        "user_name": "Kevin",
        "meeting_date": MEETING,
        "submitted_at": NOW,
        "done": ("shipped login",),
        "next": ("billing",),
    }
    values.update(fields)
    return Standup(**values)  # type: ignore[arg-type]


def ask(text: str, to: str | None = "U2", name: str = "Hesham") -> Ask:
    return Ask(
        from_user_id="U1",
        from_name="Kevin",
        to_user_id=to,
        to_name=name,
        text=text,
        meeting_date=MEETING,
    )


def test_a_new_file_is_at_the_latest_schema_in_wal_mode(tmp_path: Path) -> None:
    with Store(tmp_path / "s.db") as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store._conn().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store._conn().execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_an_older_file_is_upgraded_in_place_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO members (user_id, name, updated_at) VALUES ('U1', 'kevin', '2026-01-01')"
    )
    conn.execute(
        "INSERT INTO standups (user_id, user_name, meeting_date, submitted_at, updated_at) "
        "VALUES ('U1', 'Kevin', '2026-11-30', '2026-11-26T12:00:00+00:00', '2026-11-26')"
    )
    conn.execute("INSERT INTO standup_items VALUES (1, 'done', 0, 'kept across the upgrade')")
    conn.commit()
    conn.close()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.get_standup("U1", MEETING).done == ("kept across the upgrade",)  # type: ignore[union-attr]
        store.save_github_login("U1", "kortiz")  # a column migration 2 added
        assert store.get_member("U1").github_login == "kortiz"  # type: ignore[union-attr]


def test_a_file_from_a_newer_bot_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this bot"):
        Store(path)


def test_saving_again_in_the_same_cycle_replaces_never_duplicates(store: Store) -> None:
    store.save_standup(standup(asks=(ask("review #12"),)), now=NOW)
    edited = standup(done=("shipped login", "fixed CI"), asks=(ask("review #12"), ask("pair?")))
    saved, _ = store.save_standup(edited, now=NOW + timedelta(hours=1))
    assert saved.done == ("shipped login", "fixed CI")
    assert [a.text for a in saved.asks] == ["review #12", "pair?"]
    assert len(store.get_standups(MEETING)) == 1
    assert store._conn().execute("SELECT count(*) FROM asks").fetchone()[0] == 2


def test_an_edit_keeps_a_closed_ask_closed_and_drops_removed_ones(store: Store) -> None:
    saved, _ = store.save_standup(standup(asks=(ask("review #12"), ask("drop me"))), now=NOW)
    kept_id = saved.asks[0].id
    assert kept_id is not None
    store.save_ask_status(kept_id, "done", by="U2", now=NOW)
    saved, _ = store.save_standup(standup(asks=(ask("review #12"),)), now=NOW)
    assert [(a.id, a.status) for a in saved.asks] == [(kept_id, "done")]


def test_follow_ups_from_a_standup_are_owned_and_replaced_on_edit(store: Store) -> None:
    hesham = Person(user_id="U2", name="Hesham")
    _, follow_ups = store.save_standup(
        standup(), follow_ups=[(hesham, "send the RFC"), (None, "book the room")], now=NOW
    )
    assert [(f.owner_user_id, f.text) for f in follow_ups] == [
        ("U2", "send the RFC"),
        ("U1", "book the room"),
    ]
    _, follow_ups = store.save_standup(standup(), follow_ups=[(hesham, "send the RFC")], now=NOW)
    assert [f.text for f in store.get_open_follow_ups()] == ["send the RFC"]


def test_follow_up_status_round_trip(store: Store) -> None:
    follow_up = store.save_follow_up(
        text="t", owner=None, created_by="U1", meeting_date=MEETING, source=None, now=NOW
    )
    done = store.save_follow_up_status(follow_up.id, "done", by="U3", now=NOW)
    assert done is not None and done.status == "done" and done.done_by == "U3"
    assert store.get_follow_ups_closed_between(NOW - timedelta(days=1), NOW + timedelta(days=1))
    reopened = store.save_follow_up_status(follow_up.id, "open", by=None, now=NOW)
    assert reopened is not None and reopened.done_at is None and reopened.done_by is None


def test_team_is_the_channel_humans(store: Store) -> None:
    bot = TEAM[0].model_copy(update={"user_id": "UB", "name": "bot", "is_bot": True})
    store.save_members([*TEAM, bot], team_ids=["U1", "U2", "UB"], now=NOW)
    assert [m.user_id for m in store.get_team()] == ["U2", "U1"]  # sorted by label
    store.save_members(TEAM, team_ids=["U3"], now=NOW)
    assert [m.user_id for m in store.get_team()] == ["U3"]


def test_a_hand_set_github_login_survives_a_member_refresh(store: Store) -> None:
    store.save_members(TEAM, team_ids=None, now=NOW)
    store.save_github_login("U1", "kortiz")
    store.save_members(TEAM, team_ids=None, now=NOW)
    assert store.get_member("U1").github_login == "kortiz"  # type: ignore[union-attr]


def test_events_are_claimed_once(store: Store) -> None:
    assert store.claim_event("Ev1", now=NOW) is True
    assert store.claim_event("Ev1", now=NOW) is False


def test_a_digest_plan_is_stored_once_and_posting_is_recorded(store: Store) -> None:
    messages = [
        PlannedMessage(seq=0, kind="main", text="hi", thread=False),
        PlannedMessage(seq=1, kind="chart", text="chart", file_name="c.png"),
    ]
    first = store.save_digest_plan("C1", MEETING, messages, files={"c.png": b"png"}, now=NOW)
    assert store.save_digest_plan("C1", MEETING, messages[:1], now=NOW) == first
    plan = store.get_digest_plan(first)
    assert [(m.seq, ts, f) for m, ts, f in plan] == [(0, None, None), (1, None, b"png")]
    store.save_digest_message_ts(first, 0, "1.0001", now=NOW)
    store.save_digest_message_ts(first, 1, "1.0002", now=NOW)
    assert store.get_digest_info(first)["finished_at"] is not None
    forced = store.save_digest_plan("C1", MEETING, messages, force=True, now=NOW)
    assert forced != first and store.get_digest_id("C1", MEETING) == forced


def test_a_failed_write_leaves_nothing_behind(store: Store) -> None:
    bad = standup(done=("fine",), asks=(ask("x"),))
    # Sabotage the asks table so the second half of the transaction fails.
    store._conn().execute(
        "CREATE TRIGGER no_asks BEFORE INSERT ON asks "
        "BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
    )
    with pytest.raises(StoreError, match="disk says no"):
        store.save_standup(bad, now=NOW)
    assert store.get_standups(MEETING) == []


def test_concurrent_writers_from_many_threads_all_land(tmp_path: Path) -> None:
    store = Store(tmp_path / "busy.db")
    errors: list[BaseException] = []

    def submit(i: int) -> None:
        try:
            other = Store(tmp_path / "busy.db") if i % 2 else store  # two processes' worth
            other.save_standup(standup(f"U{i}", done=(f"item {i}",)), now=NOW)
            other.claim_event(f"E{i}", now=NOW)
            if other is not store:
                other.close()
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.get_standups(MEETING)) == 40
    store.close()


def test_backup_holds_every_committed_row(store: Store, tmp_path: Path) -> None:
    store.save_standup(standup(), now=NOW)
    store.backup(tmp_path / "copy.db")
    with Store(tmp_path / "copy.db") as copy:
        assert copy.get_standup("U1", MEETING) is not None


def test_time_values_come_back_aware(store: Store) -> None:
    saved, _ = store.save_standup(
        standup(submitted_at=datetime(2026, 11, 26, 13, tzinfo=UTC)), now=NOW
    )
    assert saved.submitted_at.tzinfo is not None


# --- the history of earlier cycles --------------------------------------------------------------


def test_standups_of_several_meetings_come_back_whole_in_three_queries(store: Store) -> None:
    weeks = [MEETING - timedelta(weeks=n) for n in range(4)]
    for n, meeting in enumerate(weeks):
        for user_id in ("U1", "U2", "U3"):
            store.save_standup(
                standup(
                    user_id,
                    meeting_date=meeting,
                    submitted_at=NOW - timedelta(weeks=n, hours=int(user_id[1])),
                    done=(f"done {n}",),
                    next=(f"next {n} a", f"next {n} b"),
                    blocked=(f"blocked {n}",),
                    asks=(ask(f"ask {n}").model_copy(update={"meeting_date": meeting}),),
                ),
                now=NOW,
            )
    statements: list[str] = []
    store._conn().set_trace_callback(statements.append)
    found = store.get_standups_of_meetings(weeks[1:3] + [date(2020, 1, 6)])
    store._conn().set_trace_callback(None)
    assert len(statements) == 3  # standups, items, asks: whatever the number of cycles
    assert sorted(found) == sorted(weeks[1:3])  # meetings without standups are absent
    last_week = found[weeks[1]]
    assert [s.user_id for s in last_week] == ["U3", "U2", "U1"]  # in submission order
    assert last_week[0].next == ("next 1 a", "next 1 b") and last_week[0].blocked == ("blocked 1",)
    assert [a.text for a in last_week[0].asks] == ["ask 1"]
    assert store.get_standups_of_meetings([]) == {}


def test_a_cycle_record_round_trips_and_a_fresh_copy_replaces_it(store: Store) -> None:
    from digests.models import CycleRecord, PersonPromises, Promise, TrendPoint

    promise = Promise(
        text="Write the runbook",
        outcome="carried",
        weeks_carried=3,
        first_promised=MEETING - timedelta(weeks=2),
        matched="Still writing the runbook",
    )
    record = CycleRecord(
        point=TrendPoint(meeting_date=MEETING, team_size=6, reported=5, promised=3, delivered=1),
        promises=(
            PersonPromises(
                person=Person(user_id="U1", name="Kevin"), reported=True, promises=(promise,)
            ),
        ),
    )
    store.save_cycle_record("C1", record, now=NOW)
    assert store.get_cycle_records("C1", [MEETING, MEETING - timedelta(weeks=1)]) == {
        MEETING: record
    }
    assert store.get_cycle_records("C2", [MEETING]) == {}
    again = record.model_copy(update={"point": record.point.model_copy(update={"delivered": 2})})
    store.save_cycle_record("C1", again, now=NOW)
    assert store.get_cycle_records("C1", [MEETING])[MEETING].point.delivered == 2


# --- migration 3: asks DM'd before it keep their DM; lines as typed -------------------------------


def test_asks_dmd_before_the_upgrade_are_marked_sent(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:2], start=1):
        conn.executescript(script + f"; PRAGMA user_version = {number};")
    conn.execute(
        "INSERT INTO asks (meeting_date, from_user_id, from_name, to_user_id, to_name, text, "
        "dm_channel, dm_ts) VALUES ('2026-11-30', 'U1', 'Kevin', 'U2', 'Hesham', 'x', 'D2', '1.2')"
    )
    conn.commit()
    conn.close()
    with Store(path) as store:
        [ask] = store.get_asks_by_dm("D2", "1.2")
        assert ask.dm_state == "sent" and ask.typed is None
        assert store.claim_ask_dms([ask.id or 0], now=NOW) == []  # never sent twice


# --- claims ---------------------------------------------------------------------------------------


def test_a_delivery_is_claimed_with_its_save_and_only_then(store: Store, tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "standup.db") as conn:
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON standups BEGIN SELECT RAISE(ABORT, 'no'); END"
        )
    with pytest.raises(StoreError):
        store.save_submission(standup(), delivery="view:V1:h1", now=NOW)
    assert not store.is_event_claimed("view:V1:h1")  # the failed save claimed nothing
    with sqlite3.connect(tmp_path / "standup.db") as conn:
        conn.execute("DROP TRIGGER refuse")
    assert store.save_submission(standup(), delivery="view:V1:h1", now=NOW) is not None
    assert store.save_submission(standup(), delivery="view:V1:h1", now=NOW) is None


def test_an_unchanged_submission_changes_nothing(store: Store) -> None:
    typed = ask("review #12").model_copy(update={"typed": "@hesham review #12"})
    first = store.save_submission(standup(asks=(typed,)), now=NOW)
    assert first is not None and first.changed
    [saved] = first.standup.asks
    store.save_ask_status(saved.id or 0, "done", by="U2", now=NOW)
    # The name now resolves differently (a display name changed): the typed line still matches.
    renamed = typed.model_copy(update={"to_name": "Hesh"})
    again = store.save_submission(standup(asks=(renamed,)), now=NOW + timedelta(hours=2))
    assert again is not None and not again.changed
    [kept] = again.standup.asks
    assert kept.id == saved.id and kept.status == "done" and kept.to_name == "Hesham"


def test_an_ask_dm_is_claimed_once_then_sent_failed_or_released(store: Store) -> None:
    saved, _ = store.save_standup(standup(asks=(ask("a"), ask("b"), ask("c", to=None))), now=NOW)
    ids = [a.id or 0 for a in saved.asks]
    claimed = store.claim_ask_dms(ids, now=NOW)
    assert [a.id for a in claimed] == ids[:2]  # the third is to nobody
    assert store.claim_ask_dms(ids, now=NOW) == []  # a second claimer gets nothing
    store.release_ask_dms([ids[0]])
    store.save_ask_dm_failed([ids[1]], "user_not_found")
    assert [a.id for a in store.claim_ask_dms(ids, now=NOW)] == [ids[0]]
    store.save_ask_dm([ids[0]], "D2", "1.5")
    later = NOW + timedelta(hours=1)
    assert store.claim_ask_dms(ids, now=later) == []  # sent, and failed for good: never again
    assert [a.dm_state for a in store.get_asks(ids)] == ["sent", "failed", None]


def test_a_claim_left_by_a_crash_can_be_taken_after_its_lease(store: Store) -> None:
    saved, _ = store.save_standup(standup(asks=(ask("a"),)), now=NOW)
    ids = [saved.asks[0].id or 0]
    assert store.claim_ask_dms(ids, now=NOW)
    assert store.claim_ask_dms(ids, now=NOW + timedelta(minutes=5)) == []
    assert store.claim_ask_dms(ids, now=NOW + timedelta(minutes=11))


def test_a_done_reaction_is_claimed_recorded_and_applied_together(store: Store) -> None:
    _, [follow_up] = store.save_standup(standup(), follow_ups=[(None, "x")], now=NOW)
    common = {"channel": "C1", "ts": "1.1", "reaction": "white_check_mark", "now": NOW}
    kwargs = {**common, "follow_up_id": follow_up.id}
    assert store.save_done_reaction(event_id="E1", user_id="U2", added=True, **kwargs) is True
    assert store.save_done_reaction(event_id="E1", user_id="U2", added=True, **kwargs) is None
    assert store.save_done_reaction(event_id="E2", user_id="U3", added=True, **kwargs) is False
    assert store.get_follow_up(follow_up.id).done_by == "U2"  # type: ignore[union-attr]
    assert store.save_done_reaction(event_id="E3", user_id="U2", added=False, **kwargs) is False
    assert store.save_done_reaction(event_id="E4", user_id="U9", added=False, **kwargs) is False
    assert store.get_follow_up(follow_up.id).status == "done"  # type: ignore[union-attr]
    assert store.save_done_reaction(event_id="E5", user_id="U3", added=False, **kwargs) is True
    assert store.get_follow_up(follow_up.id).status == "open"  # type: ignore[union-attr]


# --- GitHub logins are unique ---------------------------------------------------------------------


def test_a_github_login_belongs_to_one_member(store: Store) -> None:
    store.save_members(TEAM, team_ids=None, now=NOW)
    assert store.save_github_login("U1", "octocat") is None
    assert store.save_github_login("U2", "OctoCat") == "U1"  # refused, whatever the case
    assert store.get_member("U2").github_login is None  # type: ignore[union-attr]
    guessed = [TEAM[2].model_copy(update={"github_login": "octocat"})]
    store.save_members(guessed, team_ids=None, now=NOW)  # read from a profile: dropped
    assert store.get_member("U3").github_login is None  # type: ignore[union-attr]
    assert store.save_github_login("U1", None) is None  # unlinked: free for someone else
    assert store.save_github_login("U2", "octocat") is None


# --- retention ------------------------------------------------------------------------------------


def test_bookkeeping_is_pruned_on_its_retention(store: Store) -> None:
    year_ago, last_week = NOW - timedelta(days=365), NOW - timedelta(days=7)
    for when, name in ((year_ago, "old"), (last_week, "new")):
        store.claim_event(f"Ev{name}", now=when)
        store.save_done_reaction(
            event_id=None, channel="C1", ts=name, user_id="U1", reaction="white_check_mark",
            added=True, now=when,
        )  # fmt: skip
    store.save_http_cache("https://api.example/old", "etag", b"{}")
    store._conn().execute("UPDATE http_cache SET updated_at = ?", (year_ago.isoformat(),))
    store.save_http_cache("https://api.example/new", "etag", b"{}")
    pruned = store.prune_bookkeeping(now=NOW)
    assert (pruned.events, pruned.reactions, pruned.http_cache) == (1, 1, 1)
    assert store.is_event_claimed("Evnew") and not store.is_event_claimed("Evold")
    assert store.get_reaction_users("C1", "new") == ["U1"]
    assert store.get_http_cache("https://api.example/new") is not None
    assert store.get_http_cache("https://api.example/old") is None


# --- answers --------------------------------------------------------------------------------------


def test_an_answer_closes_its_ask_once_and_an_edit_replaces_it(store: Store) -> None:
    saved, _ = store.save_standup(standup(asks=(ask("review #3"),)), now=NOW)
    ask_id = saved.asks[0].id or 0
    first = store.save_ask_answer(ask_id, "done\nLGTM", by="U2", now=NOW, delivery="view:V1:h")
    assert first is not None and first.first and first.changed
    assert (first.ask.status, first.ask.closed_by, first.ask.answered_by) == ("done", "U2", "U2")
    assert first.ask.answer == "done\nLGTM" and first.ask.answered_at == NOW
    # The same delivery again saves nothing; a new one with the same text changes nothing.
    assert store.save_ask_answer(ask_id, "other", by="U2", now=NOW, delivery="view:V1:h") is None
    later = NOW + timedelta(hours=1)
    same = store.save_ask_answer(ask_id, "done\nLGTM", by="U2", now=later)
    assert same is not None and not same.changed and same.ask.answered_at == NOW
    edited = store.save_ask_answer(ask_id, "LGTM, merged", by="U2", now=later)
    assert edited is not None and edited.changed and not edited.first
    assert edited.ask.answer == "LGTM, merged" and edited.ask.closed_at == NOW  # first closer
    assert store.save_ask_answer(999, "x", by="U2", now=NOW) is None
    # Never reopened: not by the status, not by the last ✅ going.
    assert store.save_ask_status(ask_id, "open", by="U1", now=later).status == "done"  # type: ignore[union-attr]


def test_an_edit_that_leaves_out_an_answered_ask_keeps_it(store: Store) -> None:
    saved, _ = store.save_standup(standup(asks=(ask("review #3"), ask("book a room"))), now=NOW)
    answered, other = saved.asks
    store.save_ask_answer(answered.id or 0, "reviewed", by="U2", now=NOW)
    edited, _ = store.save_standup(standup(asks=()), now=NOW)
    assert [a.text for a in edited.asks] == ["review #3"]  # the unanswered one went
    assert store.get_ask(other.id or 0) is None
    again = store.save_submission(standup(asks=()), now=NOW)
    assert again is not None and not again.changed  # leaving it out again changes nothing


def test_the_digest_lists_earlier_asks_answered_during_its_cycle(store: Store) -> None:
    before = MEETING - timedelta(weeks=1)
    old = standup(meeting_date=before, asks=(ask("old, answered"), ask("old, answered before")))
    saved, _ = store.save_standup(old, now=NOW - timedelta(weeks=1))
    late, early = saved.asks
    starts = NOW - timedelta(days=7)
    store.save_ask_answer(late.id or 0, "now", by="U2", now=starts + timedelta(days=1))
    store.save_ask_answer(early.id or 0, "then", by="U2", now=starts - timedelta(days=1))
    texts = [a.text for a in store.get_digest_asks(MEETING, answered_since=starts)]
    assert texts == ["old, answered"]
    assert store.get_digest_asks(MEETING) == []  # without the cycle's start, only open ones


def test_the_answers_migration_leaves_every_earlier_ask_unanswered(tmp_path: Path) -> None:
    answers = next(n for n, script in enumerate(MIGRATIONS) if "ADD COLUMN answer " in script)
    path = tmp_path / "before-answers.db"
    conn = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:answers], start=1):
        conn.executescript(script + f"; PRAGMA user_version = {number};")
    conn.execute(
        "INSERT INTO asks (meeting_date, from_user_id, from_name, to_user_id, to_name, text, "
        "status) VALUES ('2026-11-30', 'U1', 'Kevin', 'U2', 'Hesham', 'x', 'done')"
    )
    conn.commit()
    conn.close()
    with Store(path) as store:
        [found] = store.get_asks([1])
        assert (found.answer, found.answered_at, found.answered_by) == (None, None, None)
        assert not found.answered
