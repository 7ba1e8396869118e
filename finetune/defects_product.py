"""Learn a product from photos of its good parts: a PatchCore memory bank, its thresholds and
its signature, written atomically to `output_dir/PRODUCT.npz`.

Shaped like the transformers example scripts: one dataclass of arguments from flags or one
JSON file, a seed, data loading, "training" (feature extraction and coreset selection),
validation and saving. A share of the good photos (`holdout_share`) is kept out of the
memory bank to see what good photos the model has never seen score; the thresholds come
from them, and from defect photos when there are some; defect photos with masks also teach
the product a defect head (`finetune.defects_head`).

Example:
    python -m finetune.defects_product --product casting --ok_dir photos/ok \
        --output_dir .plant/models/products
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from finetune.defects_head import HeadConfig, NoHead, coverage, learn
from finetune.defects_photos import (
    PhotoSet,
    embed,
    read_folder,
    score_set,
    validation_metrics,
)
from tools.common.errors import PlantError
from tools.defects.metrics import choose_thresholds
from tools.defects.patchcore import (
    AUGMENTS,
    PatchCoreConfig,
    augmented,
    global_features,
    greedy_coreset,
)
from tools.defects.product import ProductModel, Scores, Signature, Thresholds
from tools.defects.product_store import check_name, save_product, training_lock

log = logging.getLogger(__name__)
HEAD_GOOD_PHOTOS = 20  # bank photos whose patches the defect head learns as good ones


class TooFewPhotos(PlantError):
    """Not enough good photos to learn a product from."""


@dataclass
class ProductTrainingArguments:
    product: str = field(metadata={"help": "Product name: lower-case letters, digits, - or _."})
    ok_dir: str = field(metadata={"help": "Folder of photos of good parts."})
    output_dir: str = field(metadata={"help": "Products folder; the model is PRODUCT.npz."})
    defects_dir: str | None = field(
        default=None, metadata={"help": "Folder of defect photos: used to set the thresholds."}
    )
    masks_dir: str | None = field(
        default=None, metadata={"help": "Defect masks (same stem as the photo): pixel metrics, "
                                "and the defect head learnt from them."}
    )  # fmt: skip
    defect_head: bool = field(
        default=True, metadata={"help": "With masks: learn a patch classifier from the masked "
                                "defect photos and add it to the anomaly map "
                                "(finetune/defects_head.py)."}
    )  # fmt: skip
    head_c: float = field(default=0.1, metadata={"help": "The defect head's inverse L2 penalty."})
    head_weight: float = field(default=1.0, metadata={"help": "The head's share of the map."})
    head_context: float = field(
        default=0.7,
        metadata={"help": "The head's context window as a share of the patch grid (0: none)."},
    )
    head_view: float = field(
        default=0.5,
        metadata={"help": "With masks: the size of a second, coarser view of each photo whose "
                  "patch features the defect head reads too, as a share of the working size "
                  "(0.5: 160 px; 0: none)."},
    )  # fmt: skip
    head_photo_weight: float = field(
        default=0.5,
        metadata={"help": "The weight of a photo's median patch score, added to each of its "
                  "patches in the head's map (0: none)."},
    )  # fmt: skip
    working_size: int = field(default=320, metadata={"help": "Photos are resized to this square."})
    coreset_ratio: float = field(default=0.02, metadata={"help": "Share of patches kept."})
    smoothing_sigma: float = field(default=4.0)
    flips: bool = field(
        default=True, metadata={"help": "Offer the good photos' mirror images to the memory "
                                "bank too (parts that lie either way up); false when a "
                                "mirrored part is itself a defect."}
    )  # fmt: skip
    holdout_share: float = field(
        default=0.2, metadata={"help": "Good photos kept out of the bank to set thresholds."}
    )
    min_ok_photos: int = field(default=10)
    good_fence: float = field(
        default=1.5, metadata={"help": "Without defects: ok/minor limit at the median + this "
                               "x IQR of the held-out good photos' scores (a robust fence); "
                               "0: at their good_quantile instead."}
    )  # fmt: skip
    good_quantile: float = field(
        default=0.99, metadata={"help": "Without defects and good_fence 0: ok/minor limit at "
                                "this quantile of the held-out good photos' scores."}
    )  # fmt: skip
    severe_factor: float = field(default=2.0)
    signature_margin: float = field(
        default=2.5, metadata={"help": "A photo farther from the good photos (mean patch "
                               "feature, or median patch distance) than this times the "
                               "farthest held-out good photo is refused as another product."}
    )  # fmt: skip
    batch_size: int = field(default=16)
    max_photos: int = field(default=0, metadata={"help": "Use at most this many (0: all)."})
    lock_timeout_s: float = field(default=0.0)
    seed: int = field(default=0)
    progress: bool = field(default=True)


def split_holdout(count: int, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the photos for the memory bank and of the held-out ones (at least 2)."""
    order = np.random.default_rng(seed).permutation(count)
    held = min(count - 1, max(2, round(count * share)))
    return np.sort(order[held:]), np.sort(order[:held])


