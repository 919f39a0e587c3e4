"""The fault suite: Slack and GitHub failing during a digest, a crash mid-post, a restart across
the digest's time, a read-only or full disk, and 50 people submitting at once.

Run alone with `uv run pytest -m faults`; it is part of the normal run too. Only the far sides of
the wires are fake (FakeSlack, FakeGitHub, a tmpfs); the bot's code runs as it does in production,
in this process or as the real `standup-bot` command.

What "survives a fault" means here: every planned message of the digest is in Slack exactly once
(counted by the seq in its metadata; the chart by its completed upload) once the runs are over,
and a run that cannot finish stops with a clear error (a PostReport.error, a StoreError, the
modal's error) instead of an exception from deep inside (NoClearError when it is not).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.config import Settings, load_settings
from bot.deps import Deps
from bot.github import GitHubClient
from bot.github.transport import MAX_ATTEMPTS
from bot.services.digest import catch_up_missed_digest, run_digest
from bot.slack.client import SERVER_ERROR_RETRIES, create_web_client
from bot.slack.post import METADATA_EVENT, PostReport
from bot.store import Store, StoreError
from digests.cycles import cycle_for_meeting
from digests.models import Cycle, Person, Standup, UsageItem
from digests.parsing import form_from_standup
from digests.render.views import build_standup_view
from tests.factories import MEETING, all_text
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import UPLOAD, FakeMessage, FakeSlack
from tests.fakes.slack_payloads import fill_modal, reaction_event, view_submission
from tests.harness import (
    CHANNEL,
    PEOPLE,
    Clock,
    RunningBot,
    aligned_wall_clock,
    bot_environment,
    running_bot,
    seed_workspace,
    wait_for,
)

pytestmark = pytest.mark.faults

AT = datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC)  # 09:00:05 in Berlin: the digest is due
CLIENT_TIMEOUT = 1  # seconds, for the slow-Slack cases
SLOW = 1.3  # FakeSlack answers this late: past the client's timeout
BIN = str(Path(sys.executable).with_name("standup-bot"))


class NoClearError(Exception):
    """The invariants held, but a run ended with an exception instead of a clear error."""


def fail_unclear(outcomes: list[PostReport | BaseException]) -> None:
    raised = [o for o in outcomes if isinstance(o, BaseException)]
    if raised:
        error = raised[0]
        raise NoClearError(f"run_digest raised {type(error).__name__}: {error}") from error


# --- a small world: FakeSlack whose clock reads like the test's, a store, maybe GitHub ------------


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(wall_clock=aligned_wall_clock(AT)) as fake:
        seed_workspace(fake, PEOPLE)
        yield fake


def billing_items() -> list[UsageItem]:
    items = []
    for month, minutes in ((5, 150_000), (6, 198_000), (7, 170_000), (8, 140_000), (9, 120_000),
                           (10, 93_000), (11, 40_000)):  # fmt: skip
        gross = round(minutes * 0.006, 2)
        items.append(
            UsageItem(date=date(2026, month, 1), product="actions", sku="Actions Linux",
                      quantity=minutes, unit_type="minutes", price_per_unit=0.006,
                      gross_amount=gross, discount_amount=gross, net_amount=0.0,
                      organization_name="acme")
        )  # fmt: skip
    return items


@pytest.fixture(scope="module")
def shared_github() -> Iterator[FakeGitHub]:
    """Read-only GitHub for the Slack-fault cases that need a chart (tests that fault GitHub
    start their own)."""
    with FakeGitHub(now=AT) as fake:
        seed_github(fake)
        yield fake


def seed_github(fake: FakeGitHub) -> None:
    fake.add_repo("acme", "api")
    fake.add_pull("acme", "api", 12, title="Fix login", ci="success", review_decision="APPROVED")
    fake.add_pull("acme", "api", 13, title="Rate limits", ci="failure")
    fake.set_billing("acme", billing_items())


@dataclass
class World:
    settings: Settings
    deps: Deps
    client: WebClient
    slack: FakeSlack
    cycle: Cycle

    @property
    def store(self) -> Store:
        return self.deps.store

    def post(self, *, at: datetime = AT) -> PostReport | BaseException:
        """One digest run, as the scheduler makes it; an exception is returned, not raised."""
        try:
            return run_digest(self.deps, self.client, now=at, cycle=self.cycle, pace_seconds=0)
        except Exception as error:
            return error


@contextlib.contextmanager
def digest_world(
    slack: FakeSlack,
    tmp_path: Path,
    github: FakeGitHub | None = None,
    *,
    github_client: dict[str, Any] | None = None,
    follow_ups: bool = True,
) -> Iterator[World]:
    """Two standups (three follow-ups, unless not wanted) for the meeting, the team in Slack,
    GitHub if given; a WebClient built by bot.runtime.app with a short timeout."""
    extra = {}
    if github is not None:
        extra = {
            "GITHUB_TOKEN": github.token,
            "GITHUB_API_URL": github.url,
            "GITHUB_REPOS": "acme/api",
            "GITHUB_ORG": "acme",
        }
    settings = load_settings(bot_environment(slack, tmp_path, **extra), env_file=None)
    cycle = cycle_for_meeting(settings.digest_schedule, MEETING)
    with Store(settings.standup_db) as store:
        save_standups(store, cycle, follow_ups=follow_ups)
        client_github = None
        if github is not None:
            client_github = GitHubClient(settings, cache=store, **(github_client or {}))
        try:
            deps = Deps(settings=settings, store=store, github=client_github, clock=lambda: AT)
            client = create_web_client(settings)
            client.timeout = CLIENT_TIMEOUT
            yield World(settings=settings, deps=deps, client=client, slack=slack, cycle=cycle)
        finally:
            if client_github is not None:
                client_github.close()


def save_standups(store: Store, cycle: Cycle, *, follow_ups: bool = True) -> None:
    submitted = cycle.ends_at - timedelta(days=2)
    kevins: list[tuple[Person | None, str]] = [
        (None, "book the retro room"),
        (Person(user_id="U3", name="Mira"), "write the runbook"),
    ]
    heshams: list[tuple[Person | None, str]] = [(None, "rotate the deploy key")]
    store.save_standup(
        Standup(user_id="U1", user_name="Kevin", meeting_date=cycle.meeting_date,
                submitted_at=submitted, done=("merged acme/api#12",), blocked=("staging creds",)),
        follow_ups=kevins if follow_ups else [],
        now=submitted,
    )  # fmt: skip
    store.save_standup(
        Standup(user_id="U2", user_name="Hesham", meeting_date=cycle.meeting_date,
                submitted_at=submitted, done=("reviewed #13",)),
        follow_ups=heshams if follow_ups else [],
        now=submitted,
    )  # fmt: skip


# --- what Slack holds -----------------------------------------------------------------------------


def bot_messages(slack: FakeSlack, channel: str = CHANNEL) -> list[FakeMessage]:
    """The bot's messages in the channel and in every thread there."""
    found = []
    for root in slack.messages(channel):
        found.extend(slack.thread(channel, root.ts) or [root])
    return [m for m in found if m.user == slack.bot_user_id]


