"""The workspace's members and who of them is on the team."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.store.connection import Database, iso
from bot.store.rows import member_from_row
from digests.models import (
    Member,
)

MEMBERS_VERSION_KEY = "members_version"  # meta: bumped by every save_members


class MemberQueries(Database):
    """Members: upserted from Slack's users.list, read as the team."""

    def save_members(
        self, members: Iterable[Member], *, team_ids: Iterable[str] | None, now: datetime
    ) -> None:
        """Upsert the workspace's members; with `team_ids`, those (and only those) form the team.

        A GitHub login set by hand is kept when the incoming member has none, and a login read
        from a profile is dropped when another member already has it (logins are unique).
        """
        with self._write() as tx:
            linked = {
                str(r[0]): str(r[1])
                for r in tx.execute(
                    "SELECT user_id, github_login FROM members WHERE github_login IS NOT NULL"
                )
            }
            taken = {login.casefold(): user_id for user_id, login in linked.items()}
            rows = []
            for m in members:
                login = m.github_login
                if login is not None and m.user_id not in linked:
                    holder = taken.setdefault(login.casefold(), m.user_id)
                    login = login if holder == m.user_id else None
                rows.append(
                    (
                        m.user_id,
                        m.name,
                        m.real_name,
                        m.display_name,
                        m.tz,
                        int(m.is_bot),
                        int(m.deleted),
                        login,
                        m.status_text,
                        m.status_emoji,
                        iso(m.status_expires_at) if m.status_expires_at else None,
                        iso(now),
                    )
                )
            tx.executemany(
                """INSERT INTO members (user_id, name, real_name, display_name, tz, is_bot, deleted,
                       github_login, status_text, status_emoji, status_expires_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (user_id) DO UPDATE SET name = excluded.name,
                       real_name = excluded.real_name, display_name = excluded.display_name,
                       tz = excluded.tz, is_bot = excluded.is_bot, deleted = excluded.deleted,
                       github_login = COALESCE(members.github_login, excluded.github_login),
                       status_text = excluded.status_text, status_emoji = excluded.status_emoji,
                       status_expires_at = excluded.status_expires_at,
                       updated_at = excluded.updated_at""",
                rows,
            )
            if team_ids is not None:
                ids = list(team_ids)
                tx.execute("UPDATE members SET in_team = 0")
                tx.executemany(
                    "UPDATE members SET in_team = 1 WHERE user_id = ?", [(i,) for i in ids]
                )
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) "
                "DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
                (MEMBERS_VERSION_KEY,),
            )

    def save_github_login(self, user_id: str, login: str | None) -> str | None:
        """Link (or, with None, unlink) a member's GitHub login. A login already linked to
        another member is refused: returns that member's user id, and changes nothing."""
        with self._write() as tx:
            if login is not None:
                holder = tx.execute(
                    "SELECT user_id FROM members WHERE lower(github_login) = lower(?) "
                    "AND user_id != ?",
                    (login, user_id),
                ).fetchone()
                if holder is not None:
                    return str(holder[0])
            tx.execute("UPDATE members SET github_login = ? WHERE user_id = ?", (login, user_id))
        return None

    def get_members_version(self) -> str | None:
        """Changes whenever members are saved: what a cache of them is keyed on."""
        return self.get_meta(MEMBERS_VERSION_KEY)

    def get_members(self) -> list[Member]:
        return [member_from_row(r) for r in self._read("SELECT * FROM members ORDER BY user_id")]

    def get_member(self, user_id: str) -> Member | None:
        rows = self._read("SELECT * FROM members WHERE user_id = ?", (user_id,))
        return member_from_row(rows[0]) if rows else None

    def get_team(self) -> list[Member]:
        """The humans of the standup channel: not bots, not deactivated."""
        rows = self._read(
            "SELECT * FROM members WHERE in_team = 1 AND is_bot = 0 AND deleted = 0 "
            "ORDER BY lower(COALESCE(NULLIF(display_name, ''), NULLIF(real_name, ''), name))"
        )
        return [member_from_row(r) for r in rows]
