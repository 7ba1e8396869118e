"""Inspecting a photo as a known product: grade, anomaly score against the product's
thresholds, the defect's area and bounding box, and the heatmap over the photo."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from tools.defects.images import MAX_PIXELS, WORKING_PIXELS, load_photo
from tools.defects.product import ProductModel, Verdict

# The defect is the connected region around the map's peak at or above this far from the
# product's minor threshold (0) to the peak (1). At the minor threshold itself the smoothed
# map of a coarse model joins the defect with its surroundings: on a 64-px test model a blot
# of radius 4 (1.2 % of the photo) had 6.5 % of the photo over the threshold, 2.8 % at
# half-way (tests/tools/defects/test_product_inspect.py). The setting: product_defect_level.
DEFECT_LEVEL = 0.5


class ProductInspection(BaseModel):
    path: str
    product: str
    verdict: str = Field(description="ok, minor or severe")
    anomaly_score: float = Field(description="Peak of the anomaly map; higher is worse.")
    threshold: float = Field(description="The product's ok/minor limit of the anomaly score.")
    severe_threshold: float = Field(description="The product's minor/severe limit.")
    area_px: int = Field(description="Photo pixels of the defect's region (0 when ok).")
    bbox: tuple[int, int, int, int] | None = Field(
        None, description="x0, y0, x1, y1 (exclusive) of the defect's region, in pixels."
    )
    image_size: tuple[int, int] = Field(description="The photo's width and height.")
    heatmap: str | None = Field(None, description="PNG of the anomaly map over the photo.")
    image_sha256: str
    model_version: str


def heat_colours(verdict: Verdict) -> np.ndarray:
    """The anomaly map in [0, 1]: 0 at half the threshold and below, 1 from the severe
    threshold up, so that "hot" means the same on every photo of a product."""
    low = 0.5 * verdict.threshold
    span = max(verdict.severe_threshold - low, 1e-6)
    return np.clip((verdict.anomaly_map - low) / span, 0.0, 1.0)


def defect_region(
    anomaly_map: np.ndarray, threshold: float, level: float = DEFECT_LEVEL
) -> tuple[int, tuple[int, int, int, int] | None]:
    """The defect's area in pixels and its box (x0, y0, x1, y1, exclusive): the connected
    region around the map's peak at or above `level` of the way from `threshold` to the
    peak; other spots, however hot, are not this defect. (0, None) when the peak is below
    `threshold`.

    Example:
        >>> spot = np.zeros((8, 8)); spot[2:4, 5:7] = 3.0; spot[6, 0] = 2.5
        >>> defect_region(spot, 1.0)
        (4, (5, 2, 7, 4))
    """
    from scipy.ndimage import label

    peak_at = np.unravel_index(int(np.argmax(anomaly_map)), anomaly_map.shape)
    peak = float(anomaly_map[peak_at])
    if peak < threshold:
        return 0, None
    labels, _ = label(anomaly_map >= threshold + level * (peak - threshold))
    ys, xs = np.nonzero(labels == labels[peak_at])
    return len(ys), (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


def overlay_product(
    image: np.ndarray, verdict: Verdict, path: Path,
    bbox: tuple[int, int, int, int] | None = None,
) -> Path:  # fmt: skip
    """The photo with its heatmap laid over it and the defect's box (`bbox`, in the photo's
    pixels) drawn, at its resolution."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import colormaps
    from PIL import Image, ImageDraw

    heat = heat_colours(verdict)
    alpha = (0.1 + 0.5 * heat)[..., None]
    mixed = (image / 255.0) * (1 - alpha) + colormaps["jet"](heat)[..., :3] * alpha
    picture = Image.fromarray((mixed * 255).round().astype(np.uint8))
    if bbox is not None:
        x0, y0, x1, y1 = bbox
        ImageDraw.Draw(picture).rectangle((x0, y0, x1 - 1, y1 - 1), outline=(255, 255, 255))
    path.parent.mkdir(parents=True, exist_ok=True)
    picture.save(path)
    return path


def inspect_product(
    model: ProductModel, source: Path | bytes, *, name: str | None = None,
    heatmap_dir: Path | None = None, max_pixels: int = MAX_PIXELS,
    working_pixels: int = WORKING_PIXELS, defect_level: float = DEFECT_LEVEL,
) -> ProductInspection:  # fmt: skip
    """Grade a photo as `model`'s product; WrongProduct when it shows something else.
    Area and box (`defect_region` at `defect_level`) are in the photo's own pixels, even
    when a huge photo was reduced."""
    data = source.read_bytes() if isinstance(source, Path) else source
    label = name or (source.name if isinstance(source, Path) else "image")
    image, (width, height) = load_photo(
        data, name=label, min_side=model.config.working_size,
        max_pixels=max_pixels, working_pixels=working_pixels,
    )  # fmt: skip
    verdict = model.assess(image)
    area, found = (0, None)
    if verdict.grade != "ok":
        area, found = defect_region(verdict.anomaly_map, verdict.threshold, defect_level)
    digest = hashlib.sha256(data).hexdigest()
    heatmap = None
    if heatmap_dir is not None:
        stem = Path(label).stem or "image"
        path = heatmap_dir / f"{stem}_{digest[:8]}_{model.name}_heatmap.png"
        heatmap = str(overlay_product(image, verdict, path, found))
    scale_x, scale_y = width / image.shape[1], height / image.shape[0]
    bbox = None
    if found is not None:
        x0, y0, x1, y1 = found
        bbox = (
            int(x0 * scale_x), int(y0 * scale_y),
            min(width, round(x1 * scale_x)), min(height, round(y1 * scale_y)),
        )  # fmt: skip
    return ProductInspection(
        path=str(source) if isinstance(source, Path) else label,
        product=model.name,
        verdict=verdict.grade,
        anomaly_score=round(verdict.anomaly_score, 4),
        threshold=round(verdict.threshold, 4),
        severe_threshold=round(verdict.severe_threshold, 4),
        area_px=round(area * scale_x * scale_y),
        bbox=bbox,
        image_size=(width, height),
        heatmap=heatmap,
        image_sha256=digest,
        model_version=model.version,
    )
