"""A sample team's week, for `standup-bot demo` and the golden tests. No network, no database.

The data lives in `digests/sample_data/sample.json` (package data) with every time written as an
offset before the meeting, so the demo always looks current. The meeting is the latest Monday
09:00 UTC at or before `now`; the digest is built as at that moment. Eight earlier weekly cycles
of standups come with it, so last week's promises and blockers are followed and the trend drawn;
one person is away the whole cycle, and an ask of last week was answered in this one.

Billing goes through the real `digests.billing` and `digests.ci_audit` code: the JSON holds
monthly minutes per runner (and how many of them were paid) and how they split over the org's
repositories; this module turns them into GitHub-shaped usage items, one per month, runner and
repository, and storage lines apart.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from digests.away import AwayBook, away_whole_cycles
from digests.billing import build_actions_billing
from digests.ci_audit import build_ci_audit
from digests.models import (
    ActionsBilling,
    Ask,
    BillingUsage,
    CiAudit,
    Cycle,
    CycleStandups,
    Fetched,
    FollowUp,
    Member,
    PullRequest,
    PullRequestLookup,
    RepoInfo,
    Standup,
    TimeAway,
    UsageItem,
)
from digests.pr_refs import unique_refs
from digests.promises import HISTORY_CYCLES
from digests.workdays import HolidayCalendar

MEETING_WEEKDAY = 0  # Monday
SAMPLE_ZONE = ZoneInfo("UTC")
MEETING_TIME = time(9, 0)
BILLING_MONTHS = 7  # six full months and the running one
PRICE_CHANGE = date(2026, 1, 1)  # GitHub's runner price cut


def load_sample_data() -> dict[str, Any]:
    text = (resources.files("digests") / "sample_data" / "sample.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def sample_cycle(now: datetime) -> Cycle:
    """The cycle of the latest Monday 09:00 UTC meeting at or before `now`."""
    moment = now.astimezone(UTC)
    monday = moment.date() - timedelta(days=(moment.weekday() - MEETING_WEEKDAY) % 7)
    ends = datetime.combine(monday, MEETING_TIME, tzinfo=UTC)
    if ends > moment:
        ends -= timedelta(days=7)
    return Cycle(meeting_date=ends.date(), starts_at=ends - timedelta(days=7), ends_at=ends)


def build_sample_inputs(now: datetime) -> dict[str, object]:
    """Keyword arguments for `build_digest`, describing a sample team's week ending near `now`."""
    data = load_sample_data()
    cycle = sample_cycle(now)
    meeting, ends = cycle.meeting_date, cycle.ends_at
    org: str = data["org"]
    repos: list[str] = data["repos"]

    team = [Member(**member) for member in data["team"]]
    labels = {member.user_id: member.label for member in team}

    asks: list[Ask] = []
    standups = []
    for row in data["standups"]:
        own_asks = tuple(
            _ask(
                ask,
                id_=len(asks) + index + 1,
                from_user_id=row["user_id"],
                labels=labels,
                meeting=meeting,
                ends=ends,
            )
            for index, ask in enumerate(row["asks"])
        )
        asks.extend(own_asks)
        standups.append(
            Standup(
                user_id=row["user_id"],
                user_name=labels[row["user_id"]],
                meeting_date=meeting,
                submitted_at=ends - timedelta(hours=row["sent_hours_before"]),
                done=tuple(row["done"]),
                next=tuple(row["next"]),
                blocked=tuple(row["blocked"]),
                asks=own_asks,
            )
        )
    earlier_asks: dict[tuple[int, str], list[Ask]] = {}
    for row in data["earlier_asks"]:
        earlier = meeting - timedelta(weeks=row["cycles_before"])
        ask = _ask(
            row,
            id_=len(asks) + 1,
            from_user_id=row["from_user_id"],
            labels=labels,
            meeting=earlier,
            ends=ends,
        )
        asks.append(ask)
        earlier_asks.setdefault((row["cycles_before"], row["from_user_id"]), []).append(ask)
    history = _history(data["earlier_standups"], earlier_asks, cycle=cycle, labels=labels)
    time_away = sample_time_away(data, meeting)
    book = AwayBook.build(team, time_away, {}, zone=SAMPLE_ZONE)
    away = [found for m in team if (found := book.away_in_cycle(m.user_id, cycle, ends))]

    follow_ups = [_follow_up(row, meeting=meeting, ends=ends) for row in data["follow_ups"]]
    pulls = [_pull_request(row, org=org, ends=ends) for row in data["pull_requests"]]

    usage, forks, states = sample_usage(data["billing"], org=org, ends=ends)
    audit = build_ci_audit(usage, today=ends.date(), forks=forks, states=states)

    texts = [line for s in standups for line in (*s.done, *s.next, *s.blocked)]
    texts += [ask.text for ask in asks]
    texts += [line for s in history[0].standups for line in (*s.next, *s.blocked)]
    by_key = {pull.ref.key: pull for pull in pulls}
    lookups = {
        ref.key: PullRequestLookup(ref=ref, pull_request=by_key.get(ref.key))
        if ref.key in by_key
        else PullRequestLookup(ref=ref, problem="not found")
        for ref in unique_refs(texts, repos=repos)
    }

    return {
        "cycle": cycle,
        "previous_meeting_date": meeting - timedelta(weeks=1),
        "team": team,
        "standups": standups,
        "asks": asks,
        "open_follow_ups": [f for f in follow_ups if f.status == "open"],
        "closed_follow_ups": [f for f in follow_ups if f.status == "done"],
        "pr_lookups": Fetched[dict[str, PullRequestLookup]](data=lookups, requests=1),
        "board_pulls": Fetched[list[PullRequest]](data=pulls, requests=len(repos)),
        "billing": Fetched[ActionsBilling](
            data=build_actions_billing(Fetched(data=usage), today=ends.date()),
            requests=BILLING_MONTHS,
        ),
        "ci_audit": audit,
        "repos": repos,
        "stale_days": data["stale_days"],
        "github_problem": None,
        "now": ends,
        "history": history,
        "away": away,
        "away_before": away_whole_cycles(
            time_away, [c.cycle for c in history], zone=SAMPLE_ZONE, calendar=HolidayCalendar()
        ),
    }


