"""The schema, as migrations: migration N brings a file from `PRAGMA user_version` N-1 to N.

Never edit a released migration: add one.
"""

from __future__ import annotations

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
    # 3: lines as typed (shown again when a standup is edited), the state of each ask's DM
    # (claimed before it is sent, so it is sent once), and indexes for pruning bookkeeping
    """
    ALTER TABLE asks ADD COLUMN typed TEXT;
    ALTER TABLE asks ADD COLUMN dm_state TEXT;
    ALTER TABLE asks ADD COLUMN dm_claimed_at TEXT;
    ALTER TABLE asks ADD COLUMN dm_error TEXT;
    UPDATE asks SET dm_state = 'sent' WHERE dm_ts IS NOT NULL;
    CREATE INDEX asks_dm ON asks (dm_channel, dm_ts);
    ALTER TABLE follow_ups ADD COLUMN typed TEXT;
    CREATE INDEX follow_ups_created ON follow_ups (created_by, meeting_date);
    CREATE INDEX processed_events_received ON processed_events (received_at);
    CREATE INDEX reactions_added ON reactions (added_at);
    CREATE INDEX http_cache_updated ON http_cache (updated_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
