"""Conventions the code keeps: imports run one way, and the ETag cache lives in SQLite."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

from bot.config import load_settings
from bot.github import GitHubClient
from bot.models import UsageItem
from bot.store import Store
from tests.fakes.github import FakeGitHub

ROOT = Path(__file__).resolve().parent.parent
# The composition roots wire handlers into the app; every other bot module is a service.
COMPOSITION_ROOTS = {"bot/app.py", "bot/cli.py", "bot/runner.py"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def ours(names: set[str]) -> set[str]:
    return {n for n in names if n.split(".")[0] in {"bot", "handlers", "digests", "tests"}}


def test_models_import_nothing_of_ours() -> None:
    assert ours(imported_packages(ROOT / "bot" / "models.py")) == set()


def test_digests_import_only_models_and_each_other() -> None:
    for path in sorted((ROOT / "digests").glob("*.py")):
        for name in ours(imported_packages(path)):
            assert name == "bot.models" or name.startswith("digests"), f"{path.name}: {name}"


def test_services_never_import_handlers_or_tests() -> None:
    for path in sorted((ROOT / "bot").glob("*.py")):
        if str(path.relative_to(ROOT)) in COMPOSITION_ROOTS:
            continue
        for name in ours(imported_packages(path)):
            assert not name.startswith(("handlers", "tests")), f"{path.name}: {name}"


def test_the_store_is_the_github_clients_etag_cache(tmp_path: Path) -> None:
    with (
        FakeGitHub(now=datetime(2026, 11, 20, tzinfo=UTC)) as github,
        Store(tmp_path / "s.db") as store,
    ):
        github.set_billing(
            "acme",
            [
                UsageItem(
                    date=date(2026, 11, 1),
                    product="actions",
                    sku="Actions Linux",
                    quantity=1000,
                    unit_type="minutes",
                    price_per_unit=0.006,
                    gross_amount=6.0,
                    discount_amount=6.0,
                    net_amount=0.0,
                )
            ],
        )
        settings = load_settings(
            {"GITHUB_TOKEN": github.token, "GITHUB_API_URL": github.url}, env_file=None
        )
        today = date(2026, 11, 20)
        with GitHubClient(settings, cache=store) as client:
            first = client.fetch_actions_billing("acme", today=today)
        github.clear_requests()
        # A new process (a new client) with the same database: unchanged months are 304s.
        with GitHubClient(settings, cache=store) as client:
            second = client.fetch_actions_billing("acme", today=today)
        assert first.data == second.data and second.problem is None
        assert [r.status for r in github.requests] == [304] * 7
