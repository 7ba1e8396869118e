"""What every capability is to the router: it says whether it can act on a request, and acts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, Protocol

from assistant.answering.answers import Answer, Citation
from assistant.answering.chain import ChainEvent, History


@dataclass(frozen=True)
class Upload:
    """A file the user attached: where it is stored, and what the user called it."""

    path: Path
    name: str
    # what its bytes say it is ("photo", "measurements", "document"); "" = not screened yet
    kind: str = ""


@dataclass(frozen=True)
class Request:
    """One chat message (or upload) as the capabilities see it."""

    message: str
    history: History = ()
    user: str | None = None
    intent: str = "manual_question"
    uploads: tuple[Upload, ...] = field(default_factory=tuple)
    # the chat profile's document scope (audiences searched first) and answer style
    audience: tuple[str, ...] = ()
    style: Literal["answer", "reply"] | None = None

    def with_upload(self, upload: Upload) -> Request:
        return replace(self, uploads=(upload,))


class Capability(Protocol):
    """A handler the router dispatches to.

    `can_handle` decides (a few database lookups at most) whether this capability can act on
    the request (a characteristic, a machine, data, a photo); when it cannot, the router hands
    the request to the documents, showing the notice `handoff` gives (None: no notice).
    `accepts` says which uploaded files it takes. `handle` streams the events of the answer;
    a `PlantError` it raises becomes the answer to the routed message.
    """

    def can_handle(self, request: Request) -> bool: ...

    def accepts(self, upload: Upload) -> bool: ...

    def handoff(self, request: Request) -> str | None: ...

    def handle(self, request: Request) -> Iterator[ChainEvent]: ...


def answer_event(request: Request, text: str, backend: str, **fields: object) -> ChainEvent:
    """The final event of a reply that is not a document answer."""
    answer = Answer.model_validate(
        {"question": request.message, "text": text, "backend": backend, **fields}
    )
    return ChainEvent("answer", answer=answer)


def numbered(citations: list[Citation]) -> list[Citation]:
    """Citations renumbered 1, 2, … in order (a tool quotes a few of the passages found)."""
    return [c.model_copy(update={"n": n}) for n, c in enumerate(citations, start=1)]
