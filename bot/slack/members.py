"""Reading the workspace's members (users.list) and a channel's (conversations.members)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from slack_sdk import WebClient

from digests.models import GITHUB_LOGIN, Member

log = logging.getLogger(__name__)


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
        status_text=str(profile.get("status_text") or ""),
        status_emoji=str(profile.get("status_emoji") or ""),
        status_expires_at=_expiration(profile.get("status_expiration")),
    )


def _expiration(value: object) -> datetime | None:
    """`status_expiration`: epoch seconds, 0 (or absent) when the status does not expire."""
    try:
        seconds = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None


_PROFILE_LINK = re.compile(rf"github\.com/({GITHUB_LOGIN})(?:[/?#\s]|$)")


def guess_github_login(profile: dict[str, Any]) -> str | None:
    """A GitHub login from a github.com link in the profile's title or status, if any.

    Custom profile fields (`profile.fields`) are not read: `users.list` never carries them (only
    `users.profile.get` does, one call per person and another scope), and `/standup github
    <login>` links a login explicitly. Whatever shape `fields` has (object, null, array) is
    ignored.
    """
    texts = [str(profile.get(key) or "") for key in ("title", "status_text")]
    for text in texts:
        match = _PROFILE_LINK.search(text)
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


def fetch_member(client: WebClient, user_id: str) -> Member:
    """One member by id, fresh (users.info): someone who reacted and is not in the cache yet, or
    a status that may have changed since users.list."""
    return member_from_slack(client.users_info(user=user_id)["user"])
