"""What the listeners and jobs need, passed in instead of built deep inside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.store import Store

if TYPE_CHECKING:
    from bot.github.client import GitHubClient


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Deps:
    settings: Settings
    store: Store
    github: GitHubClient | None = None
    clock: Callable[[], datetime] = field(default=utc_now)

    def now(self) -> datetime:
        return self.clock()

    def close(self) -> None:
        if self.github is not None:
            self.github.close()
        self.store.close()


def build_deps(settings: Settings) -> Deps:
    """The store and (with a token) the GitHub client, as `serve` and the CLI use them."""
    store = Store(settings.standup_db)
    github = None
    if settings.github_token is not None:
        from bot.github.client import GitHubClient

        github = GitHubClient(settings, cache=store)
    return Deps(settings=settings, store=store, github=github)
