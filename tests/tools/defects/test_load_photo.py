"""Whole photos for product inspection: any mode, no crop, big ones reduced, size kept."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tools.defects.images import ImageError, load_photo


def _encode(image: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGBA", (300, 200), (10, 200, 30, 128)),
        Image.fromarray((np.arange(120 * 90).reshape(90, 120)).astype(np.uint16)),
        Image.new("L", (50, 80), 128),
    ],
)
def test_modes_become_rgb_without_a_crop(image: Image.Image) -> None:
    array, size = load_photo(_encode(image))
    assert array.dtype == np.uint8 and array.shape == (image.height, image.width, 3)
    assert size == image.size


def test_a_big_photo_is_reduced_and_its_stored_size_reported() -> None:
    photo = Image.new("RGB", (4000, 3000), (90, 90, 90))
    array, size = load_photo(_encode(photo, "JPEG"), working_pixels=1_000_000)
    assert size == (4000, 3000)
    assert array.shape[0] * array.shape[1] <= 1_300_000
    assert abs(array.shape[1] / array.shape[0] - 4 / 3) < 0.02


def test_a_corrupt_file_is_refused_with_its_name() -> None:
    with pytest.raises(ImageError, match=r"broken\.jpg"):
        load_photo(b"\xff\xd8\xff\xe0 not really a jpeg", name="broken.jpg")
