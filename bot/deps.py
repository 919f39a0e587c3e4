"""What the listeners and jobs need, passed in instead of built deep inside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.store import Store

if TYPE_CHECKING:
    from bot.github import GitHubClient


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
