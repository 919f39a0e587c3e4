"""Who is away: days set by `/standup away` (or App Home) and away-type Slack statuses. Pure.

A status counts when its emoji is one of `AWAY_EMOJI` (or the team's STANDUP_AWAY_EMOJI), or its
text says vacation, holiday, OOO, out of office, sick or leave in one of several languages. It
counts until its `status_expiration` (none: until the status changes). `/standup back` wins over
a status: the status that was set when the person said they are back no longer counts (a new one
does). Dates are local dates in the team's zone; the last day is included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from digests.models import AwayPerson, Cycle, Member, Person, TimeAway

AWAY_EMOJI = (":palm_tree:", ":airplane:", ":face_with_thermometer:", ":no_entry:")

# Whole words or phrases, case-insensitive. English, German, French, Spanish, Portuguese,
# Italian, Dutch, Polish, Swedish/Danish/Norwegian; Japanese below.
AWAY_WORDS = (
    # English
    "vacation",
    "vacationing",
    "on vacation",
    "holiday",
    "holidays",
    "on holiday",
    "ooo",
    "out of office",
    "out of the office",
    "sick",
    "out sick",
    "sick leave",
    "leave",
    "on leave",
    "annual leave",
    "parental leave",
    "pto",
    # German
    "urlaub",
    "im urlaub",
    "ferien",
    "krank",
    "abwesend",
    "elternzeit",
    # French
    "vacances",
    "en vacances",
    "congé",
    "congés",
    "en congé",
    "malade",
    "absent",
    "absente",
    # Spanish
    "vacaciones",
    "de vacaciones",
    "enfermo",
    "enferma",
    "de baja",
    "fuera de la oficina",
    "ausente",
    "permiso",
    # Portuguese
    "férias",
    "de férias",
    "doente",
    "licença",
    "fora do escritório",
    # Italian
    "ferie",
    "in ferie",
    "vacanza",
    "in vacanza",
    "malato",
    "malata",
    "in malattia",
    "fuori ufficio",
    "assente",
    # Dutch
    "vakantie",
    "op vakantie",
    "ziek",
    "verlof",
    "afwezig",
    # Polish
    "urlop",
    "na urlopie",
    "chory",
    "chora",
    # Swedish, Danish, Norwegian
    "ledig",
    "sjuk",
    "syg",
    "ferie",
)
# Japanese has no spaces between words: these count anywhere in the text.
AWAY_SUBSTRINGS = ("休暇", "休み", "病欠", "有給", "不在")
_AWAY_TEXT = re.compile(
    r"(?<!\w)(?:"
    + "|".join(re.escape(w) for w in sorted(set(AWAY_WORDS), key=len, reverse=True))
    + r")(?!\w)|"
    + "|".join(AWAY_SUBSTRINGS),
    re.IGNORECASE,
)


def status_means_away(emoji: str, text: str, extra_emoji: Iterable[str] = ()) -> bool:
    """True when a Slack status (`:palm_tree:`, "Vacationing") says its person is away."""
    code = emoji.strip().casefold()
    if code:
        code = f":{code.strip(':')}:"
        # ":palm_tree::skin-tone-2:" is still a palm tree
        code = re.sub(r"::skin-tone-\d:$", ":", code)
    if code and code in {e.casefold() for e in (*AWAY_EMOJI, *extra_emoji)}:
        return True
    return bool(_AWAY_TEXT.search(text or ""))


def status_key(member: Member) -> str:
    """What identifies the status a member has now: the one `/standup back` overrides."""
    expires = member.status_expires_at.isoformat() if member.status_expires_at else ""
    return f"{member.status_emoji}|{member.status_text}|{expires}"


@dataclass(frozen=True)
class AwayBook:
    """Everything known about who is away, asked per person and moment."""

    members: Mapping[str, Member]
    time_away: Mapping[str, Sequence[TimeAway]]
    back_from: Mapping[str, str]  # user id → status_key of the status they said back from
    zone: ZoneInfo
    extra_emoji: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        members: Iterable[Member],
        time_away: Iterable[TimeAway],
        back_from: Mapping[str, str],
        *,
        zone: ZoneInfo,
        extra_emoji: Sequence[str] = (),
    ) -> AwayBook:
        ranges: dict[str, list[TimeAway]] = {}
        for away in time_away:
            ranges.setdefault(away.user_id, []).append(away)
        return cls(
            members={member.user_id: member for member in members},
            time_away={
                user: sorted(found, key=lambda a: a.starts) for user, found in ranges.items()
            },
            back_from=dict(back_from),
            zone=zone,
            extra_emoji=tuple(extra_emoji),
        )

    def status_away(self, user_id: str, now: datetime) -> AwayPerson | None:
        """Away by Slack status at `now`, until the status expires (None: no expiry)."""
        member = self.members.get(user_id)
        if member is None or not status_means_away(
            member.status_emoji, member.status_text, self.extra_emoji
        ):
            return None
        if self.back_from.get(user_id) == status_key(member):
            return None
        expires = member.status_expires_at
        if expires is not None and expires <= now:
            return None
        until = (
            (expires - timedelta(microseconds=1)).astimezone(self.zone).date() if expires else None
        )
        return AwayPerson(person=_person(member, user_id), until=until, by_status=True)

    def away_on(self, user_id: str, day: date, now: datetime) -> AwayPerson | None:
        """Away on local date `day` by `/standup away`, or now by status (for `day` today)."""
        for away in self.time_away.get(user_id, ()):
            if away.starts <= day <= away.ends:
                return self._person_until(user_id, away.ends, now)
        if day == now.astimezone(self.zone).date():
            return self.status_away(user_id, now)
        return None

    def away_at(self, user_id: str, now: datetime) -> AwayPerson | None:
        """Away at the moment `now` (the reminder's time)."""
        return self.away_on(user_id, now.astimezone(self.zone).date(), now)

    def away_in_cycle(self, user_id: str, cycle: Cycle, now: datetime) -> AwayPerson | None:
        """Away on any day of the cycle by `/standup away`, or now by Slack status."""
        first = cycle.starts_at.astimezone(self.zone).date()
        last = (cycle.ends_at - timedelta(microseconds=1)).astimezone(self.zone).date()
        ends = [
            a.ends for a in self.time_away.get(user_id, ()) if a.starts <= last and a.ends >= first
        ]
        if ends:
            return self._person_until(user_id, max(ends), now)
        return self.status_away(user_id, now)

    def _person_until(self, user_id: str, ends: date, now: datetime) -> AwayPerson:
        status = self.status_away(user_id, now)
        until: date | None = ends
        if status is not None:  # a status that lasts longer says longer
            until = None if status.until is None else max(ends, status.until)
        member = self.members.get(user_id)
        return AwayPerson(person=_person(member, user_id), until=until, by_status=False)


def _person(member: Member | None, user_id: str) -> Person:
    return Person(user_id=user_id, name=member.label if member else user_id)
