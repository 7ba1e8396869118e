"""Opening user images safely: any mode or size in, a fixed-size RGB array out, or a clear error.

Guards: a file that is not an image, a truncated file, a decompression bomb (more pixels than
`max_pixels`, checked from the header before any pixel is decoded), colour modes inspection
cannot read, alpha channels, EXIF rotation. A large image is reduced to about
`working_pixels` right after decoding (a JPEG is even decoded at a reduced scale), before its
colours are converted: a 16-bit or float image would otherwise expand to eight bytes a pixel,
more than a gigabyte for a 40-megapixel scan.
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tools.common.errors import PlantError

# the defaults of the settings `max_photo_pixels` and `photo_working_pixels`
MAX_PIXELS = 50_000_000  # a 4000 x 3000 photo is 12 MP; beyond 50 MP we refuse
WORKING_PIXELS = 4_000_000  # inspection looks at a 320-pixel square; 2000 x 2000 is plenty
MAX_BYTES = 50 * 1024 * 1024
# every mode PIL opens a photo, scan or microscope image in, and converts to RGB
READABLE_MODES = frozenset(
    {"1", "L", "P", "RGB", "RGBA", "RGBX", "CMYK", "YCbCr", "LAB", "HSV", "LA", "PA", "I", "F",
     "I;16", "I;16B", "I;16L", "I;16N"}
)  # fmt: skip
# EXIF orientation -> the transposition that shows the image upright (as ImageOps does)
_UPRIGHT = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE",
            6: "ROTATE_270", 7: "TRANSVERSE", 8: "ROTATE_90"}  # fmt: skip


if TYPE_CHECKING:
    from PIL import Image


class ImageError(PlantError):
    """The input cannot be read as an image; the message says why."""


def check_header(name: str, width: int, height: int, mode: str, max_pixels: int) -> None:
    """Refuse, from the header alone, an image too large or in a mode inspection cannot read."""
    if width * height > max_pixels:
        raise ImageError(
            f"{name}: {width} x {height} pixels is more than the {max_pixels:,} allowed "
            "(a decompression bomb, or a scan far larger than a photo)"
        )
    if mode not in READABLE_MODES:
        raise ImageError(
            f"{name}: its colour mode '{mode}' is not one inspection reads; save it as an "
            "8- or 16-bit PNG, or as a JPEG"
        )


def load_rgb(
    source: Path | bytes, size: int, *, name: str | None = None,
    max_pixels: int = MAX_PIXELS, working_pixels: int = WORKING_PIXELS,
) -> np.ndarray:  # fmt: skip
    """The image as uint8 RGB of `size` x `size` (centre-cropped to a square, then resized)."""
    from PIL import Image

    name, data = _image_bytes(source, name)
    with _readable(name):
        probe = _open(data)
        with probe:
            check_header(name, *probe.size, probe.mode, max_pixels)
            image = _decode_reduced(probe, size, working_pixels)
            image = _to_rgb(_upright(image, probe.getexif().get(0x0112)))
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    square = image.crop((left, top, left + side, top + side))
    resized = square.resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.uint8).copy()


def _image_bytes(source: Path | bytes, name: str | None) -> tuple[str, bytes]:
    """The name to report and the file's bytes, refused past `MAX_BYTES`."""
    name = name or (source.name if isinstance(source, Path) else "the image")
    try:
        data = source.read_bytes() if isinstance(source, Path) else source
    except OSError as exc:
        raise ImageError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    if len(data) > MAX_BYTES:
        raise ImageError(f"{name}: {len(data) / 2**20:.0f} MB is larger than the 50 MB limit")
    return name, data


def _open(data: bytes) -> Image.Image:
    """PIL's lazy image (header only); our own pixel limit says more than PIL's warning."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data))


@contextlib.contextmanager
def _readable(name: str) -> Iterator[None]:
    """PIL's errors while reading `name`, as messages a user can act on."""
    from PIL import Image, UnidentifiedImageError

    try:
        yield
    except ImageError:
        raise
    except UnidentifiedImageError as exc:
        raise ImageError(f"{name}: not an image PIL can read (PNG, JPEG, BMP, TIFF ...)") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{name}: the image is damaged or truncated ({exc})") from exc
    except Image.DecompressionBombError as exc:
        raise ImageError(f"{name}: too many pixels ({exc})") from exc


