"""Digest build time for 200 people and 4 repos x 500 PRs, and GitHub requests per digest;
then the same with 8 earlier cycles of history (promises, blockers, the trend).

Run: `uv run python -m benchmarks.digest_build [--json]`.

The real path, as `run_digest` takes it: `gather_digest` (the store through the real `Store`, GitHub
through the real `GitHubClient` against the loopback FakeGitHub) then `render_digest_files`
(Block Kit messages, Markdown notes, the billing chart). The store holds 200 people's standups
(3 done, 2 next, some blockers, an ask each, PR references) saved with `Store.save_standup`, 30 of
them with a follow-up; GitHub holds 4 repos x 500 PRs and 7 months of Actions billing.

Stage times come from timing wrappers put around the functions the real path calls (they call
straight through; nothing is replaced): the three GitHub fetches, `build_digest`,
`render_digest_messages`, `render_markdown` and `render_billing_chart`. "store reads" is what is
left of `gather_digest` (team, standups, asks, follow-ups out of SQLite into models).

The first build runs with an empty ETag cache; later builds find GitHub's data unchanged, so the
billing months (REST) come back 304. Next to it: the requests a naive REST client makes for the
same data (benchmarks.github_requests), and the floor ceil(PRs/100) + ceil(refs/100) + months.

History: the same 200 people then get 8 earlier weekly cycles of standups (`seed_history`: each
cycle's Done delivers some of the cycle before's Next, a quarter of the team carries one item
through all 8, a third keep the same blocker; 10 people away for a whole earlier cycle and 10
for this one, 40 asks of last cycle answered in this one), and the warm build is timed twice
more: with the trend worked out from the history (no digest recorded those cycles: the worst
case), and with the figures earlier digests recorded (what a running bot has). "promises" is
the time inside `follow_team` and `trend_points`; the chart rows include the trend chart.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from benchmarks.github_requests import REPOS, naive_billing, naive_board
from benchmarks.github_requests import seed as seed_github
from bot.config import Settings, load_settings
from bot.deps import Deps
from bot.github import GitHubClient
from bot.store import Store
from digests.cycles import cycle_for_meeting
from digests.models import Ask, Cycle, Member, Person, Standup
from digests.pr_refs import unique_refs
from tests.fakes.github import FakeGitHub

PEOPLE = 200
FOLLOW_UPS = 30
MEETING = date(2026, 5, 4)  # FakeGitHub's "today" (a Monday): its PR dates are relative to it
CHANNEL = "C0STANDUP"
BILLING_MONTHS = 7  # what fetch_actions_billing asks for (this month and six before)
BUDGET_SECONDS = 2.0
REPEATS = 5

DONE = (
    "Shipped {ref}",
    "Reviewed {ref} and left notes on the retry logic",
    "Fixed the flaky integration test in the billing suite",
    "Paired on the schema migration, merged {ref}",
    "Wrote the runbook for the on-call rotation",
)
NEXT = (
    "Finish {ref}",
    "Start on the rate-limit dashboard",
    "Load-test the export endpoint",
    "Follow up on the vendor contract",
)
BLOCKED = (
    "Waiting for review on {ref}",
    "Staging credentials expired",
    "Need a decision on the data retention policy",
)


def team_members(people: int = PEOPLE) -> list[Member]:
    return [
        Member(
            user_id=f"U{index:04d}",
            name=f"person{index}",
            real_name=f"Person Number{index}",
            display_name=f"Person {index:03d}",
            tz="Europe/Berlin",
        )
        for index in range(people)
    ]


def seed_team(
    store: Store,
    cycle: Cycle,
    *,
    people: int = PEOPLE,
    follow_ups: int = FOLLOW_UPS,
    seed: int = 7,
) -> list[str]:
    """Members, and one standup per person saved through the real Store; returns all item texts.

    Items reference PRs of the benchmark's repos (`acme/api#12`, `web#40`, a PR URL) the way
    people type them; everyone asks one colleague something; `follow_ups` follow-ups are raised,
    one per person in turn.
    """
    rng = random.Random(seed)
    members = team_members(people)
    store.save_members(members, team_ids=[m.user_id for m in members], now=cycle.starts_at)
    texts: list[str] = []

    def ref() -> str:
        repo = rng.choice(REPOS)
        number = rng.randint(1, 500)
        style = rng.randrange(3)
        if style == 0:
            return f"{repo}#{number}"
        if style == 1:
            return f"{repo.split('/')[1]}#{number}"
        return f"https://github.com/{repo}/pull/{number}"

    for index, member in enumerate(members):
        submitted = cycle.starts_at + timedelta(minutes=30 * index + 1)
        done = tuple(rng.choice(DONE).format(ref=ref()) for _ in range(3))
        next_ = tuple(rng.choice(NEXT).format(ref=ref()) for _ in range(2))
        blocked = (rng.choice(BLOCKED).format(ref=ref()),) if index % 3 == 0 else ()
        colleague = members[(index + 1) % people]
        ask = Ask(
            from_user_id=member.user_id,
            from_name=member.display_name,
            to_user_id=colleague.user_id,
            to_name=colleague.display_name,
            text=f"can you review {ref()} this week?",
            meeting_date=cycle.meeting_date,
        )
        standup = Standup(
            user_id=member.user_id,
            user_name=member.display_name,
            meeting_date=cycle.meeting_date,
            submitted_at=submitted,
            done=done,
            next=next_,
            blocked=blocked,
            asks=(ask,),
        )
        owner = Person(user_id=colleague.user_id, name=colleague.display_name)
        raised: list[tuple[Person | None, str]] = [
            (owner, f"Write up the decision on item {number} and share it")
            for number in range(index, follow_ups, people)
        ]
        store.save_standup(standup, follow_ups=raised, now=submitted)
        texts += [*done, *next_, *blocked, ask.text]
    return texts


CARRIED = (
    "Finish the {topic} migration",
    "Still finishing the {topic} migration",
    "Finish the migration of {topic}",
)
TOPICS = ("billing", "search", "reporting", "auth", "notifications", "exports")
HISTORY_CYCLES = 8
AWAY_EVERY = 20  # one in 20 away for a whole earlier cycle, as many for this one
ANSWERED_EVERY = 5  # one in 5 asked last cycle, answered in this one


def seed_history(
    store: Store,
    settings: Settings,
    cycle: Cycle,
    *,
    people: int = PEOPLE,
    cycles: int = HISTORY_CYCLES,
    seed: int = 11,
    away_every: int = AWAY_EVERY,
    answered_every: int = ANSWERED_EVERY,
) -> int:
    """`cycles` earlier cycles of standups for the team, oldest first; returns how many.

    Each person's Done takes up one of their Next of the cycle before (said another way) and
    their own work; a quarter of the team carries the same item (reworded) through every cycle;
    a third keep reporting the same blocker; everyone promises two or three things a cycle.
    One in `away_every` people is away for a whole earlier cycle (days set, no standup) and as
    many for the whole of this one; one in `answered_every` asked something last cycle that is
    answered in this one (0 turns either off: the history of part 1's figures).
    """
    from bot.services.history import earlier_cycles
    from digests.models import TimeAway

    rng = random.Random(seed)
    members = team_members(people)
    saved = 0
    before: dict[str, tuple[str, ...]] = {}
    history = list(reversed(earlier_cycles(settings.digest_schedule, cycle, cycles)))
    zone = settings.zone

    def away_for(user_id: str, whole: Cycle) -> None:
        first = whole.starts_at.astimezone(zone).date()
        last = whole.ends_at.astimezone(zone).date() - timedelta(days=1)
        away = TimeAway(user_id=user_id, starts=first, ends=max(first, last))
        store.save_time_away(away, now=whole.starts_at)

    for number, earlier in enumerate(history):
        for index, member in enumerate(members):
            if away_every and index % away_every == 7 and index // away_every % cycles == number:
                away_for(member.user_id, earlier)
                before.pop(member.user_id, None)
                continue
            topic = TOPICS[index % len(TOPICS)]
            promised = before.get(member.user_id, ())
            done = [f"Done: {promised[0]}"] if promised and rng.random() < 0.6 else []
            done += [rng.choice(DONE).format(ref=f"acme/api#{rng.randint(1, 500)}")]
            next_ = [rng.choice(NEXT).format(ref=f"web#{rng.randint(1, 500)}")]
            next_ += [f"Write up the {topic} findings, part {rng.randint(1, 9)}"]
            if index % 4 == 0:
                next_.append(rng.choice(CARRIED).format(topic=topic))
            blocked = [f"Waiting on the {topic} vendor's API keys"] if index % 3 == 0 else []
            asks: tuple[Ask, ...] = ()
            last_cycle = number == len(history) - 1
            if answered_every and last_cycle and index % answered_every == 0:
                colleague = members[(index + 1) % people]
                asks = (
                    Ask(
                        from_user_id=member.user_id,
                        from_name=member.display_name,
                        to_user_id=colleague.user_id,
                        to_name=colleague.display_name,
                        text=f"Can you share the {topic} numbers before the review?",
                        meeting_date=earlier.meeting_date,
                    ),
                )
            standup = Standup(
                user_id=member.user_id,
                user_name=member.display_name,
                meeting_date=earlier.meeting_date,
                submitted_at=earlier.starts_at + timedelta(minutes=30 * index + 1),
                done=tuple(done),
                next=tuple(next_),
                blocked=tuple(blocked),
                asks=asks,
            )
            stored, _ = store.save_standup(standup, now=standup.submitted_at)
            for ask in stored.asks:
                store.save_ask_answer(
                    ask.id or 0,
                    f"Shared them in the {topic} channel: the p95 is down a third.\nMore Monday.",
                    by=ask.to_user_id or "",
                    now=cycle.starts_at + timedelta(hours=index % 100 + 1),
                )
            before[member.user_id] = standup.next
            saved += 1
    if away_every:
        for index, member in enumerate(members):
            if index % away_every == 13:
                away_for(member.user_id, cycle)
    return saved


def record_history(store: Store, settings: Settings, cycle: Cycle) -> None:
    """What the earlier cycles' digests would have recorded: each cycle's figures, built the way
    the bot builds them (each cycle's digest from its own history)."""
    from bot.services.history import earlier_cycles, load_history
    from digests.build import build_digest
    from digests.models import CycleRecord

    team = store.get_team()
    for earlier in reversed(earlier_cycles(settings.digest_schedule, cycle, HISTORY_CYCLES - 1)):
        digest = build_digest(
            cycle=earlier,
            previous_meeting_date=None,
            team=team,
            standups=store.get_standups(earlier.meeting_date),
            asks=[],
            open_follow_ups=[],
            closed_follow_ups=[],
            pr_lookups=None,
            board_pulls=None,
            billing=None,
            repos=settings.repos,
            stale_days=settings.standup_stale_days,
            github_problem="benchmark",
            now=earlier.ends_at,
            history=load_history(store, settings.digest_schedule, earlier),
        )
        record = CycleRecord(point=digest.trend[-1], promises=digest.promises)
        store.save_cycle_record(CHANNEL, record, now=earlier.ends_at)


def settings_for(github: FakeGitHub, db: Path, **extra: str) -> Settings:
    env = {
        "GITHUB_TOKEN": github.token,
        "GITHUB_API_URL": github.url,
        "GITHUB_REPOS": ",".join(REPOS),
        "GITHUB_ORG": "acme",
        "STANDUP_CHANNEL": CHANNEL,
        "STANDUP_DB": str(db),
        "STANDUP_LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return load_settings(env, env_file=None)


def meeting_cycle(settings: Settings) -> Cycle:
    return cycle_for_meeting(settings.digest_schedule, MEETING)


@dataclass
class World:
    github: FakeGitHub
    settings: Settings
    cycle: Cycle
    texts: list[str]
    db: Path

    @property
    def now(self) -> datetime:
        return self.cycle.ends_at + timedelta(seconds=5)


@contextmanager
def digest_world(
    directory: Path, *, people: int = PEOPLE, follow_ups: int = FOLLOW_UPS
) -> Iterator[World]:
    """FakeGitHub with 4 x 500 PRs and billing, and a seeded database at directory/seed.db."""
    with FakeGitHub() as github:
        seed_github(github)
        db = directory / "seed.db"
        settings = settings_for(github, db)
        cycle = meeting_cycle(settings)
        with Store(db) as store:
            texts = seed_team(store, cycle, people=people, follow_ups=follow_ups)
        yield World(github=github, settings=settings, cycle=cycle, texts=texts, db=db)


# --- timing the stages of the real path -------------------------------------------------------


class StageClock:
    """Seconds spent inside named functions while the real path runs (wrappers call through)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._undo: list[Callable[[], None]] = []

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                self.seconds[stage] = self.seconds.get(stage, 0.0) + elapsed

        # A module's function is put back; an instance's wrapper is deleted (the method remains).
        had_own = name in vars(owner)
        setattr(owner, name, timed)
        if had_own:
            self._undo.append(lambda: setattr(owner, name, original))
        else:
            self._undo.append(lambda: delattr(owner, name))

    def restore(self) -> None:
        while self._undo:
            self._undo.pop()()


@contextmanager
def stage_clock(github: GitHubClient) -> Iterator[StageClock]:
    import bot.services.digest
    import digests.build
    import digests.render.blocks
    import digests.render.chart
    import digests.render.ci_chart
    import digests.render.markdown
    import digests.render.trend_chart

    clock = StageClock()
    # The three fetches run at the same time: each one's own time, and the phase's wall time.
    clock.wrap(bot.services.digest, "gather_github", "github: all, at once")
    clock.wrap(github, "fetch_pull_requests", "github: PR lookups")
    clock.wrap(github, "fetch_board_pull_requests", "github: PR board")
    clock.wrap(github, "fetch_usage_months", "github: billing")
    clock.wrap(bot.services.digest, "build_digest", "build_digest")
    clock.wrap(digests.build, "follow_team", "promises")
    clock.wrap(digests.build, "trend_points", "promises")
    clock.wrap(digests.render.blocks, "render_digest_messages", "render: Block Kit")
    clock.wrap(digests.render.markdown, "render_markdown", "render: Markdown")
    clock.wrap(digests.render.chart, "render_billing_chart", "render: chart")
    clock.wrap(digests.render.trend_chart, "render_trend_chart", "render: trend chart")
    clock.wrap(digests.render.ci_chart, "render_repo_chart", "render: repo chart")
    try:
        yield clock
    finally:
        clock.restore()


def build_once(deps: Deps, cycle: Cycle, now: datetime, github: FakeGitHub) -> dict[str, Any]:
    """One gather + render on the real path; stage seconds and the GitHub requests it made."""
    from bot.services.digest import gather_digest, render_digest_files

    assert deps.github is not None
    github.clear_requests()
    with stage_clock(deps.github) as clock:
        started = time.perf_counter()
        digest = gather_digest(deps, cycle, now=now, team_from=None)
        gathered = time.perf_counter()
        files = render_digest_files(digest)
        finished = time.perf_counter()
    stages = dict(clock.seconds)
    github_seconds = stages.get("github: all, at once", 0.0)
    stages["store reads"] = (gathered - started) - github_seconds - stages.get("build_digest", 0)
    problems = [p.why for p in digest.problems]
    if problems:
        raise RuntimeError(f"the benchmark digest is missing data: {problems}")
    requests = github.requests
    return {
        "total_s": finished - started,
        "gather_s": gathered - started,
        "render_s": finished - gathered,
        "stages_s": stages,
        "messages": len(files.messages),
        "markdown_chars": len(files.markdown),
        "chart_bytes": len(files.chart_png or b""),
        "trend_chart_bytes": len(files.trend_png or b""),
        "promised": digest.promised_count,
        "carried_3_weeks": len(digest.carried_for(3)),
        "trend_points": len(digest.trend),
        "answered_asks": sum(a.answer is not None for group in digest.asks for a in group.asks),
        "away_promises": sum(
            p.outcome == "away" for person in digest.promises for p in person.promises
        ),  # fmt: skip
        "github_requests": len(requests),
        "github_graphql": sum(1 for r in requests if r.path == "/graphql"),
        "github_rest": sum(1 for r in requests if r.path != "/graphql"),
        "github_304": sum(1 for r in requests if r.status == 304),
    }


def naive_requests(world: World) -> int:
    """What a straightforward REST client sends for the same board, PRs and billing."""
    refs = unique_refs(world.texts, repos=world.settings.repos)
    headers = {
        "Authorization": f"Bearer {world.github.token}",
        "Accept": "application/vnd.github+json",
    }
    world.github.clear_requests()
    with httpx.Client(base_url=world.github.url, headers=headers, timeout=30.0) as http:
        naive_board(http, world.cycle.starts_at, refs)
        naive_billing(http)
    return world.github.count()


def run(repeats: int = REPEATS, *, plain_history: bool = False) -> dict[str, Any]:
    """`plain_history`: the history without time away or answered asks (part 1's figures)."""
    extras = {"away_every": 0, "answered_every": 0} if plain_history else {}
    with (
        tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp,
        digest_world(Path(tmp)) as world,
    ):
        refs = unique_refs(world.texts, repos=world.settings.repos)
        with (
            Store(world.db) as store,
            GitHubClient(world.settings, cache=store) as client,
        ):
            deps = Deps(settings=world.settings, store=store, github=client)
            runs = [build_once(deps, world.cycle, world.now, world.github)]
            for _ in range(repeats):
                runs.append(build_once(deps, world.cycle, world.now, world.github))
            board = client.fetch_board_pull_requests(
                world.settings.repos, since=world.cycle.starts_at
            )
            earlier_standups = seed_history(store, world.settings, world.cycle, **extras)
            computed = [
                build_once(deps, world.cycle, world.now, world.github) for _ in range(repeats)
            ]
            record_history(store, world.settings, world.cycle)
            recorded = [
                build_once(deps, world.cycle, world.now, world.github) for _ in range(repeats)
            ]
        first, warm = runs[0], runs[1:]
        naive = naive_requests(world)
    board_prs = len(board.data)
    floor = math.ceil(board_prs / 100) + math.ceil(len(refs) / 100) + BILLING_MONTHS
    stage_names = sorted({name for r in warm for name in r["stages_s"]})
    return {
        "people": PEOPLE,
        "repos": len(REPOS),
        "prs_per_repo": 500,
        "board_prs": board_prs,
        "referenced_prs": len(refs),
        "messages": first["messages"],
        "repeats": repeats,
        "first_build_s": round(first["total_s"], 3),
        "warm_build_s_median": round(statistics.median(r["total_s"] for r in warm), 3),
        "warm_build_s_all": [round(r["total_s"], 3) for r in warm],
        "stages_s_median": {
            name: round(statistics.median(r["stages_s"].get(name, 0.0) for r in warm), 4)
            for name in stage_names
        },
        "first_stages_s": {k: round(v, 4) for k, v in first["stages_s"].items()},
        "budget_s": BUDGET_SECONDS,
        "github_requests_first": first["github_requests"],
        "github_graphql_first": first["github_graphql"],
        "github_rest_first": first["github_rest"],
        "github_requests_second": warm[0]["github_requests"],
        "github_304_second": warm[0]["github_304"],
        "github_rest_second": warm[0]["github_rest"],
        "github_request_floor": floor,
        "naive_rest_requests": naive,
        "history": {
            "cycles": HISTORY_CYCLES,
            "earlier_standups": earlier_standups,
            "promised": computed[0]["promised"],
            "carried_3_weeks": computed[0]["carried_3_weeks"],
            "trend_points": computed[0]["trend_points"],
            "answered_asks": computed[0]["answered_asks"],
            "away_promises": computed[0]["away_promises"],
            "plain": plain_history,
            "github_requests": computed[0]["github_requests"],
            "computed_trend": _summary(computed),
            "recorded_trend": _summary(recorded),
        },
    }


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    names = sorted({name for r in runs for name in r["stages_s"]})
    return {
        "build_s_median": round(statistics.median(r["total_s"] for r in runs), 3),
        "build_s_all": [round(r["total_s"], 3) for r in runs],
        "stages_s_median": {
            name: round(statistics.median(r["stages_s"].get(name, 0.0) for r in runs), 4)
            for name in names
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument(
        "--plain-history",
        action="store_true",
        help="history without time away or answered asks (as part 1 measured it)",
    )
    options = parser.parse_args()
    print(json.dumps(run(options.repeats, plain_history=options.plain_history), indent=2))


if __name__ == "__main__":
    main()