def sample_time_away(data: dict[str, Any], meeting: date) -> list[TimeAway]:
    """The days the sample's people set with `/standup away`, dated from the meeting."""
    return [
        TimeAway(
            user_id=row["user_id"],
            starts=meeting - timedelta(days=row["starts_days_before"]),
            ends=meeting - timedelta(days=row["ends_days_before"]),
        )
        for row in data["time_away"]
    ]


def sample_earlier_cycle(cycle: Cycle, cycles_before: int) -> Cycle:
    """The sample's cycle `cycles_before` meetings before `cycle` (weekly, Monday 09:00 UTC)."""
    ends = cycle.ends_at - timedelta(weeks=cycles_before)
    return Cycle(meeting_date=ends.date(), starts_at=ends - timedelta(days=7), ends_at=ends)


def _history(
    rows: list[dict[str, Any]],
    asks: dict[tuple[int, str], list[Ask]],
    *,
    cycle: Cycle,
    labels: dict[str, str],
) -> list[CycleStandups]:
    """The earlier cycles' standups, most recent first; each earlier ask rides in its asker's
    standup of that cycle (one made for it if they sent none)."""
    by_cycle: dict[int, list[Standup]] = {n: [] for n in range(1, HISTORY_CYCLES + 1)}
    sent = {(row["cycles_before"], row["user_id"]) for row in rows}
    asks_only = [{"cycles_before": n, "user_id": user} for n, user in sorted(set(asks) - sent)]
    for row in [*rows, *asks_only]:
        earlier = sample_earlier_cycle(cycle, row["cycles_before"])
        by_cycle[row["cycles_before"]].append(
            Standup(
                user_id=row["user_id"],
                user_name=labels[row["user_id"]],
                meeting_date=earlier.meeting_date,
                submitted_at=earlier.ends_at - timedelta(hours=row.get("sent_hours_before", 24)),
                done=tuple(row.get("done", ())),
                next=tuple(row.get("next", ())),
                blocked=tuple(row.get("blocked", ())),
                asks=tuple(asks.get((row["cycles_before"], row["user_id"]), ())),
            )
        )
    return [
        CycleStandups(
            cycle=sample_earlier_cycle(cycle, n),
            standups=tuple(sorted(by_cycle[n], key=lambda standup: standup.submitted_at)),
        )
        for n in range(1, HISTORY_CYCLES + 1)
    ]