def seq_counts(slack: FakeSlack, digest_id: int, channel: str = CHANNEL) -> Counter[int]:
    counts: Counter[int] = Counter()
    for message in bot_messages(slack, channel):
        metadata = message.metadata or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == METADATA_EVENT and payload.get("digest") == digest_id:
            counts[int(payload["seq"])] += 1
    return counts


def assert_every_message_once(world: World, digest_id: int) -> None:
    plan = world.store.get_digest_plan(digest_id)
    texts = [message.seq for message, _, _ in plan if not message.file_name]
    charts = Counter(message.file_name for message, _, _ in plan if message.file_name)
    assert seq_counts(world.slack, digest_id) == Counter(texts), "a message is missing or doubled"
    shared = Counter(f.name for f in world.slack.uploaded_files if f.completed and f.name in charts)
    assert shared == charts, f"{shared} charts shared for {charts} planned"
    assert all(ts is not None for _, ts, _ in plan), "the plan does not know every message"
    info = world.store.get_digest_info(digest_id)
    assert info["finished_at"] is not None


def settle(slack: FakeSlack) -> None:
    """Wait until every call FakeSlack took has been answered (a slow answer lands late)."""
    wait_for(lambda: all(c.status is not None for c in list(slack.calls)), what="late answers")


def run_until_done(world: World, runs: int = 3) -> list[PostReport | BaseException]:
    outcomes: list[PostReport | BaseException] = []
    for _ in range(runs):
        outcome = world.post()
        outcomes.append(outcome)
        settle(world.slack)  # the next run comes later than any answer still on its way
        if isinstance(outcome, PostReport) and outcome.ok:
            break
    return outcomes


