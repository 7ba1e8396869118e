"""The SPC tool: "is OD-12 in control?", pasted numbers or a file → chart, verdict, capability.

`run_spc` and `run_spc_file` serve the chat (through `handler.py`) and the LangChain tool.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, Field
from sqlmodel import Session

from assistant.settings import setting_default
from tools.spc.analysis import SpcAnalysis
from tools.spc.limits import SpcLimits

if TYPE_CHECKING:
    from assistant.settings import Settings

RULE_TEXT = {
    "nelson-1": "a point beyond the 3-sigma limits",
    "nelson-2": "nine points in a row on one side of the centre line",
    "nelson-3": "six points in a row steadily rising or falling",
    "nelson-4": "fourteen points in a row alternating up and down",
    "nelson-5": "two of three points beyond 2 sigma on one side",
    "nelson-6": "four of five points beyond 1 sigma on one side",
    "nelson-7": "fifteen points in a row within 1 sigma",
    "nelson-8": "eight points in a row beyond 1 sigma on both sides",
    "we-1": "a point beyond the 3-sigma limits",
    "we-2": "two of three points beyond 2 sigma on one side",
    "we-3": "four of five points beyond 1 sigma on one side",
    "we-4": "eight points in a row on one side of the centre line",
    "beyond-limits": "a point beyond the control limits",
}


def spc_limits(settings: Settings | None = None) -> SpcLimits:
    """The SPC caps the settings hold (their defaults without `settings`)."""
    names = [f.name for f in fields(SpcLimits)]
    if settings is None:
        return SpcLimits(**{name: setting_default(name) for name in names})
    return SpcLimits(**{name: getattr(settings, name) for name in names})


class SpcToolInput(BaseModel):
    """What the tool needs: a stored characteristic, or measurements."""

    characteristic: str | None = Field(None, description="Control-plan id, e.g. OD-12")
    values: list[float] | None = Field(None, description="Measurements in time order")
    subgroup_size: int | None = Field(None, description="Group `values` into subgroups")


class SpcToolResult(BaseModel):
    """The verdict in words, the analysis, and the chart image."""

    title: str
    in_control: bool
    verdict: str
    analysis: SpcAnalysis
    image: str | None = None
    figure: str | None = Field(None, description="The chart as Plotly JSON, for the chat")


def describe(analysis: SpcAnalysis) -> tuple[bool, str]:
    """In control or not, and where which rule fired, in plain words."""
    lines = []
    for chart in analysis.charts:
        hits = [np.flatnonzero(chart.flags[:, j]) for j in range(len(chart.rule_names))]
        # rules in the order a reader meets them along the chart
        order = sorted((int(at[0]), j) for j, at in enumerate(hits) if at.size)
        for _, j in order:
            rule, where = chart.rule_names[j], chart.index[hits[j]]
            shown = ", ".join(map(str, where[:8].tolist())) + (" …" if where.size > 8 else "")
            lines.append(f"{chart.name} chart, {rule}: {RULE_TEXT.get(rule, rule)} (at {shown})")
    n = analysis.charts[0].size
    if not lines:
        return True, f"In control: no run rule is broken in {n} points."
    return False, "Out of control:\n" + "\n".join(f"- {line}" for line in lines)


def capability_text(analysis: SpcAnalysis) -> str:
    cap = analysis.capability
    if cap is None:
        return ""
    shown = ", ".join(
        f"{name.capitalize()} {getattr(cap, name):.2f}"
        for name in ("cpk", "cp", "ppk", "pp", "cpm")
        if getattr(cap, name) is not None
    )
    return f"Capability: {shown} (sigma within {cap.sigma_within:.4g})."


def run_spc(
    request: SpcToolInput, session: Session, chart_dir: Path, limits: SpcLimits | None = None
) -> SpcToolResult:
    """Analyse, draw and describe; raises PlantError with a clear message on bad input."""
    from assistant.capabilities.spc.service import analyse_characteristic
    from tools.common.errors import PlantError
    from tools.spc.analysis import SpcOptions, analyse_groups

    limits = limits or spc_limits()
    if request.characteristic:
        analysis = analyse_characteristic(session, request.characteristic)
        info = analysis.characteristic
        assert info is not None
        title = f"{info.name} ({info.description})"
    elif request.values:
        if len(request.values) > limits.max_numbers_per_paste:
            raise PlantError(
                f"{len(request.values):,} values were given; the most one request may chart is "
                f"{limits.max_numbers_per_paste:,}. Upload a CSV file instead, or chart fewer "
                "points."
            )
        size = request.subgroup_size or 1
        if len(request.values) % size:
            raise PlantError(f"{len(request.values)} values do not split into subgroups of {size}")
        groups = [request.values[i : i + size] for i in range(0, len(request.values), size)]
        analysis = analyse_groups(groups, SpcOptions())
        title = f"your {len(request.values)} values"
    else:
        raise PlantError("Tell me a characteristic (for example OD-12) or paste measurements.")
    return _finish(analysis, title, chart_dir, limits)


def run_spc_file(
    path: Path, chart_dir: Path, name: str | None = None, limits: SpcLimits | None = None
) -> SpcToolResult:
    """An uploaded measurement file (CSV or XLSX, as `plant spc FILE` reads it); `name` is
    what the user called it (uploads are stored under generated names)."""
    from tools.spc.analysis import SpcOptions, analyse_file

    limits = limits or spc_limits()
    analysis = analyse_file(path, SpcOptions(), limits=limits)
    return _finish(analysis, name or path.name, chart_dir, limits)


def _finish(analysis: SpcAnalysis, title: str, chart_dir: Path, limits: SpcLimits) -> SpcToolResult:
    """Verdict, capability, PNG and Plotly figure for an analysis: one way for every input."""
    from tools.spc.plot import plotly_figure, render_png

    in_control, verdict = describe(analysis)
    heading = f"{title} — {analysis.chart}"
    image = figure = None
    if analysis.drawn:
        chart_dir.mkdir(parents=True, exist_ok=True)
        path = chart_dir / f"spc-{uuid.uuid4().hex[:10]}.png"
        drawn = limits.max_chart_points
        image = str(render_png(analysis.drawn, path, heading, max_points=drawn))
        figure = plotly_figure(analysis.drawn, title=heading, max_points=drawn)
    text = f"{verdict}\n\n{capability_text(analysis)}".strip()
    return SpcToolResult(title=title, in_control=in_control, verdict=text, analysis=analysis,
                         image=image, figure=figure)  # fmt: skip


def read_request(message: str, known: list[str], limits: SpcLimits | None = None) -> SpcToolInput:
    """A characteristic named in the message, else the numbers pasted in it; a message longer
    than the paste cap is refused before any pattern runs over it."""
    from tools.spc.io import check_message_length, parse_pasted

    limits = limits or spc_limits()
    check_message_length(message, limits)
    for name in known:
        if re.search(rf"\b{re.escape(name)}\b", message, re.I):
            return SpcToolInput(characteristic=name)
    size = re.search(r"subgroups? (?:of|size)\s*(\d+)", message, re.I)
    text = message[: size.start()] + message[size.end() :] if size else message
    values = parse_pasted(text, limits)
    if len(values) >= 2:
        return SpcToolInput(values=values, subgroup_size=int(size.group(1)) if size else None)
    return SpcToolInput()


def make_spc_tool(
    session_factory: Callable[[], Session], chart_dir: Path, limits: SpcLimits | None = None
) -> Any:
    """The LangChain structured tool an agent or a larger model can call."""
    from langchain_core.tools import StructuredTool

    def spc_check(
        characteristic: str | None = None,
        values: list[float] | None = None,
        subgroup_size: int | None = None,
    ) -> dict[str, Any]:
        request = SpcToolInput(
            characteristic=characteristic, values=values, subgroup_size=subgroup_size
        )
        with session_factory() as session:
            found = run_spc(request, session, chart_dir, limits)
        result = found.analysis.to_json(max_points=(limits or spc_limits()).max_chart_points)
        return {**found.model_dump(exclude={"analysis"}), "result": result}

    return StructuredTool.from_function(
        func=spc_check,
        name="spc_check",
        description=(
            "Statistical process control: is a characteristic of the control plan (e.g. OD-12) "
            "or a list of measurements in control, which run rules fire where, and how capable "
            "the process is."
        ),
        args_schema=SpcToolInput,
    )
