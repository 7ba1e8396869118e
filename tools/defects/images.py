"""Opening user images safely: any mode or size in, a fixed-size RGB array out, or a clear error.

Guards: a file that is not an image, a truncated file, a decompression bomb (more pixels than
`MAX_PIXELS`, checked from the header before any pixel is decoded), 16-bit and palette modes,
alpha channels, EXIF rotation.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tools.common.errors import PlantError

MAX_PIXELS = 50_000_000  # a 4000 x 3000 photo is 12 MP; beyond 50 MP we refuse
MAX_BYTES = 50 * 1024 * 1024


if TYPE_CHECKING:
    from PIL import Image


class ImageError(PlantError):
    """The input cannot be read as an image; the message says why."""


def load_rgb(source: Path | bytes, size: int, *, name: str | None = None) -> np.ndarray:
    """The image as uint8 RGB of `size` x `size` (centre-cropped to a square, then resized)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    name = name or (source.name if isinstance(source, Path) else "the image")
    try:
        data = source.read_bytes() if isinstance(source, Path) else source
    except OSError as exc:
        raise ImageError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    if len(data) > MAX_BYTES:
        raise ImageError(f"{name}: {len(data) / 2**20:.0f} MB is larger than the 50 MB limit")
    try:
        with warnings.catch_warnings():  # our own pixel limit below says it better
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
        with probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ImageError(
                    f"{name}: {width} x {height} pixels is more than the {MAX_PIXELS:,} allowed "
                    "(a decompression bomb, or a scan far larger than a photo)"
                )
            probe.load()  # decode now: a truncated file fails here, not later
            image = _to_rgb(ImageOps.exif_transpose(probe))
    except ImageError:
        raise
    except UnidentifiedImageError as exc:
        raise ImageError(f"{name}: not an image PIL can read (PNG, JPEG, BMP, TIFF ...)") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{name}: the image is damaged or truncated ({exc})") from exc
    except Image.DecompressionBombError as exc:
        raise ImageError(f"{name}: too many pixels ({exc})") from exc
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    square = image.crop((left, top, left + side, top + side))
    resized = square.resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.uint8).copy()


def _to_rgb(image: Image.Image) -> Image.Image:
    from PIL import Image

    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
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
