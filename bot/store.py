"""Every SQL statement of the bot: `save_*` / `get_*` taking plain values, returning models.

One SQLite file (WAL, busy timeout), one connection per thread: the server's worker threads and the
scheduler write at the same time. Each logical write is one `BEGIN IMMEDIATE … COMMIT`, so a crash
leaves all of a submission or none of it. The schema carries a version (`PRAGMA user_version`) and
upgrades an older file in place, one migration at a time.

Raw SQL inside transactions on purpose: sqlite-utils' write helpers wrap themselves in `with conn:`,
which would commit our transaction half-way.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

from bot.models import (
    Ask,
    Cycle,
    FollowUp,
    FollowUpStatus,
    Member,
    PersonRef,
    PlannedMessage,
    Standup,
)

BUSY_TIMEOUT_MS = 10_000
ITEM_KINDS = ("done", "next", "blocked")


class StoreError(Exception):
    """The database cannot be used (read-only, full disk, corrupt); the message says which."""


# --- schema ---------------------------------------------------------------------------------

# Migration N brings a file from user_version N-1 to N. Never edit a released migration: add one.
MIGRATIONS: tuple[str, ...] = (
    # 1: members, standups, asks, follow-ups, digests
    """
    CREATE TABLE members (
        user_id TEXT PRIMARY KEY, name TEXT NOT NULL, real_name TEXT NOT NULL DEFAULT '',
        display_name TEXT NOT NULL DEFAULT '', tz TEXT, is_bot INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0, in_team INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE standups (
        id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, user_name TEXT NOT NULL,
        meeting_date TEXT NOT NULL, submitted_at TEXT NOT NULL, updated_at TEXT NOT NULL,
        UNIQUE (user_id, meeting_date)
    );
    CREATE TABLE standup_items (
        standup_id INTEGER NOT NULL REFERENCES standups(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('done', 'next', 'blocked')),
        position INTEGER NOT NULL, text TEXT NOT NULL,
        PRIMARY KEY (standup_id, kind, position)
    );
    CREATE TABLE asks (
        id INTEGER PRIMARY KEY, standup_id INTEGER REFERENCES standups(id) ON DELETE SET NULL,
        meeting_date TEXT NOT NULL, from_user_id TEXT NOT NULL, from_name TEXT NOT NULL,
        to_user_id TEXT, to_name TEXT NOT NULL, everyone INTEGER NOT NULL DEFAULT 0,
        text TEXT NOT NULL, position INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'open', closed_at TEXT, closed_by TEXT
    );
    CREATE INDEX asks_meeting ON asks (meeting_date);
    CREATE TABLE follow_ups (
        id INTEGER PRIMARY KEY, text TEXT NOT NULL, owner_user_id TEXT, owner_name TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open', created_at TEXT NOT NULL, created_by TEXT,
        meeting_date TEXT, source TEXT,
        standup_id INTEGER REFERENCES standups(id) ON DELETE SET NULL,
        done_at TEXT, done_by TEXT, channel TEXT, ts TEXT
    );
    CREATE INDEX follow_ups_status ON follow_ups (status);
    CREATE TABLE digests (
        id INTEGER PRIMARY KEY, channel TEXT NOT NULL, meeting_date TEXT NOT NULL,
        copy INTEGER NOT NULL DEFAULT 0, created_at TEXT NOT NULL, finished_at TEXT,
        UNIQUE (channel, meeting_date, copy)
    );
    CREATE TABLE digest_messages (
        digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL,
        follow_up_id INTEGER REFERENCES follow_ups(id), file_bytes BLOB,
        ts TEXT, posted_at TEXT,
        PRIMARY KEY (digest_id, seq)
    );
    CREATE INDEX digest_messages_ts ON digest_messages (ts);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: GitHub logins, event de-duplication, reactions, the HTTP cache, ask DMs
    """
    ALTER TABLE members ADD COLUMN github_login TEXT;
    ALTER TABLE asks ADD COLUMN dm_channel TEXT;
    ALTER TABLE asks ADD COLUMN dm_ts TEXT;
    CREATE TABLE processed_events (event_id TEXT PRIMARY KEY, received_at TEXT NOT NULL);
    CREATE TABLE reactions (
        channel TEXT NOT NULL, ts TEXT NOT NULL, user_id TEXT NOT NULL, reaction TEXT NOT NULL,
        added_at TEXT NOT NULL, PRIMARY KEY (channel, ts, user_id, reaction)
    );
    CREATE TABLE http_cache (
        key TEXT PRIMARY KEY, etag TEXT NOT NULL, body BLOB NOT NULL, updated_at TEXT NOT NULL
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _need_dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


class Store:
    """The bot's SQLite database. Safe to share between threads."""

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

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection as a sqlite-utils Database (for reads and inspection).

        Imported here: sqlite-utils pulls in numpy, which would cost the server's start-up."""
        import sqlite_utils

        return sqlite_utils.Database(self._conn())

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    def __enter__(self) -> Store:
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
                for statement in _statements(MIGRATIONS[number - 1]):
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

    # --- members ------------------------------------------------------------------------

    def save_members(
        self, members: Iterable[Member], *, team_ids: Iterable[str] | None, now: datetime
    ) -> None:
        """Upsert the workspace's members; with `team_ids`, those (and only those) form the team.

        A GitHub login set by hand is kept when the incoming member has none.
        """
        rows = [
            (
                m.user_id,
                m.name,
                m.real_name,
                m.display_name,
                m.tz,
                int(m.is_bot),
                int(m.deleted),
                m.github_login,
                _iso(now),
            )
            for m in members
        ]
        with self._write() as tx:
            tx.executemany(
                """INSERT INTO members (user_id, name, real_name, display_name, tz, is_bot, deleted,
                       github_login, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET name = excluded.name,
                       real_name = excluded.real_name, display_name = excluded.display_name,
                       tz = excluded.tz, is_bot = excluded.is_bot, deleted = excluded.deleted,
                       github_login = COALESCE(members.github_login, excluded.github_login),
                       updated_at = excluded.updated_at""",
                rows,
            )
            if team_ids is not None:
                ids = list(team_ids)
                tx.execute("UPDATE members SET in_team = 0")
                tx.executemany(
                    "UPDATE members SET in_team = 1 WHERE user_id = ?", [(i,) for i in ids]
                )

    def save_github_login(self, user_id: str, login: str | None) -> None:
        with self._write() as tx:
            tx.execute("UPDATE members SET github_login = ? WHERE user_id = ?", (login, user_id))

    def get_members(self) -> list[Member]:
        return [_member(r) for r in self._read("SELECT * FROM members ORDER BY user_id")]

    def get_member(self, user_id: str) -> Member | None:
        rows = self._read("SELECT * FROM members WHERE user_id = ?", (user_id,))
        return _member(rows[0]) if rows else None

    def get_team(self) -> list[Member]:
        """The humans of the standup channel: not bots, not deactivated."""
        rows = self._read(
            "SELECT * FROM members WHERE in_team = 1 AND is_bot = 0 AND deleted = 0 "
            "ORDER BY lower(COALESCE(NULLIF(display_name, ''), NULLIF(real_name, ''), name))"
        )
        return [_member(r) for r in rows]

    # --- standups -----------------------------------------------------------------------

    def save_standup(
        self,
        standup: Standup,
        *,
        follow_ups: Sequence[tuple[PersonRef | None, str]] = (),
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
                        _iso(standup.submitted_at),
                        _iso(now),
                    ),
                ).lastrowid
                assert standup_id is not None
            else:
                standup_id = int(existing["id"])
                tx.execute(
                    "UPDATE standups SET user_name = ?, updated_at = ? WHERE id = ?",
                    (standup.user_name, _iso(now), standup_id),
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
            asks[ask["standup_id"]].append(_ask(ask))
        return [
            Standup(
                user_id=r["user_id"],
                user_name=r["user_name"],
                meeting_date=date.fromisoformat(r["meeting_date"]),
                submitted_at=_need_dt(r["submitted_at"]),
                done=tuple(items[r["id"]]["done"]),
                next=tuple(items[r["id"]]["next"]),
                blocked=tuple(items[r["id"]]["blocked"]),
                asks=tuple(asks[r["id"]]),
            )
            for r in rows
        ]

    # --- asks ---------------------------------------------------------------------------

    def get_ask(self, ask_id: int) -> Ask | None:
        rows = self._read("SELECT * FROM asks WHERE id = ?", (ask_id,))
        return _ask(rows[0]) if rows else None

    def get_digest_asks(self, meeting_date: date) -> list[Ask]:
        """This meeting's asks, and earlier ones still open."""
        rows = self._read(
            "SELECT * FROM asks WHERE meeting_date = ? OR (meeting_date < ? AND status = 'open') "
            "ORDER BY meeting_date, standup_id, position",
            (meeting_date.isoformat(), meeting_date.isoformat()),
        )
        return [_ask(r) for r in rows]

    def get_asks_to(self, user_id: str, *, status: str | None = "open") -> list[Ask]:
        """Asks addressed to this person, or to everyone."""
        sql = "SELECT * FROM asks WHERE (to_user_id = ? OR everyone = 1)"
        params: list[Any] = [user_id]
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        return [_ask(r) for r in self._read(sql + " ORDER BY id", params)]

    def get_asks_without_dm(self, meeting_date: date) -> list[Ask]:
        rows = self._read(
            "SELECT * FROM asks WHERE meeting_date = ? AND to_user_id IS NOT NULL "
            "AND dm_ts IS NULL AND status = 'open' ORDER BY id",
            (meeting_date.isoformat(),),
        )
        return [_ask(r) for r in rows]

    def save_ask_dm(self, ask_id: int, channel: str, ts: str) -> None:
        with self._write() as tx:
            tx.execute(
                "UPDATE asks SET dm_channel = ?, dm_ts = ? WHERE id = ?", (channel, ts, ask_id)
            )

    def get_ask_by_dm(self, channel: str, ts: str) -> Ask | None:
        rows = self._read("SELECT * FROM asks WHERE dm_channel = ? AND dm_ts = ?", (channel, ts))
        return _ask(rows[0]) if rows else None

    def save_ask_status(
        self, ask_id: int, status: FollowUpStatus, *, by: str | None, now: datetime
    ) -> Ask | None:
        with self._write() as tx:
            _set_status(tx, "asks", ("closed_at", "closed_by"), ask_id, status, by, now)
        return self.get_ask(ask_id)

    # --- follow-ups ---------------------------------------------------------------------

    def save_follow_up(
        self,
        *,
        text: str,
        owner: PersonRef | None,
        created_by: str | None,
        meeting_date: date | None,
        source: str | None,
        now: datetime,
    ) -> FollowUp:
        with self._write() as tx:
            follow_up_id = _insert_follow_up(
                tx, text, owner, created_by, meeting_date, source, None, now
            )
        found = self.get_follow_up(follow_up_id)
        assert found is not None
        return found

    def get_follow_up(self, follow_up_id: int) -> FollowUp | None:
        found = self._follow_ups_where("id = ?", (follow_up_id,))
        return found[0] if found else None

    def get_open_follow_ups(self, *, owner_user_id: str | None = None) -> list[FollowUp]:
        if owner_user_id is None:
            return self._follow_ups_where("status = 'open'", ())
        return self._follow_ups_where("status = 'open' AND owner_user_id = ?", (owner_user_id,))

    def get_follow_ups_closed_between(self, start: datetime, end: datetime) -> list[FollowUp]:
        return self._follow_ups_where(
            "status = 'done' AND done_at >= ? AND done_at < ?", (_iso(start), _iso(end))
        )

    def get_cycle_follow_ups(self, cycle: Cycle) -> list[FollowUp]:
        """Follow-ups alive in the cycle: raised before its end, not closed before its start."""
        return self._follow_ups_where(
            "(meeting_date = ? OR created_at < ?) AND (done_at IS NULL OR done_at >= ?)",
            (cycle.meeting_date.isoformat(), _iso(cycle.ends_at), _iso(cycle.starts_at)),
        )

    def get_follow_up_by_message(self, channel: str, ts: str) -> FollowUp | None:
        """The follow-up whose message (in any digest's thread) is at channel/ts."""
        rows = self._read(
            "SELECT m.follow_up_id FROM digest_messages m JOIN digests d ON d.id = m.digest_id "
            "WHERE m.ts = ? AND d.channel = ? AND m.follow_up_id IS NOT NULL",
            (ts, channel),
        )
        return self.get_follow_up(rows[0][0]) if rows else None

    def save_follow_up_status(
        self, follow_up_id: int, status: FollowUpStatus, *, by: str | None, now: datetime
    ) -> FollowUp | None:
        with self._write() as tx:
            _set_status(tx, "follow_ups", ("done_at", "done_by"), follow_up_id, status, by, now)
        return self.get_follow_up(follow_up_id)

    def _follow_ups_where(self, where: str, params: Sequence[Any]) -> list[FollowUp]:
        rows = self._read(f"SELECT * FROM follow_ups WHERE {where} ORDER BY id", params)
        return [_follow_up(r) for r in rows]

    # --- reactions and events -------------------------------------------------------------

    def claim_event(self, event_id: str, *, now: datetime) -> bool:
        """True the first time an event id is seen: Slack's retries of it get False."""
        with self._write() as tx:
            cursor = tx.execute(
                "INSERT OR IGNORE INTO processed_events (event_id, received_at) VALUES (?, ?)",
                (event_id, _iso(now)),
            )
            return cursor.rowcount == 1

    def save_reaction(
        self, channel: str, ts: str, user_id: str, reaction: str, *, added: bool, now: datetime
    ) -> int:
        """Record a reaction added or removed; returns how many remain on that message."""
        with self._write() as tx:
            if added:
                tx.execute(
                    "INSERT OR IGNORE INTO reactions (channel, ts, user_id, reaction, added_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (channel, ts, user_id, reaction, _iso(now)),
                )
            else:
                tx.execute(
                    "DELETE FROM reactions WHERE channel = ? AND ts = ? AND user_id = ? "
                    "AND reaction = ?",
                    (channel, ts, user_id, reaction),
                )
            count = tx.execute(
                "SELECT count(*) FROM reactions WHERE channel = ? AND ts = ?", (channel, ts)
            ).fetchone()[0]
        return int(count)

    def get_reaction_users(self, channel: str, ts: str) -> list[str]:
        rows = self._read(
            "SELECT user_id FROM reactions WHERE channel = ? AND ts = ? ORDER BY added_at",
            (channel, ts),
        )
        return [r[0] for r in rows]

    # --- digests ------------------------------------------------------------------------

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
                (channel, meeting, copy, _iso(now)),
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
                (ts, _iso(now), digest_id, seq),
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
                tx.execute(
                    "UPDATE digests SET finished_at = ? WHERE id = ?", (_iso(now), digest_id)
                )

    def get_last_digest_before(self, channel: str, meeting_date: date) -> date | None:
        rows = self._read(
            "SELECT max(meeting_date) FROM digests WHERE channel = ? AND meeting_date < ?",
            (channel, meeting_date.isoformat()),
        )
        value = rows[0][0] if rows else None
        return date.fromisoformat(value) if value else None

    # --- the GitHub HTTP cache (bot.github.HttpCache) --------------------------------------

    def get_http_cache(self, key: str) -> tuple[str, bytes] | None:
        rows = self._read("SELECT etag, body FROM http_cache WHERE key = ?", (key,))
        return (str(rows[0]["etag"]), bytes(rows[0]["body"])) if rows else None

    def save_http_cache(self, key: str, etag: str, body: bytes) -> None:
        with self._write() as tx:
            tx.execute(
                "INSERT INTO http_cache (key, etag, body, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET etag = excluded.etag, body = excluded.body, "
                "updated_at = excluded.updated_at",
                (key, etag, body, _iso(datetime.now(UTC))),
            )


# --- helpers: rows → models, and the pieces of save_standup ----------------------------------


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]


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


