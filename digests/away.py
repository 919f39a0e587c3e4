"""Who is away: days set by `/standup away` (or App Home) and away-type Slack statuses. Pure.

A status counts when its emoji is one of `AWAY_EMOJI` (or the team's STANDUP_AWAY_EMOJI), or its
text says vacation, holiday, OOO, out of office, sick or leave in one of several languages. It
counts until its `status_expiration` (none: until the status changes). `/standup back` wins over
a status: the status that was set when the person said they are back no longer counts (a new one
does). Dates are local dates in the team's zone; the last day is included.

Away for the **whole cycle** (`away_whole_cycle`): days set with `/standup away` cover every
working day of the cycle (Monday to Friday, not one of the team's holidays), from the cycle's
first local day to the day before its meeting. Such a person's promises of the cycle before are
not held against them (`digests.promises`). A Slack status does not count for this: Slack says
when it ends, never when it began.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from digests.models import AwayPerson, Cycle, Member, Person, TimeAway
from digests.workdays import HolidayCalendar

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
    calendar: HolidayCalendar = HolidayCalendar()

    @classmethod
    def build(
        cls,
        members: Iterable[Member],
        time_away: Iterable[TimeAway],
        back_from: Mapping[str, str],
        *,
        zone: ZoneInfo,
        extra_emoji: Sequence[str] = (),
        calendar: HolidayCalendar | None = None,
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
            calendar=calendar or HolidayCalendar(),
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
        """Away on any day of the cycle by `/standup away`, or now by Slack status; with
        `whole_cycle` when the days away cover all of the cycle's working days."""
        first = cycle.starts_at.astimezone(self.zone).date()
        last = (cycle.ends_at - timedelta(microseconds=1)).astimezone(self.zone).date()
        ranges = self.time_away.get(user_id, ())
        ends = [a.ends for a in ranges if a.starts <= last and a.ends >= first]
        if ends:
            found = self._person_until(user_id, max(ends), now)
            whole = away_whole_cycle(ranges, cycle, zone=self.zone, calendar=self.calendar)
            return found.model_copy(update={"whole_cycle": whole}) if whole else found
        return self.status_away(user_id, now)

    def _person_until(self, user_id: str, ends: date, now: datetime) -> AwayPerson:
        status = self.status_away(user_id, now)
        until: date | None = ends
        if status is not None:  # a status that lasts longer says longer
            until = None if status.until is None else max(ends, status.until)
        member = self.members.get(user_id)
        return AwayPerson(person=_person(member, user_id), until=until, by_status=False)


def cycle_workdays(cycle: Cycle, *, zone: ZoneInfo, calendar: HolidayCalendar) -> list[date]:
    """The working days of a cycle: its first local day up to the day before its meeting's
    (the meeting's own morning is not a day of work), Monday to Friday, not holidays. A cycle
    shorter than a day has its first day."""
    first = cycle.starts_at.astimezone(zone).date()
    meeting_day = cycle.ends_at.astimezone(zone).date()
    days = [first + timedelta(days=n) for n in range(max((meeting_day - first).days, 1))]
    return [day for day in days if calendar.working_day(day)]


def away_whole_cycle(
    time_away: Iterable[TimeAway], cycle: Cycle, *, zone: ZoneInfo, calendar: HolidayCalendar
) -> bool:
    """Whether days away (of one person) cover every working day of `cycle`; never for a cycle
    without working days."""
    workdays = cycle_workdays(cycle, zone=zone, calendar=calendar)
    ranges = list(time_away)
    return bool(workdays) and all(
        any(away.starts <= day <= away.ends for away in ranges) for day in workdays
    )


def away_whole_cycles(
    time_away: Iterable[TimeAway],
    cycles: Iterable[Cycle],
    *,
    zone: ZoneInfo,
    calendar: HolidayCalendar,
) -> dict[date, frozenset[str]]:
    """For each cycle (by meeting date), who was away for all of it."""
    by_user: dict[str, list[TimeAway]] = {}
    for away in time_away:
        by_user.setdefault(away.user_id, []).append(away)
    return {
        cycle.meeting_date: frozenset(
            user
            for user, ranges in by_user.items()
            if away_whole_cycle(ranges, cycle, zone=zone, calendar=calendar)
        )
        for cycle in cycles
    }


def _person(member: Member | None, user_id: str) -> Person:
    return Person(user_id=user_id, name=member.label if member else user_id)
