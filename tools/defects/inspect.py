"""Inspecting part photos: the trained defect model applied to an image, with its heatmap."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from tools.defects.images import MAX_PIXELS, WORKING_PIXELS, load_rgb
from tools.defects.model import DEFECT_TYPES, SEVERITIES, DefectModel


class InspectionResult(BaseModel):
    path: str
    verdict: str = Field(description="ok, minor or severe")
    defect_type: str | None = Field(description="The likeliest defect type; None when ok.")
    confidence: float = Field(description="Probability of the verdict.")
    probabilities: dict[str, float] = Field(description="ok, minor, severe")
    type_probabilities: dict[str, float]
    peak: tuple[float, float] | None = Field(
        None, description="Where the heatmap peaks, as (x, y) shares of width and height."
    )
    heatmap: str | None = Field(None, description="PNG of the heatmap over the image.")
    image_sha256: str
    model_version: str


def overlay(image: np.ndarray, heat: np.ndarray, path: Path) -> Path:
    """The image with the heatmap laid over it (jet colours, more opaque where hotter)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import colormaps
    from PIL import Image

    colours = colormaps["jet"](heat)[..., :3]
    alpha = (0.15 + 0.55 * heat)[..., None]
    mixed = (image / 255.0) * (1 - alpha) + colours * alpha
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray((mixed * 255).round().astype(np.uint8)).resize((256, 256)).save(path)
    return path


def inspect_image(
    model: DefectModel,
    source: Path | bytes,
    *,
    name: str | None = None,
    heatmap_dir: Path | None = None,
    max_pixels: int = MAX_PIXELS,
    working_pixels: int = WORKING_PIXELS,
) -> InspectionResult:
    """Verdict, defect type, probabilities and, with `heatmap_dir`, the heatmap PNG; a photo
    over `max_pixels` is refused, a large one shrunk to about `working_pixels` first."""
    data = source.read_bytes() if isinstance(source, Path) else source
    label = name or (source.name if isinstance(source, Path) else "image")
    image = load_rgb(
        data, model.image_size, name=label, max_pixels=max_pixels, working_pixels=working_pixels
    )
    severity_p, type_p = model.probabilities(image[None])
    severity_p, type_p = severity_p[0], type_p[0]
    verdict = SEVERITIES[int(np.argmax(severity_p))]
    defect_type = None
    if verdict != "ok":
        defect_type = DEFECT_TYPES[1 + int(np.argmax(type_p[1:]))]
    digest = hashlib.sha256(data).hexdigest()
    heat = model.heatmaps(image[None])[0]
    y, x = np.unravel_index(int(np.argmax(heat)), heat.shape)
    heatmap = None
    if heatmap_dir is not None:
        stem = Path(label).stem or "image"
        heatmap = str(overlay(image, heat, heatmap_dir / f"{stem}_{digest[:8]}_heatmap.png"))
    return InspectionResult(
        path=str(source) if isinstance(source, Path) else label,
        verdict=verdict,
        defect_type=defect_type,
        confidence=round(float(severity_p.max()), 4),
        probabilities={s: round(float(p), 4) for s, p in zip(SEVERITIES, severity_p, strict=True)},
        type_probabilities={
            t: round(float(p), 4) for t, p in zip(DEFECT_TYPES, type_p, strict=True)
        },
        peak=(round(x / heat.shape[1], 3), round(y / heat.shape[0], 3))
        if verdict != "ok"
        else None,
        heatmap=heatmap,
        image_sha256=digest,
        model_version=model.version,
    )
