"""GitHub Actions usage items → monthly minutes and dollars, and the peak-vs-latest comparison.

Pure: usage items in (as GitHub billed them), figures out. Decisions:
- Only Actions *minutes* count: product "actions" and unit type "minutes" (both compared
  case-insensitively). Storage lines (`Actions storage`, unit GigabyteHours) are left out of the
  minutes AND of the dollars, so gross/discount/net here are what the minutes cost. Mixing storage
  dollars in would make a saving in minutes look smaller or larger than it was.
- Dollars are GitHub's own `grossAmount` / `discountAmount` / `netAmount` (computed by GitHub from
  the `pricePerUnit` it returned); no list price appears anywhere in this module.
- The month containing `today` is still running: `complete=False`. Months after it are dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Protocol

from digests.models import (
    ActionsBilling,
    BillingComparison,
    BillingUsage,
    Fetched,
    MonthlyActionsUsage,
    UsageItem,
)

ACTIONS_PRODUCT = "actions"
MINUTE_UNITS = frozenset({"minutes", "minute"})
MINUS = "\u2212"  # typographic minus sign, as in "−105,000 min/mo"
CENT = 0.005  # below half a cent a dollar figure is zero
CENTS = Decimal("0.01")


def exact(amount: float) -> Decimal:
    """A dollar amount or quantity GitHub sent, as the decimal it wrote (its shortest repr), so
    that sums of thousands of lines are exact and round to the cent the way GitHub's totals do."""
    return Decimal(repr(amount))


def to_cents(amount: Decimal) -> int:
    return int(amount.quantize(CENTS, rounding=ROUND_HALF_EVEN) * 100)


# year, month, product, SKU, unit, repository, organization
_LineKey = tuple[int, int, str, str, str, str | None, str | None]


class UsageLine(Protocol):
    """What a billing usage line carries: a `UsageItem`, or a row the edge read without making
    one (a large org's month is tens of thousands of daily lines)."""

    @property
    def date(self) -> date: ...
    @property
    def product(self) -> str: ...
    @property
    def sku(self) -> str: ...
    @property
    def unit_type(self) -> str: ...
    @property
    def repository_name(self) -> str | None: ...
    @property
    def organization_name(self) -> str | None: ...
    @property
    def quantity(self) -> float: ...
    @property
    def price_per_unit(self) -> float: ...
    @property
    def gross_amount(self) -> float: ...
    @property
    def discount_amount(self) -> float: ...
    @property
    def net_amount(self) -> float: ...


def sum_usage_lines(items: Iterable[UsageLine]) -> list[UsageItem]:
    """One line per month, product, SKU, unit and repository: GitHub's daily lines summed
    exactly, dated the first of their month. Every figure of this module and of
    `digests.ci_audit` is the same from these as from the daily lines (which a large org has
    tens of thousands of a month), so this is what is fetched, kept and cached."""
    sums = UsageSums()
    for item in items:
        sums.add(item)
    return sums.lines()


class UsageSums:
    """`sum_usage_lines` one line at a time, from values already read (the edge feeds GitHub's
    rows straight in, without a model per daily line)."""

    def __init__(self) -> None:
        self._sums: dict[_LineKey, list[Decimal]] = {}
        self._prices: dict[_LineKey, set[float]] = {}

    def add(self, line: UsageLine) -> None:
        key: _LineKey = (
            line.date.year,
            line.date.month,
            line.product,
            line.sku,
            line.unit_type,
            line.repository_name,
            line.organization_name,
        )
        row = self._sums.get(key)
        if row is None:
            row = self._sums[key] = [Decimal(0)] * 4
            self._prices[key] = set()
        row[0] += exact(line.quantity)
        row[1] += exact(line.gross_amount)
        row[2] += exact(line.discount_amount)
        row[3] += exact(line.net_amount)
        self._prices[key].add(line.price_per_unit)

    def lines(self) -> list[UsageItem]:
        lines = []
        for key, (quantity, gross, discount, net) in self._sums.items():
            year, month, product, sku, unit, repository, organization = key
            seen = self._prices[key]
            # One price for the month as GitHub gave it; a month with several (a price change),
            # the average GitHub billed.
            if len(seen) == 1:
                price = next(iter(seen))
            else:
                price = float(gross / quantity) if quantity else 0.0
            lines.append(
                UsageItem(
                    date=date(year, month, 1),
                    product=product,
                    sku=sku,
                    quantity=float(quantity),
                    unit_type=unit,
                    price_per_unit=price,
                    gross_amount=float(gross),
                    discount_amount=float(discount),
                    net_amount=float(net),
                    organization_name=organization,
                    repository_name=repository,
                )
            )
        return lines


