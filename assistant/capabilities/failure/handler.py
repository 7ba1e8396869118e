"""The failure-risk capability in the chat: a machine named in the message, or a question
about the whole fleet, through the trained failure model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session

from assistant.answering.chain import ChainEvent, RagChain
from assistant.capabilities.base import Request, Upload, answer_event
from assistant.capabilities.failure.tool import FailureToolInput, check, read_request
from assistant.persistence.machines import machine_ids
from tools.common.errors import ModelMissing

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tools.failure.model import FailureModel

DOCUMENTS_SAY = "Here is what the plant documents say."
NO_MACHINES = (
    "No machines are stored yet (`plant demo seed` adds the demo plant's); "
    "here is what the plant documents say."
)
HANDOFF = (
    "To estimate failure risk, name a machine by its asset tag or ask which machines are at "
    "risk; here is what the plant documents say."
)


@dataclass
class FailureCapability:
    engine: Engine
    model: Callable[[], FailureModel]  # loads the trained model (once per process)
    chain: RagChain  # finds the recommended action in the machine's manual

    def _known(self) -> list[str]:
        with Session(self.engine) as session:
            return machine_ids(session)

    def _read(self, request: Request) -> FailureToolInput | None:
        known = self._known()
        wanted = read_request(request.message, known)
        if wanted is not None and wanted.fleet and not known:
            return None  # no data to rank
        return wanted

    def _missing(self) -> str | None:
        """Why the model cannot be used (not trained yet, or training: when it will be
        ready), or None when it can; asked at every message, so a model trained in the
        meantime is used without a restart."""
        try:
            self.model()
        except ModelMissing as exc:
            return str(exc)
        return None

    def can_handle(self, request: Request) -> bool:
        return self._missing() is None and self._read(request) is not None

    def accepts(self, upload: Upload) -> bool:
        return False

    def handoff(self, request: Request) -> str | None:
        if (missing := self._missing()) is not None:
            return f"{missing} {DOCUMENTS_SAY}"
        return HANDOFF if self._known() else NO_MACHINES

    def handle(self, request: Request) -> Iterator[ChainEvent]:
        wanted = self._read(request) or FailureToolInput(fleet=True)
        with Session(self.engine) as session:
            found = check(wanted, session, self.model(), self.chain)
        top = found.machines[0]
        citations = [top.citation] if top.citation is not None else []
        if citations:
            yield ChainEvent("sources", citations=citations)
        yield answer_event(request, found.text, "failure", citations=citations,
                           tool_result=found.model_dump(mode="json"))  # fmt: skip
