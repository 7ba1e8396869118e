"""The surface image generator: deterministic, every texture and defect, masks that match."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from finetune.data.surfaces import (
    DEFECTS,
    HELD_OUT_SCALE,
    TEXTURES,
    SurfaceConfig,
    generate,
    texture,
    write_set,
)


def test_the_same_seed_gives_the_same_pixels() -> None:
    a, b = generate(7, seed=3), generate(7, seed=3)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.mask, b.mask)
    assert not np.array_equal(generate(7, seed=4).image, a.image)
    assert a.image.shape == (128, 128, 3) and a.image.dtype == np.uint8


def test_every_texture_family_and_defect_type_appears_with_matching_masks() -> None:
    surfaces = [generate(i, seed=1) for i in range(150)]
    assert {s.texture for s in surfaces} == set(TEXTURES)
    assert {s.defect for s in surfaces if s.defect} == set(DEFECTS)
    for s in surfaces:
        if s.severity == "ok":
            assert s.defect is None and not s.mask.any()
        else:
            assert s.defect in DEFECTS and s.mask.any()


def test_severe_defects_are_bigger_or_stronger_than_minor_ones() -> None:
    surfaces = [generate(i, seed=2) for i in range(300)]
    for kind in DEFECTS:
        minor = [s.params["extent"] for s in surfaces if s.defect == kind and s.severity == "minor"]
        severe = [
            s.params["extent"] for s in surfaces if s.defect == kind and s.severity == "severe"
        ]
        assert minor and severe and max(minor) < min(severe), kind
    ratios = {
        grade: [s.params["cnr"] for s in surfaces if s.severity == grade]
        for grade in ("minor", "severe")
    }
    assert max(ratios["minor"]) < min(ratios["severe"])


def test_contrast_follows_the_texture_so_a_minor_defect_is_as_visible_on_every_family() -> None:
    surfaces = [generate(i, seed=4) for i in range(400)]
    step = {  # grey step per unit of contrast-to-noise ratio, i.e. the texture's spread
        family: np.median([abs(s.params["contrast"]) / s.params["cnr"] for s in surfaces
                           if s.texture == family and s.defect])
        for family in ("cast", "orange_peel")
    }  # fmt: skip
    assert step["cast"] > 1.5 * step["orange_peel"]  # grainy cast needs a stronger mark


def test_the_defect_changes_the_pixels_under_its_mask() -> None:
    surface = next(s for s in (generate(i, seed=5) for i in range(50)) if s.severity == "severe")
    grey = surface.image.mean(axis=2)
    inside, outside = grey[surface.mask].mean(), grey[~surface.mask].mean()
    assert abs(inside - outside) > 5


def test_held_out_texture_scales_and_unknown_names() -> None:
    held = replace(SurfaceConfig(), texture_scale=HELD_OUT_SCALE)
    scales = [generate(i, seed=0, config=held).params["texture_scale"] for i in range(20)]
    assert min(scales) >= HELD_OUT_SCALE[0]
    with pytest.raises(ValueError, match="unknown texture"):
        texture("marble", np.random.default_rng(0), 32, 1.0)


def test_write_set(tmp_path: Path) -> None:
    labels = write_set(tmp_path, 6, seed=9)
    rows = list(csv.DictReader(labels.open()))
    assert len(rows) == 6 and (tmp_path / rows[0]["image"]).exists()
    assert (tmp_path / rows[0]["mask"]).exists()
    assert {r["severity"] for r in rows} <= {"ok", "minor", "severe"}


def test_masks_cover_the_drawn_defect_with_a_margin() -> None:
    from scipy import ndimage

    for i in range(40):
        surface = generate(i, seed=11)
        if surface.severity == "ok":
            continue
        inner = ndimage.binary_erosion(surface.mask, iterations=2)
        assert inner.any() or surface.defect in {"scratch", "crack", "pits"}
        assert surface.mask.sum() > inner.sum()  # a 2 px margin around the defect
