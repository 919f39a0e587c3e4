"""The GitHub client's ETag cache (`bot.github.transport.HttpCache`), in the same file.

Entries not refreshed for `events.HTTP_CACHE_RETENTION` are pruned with the other bookkeeping."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.store.connection import Database, iso


class HttpCacheQueries(Database):
    """ETags and bodies of GitHub REST answers."""

    def get_http_cache(self, key: str) -> tuple[str, bytes] | None:
        rows = self._read("SELECT etag, body FROM http_cache WHERE key = ?", (key,))
        return (str(rows[0]["etag"]), bytes(rows[0]["body"])) if rows else None

    def save_http_cache(
        self, key: str, etag: str, body: bytes, *, now: datetime | None = None
    ) -> None:
        """Store (or replace) an answer's ETag and body; `updated_at` is when (for pruning)."""
        with self._write() as tx:
            tx.execute(
                "INSERT INTO http_cache (key, etag, body, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, body = excluded.body, "
                "updated_at = excluded.updated_at",
                (key, etag, body, iso(now or datetime.now(UTC))),
            )
