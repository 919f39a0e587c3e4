"""The Monday digest end to end: standups submitted over signed requests, GitHub from the loopback
fake, the digest planned and posted to FakeSlack exactly once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.github import GitHubClient
from bot.ops.cli import main
from bot.services.digest import catch_up_missed_digest, run_digest
from bot.slack.post import METADATA_EVENT, PostReport
from digests.cycles import cycle_for_meeting
from digests.models import UsageItem
from tests.factories import MEETING, all_text
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeMessage, FakeSlack
from tests.harness import (
    CHANNEL,
    RunningBot,
    bot_environment,
    running_bot,
    submit_standup,
    wait_for,
)

AFTER_DIGEST = datetime(2026, 11, 30, 8, 0, 5, tzinfo=UTC)  # 09:00:05 in Berlin


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(now=datetime(2026, 11, 29, tzinfo=UTC)) as fake:
        fake.add_repo("acme", "api")
        fake.add_pull(
            "acme",
            "api",
            12,
            title="Fix login <!here>",
            ci="success",
            review_decision="APPROVED",
            author="kortiz",
        )
        fake.add_pull(
            "acme",
            "api",
            13,
            title="Rate limits",
            ci="failure",
            review_decision="REVIEW_REQUIRED",
            author="hali",
        )
        fake.set_billing("acme", billing_items())
        yield fake


def billing_items() -> list[UsageItem]:
    items = []
    for month, minutes in (
        (5, 150_000),
        (6, 198_000),
        (7, 170_000),
        (8, 140_000),
        (9, 120_000),
        (10, 93_000),
        (11, 40_000),
    ):
        gross = round(minutes * 0.006, 2)
        items.append(
            UsageItem(
                date=date(2026, month, 1),
                product="actions",
                sku="Actions Linux",
                quantity=minutes,
                unit_type="minutes",
                price_per_unit=0.006,
                gross_amount=gross,
                discount_amount=gross,
                net_amount=0.0,
                organization_name="acme",
            )
        )
    return items


def digest_messages(slack: FakeSlack) -> list[FakeMessage]:
    """The bot's messages in the channel and every thread there, in order."""
    roots = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id]
    messages = []
    for root in roots:
        messages.extend(slack.thread(CHANNEL, root.ts) or [root])
    return messages


def post(bot: RunningBot, *, force: bool = False, at: datetime = AFTER_DIGEST) -> PostReport:
    bot.clock.current = at
    cycle = cycle_for_meeting(bot.settings.digest_schedule, MEETING)
    return run_digest(bot.deps, bot.client, now=at, cycle=cycle, force=force, pace_seconds=0)


@pytest.fixture
def bot(slack: FakeSlack, github: FakeGitHub, tmp_path: Path) -> Iterator[RunningBot]:
    env = bot_environment(
        slack,
        tmp_path,
        GITHUB_TOKEN=github.token,
        GITHUB_API_URL=github.url,
        GITHUB_REPOS="acme/api",
    )
    from bot.config import load_settings

    settings = load_settings(env, env_file=None)
    with (
        GitHubClient(settings) as client,
        running_bot(
            slack,
            tmp_path,
            github=client,
            GITHUB_TOKEN=github.token,
            GITHUB_API_URL=github.url,
            GITHUB_REPOS="acme/api",
        ) as running,
    ):
        yield running


def test_several_standups_become_one_digest_with_a_thread(
    bot: RunningBot, slack: FakeSlack
) -> None:
    submit_standup(
        bot,
        "U1",
        {
            "Done": "merged #12",
            "Blocked": "staging creds",
            "Asks": "@hesham review #13",
            "Follow-ups": "Mira: write the runbook\nbook the retro room",
        },
    )
    submit_standup(bot, "U2", {"Done": "reviewed acme/api#12", "Next": "ship #13"})
    report = post(bot)
    assert report.ok and report.posted > 0
    [main] = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id]
    main_text = " ".join(all_text(main.blocks))
    assert "staging creds" in main_text and "Hesham" in main_text
    assert main.metadata == {
        "event_type": METADATA_EVENT,
        "event_payload": {"digest": report.digest_id, "seq": 0},
    }
    thread = slack.thread(CHANNEL, main.ts)[1:]
    follow_up_texts = [m.text for m in thread if "Follow-up for" in m.text]
    assert len(follow_up_texts) == 2
    assert any("write the runbook" in t for t in follow_up_texts)
    notes = " ".join(t for m in thread for t in all_text(m.blocks))
    assert "Fix login" in notes and "CI passing" in notes and "&lt;!here&gt;" in notes
    assert "<!here>" not in notes
    [chart] = slack.uploaded_files
    assert chart.completed and chart.thread_ts == main.ts and chart.content is not None
    assert chart.content.startswith(b"\x89PNG")
    # Every call Slack accepted; nothing was refused for size or shape.
    assert all(call.ok for call in slack.calls_to("chat.postMessage"))
    # A second run posts nothing new.
    posts = len(slack.calls_to("chat.postMessage"))
    again = post(bot)
    assert again.ok and again.posted == 0 and len(slack.calls_to("chat.postMessage")) == posts


