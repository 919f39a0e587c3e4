"""Slack deliveries already handled (event ids, view ids, reminders), ✅ reactions on the bot's
messages, and pruning that bookkeeping.

A claim is taken in the same transaction as the work it stands for (`save_done_reaction`,
`Store.save_submission`), or after the work succeeded, or released when the work failed
(`release_event`): a claimed id always means the work is done or under way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.store.connection import Database, iso
from bot.store.rows import claim_delivery, set_status

# How long bookkeeping is kept (README, "Data kept"). Slack retries an event within minutes and a
# reminder claim matters for one cycle, so a month covers both with room. A ✅ older than half a
# year is on a message nobody reacts to any more (its removal then changes nothing). An ETag not
# refreshed for 90 days names a page the digest no longer reads (or costs one full request).
EVENT_RETENTION = timedelta(days=30)
REACTION_RETENTION = timedelta(days=180)
HTTP_CACHE_RETENTION = timedelta(days=90)


@dataclass(frozen=True)
class Pruned:
    """Rows removed by `prune_bookkeeping`."""

    events: int
    reactions: int
    http_cache: int


class EventQueries(Database):
    """Claims, reactions and their retention."""

    def claim_event(self, event_id: str, *, now: datetime) -> bool:
        """True the first time an event id is seen: Slack's retries of it get False."""
        with self._write() as tx:
            return claim_delivery(tx, event_id, now)

    def is_event_claimed(self, event_id: str) -> bool:
        rows = self._read("SELECT 1 FROM processed_events WHERE event_id = ?", (event_id,))
        return bool(rows)

    def release_event(self, event_id: str) -> None:
        """Forget a claim whose work failed, so that it is done again next time."""
        with self._write() as tx:
            tx.execute("DELETE FROM processed_events WHERE event_id = ?", (event_id,))

    def save_done_reaction(
        self,
        *,
        event_id: str | None,
        channel: str,
        ts: str,
        user_id: str,
        reaction: str,
        added: bool,
        follow_up_id: int | None = None,
        ask_ids: Sequence[int] = (),
        now: datetime,
    ) -> bool | None:
        """A ✅ added to or removed from one of the bot's messages, in one transaction: the
        event claimed, the reaction recorded, and the follow-up or asks closed (added, while
        open) or reopened (the last ✅ removed). Returns whether any status changed, or None
        for an event already handled.

        A removal never seen added (before the bot ran, or pruned) changes no status."""
        with self._write() as tx:
            if event_id is not None and not claim_delivery(tx, event_id, now):
                return None
            if added:
                tx.execute(
                    "INSERT OR IGNORE INTO reactions (channel, ts, user_id, reaction, added_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (channel, ts, user_id, reaction, iso(now)),
                )
            else:
                removed = tx.execute(
                    "DELETE FROM reactions WHERE channel = ? AND ts = ? AND user_id = ? "
                    "AND reaction = ?",
                    (channel, ts, user_id, reaction),
                ).rowcount
                if removed == 0:
                    return False
                remaining = tx.execute(
                    "SELECT count(*) FROM reactions WHERE channel = ? AND ts = ?", (channel, ts)
                ).fetchone()[0]
                if remaining:
                    return False
            targets: list[tuple[Literal["asks", "follow_ups"], int]] = [
                ("asks", ask_id) for ask_id in ask_ids
            ]
            if follow_up_id:
                targets.insert(0, ("follow_ups", follow_up_id))
            changed = 0
            for table, row_id in targets:
                before = tx.total_changes
                set_status(tx, table, row_id, "done" if added else "open", user_id, now)
                changed += tx.total_changes - before
            return changed > 0

    def get_reaction_users(self, channel: str, ts: str) -> list[str]:
        rows = self._read(
            "SELECT user_id FROM reactions WHERE channel = ? AND ts = ? ORDER BY added_at",
            (channel, ts),
        )
        return [r[0] for r in rows]

    def prune_bookkeeping(self, *, now: datetime) -> Pruned:
        """Delete processed events, reactions and HTTP cache entries past their retention."""
        with self._write() as tx:
            events = tx.execute(
                "DELETE FROM processed_events WHERE received_at < ?",
                (iso(now - EVENT_RETENTION),),
            ).rowcount
            reactions = tx.execute(
                "DELETE FROM reactions WHERE added_at < ?", (iso(now - REACTION_RETENTION),)
            ).rowcount
            cache = tx.execute(
                "DELETE FROM http_cache WHERE updated_at < ?", (iso(now - HTTP_CACHE_RETENTION),)
            ).rowcount
        return Pruned(events=events, reactions=reactions, http_cache=cache)
