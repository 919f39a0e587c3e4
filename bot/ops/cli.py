"""The `standup-bot` command (README, "Commands"). Thin: parse arguments, build deps, call a
service."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings
from bot.store import StoreError
from digests.models import Cycle

log = logging.getLogger("standup_bot")


class UsageError(Exception):
    """Bad arguments: printed as one line, exit 2."""


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2026-11-30, got {value!r}"
        ) from None


def _months(value: str) -> int:
    from bot.services.ci_report import MAX_MONTHS

    try:
        months = int(value)
    except ValueError:
        months = 0
    if not 1 <= months <= MAX_MONTHS:
        raise argparse.ArgumentTypeError(f"expected 1 to {MAX_MONTHS} months, got {value!r}")
    return months


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="standup-bot", description="A self-hosted Slack bot for a team's weekly standup."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the bot (HTTP mode, or Socket Mode with SLACK_APP_TOKEN) with its scheduler",
    )
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    serve.add_argument(
        "--port", type=int, default=None, help="port to listen on (default $PORT, else 3000)"
    )

    digest = commands.add_parser("digest", help="build or post the Monday digest")
    digest_commands = digest.add_subparsers(dest="digest_command", required=True, metavar="ACTION")
    preview = digest_commands.add_parser("preview", help="write the digest to files, post nothing")
    preview.add_argument("--date", type=_date, help="meeting date (default: the next meeting)")
    preview.add_argument(
        "--out",
        type=Path,
        default=Path("digest-preview"),
        help="directory for digest.md, blocks.json, ci-billing.png",
    )
    post = digest_commands.add_parser("post", help="post the digest to STANDUP_CHANNEL (once)")
    post.add_argument("--date", type=_date, help="meeting date (default: the next meeting)")
    post.add_argument("--force", action="store_true", help="post a fresh copy even if posted")

    export = commands.add_parser(
        "export", help="print one meeting's (or a range's) standups, asks and follow-ups"
    )
    export.add_argument("--date", type=_date, help="meeting date (default: the current cycle)")
    export.add_argument(
        "--from", dest="first", type=_date, help="first meeting date of a range (with --to)"
    )
    export.add_argument("--to", dest="last", type=_date, help="last meeting date of a range")
    export.add_argument("--user", help="a range: only this person (Slack handle, name or id)")
    export.add_argument(
        "--format",
        choices=("json", "md", "csv"),
        default="json",
        help="output format (default json; csv for a range)",
    )

    search = commands.add_parser("search", help="full-text search of what people wrote")
    search.add_argument(
        "words", nargs="+", help="words to find (stemmed: deploying finds deployed)"
    )
    search.add_argument("--user", help="only what this person wrote (Slack handle, name or id)")
    search.add_argument("--from", dest="first", type=_date, help="meetings on or after this date")
    search.add_argument("--to", dest="last", type=_date, help="meetings on or before this date")
    search.add_argument(
        "--format", choices=("md", "json"), default="md", help="output format (default md)"
    )
    search.add_argument("--limit", type=int, default=20, help="how many matches (default 20)")

    demo = commands.add_parser("demo", help="build a sample digest offline, no tokens needed")
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("demo-out"),
        help="directory for the demo's files (default ./demo-out)",
    )
    demo.add_argument(
        "--date",
        type=_date,
        help="the sample meeting's date (default: the latest Monday); "
        "a fixed date gives the same files every time",
    )

    commands.add_parser("doctor", help="check configuration, tokens, scopes, channel and GitHub")

    ci_report = commands.add_parser(
        "ci-report", help="the CI audit: where the GitHub Actions minutes go, by repository"
    )
    ci_report.add_argument(
        "--months",
        type=_months,
        default=12,
        help="calendar months to audit, ending with the current one (default 12, at most 24)",
    )
    ci_report.add_argument("--org", help="GitHub organization (default GITHUB_ORG)")
    ci_report.add_argument(
        "--date",
        type=_date,
        help="audit as of that day: the months end with its month (default: today)",
    )
    ci_report.add_argument(
        "--out",
        type=Path,
        default=Path("ci-report"),
        help="directory for ci-report.md, ci-by-repo.png, ci-billing.png, ci-usage.csv",
    )

    backup = commands.add_parser("backup", help="copy the live database safely (online backup)")
    backup.add_argument("path", type=Path, help="where to write the copy")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "demo":
            from bot.ops.demo import run_demo

            _setup_logging("WARNING")
            return int(run_demo(args.out, meeting_date=args.date))
        settings = load_settings()
        _setup_logging(settings.standup_log_level)
        return _dispatch(args, settings)
    except (ConfigError, StoreError, UsageError) as error:
        print(f"standup-bot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "serve":
        from bot.runtime.serve import serve

        port = args.port if args.port is not None else int(os.environ.get("PORT") or 3000)
        return serve(settings, host=args.host, port=port)
    if args.command == "export":
        if args.first is not None or args.last is not None or args.user is not None:
            return _export_range(settings, args)
        if args.format == "csv":
            raise UsageError("--format csv is for a range: give --from and --to")
        return _export(settings, args.date, args.format)
    if args.command == "search":
        return _search(settings, args)
    if args.command == "digest":
        if args.digest_command == "preview":
            return _digest_preview(settings, args.date, args.out)
        return _digest_post(settings, args.date, force=args.force)
    if args.command == "doctor":
        from bot.ops.doctor import run_doctor

        return run_doctor(settings)
    if args.command == "backup":
        return _backup(settings, args.path)
    if args.command == "ci-report":
        return _ci_report(
            settings, months=args.months, org=args.org, out=args.out, on_day=args.date
        )
    raise UsageError(f"unknown command {args.command}")


def _cycle_for(settings: Settings, meeting_date: date | None) -> Cycle:
    """The meeting on `meeting_date`, else the current cycle's (the next digest)."""
    from bot.deps import utc_now
    from digests.cycles import cycle_at, cycle_for_meeting

    try:
        if meeting_date is not None:
            return cycle_for_meeting(settings.digest_schedule, meeting_date)
        return cycle_at(settings.digest_schedule, utc_now())
    except ValueError as error:
        raise UsageError(str(error)) from None


