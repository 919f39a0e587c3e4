"""The history of earlier cycles: their standups read by meeting date, and cycle records.

The digest follows last cycle's promises and blockers into this one and draws the trend of the
last cycles, so it reads several cycles of standups at once: three queries for any number of
cycles (standups, their items, their asks), each found by the `standups_meeting` index.

A cycle record is what a posted digest said of its cycle: the team's figures and each promise's
outcome. Later digests draw their trend from it, and the export shows the outcomes as the digest
stated them (whether a pull request merged is only known when the digest is built).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from pydantic import TypeAdapter

from bot.store.connection import Database, iso, parse_time
from bot.store.rows import ask_from_row
from digests.models import Ask, CycleRecord, PersonPromises, Standup, TrendPoint

_PROMISES = TypeAdapter(tuple[PersonPromises, ...])


class HistoryQueries(Database):
    """Standups of several meetings at once, and what each posted digest recorded."""

    def get_standups_of_meetings(self, meeting_dates: Sequence[date]) -> dict[date, list[Standup]]:
        """Every standup of those meetings, by meeting date (each list in submission order)."""
        dates = sorted({day.isoformat() for day in meeting_dates})
        if not dates:
            return {}
        marks = ",".join("?" * len(dates))
        rows = self._read(
            f"SELECT * FROM standups WHERE meeting_date IN ({marks}) ORDER BY submitted_at, id",
            dates,
        )
        items: dict[int, dict[str, list[str]]] = {
            r["id"]: {"done": [], "next": [], "blocked": []} for r in rows
        }
        for item in self._read(
            "SELECT i.standup_id, i.kind, i.text FROM standup_items i "
            f"JOIN standups s ON s.id = i.standup_id WHERE s.meeting_date IN ({marks}) "
            "ORDER BY i.standup_id, i.kind, i.position",
            dates,
        ):
            items[item["standup_id"]][item["kind"]].append(item["text"])
        asks: dict[int, list[Ask]] = {r["id"]: [] for r in rows}
        for ask in self._read(
            f"SELECT * FROM asks WHERE meeting_date IN ({marks}) AND standup_id IS NOT NULL "
            "ORDER BY standup_id, position",
            dates,
        ):
            if ask["standup_id"] in asks:
                asks[ask["standup_id"]].append(ask_from_row(ask))
        found: dict[date, list[Standup]] = {}
        for r in rows:
            meeting = date.fromisoformat(r["meeting_date"])
            found.setdefault(meeting, []).append(
                Standup(
                    user_id=r["user_id"],
                    user_name=r["user_name"],
                    meeting_date=meeting,
                    submitted_at=parse_time(r["submitted_at"]),
                    done=tuple(items[r["id"]]["done"]),
                    next=tuple(items[r["id"]]["next"]),
                    blocked=tuple(items[r["id"]]["blocked"]),
                    asks=tuple(asks[r["id"]]),
                )
            )
        return found

    def save_cycle_record(self, channel: str, record: CycleRecord, *, now: datetime) -> None:
        """Keep what the digest for the channel's meeting said (a fresh copy replaces it)."""
        point = record.point
        with self._write() as tx:
            tx.execute(
                "INSERT INTO cycle_records (channel, meeting_date, team_size, reported, promised, "
                "delivered, promises, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (channel, meeting_date) DO UPDATE SET team_size = excluded.team_size, "
                "reported = excluded.reported, promised = excluded.promised, "
                "delivered = excluded.delivered, promises = excluded.promises, "
                "recorded_at = excluded.recorded_at",
                (
                    channel,
                    point.meeting_date.isoformat(),
                    point.team_size,
                    point.reported,
                    point.promised,
                    point.delivered,
                    _PROMISES.dump_json(record.promises).decode(),
                    iso(now),
                ),
            )

    def get_cycle_records(
        self, channel: str, meeting_dates: Sequence[date]
    ) -> dict[date, CycleRecord]:
        """The records of those of the meetings whose digest was posted to the channel."""
        dates = sorted({day.isoformat() for day in meeting_dates})
        if not dates:
            return {}
        marks = ",".join("?" * len(dates))
        rows = self._read(
            f"SELECT * FROM cycle_records WHERE channel = ? AND meeting_date IN ({marks})",
            [channel, *dates],
        )
        records = {}
        for r in rows:
            point = TrendPoint(
                meeting_date=date.fromisoformat(r["meeting_date"]),
                team_size=r["team_size"],
                reported=r["reported"],
                promised=r["promised"],
                delivered=r["delivered"],
            )
            records[point.meeting_date] = CycleRecord(
                point=point, promises=_PROMISES.validate_json(r["promises"])
            )
        return records
