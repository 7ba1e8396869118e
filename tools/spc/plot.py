"""Control charts as PNG images: centre line, limits, 1- and 2-sigma zones, violations in red."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tools.spc.charts import ControlChart


def render_png(charts: Sequence[ControlChart], path: Path, title: str = "") -> Path:
    """One panel per chart (e.g. X-bar above R), written to `path`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(len(charts), 1, figsize=(9, 3.2 * len(charts)), squeeze=False)
    for axis, chart in zip(axes[:, 0], charts, strict=True):
        index = np.array([p.index for p in chart.points])
        values = np.array([p.value for p in chart.points])
        lcl = np.array([np.nan if p.lcl is None else p.lcl for p in chart.points])
        ucl = np.array([np.nan if p.ucl is None else p.ucl for p in chart.points])
        # zones: the limits are centre ± 3 se, so se = (ucl - centre) / 3
        se = (ucl - chart.center) / 3
        for k, shade in ((2, 0.06), (1, 0.12)):
            axis.fill_between(index, chart.center - k * se, chart.center + k * se, step="mid",
                              color="tab:green", alpha=shade, linewidth=0)  # fmt: skip
        axis.step(index, ucl, where="mid", color="tab:red", linewidth=1, label="UCL / LCL")
        axis.step(index, lcl, where="mid", color="tab:red", linewidth=1)
        axis.axhline(chart.center, color="tab:green", linewidth=1, label="centre")
        axis.plot(index, values, marker="o", markersize=4, color="tab:blue", linewidth=1)
        flagged = [i for i, p in enumerate(chart.points) if p.violations]
        if flagged:
            axis.scatter(index[flagged], values[flagged], s=60, color="tab:red", zorder=3,
                         label="rule broken")  # fmt: skip
            for i in flagged:
                label = ",".join(v.replace("nelson-", "N").replace("we-", "WE")
                                 for v in chart.points[i].violations)  # fmt: skip
                axis.annotate(label, (index[i], values[i]), textcoords="offset points",
                              xytext=(0, 7), ha="center", fontsize=7, color="tab:red")  # fmt: skip
        axis.set_ylabel(chart.chart)
        axis.grid(alpha=0.3)
        axis.legend(loc="upper left", fontsize=7)
    axes[-1, 0].set_xlabel("subgroup / observation")
    if title:
        axes[0, 0].set_title(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def plotly_figure(charts: Sequence[ControlChart], title: str = "") -> str:
    """The same panels as a Plotly figure (JSON), for the chat UI: hover shows each point's
    value and the rules it breaks."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    figure = make_subplots(rows=len(charts), cols=1, shared_xaxes=True,
                           subplot_titles=[c.chart for c in charts])  # fmt: skip
    for row, chart in enumerate(charts, start=1):
        index = [p.index for p in chart.points]
        figure.add_trace(go.Scatter(x=index, y=[p.ucl for p in chart.points], mode="lines",
                                    line={"color": "red", "shape": "hvh"}, name="UCL",
                                    showlegend=row == 1), row=row, col=1)  # fmt: skip
        figure.add_trace(go.Scatter(x=index, y=[p.lcl for p in chart.points], mode="lines",
                                    line={"color": "red", "shape": "hvh"}, name="LCL",
                                    showlegend=row == 1), row=row, col=1)  # fmt: skip
        figure.add_hline(y=chart.center, line_color="green", row=row, col=1)
        colours = ["red" if p.violations else "royalblue" for p in chart.points]
        hover = [", ".join(p.violations) or "in control" for p in chart.points]
        figure.add_trace(go.Scatter(x=index, y=[p.value for p in chart.points],
                                    mode="lines+markers", marker={"color": colours, "size": 7},
                                    line={"color": "royalblue"}, text=hover, name=chart.chart,
                                    hovertemplate="%{x}: %{y}<br>%{text}<extra></extra>"),
                         row=row, col=1)  # fmt: skip
    figure.update_layout(title=title, height=320 * len(charts), margin={"t": 60, "b": 30})
    return str(figure.to_json())
