"""`standup-bot demo`: the whole digest path offline, on a sample team shipped in the package.

The sample's people, standups (this cycle's and eight earlier ones), asks and follow-ups go into a
throw-away SQLite database through the same `save_*` calls the bot uses, are read back with the
same `get_*` calls (the history as `gather_digest` reads it), and meet the sample GitHub data (PRs,
board, Actions billing) in `build_digest`. Nothing needs a token or the network; the files
written are those of `digest preview`, and those of `ci-report` from the sample org's usage lines
(a fork, an archived repository and a macOS-heavy one among them).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from bot.deps import utc_now
from bot.schedule import CronSchedule
from bot.services.ci_report import write_ci_report
from bot.services.digest import render_digest_files, write_preview
from bot.services.history import load_history
from bot.store import Store
from digests.away import AwayBook, away_whole_cycles
from digests.build import build_digest
from digests.models import (
    Ask,
    CycleStandups,
    FollowUp,
    Member,
    Person,
    Standup,
)
from digests.sample import (
    SAMPLE_ZONE,
    build_sample_inputs,
    load_sample_data,
    sample_ci_audit,
    sample_time_away,
)
from digests.workdays import HolidayCalendar

# The sample team meets on Mondays at 09:00 UTC (digests.sample): its earlier cycles are read
# back from the database on that schedule, as the bot reads them on STANDUP_DIGEST_CRON.
SAMPLE_SCHEDULE = CronSchedule("0 9 * * mon", SAMPLE_ZONE)


def run_demo(out: Path, *, meeting_date: date | None = None) -> int:
    """Write the sample digest to `out`; with `meeting_date`, the same bytes on any day."""
    now = utc_now()
    if meeting_date is not None:
        # The sample meets on the latest Monday 09:00 UTC at or before `now`.
        now = datetime.combine(meeting_date, time(9, 0, 1), tzinfo=UTC)
    inputs: dict[str, Any] = build_sample_inputs(now)
    with (
        tempfile.TemporaryDirectory(prefix="standup-demo-") as tmp,
        Store(Path(tmp) / "demo.db") as store,
    ):
        fill_sample_database(store, inputs)
        cycle = inputs["cycle"]
        team = store.get_team()
        history = load_history(store, SAMPLE_SCHEDULE, cycle)
        time_away = store.get_time_away(ending_on_or_after=history[-1].cycle.starts_at.date())
        book = AwayBook.build(team, time_away, {}, zone=SAMPLE_ZONE)
        inputs.update(
            team=team,
            standups=store.get_standups(cycle.meeting_date),
            history=history,
            asks=store.get_digest_asks(cycle.meeting_date, answered_since=cycle.starts_at),
            open_follow_ups=store.get_open_follow_ups(),
            closed_follow_ups=store.get_follow_ups_closed_between(cycle.starts_at, inputs["now"]),
            away=[
                found
                for member in team
                if (found := book.away_in_cycle(member.user_id, cycle, inputs["now"]))
            ],
            away_before=away_whole_cycles(
                time_away,
                [earlier.cycle for earlier in history],
                zone=SAMPLE_ZONE,
                calendar=HolidayCalendar(),
            ),
        )
        files = render_digest_files(build_digest(**inputs))
    written = write_preview(files, out)
    usage, audit = sample_ci_audit(now)
    written += [
        path
        for path in write_ci_report(
            out, usage=usage, audit=audit, billing=inputs["billing"].data, now=inputs["now"]
        )
        if path not in written
    ]
    print(
        f"Sample digest for the meeting on {cycle.meeting_date:%A %B %-d, %Y} "
        f"({len(files.messages)} Slack messages):"
    )
    for path in written:
        print(f"  {path}")
    print("Post a real one with `standup-bot digest post` once Slack is set up (README).")
    return 0


def fill_sample_database(store: Store, inputs: dict[str, Any]) -> None:
    team: Sequence[Member] = inputs["team"]
    now = inputs["now"]
    store.save_members(team, team_ids=[m.user_id for m in team], now=now)
    standups: list[Standup] = inputs["standups"]
    for standup in standups:
        saved, _ = store.save_standup(standup, now=standup.submitted_at)
        _close_done_asks(store, standup.asks, saved.asks)
    # The earlier cycles, with the asks raised in them (some still open).
    history: Sequence[CycleStandups] = inputs["history"]
    for earlier in history:
        for standup in earlier.standups:
            saved, _ = store.save_standup(standup, now=standup.submitted_at)
            _close_done_asks(store, standup.asks, saved.asks)
    for away in sample_time_away(load_sample_data(), inputs["cycle"].meeting_date):
        store.save_time_away(away, now=now)
    follow_ups: list[FollowUp] = [*inputs["open_follow_ups"], *inputs["closed_follow_ups"]]
    for follow_up in sorted(follow_ups, key=lambda f: f.id):
        owner = Person(user_id=follow_up.owner_user_id, name=follow_up.owner_name)
        saved_follow_up = store.save_follow_up(
            text=follow_up.text,
            owner=owner,
            created_by=follow_up.owner_user_id,
            meeting_date=follow_up.meeting_date,
            source=follow_up.source,
            now=follow_up.created_at,
        )
        if follow_up.status == "done" and follow_up.done_at is not None:
            store.save_follow_up_status(
                saved_follow_up.id, "done", by=follow_up.done_by, now=follow_up.done_at
            )


def _close_done_asks(store: Store, sample: Sequence[Ask], saved: Sequence[Ask]) -> None:
    """Answer (which closes them) or close the sample's asks as it says."""
    for wanted, stored in zip(sample, saved, strict=True):
        if stored.id is None:
            continue
        if wanted.answer and wanted.answered_by and wanted.answered_at is not None:
            store.save_ask_answer(
                stored.id, wanted.answer, by=wanted.answered_by, now=wanted.answered_at
            )
        elif wanted.status == "done" and wanted.closed_at is not None:
            store.save_ask_status(stored.id, "done", by=wanted.closed_by, now=wanted.closed_at)