def is_actions_minutes(item: UsageItem) -> bool:
    return item.product.casefold() == ACTIONS_PRODUCT and item.unit_type.casefold() in MINUTE_UNITS


def build_monthly_usage(
    items: Iterable[UsageItem], *, today: date, months: int | None = None
) -> list[MonthlyActionsUsage]:
    """Actions minutes and dollars per calendar month, oldest month first.

    Without `months`: every month from the first month with minutes through the last one (months in
    between without usage appear with zeros). With `months`: exactly that many months ending with
    the month of `today`, zeros where there was no usage, older items dropped.
    """
    current = (today.year, today.month)
    totals: dict[tuple[int, int], _MonthTotals] = defaultdict(_MonthTotals)
    for item in items:
        key = (item.date.year, item.date.month)
        if key > current or not is_actions_minutes(item):
            continue
        totals[key].add(item)

    if months is not None:
        keys = months_ending(current, months)
    elif totals:
        keys = _months_between(min(totals), max(totals))
    else:
        keys = []
    return [
        totals[key].build(key, complete=key != current) if key in totals else _empty(key, current)
        for key in keys
    ]


def monthly_usage_of(
    items: Iterable[UsageItem], months: Iterable[tuple[int, int]], *, today: date
) -> list[MonthlyActionsUsage]:
    """The org's Actions usage for just these (year, month)s, oldest first."""
    wanted = set(months)
    if not wanted:
        return []
    first_year, first_month = min(wanted)
    span = (today.year - first_year) * 12 + today.month - first_month + 1
    return [
        month
        for month in build_monthly_usage(items, today=today, months=span)
        if (month.year, month.month) in wanted
    ]


def build_actions_billing(usage: Fetched[BillingUsage], *, today: date) -> ActionsBilling:
    """The org's Actions minutes and dollars for the months GitHub answered, oldest first, with
    the peak-vs-latest comparison; a problem fetching (some of) it stays attached."""
    months = monthly_usage_of(usage.data.items, usage.data.months, today=today)
    return ActionsBilling(
        org=usage.data.org,
        months=tuple(months),
        comparison=build_billing_comparison(months),
        problem=usage.problem,
    )


def build_billing_comparison(months: Sequence[MonthlyActionsUsage]) -> BillingComparison | None:
    """The peak full month against the latest full month.

    None when there are fewer than two full months or when the latest full month is the peak (ties
    count as the later month, so an unchanged level yields no comparison).
    """
    full = sorted((m for m in months if m.complete), key=lambda m: (m.year, m.month))
    if len(full) < 2:
        return None
    latest = full[-1]
    peak = full[0]
    for month in full[1:]:
        if month.minutes >= peak.minutes:
            peak = month
    if peak is latest:
        return None
    minutes_delta = latest.minutes - peak.minutes
    gross_delta = latest.gross - peak.gross
    net_delta = latest.net - peak.net
    return BillingComparison(
        peak=peak,
        latest=latest,
        minutes_delta=minutes_delta,
        gross_delta=gross_delta,
        gross_delta_per_year=gross_delta * 12,
        net_delta=net_delta,
        summary=render_comparison_summary(peak, latest),
    )


