"""What the listeners and jobs need, passed in instead of built deep inside."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.config import Settings
from bot.store import Store

if TYPE_CHECKING:
    from bot.github.client import GitHubClient

log = logging.getLogger(__name__)

# Threads for what listeners do once Slack has its ack (member refreshes, DMs, chat.update).
# Bolt runs listeners on a pool of 5 threads; work left on them delays the next requests' acks.
AFTER_ACK_WORKERS = 4


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    settings: Settings
    store: Store
    github: GitHubClient | None = None
    clock: Callable[[], datetime] = field(default=utc_now)
    _after: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)
    _after_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def now(self) -> datetime:
        return self.clock()

    def after_ack(self, work: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """Run `work` on the bot's own threads, off Bolt's listener threads, so that those are
        free for the acks of the requests that come next. A failure is logged."""
        with self._after_lock:
            if self._after is None:
                self._after = ThreadPoolExecutor(AFTER_ACK_WORKERS, thread_name_prefix="after-ack")
            self._after.submit(_logged, work, *args, **kwargs)

    def finish_work(self) -> None:
        """Wait for the work handed to `after_ack` so far (at shutdown, and in tests)."""
        with self._after_lock:
            after, self._after = self._after, None
        if after is not None:
            after.shutdown(wait=True)

    def close(self) -> None:
        self.finish_work()
        if self.github is not None:
            self.github.close()
        self.store.close()


def _logged(work: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    try:
        work(*args, **kwargs)
    except Exception as error:
        name = getattr(work, "__qualname__", repr(work))
        log.error(
            "%s failed after the ack: %s: %s", name, type(error).__name__, error, exc_info=True
        )


def build_deps(settings: Settings) -> Deps:
    """The store and (with a token) the GitHub client, as `serve` and the CLI use them."""
    store = Store(settings.standup_db)
    github = None
    if settings.github_token is not None:
        from bot.github.client import GitHubClient

        github = GitHubClient(settings, cache=store)
    return Deps(settings=settings, store=store, github=github)