def _ask(
    row: dict[str, Any],
    *,
    id_: int,
    from_user_id: str,
    labels: dict[str, str],
    meeting: date,
    ends: datetime,
) -> Ask:
    """An ask of the sample: open, closed (`status` "done", `closed_hours_before`), or answered
    by the person asked (`answer`, `answered_hours_before`: answering closes it)."""
    answered = ends - timedelta(hours=row["answered_hours_before"]) if "answer" in row else None
    done = row.get("status") == "done" or answered is not None
    closed = answered or (ends - timedelta(hours=row["closed_hours_before"]) if done else None)
    return Ask(
        id=id_,
        from_user_id=from_user_id,
        from_name=labels[from_user_id],
        to_user_id=row.get("to_user_id"),
        to_name=row["to_name"],
        everyone=row.get("everyone", False),
        text=row["text"],
        meeting_date=meeting,
        status="done" if done else "open",
        closed_at=closed,
        closed_by=row.get("to_user_id") if done else None,
        answer=row.get("answer"),
        answered_at=answered,
        answered_by=row.get("to_user_id") if answered else None,
    )


def _follow_up(row: dict[str, Any], *, meeting: date, ends: datetime) -> FollowUp:
    done_days = row.get("done_days_before")
    return FollowUp(
        id=row["id"],
        text=row["text"],
        owner_user_id=row["owner_user_id"],
        owner_name=row["owner_name"],
        status="done" if done_days is not None else "open",
        created_at=ends - timedelta(days=row["created_days_before"]),
        meeting_date=meeting - timedelta(weeks=row["cycles_before"]),
        source=row["source"],
        done_at=ends - timedelta(days=done_days) if done_days is not None else None,
        done_by=row.get("done_by"),
    )


def _pull_request(row: dict[str, Any], *, org: str, ends: datetime) -> PullRequest:
    def before(days: float | None) -> datetime | None:
        return ends - timedelta(days=days) if days is not None else None

    merged_at = before(row.get("merged_days_before"))
    created_at = before(row["created_days_before"])
    updated_at = before(row["updated_days_before"])
    assert created_at is not None and updated_at is not None
    return PullRequest(
        owner=org,
        repo=row["repo"],
        number=row["number"],
        title=row["title"],
        url=f"https://github.com/{org}/{row['repo']}/pull/{row['number']}",
        state=row["state"],
        ci=row["ci"],
        review_decision=row["review_decision"],
        author=row["author"],
        created_at=created_at,
        updated_at=updated_at,
        merged_at=merged_at,
        closed_at=merged_at,
    )


def sample_ci_audit(now: datetime) -> tuple[BillingUsage, CiAudit]:
    """The sample org's usage lines and its CI audit, as of the sample meeting before `now`."""
    ends = sample_cycle(now).ends_at
    data = load_sample_data()
    usage, forks, states = sample_usage(data["billing"], org=data["org"], ends=ends)
    return usage, build_ci_audit(usage, today=ends.date(), forks=forks, states=states)


