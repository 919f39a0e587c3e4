"""What the bot's charts share: a light grid behind the data, no box, and a bold title on the
left, so the three charts read as one family at Slack's preview size. matplotlib objects are
passed in: this module imports none of it."""

from __future__ import annotations

from typing import Any, Literal

GRID_COLOUR = "#e6e6e6"
TITLE_SIZE = 17


def tidy(axis: Any, *, grid: Literal["x", "y"], sides: tuple[str, ...] = ("top", "right")) -> None:
    """A grid along `grid` behind the data, and no spines on `sides`."""
    axis.grid(axis=grid, color=GRID_COLOUR, zorder=0)
    axis.set_axisbelow(True)
    for side in sides:
        axis.spines[side].set_visible(False)


def title(figure: Any, text: str) -> None:
    figure.suptitle(text, fontsize=TITLE_SIZE, fontweight="bold", x=0.01, ha="left")
