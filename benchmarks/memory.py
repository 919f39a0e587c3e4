"""Peak memory of one digest (200 people, 4 repos x 500 PRs, billing chart) in a fresh process.

Run: `uv run python -m benchmarks.memory [--history]` (`--history`: with 8 earlier cycles).

The parent starts FakeGitHub and seeds a database (benchmarks.digest_build); each child process
gets its own copy of that database, builds its deps the way `standup-bot digest preview` does
(`bot.runtime.serve.build_deps`: the real Store and GitHubClient), runs `gather_digest` and
`render_digest_files` once, and reports its own peak resident set (`ru_maxrss`) with its RSS at
start and after the imports. A fresh process is the cold case: every import (matplotlib for the
chart) is paid inside the figures, as in a `digest post` run or a server's first digest. The
children read a warm bytecode cache (benchmarks.bytecode), as the Docker image's compiled
bytecode gives them: one child, not counted, fills it first.

`serve_after_digest` measures the same digest inside a running `standup-bot serve`: the digest's
time is set 30 minutes back, so the scheduler's start-up catch-up builds and posts it at once
(to FakeSlack, with the same 200 people and GitHub data). Read from /proc: RSS idle before, and
once the digest is rendered and posting has begun, RSS (VmRSS) and the high-water mark (VmHWM).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bytecode import use_bytecode_cache
from benchmarks.common import ROOT, python

REPEATS = 3


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def child() -> dict[str, Any]:
    """In the child: one cold digest build through the real path; figures as JSON on stdout."""
    started = time.perf_counter()
    rss_start = _rss_mb()
    from benchmarks.digest_build import MEETING
    from bot.config import load_settings
    from bot.deps import build_deps
    from bot.services.digest import gather_digest, render_digest_files
    from digests.cycles import cycle_for_meeting

    rss_imports = _rss_mb()
    settings = load_settings(env_file=None)
    cycle = cycle_for_meeting(settings.digest_schedule, MEETING)
    now = cycle.ends_at
    deps = build_deps(settings)
    try:
        build_started = time.perf_counter()
        digest = gather_digest(deps, cycle, now=now, team_from=None)
        gathered = time.perf_counter()
        files = render_digest_files(digest)
        finished = time.perf_counter()
    finally:
        if deps.github is not None:
            deps.github.close()
        deps.store.close()
    if files.chart_png is None or digest.problems:
        raise RuntimeError(f"incomplete benchmark digest: {[p.why for p in digest.problems]}")
    if digest.promised_count and files.trend_png is None:
        raise RuntimeError("the benchmark digest has promises but no trend chart")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "rss_start_mb": round(rss_start, 1),
        "rss_after_imports_mb": round(rss_imports, 1),
        "rss_after_digest_mb": round(_rss_mb(), 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "gather_s": round(gathered - build_started, 3),
        "render_s": round(finished - gathered, 3),
        "build_s": round(finished - build_started, 3),
        "process_s": round(finished - started, 3),
        "messages": len(files.messages),
    }


def _proc_status_mb(pid: int, field: str) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def serve_after_digest(people: int = 200) -> dict[str, Any]:
    """RSS of `standup-bot serve` idle, then after its start-up catch-up built a digest."""
    from datetime import UTC, datetime, timedelta

    from benchmarks.common import free_port, process, standup_bot, wait_healthy
    from benchmarks.digest_build import CHANNEL, seed_team, team_members
    from benchmarks.github_requests import REPOS
    from bot.config import load_settings
    from bot.services.digest import scheduled_cycle
    from bot.store import Store
    from tests.fakes.github import FakeGitHub, usage_items
    from tests.fakes.slack import FakeSlack

    now = datetime.now(UTC)
    fired = now - timedelta(minutes=30)
    cron = f"{fired.minute} {fired.hour} * * {fired.strftime('%a').lower()}"
    months = {}
    for back in range(7):
        year, month = divmod(now.year * 12 + now.month - 1 - back, 12)
        months[datetime(year, month + 1, 1).date()] = 100_000.0 + 10_000 * back
    with (
        tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp,
        FakeGitHub(now=now) as github,
        FakeSlack() as slack,
    ):
        for index, name in enumerate(REPOS):
            github.add_repo(*name.split("/"))
            github.generate_pulls(name, 500, seed=index)
        github.set_billing("acme", usage_items("acme", months, days=28))
        members = team_members(people)
        for member in members:
            slack.add_member(member.user_id, member.name, real_name=member.real_name)
        slack.add_channel(CHANNEL, "eng-standup", members=[m.user_id for m in members])
        env = {
            "SLACK_BOT_TOKEN": slack.token,
            "SLACK_SIGNING_SECRET": "bench-signing-secret",
            "SLACK_API_URL": slack.url,
            "STANDUP_CHANNEL": CHANNEL,
            "STANDUP_DB": str(Path(tmp) / "serve.db"),
            "STANDUP_TIMEZONE": "UTC",
            "STANDUP_DIGEST_CRON": cron,
            "STANDUP_LOG_LEVEL": "WARNING",
            "GITHUB_TOKEN": github.token,
            "GITHUB_API_URL": github.url,
            "GITHUB_REPOS": ",".join(REPOS),
            "GITHUB_ORG": "acme",
        }
        settings = load_settings(env, env_file=None)
        cycle = scheduled_cycle(settings, now)
        assert cycle is not None
        with Store(settings.standup_db) as store:
            seed_team(store, cycle, people=people)
        port = free_port()
        args = [standup_bot(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        with process(args, env) as proc:
            wait_healthy(f"http://127.0.0.1:{port}", proc)
            idle = _proc_status_mb(proc.pid, "VmRSS")
            deadline = time.monotonic() + 60
            while not slack.calls_to("chat.postMessage"):
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the serve process posted no digest")
                time.sleep(0.05)
            time.sleep(2.0)  # a couple of paced posts: the digest is rendered and held
            after = _proc_status_mb(proc.pid, "VmRSS")
            peak = _proc_status_mb(proc.pid, "VmHWM")
    return {
        "people": people,
        "rss_idle_mb": round(idle, 1),
        "rss_after_digest_mb": round(after, 1),
        "peak_rss_mb": round(peak, 1),
    }


def run(
    repeats: int = REPEATS, *, history: bool = False, plain_history: bool = False
) -> dict[str, Any]:
    """`history`: the database also holds 8 earlier cycles of standups (digest_build's
    `seed_history`) that no digest recorded, so the trend is worked out: the cold worst case.
    `plain_history`: without its time away and answered asks (as part 1 measured it)."""
    from benchmarks.digest_build import digest_world, seed_history
    from bot.store import Store

    samples: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp,
        digest_world(Path(tmp)) as world,
    ):
        if history:
            with Store(world.db) as seeded:
                extras = {"away_every": 0, "answered_every": 0} if plain_history else {}
                seed_history(seeded, world.settings, world.cycle, **extras)
        for index in range(-1, repeats):  # -1: fills the bytecode cache, not counted
            db = Path(tmp) / f"child-{index}.db"
            with Store(world.db) as seeded:
                seeded.backup(db)  # an empty ETag cache each time: the first digest's requests
            env = {
                **os.environ,
                "GITHUB_TOKEN": world.github.token,
                "GITHUB_API_URL": world.github.url,
                "GITHUB_REPOS": world.settings.github_repos,
                "GITHUB_ORG": "acme",
                "STANDUP_CHANNEL": "C0STANDUP",
                "STANDUP_DB": str(db),
                "STANDUP_LOG_LEVEL": "WARNING",
            }
            result = subprocess.run(
                [python(), "-m", "benchmarks.memory", "--child"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if result.returncode != 0:
                raise RuntimeError(f"the digest child failed:\n{result.stderr}")
            if index >= 0:
                samples.append(json.loads(result.stdout))
    keys = [k for k in samples[0] if k != "messages"]
    return {
        "repeats": repeats,
        "median": {k: round(statistics.median(s[k] for s in samples), 3) for k in keys},
        "samples": samples,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--serve", action="store_true", help="measure inside standup-bot serve")
    parser.add_argument("--history", action="store_true", help="with 8 earlier cycles of history")
    parser.add_argument(
        "--plain-history",
        action="store_true",
        help="with --history: no time away, no answered asks (as part 1 measured it)",
    )
    options = parser.parse_args()
    if not options.child:
        use_bytecode_cache()  # for the children it starts
    if options.child:
        print(json.dumps(child()))
        return
    if options.serve:
        print(json.dumps(serve_after_digest(), indent=2))
        return
    result = run(options.repeats, history=options.history, plain_history=options.plain_history)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
