"""render_billing_chart / billing_alt_text: a real PNG at Slack's preview size, and its words."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from digests.build import build_digest
from digests.models import ActionsBilling, MonthlyActionsUsage
from digests.render.chart import (
    HEIGHT_PX,
    WIDTH_PX,
    billing_alt_text,
    chart_months,
    render_billing_chart,
)
from digests.sample import build_sample_inputs
from tests.factories import png_size


def sample_billing() -> ActionsBilling:
    digest = build_digest(**build_sample_inputs(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)))
    assert digest.billing is not None
    return digest.billing


def usage(
    year: int, month: int, by_sku: dict[str, float], *, complete: bool = True
) -> MonthlyActionsUsage:
    minutes = sum(by_sku.values())
    return MonthlyActionsUsage(
        year=year,
        month=month,
        minutes_by_sku=by_sku,
        minutes=minutes,
        gross=minutes * 0.006,
        discount=minutes * 0.005,
        net=minutes * 0.001,
        complete=complete,
    )


def test_sample_chart_is_a_1200_by_675_png_that_decodes() -> None:
    from matplotlib.image import imread

    data = render_billing_chart(sample_billing())
    assert png_size(data) == (WIDTH_PX, HEIGHT_PX) == (1200, 675)
    pixels = imread(io.BytesIO(data), format="png")
    assert pixels.shape[:2] == (675, 1200)
    assert pixels.std() > 0.05  # something was drawn, not a blank canvas


def test_chart_shows_six_full_months_and_the_running_one() -> None:
    months = tuple(usage(2026, m, {"Actions Linux": 1000.0 * m}) for m in range(1, 12))
    running = usage(2026, 12, {"Actions Linux": 500.0}, complete=False)
    shown = chart_months(ActionsBilling(org="acme", months=(*months, running)))
    assert [(m.month, m.complete) for m in shown] == [
        (6, True),
        (7, True),
        (8, True),
        (9, True),
        (10, True),
        (11, True),
        (12, False),
    ]


def test_many_runner_skus_and_a_lone_partial_month_still_render() -> None:
    skus = {f"Actions SKU {index}": 100.0 * (index + 1) for index in range(7)}
    skus["Actions Linux"] = 5000.0
    lone = ActionsBilling(org="acme", months=(usage(2026, 11, skus, complete=False),))
    assert png_size(render_billing_chart(lone)) == (1200, 675)


def test_no_months_is_an_error_not_an_empty_chart() -> None:
    with pytest.raises(ValueError, match="no GitHub Actions usage"):
        render_billing_chart(ActionsBilling(org="acme"))
    assert (
        billing_alt_text(ActionsBilling(org="acme")) == "No GitHub Actions usage to chart for acme."
    )


def test_alt_text_gives_the_figures_in_words() -> None:
    text = billing_alt_text(sample_billing())
    assert text.startswith(
        "Bar chart of GitHub Actions minutes per month for acme, May 2026 to Nov 2026 (so far)"
    )
    assert "Jun 2026: 202,540 min, gross $1,281.48, net $26.76." in text
    assert "Nov 2026 so far: 92,746 min" in text
    assert "Jun 2026 (peak) 202,540 min → Oct 2026 95,540 min: −107,000 min/mo" in text
    assert len(text) <= 1000


def test_importing_the_chart_module_does_not_import_matplotlib() -> None:
    code = "import sys, digests.render.chart\nprint('matplotlib' in sys.modules)\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_rendering_goes_through_no_pyplot_state() -> None:
    had_pyplot = "matplotlib.pyplot" in sys.modules
    render_billing_chart(sample_billing())
    if not had_pyplot:
        assert "matplotlib.pyplot" not in sys.modules