def test_a_permanent_error_stops_and_the_next_run_resumes_once(
    bot: RunningBot, slack: FakeSlack
) -> None:
    submit_standup(bot, "U1", {"Done": "a", "Follow-ups": "one\ntwo\nthree"})
    slack.fail_next("files.getUploadURLExternal", error="not_in_channel")
    first = post(bot)
    assert first.error is not None and "not in channel" in first.error
    posted_before = len(digest_messages(slack))
    assert posted_before >= 1
    second = post(bot)
    assert second.ok and second.posted > 0
    seqs = [m.metadata["event_payload"]["seq"] for m in digest_messages(slack) if m.metadata]
    assert len(seqs) == len(set(seqs)), "a message was posted twice"
    assert len(slack.uploaded_files) == 1 and slack.uploaded_files[0].completed


def test_a_crash_after_slack_accepted_finds_the_message_instead_of_reposting(
    bot: RunningBot, slack: FakeSlack
) -> None:
    submit_standup(bot, "U1", {"Done": "a", "Follow-ups": "one\ntwo"})
    report = post(bot)
    assert report.ok
    count = len(slack.calls_to("chat.postMessage"))
    # What the database holds after a crash between "Slack accepted" and "ts recorded":
    # the last messages are in Slack, but their ts never reached the plan.
    bot.store._conn().execute(
        "UPDATE digest_messages SET ts = NULL WHERE digest_id = ? AND seq >= "
        "(SELECT max(seq) - 1 FROM digest_messages WHERE digest_id = ?)",
        (report.digest_id, report.digest_id),
    )
    resumed = post(bot)
    assert resumed.ok and resumed.posted == 0 and resumed.found_after_crash == 2
    assert len(slack.calls_to("chat.postMessage")) == count


def test_rate_limits_mid_way_are_waited_out_and_nothing_is_doubled(
    bot: RunningBot, slack: FakeSlack
) -> None:
    submit_standup(bot, "U1", {"Done": "a", "Follow-ups": "one\ntwo\nthree"})
    slack.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    report = post(bot)
    assert report.ok
    rate_limited = [c for c in slack.calls_to("chat.postMessage") if c.status == 429]
    assert len(rate_limited) == 2
    seqs = [m.metadata["event_payload"]["seq"] for m in digest_messages(slack) if m.metadata]
    assert len(seqs) == len(set(seqs))


def test_force_posts_a_fresh_copy(bot: RunningBot, slack: FakeSlack) -> None:
    submit_standup(bot, "U1", {"Done": "a"})
    first = post(bot)
    second = post(bot, force=True)
    assert second.digest_id != first.digest_id and second.posted == first.posted
    roots = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id]
    assert len(roots) == 2


def test_a_sixty_person_team_fits_slacks_limits(slack: FakeSlack, tmp_path: Path) -> None:
    people = [(f"U{i:03d}", f"person{i}", f"Person Number{i}") for i in range(60)]
    for user_id, name, real in people:
        slack.add_member(user_id, name, real_name=real, display_name=real)
        slack.channels[CHANNEL].members.append(user_id)
    with running_bot(slack, tmp_path) as bot:
        for i, (user_id, _, _) in enumerate(people):
            answers = {
                "Done": "\n".join(f"item {j} " + "x" * 200 for j in range(8)),
                "Next": "next thing",
                "Blocked": "blocked by a long thing " * 5,
            }
            if i % 10 == 0:
                answers["Follow-ups"] = f"follow-up from {user_id}"
            submit_standup(bot, user_id, answers)
        report = post(bot)
        assert report.ok, report.error
        calls = slack.calls_to("chat.postMessage")
        assert calls and all(c.ok for c in calls)
        assert all(len(c.params.get("blocks") or []) <= 50 for c in calls)
        everything = " ".join(t for c in calls for t in all_text(c.params.get("blocks")))
        assert all(real in everything for _, _, real in people)
        assert sum("Follow-up for" in c.params["text"] for c in calls) == 6


def test_catch_up_after_a_restart_posts_a_missed_digest_once(
    bot: RunningBot, slack: FakeSlack
) -> None:
    submit_standup(bot, "U1", {"Done": "a"})
    two_hours_late = AFTER_DIGEST + timedelta(hours=2)
    bot.clock.current = two_hours_late
    assert catch_up_missed_digest(bot.deps, bot.client, now=two_hours_late) is not None
    assert catch_up_missed_digest(bot.deps, bot.client, now=two_hours_late) is None
    roots = [m for m in slack.messages(CHANNEL) if m.user == slack.bot_user_id]
    assert len(roots) == 1
    # The server draws the chart in a child process (`python -m digests.render.chart`).
    [chart] = slack.uploaded_files
    assert chart.completed and chart.content is not None and chart.content[:4] == b"\x89PNG"


