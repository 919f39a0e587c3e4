"""Time away: `/standup away`, `/standup back`, App Home's controls, and who is away when the
reminders go out or the digest is built (days set here, and away-type Slack statuses)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from slack_sdk import WebClient

from bot.config import Settings
from bot.deps import Deps
from bot.slack.errors import SLACK_FAILURES, slack_error
from bot.slack.members import fetch_member
from bot.store import Store, StoreError
from digests.away import AwayBook, away_whole_cycles, status_key
from digests.models import AwayPerson, Cycle, Member, TimeAway
from digests.parsing import AWAY_USAGE, parse_away
from digests.render import views

log = logging.getLogger(__name__)


def team_today(deps: Deps) -> date:
    """Today in the team's zone: the day `/standup away mon` counts from."""
    return deps.now().astimezone(deps.settings.zone).date()


def away_book(
    deps: Deps,
    members: list[Member],
    *,
    from_day: date,
    time_away: Sequence[TimeAway] | None = None,
) -> AwayBook:
    """Who is away among `members`: days away not over by `from_day` (`time_away` when the
    caller has read them already), and their statuses."""
    store = deps.store
    if time_away is None:
        time_away = store.get_time_away(ending_on_or_after=from_day)
    return AwayBook.build(
        members,
        time_away,
        store.get_back_from_statuses(),
        zone=deps.settings.zone,
        extra_emoji=deps.settings.away_emoji,
        calendar=deps.settings.holiday_calendar,
    )


def away_in_cycle(
    deps: Deps, team: list[Member], cycle: Cycle, *, now: datetime
) -> list[AwayPerson]:
    """Team members away during `cycle` (for the digest)."""
    first_day = cycle.starts_at.astimezone(deps.settings.zone).date() - timedelta(days=1)
    book = away_book(deps, team, from_day=first_day)
    found = (book.away_in_cycle(member.user_id, cycle, now) for member in team)
    return [entry for entry in found if entry is not None]


def away_whole_cycles_of(
    store: Store, settings: Settings, cycles: list[Cycle]
) -> dict[date, frozenset[str]]:
    """Who was away for all of each of these cycles (by meeting date), by the days set with
    `/standup away`: for the trend's cycles, which no digest recorded."""
    if not cycles:
        return {}
    first = min(cycle.starts_at for cycle in cycles).astimezone(settings.zone).date()
    return away_whole_cycles(
        store.get_time_away(ending_on_or_after=first),
        cycles,
        zone=settings.zone,
        calendar=settings.holiday_calendar,
    )


def set_away(deps: Deps, user_id: str, argument: str) -> str:
    """`/standup away …`: the answer to show the person (the range as understood)."""
    today = team_today(deps)
    request = parse_away(argument, today)
    if request.problem is not None or request.starts is None or request.ends is None:
        return request.problem or AWAY_USAGE
    return save_away(deps, user_id, request.starts, request.ends)


def save_away(deps: Deps, user_id: str, starts: date, ends: date) -> str:
    """Days away from App Home's datepickers (or a parsed command)."""
    if ends < starts:
        starts, ends = ends, starts
    if ends < team_today(deps):
        return f"That is over already (it ended {ends.isoformat()})."
    try:
        saved = deps.store.save_time_away(
            TimeAway(user_id=user_id, starts=starts, ends=ends), now=deps.now()
        )
    except StoreError as error:
        log.error("saving time away failed: %s", error)
        return views.DATABASE_DOWN
    return views.render_away_set(saved)


def set_back(client: WebClient | None, deps: Deps, user_id: str) -> str:
    """`/standup back`: days away covering today end, and the current away status stops
    counting (read fresh from Slack when it answers)."""
    store, now = deps.store, deps.now()
    member = store.get_member(user_id)
    if client is not None:
        try:
            fresh = fetch_member(client, user_id)
            store.save_members([fresh], team_ids=None, now=now)
            member = fresh
        except SLACK_FAILURES as error:
            log.warning("users.info failed, using the cached status: %s", slack_error(error))
    try:
        today = team_today(deps)
        # Only the status counts here: the days away are not read.
        book = away_book(deps, [member] if member else [], from_day=today, time_away=[])
        status_away = book.status_away(user_id, now) is not None
        ended = store.save_back(
            user_id,
            today,
            status=status_key(member) if member is not None and status_away else None,
            now=now,
        )
    except StoreError as error:
        log.error("saving /standup back failed: %s", error)
        return views.DATABASE_DOWN
    return views.render_back(ended, status_cleared=status_away)


def home_away_blocks(deps: Deps, user_id: str) -> list[dict[str, object]]:
    """App Home's time-away section for `user_id`."""
    today = team_today(deps)
    member = deps.store.get_member(user_id)
    planned = deps.store.get_time_away(ending_on_or_after=today, user_id=user_id)
    book = away_book(deps, [member] if member else [], from_day=today, time_away=planned)
    return views.build_away_blocks(
        today=today, planned=planned, status=book.status_away(user_id, deps.now())
    )
