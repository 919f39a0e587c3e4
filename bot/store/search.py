"""Full-text search of what people wrote (SQLite FTS5; the index and its triggers: schema.py)."""

from __future__ import annotations

import re
import time
from datetime import date

from bot.store.connection import Database
from bot.store.schema import POPULATE_SEARCH, statements
from digests.models import SearchHit, SearchPage, SearchQuery
from digests.search import MATCH_END, MATCH_START, fts_phrase, fts_query, snippet_parts

SNIPPET_TOKENS = 16  # words of context FTS5 gives around the matches
# Matches whose scores round to the same value are "equally good": the newest comes first.
SCORE_DECIMALS = 2
# How many of the newest matching lines are ranked (and paged through) at most.
RANKED_MATCHES = 5000
_USER_ID = re.compile(r"[A-Za-z0-9]{1,40}")


class SearchQueries(Database):
    """Search, best matches first, and the index's upkeep."""

    def search(self, query: SearchQuery) -> SearchPage:
        """The best matches of `query`, best first, newest first among equally good ones.

        Ranked are the newest RANKED_MATCHES lines that match (rowids grow with time): a word
        in most lines ("the") costs a few milliseconds, not a ranking of the whole history.
        Snippets are made for the page's lines only."""
        match = fts_query(query.words)
        if match is None:
            return SearchPage(query=query)
        if query.user_id is not None:
            if not _USER_ID.fullmatch(query.user_id):
                return SearchPage(query=query)  # nobody writes under such an id
            match = f"({match}) AND who : {fts_phrase(query.user_id)}"
        where = ["search_fts MATCH :match"]
        params: dict[str, object] = {"match": match, "cap": RANKED_MATCHES}
        if query.user_id is not None:
            where.append("d.user_id = :user")
            params["user"] = query.user_id
        if query.since is not None:
            where.append("d.meeting_date >= :since")
            params["since"] = query.since.isoformat()
        if query.until is not None:
            where.append("d.meeting_date <= :until")
            params["until"] = query.until.isoformat()
        # A date filter also bounds the rowids (every line of a meeting in range has a rowid
        # between these), which FTS5 uses to skip the rest of the history.
        low, high = self._rowid_bounds(query)
        where.append("search_fts.rowid BETWEEN :low AND :high")
        params["low"], params["high"] = low, high
        # CROSS JOIN keeps FTS5 the outer loop: SQLite would otherwise walk an index of
        # search_docs and run the full-text query once per row (seconds, not milliseconds).
        matching = f"""FROM search_fts CROSS JOIN search_docs d ON d.id = search_fts.rowid
                       WHERE {" AND ".join(where)}"""
        cut = self._read(
            f"SELECT search_fts.rowid {matching} ORDER BY search_fts.rowid DESC "
            "LIMIT 1 OFFSET :cap",
            params,
        )
        params["cut"] = cut[0][0] if cut else 0
        params["limit"], params["offset"] = query.limit + 1, query.offset
        ranked = self._read(
            f"""SELECT search_fts.rowid AS id,
                    round(bm25(search_fts, 1.0, 0.0), {SCORE_DECIMALS}) AS score
                {matching} AND search_fts.rowid > :cut
                ORDER BY score, d.meeting_date DESC, d.id DESC
                LIMIT :limit OFFSET :offset""",
            params,
        )
        page_ids = [int(row["id"]) for row in ranked[: query.limit]]
        details = self._details(match, page_ids)
        hits = tuple(details[row_id] for row_id in page_ids if row_id in details)
        return SearchPage(query=query, hits=hits, more=len(ranked) > query.limit)

    def _rowid_bounds(self, query: SearchQuery) -> tuple[int, int]:
        """The lowest rowid of a line on or after `since`, the highest on or before `until`.

        Each is found from whichever end is nearer: walking the rowids (newest or oldest
        first) when the date is near that end of the history, else the meeting-date index."""
        low, high = 0, 2**63 - 1
        if query.since is None and query.until is None:
            return low, high
        # Each its own statement: SQLite answers a lone min() or max() from the index's end.
        earliest = self._read("SELECT min(meeting_date) FROM search_docs")[0][0]
        latest = self._read("SELECT max(meeting_date) FROM search_docs")[0][0]
        if earliest is None or latest is None:
            return low, high
        first, last = date.fromisoformat(earliest), date.fromisoformat(latest)
        if query.since is not None:
            near_start = (query.since - first) < (last - query.since)
            sql = (
                "SELECT id FROM search_docs NOT INDEXED WHERE meeting_date >= ? ORDER BY id LIMIT 1"
                if near_start
                else "SELECT min(id) FROM search_docs INDEXED BY search_docs_meeting "
                "WHERE meeting_date >= ?"
            )
            row = self._read(sql, (query.since.isoformat(),))
            low = row[0][0] if row and row[0][0] is not None else high
        if query.until is not None:
            near_end = (last - query.until) < (query.until - first)
            sql = (
                "SELECT id FROM search_docs NOT INDEXED WHERE meeting_date <= ? "
                "ORDER BY id DESC LIMIT 1"
                if near_end
                else "SELECT max(id) FROM search_docs INDEXED BY search_docs_meeting "
                "WHERE meeting_date <= ?"
            )
            row = self._read(sql, (query.until.isoformat(),))
            high = row[0][0] if row and row[0][0] is not None else 0
        return low, high

    def _details(self, match: str, ids: list[int]) -> dict[int, SearchHit]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._read(
            f"""SELECT search_fts.rowid AS id, d.ref, d.field, d.user_id, d.meeting_date,
                    search_fts.text AS text,
                    COALESCE(NULLIF(m.display_name, ''), NULLIF(m.real_name, ''), m.name,
                             NULLIF(d.user_name, ''), d.user_id, '') AS name,
                    snippet(search_fts, 0, ?, ?, '…', ?) AS snippet
                FROM search_fts
                JOIN search_docs d ON d.id = search_fts.rowid
                LEFT JOIN members m ON m.user_id = d.user_id
                WHERE search_fts MATCH ? AND search_fts.rowid IN ({marks})""",
            [MATCH_START, MATCH_END, SNIPPET_TOKENS, match, *ids],
        )
        return {
            int(row["id"]): SearchHit(
                ref=row["ref"],
                field=row["field"],
                user_id=row["user_id"],
                name=row["name"],
                meeting_date=row["meeting_date"],
                text=row["text"],
                snippet=snippet_parts(row["snippet"]),
            )
            for row in rows
        }

    def rebuild_search_index(self) -> float:
        """Build the index afresh from the standups, asks and follow-ups; returns seconds."""
        started = time.perf_counter()
        with self._write() as tx:
            tx.execute("DELETE FROM search_fts")
            tx.execute("DELETE FROM search_docs")
            for statement in statements(POPULATE_SEARCH):
                tx.execute(statement)
            tx.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
        return time.perf_counter() - started

    def count_search_documents(self) -> int:
        return int(self._read("SELECT count(*) FROM search_docs")[0][0])
