"""The Actions billing month cache: each month of an org's usage lines as last fetched.

A month is kept summed per month, SKU and repository (`digests.billing.sum_usage_lines`), so a
large org's month (tens of thousands of daily lines) is a few hundred rows, compressed.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime

from bot.store.connection import Database, iso, parse_time
from digests.models import CachedUsageMonth, UsageItem, UsageMonth


class BillingQueries(Database):
    """Months of GitHub's billing usage report, by org (compared case-insensitively)."""

    def get_usage_month(self, org: str, year: int, month: int) -> CachedUsageMonth | None:
        rows = self._read(
            "SELECT etag, lines, fetched_at, closed FROM billing_months "
            "WHERE org = ? AND year = ? AND month = ?",
            (org.casefold(), year, month),
        )
        if not rows:
            return None
        row = rows[0]
        lines = json.loads(zlib.decompress(bytes(row["lines"])))
        return CachedUsageMonth(
            month=UsageMonth(
                year=year,
                month=month,
                items=tuple(UsageItem.model_validate(line) for line in lines),
                etag=row["etag"],
            ),
            fetched_at=parse_time(row["fetched_at"]),
            closed=bool(row["closed"]),
        )

    def save_usage_month(self, org: str, month: UsageMonth, *, closed: bool, now: datetime) -> None:
        """Keep `month` as fetched at `now`; `closed`: the month had ended by then."""
        lines = [item.model_dump(mode="json") for item in month.items]
        blob = zlib.compress(json.dumps(lines, separators=(",", ":")).encode(), level=6)
        with self._write() as tx:
            tx.execute(
                "INSERT INTO billing_months (org, year, month, etag, lines, fetched_at, closed) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org, year, month) DO UPDATE SET "
                "etag = excluded.etag, lines = excluded.lines, fetched_at = excluded.fetched_at, "
                "closed = excluded.closed",
                (org.casefold(), month.year, month.month, month.etag, blob, iso(now), int(closed)),
            )

    def save_usage_month_confirmed(
        self, org: str, year: int, month: int, *, closed: bool, now: datetime
    ) -> None:
        """GitHub answered 304 at `now`: the kept lines are still what it has."""
        with self._write() as tx:
            tx.execute(
                "UPDATE billing_months SET fetched_at = ?, closed = ? "
                "WHERE org = ? AND year = ? AND month = ?",
                (iso(now), int(closed), org.casefold(), year, month),
            )