def _export(settings: Settings, meeting_date: date | None, fmt: str) -> int:
    from bot.ops.export import build_export, render_export_json, render_export_markdown
    from bot.store import Store

    cycle = _cycle_for(settings, meeting_date)
    with Store(settings.standup_db) as store:
        export = build_export(store, cycle, settings)
    print(render_export_json(export) if fmt == "json" else render_export_markdown(export), end="")
    if fmt == "json":
        print()
    return 0


def _export_range(settings: Settings, args: argparse.Namespace) -> int:
    from bot.ops.export import build_range_export, render_range_csv, render_range_markdown
    from bot.services.team import find_member
    from bot.store import Store

    if args.first is None or args.last is None:
        raise UsageError("a range needs both --from and --to")
    if args.date is not None:
        raise UsageError("give either --date (one meeting) or --from and --to (a range)")
    if args.last < args.first:
        raise UsageError(f"--to {args.last} is before --from {args.first}")
    with Store(settings.standup_db) as store:
        user_id = None
        if args.user is not None:
            member = find_member(store, args.user)
            if member is None:
                raise UsageError(f"no member is called {args.user!r} (try their Slack handle)")
            user_id = member.user_id
        export = build_range_export(store, args.first, args.last, user_id=user_id)
    if args.format == "json":
        print(json.dumps(export, indent=2, ensure_ascii=False))
    elif args.format == "md":
        print(render_range_markdown(export), end="")
    else:
        print(render_range_csv(export), end="")
    return 0


