"""The team: the workspace's members and who of them is in the standup channel.

users.list is paginated and cached in the store; the cache is refreshed at least daily and
before each digest and reminder run (INTERFACE.md).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from bot.models import Member
from bot.parsing import MemberDirectory
from bot.slack_errors import SLACK_FAILURES, slack_error
from bot.store import Store, StoreError

log = logging.getLogger(__name__)

REFRESHED_KEY = "members_refreshed_at"
MAX_AGE = timedelta(hours=24)


def member_from_slack(user: dict[str, Any]) -> Member:
    profile = user.get("profile") or {}
    return Member(
        user_id=user["id"],
        name=user.get("name") or user["id"],
        real_name=user.get("real_name") or profile.get("real_name") or "",
        display_name=profile.get("display_name") or "",
        tz=user.get("tz"),
        is_bot=bool(user.get("is_bot")) or user["id"] == "USLACKBOT",
        deleted=bool(user.get("deleted")),
        github_login=guess_github_login(profile),
    )


def guess_github_login(profile: dict[str, Any]) -> str | None:
    """A GitHub login from a custom profile field or a github.com link in the profile, if any."""
    import re

    texts = [str(profile.get(key) or "") for key in ("title", "status_text")]
    for field in (profile.get("fields") or {}).values():
        if isinstance(field, dict):
            texts.append(str(field.get("value") or ""))
            texts.append(str(field.get("alt") or ""))
    for text in texts:
        match = re.search(r"github\.com/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))(?:[/?#\s]|$)", text)
        if match:
            return match.group(1)
    return None


def fetch_workspace_members(client: WebClient) -> list[Member]:
    members: list[Member] = []
    for page in client.users_list(limit=200):
        members.extend(member_from_slack(user) for user in page.get("members", []))
    return members


def fetch_channel_member_ids(client: WebClient, channel: str) -> list[str]:
    ids: list[str] = []
    for page in client.conversations_members(channel=channel, limit=500):
        ids.extend(page.get("members", []))
    return ids


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
