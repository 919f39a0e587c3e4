"""The CI audit (pure): where the Actions minutes go, repository by repository."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digests.billing import build_monthly_usage, exact
from digests.ci_audit import (
    NO_REPOSITORY,
    apportion,
    build_ci_audit,
    build_usage_rows,
    change_words,
    repo_name,
)
from digests.models import BillingUsage, RepoInfo, UsageItem

TODAY = date(2026, 11, 18)
MONTHS = ((2026, 9), (2026, 10), (2026, 11))
SKUS = {
    "Actions Linux": 0.006,
    "Actions Linux 4-core": 0.012,
    "Actions Windows": 0.010,
    "Actions macOS": 0.062,
}


def line(
    day: date,
    repo: str | None,
    minutes: float,
    *,
    sku: str = "Actions Linux",
    discount_share: float = 1.0,
    unit: str = "minutes",
    price: float | None = None,
) -> UsageItem:
    per = SKUS.get(sku, 0.0) if price is None else price
    gross = round(minutes * per, 6)
    discount = round(gross * discount_share, 6)
    return UsageItem(
        date=day,
        product="actions",
        sku=sku,
        quantity=minutes,
        unit_type=unit,
        price_per_unit=per,
        gross_amount=gross,
        discount_amount=discount,
        net_amount=round(gross - discount, 6),
        organization_name="acme",
        repository_name=repo,
    )


def generated_lines(seed: int, count: int, *, owner_prefix: bool = False) -> list[UsageItem]:
    """`count` daily lines over three months, 40 repositories, four runner SKUs, partial
    discounts, storage lines and some lines without a repository."""
    rng = random.Random(seed)
    repos = [f"repo-{index}" for index in range(40)]
    items = []
    for _ in range(count):
        year, month = rng.choice(MONTHS)
        day = date(year, month, rng.randint(1, 28 if month != 11 else 17))
        repo: str | None = rng.choice(repos)
        if rng.random() < 0.03:
            repo = rng.choice([None, ""])
        elif owner_prefix and repo is not None:
            repo = f"acme/{repo}"
        if rng.random() < 0.08:
            gb_hours = round(rng.uniform(0.001, 40), 3)
            items.append(
                line(day, repo, gb_hours, sku="Actions storage", unit="GigabyteHours",
                     price=0.00033, discount_share=0.0)
            )  # fmt: skip
            continue
        sku = rng.choice(list(SKUS))
        minutes = float(rng.randint(1, 900))
        items.append(line(day, repo, minutes, sku=sku, discount_share=rng.choice([0, 0.5, 1, 1])))
    return items


def audit_of(items: list[UsageItem], **options: object) -> object:
    usage = BillingUsage(org="acme", items=tuple(items), months=MONTHS)
    return build_ci_audit(usage, today=TODAY, **options)  # type: ignore[arg-type]


def cents(value: float) -> int:
    return round(value * 100)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_per_repository_sums_equal_the_org_totals_to_the_cent(seed: int) -> None:
    items = generated_lines(seed, 6_000)
    usage = BillingUsage(org="acme", items=tuple(items), months=MONTHS)
    audit = build_ci_audit(usage, today=TODAY)
    org = {(m.year, m.month): m for m in build_monthly_usage(items, today=TODAY, months=3)}
    assert [(t.year, t.month) for t in audit.totals] == list(MONTHS)
    for index, month in enumerate(MONTHS):
        figures = [repo.months[index] for repo in audit.repos]
        assert sum(f.minutes for f in figures) == pytest.approx(org[month].minutes)
        for part in ("gross", "discount", "net"):
            assert sum(cents(getattr(f, part)) for f in figures) == cents(getattr(org[month], part))
        # Each repository's figure is within a cent of its own exact sum.
        for repo in audit.repos:
            own = [
                i
                for i in items
                if repo_name(i.repository_name, "acme") == repo.repo
                and (i.date.year, i.date.month) == month
                and i.unit_type == "minutes"
            ]
            exact_gross = sum((exact(i.gross_amount) for i in own), Decimal(0))
            assert abs(Decimal(cents(repo.months[index].gross)) - exact_gross * 100) < 1
    # And the CSV rows add up to the same, month by month, minutes apart from storage.
    rows = build_usage_rows(usage, audit)
    for month in MONTHS:
        minute_rows = [r for r in rows if (r.year, r.month) == month and r.unit == "minutes"]
        assert sum(r.quantity for r in minute_rows) == pytest.approx(org[month].minutes)
        for part in ("gross", "discount", "net"):
            assert sum(cents(getattr(r, part)) for r in minute_rows) == cents(
                getattr(org[month], part)
            )


def test_bare_and_owner_prefixed_repository_names_give_the_same_figures() -> None:
    bare = build_ci_audit(
        BillingUsage(org="acme", items=tuple(generated_lines(7, 1_500)), months=MONTHS),
        today=TODAY,
    )
    prefixed = build_ci_audit(
        BillingUsage(
            org="acme", items=tuple(generated_lines(7, 1_500, owner_prefix=True)), months=MONTHS
        ),
        today=TODAY,
    )
    assert prefixed == bare
    assert repo_name("ACME/api", "acme") == "api" and repo_name("api", "acme") == "api"
    assert repo_name("other/api", "acme") == "other/api"
    assert repo_name(None, "acme") == repo_name("  ", "acme") == NO_REPOSITORY


def test_storage_is_kept_apart_from_minutes_and_their_dollars() -> None:
    october = date(2026, 10, 3)
    items = [
        line(october, "api", 1_000),
        line(october, "api", 5_000.5, sku="Actions storage", unit="GigabyteHours",
             price=0.00033, discount_share=0.0),
    ]  # fmt: skip
    [api] = audit_of(items).repos  # type: ignore[attr-defined]
    assert (api.latest.minutes, api.latest.gross, api.latest.net) == (1_000, 6.0, 0.0)
    assert api.latest.storage_gb_hours == pytest.approx(5_000.5)
    assert api.latest.storage_net == 1.65


def test_a_discount_on_one_line_stays_with_that_lines_repository() -> None:
    october = date(2026, 10, 3)
    items = [
        line(october, "api", 1_000, discount_share=1.0),  # $6 gross, all discounted
        line(october, "web", 1_000, discount_share=0.0),  # $6 gross, all paid
    ]
    repos = {repo.repo: repo.latest for repo in audit_of(items).repos}  # type: ignore[attr-defined]
    assert (repos["api"].discount, repos["api"].net) == (6.0, 0.0)
    assert (repos["web"].discount, repos["web"].net) == (0.0, 6.0)  # never spread by share


def test_figures_share_change_peak_and_runners() -> None:
    items = [
        line(date(2026, 9, 2), "api", 4_000),
        line(date(2026, 10, 2), "api", 3_000),
        line(date(2026, 10, 2), "api", 200, sku="Actions Windows"),
        line(date(2026, 10, 2), "web", 800),
        line(date(2026, 11, 2), "api", 500),
    ]
    audit = audit_of(items)
    api, web = audit.repos  # type: ignore[attr-defined]
    assert (api.repo, web.repo) == ("api", "web")
    assert api.latest.minutes_by_runner == {"Linux": 3_000, "Windows": 200}
    assert api.share == pytest.approx(3_200 / 4_000)
    assert (api.previous.minutes, api.peak.label, api.so_far.minutes) == (4_000, "Sep 2026", 500)
    assert change_words(api.latest.minutes, api.previous.minutes) == "\u221220%"
    assert change_words(web.latest.minutes, web.previous.minutes) == "new"
    assert change_words(1, None) == ""


def test_flags_fork_archived_jump_and_dear_runners_each_say_why() -> None:
    items = [
        line(date(2026, 9, 2), "api", 2_000),
        line(date(2026, 10, 2), "api", 3_100),  # +55 %, +1,100 min: a jump
        line(date(2026, 9, 2), "web", 1_000),
        line(date(2026, 10, 2), "web", 1_900),  # +90 % but only +900 min: no jump
        line(date(2026, 10, 2), "api-fork", 300),
        line(date(2026, 10, 2), "old-site", 120),
        line(date(2026, 10, 2), "ios", 4_200, sku="Actions macOS"),
        line(date(2026, 10, 2), "ios", 90),  # Linux tiny next to macOS
        line(date(2026, 11, 2), "forgotten-fork", 40),  # a fork, only this month so far
    ]
    forks = [
        RepoInfo(name="api-fork", full_name="acme/api-fork", fork=True),
        RepoInfo(name="forgotten-fork", full_name="acme/forgotten-fork", fork=True),
    ]
    states = {"old-site": RepoInfo(name="old-site", full_name="acme/old-site", archived=True)}
    audit = audit_of(items, forks=forks, states=states)
    flags = {(flag.repo, flag.kind): flag.why for flag in audit.flags}  # type: ignore[attr-defined]
    assert set(flags) == {
        ("api", "jump"),
        ("api-fork", "fork"),
        ("forgotten-fork", "fork"),
        ("old-site", "archived"),
        ("ios", "pricey_runners"),
        ("ios", "jump"),  # nothing in September, 4,290 min in October
    }
    assert flags[("ios", "jump")].startswith("minutes jumped from nothing: 0 min in Sep 2026")
    assert flags[("api", "jump")] == (
        "minutes jumped +55%: 2,000 min in Sep 2026 → 3,100 min in Oct 2026 (more than 50% and "
        "1,000 min)"
    )
    assert flags[("api-fork", "fork")] == "a fork that used 300 min in Oct 2026 ($0 net)"
    assert flags[("forgotten-fork", "fork")] == (
        "a fork that used 40 min in Nov 2026 so far ($0 net)"
    )
    assert flags[("old-site", "archived")] == "archived, yet it used 120 min in Oct 2026 ($0 net)"
    assert flags[("ios", "pricey_runners")] == (
        "macOS 4,200 min (10× the Linux price) in Oct 2026, Linux only 90 min: do these jobs "
        "need them?"
    )
    # A higher threshold: +55 % is no longer a jump.
    calmer = audit_of(items, forks=forks, states=states, jump_percent=60)
    assert ("api", "jump") not in {(f.repo, f.kind) for f in calmer.flags}  # type: ignore[attr-defined]


def test_nothing_is_flagged_as_a_fork_when_the_forks_are_unknown() -> None:
    audit = audit_of([line(date(2026, 10, 2), "api-fork", 300)])
    [repo] = audit.repos  # type: ignore[attr-defined]
    assert repo.fork is None and audit.flags == ()  # type: ignore[attr-defined]


@settings(max_examples=200)
@given(
    st.lists(
        st.decimals(min_value=0, max_value=1000, places=6, allow_nan=False), min_size=1, max_size=30
    )
)
def test_apportioned_cents_add_up_and_stay_within_a_cent(amounts: list[Decimal]) -> None:
    total = sum(amounts, Decimal(0))
    total_cents = int((total * 100).quantize(Decimal(1)))
    shares = apportion(amounts, total_cents)
    assert sum(shares) == total_cents
    for share, amount in zip(shares, amounts, strict=True):
        assert abs(Decimal(share) - amount * 100) < 1
