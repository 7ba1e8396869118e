"""Control charts as PNG images and Plotly figures: centre line, limits, 1- and 2-sigma zones,
violations in red. A chart longer than `max_points` draws a thinned series, and says so."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tools.spc.charts import ControlChart
from tools.spc.limits import DEFAULT_LIMITS
from tools.spc.rules import violation_lists

if TYPE_CHECKING:
    from matplotlib.axes import Axes

MAX_CHART_POINTS = DEFAULT_LIMITS.max_chart_points
MAX_LABELS = 50  # more rule labels than this overlap into an unreadable band


def drawn_positions(chart: ControlChart, max_points: int = MAX_CHART_POINTS) -> np.ndarray:
    """Which points to draw: all of a short series; of a longer one, the lowest and the
    highest point of each of `max_points / 2` stretches (the drawn line keeps the spread and
    every extreme) and every point that breaks a rule (evenly thinned to `max_points` when
    more break one)."""
    n = chart.values.size
    if n <= max_points:
        return np.arange(n)
    width = _stretch(n, max_points)
    full = n - n % width
    blocks = chart.values[:full].reshape(-1, width)
    starts = np.arange(0, full, width)
    keep = [starts + blocks.argmin(axis=1), starts + blocks.argmax(axis=1), np.array([0, n - 1])]
    if full < n:
        tail = chart.values[full:]
        keep.append(full + np.array([tail.argmin(), tail.argmax()]))
    flagged = np.flatnonzero(chart.flagged)
    if flagged.size > max_points:
        flagged = flagged[np.linspace(0, flagged.size - 1, max_points).astype(int)]
    return np.unique(np.concatenate([*keep, flagged]))


def _stretch(n: int, max_points: int) -> int:
    """Points per stretch of a thinned chart (each gives its lowest and highest)."""
    return -(-n // max(1, max_points // 2))


def thinning_note(chart: ControlChart, drawn: np.ndarray, max_points: int) -> str:
    """What a thinned chart leaves out, in words ("" when every point is drawn)."""
    n = chart.values.size
    if drawn.size == n:
        return ""
    flagged = chart.flagged
    broken, shown = int(flagged.sum()), int(flagged[drawn].sum())
    rules = f"all {broken:,} points" if shown == broken else f"{shown:,} of the {broken:,} points"
    return (
        f"{n:,} points, {drawn.size:,} drawn: the lowest and highest of every "
        f"{_stretch(n, max_points):,}, and {rules} that break a rule"
    )


def render_png(
    charts: Sequence[ControlChart], path: Path, title: str = "", *,
    max_points: int = MAX_CHART_POINTS,
) -> Path:  # fmt: skip
    """One panel per chart (e.g. X-bar above R), written to `path`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(len(charts), 1, figsize=(9, 3.2 * len(charts)), squeeze=False)
    for axis, chart in zip(axes[:, 0], charts, strict=True):
        drawn = drawn_positions(chart, max_points)
        _panel(axis, chart, drawn, thinning_note(chart, drawn, max_points))
    axes[-1, 0].set_xlabel("subgroup / observation")
    if title:
        axes[0, 0].set_title(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _panel(axis: Axes, chart: ControlChart, drawn: np.ndarray, note: str) -> None:
    """One chart on one matplotlib axis: zones, limits, centre, points, broken rules."""
    index, values = chart.index[drawn], chart.values[drawn]
    lcl, ucl = chart.lcl[drawn], chart.ucl[drawn]
    # zones: the limits are centre ± 3 se, so se = (ucl - centre) / 3
    se = (ucl - chart.center) / 3
    for k, shade in ((2, 0.06), (1, 0.12)):
        axis.fill_between(index, chart.center - k * se, chart.center + k * se, step="mid",
                          color="tab:green", alpha=shade, linewidth=0)  # fmt: skip
    axis.step(index, ucl, where="mid", color="tab:red", linewidth=1, label="UCL / LCL")
    axis.step(index, lcl, where="mid", color="tab:red", linewidth=1)
    axis.axhline(chart.center, color="tab:green", linewidth=1, label="centre")
    if note:  # thinned: small dots, a thin line, the note in the corner
        axis.plot(index, values, marker=".", markersize=2, color="tab:blue", linewidth=0.6)
        axis.text(0.99, 0.02, note, transform=axis.transAxes, ha="right", va="bottom",
                  fontsize=7, color="dimgray")  # fmt: skip
    else:
        axis.plot(index, values, marker="o", markersize=4, color="tab:blue", linewidth=1)
    flagged = np.flatnonzero(chart.flagged[drawn])
    if flagged.size:
        axis.scatter(index[flagged], values[flagged], s=12 if note else 60, color="tab:red",
                     zorder=3, label="rule broken")  # fmt: skip
    if 0 < flagged.size <= MAX_LABELS:
        broken = violation_lists(chart.rule_names, chart.flags[drawn[flagged]])
        for i, rules in zip(flagged, broken, strict=True):
            label = ",".join(v.replace("nelson-", "N").replace("we-", "WE") for v in rules)
            axis.annotate(label, (index[i], values[i]), textcoords="offset points",
                          xytext=(0, 7), ha="center", fontsize=7, color="tab:red")  # fmt: skip
    axis.set_ylabel(chart.chart)
    axis.grid(alpha=0.3)
    axis.legend(loc="upper left", fontsize=7)


def plotly_figure(
    charts: Sequence[ControlChart], title: str = "", *, max_points: int = MAX_CHART_POINTS
) -> str:
    """The same panels as a Plotly figure (JSON), for the chat UI: hover shows each point's
    value and the rules it breaks. The layout comes from plotly's subplots; the traces are
    written as plain data, since plotly's per-element checks of thousands of points would
    take seconds."""
    import plotly.io as pio
    from plotly.subplots import make_subplots

    drawn = [drawn_positions(c, max_points) for c in charts]
    names = [" — ".join(filter(None, (c.chart, thinning_note(c, d, max_points))))
             for c, d in zip(charts, drawn, strict=True)]  # fmt: skip
    figure = make_subplots(rows=len(charts), cols=1, shared_xaxes=True, subplot_titles=names)
    traces: list[dict[str, object]] = []
    for row, (chart, at) in enumerate(zip(charts, drawn, strict=True), start=1):
        figure.add_hline(y=chart.center, line_color="green", row=row, col=1,
                         exclude_empty_subplots=False)  # fmt: skip
        traces += _traces(chart, at, row)
    figure.update_layout(title=title, height=320 * len(charts), margin={"t": 60, "b": 30})
    return str(pio.to_json({"data": traces, "layout": figure.to_plotly_json()["layout"]},
                           validate=False))  # fmt: skip


def _traces(chart: ControlChart, at: np.ndarray, row: int) -> list[dict[str, object]]:
    """The limit lines and the points of one panel, as plotly trace data."""
    axes = {"xaxis": f"x{row if row > 1 else ''}", "yaxis": f"y{row if row > 1 else ''}"}
    index = chart.index[at].tolist()
    traces: list[dict[str, object]] = [
        {"line": {"color": "red", "shape": "hvh"}, "mode": "lines", "name": name,
         "showlegend": row == 1, "x": index, "y": limit[at].tolist(), "type": "scatter", **axes}
        for name, limit in (("UCL", chart.ucl), ("LCL", chart.lcl))
    ]  # fmt: skip
    broken = violation_lists(chart.rule_names, chart.flags[at])
    traces.append({
        "hovertemplate": "%{x}: %{y}<br>%{text}<extra></extra>",
        "line": {"color": "royalblue"},
        "marker": {"color": ["red" if b else "royalblue" for b in broken], "size": 7},
        "mode": "lines+markers",
        "name": chart.chart,
        "text": [", ".join(b) or "in control" for b in broken],
        "x": index,
        "y": chart.values[at].tolist(),
        "type": "scatter",
        **axes,
    })  # fmt: skip
    return traces
