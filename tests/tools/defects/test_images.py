"""Opening user images: every mode and size handled, bad files refused with a reason."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tools.defects.images import MAX_PIXELS, ImageError, check_header, load_rgb


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGBA", (300, 200), (10, 200, 30, 128)),
        Image.fromarray((np.arange(64 * 64).reshape(64, 64) * 16).astype(np.uint16)),
        Image.new("L", (50, 80), 128),
        Image.new("P", (40, 40)),
        Image.new("RGB", (4000, 3000), (90, 90, 90)),
        Image.new("1", (33, 33)),
    ],
    ids=["rgba", "16-bit grey", "grey", "palette", "4000x3000 photo", "bilevel"],
)
def test_any_mode_and_size_becomes_a_square_rgb(image: Image.Image) -> None:
    array = load_rgb(_png(image), 96)
    assert array.shape == (96, 96, 3) and array.dtype == np.uint8


def test_the_16_bit_range_is_kept() -> None:
    ramp = Image.fromarray((np.arange(64 * 64).reshape(64, 64) * 15).astype(np.uint16))
    assert ramp.mode.startswith("I;16")
    array = load_rgb(_png(ramp), 64)
    assert array.min() < 10 and array.max() > 245  # scaled to 8 bits, not clipped


def test_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("this is not a picture")
    with pytest.raises(ImageError, match=r"notes\.png: not an image"):
        load_rgb(path, 64)


def test_truncated_image() -> None:
    data = _png(
        Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), dtype=np.uint8))
    )
    with pytest.raises(ImageError, match="damaged or truncated"):
        load_rgb(data[: len(data) // 2], 64)


def test_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = _png(Image.new("1", (10_000, 10_000)))  # 100 MP, a few kB on disk
    with pytest.raises(ImageError, match="pixels is more than"):
        load_rgb(bomb, 64)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="cannot be read"):
        load_rgb(tmp_path / "gone.jpg", 64)


def test_a_mode_inspection_cannot_read_is_refused_by_name() -> None:
    with pytest.raises(ImageError, match=r"scan\.tif: its colour mode 'La' is not one inspection"):
        check_header("scan.tif", 10, 10, "La", MAX_PIXELS)
    check_header("scan.tif", 10, 10, "I;16B", MAX_PIXELS)  # 16-bit big-endian: read


def _halves(width: int, height: int, orientation: int) -> bytes:
    """A JPEG, dark on the left, bright on the right, with an EXIF orientation."""
    pixels = np.zeros((height, width, 3), dtype=np.uint8)
    pixels[:, width // 2 :] = 250
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.mark.parametrize("size", [(600, 400), (4_000, 3_000)], ids=["small", "reduced first"])
def test_large_photos_are_reduced_before_conversion_and_stay_upright(size: tuple[int, int]) -> None:
    # orientation 6: the camera was turned; shown upright, the dark half is on top
    array = load_rgb(_halves(*size, orientation=6), 64, working_pixels=1_000_000)
    assert array.shape == (64, 64, 3)
    assert array[:16].mean() < 40 and array[-16:].mean() > 210
