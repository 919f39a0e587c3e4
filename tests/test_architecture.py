"""The layout's rules, folder by folder: imports run one way (`handlers → bot → digests`), the
pure core imports no I/O, only the composition root imports `handlers`, only the store runs SQL.
And the ETag cache lives in SQLite."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.github import GitHubClient
from bot.services.billing import fetch_actions_billing
from bot.store import Store
from digests.models import UsageItem
from tests.fakes.github import FakeGitHub

ROOT = Path(__file__).resolve().parent.parent
OURS = ("bot", "handlers", "digests", "tests")
IO_PACKAGES = (
    "slack_sdk",
    "slack_bolt",
    "httpx",
    "sqlite3",
    "sqlite_utils",
    "apscheduler",
    "starlette",
    "uvicorn",
)


def modules(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def starts(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def test_the_folders_exist_as_the_architecture_describes() -> None:
    for folder in (
        "digests/render",
        "bot/slack",
        "bot/github",
        "bot/store",
        "bot/services",
        "bot/runtime",
        "bot/ops",
    ):
        assert (ROOT / folder / "__init__.py").is_file(), folder
    top_level = {path.name for path in (ROOT / "bot").glob("*.py")}
    assert top_level == {"__init__.py", "config.py", "deps.py", "schedule.py"}


@pytest.mark.parametrize("path", modules("digests"), ids=rel)
def test_the_pure_core_imports_no_io_and_nothing_above_it(path: Path) -> None:
    for name in imported(path):
        assert not starts(name, "bot", "handlers", "tests", *IO_PACKAGES), f"{rel(path)}: {name}"


def test_the_vocabulary_imports_nothing_of_ours() -> None:
    path = ROOT / "digests" / "models.py"
    assert not [n for n in imported(path) if starts(n, *OURS)]


@pytest.mark.parametrize("path", modules("bot") + modules("handlers"), ids=rel)
def test_only_the_composition_root_imports_handlers(path: Path) -> None:
    if rel(path).startswith(("bot/runtime/", "handlers/")):
        return
    assert not [n for n in imported(path) if starts(n, "handlers")], rel(path)


@pytest.mark.parametrize("path", modules("bot") + modules("handlers") + modules("digests"), ids=rel)
def test_only_the_store_runs_sql(path: Path) -> None:
    if rel(path).startswith("bot/store/"):
        return
    assert not [n for n in imported(path) if starts(n, "sqlite3", "sqlite_utils")], rel(path)


EDGES = ("bot/slack/", "bot/github/", "bot/store/")


@pytest.mark.parametrize("path", modules("bot"), ids=rel)
def test_edges_and_services_never_import_upwards(path: Path) -> None:
    name = rel(path)
    if name.startswith(EDGES):
        forbidden: tuple[str, ...] = ("bot.services", "bot.runtime", "bot.ops", "handlers")
    elif name.startswith("bot/services/"):
        forbidden = ("bot.runtime", "bot.ops", "handlers")
    elif name in ("bot/config.py", "bot/deps.py", "bot/schedule.py"):
        forbidden = ("bot.slack", "bot.services", "bot.runtime", "bot.ops", "handlers")
    else:
        return
    assert not [n for n in imported(path) if starts(n, *forbidden)], name


@pytest.mark.parametrize("path", modules("handlers"), ids=rel)
def test_handlers_call_services_not_the_edges(path: Path) -> None:
    edges = ("bot.slack", "bot.github", "bot.store", "bot.runtime", "bot.ops")
    assert not [n for n in imported(path) if starts(n, *edges)], rel(path)


@pytest.mark.parametrize("path", modules("bot") + modules("handlers") + modules("digests"), ids=rel)
def test_nothing_ships_that_imports_the_tests(path: Path) -> None:
    assert not [n for n in imported(path) if starts(n, "tests", "benchmarks")], rel(path)


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
        now = datetime(2026, 11, 20, 9, tzinfo=UTC)
        with GitHubClient(settings, cache=store) as client:
            first = fetch_actions_billing(client, "acme", today=today, store=store, now=now)
        github.clear_requests()
        # A new process (a new client) with the same database: the closed months come from the
        # database, the running month is asked with its ETag and is a 304.
        with GitHubClient(settings, cache=store) as client:
            second = fetch_actions_billing(client, "acme", today=today, store=store, now=now)
        assert first.data == second.data and second.problem is None
        assert [r.status for r in github.requests] == [304]


# Imported when first needed, never by the server starting: the chart libraries (drawn in a
# child process), the matching ones (8.5 + 7 MB resident, only used comparing lines), and httpx
# with the CLI libraries it pulls in (only with GITHUB_TOKEN set, or for ci-report).
LAZY_LIBRARIES = (
    "matplotlib",
    "numpy",
    "rapidfuzz",
    "snowballstemmer",
    "holidays",
    "dateparser",
    "httpx",
    "rich",
)


def test_the_server_starts_without_the_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from bot.runtime import app, http, scheduler, serve, socket_mode\n"
        "from bot.ops import cli\n"
        f"print(','.join(sorted(m for m in {LAZY_LIBRARIES!r} if m in sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
