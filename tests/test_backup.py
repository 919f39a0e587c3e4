"""`standup-bot backup PATH` while the bot keeps writing: the copy is consistent and complete."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Settings
from bot.ops.cli import main
from bot.store import Store
from digests.models import Standup
from tests.factories import MEETING

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("STANDUP_DB", str(tmp_path / "live" / "standup.db"))
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def standup(number: int) -> Standup:
    return Standup(
        user_id=f"U{number:05d}",
        user_name=f"Person {number}",
        meeting_date=MEETING,
        submitted_at=NOW,
        done=(f"shipped thing {number}", "reviewed " + "x" * 200),
        next=(f"next thing {number}",),
    )


class Writer:
    """Saves standups through its own Store, one transaction each, until stopped."""

    def __init__(self, path: Path) -> None:
        self.store = Store(path)
        self.committed: list[str] = []  # user ids, appended once their transaction committed
        self.begun: list[str] = []  # user ids, appended before their transaction begins
        self.errors: list[BaseException] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="standup-writer")

    def _run(self) -> None:
        number = 0
        try:
            while not self._stop.is_set():
                self.begun.append(f"U{number:05d}")
                self.store.save_standup(standup(number), now=NOW)
                self.committed.append(f"U{number:05d}")
                number += 1
        except BaseException as error:  # reported by the test, not lost in the thread
            self.errors.append(error)

    def start(self, *, at_least: int) -> None:
        self._thread.start()
        while len(self.committed) < at_least and not self.errors:
            self._stop.wait(0.005)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.store.close()


def saved_user_ids(path: Path) -> set[str]:
    with Store(path) as copy:
        return {s.user_id for s in copy.get_standups(MEETING)}


def test_backup_during_writes_holds_every_row_committed_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "live" / "standup.db"
    writer = Writer(live)
    writer.start(at_least=200)
    copies = []
    try:
        for attempt in range(5):  # several backups land at different points of the writes
            before = set(writer.committed)
            destination = tmp_path / f"backup-{attempt}.db"
            assert main(["backup", str(destination)]) == 0
            begun_after = set(writer.begun)
            copies.append((destination, before, begun_after))
    finally:
        writer.stop()
    assert not writer.errors, writer.errors  # the writer was never refused a write

    assert f"backed up {live} to {tmp_path / 'backup-0.db'}" in capsys.readouterr().out
    for destination, before, begun_after in copies:
        with sqlite3.connect(destination) as check:
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        check.close()
        in_copy = saved_user_ids(destination)
        assert before <= in_copy, f"{len(before - in_copy)} committed rows missing"
        # ...and nothing the writer had not yet begun by the end of the backup.
        assert in_copy <= begun_after
        # Whole transactions only: every standup in the copy has all of its items.
        with Store(destination) as copy:
            assert all(len(s.done) == 2 and len(s.next) == 1 for s in copy.get_standups(MEETING))
    last_copy = copies[-1][0]
    with Store(last_copy) as copy:
        first = copy.get_standup("U00000", MEETING)
    assert first is not None and first.done[0] == "shipped thing 0"
    # The live database kept everything the writer committed.
    assert saved_user_ids(live) == set(writer.committed)


def test_backup_refuses_a_missing_database_and_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "live" / "standup.db"
    assert main(["backup", str(tmp_path / "copy.db")]) == 2
    assert "there is no database at" in capsys.readouterr().err
    assert not (tmp_path / "copy.db").exists()

    with Store(live) as store:
        store.save_standup(standup(1), now=NOW)
    assert main(["backup", str(live)]) == 2
    assert "the backup path is the live database itself" in capsys.readouterr().err
    assert saved_user_ids(live) == {"U00001"}
