"""Conventions the docs keep: every command has help, the README names every command and setting,
its table matches Settings, and its troubleshooting repeats doctor's fixes word for word."""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.ops import doctor
from bot.ops.cli import build_parser, main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


@pytest.fixture(autouse=True)
def _keep_logging() -> Iterator[None]:
    """`main` installs its own root log handler; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def flat(text: str) -> str:
    """Whitespace-normalized, so wrapped lines still match."""
    return " ".join(text.split())


def commands(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], str | None, argparse.ArgumentParser]]:
    """(words, help, parser) for every command and subcommand, depth first."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, sub in action.choices.items():
                words = (*prefix, name)
                yield words, helps.get(name), sub
                yield from commands(sub, words)


def leaf_commands() -> list[tuple[str, ...]]:
    all_commands = list(commands(build_parser()))
    parents = {words[:-1] for words, _, _ in all_commands}
    return [words for words, _, _ in all_commands if words not in parents]


def test_every_command_and_option_has_help_text() -> None:
    found = list(commands(build_parser()))
    assert len(found) >= 8  # serve, digest (preview, post), export, demo, doctor, backup
    for words, help_text, sub in found:
        assert help_text and help_text.strip(), f"`{' '.join(words)}` has no help"
        for action in sub._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            assert action.help, f"`{' '.join(words)}` option {action.dest} has no help"


