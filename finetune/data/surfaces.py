"""Procedural surface images with defects and their masks, in the spirit of DAGM 2007.

The DAGM 2007 benchmark ("Weakly Supervised Learning for Industrial Optical Inspection") was
itself generated: statistical textures with one defect drawn in, and a mask of it. This
generator follows the idea with five texture families a machining and moulding plant sees —
brushed metal, cast/sand-blasted, woven (fibre), orange-peel paint, wood-like grain — and
five defect types — scratch, crack, pit cluster, stain, inclusion. A defect's size and
contrast set its grade: `minor` and `severe` are drawn from separate ranges with a gap
between them, `ok` images have no defect. Contrast is a contrast-to-noise ratio: a multiple
of the texture's own standard deviation, the measure of how visible a mark is against its
background (Rose criterion: about 3 to 5 for a small object to be seen at all). A 0.15 grey
step is plain on smooth orange-peel paint and lost in coarse cast grain, so an absolute step
would make "minor" mean "invisible" on some textures and "obvious" on others; the ratio
makes a minor defect one an inspector can just see, and a severe one obvious.

Every image is a pure function of (seed, index, config): `generate(i, seed)` always gives
the same pixels. `texture_scale` stretches the texture's features; a test set can use a
range the training set never saw (`HELD_OUT_SCALE`).

Example:
    python -m finetune.data.surfaces --out surfaces/ --n 300 --seed 0
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import ndimage

TEXTURES = ("brushed", "cast", "woven", "orange_peel", "wood")
DEFECTS = ("scratch", "crack", "pits", "stain", "inclusion")
SEVERITIES = ("ok", "minor", "severe")
TRAIN_SCALE = (0.75, 1.25)
HELD_OUT_SCALE = (1.25, 1.6)  # coarser textures than any training image
_TINT = {
    "brushed": (0.95, 0.97, 1.0),
    "cast": (0.92, 0.9, 0.86),
    "woven": (0.85, 0.9, 0.95),
    "orange_peel": (1.0, 0.93, 0.85),
    "wood": (1.0, 0.88, 0.72),
}


@dataclass(frozen=True)
class SurfaceConfig:
    size: int = 128
    texture_scale: tuple[float, float] = TRAIN_SCALE
    severity_shares: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3)
    textures: tuple[str, ...] = TEXTURES
    defects: tuple[str, ...] = DEFECTS


@dataclass
class Surface:
    image: np.ndarray  # uint8, (size, size, 3)
    mask: np.ndarray  # bool, (size, size): the defect, empty for ok
    texture: str
    defect: str | None
    severity: str
    params: dict[str, float] = field(default_factory=dict)


def _smooth_noise(
    rng: np.random.Generator, size: int, sigma: float | tuple[float, float]
) -> np.ndarray:
    noise = ndimage.gaussian_filter(rng.normal(size=(size, size)), sigma, mode="wrap")
    return (noise - noise.mean()) / (noise.std() + 1e-9)


def texture(family: str, rng: np.random.Generator, size: int, scale: float) -> np.ndarray:
    """A grey texture in [0, 1] of one family; `scale` stretches its features."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    if family == "brushed":
        base = _smooth_noise(rng, size, (0.6 * scale, 12 * scale))
        base = ndimage.rotate(base, rng.uniform(0, 180), reshape=False, mode="reflect")
        img = 0.55 + 0.07 * base + 0.03 * _smooth_noise(rng, size, 0.7)
    elif family == "cast":
        img = (
            0.5
            + 0.06 * _smooth_noise(rng, size, 1.0 * scale)
            + 0.05 * _smooth_noise(rng, size, 3.5 * scale)
        )
    elif family == "woven":
        period = rng.uniform(7, 10) * scale
        angle = rng.uniform(0, math.pi)
        u = x * math.cos(angle) + y * math.sin(angle)
        v = -x * math.sin(angle) + y * math.cos(angle)
        weave = np.sin(2 * math.pi * u / period) * np.sin(2 * math.pi * v / period)
        img = 0.5 + 0.08 * weave + 0.03 * _smooth_noise(rng, size, 0.8)
    elif family == "orange_peel":
        bumps = _smooth_noise(rng, size, 2.5 * scale)
        light = np.gradient(bumps, axis=1)  # lit from the side: bumps show as shading
        img = 0.6 + 0.12 * light + 0.02 * _smooth_noise(rng, size, 0.6)
    elif family == "wood":
        cx, cy = rng.uniform(-size, 2 * size, 2)
        radius = np.hypot((x - cx) * rng.uniform(0.2, 0.5), y - cy)
        warp = 3.0 * _smooth_noise(rng, size, 6 * scale)
        rings = np.sin(2 * math.pi * (radius + warp) / (6.0 * scale))
        img = 0.55 + 0.07 * rings + 0.03 * _smooth_noise(rng, size, (0.5, 4 * scale))
    else:
        raise ValueError(f"unknown texture {family!r}: one of {', '.join(TEXTURES)}")
    return np.clip(img, 0.0, 1.0)


