"""The schema, as migrations: migration N brings a file from `PRAGMA user_version` N-1 to N.

Never edit a released migration: add one.
"""

from __future__ import annotations

import sqlite3

# The search index over what people wrote (`bot.store.search`): one row in `search_docs` per
# standup line, ask and follow-up (`ref` names its source), its text in the FTS5 table
# `search_fts` under the same rowid, stemmed by the porter tokenizer ("deploying" finds
# "deployed"), with the writer's user id in the column `who` (a person filter is then part of
# the full-text query). Triggers keep both in step with every insert, edit and delete, in the
# writer's own transaction. POPULATE_SEARCH fills them from the tables (migration 3 and a
# re-index), oldest meeting first, so that rowids grow with time (search ranks the newest
# matches).
POPULATE_SEARCH = """
    INSERT INTO search_docs (ref, field, user_id, user_name, meeting_date)
        SELECT ref, field, user_id, user_name, meeting_date FROM (
            SELECT 'item:' || i.standup_id || ':' || i.kind || ':' || i.position AS ref,
                   i.kind AS field, s.user_id, s.user_name, s.meeting_date
            FROM standup_items i JOIN standups s ON s.id = i.standup_id
            UNION ALL
            SELECT 'ask:' || a.id, 'ask', a.from_user_id, a.from_name, a.meeting_date FROM asks a
            UNION ALL
            SELECT 'follow_up:' || f.id, 'follow_up', COALESCE(f.created_by, f.owner_user_id),
                   f.owner_name, COALESCE(f.meeting_date, date(f.created_at))
            FROM follow_ups f
        ) ORDER BY meeting_date, ref;
    INSERT INTO search_fts (rowid, text, who)
        SELECT d.id, i.text, d.user_id FROM standup_items i
        JOIN search_docs d ON d.ref = 'item:' || i.standup_id || ':' || i.kind || ':' || i.position;
    INSERT INTO search_fts (rowid, text, who)
        SELECT d.id, a.text, d.user_id FROM asks a JOIN search_docs d ON d.ref = 'ask:' || a.id;
    INSERT INTO search_fts (rowid, text, who)
        SELECT d.id, f.text, d.user_id FROM follow_ups f
        JOIN search_docs d ON d.ref = 'follow_up:' || f.id;
"""

_ITEM_REF = "'item:' || {row}.standup_id || ':' || {row}.kind || ':' || {row}.position"
_ASK_REF = "'ask:' || {row}.id"
_FOLLOW_UP_REF = "'follow_up:' || {row}.id"


