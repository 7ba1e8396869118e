"""The inspection tool: a part photo through the defect model, stored, with the quality
manual's disposition for that defect and grade, cited (the chat's handler and the LangChain
tool both call `inspect`; the tool inspects as a learnt product too, chosen as in the chat)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field
from sqlmodel import Session

from assistant.answering.answers import Citation
from assistant.capabilities.base import numbered
from assistant.capabilities.defects.products import DEMO_PRODUCT, choose, named_in
from assistant.capabilities.defects.verdict import GRADE_WORDS, inspect_as_product
from assistant.capabilities.documents.lookup import cite
from assistant.persistence.inspections import record
from retrieval.search import SearchFilter
from tools.defects.inspect import InspectionResult, inspect_image

if TYPE_CHECKING:
    from assistant.answering.chain import RagChain
    from assistant.capabilities.defects.products import ProductCatalog
    from tools.defects.model import DefectModel

# how the defect catalogue names each type (its section headings)
CATALOGUE_NAMES = {
    "scratch": "Scratch",
    "crack": "Crack",
    "pits": "Pit cluster",
    "stain": "Stain",
    "inclusion": "Inclusion",
}


class InspectToolInput(BaseModel):
    image_path: str = Field(description="Path of the part photo (PNG, JPEG, ...).")
    product: str | None = Field(
        None,
        description="The product the photo shows, as the user named it (e.g. 'casting'); "
        "leave it out when the user did not say: the answer then lists the products to ask "
        "about, unless only one is known.",
    )


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
    stored = None
    if session is not None:
        stored = record(session, result, user=user, product=DEMO_PRODUCT)
    citations = disposition(chain, result) if chain is not None else []
    return InspectToolResult(
        inspection=result,
        record_id=stored.id if stored is not None else None,
        citations=citations,
        text=describe(result, citations),
    )


def inspect_as(
    said: str | None, path: Path, session: Session, *, demo: Callable[[], DefectModel],
    products: ProductCatalog | None, heatmap_dir: Path, chain: RagChain | None,
) -> dict[str, Any]:  # fmt: skip
    """The photo inspected as the product `said` names (the chat's choice: any case, plural,
    '-' as a space), the only product there is, or else the products to choose from; a photo
    of another product is refused with the reason."""
    from tools.defects.product import WrongProduct

    names = products.names() if products is not None else [DEMO_PRODUCT]
    found = choose(said or "", names, remembered=None)
    if found.product is None or (said and found.how != "named"):
        unknown = ""
        if said and not named_in(said, names):
            unknown = f"'{said}' names no product known here. "
        return {"choose_product": list(found.options or names),
                "text": f"{unknown}Which product does the photo show? Known: "
                        f"{', '.join(names)}."}  # fmt: skip
    if found.product == DEMO_PRODUCT or products is None:
        shown = inspect(demo(), path, session, heatmap_dir=heatmap_dir, chain=chain)
        return {**shown.model_dump(mode="json"), "product": DEMO_PRODUCT}
    try:
        verdict = inspect_as_product(
            products.model(found.product), path, session, heatmap_dir=heatmap_dir, chain=chain,
            defect_level=products.defect_level,
        )  # fmt: skip
    except WrongProduct as exc:
        return {"refused": "wrong_product", "product": found.product, "text": str(exc)}
    return {**verdict.model_dump(mode="json"), "product": found.product}


def make_inspect_tool(
    session_factory: Callable[[], Session],
    model_loader: Callable[[], DefectModel],
    heatmap_dir: Path,
    chain: RagChain | None = None,
    products: ProductCatalog | None = None,
) -> Any:
    """The LangChain structured tool an agent or a larger model can call; with `products`,
    it inspects as any learnt product too."""
    from langchain_core.tools import StructuredTool

    def inspect_part_image(image_path: str, product: str | None = None) -> dict[str, Any]:
        with session_factory() as session:
            return inspect_as(product, Path(image_path), session, demo=model_loader,
                              products=products, heatmap_dir=heatmap_dir, chain=chain)  # fmt: skip

    return StructuredTool.from_function(
        func=inspect_part_image,
        name="inspect_image",
        description=(
            "Visual defect inspection of a part photo as a product: verdict (ok / minor / "
            "severe), a heatmap of where the defect is, and the quality manual's disposition "
            "for it; for a learnt product also its anomaly score against the product's "
            "thresholds and the defect's area and box, for the demo product the defect type "
            "(scratch, crack, pits, stain, inclusion) and probabilities."
        ),
        args_schema=InspectToolInput,
    )