def test_a_digest_long_missed_is_not_posted_at_start_up(bot: RunningBot, slack: FakeSlack) -> None:
    too_late = AFTER_DIGEST + timedelta(hours=13)
    assert catch_up_missed_digest(bot.deps, bot.client, now=too_late) is None
    assert slack.calls_to("chat.postMessage") == []


def test_preview_writes_the_files_and_posts_nothing(
    slack: FakeSlack,
    github: FakeGitHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = bot_environment(
        slack,
        tmp_path,
        GITHUB_TOKEN=github.token,
        GITHUB_API_URL=github.url,
        GITHUB_REPOS="acme/api",
    )
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "preview"
    assert main(["digest", "preview", "--date", MEETING.isoformat(), "--out", str(out)]) == 0
    messages = json.loads((out / "blocks.json").read_text())
    assert messages[0]["thread"] is False and all(m["thread"] for m in messages[1:])
    assert all({"text", "blocks", "thread"} <= set(m) for m in messages)
    assert (out / "digest.md").read_text().startswith("# Standup")
    assert (out / "ci-billing.png").read_bytes().startswith(b"\x89PNG")
    assert slack.calls_to("chat.postMessage") == []


def test_digest_post_command_posts_once(
    slack: FakeSlack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in bot_environment(slack, tmp_path).items():
        monkeypatch.setenv(key, value)
    # A fixed meeting: "the next one" would depend on the day the test runs.
    assert main(["digest", "post", "--date", MEETING.isoformat()]) == 0
    first = capsys.readouterr().out
    assert main(["digest", "post", "--date", MEETING.isoformat()]) == 0
    second = capsys.readouterr().out
    assert "messages posted" in first and "0 messages posted" in second
    main_text = " ".join(all_text(slack.messages(CHANNEL)[0].blocks))
    assert "GITHUB_TOKEN is not set" in main_text


def test_billing_403_says_so_where_the_chart_would_be(
    bot: RunningBot, slack: FakeSlack, github: FakeGitHub
) -> None:
    github.set_billing_access("acme", 403)
    submit_standup(bot, "U1", {"Done": "a"})
    assert post(bot).ok
    text = " ".join(t for m in digest_messages(slack) for t in all_text(m.blocks))
    assert "owner" in text and "billing" in text.lower()
    assert slack.uploaded_files == []
    # The reminder DMs leave out whoever has sent a standup.
    from bot.services.reminders import send_reminders

    # Friday 15:00:05 where the members are (FakeSlack gives them UTC): their reminder time.
    bot.clock.current = AFTER_DIGEST + timedelta(days=4, hours=7)
    sent = send_reminders(bot.deps, bot.client, now=bot.clock.current)
    assert sent == 4  # a new cycle: nobody has sent one yet
    assert send_reminders(bot.deps, bot.client, now=bot.clock.current) == 0  # once per cycle


def test_the_scheduler_retries_a_digest_stopped_by_a_passing_failure(
    bot: RunningBot, slack: FakeSlack
) -> None:
    from bot.runtime.scheduler import _digest_job, _DigestRetry, _retry_job
    from bot.slack.client import SERVER_ERROR_RETRIES

    submit_standup(bot, "U1", {"Done": "a", "Follow-ups": "one"})
    # The confirmation DM goes out after the ack: let it, so the faults below meet the digest.
    wait_for(lambda: slack.messages(slack.dm_channel_id("U1")), what="the confirmation DM")
    retry = _DigestRetry()
    bot.clock.current = AFTER_DIGEST
    # Slack answers 500 past slack-sdk's own retries: the digest stops, to be tried again.
    slack.fail_next("chat.postMessage", status=500, times=SERVER_ERROR_RETRIES + 1)
    _digest_job(bot.deps, bot.client, retry)
    assert retry.cycle is not None and retry.cycle.meeting_date == MEETING
    assert digest_messages(slack) == []
    bot.clock.advance(minutes=10)
    _retry_job(bot.deps, bot.client, retry)
    assert retry.cycle is None
    seqs = [m.metadata["event_payload"]["seq"] for m in digest_messages(slack) if m.metadata]
    assert seqs and len(seqs) == len(set(seqs))


def test_the_scheduler_does_not_retry_what_needs_a_person(
    bot: RunningBot, slack: FakeSlack
) -> None:
    from bot.runtime.scheduler import _digest_job, _DigestRetry

    submit_standup(bot, "U1", {"Done": "a"})
    retry = _DigestRetry()
    bot.clock.current = AFTER_DIGEST
    slack.fail_next("chat.postMessage", error="not_in_channel")
    _digest_job(bot.deps, bot.client, retry)
    assert retry.cycle is None  # a person must /invite the bot; `digest post` then resumes
