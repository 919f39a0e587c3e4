"""SQLite rows → models, and the status change asks and follow-ups share."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from bot.store.connection import iso, parse_time, parse_time_or_none
from digests.models import Ask, FollowUp, FollowUpStatus, Member


def member_from_row(row: sqlite3.Row) -> Member:
    return Member(
        user_id=row["user_id"],
        name=row["name"],
        real_name=row["real_name"],
        display_name=row["display_name"],
        tz=row["tz"],
        is_bot=bool(row["is_bot"]),
        deleted=bool(row["deleted"]),
        github_login=row["github_login"],
    )


def ask_from_row(row: sqlite3.Row) -> Ask:
    return Ask(
        id=row["id"],
        from_user_id=row["from_user_id"],
        from_name=row["from_name"],
        to_user_id=row["to_user_id"],
        to_name=row["to_name"],
        everyone=bool(row["everyone"]),
        text=row["text"],
        meeting_date=date.fromisoformat(row["meeting_date"]),
        status=row["status"],
        closed_at=parse_time_or_none(row["closed_at"]),
        closed_by=row["closed_by"],
        dm_channel=row["dm_channel"],
        dm_ts=row["dm_ts"],
    )


def follow_up_from_row(row: sqlite3.Row) -> FollowUp:
    return FollowUp(
        id=row["id"],
        text=row["text"],
        owner_user_id=row["owner_user_id"],
        owner_name=row["owner_name"],
        status=row["status"],
        created_at=parse_time(row["created_at"]),
        created_by=row["created_by"],
        meeting_date=date.fromisoformat(row["meeting_date"]) if row["meeting_date"] else None,
        source=row["source"],
        done_at=parse_time_or_none(row["done_at"]),
        done_by=row["done_by"],
        channel=row["channel"],
        ts=row["ts"],
    )


def set_status(
    tx: sqlite3.Connection,
    table: str,
    closed_columns: tuple[str, str],
    row_id: int,
    status: FollowUpStatus,
    by: str | None,
    now: datetime,
) -> None:
    """Close (keeping the first closer when it is already closed) or reopen an ask/follow-up."""
    at, who = closed_columns
    if status == "done":
        tx.execute(
            f"UPDATE {table} SET status = 'done', {at} = ?, {who} = ? "
            "WHERE id = ? AND status = 'open'",
            (iso(now), by, row_id),
        )
    else:
        tx.execute(
            f"UPDATE {table} SET status = 'open', {at} = NULL, {who} = NULL WHERE id = ?",
            (row_id,),
        )
