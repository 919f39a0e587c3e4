"""build_digest: standups, asks, follow-ups and GitHub data in, one Digest out. Pure.

Times in the digest are shown in the zone of `now`: pass `now` in the team's zone
(STANDUP_TIMEZONE) to get local times; a UTC `now` shows UTC.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from digests.board import build_pr_board
from digests.models import EVERYONE as EVERYONE_NAME
from digests.models import (
    ActionsBilling,
    Ask,
    AskGroup,
    AskLine,
    AwayPerson,
    Blocker,
    CiAudit,
    ClosedFollowUp,
    Cycle,
    CycleStandups,
    DataProblem,
    Digest,
    Fetched,
    FollowUp,
    Item,
    Member,
    OpenFollowUp,
    Person,
    PersonNotes,
    PersonPromises,
    PullRequest,
    PullRequestLookup,
    PullRequestRef,
    Segment,
    Standup,
    TrendPoint,
)
from digests.pr_refs import find_pr_refs
from digests.promises import Followed, cycle_point, follow_team, latest_by_user, trend_points

NOT_CONFIGURED = "GitHub is not configured"
NOT_RETURNED = "GitHub returned nothing for it"
NO_REPOS = "no repositories are configured (GITHUB_REPOS is empty)"
NO_ORG = "no organization is configured (set GITHUB_ORG or GITHUB_REPOS)"


def build_digest(
    *,
    cycle: Cycle,
    previous_meeting_date: date | None,
    team: Sequence[Member],
    standups: Sequence[Standup],
    asks: Sequence[Ask],
    open_follow_ups: Sequence[FollowUp],
    closed_follow_ups: Sequence[FollowUp],
    pr_lookups: Fetched[dict[str, PullRequestLookup]] | None,
    board_pulls: Fetched[list[PullRequest]] | None,
    billing: Fetched[ActionsBilling] | None,
    repos: Sequence[str],
    stale_days: int,
    github_problem: str | None,
    now: datetime,
    history: Sequence[CycleStandups] = (),
    recorded_trend: Sequence[TrendPoint] = (),
    away: Sequence[AwayPerson] = (),
    ci_audit: CiAudit | None = None,
    away_before: Mapping[date, Collection[str]] | None = None,
) -> Digest:
    """The digest for `cycle`.

    `asks`: every ask to show (this cycle's and earlier ones still open). `closed_follow_ups`: done
    since the previous digest. None for `pr_lookups`/`board_pulls`/`billing` means GitHub is not
    configured (`github_problem` says why); a Fetched with a `problem` means partial data.

    `history`: the cycles before this one, most recent first (`digests.promises.HISTORY_CYCLES`
    of them): last cycle's promises and blockers are followed into this one, and the trend is
    worked out over them (`recorded_trend`: figures earlier digests recorded, which win). Without
    history nothing is followed: no promises, no blocker markers, a one-cycle trend.

    `away`: team members away in the cycle (digests.away); those without a standup are listed
    as away instead of missing, and do not count in "Reported N of M". The promises of those
    away for the whole cycle (`AwayPerson.whole_cycle`) that they neither delivered nor carried
    are "away": listed, not counted. `away_before`: who was away for all of each earlier cycle
    (by meeting date), for the trend's cycles that no digest recorded.

    `ci_audit`: where the minutes go, by repository (shown only with the billing it comes from).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    people = _People(team)
    items = _ItemBuilder(repos, pr_lookups)
    latest = list(latest_by_user(standups).values())
    team_ids = {member.user_id for member in team if not member.is_bot and not member.deleted}
    merged_at = _merged_at(board_pulls, pr_lookups)
    away_ids = {
        entry.person.user_id for entry in away if entry.whole_cycle and entry.person.user_id
    }
    followed = (
        follow_team(
            history,
            latest,
            team_ids=team_ids,
            ends_at=cycle.ends_at,
            merged_at=merged_at,
            repos=repos,
            away_ids=away_ids,
        )
        if history
        else []
    )
    statuses = {f.user_id: {s.text.strip(): s for s in f.blockers} for f in followed}

    notes = sorted(
        (_person_notes(standup, people, items) for standup in latest),
        key=lambda note: (note.person.name.casefold(), note.person.user_id or ""),
    )
    reported_ids = {note.person.user_id for note in notes}
    away_by_id = {entry.person.user_id: entry for entry in away}
    silent = [
        member
        for member in team
        if not member.is_bot and not member.deleted and member.user_id not in reported_ids
    ]
    missing = sorted(
        (
            Person(user_id=member.user_id, name=member.label)
            for member in silent
            if member.user_id not in away_by_id
        ),
        key=lambda person: person.name.casefold(),
    )
    promises = _promises(followed, people)
    away_silent = sorted(
        (
            away_by_id[member.user_id].model_copy(
                update={"person": Person(user_id=member.user_id, name=member.label)}
            )
            for member in silent
            if member.user_id in away_by_id
        ),
        key=lambda entry: entry.person.name.casefold(),
    )
    board = None
    if board_pulls is not None and (repos or board_pulls.data):
        board = build_pr_board(
            board_pulls.data,
            repos=repos,
            cycle=cycle,
            now=now,
            stale_days=stale_days,
            team=team,
        )
    return Digest(
        meeting_date=cycle.meeting_date,
        previous_meeting_date=previous_meeting_date,
        cycle=cycle,
        generated_at=now,
        time_zone=zone_label(now),
        repos=tuple(repos),
        team_size=sum(1 for member in team if not member.is_bot and not member.deleted),
        reported=tuple(note.person for note in notes),
        missing=tuple(missing),
        away=tuple(away_silent),
        notes=tuple(notes),
        blockers=tuple(
            Blocker(
                person=note.person,
                item=item,
                status=statuses.get(note.person.user_id or "", {}).get(item.text),
            )
            for note in notes
            for item in note.blocked
        ),
        asks=_ask_groups(asks, cycle=cycle, people=people, items=items),
        board=board,
        open_follow_ups=tuple(
            OpenFollowUp(
                follow_up=follow_up,
                owner=people.owner(follow_up),
                age_days=age_in_days(follow_up.created_at, now),
            )
            for follow_up in sorted(open_follow_ups, key=lambda f: (f.created_at, f.id))
        ),
        closed_follow_ups=tuple(
            ClosedFollowUp(
                follow_up=follow_up,
                owner=people.owner(follow_up),
                closed_by=people.by_id(follow_up.done_by) if follow_up.done_by else None,
            )
            for follow_up in sorted(
                closed_follow_ups, key=lambda f: (f.done_at or f.created_at, f.id)
            )
        ),
        billing=_billing(billing),
        ci_audit=ci_audit if billing is not None and ci_audit is not None else None,
        problems=_problems(
            pr_lookups=pr_lookups,
            board_pulls=board_pulls,
            billing=billing,
            repos=repos,
            any_refs=items.any_refs,
            github_problem=github_problem,
        ),
        promises=promises,
        resolved_blockers=_resolved_blockers(followed, people, items),
        trend=trend_points(
            history,
            cycle_point(
                cycle.meeting_date,
                team_ids=team_ids,
                reported=[note.person.user_id for note in notes if note.person.user_id],
                away=[entry.person.user_id for entry in away_silent if entry.person.user_id],
                promises=[person.promises for person in promises],
            ),
            team_ids=team_ids,
            recorded={point.meeting_date: point for point in recorded_trend},
            merged_at=merged_at,
            repos=repos,
            away=away_before,
        ),
    )


def zone_label(now: datetime) -> str:
    """The zone of `now` as people read it: a ZoneInfo key ("Europe/Berlin"), else "UTC" etc."""
    key = getattr(now.tzinfo, "key", None)
    if isinstance(key, str) and key:
        return key
    return now.tzname() or "UTC"


def age_in_days(since: datetime, now: datetime) -> int:
    return max((now - since) // timedelta(days=1), 0)


class _People:
    """Slack user ids → how the digest names them."""

    def __init__(self, team: Sequence[Member]) -> None:
        self._members = {member.user_id: member for member in team}

    def by_id(self, user_id: str, fallback: str = "") -> Person:
        member = self._members.get(user_id)
        return Person(user_id=user_id, name=member.label if member else fallback or user_id)

    def owner(self, follow_up: FollowUp) -> Person:
        if follow_up.owner_user_id:
            return self.by_id(follow_up.owner_user_id, follow_up.owner_name)
        return Person(name=follow_up.owner_name or "nobody yet")


class _ItemBuilder:
    """Lines people typed → Items with their PR references resolved against the lookups."""

    def __init__(
        self, repos: Sequence[str], lookups: Fetched[dict[str, PullRequestLookup]] | None
    ) -> None:
        self._repos = tuple(repos)
        self._lookups = lookups
        self._by_key: Mapping[str, PullRequestLookup] = (
            {key.casefold(): lookup for key, lookup in lookups.data.items()}
            | {lookup.ref.key.casefold(): lookup for lookup in lookups.data.values()}
            if lookups is not None
            else {}
        )
        self._infos: dict[str, PullRequestLookup] = {}
        self.any_refs = False

    def item(self, text: str) -> Item:
        segments: list[Segment] = []
        infos: dict[str, PullRequestLookup] = {}
        position = 0
        for (start, end), ref in find_pr_refs(text, repos=self._repos):
            if start > position:
                segments.append(Segment.model_construct(text=text[position:start], ref=None))
            # Built from values checked just above: skip re-validating thousands of pieces.
            segments.append(Segment.model_construct(text=text[start:end], ref=ref))
            if ref.key not in infos:
                infos[ref.key] = self.info(ref)
            position = end
        if position < len(text) or not segments:
            segments.append(Segment.model_construct(text=text[position:], ref=None))
        self.any_refs = self.any_refs or bool(infos)
        return Item(text=text, segments=tuple(segments), pull_requests=tuple(infos.values()))

    def info(self, ref: PullRequestRef) -> PullRequestLookup:
        known = self._infos.get(ref.key)
        if known is None:
            known = self._infos[ref.key] = self._resolve(ref)
        return known

    def _resolve(self, ref: PullRequestRef) -> PullRequestLookup:
        if self._lookups is None:
            return PullRequestLookup(ref=ref)
        lookup = self._by_key.get(ref.key.casefold())
        if lookup is None:
            return PullRequestLookup(ref=ref, problem=self._lookups.problem or NOT_RETURNED)
        if lookup.pull_request is None:
            return PullRequestLookup(ref=ref, problem=lookup.problem or "not found")
        return PullRequestLookup(ref=ref, pull_request=lookup.pull_request)


def _person_notes(standup: Standup, people: _People, items: _ItemBuilder) -> PersonNotes:
    done = tuple(items.item(line) for line in _lines(standup.done))
    next_ = tuple(items.item(line) for line in _lines(standup.next))
    blocked = tuple(items.item(line) for line in _lines(standup.blocked))
    pull_requests: dict[str, PullRequestLookup] = {}
    for item in (*done, *next_, *blocked):
        for info in item.pull_requests:
            pull_requests.setdefault(info.ref.key, info)
    return PersonNotes(
        person=people.by_id(standup.user_id, standup.user_name),
        submitted_at=standup.submitted_at,
        done=done,
        next=next_,
        blocked=blocked,
        pull_requests=tuple(pull_requests.values()),
    )


def _lines(values: Iterable[str]) -> list[str]:
    return [value.strip() for value in values if value.strip()]


def _merged_at(
    board_pulls: Fetched[list[PullRequest]] | None,
    pr_lookups: Fetched[dict[str, PullRequestLookup]] | None,
) -> dict[str, datetime]:
    """When each pull request GitHub told of merged (the board's, and the referenced ones')."""
    pulls = list(board_pulls.data) if board_pulls is not None else []
    if pr_lookups is not None:
        pulls += [found.pull_request for found in pr_lookups.data.values() if found.pull_request]
    return {pull.ref.key.casefold(): pull.merged_at for pull in pulls if pull.merged_at is not None}


def _promises(followed: Sequence[Followed], people: _People) -> tuple[PersonPromises, ...]:
    found = [
        PersonPromises(
            person=people.by_id(f.user_id, f.user_name),
            reported=f.current is not None,
            promises=f.promises,
            away=f.away,
        )
        for f in followed
        if f.promises
    ]
    found.sort(key=lambda p: (p.person.name.casefold(), p.person.user_id or ""))
    return tuple(found)


def _resolved_blockers(
    followed: Sequence[Followed], people: _People, items: _ItemBuilder
) -> tuple[Blocker, ...]:
    resolved = [
        Blocker(
            person=people.by_id(f.user_id, f.user_name), item=items.item(s.text.strip()), status=s
        )
        for f in followed
        for s in f.blockers
        if s.state == "resolved"
    ]
    resolved.sort(key=lambda b: (b.person.name.casefold(), b.person.user_id or ""))
    return tuple(resolved)


def _ask_groups(
    asks: Sequence[Ask], *, cycle: Cycle, people: _People, items: _ItemBuilder
) -> tuple[AskGroup, ...]:
    groups: dict[str, tuple[Person, bool, list[AskLine]]] = {}
    seen_ids: set[int] = set()
    for ask in asks:
        if ask.id is not None:
            if ask.id in seen_ids:
                continue
            seen_ids.add(ask.id)
        if ask.everyone:
            key, to = "everyone", Person(name=EVERYONE_NAME)
        elif ask.to_user_id:
            key, to = f"id:{ask.to_user_id}", people.by_id(ask.to_user_id, ask.to_name)
        else:
            key, to = f"name:{ask.to_name.strip().casefold()}", Person(name=ask.to_name.strip())
        # An answer may run over several lines; the digest lists it as one, under its ask.
        answer = " ".join(ask.answer.split()) if ask.answered and ask.answer else ""
        line = AskLine(
            from_person=people.by_id(ask.from_user_id, ask.from_name),
            item=items.item(ask.text.strip()),
            status=ask.status,
            meeting_date=ask.meeting_date,
            carried_over=ask.meeting_date < cycle.meeting_date,
            closed_at=ask.closed_at,
            answer=items.item(answer) if answer else None,
            answered_by=people.by_id(ask.answered_by) if answer and ask.answered_by else None,
            answered_at=ask.answered_at if answer else None,
        )
        groups.setdefault(key, (to, ask.everyone, []))[2].append(line)

    built = [
        AskGroup(
            to=to,
            everyone=everyone,
            asks=tuple(
                sorted(
                    lines,
                    key=lambda line: (
                        line.status != "open",
                        line.meeting_date,
                        line.from_person.name.casefold(),
                    ),
                )
            ),
        )
        for to, everyone, lines in groups.values()
    ]
    # "Everyone" first: it concerns the whole team; then people by name.
    built.sort(key=lambda group: (not group.everyone, group.to.name.casefold()))
    return tuple(built)


def _billing(billing: Fetched[ActionsBilling] | None) -> ActionsBilling | None:
    if billing is None:
        return None
    reasons = [reason for reason in (billing.data.problem, billing.problem) if reason]
    problem = "; ".join(dict.fromkeys(reasons)) or None
    return billing.data.model_copy(update={"problem": problem})


def _problems(
    *,
    pr_lookups: Fetched[dict[str, PullRequestLookup]] | None,
    board_pulls: Fetched[list[PullRequest]] | None,
    billing: Fetched[ActionsBilling] | None,
    repos: Sequence[str],
    any_refs: bool,
    github_problem: str | None,
) -> tuple[DataProblem, ...]:
    why_missing = github_problem or NOT_CONFIGURED
    if github_problem and pr_lookups is None and board_pulls is None and billing is None:
        what = "PR states, the PR board and CI billing"
        return (DataProblem(area="github", what=what, why=why_missing),)

    problems: list[DataProblem] = []
    if pr_lookups is None:
        if any_refs:
            problems.append(DataProblem(area="pull_requests", what="PR states", why=why_missing))
    elif pr_lookups.problem:
        problems.append(
            DataProblem(area="pull_requests", what="some PR states", why=pr_lookups.problem)
        )
    if board_pulls is None:
        why = github_problem or (NO_REPOS if not repos else NOT_CONFIGURED)
        problems.append(DataProblem(area="board", what="the PR board", why=why))
    elif board_pulls.problem:
        problems.append(
            DataProblem(area="board", what="part of the PR board", why=board_pulls.problem)
        )
    elif not repos and not board_pulls.data:
        problems.append(DataProblem(area="board", what="the PR board", why=NO_REPOS))
    if billing is None:
        why = github_problem or NO_ORG
        problems.append(DataProblem(area="billing", what="CI billing", why=why))
    else:
        reasons = [reason for reason in (billing.data.problem, billing.problem) if reason]
        if reasons:
            what = "part of CI billing" if billing.data.months else "CI billing"
            why = "; ".join(dict.fromkeys(reasons))
            problems.append(DataProblem(area="billing", what=what, why=why))
    return tuple(problems)