Progress = Callable[[str, int, int], None]  # (stage, done, total): a caller's progress display
T = TypeVar("T")


def staged(
    progress: Progress | None, stage: str, total: int, run: Callable[[Callable[[int], None]], T]
) -> T:
    """`run(told)`, its stage told to `progress` at the start, after each batch (`run` calls
    `told` with the photos done so far) and at the end; its tqdm bar counts on."""

    last = -1  # what was told last: the end is told once, whether `run` told it or not

    def told(done: int) -> None:
        nonlocal last
        if progress is not None and done != last:
            progress(stage, done, total)
        last = done

    told(0)
    result = run(told)
    told(total)
    return result


def build_model(
    args: ProductTrainingArguments, good: PhotoSet, progress: Progress | None = None
) -> tuple[ProductModel, np.ndarray]:
    """The product's memory bank and signature references from the bank photos; returns the
    model (thresholds and signature limit still to set) and the held-out photos' indices."""
    config = PatchCoreConfig(
        working_size=args.working_size, coreset_ratio=args.coreset_ratio,
        smoothing_sigma=args.smoothing_sigma, seed=args.seed,
        augment=AUGMENTS if args.flips else (),
    )  # fmt: skip
    model = ProductModel(
        name=args.product, config=config, bank=np.zeros((0, 0), dtype=np.float32),
        thresholds=Thresholds(0.0, 0.0), signature=Signature.unset(),
    )  # fmt: skip
    from tqdm import tqdm

    bank_rows, held_rows = split_holdout(len(good.images), args.holdout_share, args.seed)
    bank_photos = [good.images[i] for i in bank_rows]
    photos = bank_photos + augmented(bank_photos, config.augment)  # flipped copies last
    features = staged(progress, "features", len(photos), lambda told: embed(
        model, photos, args.batch_size, args.progress, told))  # fmt: skip
    flat = features.reshape(-1, features.shape[-1])
    started = time.perf_counter()
    own = len(bank_rows) * features.shape[1] * features.shape[2]  # the unflipped patches
    keep = max(1, min(own, round(own * config.coreset_ratio)))
    done = 0  # the bar counts nothing when it is off
    with tqdm(total=keep, desc="memory bank", unit="patch", disable=not args.progress) as bar:

        def picked_more(count: int) -> None:
            nonlocal done
            done += count
            bar.update(count)
            if progress is not None:
                progress("memory bank", done, keep)

        picked = greedy_coreset(
            flat, config.coreset_ratio, config.coreset_dims, config.seed, progress=picked_more,
            keep=keep,
        )  # fmt: skip
    log.info("coreset: %d of %d patches in %.1f s", len(picked), len(flat),
             time.perf_counter() - started)  # fmt: skip
    model.bank = np.ascontiguousarray(flat[picked], dtype=np.float32)
    references = global_features(features[: len(bank_rows)])
    model.signature = Signature(references, typical=1.0, limit=float("inf"))
    return model, held_rows


def train(args: ProductTrainingArguments, progress: Progress | None = None) -> dict[str, Any]:
    """Learn the product; `progress`, when given, is told each stage's (stage, done, total)."""
    check_name(args.product)
    started = time.perf_counter()
    output = Path(args.output_dir)
    with training_lock(output, args.product, args.lock_timeout_s):
        good = read_folder(Path(args.ok_dir), "good", max_photos=args.max_photos)
        if len(good.images) < args.min_ok_photos:
            raise TooFewPhotos(
                f"{args.ok_dir}: {len(good.images)} readable good photos; a product needs at "
                f"least {args.min_ok_photos} to learn what a good part looks like"
                + (f" ({len(good.skipped)} skipped as unreadable)" if good.skipped else "")
            )
        model, held_rows = build_model(args, good, progress)
        held = good.subset(held_rows)
        defects = None
        if args.defects_dir:
            defects = read_folder(Path(args.defects_dir), "defect", masks=args.masks_dir)
        learnt: dict[str, Any] = {}
        defect_scores: Scores | None
        if defects is not None and defects.masks is not None and args.defect_head:
            held_scores, defect_scores, learnt = scores_with_head(
                model, args, good, held_rows, defects, progress
            )
        else:
            held_scores, defect_scores = plain_scores(model, args, held, defects, progress)
        model.signature = Signature.fit(
            model.signature.references, held_scores.globals, held_scores.medians,
            args.signature_margin,
        )  # fmt: skip
        held_scores.distance = model.signature.distances(held_scores.globals, held_scores.medians)
        choice = choose_thresholds(
            held_scores.image, None if defect_scores is None else defect_scores.image,
            quantile=args.good_quantile, severe_factor=args.severe_factor,
            fence=args.good_fence,
        )  # fmt: skip
        model.thresholds = choice.thresholds
        metrics: dict[str, Any] = {
            "ok_photos": len(good.images), "bank_photos": len(good.images) - len(held_rows),
            "held_out_photos": len(held_rows), "bank_patches": len(model.bank),
            "threshold_method": choice.method, "skipped": good.skipped,
            "held_out_good_scores": [round(float(s), 4) for s in held_scores.image],
            **learnt,
        }  # fmt: skip
        if defects is not None and defect_scores is not None:
            metrics["skipped"] = good.skipped + defects.skipped
            metrics["validation"] = validation_metrics(
                model.thresholds, held, held_scores, defects, defect_scores
            )
        metrics["train_seconds"] = round(time.perf_counter() - started, 1)
        metrics["args"] = asdict(args)
        model.metrics = metrics
        model.version = time.strftime("%Y%m%dT%H%M%S")
        metrics["path"] = str(save_product(model, output))
    return metrics


