"""Asks: read, the DM to the person asked (claimed, sent, failed), status, answers. (They are
written with their standup.)

An ask's DM is claimed before it is sent (`claim_ask_dms`: one UPDATE, so two submissions at
once cannot both send it), then marked sent, or failed for good (never tried again), or
released when the failure may pass (a later submission of the standup tries again). A claim
older than DM_CLAIM_LEASE (the process died while sending) may be claimed again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bot.store.connection import Database, iso
from bot.store.rows import ask_from_row, claim_delivery, set_status
from digests.models import (
    Ask,
    FollowUpStatus,
)

DM_CLAIM_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class AnswerSaved:
    """What `save_ask_answer` stored: the ask as it is now, whether this was its first answer,
    and whether anything changed."""

    ask: Ask
    first: bool
    changed: bool


class AskQueries(Database):
    """Asks to people."""

    def get_ask(self, ask_id: int) -> Ask | None:
        rows = self._read("SELECT * FROM asks WHERE id = ?", (ask_id,))
        return ask_from_row(rows[0]) if rows else None

    def get_asks(self, ask_ids: Sequence[int]) -> list[Ask]:
        if not ask_ids:
            return []
        marks = ",".join("?" * len(ask_ids))
        rows = self._read(f"SELECT * FROM asks WHERE id IN ({marks}) ORDER BY id", list(ask_ids))
        return [ask_from_row(r) for r in rows]

    def get_digest_asks(
        self, meeting_date: date, *, answered_since: datetime | None = None
    ) -> list[Ask]:
        """This meeting's asks, earlier ones still open, and (with `answered_since`, the cycle's
        start) earlier ones answered since then."""
        sql = "SELECT * FROM asks WHERE meeting_date = ? OR (meeting_date < ? AND status = 'open')"
        params: list[Any] = [meeting_date.isoformat(), meeting_date.isoformat()]
        if answered_since is not None:
            sql += " OR (meeting_date < ? AND answered_at >= ?)"
            params += [meeting_date.isoformat(), iso(answered_since)]
        rows = self._read(sql + " ORDER BY meeting_date, standup_id, position, id", params)
        return [ask_from_row(r) for r in rows]

    def get_asks_to(
        self, user_id: str, *, status: str | None = "open", everyone: bool = True
    ) -> list[Ask]:
        """Asks addressed to this person, and (with `everyone`) those to everyone."""
        sql = "SELECT * FROM asks WHERE (to_user_id = ?"
        sql += " OR everyone = 1)" if everyone else ")"
        params: list[Any] = [user_id]
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        return [ask_from_row(r) for r in self._read(sql + " ORDER BY id", params)]

    # --- the DM to the person asked ------------------------------------------------------

    def claim_ask_dms(self, ask_ids: Sequence[int], *, now: datetime) -> list[Ask]:
        """Claim the DM of each of these asks that is still to be sent; returns those claimed.

        Only open asks to a person, with no DM yet (or a claim past its lease), are claimed."""
        if not ask_ids:
            return []
        marks = ",".join("?" * len(ask_ids))
        with self._write() as tx:
            rows = tx.execute(
                f"UPDATE asks SET dm_state = 'sending', dm_claimed_at = ? WHERE id IN ({marks}) "
                "AND to_user_id IS NOT NULL AND status = 'open' AND dm_ts IS NULL "
                "AND (dm_state IS NULL OR (dm_state = 'sending' AND dm_claimed_at < ?)) "
                "RETURNING id",
                (iso(now), *ask_ids, iso(now - DM_CLAIM_LEASE)),
            ).fetchall()
        return self.get_asks([int(r[0]) for r in rows])

    def save_ask_dm(self, ask_ids: Sequence[int], channel: str, ts: str) -> None:
        """The DM listing these asks was sent."""
        with self._write() as tx:
            tx.executemany(
                "UPDATE asks SET dm_state = 'sent', dm_channel = ?, dm_ts = ?, dm_error = NULL "
                "WHERE id = ?",
                [(channel, ts, i) for i in ask_ids],
            )

    def save_ask_dm_failed(self, ask_ids: Sequence[int], error: str) -> None:
        """Their DM cannot be sent (Slack refused it for good, or nobody to send it to)."""
        with self._write() as tx:
            tx.executemany(
                "UPDATE asks SET dm_state = 'failed', dm_error = ? WHERE id = ?",
                [(error, i) for i in ask_ids],
            )

    def release_ask_dms(self, ask_ids: Sequence[int]) -> None:
        """Their DM failed in a way that may pass: free the claim so it is tried again."""
        with self._write() as tx:
            tx.executemany(
                "UPDATE asks SET dm_state = NULL, dm_claimed_at = NULL "
                "WHERE id = ? AND dm_state = 'sending'",
                [(i,) for i in ask_ids],
            )

    def get_asks_by_dm(self, channel: str, ts: str) -> list[Ask]:
        """The asks listed in the DM at channel/ts (one DM lists one person's asks of one
        submission)."""
        rows = self._read(
            "SELECT * FROM asks WHERE dm_channel = ? AND dm_ts = ? ORDER BY position, id",
            (channel, ts),
        )
        return [ask_from_row(r) for r in rows]

    def save_ask_status(
        self, ask_id: int, status: FollowUpStatus, *, by: str | None, now: datetime
    ) -> Ask | None:
        """Close or reopen an ask; an answered ask stays closed (its answer can be edited)."""
        with self._write() as tx:
            set_status(tx, "asks", ask_id, status, by, now)
        return self.get_ask(ask_id)

    def save_ask_answer(
        self, ask_id: int, answer: str, *, by: str, now: datetime, delivery: str | None = None
    ) -> AnswerSaved | None:
        """Store `by`'s answer to an ask and close it (an ask already closed keeps who closed
        it), in one transaction with the claim of `delivery` (the answer modal's view id and
        hash). None for a delivery already saved or an ask that no longer exists.

        A second answer replaces the first ("Edit answer"); `first` says whether this one is
        the ask's first, `changed` whether the text is new (an unchanged one changes nothing)."""
        with self._write() as tx:
            if delivery is not None and not claim_delivery(tx, delivery, now):
                return None
            row = tx.execute(
                "SELECT answer, answered_at FROM asks WHERE id = ?", (ask_id,)
            ).fetchone()
            if row is None:
                return None
            first = row["answered_at"] is None
            changed = first or row["answer"] != answer
            if changed:
                tx.execute(
                    "UPDATE asks SET answer = ?, answered_at = ?, answered_by = ? WHERE id = ?",
                    (answer, iso(now), by, ask_id),
                )
                set_status(tx, "asks", ask_id, "done", by, now)
        ask = self.get_ask(ask_id)
        assert ask is not None
        return AnswerSaved(ask=ask, first=first, changed=changed)
