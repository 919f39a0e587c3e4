"""Builders of test data shared by several test modules: models for `build_digest`, a digest
full of hostile text, and walking rendered output. Test modules import these from here, never
from each other."""

from __future__ import annotations

import struct
from datetime import UTC, date, datetime, timedelta
from typing import Any

from digests.build import build_digest
from digests.models import (
    ActionsBilling,
    Ask,
    AwayPerson,
    Cycle,
    CycleStandups,
    Digest,
    Fetched,
    FollowUp,
    Member,
    MonthlyActionsUsage,
    Person,
    PullRequest,
    PullRequestLookup,
    PullRequestRef,
    Standup,
)

MEETING = date(2026, 11, 30)
ENDS = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CYCLE = Cycle(meeting_date=MEETING, starts_at=ENDS - timedelta(days=7), ends_at=ENDS)
NOW = ENDS
REPOS = ["acme/api", "acme/web"]
TEAM = [
    Member(user_id="U1", name="kevin", real_name="Kevin Okafor", display_name="Kevin"),
    Member(user_id="U2", name="hesham", real_name="Hesham Nasser", github_login="hnasser"),
    Member(user_id="U3", name="maya"),
    Member(user_id="U4", name="ghost", deleted=True),
    Member(user_id="B1", name="ci-bot", is_bot=True),
]


def standup(user_id: str, *, done=(), next_=(), blocked=(), hours_before: float = 24) -> Standup:  # type: ignore[no-untyped-def]
    return Standup(
        user_id=user_id,
        user_name=user_id.lower(),
        meeting_date=MEETING,
        submitted_at=ENDS - timedelta(hours=hours_before),
        done=tuple(done),
        next=tuple(next_),
        blocked=tuple(blocked),
    )


def earlier_cycle(weeks: int) -> Cycle:
    """The weekly cycle `weeks` meetings before CYCLE."""
    ends = ENDS - timedelta(weeks=weeks)
    return Cycle(meeting_date=ends.date(), starts_at=ends - timedelta(days=7), ends_at=ends)


def earlier(user_id: str, weeks: int, *, done=(), next_=(), blocked=()) -> Standup:  # type: ignore[no-untyped-def]
    """A standup of the cycle `weeks` meetings before CYCLE, sent two days before its meeting."""
    cycle = earlier_cycle(weeks)
    return Standup(
        user_id=user_id,
        user_name=user_id.lower(),
        meeting_date=cycle.meeting_date,
        submitted_at=cycle.ends_at - timedelta(days=2),
        done=tuple(done),
        next=tuple(next_),
        blocked=tuple(blocked),
    )


def history(*standups: Standup, cycles: int = 8) -> list[CycleStandups]:
    """The `cycles` cycles before CYCLE, most recent first, holding `standups` by meeting."""
    found = []
    for weeks in range(1, cycles + 1):
        cycle = earlier_cycle(weeks)
        mine = tuple(s for s in standups if s.meeting_date == cycle.meeting_date)
        found.append(CycleStandups(cycle=cycle, standups=mine))
    return found


def ask(  # type: ignore[no-untyped-def]
    text: str, *, to: str | None = "U2", to_name: str = "Hesham", everyone=False, **extra
) -> Ask:
    values: dict[str, Any] = {
        "from_user_id": "U1",
        "from_name": "Kevin",
        "to_user_id": None if everyone else to,
        "to_name": "Everyone" if everyone else to_name,
        "everyone": everyone,
        "text": text,
        "meeting_date": MEETING,
    }
    values.update(extra)
    return Ask(**values)


def follow_up(id_: int, text: str, *, days_old: float = 3, **extra: Any) -> FollowUp:
    values: dict[str, Any] = {
        "id": id_,
        "text": text,
        "owner_user_id": "U2",
        "owner_name": "Hesham",
        "created_at": NOW - timedelta(days=days_old),
        "source": "standup",
        "meeting_date": MEETING - timedelta(days=7),
    }
    values.update(extra)
    return FollowUp(**values)


def pull(number: int, repo: str = "api", **extra: Any) -> PullRequest:
    values: dict[str, Any] = {
        "owner": "acme",
        "repo": repo,
        "number": number,
        "title": f"Change {number}",
        "url": f"https://github.com/acme/{repo}/pull/{number}",
        "state": "open",
        "ci": "success",
        "review_decision": "approved",
        "author": "hnasser",
        "created_at": NOW - timedelta(days=2),
        "updated_at": NOW - timedelta(days=1),
    }
    values.update(extra)
    return PullRequest(**values)