def _index_triggers(table: str, ref: str, insert_doc: str, columns: str) -> str:
    """Insert, delete and update triggers that keep one source table in the search index.

    Part of migration 3 as released: change what it makes only in a new migration."""
    new_ref, old_ref = ref.format(row="new"), ref.format(row="old")
    add = f"""
        {insert_doc};
        INSERT INTO search_fts (rowid, text, who)
            SELECT id, new.text, user_id FROM search_docs WHERE ref = {new_ref};"""
    drop = f"""
        DELETE FROM search_fts WHERE rowid = (SELECT id FROM search_docs WHERE ref = {old_ref});
        DELETE FROM search_docs WHERE ref = {old_ref};"""
    return f"""
    CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} BEGIN {add}
    END;
    CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN {drop}
    END;
    CREATE TRIGGER search_{table}_update AFTER UPDATE OF {columns} ON {table} BEGIN {drop} {add}
    END;
    """


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
    # 3: Slack statuses, time away, and the full-text search index (built for what exists)
    """
    ALTER TABLE members ADD COLUMN status_text TEXT NOT NULL DEFAULT '';
    ALTER TABLE members ADD COLUMN status_emoji TEXT NOT NULL DEFAULT '';
    ALTER TABLE members ADD COLUMN status_expires_at TEXT;
    CREATE TABLE time_away (
        id INTEGER PRIMARY KEY, user_id TEXT NOT NULL, starts TEXT NOT NULL, ends TEXT NOT NULL,
        created_at TEXT NOT NULL, CHECK (starts <= ends)
    );
    CREATE INDEX time_away_user ON time_away (user_id, ends);
    CREATE TABLE back_from_status (
        user_id TEXT PRIMARY KEY, status TEXT NOT NULL, at TEXT NOT NULL
    );
    CREATE TABLE search_docs (
        id INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE, field TEXT NOT NULL, user_id TEXT,
        user_name TEXT NOT NULL DEFAULT '', meeting_date TEXT
    );
    CREATE INDEX search_docs_user ON search_docs (user_id, meeting_date);
    CREATE INDEX search_docs_meeting ON search_docs (meeting_date);
    CREATE VIRTUAL TABLE search_fts USING fts5 (
        text, who, tokenize = 'porter unicode61 remove_diacritics 2'
    );
    """
    + _index_triggers(
        "standup_items",
        _ITEM_REF,
        "INSERT INTO search_docs (ref, field, user_id, user_name, meeting_date) "
        f"SELECT {_ITEM_REF.format(row='new')}, new.kind, s.user_id, s.user_name, s.meeting_date "
        "FROM standups s WHERE s.id = new.standup_id",
        "standup_id, kind, position, text",
    )
    + _index_triggers(
        "asks",
        _ASK_REF,
        "INSERT INTO search_docs (ref, field, user_id, user_name, meeting_date) "
        f"VALUES ({_ASK_REF.format(row='new')}, 'ask', new.from_user_id, new.from_name, "
        "new.meeting_date)",
        "text, from_user_id, from_name, meeting_date",
    )
    + _index_triggers(
        "follow_ups",
        _FOLLOW_UP_REF,
        "INSERT INTO search_docs (ref, field, user_id, user_name, meeting_date) "
        f"VALUES ({_FOLLOW_UP_REF.format(row='new')}, 'follow_up', "
        "COALESCE(new.created_by, new.owner_user_id), new.owner_name, "
        "COALESCE(new.meeting_date, date(new.created_at)))",
        "text, created_by, owner_user_id, owner_name, meeting_date, created_at",
    )
    + POPULATE_SEARCH,
    # 4: promises and blockers across cycles: the history read by meeting date, and what each posted
    # digest said of its cycle (the trend's figures and each promise's outcome, as JSON)
    """
    CREATE INDEX standups_meeting ON standups (meeting_date);
    CREATE TABLE cycle_records (
        channel TEXT NOT NULL, meeting_date TEXT NOT NULL,
        team_size INTEGER NOT NULL, reported INTEGER NOT NULL,
        promised INTEGER NOT NULL, delivered INTEGER NOT NULL,
        promises TEXT NOT NULL, recorded_at TEXT NOT NULL,
        PRIMARY KEY (channel, meeting_date)
    );
    """,
    # 5: the Actions billing month cache: a month of usage lines summed per month and repository
    # (zlib-compressed JSON), its ETag, when it was last fetched or confirmed by a 304, and
    # whether the month had ended then (a closed month is not asked again within a day)
    """
    CREATE TABLE billing_months (
        org TEXT NOT NULL, year INTEGER NOT NULL, month INTEGER NOT NULL, etag TEXT,
        lines BLOB NOT NULL, fetched_at TEXT NOT NULL, closed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (org, year, month)
    );
    """,
    # 6: lines as typed (shown again when a standup is edited), the state of each ask's DM
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
    # 7: an ask's answer (given with the Answer button of its DM or App Home; answering closes
    # the ask), when and by whom; the digest also lists earlier asks answered during its cycle
    """
    ALTER TABLE asks ADD COLUMN answer TEXT;
    ALTER TABLE asks ADD COLUMN answered_at TEXT;
    ALTER TABLE asks ADD COLUMN answered_by TEXT;
    CREATE INDEX asks_answered ON asks (answered_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """The statements of a script, whole: a trigger's body keeps its inner semicolons."""
    found: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n\t;"):
                found.append(pending.strip().removesuffix(";").strip())
            pending = ""
    if pending.strip(" \n\t;"):
        found.append(pending.strip().removesuffix(";").strip())
    return found
