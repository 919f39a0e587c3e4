"""The delivery trend: over the last meetings, standups reported of the team and promises
delivered of those made, as two lines in percent with each point's figures written on it.

The same rules as the billing chart (`digests.render.chart`): matplotlib is imported inside
`render_trend_chart` only, it draws on a `Figure` with the Agg canvas (never pyplot), and the
server draws it in a short-lived child (`python -m digests.render.trend_chart`, the points as JSON
on stdin, the PNG on stdout) so matplotlib never stays resident.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pydantic import TypeAdapter

from digests.models import TrendPoint
from digests.render import chart_style
from digests.render.wording import percent, short_date

FILE_NAME = "delivery-trend.png"
MIN_POINTS = 2  # one meeting is not a trend
WIDTH_PX, HEIGHT_PX = 1200, 600  # 2:1, sharp at Slack's preview size
REPORTED_COLOUR = "#3b6fb6"
DELIVERED_COLOUR = "#2e8b57"

POINTS = TypeAdapter(tuple[TrendPoint, ...])


def chart_points(trend: Sequence[TrendPoint]) -> list[TrendPoint]:
    """The points the chart shows (oldest first), or none when there is no trend to draw."""
    return list(trend) if len(trend) >= MIN_POINTS else []


def render_trend_chart(trend: Sequence[TrendPoint]) -> bytes:
    """A PNG (1200×600): reported of the team and delivered of promised, in percent."""
    points = chart_points(trend)
    if not points:
        raise ValueError(f"a trend needs at least {MIN_POINTS} meetings, got {len(trend)}")

    from matplotlib.ticker import PercentFormatter

    figure = chart_style.new_figure(WIDTH_PX, HEIGHT_PX)
    axis = figure.add_subplot()
    positions = list(range(len(points)))
    reported = [_ratio(p.reported, p.team_size) for p in points]
    delivered = [_ratio(p.delivered, p.promised) for p in points]
    axis.plot(
        positions,
        reported,
        color=REPORTED_COLOUR,
        marker="o",
        markersize=9,
        linewidth=2.6,
        label="Standups reported, of the team",
        zorder=3,
    )
    axis.plot(
        positions,
        delivered,
        color=DELIVERED_COLOUR,
        marker="s",
        markersize=9,
        linewidth=2.6,
        linestyle="--",
        label="Promises delivered, of those made",
        zorder=3,
    )
    # The figures on the points: reported above its line, delivered below its own.
    for position, point, value in zip(positions, points, reported, strict=True):
        _label(axis, position, value, f"{point.reported}/{point.team_size}", REPORTED_COLOUR, 10)
    for position, point, value in zip(positions, points, delivered, strict=True):
        _label(axis, position, value, f"{point.delivered}/{point.promised}", DELIVERED_COLOUR, -12)

    axis.set_ylim(-12, 118)
    axis.set_yticks([0, 25, 50, 75, 100])
    axis.yaxis.set_major_formatter(PercentFormatter(100))
    axis.set_xlim(-0.4, len(points) - 0.6)
    axis.set_xticks(positions, _day_labels(points), fontsize=12)
    axis.tick_params(axis="y", labelsize=12)
    chart_style.tidy(axis, grid="y")
    chart_style.title(figure, f"Standups and promises — last {len(points)} meetings")
    axis.legend(
        loc="lower left",
        bbox_to_anchor=(0.0, 1.01),
        ncols=2,
        fontsize=12,
        frameon=False,
        handlelength=2.4,
        columnspacing=2.0,
    )
    return chart_style.to_png(figure)


def trend_alt_text(trend: Sequence[TrendPoint]) -> str:
    """What the chart shows, in words, for screen readers and notifications."""
    points = chart_points(trend)
    if not points:
        return "Not enough meetings yet for a trend."
    span = f"{short_date(points[0].meeting_date)} to {short_date(points[-1].meeting_date)}"
    lines = [
        f"Line chart of the last {len(points)} meetings, {span}: standups reported of the team, "
        "and promises delivered of those made, in percent."
    ]
    for point in points:
        reported = f"reported {point.reported} of {point.team_size}"
        if point.team_size:
            reported += f" ({percent(point.reported, point.team_size)})"
        delivered = (
            f"delivered {point.delivered} of {point.promised} promised "
            f"({percent(point.delivered, point.promised)})"
            if point.promised
            else "no promises"
        )
        lines.append(f"{short_date(point.meeting_date)}: {reported}, {delivered}.")
    text = " ".join(lines)
    return chart_style.clip_alt_text(text)


def _ratio(part: int, whole: int) -> float:
    """Percent, or NaN (a gap in the line) when there is nothing to divide by."""
    return 100 * part / whole if whole else math.nan


def _label(axis: Any, x: int, y: float, text: str, colour: str, offset: int) -> None:
    if math.isnan(y):
        return
    axis.annotate(
        text,
        (x, y),
        xytext=(0, offset),
        textcoords="offset points",
        ha="center",
        va="bottom" if offset > 0 else "top",
        fontsize=12,
        fontweight="bold",
        color=colour,
        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
        zorder=5,
    )


def _day_labels(points: Sequence[TrendPoint]) -> list[str]:
    """ "12 Oct", with the year under the first meeting and the first of each new year."""
    labels = []
    for index, point in enumerate(points):
        day = point.meeting_date
        label = f"{day.day} {day:%b}"
        if index == 0 or points[index - 1].meeting_date.year != day.year:
            label += f"\n{day.year}"
        labels.append(label)
    return labels


def main() -> None:
    """`python -m digests.render.trend_chart`: the trend points as JSON on stdin, the PNG out."""
    import sys

    points = POINTS.validate_json(sys.stdin.buffer.read())
    sys.stdout.buffer.write(render_trend_chart(points))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