def _member(row: sqlite3.Row) -> Member:
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


def _ask(row: sqlite3.Row) -> Ask:
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
        closed_at=_dt(row["closed_at"]),
        closed_by=row["closed_by"],
        dm_channel=row["dm_channel"],
        dm_ts=row["dm_ts"],
    )


def _follow_up(row: sqlite3.Row) -> FollowUp:
    return FollowUp(
        id=row["id"],
        text=row["text"],
        owner_user_id=row["owner_user_id"],
        owner_name=row["owner_name"],
        status=row["status"],
        created_at=_need_dt(row["created_at"]),
        created_by=row["created_by"],
        meeting_date=date.fromisoformat(row["meeting_date"]) if row["meeting_date"] else None,
        source=row["source"],
        done_at=_dt(row["done_at"]),
        done_by=row["done_by"],
        channel=row["channel"],
        ts=row["ts"],
    )


def _set_status(
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
            (_iso(now), by, row_id),
        )
    else:
        tx.execute(
            f"UPDATE {table} SET status = 'open', {at} = NULL, {who} = NULL WHERE id = ?",
            (row_id,),
        )


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
    follow_ups: Sequence[tuple[PersonRef | None, str]],
    now: datetime,
) -> None:
    old = {
        (r["owner_user_id"], r["owner_name"], r["text"]): r["id"]
        for r in tx.execute("SELECT * FROM follow_ups WHERE standup_id = ?", (standup_id,))
    }
    for person, text in follow_ups:
        owner = person or PersonRef(user_id=standup.user_id, name=standup.user_name)
        if old.pop((owner.user_id, owner.name, text), None) is not None:
            continue
        _insert_follow_up(
            tx, text, owner, standup.user_id, standup.meeting_date, "standup", standup_id, now
        )
    # Removed in the edit: drop it unless it was already posted or closed.
    tx.executemany(
        "DELETE FROM follow_ups WHERE id = ? AND ts IS NULL AND status = 'open' "
        "AND id NOT IN (SELECT follow_up_id FROM digest_messages WHERE follow_up_id IS NOT NULL)",
        [(i,) for i in old.values()],
    )


def _insert_follow_up(
    tx: sqlite3.Connection,
    text: str,
    owner: PersonRef | None,
    created_by: str | None,
    meeting_date: date | None,
    source: str | None,
    standup_id: int | None,
    now: datetime,
) -> int:
    owner_id = owner.user_id if owner else created_by
    owner_name = owner.name if owner else ""
    cursor = tx.execute(
        "INSERT INTO follow_ups (text, owner_user_id, owner_name, created_at, created_by, "
        "meeting_date, source, standup_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            text,
            owner_id,
            owner_name,
            _iso(now),
            created_by,
            meeting_date.isoformat() if meeting_date else None,
            source,
            standup_id,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid
