"""Asks: read, DM bookkeeping, status. (They are written with their standup.)"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.store.connection import Database
from bot.store.rows import ask_from_row, set_status
from digests.models import (
    Ask,
    FollowUpStatus,
)


class AskQueries(Database):
    """Asks to people."""

    def get_ask(self, ask_id: int) -> Ask | None:
        rows = self._read("SELECT * FROM asks WHERE id = ?", (ask_id,))
        return ask_from_row(rows[0]) if rows else None

    def get_digest_asks(self, meeting_date: date) -> list[Ask]:
        """This meeting's asks, and earlier ones still open."""
        rows = self._read(
            "SELECT * FROM asks WHERE meeting_date = ? OR (meeting_date < ? AND status = 'open') "
            "ORDER BY meeting_date, standup_id, position",
            (meeting_date.isoformat(), meeting_date.isoformat()),
        )
        return [ask_from_row(r) for r in rows]

    def get_asks_to(self, user_id: str, *, status: str | None = "open") -> list[Ask]:
        """Asks addressed to this person, or to everyone."""
        sql = "SELECT * FROM asks WHERE (to_user_id = ? OR everyone = 1)"
        params: list[Any] = [user_id]
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        return [ask_from_row(r) for r in self._read(sql + " ORDER BY id", params)]

    def get_asks_without_dm(self, meeting_date: date) -> list[Ask]:
        rows = self._read(
            "SELECT * FROM asks WHERE meeting_date = ? AND to_user_id IS NOT NULL "
            "AND dm_ts IS NULL AND status = 'open' ORDER BY id",
            (meeting_date.isoformat(),),
        )
        return [ask_from_row(r) for r in rows]

    def save_ask_dm(self, ask_id: int, channel: str, ts: str) -> None:
        with self._write() as tx:
            tx.execute(
                "UPDATE asks SET dm_channel = ?, dm_ts = ? WHERE id = ?", (channel, ts, ask_id)
            )

    def get_ask_by_dm(self, channel: str, ts: str) -> Ask | None:
        rows = self._read("SELECT * FROM asks WHERE dm_channel = ? AND dm_ts = ?", (channel, ts))
        return ask_from_row(rows[0]) if rows else None

    def save_ask_status(
        self, ask_id: int, status: FollowUpStatus, *, by: str | None, now: datetime
    ) -> Ask | None:
        with self._write() as tx:
            set_status(tx, "asks", ("closed_at", "closed_by"), ask_id, status, by, now)
        return self.get_ask(ask_id)
