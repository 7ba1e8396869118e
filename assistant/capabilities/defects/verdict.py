"""A photo inspected as a learnt product, told so that people can act on it: the grade, the
anomaly score against the product's thresholds, the defect's area and position, the heatmap,
and the defect catalogue's section for the product, cited; stored like every inspection."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field
from sqlmodel import Session

from assistant.answering.answers import Citation
from assistant.capabilities.base import numbered
from assistant.capabilities.defects.products import forms
from assistant.capabilities.documents.lookup import cite
from assistant.persistence.inspections import record_product
from assistant.settings import setting_default
from retrieval.search import SearchFilter
from tools.defects.product_inspect import ProductInspection, inspect_product

if TYPE_CHECKING:
    from assistant.answering.chain import RagChain
    from tools.defects.product import ProductModel

GRADE_WORDS = {"ok": "OK", "minor": "Minor", "severe": "Severe"}  # the catalogue's grade names


class ProductVerdict(BaseModel):
    inspection: ProductInspection
    area_share: float = Field(description="Share of the photo covered by the defect's region.")
    position: str | None = Field(None, description="Where the defect is, in words.")
    record_id: int | None = None
    citations: list[Citation] = Field(default_factory=list)
    catalogue_section: bool | None = Field(
        None, description="Whether the catalogue has a section on the product (None: not looked)."
    )
    text: str


def position(result: ProductInspection) -> str | None:
    """The defect's box centre in words ("upper left", "centre", …)."""
    if result.bbox is None:
        return None
    x0, y0, x1, y1 = result.bbox
    width, height = result.image_size
    across = ("left", "centre", "right")[min(2, int(3 * (x0 + x1) / 2 / width))]
    down = ("upper", "middle", "lower")[min(2, int(3 * (y0 + y1) / 2 / height))]
    if down == "middle":
        return "centre" if across == "centre" else f"middle {across}"
    return f"{down} {'centre' if across == 'centre' else across}"


def catalogue(chain: RagChain, product: str, grade: str) -> tuple[list[Citation], bool]:
    """The quality documents' section on `product` (a heading naming it) and the grade's
    default disposition; whether a product section was found."""
    quality = SearchFilter(doc_type=["quality"])
    names = forms(product)

    def about_product(c: Citation) -> bool:
        heading = c.section.lower().replace("-", " ")
        return any(name in heading for name in names)

    grade_word = GRADE_WORDS[grade]
    found = cite(chain, f"defect catalogue {product} {grade_word}", search_filter=quality,
                 keep=about_product)  # fmt: skip
    section = bool(found)
    grades = cite(chain, f"severity grades {grade_word} default disposition",
                  search_filter=quality, keep=lambda c: "grade" in c.section.lower())  # fmt: skip
    for match in grades:
        if all(match.chunk_id != c.chunk_id for c in found):
            found.append(match)
    return numbered(found), section


def describe(verdict: ProductVerdict) -> str:
    result = verdict.inspection
    limits = f"ok below {result.threshold:.3f}, severe from {result.severe_threshold:.3f}"
    score = f"anomaly score {result.anomaly_score:.3f} ({limits})"
    if result.verdict == "ok":
        head = f"**OK** as '{result.product}': nothing stands out ({score})."
    else:
        head = f"**{GRADE_WORDS[result.verdict]} defect** as '{result.product}' ({score})."
    lines = [head]
    if result.bbox is not None:
        x0, y0, x1, y1 = result.bbox
        lines += [
            "",
            f"The defect covers {verdict.area_share:.1%} of the photo ({result.area_px:,} px), "
            f"at the {verdict.position} (x {x0}-{x1}, y {y0}-{y1} px); the heatmap shows it.",
        ]
    if verdict.catalogue_section is False:
        lines += ["", f"The defect catalogue has no section for '{result.product}'."]
    for citation in verdict.citations:
        lines += ["", f"{citation.title} — {citation.heading} [{citation.n}]:", citation.text]
    return "\n".join(lines)


def inspect_as_product(
    model: ProductModel, source: Path | bytes, session: Session | None, *,
    name: str | None = None, heatmap_dir: Path | None = None, chain: RagChain | None = None,
    user: str | None = None, pixels: tuple[int, int] | None = None,
    defect_level: float = setting_default("product_defect_level"),
) -> ProductVerdict:  # fmt: skip
    """Inspect a photo as `model`'s product (WrongProduct when it shows something else),
    store it, and cite the catalogue; `pixels` is (most pixels taken, working size),
    `defect_level` how the defect's region is drawn (`inspect_product`)."""
    limits = {} if pixels is None else {"max_pixels": pixels[0], "working_pixels": pixels[1]}
    result = inspect_product(model, source, name=name, heatmap_dir=heatmap_dir,
                             defect_level=defect_level, **limits)  # fmt: skip
    stored = record_product(session, result, user=user) if session is not None else None
    citations, section = catalogue(chain, model.name, result.verdict) if chain else ([], None)
    width, height = result.image_size
    verdict = ProductVerdict(
        inspection=result, area_share=result.area_px / max(1, width * height),
        position=position(result), record_id=stored.id if stored is not None else None,
        citations=citations, catalogue_section=section, text="",
    )  # fmt: skip
    verdict.text = describe(verdict)
    return verdict
