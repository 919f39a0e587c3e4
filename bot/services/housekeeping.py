"""Pruning the bookkeeping tables (processed events, reactions, the HTTP cache) on their
retention (`bot.store.events`, README "Data kept"), once a day from the scheduler."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.store import Pruned, Store, StoreError

log = logging.getLogger(__name__)


def prune_bookkeeping(store: Store, *, now: datetime) -> Pruned | None:
    try:
        pruned = store.prune_bookkeeping(now=now)
    except StoreError as error:
        log.error("pruning bookkeeping failed: %s", error)
        return None
    log.info(
        "pruned events=%d reactions=%d http_cache=%d",
        pruned.events,
        pruned.reactions,
        pruned.http_cache,
    )
    return pruned
