"""Standups, with the asks and follow-ups raised in them, saved in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.store.asks import AskQueries
from bot.store.connection import iso, parse_time
from bot.store.follow_ups import FollowUpQueries, insert_follow_up
from bot.store.rows import ask_from_row, claim_delivery
from digests.models import (
    AddressedLine,
    Ask,
    FollowUp,
    Person,
    Standup,
)

ITEM_KINDS = ("done", "next", "blocked")


@dataclass(frozen=True)
class SavedStandup:
    """What `save_submission` stored: the standup as saved, its follow-ups, and whether the
    submission changed anything (an unchanged re-submission changes nothing at all)."""

    standup: Standup
    follow_ups: list[FollowUp]
    changed: bool


class StandupQueries(AskQueries, FollowUpQueries):
    """One person's standup per cycle, replaced by an edit."""

    def save_standup(
        self,
        standup: Standup,
        *,
        follow_ups: Sequence[tuple[Person | None, str]] = (),
        now: datetime,
    ) -> tuple[Standup, list[FollowUp]]:
        """Store one person's standup for its cycle, replacing an earlier one of the same cycle
        (see `save_submission`); returns it as saved, with its follow-ups."""
        lines = [AddressedLine(person=person, text=text) for person, text in follow_ups]
        saved = self.save_submission(standup, follow_ups=lines, now=now)
        assert saved is not None
        return saved.standup, saved.follow_ups

    def save_submission(
        self,
        standup: Standup,
        *,
        follow_ups: Sequence[AddressedLine] = (),
        delivery: str | None = None,
        now: datetime,
    ) -> SavedStandup | None:
        """Store one person's standup for its cycle, replacing an earlier one of the same cycle.

        Asks and follow-ups raised in it are matched to the earlier ones by the line as typed
        (else by person and text): a line left unchanged keeps its row, so nobody is DM'd twice
        and a closed one stays closed; a line the edit removes is dropped (an answered ask
        stays, with its answer).

        `delivery` (Slack's view id and hash) is claimed in the same transaction: None is
        returned for a delivery already saved, and a save that fails claims nothing.
        """
        meeting = standup.meeting_date.isoformat()
        with self._write() as tx:
            if delivery is not None and not claim_delivery(tx, delivery, now):
                return None
            existing = tx.execute(
                "SELECT id, user_name FROM standups WHERE user_id = ? AND meeting_date = ?",
                (standup.user_id, meeting),
            ).fetchone()
            changed = False
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
                changed = True
            else:
                standup_id = int(existing["id"])
                changed = existing["user_name"] != standup.user_name
            changed = _replace_items(tx, standup_id, standup) or changed
            changed = _replace_asks(tx, standup_id, standup) or changed
            changed = _replace_standup_follow_ups(tx, standup_id, standup, follow_ups, now) or (
                changed
            )
            if existing is not None and changed:
                tx.execute(
                    "UPDATE standups SET user_name = ?, updated_at = ? WHERE id = ?",
                    (standup.user_name, iso(now), standup_id),
                )
        saved = self.get_standup(standup.user_id, standup.meeting_date)
        assert saved is not None
        return SavedStandup(
            standup=saved,
            follow_ups=self._follow_ups_where("standup_id = ?", (standup_id,)),
            changed=changed,
        )

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

    def get_standups_of_meetings(self, meeting_dates: Sequence[date]) -> dict[date, list[Standup]]:
        """Every standup of those meetings, by meeting date (each list in submission order)."""
        dates = sorted({day.isoformat() for day in meeting_dates})
        if not dates:
            return {}
        marks = ",".join("?" * len(dates))
        found: dict[date, list[Standup]] = {}
        for standup in self._standups_where(f"meeting_date IN ({marks})", dates):
            found.setdefault(standup.meeting_date, []).append(standup)
        return found

    def _standups_where(self, where: str, params: Sequence[Any]) -> list[Standup]:
        """The standups `where` picks, with their items and asks: three reads, whatever their
        number (the items and asks are picked by the same `where`, not by a list of ids)."""
        rows = self._read(f"SELECT * FROM standups WHERE {where} ORDER BY submitted_at, id", params)
        if not rows:
            return []
        chosen = f"SELECT id FROM standups WHERE {where}"
        ids = [r["id"] for r in rows]
        items: dict[int, dict[str, list[str]]] = {i: {k: [] for k in ITEM_KINDS} for i in ids}
        for item in self._read(
            f"SELECT standup_id, kind, text FROM standup_items WHERE standup_id IN ({chosen}) "
            "ORDER BY standup_id, kind, position",
            params,
        ):
            items[item["standup_id"]][item["kind"]].append(item["text"])
        asks: dict[int, list[Ask]] = {i: [] for i in ids}
        for ask in self._read(
            f"SELECT * FROM asks WHERE standup_id IN ({chosen}) ORDER BY standup_id, position",
            params,
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


def _replace_items(tx: sqlite3.Connection, standup_id: int, standup: Standup) -> bool:
    """Done, Next and Blocked as submitted; False when they are what was stored."""
    new = [(kind, i, text) for kind in ITEM_KINDS for i, text in enumerate(getattr(standup, kind))]
    old = [
        (r["kind"], r["position"], r["text"])
        for r in tx.execute(
            "SELECT kind, position, text FROM standup_items WHERE standup_id = ?", (standup_id,)
        )
    ]
    if sorted(old) == sorted(new):
        return False
    tx.execute("DELETE FROM standup_items WHERE standup_id = ?", (standup_id,))
    tx.executemany(
        "INSERT INTO standup_items (standup_id, kind, position, text) VALUES (?, ?, ?, ?)",
        [(standup_id, kind, i, text) for kind, i, text in new],
    )
    return True


class _Matcher:
    """Earlier rows of a standup, to be matched to the new lines: by the line as typed first,
    then (rows stored before lines were kept as typed) by what it was parsed into."""

    def __init__(self, rows: list[sqlite3.Row], key: Callable[[sqlite3.Row], tuple[Any, ...]]):
        self.by_typed: dict[str, sqlite3.Row] = {}
        self.by_key: dict[tuple[Any, ...], sqlite3.Row] = {}
        for row in rows:
            if row["typed"]:
                self.by_typed.setdefault(row["typed"], row)
            else:
                self.by_key.setdefault(key(row), row)
        self.unmatched = {int(row["id"]): row for row in rows}

    def take(self, typed: str, key: tuple[Any, ...]) -> sqlite3.Row | None:
        row = self.by_typed.pop(typed, None) if typed else None
        if row is None:
            row = self.by_key.pop(key, None)
        if row is not None:
            self.unmatched.pop(int(row["id"]), None)
        return row


def _ask_key(row: sqlite3.Row) -> tuple[Any, ...]:
    return (row["to_user_id"], row["to_name"], row["everyone"], row["text"])


def _replace_asks(tx: sqlite3.Connection, standup_id: int, standup: Standup) -> bool:
    """The standup's asks as submitted; False when nothing changed."""
    rows = tx.execute("SELECT * FROM asks WHERE standup_id = ?", (standup_id,)).fetchall()
    old = _Matcher(rows, _ask_key)
    changed = False
    for position, ask in enumerate(standup.asks):
        typed = ask.typed or ""
        resolved = (ask.to_user_id, ask.to_name, int(ask.everyone), ask.text)
        kept = old.take(typed, resolved)
        if kept is not None:
            if kept["position"] != position:
                changed = True
                tx.execute("UPDATE asks SET position = ? WHERE id = ?", (position, kept["id"]))
            if kept["dm_state"] is None and kept["status"] == "open" and _ask_key(kept) != resolved:
                # Not DM'd yet: the name may resolve now (a member the cache did not know). A
                # new label alone (a display name changed) is no change of the standup's.
                unlabelled = (kept["to_user_id"], kept["everyone"], kept["text"])
                changed = changed or unlabelled != (resolved[0], resolved[2], resolved[3])
                tx.execute(
                    "UPDATE asks SET to_user_id = ?, to_name = ?, everyone = ?, text = ? "
                    "WHERE id = ?",
                    (*resolved, kept["id"]),
                )
            if typed and not kept["typed"]:
                tx.execute("UPDATE asks SET typed = ? WHERE id = ?", (typed, kept["id"]))
            continue
        changed = True
        tx.execute(
            "INSERT INTO asks (standup_id, meeting_date, from_user_id, from_name, to_user_id, "
            "to_name, everyone, text, position, typed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                ask.typed,
            ),
        )
    # Removed in the edit: dropped, unless answered (an answer is someone else's words: it stays,
    # with its ask).
    removed = tx.executemany(
        "DELETE FROM asks WHERE id = ? AND answered_at IS NULL", [(i,) for i in old.unmatched]
    ).rowcount
    return changed or removed > 0


