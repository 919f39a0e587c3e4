"""Every benchmark in one command: `uv run python benchmarks/run.py` (or `-m benchmarks.run`).

Prints a table (budget, figure, floor, ratio to the floor) and writes every figure to
benchmarks/results/latest.json. docs/BENCHMARKS.md explains the figures and the machine.

- /standup ack latency p50/p99 at 50 concurrent, process start → /healthz and idle RSS, each next
  to a bare slack-bolt app in the same run (benchmarks.ack_latency, repeated; medians);
- peak RSS of a 200-person digest in a fresh process, and of `standup-bot serve` after its first
  digest (benchmarks.memory);
- peak RSS of `standup-bot serve` while it refuses a 100 MB unsigned request, declared by
  Content-Length and chunked, next to its idle RSS (benchmarks.large_request);
- digest build time for 200 people and 4 repos x 500 PRs by stage, GitHub requests per digest
  next to a naive REST client and the floor, and a second build answered 304
  (benchmarks.digest_build); the same with 8 earlier cycles of history, warm (trend worked out
  or recorded) and in a fresh process (benchmarks.memory with history);
- promise matching: precision and recall of the threshold on the labelled pairs
  (benchmarks.promise_matching);
- posting a digest with 30 follow-ups at Slack's ~1 message/s (benchmarks.post_digest);
- `/standup search` over 5 years of a 50-person team (13,000 standups): query p50/p99 and a full
  re-index (benchmarks.search);
- `ci-report --months 12` at 50 repositories x 20 SKU lines a day: time, requests and peak RSS,
  then again the same day (benchmarks.ci_report);
- the digest with GitHub hanging, and answering 5xx, on every request (benchmarks.github_outage);
- the database after a year of a busy workspace's events, pruned, next to unpruned
  (benchmarks.bookkeeping);
- /standup and its submission acked with an empty member cache next to a warm one, against a
  2,000-member workspace with slow users.list paging (benchmarks.ack_member_cache).

Python here runs with PYTHONDONTWRITEBYTECODE=1, so every process would compile every module it
imports. The Docker image ships compiled bytecode (UV_COMPILE_BYTECODE=1), so the processes
measured here get a bytecode cache outside the tree (PYTHONPYCACHEPREFIX), warmed before timing;
start-up without it is reported too.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "benchmarks":
    sys.path.pop(0)  # run as a path: import benchmarks.* from the root, not siblings by name
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Before any further import: a bytecode cache outside the tree, for this process and its children.
from benchmarks.bytecode import use_bytecode_cache  # noqa: E402

use_bytecode_cache()

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from typing import Any  # noqa: E402

import psutil  # noqa: E402

from benchmarks import (  # noqa: E402
    ack_latency,
    ack_member_cache,
    bookkeeping,
    ci_report,
    digest_build,
    github_outage,
    large_request,
    memory,
    post_digest,
    promise_matching,
    search,
)
from benchmarks.common import free_port, process, python, standup_bot, wait_healthy  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
ACK_REPEATS = 5
P99_RATIO_BUDGET = 1.2
STARTUP_BUDGET_S = 1.0
IDLE_RSS_BUDGET_MB = 100.0
BUILD_BUDGET_S = 2.0
LARGE_REQUEST_BUDGET_MB = 5.0  # over idle, while refusing a 100 MB unsigned request
SLACK_ACK_WINDOW_MS = 3000.0
YEAR_DB_BUDGET_MB = 10.0
WARM_MODULES = (
    "bot.ops.cli, bot.runtime.serve, bot.runtime.http, bot.runtime.scheduler, "
    "bot.services.digest, bot.github, handlers, "
    "digests.render.blocks, digests.render.markdown, digests.render.chart, "
    "digests.render.ci_chart, digests.render.trend_chart, digests.matching, digests.promises, "
    "benchmarks.bare_bolt_app, uvicorn, "
    "uvicorn.loops.auto, uvicorn.protocols.http.auto, uvicorn.lifespan.on, "
    "matplotlib.figure, matplotlib.backends.backend_agg, matplotlib.patches, matplotlib.ticker"
)


def machine() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# --- bytecode cache and start-up ------------------------------------------------------------


def _app_commands(port: int) -> dict[str, list[str]]:
    return {
        "bare_bolt": [python(), "-m", "benchmarks.bare_bolt_app", str(port), "threadpool"],
        "standup_bot": [standup_bot(), "serve", "--host", "127.0.0.1", "--port", str(port)],
    }


def _startup_once(name: str, env: dict[str, str]) -> float:
    port = free_port()
    with process(_app_commands(port)[name], env) as proc:
        return wait_healthy(f"http://127.0.0.1:{port}", proc)


def warm_up_and_startup_without_cache() -> dict[str, float]:
    """Start each app once with no bytecode cache (what a bare checkout here pays), then fill the
    cache: every module the measured processes import, and one start of each app."""
    figures = {}
    with ack_latency.fake_slack_process() as (url, token), tempfile.TemporaryDirectory() as tmp:
        env = {
            "SLACK_BOT_TOKEN": token,
            "SLACK_SIGNING_SECRET": ack_latency.SECRET,
            "SLACK_API_URL": url,
            "STANDUP_CHANNEL": "C0STANDUP",
            "STANDUP_DB": str(Path(tmp) / "warm.db"),
            "STANDUP_LOG_LEVEL": "WARNING",
        }
        no_cache = {**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": ""}
        for name in ("bare_bolt", "standup_bot"):
            figures[f"{name}_startup_no_bytecode_cache_s"] = round(_startup_once(name, no_cache), 3)
        subprocess.run([python(), "-c", f"import {WARM_MODULES}"], cwd=ROOT, check=True)
        for name in ("bare_bolt", "standup_bot"):
            _startup_once(name, env)
    return figures


def ack_repeated(repeats: int) -> dict[str, Any]:
    runs = [ack_latency.run() for _ in range(repeats)]

    def median(app: str, key: str) -> float:
        return round(float(statistics.median(run[app][key] for run in runs)), 3)

    apps = ("bare_bolt_threadpool", "bare_bolt_adapter", "standup_bot")
    keys = (
        "p50_ms",
        "p99_ms",
        "max_ms",
        "startup_to_healthz_s",
        "rss_idle_mb",
        "rss_after_load_mb",
    )
    return {
        "repeats": repeats,
        "median": {app: {key: median(app, key) for key in keys} for app in apps},
        # Ratios within each run (both apps saw the same noise), then their median.
        "ratio_median": {
            name: round(statistics.median(run["ratios"][name] for run in runs), 2)
            for name in runs[0]["ratios"]
        },
        "runs": runs,
    }


# --- the table --------------------------------------------------------------------------------


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("ok" if ok else "MISSED")


def build_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    ack = results["ack"]["median"]
    bot, bare = ack["standup_bot"], ack["bare_bolt_threadpool"]
    ratios = results["ack"]["ratio_median"]
    mem = results["memory"]["median"]
    serve = results["serve_after_digest"]
    build = results["digest_build"]
    posting = results["posting"]
    startup = results["startup_without_bytecode_cache"]
    stages = build["stages_s_median"]
    rows = [
        {
            "what": "/standup ack p50, 50 concurrent",
            "budget": "—",
            "figure": f"{bot['p50_ms']:.0f} ms",
            "floor": f"bare Bolt {bare['p50_ms']:.0f} ms",
            "ratio": ratios["p50_vs_bare"],
            "ok": None,
        },
        {
            "what": "/standup ack p99, 50 concurrent",
            "budget": f"≤ {P99_RATIO_BUDGET}× bare",
            "figure": f"{bot['p99_ms']:.0f} ms",
            "floor": f"bare Bolt {bare['p99_ms']:.0f} ms",
            "ratio": ratios["p99_vs_bare"],
            "ok": ratios["p99_vs_bare"] <= P99_RATIO_BUDGET,
        },
        {
            "what": "start → /healthz 200",
            "budget": f"≤ {STARTUP_BUDGET_S:.0f} s",
            "figure": f"{bot['startup_to_healthz_s']:.2f} s",
            "floor": f"bare Bolt {bare['startup_to_healthz_s']:.2f} s",
            "ratio": ratios["startup_vs_bare"],
            "ok": bot["startup_to_healthz_s"] <= STARTUP_BUDGET_S,
        },
        {
            "what": "  same, no bytecode cache",
            "budget": "(info)",
            "figure": f"{startup['standup_bot_startup_no_bytecode_cache_s']:.2f} s",
            "floor": f"bare Bolt {startup['bare_bolt_startup_no_bytecode_cache_s']:.2f} s",
            "ratio": round(
                startup["standup_bot_startup_no_bytecode_cache_s"]
                / startup["bare_bolt_startup_no_bytecode_cache_s"],
                2,
            ),
            "ok": None,
        },
        {
            "what": "RSS serving, idle",
            "budget": f"≤ {IDLE_RSS_BUDGET_MB:.0f} MB",
            "figure": f"{bot['rss_idle_mb']:.0f} MB",
            "floor": f"bare Bolt {bare['rss_idle_mb']:.0f} MB",
            "ratio": round(bot["rss_idle_mb"] / bare["rss_idle_mb"], 2),
            "ok": bot["rss_idle_mb"] <= IDLE_RSS_BUDGET_MB,
        },
        {
            "what": "RSS serving, idle after its first digest",
            "budget": f"≤ {IDLE_RSS_BUDGET_MB:.0f} MB",
            "figure": f"{serve['rss_after_digest_mb']:.0f} MB",
            "floor": f"before it {serve['rss_idle_mb']:.0f} MB",
            "ratio": round(serve["rss_after_digest_mb"] / serve["rss_idle_mb"], 2),
            "ok": serve["rss_after_digest_mb"] <= IDLE_RSS_BUDGET_MB,
        },
    ]
    large = results["large_request"]
    for framing in ("content-length", "chunked"):
        refused = large[framing]
        over = refused["peak_rss_mb"] - large["rss_idle_mb"]
        rows.append(
            {
                "what": f"peak RSS refusing a {large['request_mb']} MB unsigned POST ({framing})",
                "budget": f"≤ idle + {LARGE_REQUEST_BUDGET_MB:.0f} MB",
                "figure": f"{refused['peak_rss_mb']:.0f} MB ({refused['status']})",
                "floor": f"idle {large['rss_idle_mb']:.0f} MB",
                "ratio": round(refused["peak_rss_mb"] / large["rss_idle_mb"], 2),
                "ok": refused["status"] == 413 and over <= LARGE_REQUEST_BUDGET_MB,
            }
        )
    rows += [
        {
            "what": "peak RSS, digest in a fresh process",
            "budget": "(report)",
            "figure": f"{mem['peak_rss_mb']:.0f} MB",
            "floor": f"after imports {mem['rss_after_imports_mb']:.0f} MB",
            "ratio": round(mem["peak_rss_mb"] / mem["rss_after_imports_mb"], 2),
            "ok": None,
        },
        {
            "what": "digest build, 200 people, 4×500 PRs (warm)",
            "budget": f"≤ {BUILD_BUDGET_S:.0f} s",
            "figure": f"{build['warm_build_s_median']:.2f} s",
            "floor": "—",
            "ratio": None,
            "ok": build["warm_build_s_median"] <= BUILD_BUDGET_S,
        },
        {
            "what": "digest build, first in a fresh process",
            "budget": f"≤ {BUILD_BUDGET_S:.0f} s",
            "figure": f"{mem['build_s']:.2f} s",
            "floor": "—",
            "ratio": None,
            "ok": mem["build_s"] <= BUILD_BUDGET_S,
        },
    ]
    history = build["history"]
    fresh = results["memory_history"]["median"]
    warm = build["warm_build_s_median"]
    history_rows = (
        (
            "computed_trend",
            f"digest build, {build['people']} people, {history['cycles']} cycles of "
            "history (warm, trend worked out)",
        ),
        ("recorded_trend", "  same, trend as earlier digests recorded it"),
    )
    rows += [
        {
            "what": what,
            "budget": f"≤ {BUILD_BUDGET_S:.0f} s",
            "figure": f"{history[key]['build_s_median']:.2f} s",
            "floor": f"without history {warm:.2f} s",
            "ratio": round(history[key]["build_s_median"] / warm, 2),
            "ok": history[key]["build_s_median"] <= BUILD_BUDGET_S,
        }
        for key, what in history_rows
    ]
    rows += [
        {
            "what": "  same, first in a fresh process (trend worked out)",
            "budget": f"≤ {BUILD_BUDGET_S:.0f} s",
            "figure": f"{fresh['build_s']:.2f} s",
            "floor": f"without history {mem['build_s']:.2f} s",
            "ratio": round(fresh["build_s"] / mem["build_s"], 2),
            "ok": fresh["build_s"] <= BUILD_BUDGET_S,
        },
    ]
    for stage in (
        "store reads",
        "github: all, at once",
        "github: PR board",
        "github: PR lookups",
        "github: billing",
        "build_digest",
        "render: Block Kit",
        "render: Markdown",
        "render: chart",
        "render: repo chart",
    ):
        rows.append(
            {
                "what": f"  {stage}",
                "budget": "(info)",
                "figure": f"{stages.get(stage, 0.0) * 1000:.0f} ms",
                "floor": "—",
                "ratio": None,
                "ok": None,
            }
        )
    computed = history["computed_trend"]["stages_s_median"]
    for stage in ("promises", "store reads", "render: trend chart"):
        rows.append(
            {
                "what": f"  with history: {stage}",
                "budget": "(info)",
                "figure": f"{computed.get(stage, 0.0) * 1000:.0f} ms",
                "floor": "—",
                "ratio": None,
                "ok": None,
            }
        )
    matching = results["promise_matching"]["at_threshold"]
    rows.append(
        {
            "what": f"promise matching at {results['promise_matching']['threshold']:.0f}, "
            f"{matching['pairs']} labelled pairs",
            "budget": "(report)",
            "figure": f"precision {matching['precision']:.2f}, recall {matching['recall']:.2f}",
            "floor": f"{matching['false_positives']} false pos., "
            f"{matching['false_negatives']} false neg.",
            "ratio": None,
            "ok": None,
        }
    )
    floor = build["github_request_floor"]
    rows += [
        {
            "what": "GitHub requests, first digest",
            "budget": "≤ floor + a few",
            "figure": f"{build['github_requests_first']} "
            f"({build['github_graphql_first']} GraphQL + {build['github_rest_first']} REST)",
            "floor": f"{floor} (naive REST {build['naive_rest_requests']})",
            "ratio": round(build["github_requests_first"] / floor, 2),
            "ok": build["github_requests_first"] <= floor + 3,
        },
        {
            "what": "GitHub REST answered 304, second digest",
            "budget": "all REST",
            "figure": f"{build['github_304_second']} of {build['github_rest_second']}",
            "floor": "—",
            "ratio": None,
            "ok": build["github_304_second"] == build["github_rest_second"] > 0,
        },
        {
            "what": f"posting {posting['posted_messages']} messages "
            f"({posting['follow_ups']} follow-ups)",
            "budget": "~1 msg/s",
            "figure": f"{posting['wall_s']:.1f} s",
            "floor": f"{posting['floor_s']:.0f} s (N × 1 s)",
            "ratio": posting["ratio_to_floor"],
            "ok": None,
        },
        {
            "what": "  Slack calls / 429s",
            "budget": "0 × 429",
            "figure": f"{posting['calls_total']} calls, {posting['rate_limited_429']} × 429",
            "floor": f"{posting['call_floor']} calls (1 a message, +2 an upload, +2 team)",
            "ratio": round(posting["calls_total"] / posting["call_floor"], 2),
            "ok": posting["rate_limited_429"] == 0,
        },
        {
            "what": "  second run for the same meeting",
            "budget": "posts nothing",
            "figure": f"{posting['second_run_posted']} posted",
            "floor": "—",
            "ratio": None,
            "ok": posting["second_run_posted"] == 0,
        },
    ]
    found = results.get("search")
    if found is not None:
        rows += [
            {
                "what": f"search p99, {found['standups']:,} standups "
                f"({found['search_documents']:,} lines)",
                "budget": f"≤ {found['p99_budget_ms']:.0f} ms",
                "figure": f"{found['p99_ms']:.1f} ms",
                "floor": f"p50 {found['p50_ms']:.1f} ms",
                "ratio": round(found["p99_ms"] / found["p99_budget_ms"], 2),
                "ok": found["p99_ms"] <= found["p99_budget_ms"],
            },
            {
                "what": "  full re-index of that history",
                "budget": f"≤ {found['reindex_budget_s']:.0f} s",
                "figure": f"{found['reindex_s_median']:.2f} s",
                "floor": "—",
                "ratio": round(found["reindex_s_median"] / found["reindex_budget_s"], 2),
                "ok": found["reindex_s_median"] <= found["reindex_budget_s"],
            },
        ]
    rows += _github_rows(results)
    cache = results.get("ack_member_cache")
    if cache is not None:
        for what, label in (("command", "/standup"), ("submission", "modal submission")):
            cold, warm = cache[f"{what}_cold"], cache[f"{what}_warm"]
            rows.append(
                {
                    "what": f"{label} ack p99, empty member cache, 50 concurrent",
                    "budget": "< 3 s, all 200",
                    "figure": f"{cold['p99_ms']:.0f} ms ({cold['not_200']} not 200)",
                    "floor": f"warm cache {warm['p99_ms']:.0f} ms",
                    "ratio": cache["p99_cold_vs_warm"][what],
                    "ok": cold["p99_ms"] < SLACK_ACK_WINDOW_MS and cold["not_200"] == 0,
                }
            )
    year = results.get("bookkeeping")
    if year is not None:
        rows.append(
            {
                "what": f"database after {year['days']} days of a busy workspace",
                "budget": f"≤ {YEAR_DB_BUDGET_MB:.0f} MB",
                "figure": f"{year['now']['file_mb']:.1f} MB",
                "floor": f"unpruned, every ✅ claimed {year['before']['file_mb']:.0f} MB",
                "ratio": round(year["now"]["file_mb"] / year["before"]["file_mb"], 3),
                "ok": year["now"]["file_mb"] <= YEAR_DB_BUDGET_MB,
            }
        )
    for row in rows:
        row["verdict"] = _verdict(row.pop("ok"))
    return rows


CI_REPORT_BILLING_BUDGET = 12
OUTAGE_BUDGET_S = 60.0


def _github_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    report = results["ci_report"]
    first, again = report["first"], report["second_same_day"]
    outage = results["github_outage"]
    rows = [
        {
            "what": f"ci-report --months 12, {report['repositories']} repos x "
            f"{report['skus_per_repo_per_day']} SKU lines/day ({report['usage_lines']:,} lines)",
            "budget": f"≤ {CI_REPORT_BILLING_BUDGET} billing requests + repo pages",
            "figure": f"{first['wall_s']:.1f} s; {first['billing_requests']} billing + "
            f"{first['repo_list_pages']} repo pages + {first['graphql_requests']} GraphQL",
            "floor": f"{report['months']} months",
            "ratio": round(first["billing_requests"] / report["months"], 2),
            "ok": first["billing_requests"] <= CI_REPORT_BILLING_BUDGET,
        },
        {
            "what": "  its peak RSS (the command alone)",
            "budget": "(report)",
            "figure": f"{first['peak_rss_mb']:.0f} MB",
            "floor": f"same day, all cached {again['peak_rss_mb']:.0f} MB",
            "ratio": round(first["peak_rss_mb"] / again["peak_rss_mb"], 2),
            "ok": None,
        },
        {
            "what": "  again the same day (closed months cached)",
            "budget": "closed months not asked",
            "figure": f"{again['wall_s']:.1f} s; {again['billing_requests']} billing "
            f"({again['billing_304']} × 304)",
            "floor": "1 (the running month)",
            "ratio": None,
            "ok": again["billing_requests"] == 1,
        },
    ]
    for name in ("hanging", "5xx"):
        row = outage[name]
        rows.append(
            {
                "what": f"digest with GitHub {name} (every request)",
                "budget": f"posts ≤ {OUTAGE_BUDGET_S:.0f} s, says so",
                "figure": f"{row['main_message_s']} s; {row['github_requests']} GitHub requests",
                "floor": f"GitHub phase {outage['github_phase_s']:g} s",
                "ratio": None,
                "ok": row["digest_s"] <= OUTAGE_BUDGET_S and row["says_github_is_unavailable"],
            }
        )
    return rows


def render_table(rows: list[dict[str, Any]]) -> str:
    header = ("what", "budget", "figure", "floor", "ratio", "verdict")
    cells = [
        [str(row[h]) if row[h] is not None else "—" for h in header]
        for row in [dict(zip(header, header, strict=True)), *rows]
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    lines = []
    for index, line in enumerate(cells):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ack-repeats", type=int, default=ACK_REPEATS)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    options = parser.parse_args()
    started = time.perf_counter()
    results: dict[str, Any] = {"machine": machine()}

    def step(name: str, what: str, run: Any) -> None:
        print(f"… {what}", file=sys.stderr, flush=True)
        began = time.perf_counter()
        results[name] = run()
        print(f"  {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)

    step("startup_without_bytecode_cache", "start-up without a bytecode cache; warm-up",
         warm_up_and_startup_without_cache)  # fmt: skip
    step("ack", f"ack latency x{options.ack_repeats}", lambda: ack_repeated(options.ack_repeats))
    step("memory", "digest peak RSS in fresh processes", memory.run)
    step("memory_history", "the same with 8 cycles of history",
         lambda: memory.run(history=True))  # fmt: skip
    step("serve_after_digest", "serve RSS after its first digest", memory.serve_after_digest)
    step("large_request", "serve RSS refusing a 100 MB request", large_request.run)
    step("digest_build", "digest build and GitHub requests", digest_build.run)
    step("posting", "posting at 1 message/s", post_digest.run)
    step("promise_matching", "promise matching on the labelled pairs", promise_matching.run)
    step("search", "search over 13,000 standups; re-index", search.run)
    step("ci_report", "ci-report --months 12, 50 repositories", ci_report.run)
    step("github_outage", "digest with GitHub hanging / 5xx", github_outage.run)
    step("ack_member_cache", "ack with an empty member cache", ack_member_cache.run)
    step("bookkeeping", "a year of bookkeeping", bookkeeping.run)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["total_s"] = round(time.perf_counter() - started, 1)
    rows = build_rows(results)
    results["rows"] = rows
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    info = results["machine"]
    print(
        f"\nstandup-bot benchmarks, {info['date']}: {info['nproc']} CPUs, {info['memory_gb']} GB, "
        f"Python {info['python']}, load {info['load_average_at_start']} → "
        f"{info['load_average_at_end']}; {results['total_s']:.0f} s\n"
    )
    print(render_table(rows))
    shown = options.out.relative_to(ROOT) if options.out.is_relative_to(ROOT) else options.out
    print(f"\nJSON: {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
