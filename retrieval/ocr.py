"""Optical character recognition: the text of a page image, read by the Tesseract program."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TESSERACT = "tesseract"
OCR_TIMEOUT_S = 120.0
OCR_LANGUAGE = "eng"
OCR_DPI = 300


class OcrError(RuntimeError):
    """Tesseract could not read an image (it failed, timed out or is not installed)."""


@dataclass(frozen=True)
class OcrOptions:
    """How to call Tesseract: the program, its time limit per page and the language(s)."""

    command: str = TESSERACT
    timeout_s: float = OCR_TIMEOUT_S
    language: str = OCR_LANGUAGE
    dpi: int = OCR_DPI

    def available(self) -> bool:
        return shutil.which(self.command) is not None


def ocr_image(image: Any, options: OcrOptions | None = None) -> str:
    """Text of a PIL image, its blocks separated by blank lines (Tesseract page mode 3).

    Example:
        >>> from PIL import Image, ImageDraw  # doctest: +SKIP
        >>> ocr_image(Image.new("L", (10, 10), 255))  # doctest: +SKIP
        ''
    """
    options = options or OcrOptions()
    program = shutil.which(options.command)
    if program is None:
        raise OcrError(f"{options.command} is not installed")
    with tempfile.TemporaryDirectory(prefix="plant-ocr-") as tmp:
        source = Path(tmp) / "page.png"
        image.save(source, dpi=(options.dpi, options.dpi))
        command = [program, str(source), "-", "-l", options.language, "--psm", "3"]
        command += ["--dpi", str(options.dpi)]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=options.timeout_s, check=False, env=_env()
            )
        except subprocess.TimeoutExpired as exc:
            raise OcrError(f"{options.command} took longer than {options.timeout_s:g} s") from exc
        except OSError as exc:
            raise OcrError(f"{options.command} could not be started ({exc})") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrError(f"{options.command} failed ({message[-1] if message else done.returncode})")
    return done.stdout.decode("utf-8", "replace")


def _env() -> dict[str, str]:
    # Tesseract's OpenMP threads fight over small machines: one thread reads a page about
    # three times faster on two cores than the default
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}