def _search(settings: Settings, args: argparse.Namespace) -> int:
    from bot.deps import Deps
    from bot.ops.export import render_search_markdown
    from bot.services.search import page_as_json, search_for_cli
    from bot.store import Store

    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    with Store(settings.standup_db) as store:
        try:
            page, name = search_for_cli(
                Deps(settings=settings, store=store),
                " ".join(args.words),
                user=args.user,
                since=args.first,
                until=args.last,
                limit=args.limit,
            )
        except LookupError as error:
            raise UsageError(str(error)) from None
    print(page_as_json(page) if args.format == "json" else render_search_markdown(page, name))
    return 0


def _digest_preview(settings: Settings, meeting_date: date | None, out: Path) -> int:
    from bot.deps import build_deps
    from bot.services.digest import gather_digest, render_digest_files, write_preview
    from bot.slack.client import create_web_client

    cycle = _cycle_for(settings, meeting_date)
    deps = build_deps(settings)
    try:
        client = create_web_client(settings) if settings.slack_bot_token else None
        digest = gather_digest(deps, cycle, now=deps.now(), team_from=client)
        files = render_digest_files(digest)
    finally:
        deps.close()
    for path in write_preview(files, out):
        print(path)
    return 0


def _digest_post(settings: Settings, meeting_date: date | None, *, force: bool) -> int:
    from bot.deps import build_deps
    from bot.services.digest import run_digest
    from bot.slack.client import create_web_client

    settings.require("slack_bot_token", "standup_channel")
    cycle = _cycle_for(settings, meeting_date)
    deps = build_deps(settings)
    try:
        client = create_web_client(settings)
        report = run_digest(deps, client, now=deps.now(), cycle=cycle, force=force)
    finally:
        deps.close()
    if report.error:
        print(
            f"standup-bot: digest for {cycle.meeting_date} stopped: {report.error}. "
            "Fix it and run the same command again: it resumes where it stopped."
        )
        return 1
    print(
        f"digest for {cycle.meeting_date}: {report.posted} messages posted, "
        f"{report.already_posted + report.found_after_crash} already in Slack"
    )
    return 0


def _ci_report(
    settings: Settings, *, months: int, org: str | None, out: Path, on_day: date | None
) -> int:
    from datetime import UTC, datetime, time

    from bot.deps import build_deps
    from bot.ops.progress import month_progress
    from bot.services.ci_report import build_ci_report, write_ci_report

    org = org or settings.org
    if not org:
        raise UsageError("no organization: give --org or set GITHUB_ORG (or GITHUB_REPOS)")
    if settings.github_token is None:
        raise UsageError("GITHUB_TOKEN is not set: ci-report reads GitHub's billing usage report")
    deps = build_deps(settings)
    try:
        now = deps.now()
        if on_day is not None:
            now = min(now, datetime.combine(on_day, time(12), tzinfo=UTC))
        with month_progress(months, f"GitHub billing usage for {org}") as advance:
            report = build_ci_report(deps, org=org, months=months, now=now, on_month=advance)
        written = write_ci_report(
            out, usage=report.usage, audit=report.audit, billing=report.billing, now=now
        )
    finally:
        deps.close()
    for path in written:
        print(path)
    if report.problem:
        print(f"standup-bot: ci-report for {org}: {report.problem}", file=sys.stderr)
    print(
        f"{org}: {len(report.audit.months)} months ({report.months_asked} asked of GitHub, "
        f"{report.requests} requests), {len(report.audit.repos)} repositories, "
        f"{len(report.audit.flags)} flags",
        file=sys.stderr,
    )
    return 1 if report.problem and not report.audit.months else 0


def _backup(settings: Settings, path: Path) -> int:
    from bot.store import Store

    if not settings.standup_db.exists():
        raise UsageError(f"there is no database at {settings.standup_db} (STANDUP_DB)")
    if path.exists() and path.resolve() == settings.standup_db.resolve():
        raise UsageError("the backup path is the live database itself")
    with Store(settings.standup_db) as store:
        store.backup(path)
    print(f"backed up {settings.standup_db} to {path}")
    return 0


def _setup_logging(level: str) -> None:
    from bot.ops.logs import setup_logging

    setup_logging(level)


if __name__ == "__main__":
    raise SystemExit(main())