def _scale(width: int, height: int, size: int, working_pixels: int) -> float:
    """How much to shrink an image: to about `working_pixels`, its short side kept at `size`
    or more (1 = not at all)."""
    if width * height <= working_pixels:
        return 1.0
    return min(1.0, max(math.sqrt(working_pixels / (width * height)), size / min(width, height)))


def _decode_reduced(probe: Image.Image, size: int, working_pixels: int) -> Image.Image:
    """The decoded image, no larger than about `working_pixels` (a long, thin image: only its
    centre square, the part inspection uses)."""
    from PIL import Image

    scale = _scale(*probe.size, size, working_pixels)
    if scale < 1 and probe.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 scale, no smaller
        probe.draft(probe.mode, (math.ceil(probe.width * scale), math.ceil(probe.height * scale)))
    probe.load()  # decode now: a truncated file fails here, not later
    width, height = probe.size
    scale = _scale(width, height, size, working_pixels)
    if width * height <= working_pixels:
        return probe
    if scale >= 1:  # too thin to shrink: keep the centre square
        side = min(width, height)
        left, top = (width - side) // 2, (height - side) // 2
        return probe.crop((left, top, left + side, top + side))
    image = probe.convert("RGBA") if probe.mode == "PA" else probe  # palette indices: no mean
    target = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(target, Image.Resampling.BOX)  # the mean of each block of pixels


def _upright(image: Image.Image, orientation: object) -> Image.Image:
    """The image as its EXIF orientation says it was taken."""
    from PIL import Image

    method = _UPRIGHT.get(orientation) if isinstance(orientation, int) else None
    return image.transpose(getattr(Image.Transpose, method)) if method else image


def _to_rgb(image: Image.Image) -> Image.Image:
    from PIL import Image

    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        values = np.asarray(image, dtype=np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) / (high - low) * 255 if high > low else values * 0
        image = Image.fromarray(scaled.astype(np.uint8), mode="L")
    elif image.mode == "F":
        values = np.asarray(image, dtype=np.float64)
        low, high = float(np.nanmin(values)), float(np.nanmax(values))
        scaled = (values - low) / (high - low) * 255 if high > low else values * 0
        image = Image.fromarray(np.nan_to_num(scaled).astype(np.uint8), mode="L")
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    return image.convert("RGB")


def load_photo(
    source: Path | bytes, *, name: str | None = None, min_side: int = 224,
    max_pixels: int = MAX_PIXELS, working_pixels: int = WORKING_PIXELS,
) -> tuple[np.ndarray, tuple[int, int]]:  # fmt: skip
    """The whole photo, upright, as uint8 RGB (no crop; a large one reduced to about
    `working_pixels`, its short side kept at `min_side` or more), and its size as stored
    (width, height)."""
    from PIL import Image

    name, data = _image_bytes(source, name)
    with _readable(name):
        probe = _open(data)
        with probe:
            size = probe.size
            check_header(name, *size, probe.mode, max_pixels)
            scale = _scale(*size, min_side, working_pixels)
            if scale < 1 and probe.format == "JPEG":
                probe.draft(probe.mode, (math.ceil(size[0] * scale), math.ceil(size[1] * scale)))
            probe.load()
            image: Image.Image = probe
            if scale < 1:
                target = (max(1, round(size[0] * scale)), max(1, round(size[1] * scale)))
                image = probe.convert("RGBA") if probe.mode == "PA" else probe
                image = image.resize(target, Image.Resampling.BOX)
            orientation = probe.getexif().get(0x0112)
            image = _to_rgb(_upright(image, orientation))
    if orientation in (5, 6, 7, 8):  # a quarter turn: the upright photo is transposed
        size = (size[1], size[0])
    return np.asarray(image, dtype=np.uint8).copy(), size
