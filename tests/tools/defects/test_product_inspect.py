"""A defect's area and box: the connected region around the anomaly map's peak, half-way
from the product's minor threshold to the peak, not every pixel over the threshold."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image

from tests.tools.defects.conftest import good_surface, with_blot
from tools.defects.product_inspect import defect_region, inspect_product


def _png(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="PNG")
    return out.getvalue()


def test_the_region_is_the_spot_around_the_peak_only() -> None:
    anomaly_map = np.zeros((40, 60), dtype=np.float32)
    anomaly_map[10:14, 20:30] = 1.0  # the shoulder of the defect, above the threshold
    anomaly_map[11:13, 22:25] = 3.0  # its core
    anomaly_map[30:32, 50:52] = 2.5  # another spot, hot but apart
    assert defect_region(anomaly_map, 0.5) == (6, (22, 11, 25, 13))  # core only: >= 1.75
    assert defect_region(anomaly_map, 0.5, level=0.0) == (40, (20, 10, 30, 14))  # no spot
    assert defect_region(anomaly_map, 5.0) == (0, None)


def test_a_small_blot_covers_a_small_share_of_the_photo(tiny_model: Any) -> None:
    """A 64-px model sees 8-px patches and smooths its map: a blot of radius 4 (1.2 % of the
    photo) lifts a wide area over the minor threshold; its region stays near the blot."""
    photo = with_blot(good_surface(301), (40, 20), 4)
    result = inspect_product(tiny_model, _png(photo), name="blot.png")
    assert result.verdict != "ok" and result.bbox is not None
    share = result.area_px / (64 * 64)
    x0, y0, x1, y1 = result.bbox
    assert x0 <= 40 < x1 and y0 <= 20 < y1 and (x1 - x0) * (y1 - y0) < 64 * 64 / 4
    everything = inspect_product(tiny_model, _png(photo), defect_level=0.0)
    assert 0 < share < 0.1 and everything.area_px > result.area_px, (share, everything.area_px)
