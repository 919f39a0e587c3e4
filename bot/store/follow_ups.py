"""Follow-ups: raised in standups, by command or from a message; closed with a ✅."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.store.connection import Database, iso
from bot.store.rows import follow_up_from_row, set_status
from digests.models import (
    Cycle,
    FollowUp,
    FollowUpStatus,
    Person,
)


class FollowUpQueries(Database):
    """Follow-ups."""

    def save_follow_up(
        self,
        *,
        text: str,
        owner: Person | None,
        created_by: str | None,
        meeting_date: date | None,
        source: str | None,
        now: datetime,
    ) -> FollowUp:
        with self._write() as tx:
            follow_up_id = insert_follow_up(
                tx, text, owner, created_by, meeting_date, source, None, now
            )
        found = self.get_follow_up(follow_up_id)
        assert found is not None
        return found

    def count_follow_ups_raised(
        self, user_id: str, meeting_date: date, *, except_standup_of: str | None = None
    ) -> int:
        """Follow-ups `user_id` raised in the cycle of `meeting_date` (by standup, command or
        shortcut); with `except_standup_of`, leaving out those of that person's standup."""
        sql = "SELECT count(*) FROM follow_ups WHERE created_by = ? AND meeting_date = ?"
        params: list[Any] = [user_id, meeting_date.isoformat()]
        if except_standup_of is not None:
            sql += (
                " AND (standup_id IS NULL OR standup_id NOT IN (SELECT id FROM standups "
                "WHERE user_id = ? AND meeting_date = ?))"
            )
            params += [except_standup_of, meeting_date.isoformat()]
        return int(self._read(sql, params)[0][0])

    def get_standup_follow_ups(self, user_id: str, meeting_date: date) -> list[FollowUp]:
        """The follow-ups raised in this person's standup for the meeting, open or done."""
        return self._follow_ups_where(
            "standup_id IN (SELECT id FROM standups WHERE user_id = ? AND meeting_date = ?)",
            (user_id, meeting_date.isoformat()),
        )

    def get_follow_up(self, follow_up_id: int) -> FollowUp | None:
        found = self._follow_ups_where("id = ?", (follow_up_id,))
        return found[0] if found else None

    def get_open_follow_ups(self, *, owner_user_id: str | None = None) -> list[FollowUp]:
        if owner_user_id is None:
            return self._follow_ups_where("status = 'open'", ())
        return self._follow_ups_where("status = 'open' AND owner_user_id = ?", (owner_user_id,))

    def get_follow_ups_closed_between(self, start: datetime, end: datetime) -> list[FollowUp]:
        return self._follow_ups_where(
            "status = 'done' AND done_at >= ? AND done_at < ?", (iso(start), iso(end))
        )

    def get_cycle_follow_ups(self, cycle: Cycle) -> list[FollowUp]:
        """Follow-ups alive in the cycle: raised before its end, not closed before its start."""
        return self._follow_ups_where(
            "(meeting_date = ? OR created_at < ?) AND (done_at IS NULL OR done_at >= ?)",
            (cycle.meeting_date.isoformat(), iso(cycle.ends_at), iso(cycle.starts_at)),
        )

    def get_follow_ups_between(
        self, first: date, last: date, *, user_id: str | None = None
    ) -> list[FollowUp]:
        """Follow-ups raised for meetings from `first` to `last` (else created on those days),
        with `user_id`: raised by or owned by that person."""
        where = (
            "COALESCE(meeting_date, substr(created_at, 1, 10)) >= ? "
            "AND COALESCE(meeting_date, substr(created_at, 1, 10)) <= ?"
        )
        params: list[Any] = [first.isoformat(), last.isoformat()]
        if user_id is not None:
            where += " AND (created_by = ? OR owner_user_id = ?)"
            params += [user_id, user_id]
        return self._follow_ups_where(where, params)

    def get_follow_up_by_message(self, channel: str, ts: str) -> FollowUp | None:
        """The follow-up whose message (in any digest's thread) is at channel/ts."""
        rows = self._read(
            "SELECT m.follow_up_id FROM digest_messages m JOIN digests d ON d.id = m.digest_id "
            "WHERE m.ts = ? AND d.channel = ? AND m.follow_up_id IS NOT NULL",
            (ts, channel),
        )
        return self.get_follow_up(rows[0][0]) if rows else None

    def save_follow_up_status(
        self, follow_up_id: int, status: FollowUpStatus, *, by: str | None, now: datetime
    ) -> FollowUp | None:
        with self._write() as tx:
            set_status(tx, "follow_ups", follow_up_id, status, by, now)
        return self.get_follow_up(follow_up_id)

    def _follow_ups_where(self, where: str, params: Sequence[Any]) -> list[FollowUp]:
        rows = self._read(f"SELECT * FROM follow_ups WHERE {where} ORDER BY id", params)
        return [follow_up_from_row(r) for r in rows]


def insert_follow_up(
    tx: sqlite3.Connection,
    text: str,
    owner: Person | None,
    created_by: str | None,
    meeting_date: date | None,
    source: str | None,
    standup_id: int | None,
    now: datetime,
    typed: str | None = None,
) -> int:
    owner_id = owner.user_id if owner else created_by
    owner_name = owner.name if owner else ""
    cursor = tx.execute(
        "INSERT INTO follow_ups (text, owner_user_id, owner_name, created_at, created_by, "
        "meeting_date, source, standup_id, typed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            text,
            owner_id,
            owner_name,
            iso(now),
            created_by,
            meeting_date.isoformat() if meeting_date else None,
            source,
            standup_id,
            typed,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid
