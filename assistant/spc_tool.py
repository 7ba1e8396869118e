"""The SPC chat tool: "is OD-12 in control?" or pasted numbers → chart, verdict, capability."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session

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


class SpcToolInput(BaseModel):
    """What the tool needs: a stored characteristic, or measurements."""

    characteristic: str | None = Field(None, description="Control-plan id, e.g. OD-12")
    values: list[float] | None = Field(None, description="Measurements in time order")
    subgroup_size: int | None = Field(None, description="Group `values` into subgroups")


class SpcToolResult(BaseModel):
    """The verdict in words, the documented JSON, and the chart image."""

    title: str
    in_control: bool
    verdict: str
    result: dict[str, Any]
    image: str | None = None
    figure: str | None = Field(None, description="The chart as Plotly JSON, for the chat")


def describe(result: dict[str, Any]) -> tuple[bool, str]:
    """In control or not, and where which rule fired, in plain words."""
    lines = []
    for chart in result["charts"]:
        by_rule: dict[str, list[int]] = {}
        for point in chart["points"]:
            for rule in point["violations"]:
                by_rule.setdefault(rule, []).append(point["index"])
        for rule, where in by_rule.items():
            shown = ", ".join(map(str, where[:8])) + (" …" if len(where) > 8 else "")
            lines.append(f"{chart['name']} chart, {rule}: {RULE_TEXT.get(rule, rule)} (at {shown})")
    n = len(result["charts"][0]["points"])
    if not lines:
        return True, f"In control: no run rule is broken in {n} points."
    return False, "Out of control:\n" + "\n".join(f"- {line}" for line in lines)


def capability_text(result: dict[str, Any]) -> str:
    cap = result.get("capability")
    if not cap:
        return ""
    shown = ", ".join(
        f"{name.capitalize()} {cap[name]:.2f}"
        for name in ("cpk", "cp", "ppk", "pp", "cpm")
        if cap[name] is not None
    )
    return f"Capability: {shown} (sigma within {cap['sigma_within']:.4g})."


def run_spc(request: SpcToolInput, session: Session, chart_dir: Path) -> SpcToolResult:
    """Analyse, draw and describe; raises PlantError with a clear message on bad input."""
    from assistant.spc_service import (
        SpcOptions,
        analyse_characteristic,
        analyse_groups,
        ensure_demo_data,
    )
    from retrieval.errors import PlantError

    if request.characteristic:
        ensure_demo_data(session)
        result, drawn = analyse_characteristic(session, request.characteristic)
        info = result["characteristic"]
        title = f"{info['name']} ({info['description']})"
    elif request.values:
        size = request.subgroup_size or 1
        if len(request.values) % size:
            raise PlantError(f"{len(request.values)} values do not split into subgroups of {size}")
        groups = [request.values[i : i + size] for i in range(0, len(request.values), size)]
        result, drawn = analyse_groups(groups, SpcOptions())
        title = f"your {len(request.values)} values"
    else:
        raise PlantError("Tell me a characteristic (for example OD-12) or paste measurements.")
    return _finish(result, drawn, title, chart_dir)


def run_spc_file(path: Path, chart_dir: Path, name: str | None = None) -> SpcToolResult:
    """An uploaded measurement file (CSV or XLSX, as `plant spc FILE` reads it); `name` is
    what the user called it (uploads are stored under generated names)."""
    from assistant.spc_service import SpcOptions, analyse_file

    name = name or path.name

    result, drawn = analyse_file(path, SpcOptions())
    return _finish(result, drawn, name, chart_dir)


def _finish(result: dict[str, Any], drawn: list[Any], title: str, chart_dir: Path) -> SpcToolResult:
    """Verdict, capability, PNG and Plotly figure for an analysis: one way for every input."""
    from tools.spc_plot import plotly_figure, render_png

    in_control, verdict = describe(result)
    heading = f"{title} — {result['chart']}"
    image = figure = None
    if drawn:
        chart_dir.mkdir(parents=True, exist_ok=True)
        image = str(render_png(drawn, chart_dir / f"spc-{uuid.uuid4().hex[:10]}.png", heading))
        figure = plotly_figure(drawn, title=heading)
    text = f"{verdict}\n\n{capability_text(result)}".strip()
    return SpcToolResult(title=title, in_control=in_control, verdict=text, result=result,
                         image=image, figure=figure)  # fmt: skip


def read_request(message: str, known: list[str]) -> SpcToolInput:
    """A characteristic named in the message, else the numbers pasted in it."""
    from tools.spc_io import parse_pasted

    for name in known:
        if re.search(rf"\b{re.escape(name)}\b", message, re.I):
            return SpcToolInput(characteristic=name)
    size = re.search(r"subgroups? (?:of|size)\s*(\d+)", message, re.I)
    values = parse_pasted(message[: size.start()] + message[size.end() :] if size else message)
    if len(values) >= 2:
        return SpcToolInput(values=values, subgroup_size=int(size.group(1)) if size else None)
    return SpcToolInput()


def make_spc_tool(session_factory: Callable[[], Session], chart_dir: Path) -> Any:
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
            return run_spc(request, session, chart_dir).model_dump()

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