# --- Slack failing on each kind of call the digest makes ------------------------------------------

SLACK_FAULTS: dict[str, dict[str, Any]] = {
    "429": {"status": 429, "retry_after": 1},
    "500": {"status": 500},
    "500-past-retries": {"status": 500, "times": SERVER_ERROR_RETRIES + 1},
    "slow": {"delay": SLOW},
}
CHART_CALLS = ("files.getUploadURLExternal", UPLOAD, "files.completeUploadExternal")


def _slack_cases() -> Iterator[Any]:
    calls = ("chat.postMessage", *CHART_CALLS, "conversations.members", "users.list")
    for call in calls:
        for fault in SLACK_FAULTS:
            if fault == "500-past-retries" and call not in ("chat.postMessage", "users.list"):
                continue  # the same path as these two; keeps the suite short (uploads: no retry)
            yield pytest.param(call, fault, id=f"{call}-{fault}")


@pytest.mark.parametrize(("call", "fault"), list(_slack_cases()))
def test_slack_failing_during_a_digest_still_posts_every_message_once(
    slack: FakeSlack, shared_github: FakeGitHub, tmp_path: Path, call: str, fault: str
) -> None:
    github = shared_github if call in CHART_CALLS else None
    with digest_world(slack, tmp_path, github) as world:
        slack.fail_next(call, **SLACK_FAULTS[fault])
        outcomes = run_until_done(world)
        final = outcomes[-1]
        assert isinstance(final, PostReport) and final.ok, f"never finished: {outcomes}"
        faulted = [c for c in slack.calls if c.method == call]
        assert faulted, f"the digest never called {call}"
        assert_every_message_once(world, final.digest_id)
        for outcome in outcomes[:-1]:  # a run that stopped said why, in words
            if isinstance(outcome, PostReport):
                assert outcome.error and "Slack" in outcome.error, outcome
        # A later run posts nothing more.
        posts = len(slack.calls_to("chat.postMessage"))
        again = world.post()
        assert isinstance(again, PostReport) and again.ok and again.posted == 0
        assert len(slack.calls_to("chat.postMessage")) == posts
        if fault in ("429", "500") and call != UPLOAD:
            # slack-sdk's retry handlers absorb these: one run, no resume needed.
            assert len(outcomes) == 1, outcomes
        fail_unclear(outcomes)


def test_members_unavailable_falls_back_to_the_cached_team(
    slack: FakeSlack, tmp_path: Path
) -> None:
    with digest_world(slack, tmp_path) as world:
        first = world.post()  # refreshes the team into the store
        assert isinstance(first, PostReport) and first.ok
        next_week = MEETING + timedelta(days=7)
        world.cycle = cycle_for_meeting(world.settings.digest_schedule, next_week)
        slack.fail_next("conversations.members", error="internal_error")
        report = world.post(at=AT + timedelta(days=7))
        assert isinstance(report, PostReport) and report.ok, report
        main = slack.messages(CHANNEL)[-1]
        # Nobody sent a standup this week: the cached team is listed as not yet reported
        # (without it the digest would say there is nobody on the team).
        assert "Not yet (4)" in block_text(main) and "Kevin" in block_text(main)


