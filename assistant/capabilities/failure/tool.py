"""The failure-risk tool: a machine's latest readings (or given ones) through the failure model,
with the recommended action from the machine's documents, and the fleet ranked by risk."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, model_validator
from sqlmodel import Session

from assistant.answering.answers import Citation
from assistant.capabilities.base import numbered
from assistant.capabilities.documents.lookup import cite
from assistant.persistence.machines import find_machine, latest_reading, machines
from retrieval.search import SearchFilter
from tools.common.errors import PlantError
from tools.failure.predict import predict, rank
from tools.failure.readings import MODE_NAMES, FailurePrediction, Reading

if TYPE_CHECKING:
    from assistant.answering.chain import RagChain
    from tools.failure.model import FailureModel

# what to look up in a machine's documents for each failure mode
ACTION_QUERIES = {
    "TWF": "tool life counter reaches its limit: change the worn tool",
    "HDF": "over-temperature alarm: chiller, cooler, oil temperature high",
    "PWF": "spindle overload alarm: dull tool, too high feed, reduce feed override",
    "OSF": "spindle overload alarm: dull tool, too high feed, inspect tool, reduce feed override",
    "RNF": "planned maintenance tasks for the machine",
}


_ASSET_TAG = re.compile(r"\b[A-Z]{1,2}\d-\d{2}\b")
# a question about the machines as a whole: "which machines…", "rank the fleet", "any machine"
_FLEET = re.compile(
    r"\b(?:machines|fleet|rank(?:ed|ing)?|top \d+|which machine|any machine|every machine"
    r"|all (?:the )?machines|most at risk|highest risk|riskiest)\b",
    re.IGNORECASE,
)


class FailureToolInput(BaseModel):
    """A machine's asset tag (its latest readings are used) or explicit readings."""

    machine_id: str | None = Field(None, description="Asset tag, e.g. M1-01.")
    readings: Reading | None = Field(None, description="Explicit readings instead of a machine.")
    fleet: bool = Field(False, description="Rank every machine by failure risk instead.")

    @model_validator(mode="after")
    def _one_subject(self) -> FailureToolInput:
        if not self.fleet and self.machine_id is None and self.readings is None:
            raise ValueError("give a machine id, readings, or fleet=true")
        return self


class MachineRisk(BaseModel):
    machine_id: str | None
    name: str = ""
    model: str = ""
    readings_at: str | None = None
    prediction: FailurePrediction
    action: str | None = Field(None, description="What the machine's documents say to do.")
    citation: Citation | None = None


class FailureToolResult(BaseModel):
    machines: list[MachineRisk] = Field(description="Highest risk first.")
    text: str


def recommended_action(
    chain: RagChain, prediction: FailurePrediction, model: str
) -> tuple[str | None, Citation | None]:
    """The passage of the machine's documents that says what to do about the likely mode."""
    if prediction.likely_mode is None:
        return None, None
    query = f"{model} {ACTION_QUERIES[prediction.likely_mode]}".strip()
    scope = SearchFilter(machine=[model]) if model else None
    found = numbered(cite(chain, query, search_filter=scope))
    return (found[0].text, found[0]) if found else (None, None)


def _line(risk: MachineRisk) -> str:
    p = risk.prediction
    who = risk.machine_id or "These readings"
    head = f"**{who}**" + (f" ({risk.model})" if risk.model else "")
    mode = f"; most likely {MODE_NAMES[p.likely_mode]}" if p.likely_mode else ""
    return f"{head}: {p.risk} risk, failure probability {p.probability:.1%}{mode}"


