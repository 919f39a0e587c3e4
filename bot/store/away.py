"""Time away: the days people said they are away, and the statuses they said they are back from."""

from __future__ import annotations

from datetime import date, datetime

from bot.store.connection import Database, iso
from digests.models import TimeAway


class AwayQueries(Database):
    """`/standup away`, `/standup back` and App Home's controls."""

    def save_time_away(self, away: TimeAway, *, now: datetime) -> TimeAway:
        """Add days away; ranges of the same person that overlap or touch it merge into one."""
        with self._write() as tx:
            rows = tx.execute(
                "SELECT id, starts, ends FROM time_away WHERE user_id = ? "
                "AND starts <= date(?, '+1 day') AND ends >= date(?, '-1 day')",
                (away.user_id, away.ends.isoformat(), away.starts.isoformat()),
            ).fetchall()
            starts = min([away.starts, *(date.fromisoformat(r["starts"]) for r in rows)])
            ends = max([away.ends, *(date.fromisoformat(r["ends"]) for r in rows)])
            tx.executemany("DELETE FROM time_away WHERE id = ?", [(r["id"],) for r in rows])
            tx.execute(
                "INSERT INTO time_away (user_id, starts, ends, created_at) VALUES (?, ?, ?, ?)",
                (away.user_id, starts.isoformat(), ends.isoformat(), iso(now)),
            )
        return TimeAway(user_id=away.user_id, starts=starts, ends=ends)

    def get_time_away(
        self, *, ending_on_or_after: date, user_id: str | None = None
    ) -> list[TimeAway]:
        """Days away that are not over by `ending_on_or_after`, earliest first."""
        sql = "SELECT user_id, starts, ends FROM time_away WHERE ends >= ?"
        params: list[str] = [ending_on_or_after.isoformat()]
        if user_id is not None:
            sql += " AND user_id = ?"
            params.append(user_id)
        return [
            TimeAway(user_id=r["user_id"], starts=r["starts"], ends=r["ends"])
            for r in self._read(sql + " ORDER BY starts, user_id", params)
        ]

    def save_back(
        self, user_id: str, today: date, *, status: str | None, now: datetime
    ) -> list[TimeAway]:
        """`/standup back` on `today`: days away that cover today end yesterday (or go), and the
        current status (`status`, digests.away.status_key) stops counting. Returns what ended."""
        with self._write() as tx:
            rows = tx.execute(
                "SELECT id, starts, ends FROM time_away WHERE user_id = ? AND starts <= ? "
                "AND ends >= ?",
                (user_id, today.isoformat(), today.isoformat()),
            ).fetchall()
            for row in rows:
                if row["starts"] < today.isoformat():
                    tx.execute(
                        "UPDATE time_away SET ends = date(?, '-1 day') WHERE id = ?",
                        (today.isoformat(), row["id"]),
                    )
                else:
                    tx.execute("DELETE FROM time_away WHERE id = ?", (row["id"],))
            if status is not None:
                tx.execute(
                    "INSERT INTO back_from_status (user_id, status, at) VALUES (?, ?, ?) "
                    "ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, "
                    "at = excluded.at",
                    (user_id, status, iso(now)),
                )
        return [TimeAway(user_id=user_id, starts=r["starts"], ends=r["ends"]) for r in rows]

    def get_back_from_statuses(self) -> dict[str, str]:
        """user id → the status they said `/standup back` from."""
        return {r["user_id"]: r["status"] for r in self._read("SELECT * FROM back_from_status")}