@pytest.mark.parametrize(
    "fault",
    [
        "429",
        "500",
        "slow",
    ],
)
def test_slack_failing_on_a_reactions_chat_update_still_closes_the_follow_up(
    slack: FakeSlack, tmp_path: Path, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    with running_bot(slack, tmp_path, clock=Clock(AT)) as bot:
        cycle = cycle_for_meeting(bot.settings.digest_schedule, MEETING)
        save_standups(bot.store, cycle)
        report = run_digest(bot.deps, bot.client, now=AT, cycle=cycle, pace_seconds=0)
        assert report.ok
        follow_up = next(
            f for f in bot.store.get_open_follow_ups() if f.text == "write the runbook"
        )
        reacted_ts = follow_up.ts
        assert reacted_ts is not None
        bot.client.timeout = CLIENT_TIMEOUT  # Bolt copies it into each request's client
        slack.fail_next("chat.update", **SLACK_FAULTS[fault])
        response = bot.send(
            reaction_event(user="U3", reaction="white_check_mark", channel=CHANNEL, ts=reacted_ts)
        )
        assert response.status_code == 200
        wait_for(
            lambda: (bot.store.get_follow_up(follow_up.id) or follow_up).status == "done",
            what="the follow-up closed",
        )
        message = wait_for(
            lambda: (m := slack.find_message(CHANNEL, reacted_ts)) and m.edited and m,
            timeout=10,
            what="the follow-up's message updated",
        )
        settle(slack)
        assert "Done by <@U3>" in block_text(message), block_text(message)
        updates = slack.calls_to("chat.update")
        # 429 and 500 are retried by slack-sdk; a timeout is not (Slack applied it late).
        assert len(updates) == (1 if fault == "slow" else 2), [u.status for u in updates]
        listener_errors = [
            r for r in caplog.records if r.name.startswith("slack_bolt") and r.levelname == "ERROR"
        ]
        if listener_errors:
            raise NoClearError(listener_errors[0].getMessage())


def block_text(message: FakeMessage) -> str:
    return " ".join(all_text(message.blocks or [])) + " " + message.text


# --- GitHub failing during a digest ---------------------------------------------------------------


GITHUB_FAULTS: dict[str, tuple[dict[str, Any], list[str]]] = {
    # inject() arguments, and words the main message must carry
    "5xx": (
        {"kind": "server_error", "path": "/graphql", "status": 502, "times": 100},
        ["PR board", "HTTP 502", f"after {MAX_ATTEMPTS} tries"],
    ),
    "hang": (
        {"kind": "hang", "path": "/graphql", "delay": 3.0, "times": 100},
        ["PR board", "did not answer in time"],
    ),
    "rate-limit": (
        {"kind": "rate_limited", "path": "/organizations", "times": 100},
        ["CI minutes", "rate limit exhausted until"],
    ),
    "graphql-rate-limit": (
        {"kind": "graphql_rate_limited", "path": "/graphql", "times": 100},
        ["PR board", "rate limit exhausted until"],
    ),
}


@pytest.mark.parametrize("fault", list(GITHUB_FAULTS))
def test_github_failing_during_a_digest_still_posts_and_says_what_is_missing(
    slack: FakeSlack, tmp_path: Path, fault: str
) -> None:
    arguments, words = GITHUB_FAULTS[fault]
    waits: list[float] = []
    with FakeGitHub(now=AT) as github:
        seed_github(github)
        github.reset_at = int(time.time()) + 3600  # beyond max_wait: the bot must not wait it out
        github.inject(**arguments)
        client_options = {"timeout": 0.2, "max_wait": 5.0, "sleep": waits.append}
        with digest_world(slack, tmp_path, github, github_client=client_options) as world:
            report = world.post()
            assert isinstance(report, PostReport) and report.ok, report
            assert_every_message_once(world, report.digest_id)
            main = next(m for m in bot_messages(slack) if not m.is_reply)
            text = block_text(main)
            for word in words:
                assert word in text, f"{word!r} not in the main message:\n{text}"
            assert all(wait <= 5.0 for wait in waits), waits  # never past max_wait
            # The rest of the digest is there: the standups and the follow-ups.
            everything = " ".join(block_text(m) for m in bot_messages(slack))
            assert "staging creds" in everything and "write the runbook" in everything


# --- SIGKILL while posting, then a re-run ---------------------------------------------------------


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=60
    )


