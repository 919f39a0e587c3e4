"""Search over 5 years of a 50-person team: 13,000 standups. p50/p99 of `/standup search`'s query,
and a full re-index.

Run: `uv run python -m benchmarks.search [--json]`.

The store is the real `Store` on a file in a temporary directory; every standup is saved with
`Store.save_standup` (so the index's triggers run as they do in service, and that cost is
reported too): 260 weekly meetings x 50 people, each standup 3 done, 2 next, a blocker in one
of five, an ask in one of three and a follow-up in one of four, lines of 5-14 words drawn from a
Zipf-weighted vocabulary of engineering words and made-up ones (so some words are in a tenth of
all lines, most in a handful). The queries are what people search for: a common word, a rare
one, two words, a stemmed form, a person, a date range, and the second page ("More"); each is
timed through `Store.search` (the FTS5 query, the join, the snippets), first page of 10.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.common import percentile
from bot.store import Store
from digests.models import Ask, Member, Person, SearchQuery, Standup

PEOPLE = 50
WEEKS = 260
QUERY_ROUNDS = 3  # every query of the mix this many times
P99_BUDGET_MS = 50.0
REINDEX_BUDGET_S = 10.0
FIRST_MEETING = date(2021, 12, 6)

ENGINEERING = re.findall(
    r"\w+",
    """
deploy deployed deploying release migration database api web mobile tests flaky ci pipeline
review reviewed refactor bug fix fixed crash latency cache index query schema billing invoice
payments auth login oauth token rotate kubernetes cluster node upgrade dependency docs runbook
incident postmortem alert pager metrics dashboard logging trace feature flag rollout rollback
customer support ticket design spec estimate sprint demo onboarding interview hiring backlog
roadmap security audit compliance backup restore
""",
)
SYLLABLES = re.findall(r"\w+", "ka lo mi re su ta ne vo pi ra de lu ko za fe mo ti be nu sa")


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    words = list(ENGINEERING)
    while len(words) < 3000:
        made_up = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if made_up not in words:
            words.append(made_up)
    weights = [1.0 / (rank + 1) for rank in range(len(words))]  # Zipf
    return words, weights


def line(rng: random.Random, words: list[str], weights: list[float]) -> str:
    return " ".join(rng.choices(words, weights, k=rng.randint(5, 14)))


def seed(store: Store, rng: random.Random) -> dict[str, float]:
    words, weights = vocabulary(rng)
    members = [
        Member(user_id=f"U{n:03d}", name=f"person{n}", real_name=f"Person {n}")
        for n in range(PEOPLE)
    ]
    store.save_members(members, team_ids=[m.user_id for m in members], now=datetime.now(UTC))
    started = time.perf_counter()
    count = 0
    for week in range(WEEKS):
        meeting = FIRST_MEETING + timedelta(weeks=week)
        submitted = datetime.combine(meeting, datetime.min.time(), tzinfo=UTC) - timedelta(days=3)
        for member in members:
            asks = ()
            if rng.random() < 1 / 3:
                other = rng.choice(members)
                asks = (
                    Ask(
                        from_user_id=member.user_id,
                        from_name=member.real_name,
                        to_user_id=other.user_id,
                        to_name=other.real_name,
                        text=line(rng, words, weights),
                        meeting_date=meeting,
                    ),
                )
            standup = Standup(
                user_id=member.user_id,
                user_name=member.real_name,
                meeting_date=meeting,
                submitted_at=submitted,
                done=tuple(line(rng, words, weights) for _ in range(3)),
                next=tuple(line(rng, words, weights) for _ in range(2)),
                blocked=(line(rng, words, weights),) if rng.random() < 0.2 else (),
                asks=asks,
            )
            follow_ups: list[tuple[Person | None, str]] = []
            if rng.random() < 0.25:
                follow_ups.append((None, line(rng, words, weights)))
            store.save_standup(standup, follow_ups=follow_ups, now=submitted)
            count += 1
    seconds = time.perf_counter() - started
    return {
        "standups": count,
        "seed_s": round(seconds, 1),
        "save_ms": round(seconds / count * 1000, 2),
    }


def queries(rng: random.Random) -> list[tuple[str, SearchQuery]]:
    last = FIRST_MEETING + timedelta(weeks=WEEKS - 1)
    person = "U007"
    mix = [
        ("common word", SearchQuery(words="deploy")),
        ("common word, page 2", SearchQuery(words="deploy", offset=10)),
        ("stemmed form", SearchQuery(words="deploying")),
        ("two common words", SearchQuery(words="release database")),
        ("mid-frequency word", SearchQuery(words="postmortem")),
        ("rare word", SearchQuery(words="restore backup audit")),
        ("no match", SearchQuery(words="zzzyzx")),
        ("common word, one person", SearchQuery(words="deploy", user_id=person)),
        (
            "common word, last 3 months",
            SearchQuery(words="deploy", since=last - timedelta(days=90), until=last),
        ),
        (
            "two words, one person, one year",
            SearchQuery(
                words="api tests", user_id=person, since=date(2024, 1, 1), until=date(2024, 12, 31)
            ),
        ),
    ]
    words, _ = vocabulary(random.Random(1))
    for word in rng.sample(words[:400], 20):  # words people might actually look for
        mix.append(("a word from the vocabulary", SearchQuery(words=word)))
    return mix


def run(rounds: int = QUERY_ROUNDS) -> dict[str, Any]:
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "search.db") as store:
        seeded = seed(store, rng)
        documents = store.count_search_documents()
        mix = queries(rng)
        for _, query in mix:  # warm the page cache once, as a serving process has it
            store.search(query)
        times: list[float] = []
        by_kind: dict[str, list[float]] = {}
        hits: dict[str, int] = {}
        for _ in range(rounds):
            for kind, query in mix:
                started = time.perf_counter()
                page = store.search(query)
                elapsed = time.perf_counter() - started
                times.append(elapsed)
                by_kind.setdefault(kind, []).append(elapsed)
                hits[kind] = len(page.hits)
        reindex = [store.rebuild_search_index() for _ in range(3)]
        database_mb = (Path(tmp) / "search.db").stat().st_size / 2**20
    return {
        **seeded,
        "search_documents": documents,
        "database_mb": round(database_mb, 1),
        "queries": len(times),
        "p50_ms": round(statistics.median(times) * 1000, 2),
        "p99_ms": round(percentile(times, 0.99) * 1000, 2),
        "max_ms": round(max(times) * 1000, 2),
        "by_kind_p50_ms": {
            kind: round(statistics.median(values) * 1000, 2) for kind, values in by_kind.items()
        },
        "hits_on_first_page": hits,
        "reindex_s": [round(value, 2) for value in reindex],
        "reindex_s_median": round(statistics.median(reindex), 2),
        "p99_budget_ms": P99_BUDGET_MS,
        "reindex_budget_s": REINDEX_BUDGET_S,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    options = parser.parse_args()
    result = run()
    if options.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")
