"""Every SQL statement of the bot: `save_*` / `get_*` taking plain values, returning models.

`Store` is the one object the rest of the bot holds; each aggregate's statements live in their
own module (members, standups with their asks and follow-ups, asks, follow-ups, events,
digests, the HTTP cache, the billing month cache, the history of earlier cycles, time away,
search), on top of `connection.Database`.

Raw SQL inside transactions on purpose: every logical write is one `BEGIN IMMEDIATE … COMMIT`.
"""

from __future__ import annotations

from bot.store.away import AwayQueries
from bot.store.billing import BillingQueries
from bot.store.connection import StoreError
from bot.store.digests import DigestQueries
from bot.store.events import EventQueries, Pruned
from bot.store.history import HistoryQueries
from bot.store.http_cache import HttpCacheQueries
from bot.store.members import MemberQueries
from bot.store.schema import MIGRATIONS, SCHEMA_VERSION
from bot.store.search import SearchQueries
from bot.store.standups import SavedStandup, StandupQueries


class Store(
    StandupQueries,
    MemberQueries,
    EventQueries,
    DigestQueries,
    HttpCacheQueries,
    HistoryQueries,
    AwayQueries,
    SearchQueries,
    BillingQueries,
):
    """The bot's SQLite database. Safe to share between threads."""


__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Pruned", "SavedStandup", "Store", "StoreError"]