def test_sigkill_while_posting_then_a_rerun_posts_every_message_exactly_once(
    tmp_path: Path,
) -> None:
    with FakeSlack() as slack:
        seed_workspace(slack, PEOPLE)
        slack.rate_limit_posts(1.0, burst=3)
        env = bot_environment(slack, tmp_path)
        settings = load_settings(env, env_file=None)
        # A fixed meeting, named by --date: the command's own clock decides nothing here.
        cycle = cycle_for_meeting(settings.digest_schedule, MEETING)
        submitted = cycle.ends_at - timedelta(days=1)
        with Store(settings.standup_db) as store:
            store.save_standup(
                Standup(user_id="U1", user_name="Kevin", meeting_date=cycle.meeting_date,
                        submitted_at=submitted, done=("shipped it",)),
                follow_ups=[(None, f"follow-up number {n}") for n in range(3)],
                now=submitted,
            )  # fmt: skip
        args = ("digest", "post", "--date", cycle.meeting_date.isoformat())
        proc = subprocess.Popen(
            [BIN, *args], env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )

        def posted() -> list[Any]:
            return [call for call in slack.calls_to("chat.postMessage") if call.ok]

        try:
            wait_for(lambda: len(posted()) >= 2, timeout=20, what="two messages in Slack")
            # The third message: Slack takes it but answers late, and the process dies waiting,
            # so Slack has it and the plan has no ts for it (the window a crash can hit).
            slack.fail_next("chat.postMessage", delay=1.0)
            wait_for(lambda: len(slack.calls_to("chat.postMessage")) >= 3, timeout=10,
                     what="the third post")  # fmt: skip
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=10) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for stream in (proc.stdout, proc.stderr):
                assert stream is not None
                stream.close()
        wait_for(lambda: len(posted()) >= 3, what="the late third message")
        landed = len(posted())

        second = run_cli(env, *args)
        assert second.returncode == 0, second.stdout + second.stderr
        summary = re.search(r"(\d+) messages posted, (\d+) already in Slack", second.stdout)
        assert summary is not None, second.stdout
        # What landed before the kill (the late third one too) is found, not posted again.
        assert int(summary[2]) == landed
        with Store(settings.standup_db) as store:
            digest_id = store.get_digest_id(CHANNEL, cycle.meeting_date)
            assert digest_id is not None
            plan = store.get_digest_plan(digest_id)
        counts = seq_counts(slack, digest_id)
        assert counts == Counter(m.seq for m, _, _ in plan), counts
        assert len(plan) == 5 and all(ts is not None for _, ts, _ in plan)
        assert int(summary[1]) + int(summary[2]) == len(plan)
        assert len(posted()) == len(plan) >= landed

        third = run_cli(env, *args)
        assert third.returncode == 0, third.stderr
        assert "0 messages posted" in third.stdout
        assert len(posted()) == len(plan)


# --- a restart across the digest's time -----------------------------------------------------------


@pytest.mark.parametrize(
    ("late", "posted"), [(timedelta(hours=2), True), (timedelta(hours=13), False)]
)
def test_a_restart_catches_up_a_missed_digest_once_within_twelve_hours(
    slack: FakeSlack, tmp_path: Path, late: timedelta, posted: bool
) -> None:
    # catch_up_missed_digest posts at the production pace (1 message/s): a short digest.
    with digest_world(slack, tmp_path, follow_ups=False) as world:
        now = world.cycle.ends_at + late
        first = catch_up_missed_digest(world.deps, world.client, now=now)
        second = catch_up_missed_digest(world.deps, world.client, now=now)
        roots = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id]
        if posted:
            assert first is not None and first.ok and first.posted > 0
            assert second is None
            assert len(roots) == 1
            assert_every_message_once(world, first.digest_id)
        else:
            assert first is None and second is None
            assert roots == [] and slack.calls_to("chat.postMessage") == []


