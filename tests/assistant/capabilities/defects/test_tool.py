"""The LangChain inspection tool inspects as a learnt product too, chosen as in the chat: the
product named (any case, plural), else the products to ask about; a photo of another product
is refused, and each inspection is stored with its product."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from assistant.answering.chain import RagChain
from assistant.capabilities.defects.products import ProductCatalog
from assistant.capabilities.defects.tool import make_inspect_tool
from assistant.persistence.db import make_engine
from assistant.persistence.inspections import Inspection
from tests.assistant.capabilities.defects.conftest import no_demo_model


def test_the_tool_inspects_as_the_product_named_or_asks_which(
    chain: RagChain, products_dir: Path, photos: dict[str, Path], suite_database: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    engine = make_engine(suite_database)
    tool = make_inspect_tool(lambda: Session(engine), no_demo_model, tmp_path / "heat",  # type: ignore[arg-type]
                             chain, products=ProductCatalog(products_dir))  # fmt: skip
    assert set(tool.args) == {"image_path", "product"}
    found = tool.invoke({"image_path": str(photos["blot"]), "product": "Castings"})
    assert found["product"] == "casting" and found["inspection"]["verdict"] != "ok"
    assert found["text"].startswith(f"**{found['inspection']['verdict'].title()} defect** as")
    assert found["record_id"] and found["inspection"]["bbox"]
    asked = tool.invoke({"image_path": str(photos["blot"])})
    assert asked["choose_product"] == ["surface", "casting", "tile"]
    assert asked["text"] == "Which product does the photo show? Known: surface, casting, tile."
    unknown = tool.invoke({"image_path": str(photos["blot"]), "product": "widget"})
    assert unknown["text"].startswith("'widget' names no product known here. Which product")
    refused = tool.invoke({"image_path": str(photos["casting"]), "product": "tile"})
    assert (
        refused["refused"] == "wrong_product" and "does not look like a 'tile'" in refused["text"]
    )
    with Session(engine) as session:
        stored = session.exec(select(Inspection)).all()
    assert [(s.id, s.product) for s in stored] == [(found["record_id"], "casting")]