@pytest.mark.parametrize("words", leaf_commands(), ids=" ".join)
def test_help_prints_and_exits_zero(
    words: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*words, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: standup-bot {' '.join(words)}")


def test_readme_names_every_command() -> None:
    for words in leaf_commands():
        assert f"standup-bot {' '.join(words)}" in README, f"README misses {' '.join(words)}"


def readme_table_variables() -> list[str]:
    section = README[README.index("## Configuration") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", section, flags=re.MULTILINE)


def test_readme_table_lists_every_setting_and_only_settings() -> None:
    in_table = readme_table_variables()
    settings = [name.upper() for name in Settings.model_fields]
    assert sorted(in_table) == sorted(settings)
    assert len(in_table) == len(set(in_table))


def test_env_example_names_every_setting_and_loads(tmp_path: Path) -> None:
    example = (ROOT / ".env.example").read_text()
    for name in Settings.model_fields:
        assert re.search(rf"^#? ?{name.upper()}=", example, flags=re.MULTILINE), name
    settings = load_settings({}, env_file=ROOT / ".env.example")
    assert settings.standup_channel == "C0123ABCD"
    assert settings.repos == ("acme/api", "acme/web")


def test_readme_troubleshooting_repeats_doctor_word_for_word() -> None:
    text = flat(README[README.index("## Troubleshooting") :])
    fixes = {name: value for name, value in vars(doctor).items() if name.startswith("FIX_")}
    assert len(fixes) >= 15
    for name, fix in fixes.items():
        rendered = fix.format(bot="standup-bot", channel="standup", org="acme")
        assert flat(rendered) in text, f"README's troubleshooting lacks {name}: {rendered}"
    assert "-- fix:" in text  # how doctor's lines look


def test_readme_gives_the_setup_commands_ci_runs() -> None:
    assert "uv sync && uv run standup-bot demo" in README
    assert "uv run pytest\n" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^uv sync\b", ci, flags=re.MULTILINE)
    assert re.search(r"^uv run pytest\b", ci, flags=re.MULTILINE)


def test_readme_deploy_steps() -> None:
    deploy = flat(README[README.index("## Deploy to fly.io") : README.index("## Backups")])
    for step in (
        "fly launch --no-deploy",
        "fly volumes create standup_data --size 1",
        "fly secrets set SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=...",
        "fly deploy",
        "fly scale count 1",
        "exactly ONE machine",
        "/slack/events",
    ):
        assert step in deploy, step
    assert deploy.index("fly launch") < deploy.index("fly volumes") < deploy.index("fly deploy")


def test_readme_backups_mention_the_command_and_litestream() -> None:
    backups = README[README.index("## Backups") : README.index("## Troubleshooting")]
    assert "standup-bot backup " in backups
    assert "docs/litestream.yml" in backups
    assert (ROOT / "docs" / "litestream.yml").is_file()


def test_readme_relative_links_point_at_files() -> None:
    links = re.findall(r"\]\(([^)#]+)\)", README)
    relative = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert "docs/demo/ci-billing.png" in relative and "docs/demo/digest.md" in relative
    for link in relative:
        assert (ROOT / link).exists(), f"README links to {link}, which does not exist"


DEMO_DATE = "2026-11-30"


def test_docs_demo_is_what_the_demo_makes_today(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's picture of a digest is real: docs/demo is the demo's current output."""
    assert main(["demo", "--date", DEMO_DATE, "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    for name in ("digest.md", "blocks.json", "ci-report.md", "ci-usage.csv"):
        assert (tmp_path / name).read_text() == (ROOT / "docs" / "demo" / name).read_text(), (
            f"docs/demo/{name} is out of date: run "
            f"`uv run standup-bot demo --date {DEMO_DATE} --out docs/demo`"
        )
    # The charts are compared by kind, not bytes (fonts and matplotlib versions move pixels).
    for chart in ("ci-billing.png", "ci-by-repo.png"):
        assert (ROOT / "docs" / "demo" / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_readme_export_format_names_every_key_the_export_has(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bot.ops.export import build_export
    from bot.store import Store
    from digests.cycles import cycle_before, cycle_for_meeting
    from digests.models import Ask, Member, Person, Standup

    settings = load_settings({"STANDUP_DB": str(tmp_path / "s.db")}, env_file=None)
    cycle = cycle_for_meeting(settings.digest_schedule, date(2026, 11, 30))
    before = cycle_before(settings.digest_schedule, cycle)
    with Store(settings.standup_db) as store:
        team = [Member(user_id="U1", name="kevin"), Member(user_id="U3", name="mira")]
        store.save_members(team, team_ids=["U1", "U3"], now=before.starts_at)
        for user_id in ("U1", "U3"):  # last meeting's promises and blockers
            earlier = Standup(
                user_id=user_id,
                user_name=user_id,
                meeting_date=before.meeting_date,
                submitted_at=before.starts_at,
                next=("a",),
                blocked=("b",),
            )
            store.save_standup(earlier, now=earlier.submitted_at)
        ask = Ask(
            from_user_id="U1",
            to_user_id="U2",
            to_name="Hesham",
            text="review",
            meeting_date=cycle.meeting_date,
        )
        standup = Standup(
            user_id="U1",
            user_name="Kevin",
            meeting_date=cycle.meeting_date,
            submitted_at=datetime(2026, 11, 27, 14, tzinfo=UTC),
            done=("a",),
            asks=(ask,),
        )
        owner = Person(user_id="U2", name="Hesham")
        store.save_standup(standup, follow_ups=[(owner, "x")], now=standup.submitted_at)
        export = build_export(store, cycle, settings)
    section = README[README.index("## Export format") :]
    section = section[: section.index("\n## ", 1)]
    [exported_standup] = export["standups"]
    keys = set(export) | set(exported_standup) | set(exported_standup["asks"][0])
    keys |= set(export["follow_ups"][0])
    keys |= set(exported_standup["promises"][0]) | set(exported_standup["blockers_status"][0])
    keys |= set(export["promises_without_standup"][0])
    keys |= set(export["promises_without_standup"][0]["promises"][0])
    for key in sorted(keys):
        assert f'"{key}"' in section, f"README's export format lacks {key}"


def test_architecture_doc_names_every_package_folder() -> None:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    for package in ("bot", "handlers", "digests"):
        for init in sorted((ROOT / package).rglob("__init__.py")):
            folder = init.parent.relative_to(ROOT)
            assert f"{folder}/" in text, f"docs/ARCHITECTURE.md does not describe {folder}/"
