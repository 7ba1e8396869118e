"""The SPC capability in the chat: a characteristic or pasted numbers in a message, or an
uploaded measurement file → chart, verdict, capability, and the reaction plan when it signals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from assistant.answering.answers import Citation
from assistant.answering.chain import ChainEvent, RagChain
from assistant.capabilities.base import Request, Upload, answer_event, numbered
from assistant.capabilities.documents.lookup import cite, whole_section
from assistant.capabilities.spc.tool import (
    SpcToolInput,
    SpcToolResult,
    read_request,
    run_spc,
    spc_limits,
)
from assistant.persistence.spc import characteristic_names
from tools.spc.limits import SpcLimits

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

MEASUREMENT_FILES = (".csv", ".xlsx")
REACTION_QUERY = "out-of-control reaction plan: what to do when a control chart signals"
NO_CHARACTERISTICS = (
    "No control-plan characteristics are stored yet (`plant demo seed` adds the demo "
    "plant's); here is what the plant documents say."
)
HANDOFF = (
    "To check a process, name a characteristic of the control plan or paste the "
    "measurements; here is what the plant documents say."
)


@dataclass
class SpcCapability:
    engine: Engine
    chart_dir: Path
    chain: RagChain  # finds the reaction plan
    limits: SpcLimits = field(default_factory=spc_limits)  # the settings' defaults unless given

    def _known(self) -> list[str]:
        with Session(self.engine) as session:
            return characteristic_names(session)

    def _read(self, request: Request) -> SpcToolInput:
        return read_request(request.message, self._known(), self.limits)

    def can_handle(self, request: Request) -> bool:
        if any(self.accepts(u) for u in request.uploads):
            return True
        wanted = self._read(request)
        return bool(wanted.characteristic or wanted.values)

    def accepts(self, upload: Upload) -> bool:
        if upload.kind:  # screened: its bytes decide, not its name
            return upload.kind == "measurements"
        return upload.name.lower().endswith(MEASUREMENT_FILES)

    def handoff(self, request: Request) -> str | None:
        return HANDOFF if self._known() else NO_CHARACTERISTICS

    def handle(self, request: Request) -> Iterator[ChainEvent]:
        from assistant.capabilities.spc.tool import run_spc_file

        files = [u for u in request.uploads if self.accepts(u)]
        if files:
            found = run_spc_file(files[0].path, self.chart_dir, files[0].name, self.limits)
        else:
            with Session(self.engine) as session:
                found = run_spc(self._read(request), session, self.chart_dir, self.limits)
        yield from self._reply(request, found)

    def _reply(self, request: Request, found: SpcToolResult) -> Iterator[ChainEvent]:
        text = f"**{found.title}**\n\n{found.verdict}"
        citations = [] if found.in_control else self._reaction_plan()
        if citations:
            yield ChainEvent("sources", citations=citations)
            top = citations[0]  # a procedure: quoted whole, not summarised
            steps = whole_section(self.chain.searcher, top.chunk_id) or top.text
            text += f"\n\nWhat the reaction plan says ({top.heading}) [1]:\n{steps}"
        yield answer_event(
            request,
            text,
            "spc",
            citations=citations,
            images=[found.image] if found.image else [],
            figures=[found.figure] if found.figure else [],
            tool_result=found.analysis.to_json(max_points=self.limits.max_chart_points),
        )

    def _reaction_plan(self) -> list[Citation]:
        # only a passage of a reaction plan will do; a plant without one gets no quote
        def is_plan(c: Citation) -> bool:
            return "reaction" in f"{c.title} {c.section}".lower()

        return numbered(cite(self.chain, REACTION_QUERY, keep=is_plan))