def test_a_restart_after_a_partly_posted_digest_finishes_it(
    slack: FakeSlack, tmp_path: Path
) -> None:
    with digest_world(slack, tmp_path, follow_ups=False) as world:
        slack.fail_next("chat.postMessage", error="not_in_channel", times=1)
        stopped = world.post()
        assert isinstance(stopped, PostReport) and stopped.error and "invite" in stopped.error
        report = catch_up_missed_digest(world.deps, world.client, now=AT + timedelta(hours=1))
        assert report is not None and report.ok
        assert_every_message_once(world, report.digest_id)
        assert catch_up_missed_digest(world.deps, world.client, now=AT + timedelta(hours=2)) is None


# --- a read-only or full disk ---------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs at `path` (root only; room for the schema and its WAL); always unmounted
    afterwards."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs (CI runs as root)")
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        remount(path, "rw")
        if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(path)], check=True)


def remount(path: Path, mode: str) -> None:
    result = subprocess.run(
        ["mount", "-o", f"remount,{mode}", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@contextlib.contextmanager
def disk_filled(directory: Path) -> Iterator[None]:
    """Fill the disk holding `directory` until the kernel says no space; free it afterwards."""
    filler = directory / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(descriptor, b"\0" * 4096)
    finally:
        os.close(descriptor)
    assert os.statvfs(directory).f_bavail == 0
    try:
        yield
    finally:
        filler.unlink()


def standup(user_id: str, *items: str) -> Standup:
    return Standup(
        user_id=user_id,
        user_name=user_id,
        meeting_date=MEETING,
        submitted_at=AT - timedelta(days=1),
        done=items or tuple(f"item {n}: " + "words " * 40 for n in range(6)),
    )


def test_a_full_disk_is_a_clear_store_error_and_loses_nothing(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk, Store(disk / "standup.db") as store:
        store.save_standup(standup("U1", "kept"), now=AT)
        with disk_filled(disk):
            with pytest.raises(StoreError, match="full"):
                store.save_standup(standup("U2"), now=AT)
            kept = store.get_standup("U1", MEETING)
            assert kept is not None and kept.done == ("kept",)
            assert store.get_standup("U2", MEETING) is None  # nothing half-written
        store.save_standup(standup("U2"), now=AT)  # space again: it works
        assert {s.user_id for s in store.get_standups(MEETING)} == {"U1", "U2"}


def test_a_read_only_disk_is_a_clear_store_error_and_loses_nothing(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        with Store(disk / "standup.db") as store:
            store.save_standup(standup("U1", "kept"), now=AT)
            store.close()  # a read-only remount waits for files open for writing to close
            remount(disk, "ro")
            try:
                store.save_standup(standup("U2"), now=AT)
                outcome: BaseException | None = None
            except Exception as error:
                outcome = error
            remount(disk, "rw")
            kept = store.get_standup("U1", MEETING)
            assert kept is not None and kept.done == ("kept",)
            assert store.get_standup("U2", MEETING) is None
            # The same thread writes again once the disk is writable: the connection SQLite
            # opened read-only during the fault must not be the one it gets.
            store.save_standup(standup("U2"), now=AT)
            assert store.get_standup("U2", MEETING) is not None
        check_store_error(outcome, "read-only")


def check_store_error(outcome: BaseException | None, words: str) -> None:
    assert outcome is not None, "the write went through a read-only disk"
    if not isinstance(outcome, StoreError) or words not in str(outcome):
        raise NoClearError(f"{type(outcome).__name__}: {outcome}")


def submit(bot: RunningBot, user_id: str, answers: dict[str, str]) -> Any:
    form = form_from_standup(None, follow_ups=[])
    view = build_standup_view(form, meeting_date=MEETING, editing=False)
    view = {**view, "id": f"V{user_id}{time.monotonic_ns()}"}
    return bot.send(view_submission(view, fill_modal(view, answers), user_id=user_id))


def submission_errors(response: Any) -> dict[str, str] | None:
    if not response.content or response.content in (b"{}",):
        return None
    body = response.json()
    return body.get("errors") if body.get("response_action") == "errors" else None


@pytest.mark.parametrize(
    "disk_fault",
    [
        "full",
        "read-only",
    ],
)
def test_a_standup_submitted_during_a_disk_fault_gets_the_modals_error(
    slack: FakeSlack, tmp_path: Path, disk_fault: str
) -> None:
    with small_disk(tmp_path / "disk") as disk:
        with running_bot(slack, tmp_path, clock=Clock(AT - timedelta(days=1)),
                         STANDUP_DB=str(disk / "standup.db")) as bot:  # fmt: skip
            assert submission_errors(submit(bot, "U1", {"Done": "kept"})) is None
            wait_for(lambda: bot.store.get_standup("U1", MEETING), what="the first standup")
            faulted = contextlib.ExitStack()
            if disk_fault == "full":
                faulted.enter_context(disk_filled(disk))
            else:
                bot.deps.finish_work()  # the first submission's DMs, done after its ack
                bot.store.close()  # open files keep a remount from going read-only
                remount(disk, "ro")
                faulted.callback(remount, disk, "rw")
            with faulted:
                response = submit(bot, "U2", {"Done": "during the fault"})
                status = response.status_code
                errors = submission_errors(response) if status == 200 else None
            kept = bot.store.get_standup("U1", MEETING)
            assert kept is not None and kept.done == ("kept",)
            assert bot.store.get_standup("U2", MEETING) is None
            # Once the disk is fine again, the same person submits and it is stored.
            assert submission_errors(submit(bot, "U2", {"Done": "after the fault"})) is None
            wait_for(lambda: bot.store.get_standup("U2", MEETING), what="the resubmission")
            wait_for(lambda: len(slack.messages(slack.dm_channel_id("U2"))) >= 1,
                     what="the confirmation DM")  # fmt: skip
        if status != 200 or not errors or "could not be saved" not in " ".join(errors.values()):
            raise NoClearError(f"HTTP {status}, errors {errors}: {response.text[:300]}")


# --- 50 people at once ----------------------------------------------------------------------------


def test_fifty_people_submitting_at_once_are_all_stored(tmp_path: Path) -> None:
    people = [(f"U{n:03d}", f"person{n}", f"Person Number{n}") for n in range(50)]
    with FakeSlack() as slack:
        seed_workspace(slack, people)
        with running_bot(slack, tmp_path, clock=Clock(AT - timedelta(days=1))) as bot:
            start = threading.Barrier(len(people))

            def one(user_id: str) -> Any:
                start.wait(timeout=10)
                return submit(bot, user_id, {"Done": f"work of {user_id}", "Next": "more"})

            with ThreadPoolExecutor(max_workers=len(people)) as pool:
                responses = list(pool.map(one, [p[0] for p in people]))
            assert [r.status_code for r in responses] == [200] * len(people)
            assert [submission_errors(r) for r in responses] == [None] * len(people)
            stored = bot.store.get_standups(MEETING)
            assert sorted(s.user_id for s in stored) == [p[0] for p in people]
            assert all(s.done == (f"work of {s.user_id}",) for s in stored)
            # Each gets one confirmation (the listeners finish after the acks).
            wait_for(
                lambda: all(slack.messages(slack.dm_channel_id(p[0])) for p in people),
                timeout=30,
                what="50 confirmations",
            )
            assert all(len(slack.messages(slack.dm_channel_id(p[0]))) == 1 for p in people)