def _follow_up_key(row: sqlite3.Row) -> tuple[Any, ...]:
    return (row["owner_user_id"], row["owner_name"], row["text"])


def _replace_standup_follow_ups(
    tx: sqlite3.Connection,
    standup_id: int,
    standup: Standup,
    follow_ups: Sequence[AddressedLine],
    now: datetime,
) -> bool:
    """The standup's follow-ups as submitted; False when nothing changed."""
    rows = tx.execute("SELECT * FROM follow_ups WHERE standup_id = ?", (standup_id,)).fetchall()
    old = _Matcher(rows, _follow_up_key)
    changed = False
    for line in follow_ups:
        owner = line.person or Person(user_id=standup.user_id, name=standup.user_name)
        kept = old.take(line.typed, (owner.user_id, owner.name, line.text))
        if kept is not None:
            resolved = (owner.user_id, owner.name, line.text)
            if kept["ts"] is None and kept["status"] == "open" and _follow_up_key(kept) != resolved:
                changed = True  # not posted yet: the owner may resolve now
                tx.execute(
                    "UPDATE follow_ups SET owner_user_id = ?, owner_name = ?, text = ? "
                    "WHERE id = ?",
                    (*resolved, kept["id"]),
                )
            if line.typed and not kept["typed"]:
                tx.execute("UPDATE follow_ups SET typed = ? WHERE id = ?", (line.typed, kept["id"]))
            continue
        changed = True
        insert_follow_up(
            tx,
            line.text,
            owner,
            standup.user_id,
            standup.meeting_date,
            "standup",
            standup_id,
            now,
            typed=line.typed or None,
        )
    # Removed in the edit: drop it unless it was already posted or closed.
    removed = tx.executemany(
        "DELETE FROM follow_ups WHERE id = ? AND ts IS NULL AND status = 'open' "
        "AND id NOT IN (SELECT follow_up_id FROM digest_messages WHERE follow_up_id IS NOT NULL)",
        [(i,) for i in old.unmatched],
    ).rowcount
    return changed or removed > 0