def check(
    request: FailureToolInput,
    session: Session,
    model: FailureModel,
    chain: RagChain | None = None,
) -> FailureToolResult:
    """Run the model for one machine, given readings, or the whole fleet."""
    subjects: list[tuple[str | None, str, str, str | None, Reading]] = []
    if request.fleet:
        for machine in machines(session):
            reading, at = latest_reading(session, machine)
            subjects.append(
                (machine.machine_id, machine.name, machine.model, at.isoformat(), reading)
            )
        if not subjects:
            raise PlantError("No machines are stored yet: run `plant demo seed`.")
    elif request.machine_id is not None:
        machine = find_machine(session, request.machine_id)
        reading, at = latest_reading(session, machine)
        subjects.append((machine.machine_id, machine.name, machine.model, at.isoformat(), reading))
    else:
        assert request.readings is not None
        subjects.append((None, "", "", None, request.readings))
    predictions = predict(model, [s[4] for s in subjects])
    risks = []
    for index in rank(predictions):
        machine_id, name, machine_model, when, _ = subjects[index]
        risks.append(
            MachineRisk(
                machine_id=machine_id,
                name=name,
                model=machine_model,
                readings_at=when,
                prediction=predictions[index],
            )
        )
    if chain is not None and risks and not request.fleet:
        risks[0].action, risks[0].citation = recommended_action(
            chain, risks[0].prediction, risks[0].model
        )
    return FailureToolResult(machines=risks, text=describe(risks, fleet=request.fleet))


def describe(risks: list[MachineRisk], *, fleet: bool) -> str:
    if fleet:
        lines = ["Machines by failure risk, from their latest readings:", ""]
        lines += [f"{i}. {_line(r)}" for i, r in enumerate(risks, start=1)]
        top = risks[0].prediction
        if top.risk != "low":
            lines += ["", f"Why {risks[0].machine_id}: " + "; ".join(top.explanation[:3]) + "."]
        return "\n".join(lines)
    risk = risks[0]
    lines = [_line(risk)]
    if risk.readings_at:
        lines[0] += f" (readings of {risk.readings_at[:16].replace('T', ' ')})"
    modes = ", ".join(f"{m} {p:.1%}" for m, p in risk.prediction.modes.items())
    lines += ["", f"Per failure mode: {modes}.", "", "Why:"]
    lines += [f"- {item}" for item in risk.prediction.explanation]
    if risk.action and risk.citation is not None:
        heading = risk.citation.heading
        lines += ["", f"What the {risk.citation.title} says ({heading}) [1]:", risk.action]
    return "\n".join(lines)


def read_request(message: str, known: list[str]) -> FailureToolInput | None:
    """An asset tag named in the message, else a question about the fleet; None when the
    message names no machine and does not ask about the machines as a whole."""
    for machine_id in known:
        if re.search(rf"\b{re.escape(machine_id)}\b", message, re.IGNORECASE):
            return FailureToolInput(machine_id=machine_id)
    tag = _ASSET_TAG.search(message)
    if tag:  # names a machine the plant does not have: say so rather than rank the fleet
        return FailureToolInput(machine_id=tag.group(0))
    if _FLEET.search(message):
        return FailureToolInput(fleet=True)
    return None


def make_failure_tool(
    session_factory: Callable[[], Session],
    model_loader: Callable[[], FailureModel],
    chain: RagChain | None = None,
) -> Any:
    """The LangChain structured tool an agent or a larger model can call."""
    from langchain_core.tools import StructuredTool

    def failure_risk(
        machine_id: str | None = None, readings: Reading | None = None, fleet: bool = False
    ) -> dict[str, Any]:
        request = FailureToolInput(machine_id=machine_id, readings=readings, fleet=fleet)
        with session_factory() as session:
            return check(request, session, model_loader(), chain).model_dump()

    return StructuredTool.from_function(
        func=failure_risk,
        name="failure_risk",
        description=(
            "Machine failure prediction: for a machine's asset tag (e.g. M1-01, its latest "
            "readings) or explicit readings (product type L/M/H, air and process temperature "
            "in K, speed in rpm, torque in Nm, tool wear in min), the failure probability, "
            "risk level, probability per failure mode, why, and what the machine's manual "
            "says to do; with fleet=true, every machine ranked by risk."
        ),
        args_schema=FailureToolInput,
    )