def _line_mask(size: int, points: np.ndarray, width: float) -> np.ndarray:
    """Pixels within `width / 2` of a polyline."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    distance = np.full((size, size), np.inf)
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        dx, dy = x1 - x0, y1 - y0
        t = np.clip(((x - x0) * dx + (y - y0) * dy) / max(dx * dx + dy * dy, 1e-9), 0, 1)
        distance = np.minimum(distance, np.hypot(x - (x0 + t * dx), y - (y0 + t * dy)))
    return distance <= width / 2


# (minor range, severe range) of each defect's size, and of its contrast-to-noise ratio
_SIZE = {
    "scratch": ((14, 28), (42, 80)),  # length in px
    "crack": ((12, 22), (34, 60)),  # length in px
    "pits": ((3, 5), (9, 16)),  # number of pits
    "stain": ((5, 8), (12, 20)),  # radius in px
    "inclusion": ((2.0, 3.0), (4.5, 7.0)),  # radius in px
}
_CNR = ((3.0, 4.5), (6.0, 9.0))  # times the texture's standard deviation
MASK_MARGIN = 2  # px


Drawn = tuple[np.ndarray, np.ndarray]  # the defect's pixels (bool) and its grey shift


def _scratch(
    rng: np.random.Generator, size: int, centre: np.ndarray, extent: float, contrast: float
) -> Drawn:
    angle = rng.uniform(0, math.pi)
    bend = rng.uniform(-0.15, 0.15)
    t = np.linspace(-0.5, 0.5, 8)[:, None] * extent
    direction = np.array([math.cos(angle), math.sin(angle)])
    normal = np.array([-direction[1], direction[0]])
    points = centre + t * direction + (t**2 / max(extent, 1)) * bend * normal * 4
    points = np.clip(points, 2, size - 3)
    mask = _line_mask(size, points, rng.uniform(1.2, 2.2))
    shade = np.zeros((size, size))
    shade[mask] = contrast
    return mask, shade


def _crack(
    rng: np.random.Generator, size: int, centre: np.ndarray, extent: float, contrast: float
) -> Drawn:
    steps = max(4, int(extent / 4))
    angle = rng.uniform(0, 2 * math.pi)
    points = [centre]
    for _ in range(steps):
        angle += rng.normal(0, 0.6)
        points.append(points[-1] + 4 * np.array([math.cos(angle), math.sin(angle)]))
    path = np.clip(np.array(points), 2, size - 3)
    mask = _line_mask(size, path, rng.uniform(1.0, 1.8))
    shade = np.zeros((size, size))
    shade[mask] = -abs(contrast) * 1.2  # cracks are dark
    return mask, shade


def _pits(
    rng: np.random.Generator, size: int, centre: np.ndarray, extent: float, contrast: float
) -> Drawn:
    y, x = np.mgrid[0:size, 0:size]
    spread = 6 + 1.2 * extent
    mask = np.zeros((size, size), dtype=bool)
    for _ in range(round(extent)):
        px, py = centre + rng.normal(0, spread / 2.5, 2)
        r = rng.uniform(1.0, 2.2)
        mask |= (x - px) ** 2 + (y - py) ** 2 <= r * r
    shade = np.zeros((size, size))
    shade[mask] = -abs(contrast)
    return mask, shade


def _stain(
    rng: np.random.Generator, size: int, centre: np.ndarray, extent: float, contrast: float
) -> Drawn:
    y, x = np.mgrid[0:size, 0:size]
    warp = 0.35 * _smooth_noise(rng, size, 5)
    radius = np.hypot(x - centre[0], y - centre[1]) / extent + warp
    blob = np.clip(1.0 - radius, 0.0, 1.0)
    # full contrast over the stain's body, fading at its rim: its contrast-to-noise
    # ratio means what it means for the flat-shaded defects
    return blob > 0.15, contrast * np.clip(blob / 0.4, 0.0, 1.0)


def _inclusion(
    rng: np.random.Generator, size: int, centre: np.ndarray, extent: float, contrast: float
) -> Drawn:
    y, x = np.mgrid[0:size, 0:size]
    stretch = rng.uniform(0.6, 1.0)
    mask = ((x - centre[0]) * stretch) ** 2 + (y - centre[1]) ** 2 <= extent * extent
    shade = np.zeros((size, size))
    shade[mask] = contrast * 1.1
    return mask, shade


_DRAWERS = {
    "scratch": _scratch,
    "crack": _crack,
    "pits": _pits,
    "stain": _stain,
    "inclusion": _inclusion,
}


def _draw(
    kind: str, rng: np.random.Generator, img: np.ndarray, grade: int
) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    size = img.shape[0]
    extent = rng.uniform(*_SIZE[kind][grade])
    cnr = rng.uniform(*_CNR[grade])
    contrast = cnr * float(img.std()) * rng.choice([-1.0, 1.0])
    margin = 20
    centre = rng.uniform(margin, size - margin, 2)
    drawer = _DRAWERS.get(kind)
    if drawer is None:
        raise ValueError(f"unknown defect {kind!r}: one of {', '.join(DEFECTS)}")
    mask, shade = drawer(rng, size, centre, extent, contrast)
    soft = ndimage.gaussian_filter(shade, 0.6)
    # the mask marks the defect's region, its drawn pixels grown by 2 px (DAGM's masks are
    # coarse ellipses around the defect, not pixel outlines)
    mask = ndimage.binary_dilation(mask, iterations=MASK_MARGIN)
    return (
        np.clip(img + soft, 0.0, 1.0),
        mask,
        {"extent": float(extent), "contrast": float(contrast), "cnr": float(cnr)},
    )


def generate(index: int, seed: int = 0, config: SurfaceConfig | None = None) -> Surface:
    """Image `index` of the set with this seed: the same pixels every time."""
    config = config or SurfaceConfig()
    rng = np.random.default_rng([seed, index])
    family = str(rng.choice(config.textures))
    severity = str(rng.choice(SEVERITIES, p=config.severity_shares))
    scale = float(rng.uniform(*config.texture_scale))
    img = texture(family, rng, config.size, scale)
    mask = np.zeros_like(img, dtype=bool)
    defect, params = None, {"texture_scale": scale}
    if severity != "ok":
        defect = str(rng.choice(config.defects))
        img, mask, drawn = _draw(defect, rng, img, SEVERITIES.index(severity) - 1)
        params.update(drawn)
    brightness = rng.uniform(0.85, 1.15)
    rgb = np.clip(img[..., None] * np.array(_TINT[family]) * brightness, 0, 1)
    return Surface((rgb * 255).round().astype(np.uint8), mask, family, defect, severity, params)


def write_set(out: Path, n: int, seed: int = 0, config: SurfaceConfig | None = None) -> Path:
    """Write `n` images, their masks and `labels.csv`; returns the CSV's path."""
    from PIL import Image

    out.mkdir(parents=True, exist_ok=True)
    labels = out / "labels.csv"
    with labels.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "mask", "texture", "defect_type", "severity", "texture_scale"])
        for i in range(n):
            surface = generate(i, seed, config)
            name = f"surface_{seed}_{i:05d}"
            Image.fromarray(surface.image).save(out / f"{name}.png")
            Image.fromarray(surface.mask.astype(np.uint8) * 255).save(out / f"{name}_mask.png")
            writer.writerow([
                f"{name}.png", f"{name}_mask.png", surface.texture, surface.defect or "none",
                surface.severity, round(surface.params["texture_scale"], 3),
            ])  # fmt: skip
    return labels


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"wrote {write_set(args.out, args.n, args.seed)}")


if __name__ == "__main__":  # pragma: no cover
    main()