def render_comparison_summary(peak: MonthlyActionsUsage, latest: MonthlyActionsUsage) -> str:
    """The one-line comparison, e.g.
    "−105,000 min/mo; $630/mo ($7,560/yr) gross; $0 net — fully covered by the plan's discount".

    The minutes carry their sign. Dollar figures are the size of the change in the direction the
    minutes moved (a drop in minutes is read as a saving of "$630/mo"); a dollar change against that
    direction (fewer minutes but dearer runners) carries its own sign, "+$12.40/mo".
    """
    minutes_delta = latest.minutes - peak.minutes
    gross_delta = latest.gross - peak.gross
    net_delta = latest.net - peak.net
    direction = -1 if minutes_delta < 0 else 1
    gross = _signed_money(gross_delta, direction)
    gross_year = _signed_money(gross_delta * 12, direction)
    parts = [
        f"{_signed_minutes(minutes_delta)} min/mo",
        f"{gross}/mo ({gross_year}/yr) gross",
    ]
    if abs(net_delta) < CENT:
        net = "$0 net"
        if abs(peak.net) < CENT and abs(latest.net) < CENT and abs(gross_delta) >= CENT:
            net += " \u2014 fully covered by the plan's discount"
        parts.append(net)
    else:
        parts.append(f"{_signed_money(net_delta, direction)}/mo net")
    return "; ".join(parts)


def format_money(amount: float) -> str:
    """$630, $7,560, $12.40: whole dollars without cents, otherwise two decimals."""
    cents = round(abs(amount) * 100)
    if cents % 100 == 0:
        return f"${cents // 100:,}"
    return f"${cents / 100:,.2f}"


def _signed_money(delta: float, direction: int) -> str:
    if abs(delta) < CENT or (delta < 0) == (direction < 0):
        return format_money(delta)
    return ("+" if delta > 0 else MINUS) + format_money(delta)


def _signed_minutes(delta: float) -> str:
    whole = round(delta)
    if whole < 0:
        return f"{MINUS}{-whole:,}"
    if whole > 0:
        return f"+{whole:,}"
    return "0"


class _MonthTotals:
    def __init__(self) -> None:
        self.minutes_by_sku: dict[str, Decimal] = {}
        self.gross = Decimal(0)
        self.discount = Decimal(0)
        self.net = Decimal(0)

    def add(self, item: UsageItem) -> None:
        minutes = self.minutes_by_sku.get(item.sku, Decimal(0)) + exact(item.quantity)
        self.minutes_by_sku[item.sku] = minutes
        self.gross += exact(item.gross_amount)
        self.discount += exact(item.discount_amount)
        self.net += exact(item.net_amount)

    def build(self, key: tuple[int, int], *, complete: bool) -> MonthlyActionsUsage:
        return MonthlyActionsUsage(
            year=key[0],
            month=key[1],
            minutes_by_sku={sku: float(m) for sku, m in sorted(self.minutes_by_sku.items())},
            minutes=float(sum(self.minutes_by_sku.values(), Decimal(0))),
            # Exact sums of GitHub's amounts, in whole cents as GitHub bills them.
            gross=to_cents(self.gross) / 100,
            discount=to_cents(self.discount) / 100,
            net=to_cents(self.net) / 100,
            complete=complete,
        )


def _empty(key: tuple[int, int], current: tuple[int, int]) -> MonthlyActionsUsage:
    return _MonthTotals().build(key, complete=key != current)


def months_ending(last: tuple[int, int], count: int) -> list[tuple[int, int]]:
    """The `count` calendar months (year, month) ending with `last`, oldest first."""
    year, month = last
    keys = []
    for _ in range(max(count, 0)):
        keys.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys[::-1]


def _months_between(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    keys = [first]
    while keys[-1] < last:
        year, month = keys[-1]
        keys.append((year, month + 1) if month < 12 else (year + 1, 1))
    return keys
