"""Drawing long control charts: a thinned series that keeps the extremes and every rule break."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tools.spc.charts import imr, moving_range
from tools.spc.plot import drawn_positions, render_png, thinning_note


def test_a_short_chart_is_drawn_whole() -> None:
    chart = imr([5.0, 5.1, 4.9, 5.2, 5.0, 9.5])
    assert drawn_positions(chart, 100).tolist() == list(range(6))
    assert thinning_note(chart, drawn_positions(chart, 100), 100) == ""


def test_a_long_chart_keeps_each_stretchs_extremes_and_every_rule_break() -> None:
    values = np.random.default_rng(1).normal(0.0, 1.0, 100_000)
    values[[123, 77_777]] = [9.0, -9.0]
    chart = imr(values, "nelson-1")  # about 270 points beyond 3 sigma: all drawn
    drawn = drawn_positions(chart, 1_000)
    assert drawn.size <= 2_000 and np.all(np.diff(drawn) > 0)  # sorted, no repeats
    assert {0, 123, 77_777, 99_999} <= set(drawn.tolist())
    assert set(np.flatnonzero(chart.flagged).tolist()) <= set(drawn.tolist())
    stretch = values[:200]  # 100,000 points in 500 stretches of 200
    assert {int(stretch.argmin()), int(stretch.argmax())} <= set(drawn.tolist())
    note = thinning_note(chart, drawn, 1_000)
    assert note.startswith(
        f"100,000 points, {drawn.size:,} drawn: the lowest and highest of every 200"
    )
    assert note.endswith(f"and all {int(chart.flagged.sum()):,} points that break a rule")


def test_rule_breaks_beyond_the_cap_are_thinned_too(tmp_path: Path) -> None:
    values = np.tile([0.0, 10.0], 20_000)  # every other point far out: 20,000 breaks
    chart = moving_range(values, sigma=0.1)
    drawn = drawn_positions(chart, 500)
    assert drawn.size <= 1_000
    assert "of the 39,999 points that break a rule" in thinning_note(chart, drawn, 500)
    assert render_png([chart], tmp_path / "c.png", max_points=500).stat().st_size > 0