def lookups(*pulls: PullRequest, missing: tuple[str, ...] = ()) -> dict[str, PullRequestLookup]:
    found = {p.ref.key: PullRequestLookup(ref=p.ref, pull_request=p) for p in pulls}
    for key in missing:
        repo, number = key.split("#")
        owner, name = repo.split("/")
        ref = PullRequestRef(owner=owner, repo=name, number=int(number))
        found[key] = PullRequestLookup(ref=ref, problem="not found")
    return found


def month(year: int, number: int, minutes: float, *, complete: bool = True) -> MonthlyActionsUsage:
    gross = round(minutes * 0.006, 2)
    return MonthlyActionsUsage(
        year=year,
        month=number,
        minutes_by_sku={"Actions Linux": minutes},
        minutes=minutes,
        gross=gross,
        discount=gross,
        net=0.0,
        complete=complete,
    )


def inputs(**overrides: Any) -> dict[str, Any]:
    """Keyword arguments for build_digest: a small team with GitHub configured."""
    values: dict[str, Any] = {
        "cycle": CYCLE,
        "previous_meeting_date": MEETING - timedelta(days=7),
        "team": TEAM,
        "standups": [],
        "asks": [],
        "open_follow_ups": [],
        "closed_follow_ups": [],
        "pr_lookups": Fetched[dict[str, PullRequestLookup]](data={}),
        "board_pulls": Fetched[list[PullRequest]](data=[]),
        "billing": Fetched[ActionsBilling](data=ActionsBilling(org="acme")),
        "repos": REPOS,
        "stale_days": 7,
        "github_problem": None,
        "now": NOW,
    }
    values.update(overrides)
    return values


EVIL = (
    "<!channel> <!here> <!everyone> @channel @Here <!subteam^S1> <@U1|x> "
    "<https://evil.example|click> & * _ ~ ` 🎉 :tada:"
)


JORDAN = Member(user_id="U5", name="jordan", real_name="Jordan Lee", display_name="Jordan")
JORDAN_AWAY = AwayPerson(
    person=Person(user_id="U5", name="Jordan"), until=MEETING - timedelta(days=3), whole_cycle=True
)


def answered(ask_: Ask, answer: str, *, by: str, hours_before: float = 20) -> Ask:
    """`ask_` answered by `by` (which closes it), `hours_before` the meeting."""
    at = NOW - timedelta(hours=hours_before)
    return ask_.model_copy(
        update={
            "status": "done",
            "closed_at": at,
            "closed_by": by,
            "answer": answer,
            "answered_at": at,
            "answered_by": by,
        }
    )


def promises_inputs(**overrides: Any) -> dict[str, Any]:
    """build_digest inputs where last week's promises and blockers meet every outcome, and asks
    every state.

    Kevin (U1) promised three things (one carried for the 4th week, one done, one dropped) and is
    still blocked, newly blocked and no longer blocked; Hesham (U2) promised four (a PR that
    merged, one dropped, one PR named again in Done, one carried for the 2nd week); Maya (U3)
    promised one and sends nothing now; Jordan (U5) promised one and was away all week. Asks:
    one answered this week, one from last week answered this week, one from last week still
    open, one closed without an answer."""
    values: dict[str, Any] = {
        "team": [*TEAM, JORDAN],
        "away": [JORDAN_AWAY],
        "asks": [
            answered(
                ask("Can you rotate the staging DB credentials?", id=1),
                "Rotated on Friday: the new ones are in the vault.\nPing me if the load test "
                "still cannot log in (#418 changed the pool size).",
                by="U2",
            ),
            answered(
                ask(
                    "Share the query plan of the slow dashboard",
                    id=2,
                    from_user_id="U2",
                    from_name="Hesham",
                    to="U1",
                    to_name="Kevin",
                    meeting_date=MEETING - timedelta(weeks=1),
                ),
                "It is in the ticket: a sequential scan on events, fixed by the new index.",
                by="U1",
                hours_before=50,
            ),
            ask(
                "Pair on the Safari login loop?",
                id=3,
                to="U3",
                to_name="maya",
                meeting_date=MEETING - timedelta(weeks=1),
            ),
            ask("Review the runbook draft", id=4, everyone=True, status="done", closed_by="U2"),
        ],
        "standups": [
            standup(
                "U1",
                done=["Shipped the export API"],
                next_=["Still writing the runbook"],
                blocked=["Waiting on staging DB credentials", "No VPN access"],
            ),
            standup(
                "U2",
                done=["Interviewed two people", "Left notes on acme/web#1187"],
                next_=["Q1 roadmap draft"],
            ),
        ],
        "history": history(
            earlier(
                "U1",
                1,
                next_=["Write the runbook", "Ship the export API", "Fix the Safari login loop"],
                blocked=["Staging DB credentials", "Design sign-off"],
            ),
            earlier(
                "U2",
                1,
                next_=[
                    "Rate limiting (#418)",
                    "Hiring plan",
                    "Review web#1187",
                    "Draft the Q1 roadmap",
                ],
            ),
            earlier("U3", 1, next_=["Upgrade Postgres"]),
            earlier("U5", 1, next_=["Migrate to date-fns"]),
            earlier("U1", 2, next_=["Write the runbook"], blocked=["Staging DB credentials"]),
            earlier("U1", 3, next_=["Write the runbook"]),
        ),
        "board_pulls": Fetched[list[PullRequest]](
            data=[pull(418, state="merged", merged_at=NOW - timedelta(days=2))]
        ),
    }
    values.update(overrides)
    return inputs(**values)


