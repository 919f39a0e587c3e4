"""Search and range export end to end: standups submitted over signed requests, `/standup
search` answered by response_url (the fake records it), "More" paging by the button, the CLI's
`search` and `export --from --to` in every format, and the index built by the migration."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.ops.cli import main
from bot.store import Store
from bot.store.schema import MIGRATIONS, statements
from digests.models import SearchQuery
from digests.render import action_ids
from tests.factories import all_text
from tests.fakes.slack import FakeSlack
from tests.fakes.slack_payloads import block_action, slash_command
from tests.harness import Clock, RunningBot, bot_environment, running_bot, submit_standup, wait_for

EVIL = "<!channel> <@U2> &"
LAST_WEEK = date(2026, 11, 23)
THIS_WEEK = date(2026, 11, 30)


@pytest.fixture
def bot(slack: FakeSlack, tmp_path: Path) -> Iterator[RunningBot]:
    with running_bot(slack, tmp_path, clock=Clock(datetime(2026, 11, 19, 12, tzinfo=UTC))) as bot:
        submit_standup(
            bot, "U1", {"Done": f"deployed the api {EVIL}", "Next": "tests"}, meeting=LAST_WEEK
        )
        bot.clock.current = datetime(2026, 11, 26, 12, tzinfo=UTC)
        submit_standup(
            bot,
            "U1",
            {"Done": "wrote docs", "Blocked": "deploy keys expired", "Asks": "@hesham deploy it"},
        )
        submit_standup(bot, "U2", {"Done": "deploying web", "Follow-ups": "check deployments"})
        yield bot


def search(bot: RunningBot, text: str, user_id: str = "U3") -> dict[str, Any]:
    """/standup search …, and the ephemeral answer posted to its response_url."""
    url = bot.slack.response_url()
    response = bot.send(slash_command(text=f"search {text}", user_id=user_id, response_url=url))
    assert response.status_code == 200
    return wait_for(lambda: answer_to(bot.slack, url), what="the search answer")


def answer_to(slack: FakeSlack, url: str) -> dict[str, Any] | None:
    found = [payload for to, payload in slack.responses if to == url]
    return found[-1] if found else None


def hit_lines(answer: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in answer.get("blocks", [])[1:] if b["type"] == "section"]


def test_search_finds_stemmed_words_best_first_and_escapes(bot: RunningBot) -> None:
    answer = search(bot, "deploying")
    assert answer["response_type"] == "ephemeral"
    lines = hit_lines(answer)
    assert len(lines) == 4  # deployed, deploy (blocked, ask), deploying
    assert any(
        line.startswith("*Kevin* · Mon 23 Nov 2026 · Done\n*deployed* the api") for line in lines
    )
    assert any("· Blocked\n*deploy* keys expired" in line for line in lines)
    assert any("· Ask\n" in line for line in lines)
    # Porter stems "deployments" to "deploy" but "deploying" to "deploi": found by its own.
    follow_ups = hit_lines(search(bot, "deployment"))
    assert follow_ups == ["*Hesham* · Mon 30 Nov 2026 · Follow-up\ncheck *deployments*"]
    text = json.dumps(answer)
    assert "&lt;!channel&gt; &lt;@U2&gt; &amp;" in text
    assert "<!channel>" not in text and "<@U2>" not in text


def test_search_honours_person_and_dates(bot: RunningBot) -> None:
    by_kevin = hit_lines(search(bot, "deploy @kevin"))
    assert by_kevin and all(line.startswith("*Kevin*") for line in by_kevin)
    this_week = hit_lines(search(bot, "deploy since 2026-11-24"))
    assert this_week and all("Mon 30 Nov 2026" in line for line in this_week)
    last_week = hit_lines(search(bot, "deploy until nov 29"))
    assert [line.split("\n")[0] for line in last_week] == ["*Kevin* · Mon 23 Nov 2026 · Done"]
    heading = search(bot, "deploy @kevin since 2026-11-24")["blocks"][0]["text"]["text"]
    assert "“deploy” by Kevin since Tue 24 Nov 2026" in heading


def test_search_finds_an_edited_standup_by_its_new_text(bot: RunningBot) -> None:
    submit_standup(bot, "U2", {"Done": "shipped web", "Follow-ups": "check deployments"})
    assert not any("shipped" in line for line in hit_lines(search(bot, "deploying")))
    assert any("*shipped* web" in line for line in hit_lines(search(bot, "shipping")))
    assert [line.split("\n")[1] for line in hit_lines(search(bot, "web"))] == ["shipped *web*"]


def test_search_problems_are_answered(bot: RunningBot) -> None:
    assert "anyone called “@nobody”" in search(bot, "deploy @nobody")["text"]
    assert "Nothing found for “kubernetes”" in search(bot, "kubernetes")["text"]


def test_more_pages_through_the_results(bot: RunningBot) -> None:
    lines = "\n".join(f"release step {n}" for n in range(13))
    submit_standup(bot, "U3", {"Done": lines})
    first = search(bot, "release")
    assert len(hit_lines(first)) == 10
    more = next(b for b in first["blocks"] if b["type"] == "actions")["elements"][0]
    assert more["action_id"] == action_ids.SEARCH_MORE
    url = bot.slack.response_url()
    click = block_action(
        action_ids.SEARCH_MORE, value=more["value"], user_id="U3", response_url=url
    )
    assert bot.send(click).status_code == 200
    second = wait_for(lambda: answer_to(bot.slack, url), what="the second page")
    assert second["replace_original"] is True
    assert len(hit_lines(second)) == 3
    assert "Matches 11–13" in second["text"]
    assert not any(b["type"] == "actions" for b in second["blocks"])
    shown = {line.split("\n")[1] for line in [*hit_lines(first), *hit_lines(second)]}
    assert len(shown) == 13  # every match once


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def cli_env(bot: RunningBot, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in bot_environment(slack, bot.settings.standup_db.parent).items():
        monkeypatch.setenv(key, value)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out


def test_cli_search_in_both_formats(
    bot: RunningBot, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    found = json.loads(run(["search", "deploying", "--user", "kevin", "--format", "json"], capsys))
    assert {hit["user_id"] for hit in found["hits"]} == {"U1"}
    assert {hit["field"] for hit in found["hits"]} == {"done", "blocked", "ask"}
    dated = json.loads(run(["search", "deploy", "--to", "2026-11-29", "--format", "json"], capsys))
    assert [hit["meeting_date"] for hit in dated["hits"]] == ["2026-11-23"]
    markdown = run(["search", "deploying", "--from", "2026-11-24"], capsys)
    assert markdown.startswith("# Search: “deploying” since 2026-11-24")
    assert "- **Hesham** · 2026-11-30 · Done: **deploying** web" in markdown
    assert main(["search", "x", "--user", "nobody"]) == 2


def test_range_export_in_all_three_formats(
    bot: RunningBot, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    export = json.loads(run(["export", "--from", "2026-11-01", "--to", "2026-11-30"], capsys))
    assert (export["from"], export["to"]) == ("2026-11-01", "2026-11-30")
    assert [(s["meeting_date"], s["user_id"]) for s in export["standups"]] == [
        ("2026-11-23", "U1"),
        ("2026-11-30", "U1"),
        ("2026-11-30", "U2"),
    ]
    assert export["standups"][0]["done"] == [f"deployed the api {EVIL}"]
    assert [f["text"] for f in export["follow_ups"]] == ["check deployments"]

    kevin = json.loads(
        run(["export", "--from", "2026-11-24", "--to", "2026-11-30", "--user", "kevin"], capsys)
    )
    assert [(s["meeting_date"], s["user_id"]) for s in kevin["standups"]] == [("2026-11-30", "U1")]

    rows = list(
        csv.DictReader(
            io.StringIO(
                run(
                    ["export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "csv"],
                    capsys,
                )  # fmt: skip
            )
        )
    )
    assert rows[0] == {
        "meeting_date": "2026-11-23",
        "user_id": "U1",
        "user_name": "Kevin",
        "field": "done",
        "text": f"deployed the api {EVIL}",
        "person": "",
        "status": "",
        "at": "2026-11-19T12:00:00+00:00",
    }
    assert {row["field"] for row in rows} == {"done", "next", "blocked", "ask", "follow_up"}

    markdown = run(
        ["export", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "md"], capsys
    )
    assert markdown.startswith("# Standups 2026-11-01 to 2026-11-30\n")
    assert "## Standup — 2026-11-23" in markdown and "## Standup — 2026-11-30" in markdown
    assert "- [ ] check deployments — Hesham (2026-11-30)" in markdown

    assert main(["export", "--from", "2026-11-30", "--to", "2026-11-01"]) == 2
    assert main(["export", "--format", "csv"]) == 2


# --- the index itself ---------------------------------------------------------------------------


def test_the_migration_indexes_what_was_written_before_it(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    for number, script in enumerate(MIGRATIONS[:2], start=1):
        for statement in statements(script):
            old.execute(statement)
        old.execute(f"PRAGMA user_version = {number}")
    old.execute(
        "INSERT INTO standups (id, user_id, user_name, meeting_date, submitted_at, updated_at) "
        "VALUES (1, 'U1', 'Kevin', '2026-11-30', '2026-11-26T12:00:00+00:00', "
        "'2026-11-26T12:00:00+00:00')"
    )
    old.execute("INSERT INTO standup_items VALUES (1, 'done', 0, 'migrated the databases')")
    old.commit()
    old.close()
    with Store(path) as store:
        page = store.search(SearchQuery(words="migrating database"))
        assert [(h.user_id, h.field, h.text) for h in page.hits] == [
            ("U1", "done", "migrated the databases")
        ]
        assert store.rebuild_search_index() < 10
        assert store.count_search_documents() == 1


def test_the_index_follows_deletions(bot: RunningBot) -> None:
    store = bot.store
    assert store.search(SearchQuery(words="deployments")).hits
    # What a retention job would do: drop a whole standup (its lines go by ON DELETE CASCADE).
    other = sqlite3.connect(bot.settings.standup_db)
    other.execute("PRAGMA foreign_keys = ON")
    with other:
        other.execute("DELETE FROM follow_ups")
        other.execute("DELETE FROM standups WHERE user_id = 'U2'")
    other.close()
    assert not store.search(SearchQuery(words="deployments")).hits
    assert not store.search(SearchQuery(words="web")).hits
    assert " ".join(all_text([h.model_dump() for h in store.search(SearchQuery(words="api")).hits]))
