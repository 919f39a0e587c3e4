"""build_export: each standup with what became of last cycle's promises and how its blockers
stand; worked out from the stored standups, or as the posted digest recorded them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.config import Settings, load_settings
from bot.ops.export import build_export, render_export_markdown
from bot.store import Store
from digests.cycles import cycle_before, cycle_for_meeting
from digests.models import (
    Cycle,
    CycleRecord,
    Member,
    Person,
    PersonPromises,
    Promise,
    Standup,
    TimeAway,
    TrendPoint,
)
from tests.factories import MEETING

CHANNEL = "C0STANDUP"


def setting_up(tmp_path: Path) -> tuple[Settings, Cycle, Cycle]:
    settings = load_settings(
        {
            "STANDUP_DB": str(tmp_path / "s.db"),
            "STANDUP_CHANNEL": CHANNEL,
            "GITHUB_REPOS": "acme/api",
        },
        env_file=None,
    )
    cycle = cycle_for_meeting(settings.digest_schedule, MEETING)
    return settings, cycle, cycle_before(settings.digest_schedule, cycle)


def save(store: Store, user_id: str, cycle: Cycle, **items: tuple[str, ...]) -> None:
    standup = Standup(
        user_id=user_id,
        user_name=user_id.lower(),
        meeting_date=cycle.meeting_date,
        submitted_at=cycle.starts_at + timedelta(days=1),
        **items,
    )
    store.save_standup(standup, now=standup.submitted_at)


def seeded(store: Store, cycle: Cycle, before: Cycle) -> None:
    team = [Member(user_id=u, name=u.lower()) for u in ("U1", "U2")]
    store.save_members(team, team_ids=["U1", "U2"], now=before.starts_at)
    save(
        store,
        "U1",
        before,
        next=("Ship the export API (#12)", "Write the runbook"),
        blocked=("Staging DB credentials", "VPN access"),
    )
    save(store, "U2", before, next=("Upgrade Postgres",))
    save(
        store,
        "U1",
        cycle,
        done=("Deployed the docs site",),
        next=("Still writing the runbook",),
        blocked=("Waiting on staging DB credentials", "Design sign-off"),
    )


def test_without_a_posted_digest_outcomes_come_from_what_was_typed(tmp_path: Path) -> None:
    settings, cycle, before = setting_up(tmp_path)
    with Store(settings.standup_db) as store:
        seeded(store, cycle, before)
        export = build_export(store, cycle, settings)
    [kevin] = export["standups"]
    assert [(p["text"], p["outcome"], p["weeks_carried"]) for p in kevin["promises"]] == [
        ("Ship the export API (#12)", "not_reported", 1),  # whether #12 merged is unknown here
        ("Write the runbook", "carried", 2),
    ]
    assert [(b["text"], b["state"], b["weeks"]) for b in kevin["blockers_status"]] == [
        ("Waiting on staging DB credentials", "still_blocked", 2),
        ("Design sign-off", "new", 1),
        ("VPN access", "resolved", 1),
    ]
    assert export["promises_without_standup"] == [
        {
            "user_id": "U2",
            "user_name": "u2",
            "promises": [
                {
                    "text": "Upgrade Postgres",
                    "outcome": "not_reported",
                    "away": False,
                    "weeks_carried": 1,
                    "first_promised": before.meeting_date.isoformat(),
                    "merged": False,
                }
            ],
        }
    ]
    notes = render_export_markdown(export)
    assert "**Delivered 0 of 2 promised last week**" in notes
    assert "- Write the runbook — carried · 2nd week" in notes
    assert "- Waiting on staging DB credentials — still blocked since " in notes
    assert "- Design sign-off — new" in notes
    assert "**Resolved since last week**\n- ~~VPN access~~ — resolved after 1 week" in notes
    assert "## u2\n\n_No standup this week._\n\n**Delivered 0 of 1 promised last week**" in notes


def test_once_the_digest_is_posted_its_recorded_outcomes_are_exported(tmp_path: Path) -> None:
    settings, cycle, before = setting_up(tmp_path)
    merged = Promise(
        text="Ship the export API (#12)",
        outcome="delivered",
        weeks_carried=1,
        first_promised=before.meeting_date,
        merged=True,
    )
    record = CycleRecord(
        point=TrendPoint(meeting_date=MEETING, team_size=2, reported=1, promised=1, delivered=1),
        promises=(
            PersonPromises(
                person=Person(user_id="U1", name="Kevin"), reported=True, promises=(merged,)
            ),
        ),
    )
    with Store(settings.standup_db) as store:
        seeded(store, cycle, before)
        store.save_cycle_record("C0OTHER", record, now=cycle.ends_at)  # another channel's
        assert build_export(store, cycle, settings)["standups"][0]["promises"][0]["merged"] is False
        store.save_cycle_record(CHANNEL, record, now=cycle.ends_at)
        export = build_export(store, cycle, settings)
    [kevin] = export["standups"]
    assert [(p["text"], p["outcome"], p["merged"]) for p in kevin["promises"]] == [
        ("Ship the export API (#12)", "delivered", True)
    ]
    assert export["promises_without_standup"] == []  # the digest recorded nobody else
    assert len(kevin["blockers_status"]) == 3  # blockers are always worked out


def test_a_promise_of_someone_away_all_cycle_is_not_reported_and_marked_away(
    tmp_path: Path,
) -> None:
    settings, cycle, before = setting_up(tmp_path)
    zone = settings.zone
    with Store(settings.standup_db) as store:
        seeded(store, cycle, before)
        whole_cycle = TimeAway(
            user_id="U2",
            starts=cycle.starts_at.astimezone(zone).date(),
            ends=cycle.ends_at.astimezone(zone).date(),
        )
        store.save_time_away(whole_cycle, now=cycle.starts_at)
        export = build_export(store, cycle, settings)
    [hesham] = export["promises_without_standup"]
    assert [(p["text"], p["outcome"], p["away"]) for p in hesham["promises"]] == [
        ("Upgrade Postgres", "not_reported", True)
    ]
    [kevin] = export["standups"]
    assert {p["away"] for p in kevin["promises"]} == {False}
    assert {p["outcome"] for p in kevin["promises"]} <= {"delivered", "carried", "not_reported"}
    notes = render_export_markdown(export)
    assert "## u2\n\n_No standup this week._\n\n**Delivered 0 of 0 promised last week**" in notes
    assert "- Upgrade Postgres — away, not counted" in notes
