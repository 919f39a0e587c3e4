"""Full-text search of what people wrote (SQLite FTS5; the index and its triggers: schema.py)."""

from __future__ import annotations

import time

from bot.store.connection import Database
from bot.store.schema import POPULATE_SEARCH, statements
from digests.models import SearchHit, SearchPage, SearchQuery
from digests.search import MATCH_END, MATCH_START, fts_query, snippet_parts

SNIPPET_TOKENS = 16  # words of context FTS5 gives around the matches
# Matches whose scores round to the same value are "equally good": the newest comes first.
SCORE_DECIMALS = 2


class SearchQueries(Database):
    """Search, best matches first, and the index's upkeep."""

    def search(self, query: SearchQuery) -> SearchPage:
        match = fts_query(query.words)
        if match is None:
            return SearchPage(query=query)
        where = ["search_fts MATCH :match"]
        params: dict[str, object] = {
            "match": match,
            "limit": query.limit + 1,
            "offset": query.offset,
            "start": MATCH_START,
            "end": MATCH_END,
            "tokens": SNIPPET_TOKENS,
        }
        if query.user_id is not None:
            where.append("d.user_id = :user")
            params["user"] = query.user_id
        if query.since is not None:
            where.append("d.meeting_date >= :since")
            params["since"] = query.since.isoformat()
        if query.until is not None:
            where.append("d.meeting_date <= :until")
            params["until"] = query.until.isoformat()
        rows = self._read(
            f"""SELECT d.ref, d.field, d.user_id, d.meeting_date, search_fts.text AS text,
                    COALESCE(NULLIF(m.display_name, ''), NULLIF(m.real_name, ''), m.name,
                             NULLIF(d.user_name, ''), d.user_id, '') AS name,
                    snippet(search_fts, 0, :start, :end, '…', :tokens) AS snippet,
                    round(bm25(search_fts), {SCORE_DECIMALS}) AS score
                FROM search_fts
                JOIN search_docs d ON d.id = search_fts.rowid
                LEFT JOIN members m ON m.user_id = d.user_id
                WHERE {" AND ".join(where)}
                ORDER BY score, d.meeting_date DESC, d.id DESC
                LIMIT :limit OFFSET :offset""",
            params,
        )
        hits = tuple(
            SearchHit(
                ref=row["ref"],
                field=row["field"],
                user_id=row["user_id"],
                name=row["name"],
                meeting_date=row["meeting_date"],
                text=row["text"],
                snippet=snippet_parts(row["snippet"]),
            )
            for row in rows[: query.limit]
        )
        return SearchPage(query=query, hits=hits, more=len(rows) > query.limit)

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
