"""`standup-bot doctor`: check configuration, tokens, scopes, channel and GitHub access.

Each check becomes one printed line: `ok`, `warn` or `FAIL`, what was found, and for every problem
the fix. The exit code is 1 when something the bot needs is broken (a `FAIL`), else 0. GitHub is
optional: no token is a warning, billing a token may not read is a warning, but a token that is
set and rejected, or a listed repository it cannot read, is a failure (it was configured and does
not work). No token is ever printed: every line also goes through `bot.ops.logs.redact`.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.config import Settings
from bot.ops.logs import redact
from bot.slack import connections
from bot.slack.manifest import bot_scopes

if TYPE_CHECKING:
    from bot.github.client import GitHubClient

# Slack errors that mean the token itself is bad, not the network or Slack.
_BAD_TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)

# The fixes, word for word as README.md's troubleshooting section repeats them
# (tests/test_docs.py checks that it does). `{bot}`, `{channel}` and `{org}` are filled in.
FIX_BOT_TOKEN_MISSING = (
    "set SLACK_BOT_TOKEN to the Bot User OAuth Token (xoxb-...) from the app's "
    "OAuth & Permissions page"
)
FIX_BOT_TOKEN_REJECTED = (
    "copy the Bot User OAuth Token again from the app's OAuth & Permissions page "
    "(reinstall the app to the workspace if it was revoked)"
)
FIX_SLACK_UNREACHABLE = "check the network and SLACK_API_URL (normally https://slack.com/api/)"
FIX_SCOPES = "add them in the app's OAuth & Permissions page or reinstall from manifest.yaml"
FIX_SCOPES_UNKNOWN = "reinstall the app from manifest.yaml to be sure it has every scope"
FIX_CHANNEL_MISSING = (
    "set STANDUP_CHANNEL to the channel's ID (channel name > About, at the bottom: C0123ABCD)"
)
FIX_CHANNEL_NOT_FOUND = (
    "check the ID in STANDUP_CHANNEL; for a private channel, /invite @{bot} in it first"
)
FIX_CHANNEL_ARCHIVED = "unarchive the channel or point STANDUP_CHANNEL at another one"
FIX_NOT_A_MEMBER = "/invite @{bot} in #{channel}"
FIX_SIGNING_SECRET = (
    "set SLACK_SIGNING_SECRET to the Signing Secret on the app's Basic Information page "
    "(or set SLACK_APP_TOKEN to use Socket Mode)"
)
FIX_APP_TOKEN_REFUSED = connections.FIX_APP_TOKEN_REFUSED
FIX_DATABASE = (
    "point STANDUP_DB at a writable file (on fly.io the volume is mounted at /data: "
    "STANDUP_DB=/data/standup.db)"
)
FIX_GITHUB_TOKEN_MISSING = (
    "set GITHUB_TOKEN to a token that can read GITHUB_REPOS "
    "(fine-grained: Pull requests and Commit statuses, read-only)"
)
FIX_GITHUB_TOKEN_REJECTED = (
    "create a new token (fine-grained: Pull requests and Commit statuses, read-only) "
    "and set GITHUB_TOKEN to it"
)
FIX_GITHUB_UNREACHABLE = "check the network and GITHUB_API_URL (normally https://api.github.com)"
FIX_GITHUB_REPOS_EMPTY = "set GITHUB_REPOS to the repositories to follow, e.g. acme/api,acme/web"
FIX_REPO = (
    "give the token read access to it (fine-grained: add the repository; classic: the repo "
    "scope) or remove it from GITHUB_REPOS"
)
FIX_BILLING = (
    "for the CI billing and audit, set GITHUB_TOKEN to a personal access token of an owner of "
    '{org}: classic, or fine-grained with the "Administration" organization permission (read) '
    "besides Pull requests and Commit statuses; the rest of the digest works without it"
)
FIX_BILLING_APP_TOKEN = (
    "GitHub App installation tokens cannot read the billing usage report: set GITHUB_TOKEN to "
    "a personal access token of an owner of {org} (classic, or fine-grained with the "
    '"Administration" organization permission, read)'
)
FIX_BILLING_NO_REPORT = (
    "check GITHUB_ORG; GitHub has a usage report only for organizations on its enhanced "
    "billing platform; the rest of the digest works without it"
)


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Check:
    status: Status
    what: str
    fix: str | None = None


def render_check(check: Check) -> str:
    line = f"{check.status.value:<4}  {check.what}"
    if check.fix:
        line += f" -- fix: {check.fix}"
    return redact(line)


def render_summary(checks: Sequence[Check]) -> str:
    failures = sum(check.status is Status.FAIL for check in checks)
    warnings = sum(check.status is Status.WARN for check in checks)
    if failures:
        return f"doctor: {failures} problem(s) to fix, {warnings} warning(s)"
    if warnings:
        return f"doctor: ready, with {warnings} warning(s)"
    return "doctor: all checks passed"


def run_doctor(
    settings: Settings,
    *,
    client: WebClient | None = None,
    github: GitHubClient | None = None,
    out: TextIO | None = None,
    now: datetime | None = None,
) -> int:
    """Run every check, print one line each and a summary; 1 if any check failed, else 0."""
    from bot.deps import utc_now

    stream = out if out is not None else sys.stdout
    moment = now if now is not None else utc_now()
    checks: list[Check] = []
    for check in _all_checks(settings, client=client, github=github, now=moment):
        checks.append(check)
        print(render_check(check), file=stream, flush=True)
    print(render_summary(checks), file=stream, flush=True)
    return 1 if any(check.status is Status.FAIL for check in checks) else 0


def _all_checks(
    settings: Settings,
    *,
    client: WebClient | None,
    github: GitHubClient | None,
    now: datetime,
) -> Iterator[Check]:
    yield from check_slack(settings, client)
    yield check_request_verification(settings)
    yield check_schedule(settings, now)
    yield check_database(settings.standup_db, now)
    yield from check_github(settings, github, now)


# --- Slack ------------------------------------------------------------------------------------


def check_slack(settings: Settings, client: WebClient | None) -> Iterator[Check]:
    """The token (auth.test), its scopes (the x-oauth-scopes header) and the digest channel."""
    token = settings.secret("slack_bot_token")
    if not token:
        yield Check(Status.FAIL, "SLACK_BOT_TOKEN is not set", FIX_BOT_TOKEN_MISSING)
        if not settings.standup_channel:
            yield Check(Status.FAIL, "STANDUP_CHANNEL is not set", FIX_CHANNEL_MISSING)
        return
    if client is None:
        from bot.slack.client import create_web_client

        client = create_web_client(settings)
    try:
        auth = client.auth_test()
    except SlackApiError as error:
        code = str(error.response.get("error", "unknown_error"))
        if code in _BAD_TOKEN_ERRORS:
            yield Check(
                Status.FAIL, f"Slack rejected SLACK_BOT_TOKEN ({code})", FIX_BOT_TOKEN_REJECTED
            )
        else:
            yield Check(Status.FAIL, f"Slack auth.test failed ({code})", FIX_SLACK_UNREACHABLE)
        return
    except (SlackClientError, OSError) as error:
        yield Check(
            Status.FAIL,
            f"could not reach Slack at {settings.slack_api_url} ({type(error).__name__})",
            FIX_SLACK_UNREACHABLE,
        )
        return
    bot_name = str(auth.get("user") or "standup-bot")
    yield Check(
        Status.OK,
        f"SLACK_BOT_TOKEN works: bot @{bot_name} ({auth.get('user_id')}) "
        f"in workspace {auth.get('team')}",
    )
    yield check_scopes(_header(auth.headers, "x-oauth-scopes"))
    yield check_channel(settings.standup_channel, client, bot_name)


def check_scopes(granted_header: str | None) -> Check:
    if granted_header is None:
        return Check(Status.WARN, "Slack did not report the token's scopes", FIX_SCOPES_UNKNOWN)
    granted = {scope.strip() for scope in granted_header.split(",") if scope.strip()}
    required = bot_scopes()
    missing = [scope for scope in required if scope not in granted]
    if missing:
        return Check(Status.FAIL, f"the bot token lacks scopes: {', '.join(missing)}", FIX_SCOPES)
    return Check(Status.OK, f"the bot token has every scope it needs ({len(required)})")


def check_channel(channel: str | None, client: WebClient, bot_name: str) -> Check:
    if not channel:
        return Check(Status.FAIL, "STANDUP_CHANNEL is not set", FIX_CHANNEL_MISSING)
    try:
        info = client.conversations_info(channel=channel)
    except SlackApiError as error:
        code = str(error.response.get("error", "unknown_error"))
        if code == "missing_scope":
            what = f"cannot look up STANDUP_CHANNEL {channel}: the token lacks a scope ({code})"
            return Check(Status.FAIL, what, FIX_SCOPES)
        return Check(
            Status.FAIL,
            f"STANDUP_CHANNEL {channel} was not found ({code})",
            FIX_CHANNEL_NOT_FOUND.format(bot=bot_name),
        )
    except (SlackClientError, OSError) as error:
        what = f"could not look up STANDUP_CHANNEL {channel} ({type(error).__name__})"
        return Check(Status.FAIL, what, FIX_SLACK_UNREACHABLE)
    details = info.get("channel") or {}
    name = str(details.get("name") or channel)
    if details.get("is_archived"):
        return Check(
            Status.FAIL, f"STANDUP_CHANNEL #{name} ({channel}) is archived", FIX_CHANNEL_ARCHIVED
        )
    if not details.get("is_member"):
        return Check(
            Status.FAIL,
            f"the bot is not a member of #{name} ({channel})",
            FIX_NOT_A_MEMBER.format(bot=bot_name, channel=name),
        )
    return Check(Status.OK, f"STANDUP_CHANNEL is #{name} ({channel}) and the bot is a member")


def check_request_verification(settings: Settings) -> Check:
    if settings.socket_mode:
        return check_app_token(settings)
    if settings.slack_signing_secret is None or not settings.secret("slack_signing_secret"):
        return Check(
            Status.FAIL, "SLACK_SIGNING_SECRET is not set (needed in HTTP mode)", FIX_SIGNING_SECRET
        )
    return Check(Status.OK, "SLACK_SIGNING_SECRET is set (HTTP mode)")


def check_app_token(settings: Settings) -> Check:
    """Socket Mode: ask Slack for a websocket URL with the app token, as `serve` does first."""
    from bot.slack.client import create_app_token_client

    token = settings.secret("slack_app_token") or ""
    answer = connections.open_socket_url(create_app_token_client(settings), token)
    if answer.refused is not None:
        what = f"Slack refused SLACK_APP_TOKEN ({answer.refused})"
        return Check(Status.FAIL, what, FIX_APP_TOKEN_REFUSED)
    if answer.url is None:
        what = f"could not check SLACK_APP_TOKEN at {settings.slack_api_url} ({answer.problem})"
        return Check(Status.FAIL, what, FIX_SLACK_UNREACHABLE)
    return Check(Status.OK, "SLACK_APP_TOKEN works: Slack opens Socket Mode connections for it")


def _header(headers: object, name: str) -> str | None:
    if not isinstance(headers, dict):
        return None
    for key, value in headers.items():
        if str(key).lower() == name:
            return str(value[0] if isinstance(value, list) and value else value)
    return None


# --- schedule and database --------------------------------------------------------------------


def check_schedule(settings: Settings, now: datetime) -> Check:
    """The next three digest times, each with its holiday move, and the next reminders."""
    from digests.cycles import upcoming_fires
    from digests.render.wording import moved_note

    zone = settings.zone
    digests = []
    for fire, move in upcoming_fires(settings.digest_schedule, now, 3):
        moved = f" ({moved_note(move).text})" if move else ""
        digests.append(f"{fire.astimezone(zone):%a %Y-%m-%d %H:%M}{moved}")
    reminder = settings.reminder_schedule.next_fire(now).astimezone(zone)
    holidays = settings.standup_holidays or "none"
    if settings.standup_extra_holidays.strip():
        holidays += " + STANDUP_EXTRA_HOLIDAYS"
    return Check(
        Status.OK,
        f"schedule ({settings.standup_timezone}): next digest {digests[0]}, then "
        f"{', '.join(digests[1:])}; next reminders {reminder:%a %Y-%m-%d %H:%M} "
        f"in each person's zone; holidays: {holidays}",
    )


def check_database(path: Path, now: datetime) -> Check:
    """An existing database is opened as `serve` opens it and takes one write. A missing one is
    not created (doctor may run as another user, e.g. root over `fly ssh`, and the file would
    then belong to that user): its directory is checked instead.
    """
    from bot.store import Store, StoreError

    if not path.exists():
        return _check_database_directory(path)
    try:
        with Store(path) as store:
            store.save_meta("doctor_checked_at", now.isoformat())
            version = store.schema_version
    except StoreError as error:
        return Check(Status.FAIL, f"STANDUP_DB: {error}", FIX_DATABASE)
    return Check(Status.OK, f"STANDUP_DB {path} is writable (schema version {version})")


def _check_database_directory(path: Path) -> Check:
    existing = path.absolute().parent
    while not existing.exists():  # `serve` creates missing directories
        existing = existing.parent
    try:
        if not existing.is_dir():
            raise NotADirectoryError(f"{existing} is not a directory")
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        what = f"STANDUP_DB: cannot create {path} ({error.strerror or error})"
        return Check(Status.FAIL, what, FIX_DATABASE)
    return Check(
        Status.OK,
        f"STANDUP_DB {path} does not exist yet; serve creates it ({existing} is writable)",
    )


# --- GitHub -----------------------------------------------------------------------------------


def check_github(settings: Settings, github: GitHubClient | None, now: datetime) -> Iterator[Check]:
    if settings.github_token is None or not settings.secret("github_token"):
        yield Check(
            Status.WARN,
            "GITHUB_TOKEN is not set: the digest says so instead of listing pull requests "
            "and CI billing",
            FIX_GITHUB_TOKEN_MISSING,
        )
        return
    if github is None:
        from bot.github.client import GitHubClient

        with GitHubClient(settings, max_wait=10.0) as own:
            yield from _check_github_access(settings, own, now)
        return
    yield from _check_github_access(settings, github, now)


def _check_github_access(
    settings: Settings, github: GitHubClient, now: datetime
) -> Iterator[Check]:
    viewer = github.fetch_viewer()
    if viewer.data is None:
        problem = viewer.problem or "no answer"
        rejected = "401" in problem or "rejected" in problem
        fix = FIX_GITHUB_TOKEN_REJECTED if rejected else FIX_GITHUB_UNREACHABLE
        yield Check(Status.FAIL, f"GITHUB_TOKEN does not work: {problem}", fix)
        return
    yield Check(Status.OK, f"GITHUB_TOKEN works: GitHub user {viewer.data}")
    if not settings.repos:
        yield Check(
            Status.WARN,
            "GITHUB_REPOS is empty: the digest lists no pull requests",
            FIX_GITHUB_REPOS_EMPTY,
        )
    for repo in settings.repos:
        access = github.fetch_repo_access(repo)
        if access.data:
            yield Check(Status.OK, f"GitHub repository {repo} is readable")
        else:
            problem = (access.problem or "no answer").removeprefix(f"{repo}: ")
            yield Check(Status.FAIL, f"GitHub repository {repo}: {problem}", FIX_REPO)
    org = settings.org
    if org is None:
        return
    billing = github.fetch_billing_access(org, today=now.date())  # one request, this month
    if billing.problem is None:
        yield Check(Status.OK, f"Actions billing for {org} is readable")
        return
    # A missing permission (403) is told apart from an org without a usage report (404).
    fixes = {
        "forbidden": FIX_BILLING,
        "app_token": FIX_BILLING_APP_TOKEN,
        "no_report": FIX_BILLING_NO_REPORT,
    }
    billing_fix = fixes.get(billing.data)
    if billing_fix is None:  # GitHub down, rate limit: not the token's fault
        what = f"Actions billing for {org}: {billing.problem}"
        yield Check(Status.WARN, what, FIX_GITHUB_UNREACHABLE)
        return
    yield Check(Status.WARN, billing.problem, billing_fix.format(org=org))
