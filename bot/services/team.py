"""The team: the workspace's members and who of them is in the standup channel.

users.list is paginated and cached in the store; the cache is refreshed at least daily and
before each digest and reminder run (README, "Using it"). Listeners read the cache only while
Slack waits for their ack; a refresh they need (an empty cache, an id it does not know) runs
after the ack, one at a time (`ensure_members`).
"""

from __future__ import annotations

import logging
import threading
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
# An id or name the cache does not know triggers a refresh at most this often.
UNKNOWN_NAME_REFRESH = timedelta(minutes=10)

_refreshing = threading.Lock()  # one users.list paging at a time, however many listeners ask
# The directory built from the cache, per database and members version: building it from the
# thousands of rows on every request would cost more than the ack it sits in front of.
_directories: dict[str, tuple[str, MemberDirectory]] = {}
_directories_lock = threading.Lock()


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


def members_stale(store: Store, *, now: datetime, max_age: timedelta = MAX_AGE) -> bool:
    stamp = store.get_meta(REFRESHED_KEY)
    return stamp is None or now - datetime.fromisoformat(stamp) > max_age


def ensure_members(
    client: WebClient, store: Store, channel: str | None, *, now: datetime, max_age: timedelta
) -> bool:
    """Refresh the member cache unless it was refreshed within `max_age` (also by a listener
    that held the lock while this one waited). True when it is fresh now; a Slack failure is
    logged and leaves the cache as it was."""
    with _refreshing:
        try:
            if members_stale(store, now=now, max_age=max_age):
                refresh_team(client, store, channel, now=now)
            return True
        except SLACK_FAILURES as error:
            log.warning("member refresh failed: %s", slack_error(error))
        except StoreError as error:
            log.error("could not store members: %s", error)
        return False


def cached_directory(store: Store) -> MemberDirectory:
    """Who names can refer to, from the cache alone (no Slack call: safe before an ack). Built
    once each time members are saved, then shared."""
    try:
        stamp = store.get_members_version()
        key = str(store.path.resolve())
        with _directories_lock:
            cached = _directories.get(key)
        if stamp is not None and cached is not None and cached[0] == stamp:
            return cached[1]
        directory = MemberDirectory(store.get_members())
        if stamp is not None:
            with _directories_lock:
                _directories[key] = (stamp, directory)
        return directory
    except StoreError as error:
        log.error("could not read members: %s", error)
        return MemberDirectory([])


def find_member(store: Store, text: str) -> Member | None:
    """The member `text` names on the command line: a Slack id, handle or name."""
    directory = MemberDirectory(store.get_members())
    return directory.by_id(text) or directory.by_name(text)


def load_member_directory(
    client: WebClient, store: Store, channel: str | None, *, now: datetime
) -> MemberDirectory:
    """Who names people type can refer to: the cached members, fetched once if there are none.
    Not for use before an ack: it may page through users.list.

    Without the database or Slack it is empty: names stay as typed, and saving (which needs the
    database) says what is wrong."""
    directory = cached_directory(store)
    if not directory.members:
        ensure_members(client, store, channel, now=now, max_age=UNKNOWN_NAME_REFRESH)
        directory = cached_directory(store)
    return directory


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
