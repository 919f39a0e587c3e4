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

from bot.store.connection import Database, iso
from digests.models import CycleRecord, PersonPromises, TrendPoint

_PROMISES = TypeAdapter(tuple[PersonPromises, ...])


class HistoryQueries(Database):
    """What each posted digest recorded (the standups of several meetings at once are
    `StandupQueries.get_standups_of_meetings`)."""

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
