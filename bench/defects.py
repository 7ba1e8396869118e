"""Defect inspection latency: one part photo at a time, as the chat and `plant inspect` do.

Usage:
    python -m bench.defects [--images 50] [--no-write]

Target (issue 7): inference <= 100 ms per image on 2 CPU cores. Timed per image: the model's
verdict (image decoding, resizing, forward pass) and, separately, the heatmap; a
4000 x 3000 JPEG is timed too, since shop-floor photos are that size. Results go into the
`bench.defects` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import time

import numpy as np
from PIL import Image

from assistant.settings import get_settings
from bench.machine import describe_machine
from bench.report import write_section
from finetune.data.surfaces import generate
from tools.defects.images import load_rgb
from tools.defects.model import DefectModel


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def _photo(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).resize((4000, 3000)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def measure(n: int) -> dict[str, float]:
    started = time.perf_counter()
    settings = get_settings()
    model = DefectModel.load(settings.defect_model_dir, device=settings.device)
    load_s = time.perf_counter() - started
    files = [_png(generate(i, seed=999).image) for i in range(n)]
    photo = _photo(generate(0, seed=998).image)
    model.probabilities(load_rgb(files[0], model.image_size)[None])  # warm-up
    verdict, heat, big = [], [], []
    for data in files:
        t0 = time.perf_counter()
        image = load_rgb(data, model.image_size)
        model.probabilities(image[None])
        t1 = time.perf_counter()
        model.heatmaps(image[None])
        t2 = time.perf_counter()
        verdict.append((t1 - t0) * 1000)
        heat.append((t2 - t1) * 1000)
    for _ in range(5):
        t0 = time.perf_counter()
        model.probabilities(load_rgb(photo, model.image_size)[None])
        big.append((time.perf_counter() - t0) * 1000)
    return {
        "load_s": load_s,
        "n": n,
        "views": model.views,
        "verdict_p50": float(np.percentile(verdict, 50)),
        "verdict_p95": float(np.percentile(verdict, 95)),
        "heatmap_p50": float(np.percentile(heat, 50)),
        "photo_p50": float(np.percentile(big, 50)),
    }


def to_markdown(r: dict[str, float]) -> str:
    return "\n".join(
        [
            f"_Measured {time.strftime('%Y-%m-%d')} on: {describe_machine()}._",
            "",
            "| images | model load (s) | verdict p50 / p95 (ms) | + heatmap p50 (ms) "
            "| 4000 x 3000 JPEG, verdict p50 (ms) |",
            "|---|---|---|---|---|",
            f"| {r['n']:.0f} | {r['load_s']:.1f} | {r['verdict_p50']:.1f} / {r['verdict_p95']:.1f} "
            f"| {r['heatmap_p50']:.1f} | {r['photo_p50']:.1f} |",
            "",
            "One image at a time, after one warm-up: PNG decoding, resizing to the model's input "
            f"and the forward pass over {r['views']:.0f} copies (the image and its mirrored or "
            "turned copies, one batch, averaged); the heatmap (the segmentation head, another "
            "forward pass) is timed on its own. Large JPEGs cost mostly decoding and resizing.",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=50)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    markdown = to_markdown(measure(args.images))
    print(markdown)
    if not args.no_write:
        write_section("defects", "Defect inspection latency", markdown)


if __name__ == "__main__":
    main()
