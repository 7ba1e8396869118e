"""A product's verdict on one photo: grade, area and box at the photo's resolution, the
refusal of another product's photo, and the inspection result with its heatmap."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from tests.tools.defects.conftest import good_surface, with_blot
from tools.defects.product import Thresholds, WrongProduct, region
from tools.defects.product_inspect import inspect_product


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_thresholds_grade_scores() -> None:
    limits = Thresholds(minor=1.0, severe=2.0)
    assert [limits.grade(s) for s in (0.5, 1.0, 1.9, 2.0, 7.0)] == [
        "ok", "minor", "minor", "severe", "severe"
    ]  # fmt: skip


def test_region_is_the_blob_around_the_peak() -> None:
    anomaly_map = np.zeros((40, 60), dtype=np.float32)
    anomaly_map[5:9, 10:20] = 2.0  # the defect, with the peak
    anomaly_map[6, 12] = 3.0
    anomaly_map[30:32, 50:52] = 1.5  # another, weaker spot: counted in the area, not the box
    area, bbox = region(anomaly_map, 1.0)
    assert area == 4 * 10 + 4
    assert bbox == (10, 5, 20, 9)
    assert region(anomaly_map, 5.0) == (0, None)


def test_a_defect_is_graded_with_its_area_and_box_at_photo_resolution(tiny_model: Any) -> None:
    photo = np.asarray(
        Image.fromarray(with_blot(good_surface(400), (44, 20), 6)).resize((256, 128))
    )  # 4x wider, 2x taller than the working size
    verdict = tiny_model.assess(photo)
    assert verdict.grade in ("minor", "severe")
    assert verdict.anomaly_score > verdict.threshold == tiny_model.thresholds.minor
    assert verdict.anomaly_map.shape == (128, 256)
    x0, y0, x1, y1 = verdict.bbox
    assert x0 <= 44 * 4 <= x1 and y0 <= 20 * 2 <= y1
    assert 0 < verdict.area_px < 256 * 128 / 2  # a 64-pixel model sees coarsely


def test_a_good_photo_is_ok_with_no_region(tiny_model: Any) -> None:
    verdict = tiny_model.assess(good_surface(401))
    assert verdict.grade == "ok" and verdict.area_px == 0 and verdict.bbox is None


def test_a_photo_of_another_product_is_refused(tiny_model: Any) -> None:
    rng = np.random.default_rng(3)
    other = (rng.random((64, 64, 3)) * 255).astype(np.uint8)  # colourful noise, no texture
    other[:, :32] = (0, 90, 255)
    with pytest.raises(WrongProduct, match="does not look like a 'tiny'"):
        tiny_model.assess(other)
    assert tiny_model.assess(other, check_product=False).grade in ("minor", "severe")


def test_inspection_reports_in_the_stored_photos_pixels(tiny_model: Any, tmp_path: Path) -> None:
    big = np.asarray(Image.fromarray(with_blot(good_surface(402), (44, 20), 6)).resize((640, 320)))
    result = inspect_product(
        tiny_model, _png(big), name="part.png", heatmap_dir=tmp_path, working_pixels=100_000
    )  # decoded at about 447 x 224, reported at 640 x 320
    assert result.product == "tiny" and result.verdict != "ok"
    assert result.image_size == (640, 320)
    assert result.bbox is not None
    x0, y0, x1, y1 = result.bbox
    assert x0 <= 44 * 10 <= x1 <= 640 and y0 <= 20 * 5 <= y1 <= 320
    assert result.heatmap is not None and Path(result.heatmap).exists()
    with Image.open(result.heatmap) as heat:
        assert heat.width < 640  # drawn over the decoded photo
