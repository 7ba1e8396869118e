"""The inspection tool: a part photo through the defect model, stored, with the quality
manual's disposition for that defect and grade, cited (the chat's handler and the LangChain
tool both call `inspect`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from sqlmodel import Session

from assistant.answering.answers import Citation
from assistant.capabilities.base import numbered
from assistant.capabilities.documents.lookup import cite
from assistant.persistence.inspections import record
from retrieval.search import SearchFilter
from tools.defects.inspect import InspectionResult, inspect_image

if TYPE_CHECKING:
    from assistant.answering.chain import RagChain
    from tools.defects.model import DefectModel

# how the defect catalogue names each type (its section headings)
CATALOGUE_NAMES = {
    "scratch": "Scratch",
    "crack": "Crack",
    "pits": "Pit cluster",
    "stain": "Stain",
    "inclusion": "Inclusion",
}
GRADE_WORDS = {"ok": "OK", "minor": "Minor", "severe": "Severe"}


class InspectToolInput(BaseModel):
    image_path: str = Field(description="Path of the part photo (PNG, JPEG, ...).")


class InspectToolResult(BaseModel):
    inspection: InspectionResult
    record_id: int | None = None
    citations: list[Citation] = Field(default_factory=list)
    text: str


def _in_section(word: str) -> Callable[[Citation], bool]:
    return lambda c: word.lower() in c.section.lower()


def disposition(chain: RagChain, result: InspectionResult) -> list[Citation]:
    """The catalogue's grade table and, for a defect, its type section — what to do."""
    quality = SearchFilter(doc_type=["quality"])
    wanted: list[tuple[str, str]] = []  # (query, a word the section heading must contain)
    if result.defect_type:
        name = CATALOGUE_NAMES[result.defect_type]
        wanted.append((f"defect catalogue {name}: minor or severe", name))
    wanted.append((f"severity grades {GRADE_WORDS[result.verdict]} default disposition", "grade"))
    found: list[Citation] = []
    for query, word in wanted:
        for match in cite(chain, query, search_filter=quality, keep=_in_section(word)):
            if all(match.chunk_id != c.chunk_id for c in found):
                found.append(match)
    return numbered(found)


def describe(result: InspectionResult, citations: list[Citation]) -> str:
    if result.verdict == "ok":
        head = f"**OK** — no defect found ({result.probabilities['ok']:.0%} sure)."
    else:
        kind = CATALOGUE_NAMES[result.defect_type or "scratch"].lower()
        head = (
            f"**{GRADE_WORDS[result.verdict]} defect: {kind}** "
            f"({result.confidence:.0%} sure of the grade)."
        )
        if result.peak:
            x, y = result.peak
            head += f" The heatmap peaks at {x:.0%} across and {y:.0%} down the image."
    odds = ", ".join(f"{k} {v:.0%}" for k, v in result.probabilities.items())
    lines = [head, "", f"Grade probabilities: {odds}."]
    for citation in citations:
        heading = citation.heading
        lines += ["", f"{citation.title} — {heading} [{citation.n}]:", citation.text]
    return "\n".join(lines)


def inspect(
    model: DefectModel,
    source: Path | bytes,
    session: Session | None,
    *,
    name: str | None = None,
    heatmap_dir: Path | None = None,
    chain: RagChain | None = None,
    user: str | None = None,
    pixels: tuple[int, int] | None = None,
) -> InspectToolResult:
    """Inspect a photo; `pixels` is (most pixels taken, working size), the tool's defaults
    unless given."""
    limits = {} if pixels is None else {"max_pixels": pixels[0], "working_pixels": pixels[1]}
    result = inspect_image(model, source, name=name, heatmap_dir=heatmap_dir, **limits)
    stored = record(session, result, user=user) if session is not None else None
    citations = disposition(chain, result) if chain is not None else []
    return InspectToolResult(
        inspection=result,
        record_id=stored.id if stored is not None else None,
        citations=citations,
        text=describe(result, citations),
    )


def make_inspect_tool(
    session_factory: Callable[[], Session],
    model_loader: Callable[[], DefectModel],
    heatmap_dir: Path,
    chain: RagChain | None = None,
) -> Any:
    """The LangChain structured tool an agent or a larger model can call."""
    from langchain_core.tools import StructuredTool

    def inspect_part_image(image_path: str) -> dict[str, Any]:
        with session_factory() as session:
            found = inspect(
                model_loader(), Path(image_path), session, heatmap_dir=heatmap_dir, chain=chain
            )
        return found.model_dump(mode="json")

    return StructuredTool.from_function(
        func=inspect_part_image,
        name="inspect_image",
        description=(
            "Visual defect inspection of a part photo: verdict (ok / minor / severe), defect "
            "type (scratch, crack, pits, stain, inclusion), probabilities, a heatmap of where "
            "the defect is, and the quality manual's disposition for it."
        ),
        args_schema=InspectToolInput,
    )
