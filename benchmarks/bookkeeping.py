"""A year of a busy workspace's events in the database: its size with the bookkeeping kept as
it is now (only the bot's own ✅s recorded, claims taken with their work, daily pruning) next to
the way it was before (every ✅ in the workspace claimed, nothing ever pruned).

Run: `uv run python -m benchmarks.bookkeeping [--days N]`.

The simulated workspace, per day: 2,000 ✅ reactions on other people's messages in channels
the bot is in, and 20 ✅ added or removed on the digest's follow-up messages; per week: 50
standups submitted (each a view claim), 50 reminder claims, a digest with 30 new follow-ups,
and 80 GitHub REST answers cached (20 pages refreshed every week, 60 pages seen once).

"Now" drives the real code: every ✅ goes through `bot.services.reactions.apply_reaction` (the
follow-up ones close and reopen with chat.update against FakeSlack), submissions through
`Store.save_submission`, and `bot.services.housekeeping.prune_bookkeeping` runs once a day.
"Before" stores the rows the code before this change stored for the same events (a claim for
every ✅ event, a separate claim per submission, no pruning), written in batches.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk import WebClient

from bot.config import load_settings
from bot.deps import Deps
from bot.services.housekeeping import prune_bookkeeping
from bot.services.reactions import Reaction, apply_reaction
from bot.store import Store
from digests.models import Member, PlannedMessage, Standup
from tests.fakes.slack import FakeSlack

DAYS = 365
OTHER_CHECKS_PER_DAY = 2_000
FOLLOW_UP_CHECKS_PER_DAY = 20
PEOPLE = 50
FOLLOW_UPS_PER_WEEK = 30
CACHE_REFRESHED_PER_WEEK = 20
CACHE_NEW_PER_WEEK = 60
CHANNEL = "C0STANDUP"
BOT = "UBOT"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday


def _size(path: Path) -> dict[str, Any]:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        rows = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("processed_events", "reactions", "http_cache", "standups", "follow_ups")
        }
    return {"file_mb": round(pages * page_size / 2**20, 2), "rows": rows}


def _members() -> list[Member]:
    return [Member(user_id=f"U{n:03d}", name=f"p{n:03d}") for n in range(PEOPLE)]


def _week_of_standups(store: Store, week: int, now: datetime, *, claim_apart: bool) -> None:
    meeting = (START + timedelta(days=7 * (week + 1))).date()
    for n in range(PEOPLE):
        standup = Standup(
            user_id=f"U{n:03d}",
            user_name=f"p{n:03d}",
            meeting_date=meeting,
            submitted_at=now,
            done=(f"week {week} item one", "item two"),
            next=("next thing",),
        )
        delivery = f"view:V{week}-{n}:h"
        if claim_apart:  # before: the view id claimed in a transaction of its own
            store.claim_event(delivery, now=now)
            store.save_submission(standup, now=now)
        else:
            store.save_submission(standup, delivery=delivery, now=now)
        store.claim_event(f"reminder:{meeting}:U{n:03d}", now=now)


def _week_of_follow_ups(store: Store, client: WebClient, week: int, now: datetime) -> list[str]:
    """30 new follow-ups, each posted as the digest posts it; returns their messages' ts."""
    ids = [
        store.save_follow_up(
            text=f"follow-up {week}-{n}",
            owner=None,
            created_by="U000",
            meeting_date=now.date(),
            source="standup",
            now=now,
        ).id
        for n in range(FOLLOW_UPS_PER_WEEK)
    ]
    messages = [
        PlannedMessage(seq=n, kind="follow_up", text=f"follow-up {n}", follow_up_id=follow_up)
        for n, follow_up in enumerate(ids)
    ]
    digest_id = store.save_digest_plan(CHANNEL, now.date(), messages, now=now)
    stamps = []
    for message in messages:
        ts = str(client.chat_postMessage(channel=CHANNEL, text=message.text)["ts"])
        store.save_digest_message_ts(digest_id, message.seq, ts, now=now)
        stamps.append(ts)
    return stamps


def _cache(store: Store, week: int, now: datetime) -> None:
    for n in range(CACHE_REFRESHED_PER_WEEK):
        store.save_http_cache(f"/repos/acme/r{n}/pulls", f"W/{week}", b"[]" * 200, now=now)
    for n in range(CACHE_NEW_PER_WEEK):
        store.save_http_cache(f"/once/{week}/{n}", f"W/{week}", b"{}" * 200, now=now)