def plain_scores(
    model: ProductModel, args: ProductTrainingArguments, held: PhotoSet,
    defects: PhotoSet | None, progress: Progress | None,
) -> tuple[Scores, Scores | None]:  # fmt: skip
    """The held-out good photos' and the defect photos' scores by the memory bank alone."""
    scoring = partial(score_set, model, batch_size=args.batch_size, progress=args.progress)
    held_scores = staged(
        progress, "scoring", len(held.images), lambda told: scoring(held, told=told)
    )
    if defects is None:
        return held_scores, None
    return held_scores, staged(
        progress, "scoring", len(defects.images), lambda told: scoring(defects, told=told)
    )


def scores_with_head(
    model: ProductModel, args: ProductTrainingArguments, good: PhotoSet, held_rows: np.ndarray,
    defects: PhotoSet, progress: Progress | None,
) -> tuple[Scores, Scores, dict[str, Any]]:  # fmt: skip
    """Learn the defect head from the masked defect photos (`finetune.defects_head`) and set
    it on `model`; the held-out good photos' scores with it and the defect photos' scores
    out of fold. Masks that cannot teach a head leave the model as it was, and say why."""

    def features(images: list[np.ndarray], stage: str) -> np.ndarray:
        return staged(progress, stage, len(images), lambda told: embed(
            model, images, args.batch_size, args.progress, told))  # fmt: skip

    config = HeadConfig(
        c=args.head_c, weight=args.head_weight, context_share=args.head_context,
        photo_weight=args.head_photo_weight, seed=args.seed,
    )  # fmt: skip
    # the bank is built; from here the photos are read in the head's coarser view too
    view = max(32, round(args.head_view * model.config.working_size)) if args.head_view else 0
    model.config = dataclasses.replace(model.config, head_view=view)
    held_features = features([good.images[i] for i in held_rows], "scoring")
    defect_features = features(defects.images, "scoring")
    bank_rows = np.setdiff1d(np.arange(len(good.images)), held_rows)
    picks = bank_rows[np.unique(np.linspace(0, len(bank_rows) - 1, HEAD_GOOD_PHOTOS).astype(int))]
    good_features = features([good.images[i] for i in picks], "defect head")
    covered = coverage(defects.masks or [], model.config.grid)
    held_distances = model.patch_distances(held_features)  # the head leaves the bank's alone
    try:
        head, defect_scores = learn(
            model, defect_features, covered, good_features, held_features, held_distances, config
        )
    except NoHead as exc:
        log.warning("no defect head: %s", exc)
        scored = (
            model.score_features(held_features, held_distances),
            model.score_features(defect_features),
        )
        model.config = dataclasses.replace(model.config, head_view=0)  # no head, no view
        return *scored, {"defect_head": f"not learnt: {exc}"}
    model.head = head
    positives = int((covered >= config.positive_share).sum())
    info = {"photos": len(defects.images), "defect_patches": positives, "c": config.c,
            "weight": config.weight, "context": head.context, "folds": config.folds,
            "view": view, "photo_weight": config.photo_weight}  # fmt: skip
    return model.score_features(held_features, held_distances), defect_scores, {"defect_head": info}


def main(argv: list[str] | None = None, progress: Progress | None = None) -> dict[str, Any]:
    from finetune.arguments import parse_arguments

    return train(parse_arguments(ProductTrainingArguments, argv), progress)


if __name__ == "__main__":  # pragma: no cover
    main()
