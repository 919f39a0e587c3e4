"""Planned digests: their messages, stored before anything is posted, and each message's ts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from bot.store.connection import Database, iso
from digests.models import (
    PlannedMessage,
)


class DigestQueries(Database):
    """Digest plans."""

    def get_digest_id(self, channel: str, meeting_date: date) -> int | None:
        """The latest planned copy of this channel's digest for the meeting, if any."""
        rows = self._read(
            "SELECT id FROM digests WHERE channel = ? AND meeting_date = ? "
            "ORDER BY copy DESC LIMIT 1",
            (channel, meeting_date.isoformat()),
        )
        return int(rows[0][0]) if rows else None

    def save_digest_plan(
        self,
        channel: str,
        meeting_date: date,
        messages: Sequence[PlannedMessage],
        *,
        files: dict[str, bytes] | None = None,
        force: bool = False,
        now: datetime,
    ) -> int:
        """Store the messages a digest will post, before any is sent. Returns the digest id.

        Without `force` an existing plan for the channel and meeting wins (and is returned);
        with it, a fresh copy is planned.
        """
        files = files or {}
        meeting = meeting_date.isoformat()
        with self._write() as tx:
            latest = tx.execute(
                "SELECT id, copy FROM digests WHERE channel = ? AND meeting_date = ? "
                "ORDER BY copy DESC LIMIT 1",
                (channel, meeting),
            ).fetchone()
            if latest is not None and not force:
                return int(latest["id"])
            copy = 0 if latest is None else latest["copy"] + 1
            digest_id = tx.execute(
                "INSERT INTO digests (channel, meeting_date, copy, created_at) VALUES (?, ?, ?, ?)",
                (channel, meeting, copy, iso(now)),
            ).lastrowid
            tx.executemany(
                "INSERT INTO digest_messages (digest_id, seq, kind, payload, follow_up_id, "
                "file_bytes) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        digest_id,
                        m.seq,
                        m.kind,
                        m.model_dump_json(),
                        m.follow_up_id,
                        files.get(m.file_name) if m.file_name else None,
                    )
                    for m in messages
                ],
            )
        assert digest_id is not None
        return digest_id

    def get_digest_plan(
        self, digest_id: int
    ) -> list[tuple[PlannedMessage, str | None, bytes | None]]:
        """The planned messages in order, each with its Slack ts (None: not posted yet) and file."""
        rows = self._read(
            "SELECT payload, ts, file_bytes FROM digest_messages WHERE digest_id = ? ORDER BY seq",
            (digest_id,),
        )
        return [
            (PlannedMessage.model_validate_json(r["payload"]), r["ts"], r["file_bytes"])
            for r in rows
        ]

    def get_digest_info(self, digest_id: int) -> dict[str, Any]:
        row = self._read("SELECT * FROM digests WHERE id = ?", (digest_id,))[0]
        return dict(row)

    def save_digest_message_ts(self, digest_id: int, seq: int, ts: str, *, now: datetime) -> None:
        """Record a planned message as posted; a follow-up's message becomes its current one."""
        with self._write() as tx:
            tx.execute(
                "UPDATE digest_messages SET ts = ?, posted_at = ? WHERE digest_id = ? AND seq = ?",
                (ts, iso(now), digest_id, seq),
            )
            row = tx.execute(
                "SELECT m.follow_up_id, d.channel FROM digest_messages m "
                "JOIN digests d ON d.id = m.digest_id WHERE m.digest_id = ? AND m.seq = ?",
                (digest_id, seq),
            ).fetchone()
            if row is not None and row["follow_up_id"] is not None:
                tx.execute(
                    "UPDATE follow_ups SET channel = ?, ts = ? WHERE id = ?",
                    (row["channel"], ts, row["follow_up_id"]),
                )
            unposted = tx.execute(
                "SELECT count(*) FROM digest_messages WHERE digest_id = ? AND ts IS NULL",
                (digest_id,),
            ).fetchone()[0]
            if unposted == 0:
                tx.execute("UPDATE digests SET finished_at = ? WHERE id = ?", (iso(now), digest_id))

    def get_last_digest_before(self, channel: str, meeting_date: date) -> date | None:
        rows = self._read(
            "SELECT max(meeting_date) FROM digests WHERE channel = ? AND meeting_date < ?",
            (channel, meeting_date.isoformat()),
        )
        value = rows[0][0] if rows else None
        return date.fromisoformat(value) if value else None
