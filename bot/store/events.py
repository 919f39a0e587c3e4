"""Slack deliveries already handled (event ids, view ids, reminders) and ✅ reactions."""

from __future__ import annotations

from datetime import datetime

from bot.store.connection import Database, iso


class EventQueries(Database):
    """Claims and reactions."""

    def claim_event(self, event_id: str, *, now: datetime) -> bool:
        """True the first time an event id is seen: Slack's retries of it get False."""
        with self._write() as tx:
            cursor = tx.execute(
                "INSERT OR IGNORE INTO processed_events (event_id, received_at) VALUES (?, ?)",
                (event_id, iso(now)),
            )
            return cursor.rowcount == 1

    def save_reaction(
        self, channel: str, ts: str, user_id: str, reaction: str, *, added: bool, now: datetime
    ) -> int:
        """Record a reaction added or removed; returns how many remain on that message."""
        with self._write() as tx:
            if added:
                tx.execute(
                    "INSERT OR IGNORE INTO reactions (channel, ts, user_id, reaction, added_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (channel, ts, user_id, reaction, iso(now)),
                )
            else:
                tx.execute(
                    "DELETE FROM reactions WHERE channel = ? AND ts = ? AND user_id = ? "
                    "AND reaction = ?",
                    (channel, ts, user_id, reaction),
                )
            count = tx.execute(
                "SELECT count(*) FROM reactions WHERE channel = ? AND ts = ?", (channel, ts)
            ).fetchone()[0]
        return int(count)

    def get_reaction_users(self, channel: str, ts: str) -> list[str]:
        rows = self._read(
            "SELECT user_id FROM reactions WHERE channel = ? AND ts = ? ORDER BY added_at",
            (channel, ts),
        )
        return [r[0] for r in rows]
