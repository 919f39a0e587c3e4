"""render_trend_chart / trend_alt_text: a real PNG at Slack's preview size, its words, and the
child process the server draws it in."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.services.digest import png_from_child, render_trend_chart_in_child
from digests.build import build_digest
from digests.models import TrendPoint
from digests.render.trend_chart import (
    HEIGHT_PX,
    POINTS,
    WIDTH_PX,
    chart_points,
    render_trend_chart,
    trend_alt_text,
)
from digests.sample import build_sample_inputs
from tests.factories import png_size


def point(weeks_ago: int, reported: int, promised: int, delivered: int) -> TrendPoint:
    return TrendPoint(
        meeting_date=date(2026, 11, 30) - timedelta(weeks=weeks_ago),
        team_size=6,
        reported=reported,
        promised=promised,
        delivered=delivered,
    )


TREND = (point(2, 6, 10, 6), point(1, 4, 0, 0), point(0, 5, 15, 10))


def test_the_sample_trend_is_a_1200_by_600_png_that_decodes() -> None:
    from matplotlib.image import imread

    digest = build_digest(**build_sample_inputs(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)))
    assert len(digest.trend) == 8
    data = render_trend_chart(digest.trend)
    assert png_size(data) == (WIDTH_PX, HEIGHT_PX) == (1200, 600)
    pixels = imread(io.BytesIO(data), format="png")
    assert pixels.shape[:2] == (600, 1200)
    assert pixels.std() > 0.05  # something was drawn, not a blank canvas


def test_a_meeting_without_promises_leaves_a_gap_not_a_zero() -> None:
    assert png_size(render_trend_chart(TREND)) == (1200, 600)
    assert "Mon 23 Nov: reported 4 of 6 (67%), no promises." in trend_alt_text(TREND)


def test_one_meeting_is_no_trend() -> None:
    assert chart_points(TREND[:1]) == []
    with pytest.raises(ValueError, match="at least 2 meetings"):
        render_trend_chart(TREND[:1])
    assert trend_alt_text(TREND[:1]) == "Not enough meetings yet for a trend."


def test_alt_text_gives_the_figures_in_words() -> None:
    text = trend_alt_text(TREND)
    assert text.startswith("Line chart of the last 3 meetings, Mon 16 Nov to Mon 30 Nov:")
    assert "Mon 16 Nov: reported 6 of 6 (100%), delivered 6 of 10 promised (60%)." in text
    assert "Mon 30 Nov: reported 5 of 6 (83%), delivered 10 of 15 promised (67%)." in text
    long_trend = tuple(point(n, 5, 9, 4) for n in range(200, -1, -1))
    assert len(trend_alt_text(long_trend)) <= 1000


def test_importing_the_chart_module_does_not_import_matplotlib() -> None:
    code = "import sys, digests.render.trend_chart\nprint('matplotlib' in sys.modules)\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_rendering_goes_through_no_pyplot_state() -> None:
    had_pyplot = "matplotlib.pyplot" in sys.modules
    render_trend_chart(TREND)
    if not had_pyplot:
        assert "matplotlib.pyplot" not in sys.modules


def test_the_server_draws_it_in_a_child_process() -> None:
    digest = build_digest(**build_sample_inputs(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)))
    png = render_trend_chart_in_child(digest)
    assert png is not None and png_size(png) == (1200, 600)


def test_a_failing_child_is_logged_and_gives_nothing(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert (
            png_from_child("digests.render.trend_chart", POINTS.dump_json(TREND[:1]), "x") is None
        )
    assert "x chart child exited 1" in caplog.text
    assert "a trend needs at least 2 meetings" in caplog.text
