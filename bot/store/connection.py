"""The SQLite file: one connection per thread, transactions, migrations, meta and backups.

One SQLite file (WAL, busy timeout), one connection per thread: the server's worker threads and the
scheduler write at the same time. Each logical write is one `BEGIN IMMEDIATE … COMMIT`, so a crash
leaves all of a submission or none of it. The schema carries a version (`PRAGMA user_version`) and
upgrades an older file in place, one migration at a time (`bot.store.schema`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from bot.store.schema import MIGRATIONS, SCHEMA_VERSION, statements

BUSY_TIMEOUT_MS = 10_000


class StoreError(Exception):
    """The database cannot be used (read-only, full disk, corrupt); the message says which."""


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


class Database:
    """The connection layer every query module builds on. Safe to share between threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self._migrate()
        except sqlite3.Error as error:
            raise StoreError(_explain(error, self.path)) from None
        except OSError as error:
            raise StoreError(f"cannot open the database {self.path}: {error.strerror}") from None

    # --- connections and transactions ----------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path,
                    timeout=BUSY_TIMEOUT_MS / 1000,
                    isolation_level=None,
                    check_same_thread=False,
                )
                conn.row_factory = sqlite3.Row
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                conn.execute("PRAGMA foreign_keys = ON")
                conn.execute("PRAGMA synchronous = NORMAL")
            except sqlite3.Error as error:
                raise StoreError(_explain(error, self.path)) from None
            self._local.conn = conn
            with self._lock:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise StoreError(_explain(error, self.path)) from None
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise StoreError(_explain(error, self.path)) from None
            raise

    def _read(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as error:
            raise StoreError(_explain(error, self.path)) from None

    def _migrate(self) -> None:
        conn = self._conn()
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"cannot switch {self.path} to WAL (journal_mode is {mode})")
        with self._write() as tx:
            version = tx.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} has schema version {version}, newer than this bot's "
                    f"{SCHEMA_VERSION}: upgrade standup-bot"
                )
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in statements(MIGRATIONS[number - 1]):
                    tx.execute(statement)
                tx.execute(f"PRAGMA user_version = {number}")

    @property
    def schema_version(self) -> int:
        return int(self._read("PRAGMA user_version")[0][0])

    def backup(self, destination: str | Path) -> None:
        """A consistent copy of the live database (SQLite's online backup), safe while serving."""
        target = sqlite3.connect(destination)
        try:
            self._conn().backup(target)
        finally:
            target.close()

    # --- meta ---------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else None

    def save_meta(self, key: str, value: str) -> None:
        with self._write() as tx:
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _explain(error: sqlite3.Error, path: Path) -> str:
    message = str(error)
    if "readonly" in message or "read-only" in message or _read_only_disk(path):
        return f"the database {path} is read-only: nothing was written ({message})"
    if "disk is full" in message or "full" in message:
        return f"the disk holding {path} is full: nothing was written ({message})"
    if "unable to open" in message:
        return f"cannot open the database {path} ({message}): check the path and permissions"
    if "locked" in message or "busy" in message:
        return f"the database {path} stayed locked for {BUSY_TIMEOUT_MS // 1000} s ({message})"
    return f"database error in {path}: {message}"


def _read_only_disk(path: Path) -> bool:
    """The filesystem holding the database is mounted read-only (SQLite then often says only
    "unable to open database file": it cannot create the -wal/-shm files next to it)."""
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        return False
