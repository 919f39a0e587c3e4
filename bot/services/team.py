"""The team: the workspace's members and who of them is in the standup channel.

users.list is paginated and cached in the store; the cache is refreshed at least daily and
before each digest and reminder run (README, "Using it").
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient

from bot.slack.errors import SLACK_FAILURES, slack_error
from bot.slack.members import fetch_channel_member_ids, fetch_workspace_members
from bot.store import Store, StoreError
from digests.models import Member
from digests.parsing import MemberDirectory

log = logging.getLogger(__name__)

REFRESHED_KEY = "members_refreshed_at"
MAX_AGE = timedelta(hours=24)


def refresh_team(
    client: WebClient, store: Store, channel: str | None, *, now: datetime, force: bool = True
) -> list[Member]:
    """Fetch members (and the channel's, when one is set) into the store; return the team."""
    if not force and not members_stale(store, now=now):
        return store.get_team()
    members = fetch_workspace_members(client)
    team_ids = fetch_channel_member_ids(client, channel) if channel else None
    store.save_members(members, team_ids=team_ids, now=now)
    store.save_meta(REFRESHED_KEY, now.isoformat())
    log.info(
        "members refreshed: %d in the workspace, %s in the team",
        len(members),
        len(team_ids) if team_ids is not None else "n/a",
    )
    return store.get_team()


def members_stale(store: Store, *, now: datetime) -> bool:
    stamp = store.get_meta(REFRESHED_KEY)
    return stamp is None or now - datetime.fromisoformat(stamp) > MAX_AGE


def load_member_directory(
    client: WebClient, store: Store, channel: str | None, *, now: datetime
) -> MemberDirectory:
    """Who names people type can refer to: the cached members, fetched once if there are none.

    Without the database or Slack it is empty: names stay as typed, and saving (which needs the
    database) says what is wrong."""
    try:
        members = store.get_members()
        if not members:
            refresh_team(client, store, channel, now=now)
            members = store.get_members()
    except SLACK_FAILURES as error:
        log.warning("could not load members: %s", slack_error(error))
        members = []
    except StoreError as error:
        log.error("could not read members: %s", error)
        members = []
    return MemberDirectory(members)


def current_team(
    client: WebClient | None, store: Store, channel: str | None, *, now: datetime
) -> list[Member]:
    """The team refreshed from Slack (before a digest or reminders), else the cached one."""
    if client is not None:
        try:
            return refresh_team(client, store, channel, now=now)
        except SLACK_FAILURES as error:
            log.warning("member refresh failed, using the cached team: %s", slack_error(error))
    return store.get_team()
