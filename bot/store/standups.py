"""Standups, with the asks and follow-ups raised in them, saved in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.store.asks import AskQueries
from bot.store.connection import iso, parse_time
from bot.store.follow_ups import FollowUpQueries, insert_follow_up
from bot.store.rows import ask_from_row
from digests.models import (
    Ask,
    FollowUp,
    Person,
    Standup,
)

ITEM_KINDS = ("done", "next", "blocked")


class StandupQueries(AskQueries, FollowUpQueries):
    """One person's standup per cycle, replaced by an edit."""

    def save_standup(
        self,
        standup: Standup,
        *,
        follow_ups: Sequence[tuple[Person | None, str]] = (),
        now: datetime,
    ) -> tuple[Standup, list[FollowUp]]:
        """Store one person's standup for its cycle, replacing an earlier one of the same cycle.

        Asks and follow-ups raised in it are kept when an edit leaves them unchanged (so nobody
        is DM'd twice and a closed one stays closed) and dropped when the edit removes them.
        """
        meeting = standup.meeting_date.isoformat()
        with self._write() as tx:
            existing = tx.execute(
                "SELECT id, submitted_at FROM standups WHERE user_id = ? AND meeting_date = ?",
                (standup.user_id, meeting),
            ).fetchone()
            if existing is None:
                standup_id = tx.execute(
                    "INSERT INTO standups (user_id, user_name, meeting_date, submitted_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?)",
                    (
                        standup.user_id,
                        standup.user_name,
                        meeting,
                        iso(standup.submitted_at),
                        iso(now),
                    ),
                ).lastrowid
                assert standup_id is not None
            else:
                standup_id = int(existing["id"])
                tx.execute(
                    "UPDATE standups SET user_name = ?, updated_at = ? WHERE id = ?",
                    (standup.user_name, iso(now), standup_id),
                )
                tx.execute("DELETE FROM standup_items WHERE standup_id = ?", (standup_id,))
            for kind in ITEM_KINDS:
                tx.executemany(
                    "INSERT INTO standup_items (standup_id, kind, position, text) "
                    "VALUES (?, ?, ?, ?)",
                    [(standup_id, kind, i, text) for i, text in enumerate(getattr(standup, kind))],
                )
            _replace_asks(tx, standup_id, standup)
            _replace_standup_follow_ups(tx, standup_id, standup, follow_ups, now)
        saved = self.get_standup(standup.user_id, standup.meeting_date)
        assert saved is not None
        return saved, self._follow_ups_where("standup_id = ?", (standup_id,))

    def get_standup(self, user_id: str, meeting_date: date) -> Standup | None:
        found = self._standups_where(
            "user_id = ? AND meeting_date = ?", (user_id, meeting_date.isoformat())
        )
        return found[0] if found else None

    def get_standups(self, meeting_date: date) -> list[Standup]:
        return self._standups_where("meeting_date = ?", (meeting_date.isoformat(),))

    def get_latest_standup_before(self, user_id: str, meeting_date: date) -> Standup | None:
        rows = self._read(
            "SELECT meeting_date FROM standups WHERE user_id = ? AND meeting_date < ? "
            "ORDER BY meeting_date DESC LIMIT 1",
            (user_id, meeting_date.isoformat()),
        )
        return self.get_standup(user_id, date.fromisoformat(rows[0][0])) if rows else None

    def get_standups_between(
        self, first: date, last: date, *, user_id: str | None = None
    ) -> list[Standup]:
        """Standups for meetings from `first` to `last` (both included), oldest meeting first."""
        where = "meeting_date >= ? AND meeting_date <= ?"
        params: list[Any] = [first.isoformat(), last.isoformat()]
        if user_id is not None:
            where += " AND user_id = ?"
            params.append(user_id)
        found = self._standups_where(where, params)
        return sorted(found, key=lambda s: (s.meeting_date, s.submitted_at))

    def get_submitted_user_ids(self, meeting_date: date) -> set[str]:
        rows = self._read(
            "SELECT user_id FROM standups WHERE meeting_date = ?", (meeting_date.isoformat(),)
        )
        return {r[0] for r in rows}

    def _standups_where(self, where: str, params: Sequence[Any]) -> list[Standup]:
        rows = self._read(f"SELECT * FROM standups WHERE {where} ORDER BY submitted_at", params)
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        marks = ",".join("?" * len(ids))
        items: dict[int, dict[str, list[str]]] = {i: {k: [] for k in ITEM_KINDS} for i in ids}
        for item in self._read(
            f"SELECT standup_id, kind, text FROM standup_items WHERE standup_id IN ({marks}) "
            "ORDER BY standup_id, kind, position",
            ids,
        ):
            items[item["standup_id"]][item["kind"]].append(item["text"])
        asks: dict[int, list[Ask]] = {i: [] for i in ids}
        for ask in self._read(
            f"SELECT * FROM asks WHERE standup_id IN ({marks}) ORDER BY standup_id, position", ids
        ):
            asks[ask["standup_id"]].append(ask_from_row(ask))
        return [
            Standup(
                user_id=r["user_id"],
                user_name=r["user_name"],
                meeting_date=date.fromisoformat(r["meeting_date"]),
                submitted_at=parse_time(r["submitted_at"]),
                done=tuple(items[r["id"]]["done"]),
                next=tuple(items[r["id"]]["next"]),
                blocked=tuple(items[r["id"]]["blocked"]),
                asks=tuple(asks[r["id"]]),
            )
            for r in rows
        ]


def _replace_asks(tx: sqlite3.Connection, standup_id: int, standup: Standup) -> None:
    old = {
        (r["to_user_id"], r["to_name"], r["everyone"], r["text"]): r["id"]
        for r in tx.execute("SELECT * FROM asks WHERE standup_id = ?", (standup_id,))
    }
    for position, ask in enumerate(standup.asks):
        key = (ask.to_user_id, ask.to_name, int(ask.everyone), ask.text)
        kept = old.pop(key, None)
        if kept is not None:
            tx.execute("UPDATE asks SET position = ? WHERE id = ?", (position, kept))
            continue
        tx.execute(
            "INSERT INTO asks (standup_id, meeting_date, from_user_id, from_name, to_user_id, "
            "to_name, everyone, text, position) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                standup_id,
                standup.meeting_date.isoformat(),
                standup.user_id,
                standup.user_name,
                ask.to_user_id,
                ask.to_name,
                int(ask.everyone),
                ask.text,
                position,
            ),
        )
    tx.executemany("DELETE FROM asks WHERE id = ?", [(i,) for i in old.values()])


def _replace_standup_follow_ups(
    tx: sqlite3.Connection,
    standup_id: int,
    standup: Standup,
    follow_ups: Sequence[tuple[Person | None, str]],
    now: datetime,
) -> None:
    old = {
        (r["owner_user_id"], r["owner_name"], r["text"]): r["id"]
        for r in tx.execute("SELECT * FROM follow_ups WHERE standup_id = ?", (standup_id,))
    }
    for person, text in follow_ups:
        owner = person or Person(user_id=standup.user_id, name=standup.user_name)
        if old.pop((owner.user_id, owner.name, text), None) is not None:
            continue
        insert_follow_up(
            tx, text, owner, standup.user_id, standup.meeting_date, "standup", standup_id, now
        )
    # Removed in the edit: drop it unless it was already posted or closed.
    tx.executemany(
        "DELETE FROM follow_ups WHERE id = ? AND ts IS NULL AND status = 'open' "
        "AND id NOT IN (SELECT follow_up_id FROM digest_messages WHERE follow_up_id IS NOT NULL)",
        [(i,) for i in old.values()],
    )
