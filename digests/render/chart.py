"""The CI billing chart: GitHub Actions minutes by runner per month, with dollars on a second axis.

matplotlib is imported inside `render_billing_chart` only: the server never pays for it unless a
digest with billing data is rendered. It draws on a `Figure` with the Agg canvas, never through
pyplot, so no global figure state is shared between threads or runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from digests.billing import format_money
from digests.models import ActionsBilling, MonthlyActionsUsage
from digests.render import chart_style
from digests.render.chart_style import short_minutes

FILE_NAME = "ci-billing.png"  # as uploaded to the digest's thread and written by ci-report
FULL_MONTHS = 6  # the last six full months, plus the running one
WIDTH_PX, HEIGHT_PX = 1200, 675  # 16:9, sharp at Slack's preview size

# Runner colours: Linux the workhorse in blue, others clearly apart; unknown SKUs in greys.
SKU_COLOURS = {
    "linux": "#3b6fb6",
    "windows": "#e08a2c",
    "macos": "#6aa84f",
}
OTHER_COLOURS = ("#8e7cc3", "#c27ba0", "#76a5af", "#b8860b")
OTHERS_COLOUR = "#9e9e9e"
MAX_SKUS = 5  # more runner kinds than this are drawn as one "Other runners" band
OTHERS = "Other runners"
GROSS_COLOUR = "#222222"
NET_COLOUR = "#cc0000"


def chart_months(billing: ActionsBilling) -> list[MonthlyActionsUsage]:
    """The months the chart shows: the last six full months and the running month, oldest first."""
    ordered = sorted(billing.months, key=lambda month: (month.year, month.month))
    full = [month for month in ordered if month.complete][-FULL_MONTHS:]
    running = [month for month in ordered if not month.complete][-1:]
    return sorted([*full, *running], key=lambda month: (month.year, month.month))


def render_billing_chart(billing: ActionsBilling) -> bytes:
    """A PNG (1200×675) of Actions minutes stacked by runner SKU, gross and net dollars as lines."""
    months = chart_months(billing)
    if not months:
        raise ValueError(f"no GitHub Actions usage to chart for {billing.org}")

    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = chart_style.new_figure(WIDTH_PX, HEIGHT_PX)
    minutes_axis = figure.add_subplot()
    money_axis = minutes_axis.twinx()

    positions = list(range(len(months)))
    skus = _skus_by_volume(months)
    shown, others = skus[:MAX_SKUS], skus[MAX_SKUS:]
    if len(others) == 1:
        shown, others = skus, []
    bands = [(sku, [month.minutes_by_sku.get(sku, 0.0) for month in months]) for sku in shown]
    if others:
        rest = [sum(month.minutes_by_sku.get(sku, 0.0) for sku in others) for month in months]
        bands.append((OTHERS, rest))
    bottoms = [0.0] * len(months)
    for index, (sku, values) in enumerate(bands):
        colour = OTHERS_COLOUR if sku == OTHERS else _sku_colour(sku, index)
        bars = minutes_axis.bar(
            positions, values, bottom=bottoms, width=0.62, color=colour, label=sku, zorder=2
        )
        for bar, month in zip(bars, months, strict=True):
            if not month.complete:  # the running month: lighter and hatched, it will grow
                bar.set_alpha(0.45)
                bar.set_hatch("//")
                bar.set_edgecolor(colour)
        bottoms = [bottom + value for bottom, value in zip(bottoms, values, strict=True)]

    top = max([*bottoms, 1.0])
    # Minutes inside the top of each bar, dollars above the gross markers: no label on a line.
    for position, total, month in zip(positions, bottoms, months, strict=True):
        if total <= 0:
            continue
        minutes_axis.annotate(
            short_minutes(total),
            (position, total),
            xytext=(0, -6),
            textcoords="offset points",
            ha="center",
            va="top",
            fontsize=12,
            fontweight="bold",
            color="white" if month.complete else "#1f3f6e",
            zorder=4,
        )
    minutes_axis.set_ylim(0, top * 1.25)
    minutes_axis.set_xticks(positions, _month_labels(months), fontsize=12)
    minutes_axis.set_ylabel("Actions minutes per month (bars)", fontsize=13)
    minutes_axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: short_minutes(value)))
    minutes_axis.yaxis.set_major_locator(MaxNLocator(6))
    minutes_axis.tick_params(axis="y", labelsize=11)
    chart_style.tidy(minutes_axis, grid="y", sides=("top",))
    money_axis.spines["top"].set_visible(False)

    gross = [month.gross for month in months]
    net = [month.net for month in months]
    money_axis.plot(
        positions,
        gross,
        color=GROSS_COLOUR,
        marker="o",
        markersize=8,
        linewidth=2.2,
        label="Gross $ (before discount)",
        zorder=3,
    )
    money_axis.plot(
        positions,
        net,
        color=NET_COLOUR,
        marker="s",
        markersize=8,
        linewidth=2.2,
        linestyle="--",
        label="Net $ (paid)",
        zorder=3,
    )
    _label_amounts(money_axis, positions, gross, colour=GROSS_COLOUR, offset=9)
    # Net is labelled only where something was paid: a row of "$0.00" would be noise.
    _label_amounts(money_axis, positions, net, colour=NET_COLOUR, offset=8, skip_zero=True)
    money_top = max([*gross, *net, 1.0])
    # The same headroom on both axes keeps the gross line riding just above the bars.
    money_axis.set_ylim(0, money_top * 1.25)
    money_axis.set_ylabel("Dollars per month (lines)", fontsize=13)
    money_axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _axis_money(value)))
    money_axis.yaxis.set_major_locator(MaxNLocator(6))
    money_axis.tick_params(axis="y", labelsize=11)

    chart_style.title(figure, f"GitHub Actions minutes and cost per month — {billing.org}")
    handles, names = minutes_axis.get_legend_handles_labels()
    line_handles, line_names = money_axis.get_legend_handles_labels()
    handles = [*handles, *line_handles]
    names = [*names, *line_names]
    if not months[-1].complete:
        handles.append(Patch(facecolor="white", edgecolor="#666666", hatch="//"))
        names.append(f"{months[-1].label}: month so far")
    minutes_axis.legend(
        handles,
        names,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.01),
        ncols=min((len(names) + 1) // 2, 4),
        fontsize=11,
        frameon=False,
        handlelength=1.8,
        columnspacing=1.4,
    )

    return chart_style.to_png(figure)


def billing_alt_text(billing: ActionsBilling) -> str:
    """What the chart shows, in words, for screen readers and notifications."""
    months = chart_months(billing)
    if not months:
        return f"No GitHub Actions usage to chart for {billing.org}."
    first, last = months[0], months[-1]
    span = f"{first.label} to {last.label}" + ("" if last.complete else " (so far)")
    lines = [
        f"Bar chart of GitHub Actions minutes per month for {billing.org}, {span}, "
        "stacked by runner, with gross and net dollars as lines."
    ]
    for month in months:
        partial = " so far" if not month.complete else ""
        lines.append(
            f"{month.label}{partial}: {month.minutes:,.0f} min, gross {format_money(month.gross)},"
            f" net {format_money(month.net)}."
        )
    if billing.comparison is not None:
        from digests.render.wording import comparison_line, plain

        lines.append(plain(comparison_line(billing.comparison)) + ".")
    text = " ".join(lines)
    return chart_style.clip_alt_text(text)


def _skus_by_volume(months: Sequence[MonthlyActionsUsage]) -> list[str]:
    totals: dict[str, float] = {}
    for month in months:
        for sku, minutes in month.minutes_by_sku.items():
            totals[sku] = totals.get(sku, 0.0) + minutes
    return sorted(
        (sku for sku, total in totals.items() if total > 0), key=lambda s: (-totals[s], s)
    )


def _sku_colour(sku: str, index: int) -> str:
    lowered = sku.casefold()
    for word, colour in SKU_COLOURS.items():
        if word in lowered:
            return colour
    return OTHER_COLOURS[index % len(OTHER_COLOURS)]


def _label_amounts(
    axis: Any,
    positions: Sequence[float],
    amounts: Sequence[float],
    *,
    colour: str,
    offset: int,
    skip_zero: bool = False,
) -> None:
    """Dollar labels just above each point of a line."""
    for position, amount in zip(positions, amounts, strict=True):
        if skip_zero and amount < 0.005:
            continue
        axis.annotate(
            _label_money(amount),
            (position, amount),
            xytext=(0, offset),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=11,
            color=colour,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"},
            zorder=5,
        )


def _axis_money(value: float) -> str:
    return f"${value:,.0f}"


def _label_money(amount: float) -> str:
    return f"${amount:,.0f}" if amount >= 100 else f"${amount:,.2f}"


def _month_labels(months: Sequence[MonthlyActionsUsage]) -> list[str]:
    """Month names, with the year on the first and on January; the running month says so."""
    labels = []
    for index, month in enumerate(months):
        name = month.label.split(" ")[0]
        if index == 0 or month.month == 1:
            name += f"\n{month.year}"
        if not month.complete:
            name += "\n(so far)"
        labels.append(name)
    return labels


def main() -> None:
    """`python -m digests.render.chart`: ActionsBilling JSON on stdin, the PNG on stdout.

    The server draws its chart in such a short-lived child, so matplotlib (~50 MB resident)
    never stays in the long-running process.
    """
    import sys

    billing = ActionsBilling.model_validate_json(sys.stdin.buffer.read())
    sys.stdout.buffer.write(render_billing_chart(billing))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
