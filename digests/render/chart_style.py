"""What the bot's charts share: a light grid behind the data, no box, and a bold title on the
left, so the three charts read as one family at Slack's preview size; and how each is made,
written out and described. matplotlib is imported inside `new_figure` only, so importing this
module costs nothing."""

from __future__ import annotations

import io
from typing import Any, Literal

GRID_COLOUR = "#e6e6e6"
TITLE_SIZE = 17
DPI = 100
MAX_ALT_TEXT = 1000  # Slack's alt text on an uploaded file


def new_figure(width_px: int, height_px: int) -> Any:
    """A `Figure` on the Agg canvas (never pyplot's global state), laid out by constraints."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def to_png(figure: Any) -> bytes:
    """The figure as PNG bytes, without matplotlib's version in the metadata."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def clip_alt_text(text: str) -> str:
    return text if len(text) <= MAX_ALT_TEXT else text[: MAX_ALT_TEXT - 1] + "\u2026"


def short_minutes(value: float) -> str:
    """ "1.2M", "93k", "1.5k", "800": minutes on an axis or a bar."""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if abs(value) >= 10_000:
        return f"{value / 1_000:.0f}k"
    if abs(value) >= 1_000:
        return f"{value / 1_000:.1f}k".replace(".0k", "k")
    return f"{value:.0f}"


def tidy(axis: Any, *, grid: Literal["x", "y"], sides: tuple[str, ...] = ("top", "right")) -> None:
    """A grid along `grid` behind the data, and no spines on `sides`."""
    axis.grid(axis=grid, color=GRID_COLOUR, zorder=0)
    axis.set_axisbelow(True)
    for side in sides:
        axis.spines[side].set_visible(False)


def title(figure: Any, text: str) -> None:
    figure.suptitle(text, fontsize=TITLE_SIZE, fontweight="bold", x=0.01, ha="left")
