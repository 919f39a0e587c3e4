"""Shared fixtures: small, explicit, one fresh thing per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings

from bot.store import Store
from digests.models import Member
from tests.fakes.slack import FakeSlack

# CI machines are shared and loaded: an example that takes long is not a failure there.
settings.register_profile("ci", deadline=None, print_blob=True)
# Hunting for a rare counter-example before it turns up in CI: 20 times the examples.
settings.register_profile("stress", deadline=None, print_blob=True, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday; the next digest is Mon Nov 30


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "standup.db") as fresh:
        yield fresh


def member(
    user_id: str, name: str, real_name: str = "", display_name: str = "", **kw: object
) -> Member:
    return Member(user_id=user_id, name=name, real_name=real_name, display_name=display_name, **kw)  # type: ignore[arg-type]


TEAM = [
    member("U1", "kevin", "Kevin Ortiz", "Kevin"),
    member("U2", "hesham", "Hesham Ali", "Hesham"),
    member("U3", "mira", "Mira Chen", ""),
    member("U4", "sam.k", "Sam Kowalski", "Sam K"),
]


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """A fake Slack workspace with the four people of tests.harness.PEOPLE in the channel; its
    message timestamps run from NOW (the harness Clock's start), not from today."""
    from tests.harness import PEOPLE, aligned_wall_clock, seed_workspace

    with FakeSlack(wall_clock=aligned_wall_clock(NOW)) as fake:
        seed_workspace(fake, PEOPLE)
        yield fake