def simulate(path: Path, client: WebClient, days: int, *, before: bool) -> dict[str, Any]:
    """A year of events into a fresh database at `path`, the new way or (`before`) the old."""
    settings = load_settings(
        {"STANDUP_DB": str(path), "SLACK_BOT_TOKEN": "xoxb-bench", "STANDUP_CHANNEL": CHANNEL},
        env_file=None,
    )
    clock = [START]
    started = time.perf_counter()
    with Store(path) as store:
        deps = Deps(settings=settings, store=store, clock=lambda: clock[0])
        store.save_members(_members(), team_ids=[m.user_id for m in _members()], now=START)
        follow_up_ts: list[str] = []
        for day in range(days):
            now = START + timedelta(days=day)
            clock[0] = now
            if day % 7 == 0:
                week = day // 7
                _week_of_standups(store, week, now, claim_apart=before)
                follow_up_ts = _week_of_follow_ups(store, client, week, now)
                _cache(store, week, now)
            if before:  # the old code claimed each ✅ event before looking at the message
                rows = [(f"Ev{day}-{n}", now.isoformat()) for n in range(OTHER_CHECKS_PER_DAY)]
                with store._write() as tx:
                    tx.executemany(
                        "INSERT OR IGNORE INTO processed_events (event_id, received_at) "
                        "VALUES (?, ?)",
                        rows,
                    )
            else:
                for n in range(OTHER_CHECKS_PER_DAY):
                    apply_reaction(
                        client,
                        deps,
                        _check(f"Ev{day}-{n}", f"U{n % PEOPLE:03d}", f"{n}.0", "U111", True),
                    )
            for n in range(FOLLOW_UP_CHECKS_PER_DAY):
                ts = follow_up_ts[n % len(follow_up_ts)]
                added = n % 4 != 3  # three adds, then a removal
                reactor = f"U{(day + n) % PEOPLE:03d}"
                check = _check(f"EvF{day}-{n}", reactor, ts, BOT, added)
                if before:
                    store.claim_event(check.event_id or "", now=now)
                    store.save_done_reaction(
                        event_id=None,
                        channel=CHANNEL,
                        ts=ts,
                        user_id=reactor,
                        reaction=check.reaction,
                        added=added,
                        now=now,
                    )
                else:
                    apply_reaction(client, deps, check)
            if not before:
                prune_bookkeeping(store, now=now)
    figures = _size(path)
    figures["simulated_s"] = round(time.perf_counter() - started, 1)
    return figures


def _check(event_id: str, user: str, ts: str, author: str, added: bool) -> Reaction:
    return Reaction(
        event_id=event_id,
        user_id=user,
        reaction="white_check_mark",
        channel=CHANNEL,
        ts=ts,
        added=added,
        item_user=author,
        bot_user_id=BOT,
    )


def run(days: int = DAYS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-bookkeeping-") as tmp, FakeSlack() as slack:
        for member in _members():
            slack.add_member(member.user_id, member.name)
        slack.add_channel(CHANNEL, "eng-standup", members=[m.user_id for m in _members()])
        client = WebClient(token=slack.token, base_url=slack.url)
        now = simulate(Path(tmp) / "now.db", client, days, before=False)
        before = simulate(Path(tmp) / "before.db", client, days, before=True)
    return {
        "days": days,
        "per_day": {
            "other_checks": OTHER_CHECKS_PER_DAY,
            "follow_up_checks": FOLLOW_UP_CHECKS_PER_DAY,
        },
        "per_week": {
            "standups": PEOPLE,
            "reminders": PEOPLE,
            "follow_ups": FOLLOW_UPS_PER_WEEK,
            "http_cache_writes": CACHE_REFRESHED_PER_WEEK + CACHE_NEW_PER_WEEK,
        },
        "now": now,
        "before": before,
        "size_ratio_before_to_now": round(before["file_mb"] / now["file_mb"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--days", type=int, default=DAYS)
    options = parser.parse_args()
    print(json.dumps(run(options.days), indent=2))


if __name__ == "__main__":
    main()
