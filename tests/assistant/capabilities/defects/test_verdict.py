"""A product verdict people can act on: grade, anomaly score against the product's
thresholds, area and position of the defect, the heatmap, the catalogue's section for the
product (cited, or said to be missing), and the inspection stored."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from assistant.answering.chain import RagChain
from assistant.capabilities.defects.products import ProductCatalog
from assistant.capabilities.defects.verdict import inspect_as_product, position
from assistant.persistence.db import make_engine
from assistant.persistence.inspections import Inspection
from tools.defects.product_inspect import ProductInspection


def test_a_defect_is_graded_measured_placed_and_cited(
    chain: RagChain, products_dir: Path, photos: dict[str, Path], suite_database: str,
    tmp_path: Path,
) -> None:  # fmt: skip
    model = ProductCatalog(products_dir).model("casting")
    engine = make_engine(suite_database)
    with Session(engine) as session:
        verdict = inspect_as_product(
            model, photos["blot"], session, name="blot.png", heatmap_dir=tmp_path / "heat",
            chain=chain, user="ana",
        )  # fmt: skip
        stored = session.exec(select(Inspection)).one()
    found = verdict.inspection
    assert found.verdict in ("minor", "severe") and found.anomaly_score >= found.threshold
    text = verdict.text
    assert text.startswith(f"**{found.verdict.title()} defect** as 'casting'")
    assert f"anomaly score {found.anomaly_score:.3f}" in text
    assert f"ok below {found.threshold:.3f}, severe from {found.severe_threshold:.3f}" in text
    # the blot (radius 7: 1 % of the photo) as the region around the peak, not all that is hot
    assert 0 < verdict.area_share < 0.25 and f"{verdict.area_share:.1%} of the photo" in text
    assert verdict.position == "lower left" and "at the lower left" in text  # blot at (40, 88)
    assert found.heatmap and Path(found.heatmap).read_bytes()[:4] == b"\x89PNG"
    headings = [c.heading for c in verdict.citations]
    assert headings == ["Castings", "Severity grades"] and verdict.catalogue_section
    assert "[1]:" in text and "yellow dot" in text
    assert stored.id == verdict.record_id and stored.user == "ana"
    assert stored.verdict == found.verdict and stored.product == "casting"
    assert stored.model_version == model.version and stored.anomaly_score == found.anomaly_score
    assert stored.bbox == list(found.bbox or ()) and stored.area_px == found.area_px


def test_a_good_photo_is_ok_and_a_product_without_a_section_says_so(
    chain: RagChain, products_dir: Path, photos: dict[str, Path]
) -> None:
    catalog = ProductCatalog(products_dir)
    good = inspect_as_product(catalog.model("casting"), photos["casting"], None, chain=chain)
    assert good.inspection.verdict == "ok" and good.text.startswith("**OK** as 'casting'")
    assert good.position is None and "covers" not in good.text
    tile = inspect_as_product(catalog.model("tile"), photos["tile"], None, chain=chain)
    assert "The defect catalogue has no section for 'tile'." in tile.text
    assert [c.heading for c in tile.citations] == ["Severity grades"]
    assert not tile.catalogue_section and tile.record_id is None
    uncited = inspect_as_product(catalog.model("tile"), photos["tile"], None)
    assert uncited.catalogue_section is None and "catalogue" not in uncited.text


def test_positions_in_words() -> None:
    def at(bbox: tuple[int, int, int, int]) -> str | None:
        found = ProductInspection(
            path="p.png", product="x", verdict="minor", anomaly_score=2.0, threshold=1.0,
            severe_threshold=3.0, area_px=10, bbox=bbox, image_size=(300, 300),
            image_sha256="0", model_version="1",
        )  # fmt: skip
        return position(found)

    assert at((0, 0, 20, 20)) == "upper left"
    assert at((140, 140, 160, 160)) == "centre"
    assert at((280, 140, 300, 160)) == "middle right"
    assert at((140, 280, 160, 300)) == "lower centre"