def sample_usage(
    data: dict[str, Any], *, org: str, ends: datetime
) -> tuple[BillingUsage, list[RepoInfo], dict[str, RepoInfo]]:
    """The sample org's usage lines for the billing months, its forks and its repositories'
    states (what `GET /orgs/{org}/repos?type=forks` and GraphQL would say)."""
    prices: dict[str, dict[str, float]] = data["prices_per_minute"]
    repos: dict[str, Any] = data["repositories"]
    this_month = ends.date().replace(day=1)
    items: list[UsageItem] = []
    months: list[tuple[date, int, dict[str, float], dict[str, float]]] = []
    for row in data["full_months"]:
        first = _months_before(this_month, row["months_before"])
        months.append((first, row["months_before"], row["minutes"], row["paid_minutes"]))
    # The running month so far: its pace times the share of the month that has passed.
    next_month = _months_before(this_month, -1)
    elapsed = (ends - datetime.combine(this_month, time.min, tzinfo=UTC)) / (
        datetime.combine(next_month, time.min, tzinfo=UTC)
        - datetime.combine(this_month, time.min, tzinfo=UTC)
    )
    so_far = {sku: round(pace * elapsed) for sku, pace in data["current_month_pace"].items()}
    months.append((this_month, 0, so_far, {}))
    for first, before, minutes_by_sku, paid_by_sku in months:
        for sku, minutes in minutes_by_sku.items():
            shares = _shares(repos, sku, before)
            split = _split(minutes, shares)
            paid = _split(paid_by_sku.get(sku, 0), shares)
            for repo, repo_minutes in split.items():
                if repo_minutes:
                    items.append(
                        _usage_item(org, first, sku, repo_minutes, paid[repo], prices[sku], repo)
                    )
        scale = 1.0 if before else elapsed
        for repo, gb_hours in repos["storage_gb_hours"].items():
            items.append(_storage_item(org, first, repo, gb_hours * scale, repos["storage_price"]))
    keys = sorted({(m[0].year, m[0].month) for m in months})
    usage = BillingUsage(org=org, items=tuple(items), months=tuple(keys))
    forks = [RepoInfo(name=name, full_name=f"{org}/{name}", fork=True) for name in repos["forks"]]
    named = {item.repository_name for item in items if item.repository_name}
    states = {
        name: RepoInfo(
            name=name,
            full_name=f"{org}/{name}",
            fork=name in repos["forks"],
            archived=name in repos["archived"],
        )
        for name in sorted(named)
    }
    return usage, forks, states


def _shares(repos: dict[str, Any], sku: str, months_before: int) -> dict[str, float]:
    shares = dict(repos["shares"][sku])
    for change in repos["changes"]:
        if change["sku"] == sku and months_before <= change["from_months_before"]:
            shares.update(change["shares"])
    total = sum(shares.values())
    return {repo: share / total for repo, share in shares.items()}


def _split(minutes: float, shares: dict[str, float]) -> dict[str, int]:
    """Whole minutes per repository, adding up to `minutes` (largest remainder)."""
    whole = int(minutes)
    exact = {repo: whole * share for repo, share in shares.items()}
    split = {repo: int(value) for repo, value in exact.items()}
    left = whole - sum(split.values())
    for repo in sorted(exact, key=lambda r: (split[r] - exact[r], r))[:left]:
        split[repo] += 1
    return split


def _usage_item(
    org: str,
    day: date,
    sku: str,
    minutes: float,
    paid: float,
    price: dict[str, float],
    repo: str = "",
) -> UsageItem:
    per_minute = price["before_2026"] if day < PRICE_CHANGE else price["from_2026"]
    gross = round(minutes * per_minute, 6)
    net = round(paid * per_minute, 6)
    return UsageItem(
        date=day,
        product="actions",
        sku=sku,
        quantity=float(minutes),
        unit_type="minutes",
        price_per_unit=per_minute,
        gross_amount=gross,
        discount_amount=round(gross - net, 6),
        net_amount=net,
        organization_name=org,
        repository_name=repo or None,
    )


def _storage_item(org: str, day: date, repo: str, gb_hours: float, price: float) -> UsageItem:
    amount = round(gb_hours * price, 6)
    return UsageItem(
        date=day,
        product="actions",
        sku="Actions storage",
        quantity=round(gb_hours, 3),
        unit_type="GigabyteHours",
        price_per_unit=price,
        gross_amount=amount,
        discount_amount=0.0,
        net_amount=amount,
        organization_name=org,
        repository_name=repo,
    )


def _months_before(first: date, count: int) -> date:
    index = first.year * 12 + first.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)
