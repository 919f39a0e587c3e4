"""Actions usage items → monthly figures and the peak-vs-latest comparison (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from digests.billing import (
    build_billing_comparison,
    build_monthly_usage,
    format_money,
)
from digests.models import MonthlyActionsUsage, UsageItem
from digests.render.wording import comparison_line, plain


def item(
    day: date,
    quantity: float,
    *,
    price: float = 0.006,
    sku: str = "Actions Linux",
    product: str = "actions",
    unit: str = "minutes",
    discount_share: float = 1.0,
) -> UsageItem:
    gross = quantity * price
    discount = gross * discount_share
    return UsageItem(
        date=day,
        product=product,
        sku=sku,
        quantity=quantity,
        unit_type=unit,
        price_per_unit=price,
        gross_amount=gross,
        discount_amount=discount,
        net_amount=gross - discount,
    )


def month(
    year: int, number: int, minutes: float, gross: float, net: float = 0.0
) -> MonthlyActionsUsage:
    return MonthlyActionsUsage(
        year=year,
        month=number,
        minutes_by_sku={"Actions Linux": minutes},
        minutes=minutes,
        gross=gross,
        discount=gross - net,
        net=net,
    )


def test_answer_key_feb_peak_against_april() -> None:
    """Feb 198,000 Linux minutes, Apr 93,000, at $0.006/min, fully discounted."""
    items = [
        # GitHub reports daily lines: spread February over 28 days.
        *(item(date(2026, 2, day), 198_000 / 28) for day in range(1, 29)),
        item(date(2026, 3, 15), 150_000),
        item(date(2026, 4, 1), 60_000),
        item(date(2026, 4, 30), 33_000),
        item(date(2026, 5, 2), 5_000),  # the running month
    ]

    months = build_monthly_usage(items, today=date(2026, 5, 4))
    comparison = build_billing_comparison(months)

    assert [(m.label, m.minutes, m.complete) for m in months] == [
        ("Feb 2026", pytest.approx(198_000), True),
        ("Mar 2026", 150_000, True),
        ("Apr 2026", 93_000, True),
        ("May 2026", 5_000, False),
    ]
    assert comparison is not None
    assert (comparison.peak.month, comparison.latest.month) == (2, 4)
    assert comparison.minutes_delta == pytest.approx(-105_000)
    assert comparison.gross_delta == pytest.approx(-630)
    assert comparison.gross_delta_per_year == pytest.approx(-7_560)
    assert comparison.net_delta == pytest.approx(0)
    assert comparison.summary == (
        "\u2212105,000 min/mo; $630/mo ($7,560/yr) gross; $0 net \u2014 fully covered by the "
        "plan's discount"
    )
    # Worded as the team wrote it by hand: both months' own minutes, then the change.
    assert plain(comparison_line(comparison)) == (
        "Feb 2026 (peak) 198,000 min \u2192 Apr 2026 93,000 min: \u2212105,000 min/mo; $630/mo "
        "($7,560/yr) gross; $0 net \u2014 fully covered by the plan's discount"
    )


def test_minutes_only_storage_and_other_products_left_out() -> None:
    items = [
        item(date(2026, 3, 1), 1_000, sku="Actions Linux"),
        item(date(2026, 3, 2), 200, sku="Actions macOS 3-core", price=0.062),
        item(
            date(2026, 3, 3),
            50,
            product="Actions",
            unit="Minutes",
            sku="Actions Windows",
            price=0.01,
        ),
        item(date(2026, 3, 1), 720, sku="Actions storage", unit="GigabyteHours", price=0.00033),
        item(
            date(2026, 3, 1),
            9_999,
            product="packages",
            sku="Packages data transfer",
            unit="GigaBytes",
        ),
        item(date(2026, 3, 1), 9_999, product="copilot", sku="Copilot Business", unit="UserMonths"),
    ]

    [march] = build_monthly_usage(items, today=date(2026, 4, 10))

    assert march.minutes_by_sku == {
        "Actions Linux": 1_000,
        "Actions Windows": 50,
        "Actions macOS 3-core": 200,
    }
    assert march.minutes == 1_250
    assert march.gross == pytest.approx(1_000 * 0.006 + 200 * 0.062 + 50 * 0.01)
    assert march.discount == march.gross
    assert march.net == 0


def test_dollars_are_githubs_amounts_not_quantity_times_a_list_price() -> None:
    # GitHub billed this line at $0.008 (the old price); the figures follow GitHub.
    [january] = build_monthly_usage(
        [item(date(2026, 1, 5), 1_000, price=0.008, discount_share=0.25)], today=date(2026, 2, 1)
    )
    assert (january.gross, january.discount, january.net) == (8.0, 2.0, 6.0)


def test_window_of_months_zero_fills_and_drops_older_and_future_items() -> None:
    items = [
        item(date(2025, 8, 31), 777),  # older than the window
        item(date(2026, 1, 10), 100),
        item(date(2026, 3, 10), 300),
        item(date(2026, 6, 1), 999),  # after today: not billed yet, dropped
    ]

    months = build_monthly_usage(items, today=date(2026, 3, 20), months=7)

    assert [(m.year, m.month, m.minutes, m.complete) for m in months] == [
        (2025, 9, 0, True),
        (2025, 10, 0, True),
        (2025, 11, 0, True),
        (2025, 12, 0, True),
        (2026, 1, 100, True),
        (2026, 2, 0, True),
        (2026, 3, 300, False),
    ]


def test_without_window_months_run_from_first_to_last_usage() -> None:
    items = [item(date(2025, 11, 3), 10), item(date(2026, 1, 3), 30)]
    months = build_monthly_usage(items, today=date(2026, 5, 1))
    assert [(m.year, m.month, m.minutes) for m in months] == [
        (2025, 11, 10),
        (2025, 12, 0),
        (2026, 1, 30),
    ]
    assert build_monthly_usage([], today=date(2026, 5, 1)) == []


def test_no_comparison_with_fewer_than_two_full_months() -> None:
    running = month(2026, 5, 500_000, 3_000).model_copy(update={"complete": False})
    assert build_billing_comparison([]) is None
    assert build_billing_comparison([month(2026, 4, 1_000, 6)]) is None
    # The running month is never the peak nor the latest, however large it is.
    assert build_billing_comparison([month(2026, 4, 1_000, 6), running]) is None


def test_no_comparison_when_the_latest_full_month_is_the_peak() -> None:
    assert build_billing_comparison([month(2026, 3, 1_000, 6), month(2026, 4, 2_000, 12)]) is None
    # A tie with an earlier month: nothing came down.
    assert build_billing_comparison([month(2026, 3, 2_000, 12), month(2026, 4, 2_000, 12)]) is None


def test_summary_says_the_net_delta_when_not_covered() -> None:
    peak = month(2026, 2, 10_000, 60.0, net=20.0)
    latest = month(2026, 4, 4_000, 24.0, net=7.60)
    comparison = build_billing_comparison([peak, month(2026, 3, 5_000, 30.0, net=10.0), latest])
    assert comparison is not None
    assert comparison.net_delta == pytest.approx(-12.40)
    assert comparison.summary == "\u22126,000 min/mo; $36/mo ($432/yr) gross; $12.40/mo net"


def test_summary_signs_dollars_that_move_against_the_minutes() -> None:
    # Fewer minutes, but on dearer runners: the dollars went up.
    peak = month(2026, 2, 10_000, 60.0, net=0.0)
    latest = month(2026, 4, 9_000, 80.5, net=20.5)
    comparison = build_billing_comparison([peak, latest])
    assert comparison is not None
    assert comparison.summary == "\u22121,000 min/mo; +$20.50/mo (+$246/yr) gross; +$20.50/mo net"


def test_summary_with_zero_dollars_is_not_called_covered_when_both_months_paid() -> None:
    peak = month(2026, 2, 10_000, 60.0, net=5.0)
    latest = month(2026, 4, 9_000, 60.0, net=5.0)
    comparison = build_billing_comparison([peak, latest])
    assert comparison is not None
    assert comparison.summary == "\u22121,000 min/mo; $0/mo ($0/yr) gross; $0 net"


@pytest.mark.parametrize(
    ("amount", "text"),
    [(630, "$630"), (7_560, "$7,560"), (12.4, "$12.40"), (-0.004, "$0"), (1234.567, "$1,234.57")],
)
def test_format_money(amount: float, text: str) -> None:
    assert format_money(amount) == text