# Hostile lines: one carried (its PR is not the Done line's), two different work from EVIL (so
# they stay unreported and resolved).
CARRIED = f"{EVIL} #14"
UNREPORTED = "<!here> & <b>never</b> reported `x` ~y~"
RESOLVED = "<!channel> <@U1|x> & gone"


def evil_digest() -> Digest:
    team = [
        Member(user_id="U1", name="kevin", display_name=EVIL, real_name=EVIL),
        Member(user_id="U2", name="hesham", display_name=f"Hesham {EVIL}", github_login="evil"),
        Member(user_id="U3", name=EVIL),
    ]
    bad_pull = pull(
        12,
        title=EVIL,
        author=EVIL,
        url="https://evil.example|click>",
        state="merged",
        merged_at=NOW - timedelta(days=1),
    )
    good_pull = pull(13, title=EVIL, author="evil", review_decision=None)
    fetched = Fetched[dict[str, PullRequestLookup]](data=lookups(bad_pull, good_pull), problem=EVIL)
    billing = ActionsBilling(org=EVIL, months=(month(2026, 10, 1000),), problem=EVIL)
    return build_digest(
        **inputs(
            team=team,
            standups=[
                standup("U1", done=[f"{EVIL} #12 #13"], next_=[EVIL], blocked=[EVIL]),
                standup("U3", done=[EVIL]).model_copy(update={"user_name": EVIL}),
            ],
            asks=[
                ask(EVIL, to="U2", from_name=EVIL),
                ask(EVIL, to=None, to_name=EVIL),
                ask(EVIL, everyone=True, status="done"),
            ],
            open_follow_ups=[
                follow_up(1, EVIL, source=EVIL),
                follow_up(2, EVIL, owner_user_id=None, owner_name=EVIL, source="standup"),
                follow_up(3, EVIL, source="https://notes.example/x?a=1&b=<2>"),
            ],
            closed_follow_ups=[
                follow_up(4, EVIL, status="done", done_by="U1", done_at=NOW, owner_name=EVIL)
            ],
            pr_lookups=fetched,
            board_pulls=Fetched[list[PullRequest]](data=[bad_pull, good_pull], problem=EVIL),
            billing=Fetched[ActionsBilling](data=billing, problem=EVIL),
            github_problem=EVIL,
            # Promised, carried, not reported (also by someone without a standup), and blockers
            # still there or gone: every new line shows EVIL too.
            history=history(
                earlier("U1", 1, next_=[EVIL, CARRIED, UNREPORTED], blocked=[EVIL, RESOLVED]),
                earlier("U1", 2, next_=[EVIL], blocked=[EVIL]),
                earlier("U1", 3, next_=[EVIL]),
                earlier("U2", 1, next_=[EVIL]),
            ),
        )
    )


def all_text(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in all_text(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in all_text(v)]
    return []


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; fails on anything that is not a PNG."""
    assert data[:8] == PNG_SIGNATURE
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert chunk == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height
