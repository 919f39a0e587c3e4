"""SQLite rows → models, the status change asks and follow-ups share, and the claim of a Slack
delivery inside the transaction that does its work."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Literal, TypeVar

from bot.store.connection import iso
from digests.models import Ask, FollowUp, FollowUpStatus, Frozen, Member

Model = TypeVar("Model", bound=Frozen)


def from_row(model: type[Model], row: sqlite3.Row) -> Model:
    """A model from the row's columns of the same names (pydantic reads ISO dates and 0/1)."""
    fields = model.model_fields
    columns = row.keys()  # iterating a Row gives its values
    return model.model_validate({key: row[key] for key in columns if key in fields})


def member_from_row(row: sqlite3.Row) -> Member:
    return from_row(Member, row)


def ask_from_row(row: sqlite3.Row) -> Ask:
    return from_row(Ask, row)


def follow_up_from_row(row: sqlite3.Row) -> FollowUp:
    return from_row(FollowUp, row)


# Who closed a row, and when, by table.
_CLOSED_COLUMNS = {"asks": ("closed_at", "closed_by"), "follow_ups": ("done_at", "done_by")}


def set_status(
    tx: sqlite3.Connection,
    table: Literal["asks", "follow_ups"],
    row_id: int,
    status: FollowUpStatus,
    by: str | None,
    now: datetime,
) -> None:
    """Close (keeping the first closer when it is already closed) or reopen an ask/follow-up;
    a row already in `status` is left alone, and an answered ask is never reopened (answering
    closed it; its answer can be edited instead)."""
    at, who = _CLOSED_COLUMNS[table]
    if status == "done":
        tx.execute(
            f"UPDATE {table} SET status = 'done', {at} = ?, {who} = ? "
            "WHERE id = ? AND status = 'open'",
            (iso(now), by, row_id),
        )
    else:
        answered = " AND answered_at IS NULL" if table == "asks" else ""
        tx.execute(
            f"UPDATE {table} SET status = 'open', {at} = NULL, {who} = NULL "
            f"WHERE id = ? AND status = 'done'{answered}",
            (row_id,),
        )


def claim_delivery(tx: sqlite3.Connection, delivery: str, now: datetime) -> bool:
    """Claim a delivery (an event id, a view id and hash) inside `tx`: True the first time it is
    seen. Taken in the transaction that does the work, so a failed save claims nothing."""
    cursor = tx.execute(
        "INSERT OR IGNORE INTO processed_events (event_id, received_at) VALUES (?, ?)",
        (delivery, iso(now)),
    )
    return cursor.rowcount == 1
