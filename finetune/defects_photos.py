"""Folders of product photos (and defect masks) read for training and evaluation, scored in
batches with progress, and the validation metrics of a product model on them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tools.common.errors import PlantError
from tools.defects.images import ImageError, load_photo
from tools.defects.metrics import grade_summary, image_roc_auc, pixel_roc_auc, pro_score
from tools.defects.product import ProductModel, Scores, Thresholds, resize_map

log = logging.getLogger(__name__)

PHOTO_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})


class PhotoFolderError(PlantError):
    """A photo or mask folder cannot be used; the message says which and why."""


@dataclass
class PhotoSet:
    images: list[np.ndarray]
    names: list[str]
    masks: list[np.ndarray] | None = None  # bool, each the shape of its photo
    skipped: list[str] = field(default_factory=list)  # "name: why"

    def subset(self, rows: np.ndarray) -> PhotoSet:
        return PhotoSet(
            images=[self.images[i] for i in rows], names=[self.names[i] for i in rows],
            masks=None if self.masks is None else [self.masks[i] for i in rows],
        )  # fmt: skip


def photo_files(folder: Path, role: str) -> list[Path]:
    if not folder.is_dir():
        raise PhotoFolderError(f"The {role} photo folder {folder} does not exist")
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def read_folder(
    folder: Path, role: str, *, masks: str | None = None, max_photos: int = 0
) -> PhotoSet:
    """Every readable photo of `folder`; unreadable or non-photo files are reported (logged
    and listed in `skipped`) and left out. With `masks`, each photo's mask (same stem)."""
    images: list[np.ndarray] = []
    names: list[str] = []
    skipped: list[str] = []
    for path in photo_files(folder, role):
        if max_photos and len(images) >= max_photos:
            break
        if path.suffix.lower() not in PHOTO_SUFFIXES:
            skipped.append(f"{path.name}: not a photo file ({path.suffix or 'no extension'})")
            continue
        try:
            image, _ = load_photo(path)
        except ImageError as exc:
            skipped.append(str(exc))
            continue
        images.append(image)
        names.append(path.name)
    for reason in skipped:
        log.warning("skipped %s", reason)
    photos = PhotoSet(images=images, names=names, skipped=skipped)
    if masks is not None:
        photos.masks = [
            read_mask(Path(masks), n, i.shape[:2]) for n, i in zip(names, images, strict=True)
        ]
    return photos


def read_mask(folder: Path, photo: str, shape: tuple[int, ...]) -> np.ndarray:
    """The defect mask of `photo` (grey, defect >= 128) at the photo's size."""
    from PIL import Image

    stem = Path(photo).stem
    found = sorted(p for p in folder.glob(f"{stem}.*") if p.suffix.lower() in PHOTO_SUFFIXES)
    if not found:
        raise PhotoFolderError(f"No mask for {photo} in {folder} (expected {stem}.png)")
    with Image.open(found[0]) as mask:
        grey = mask.convert("L")
        if grey.size != (shape[1], shape[0]):
            grey = grey.resize((shape[1], shape[0]), Image.Resampling.NEAREST)
        return np.asarray(grey) >= 128


def empty_masks(photos: PhotoSet) -> list[np.ndarray]:
    return [np.zeros(i.shape[:2], dtype=bool) for i in photos.images]


def embed(
    model: ProductModel, images: list[np.ndarray], batch_size: int, progress: bool,
    told: Callable[[int], None] | None = None,
) -> np.ndarray:  # fmt: skip
    """Patch features of all `images`, batch by batch, with a progress bar and time left;
    `told`, when given, gets the number of photos done after each batch."""
    from tqdm import tqdm

    parts = []
    starts = range(0, len(images), batch_size)
    for start in tqdm(starts, desc="features", unit="batch", disable=not progress):
        parts.append(model.features(images[start : start + batch_size]))
        if told is not None:
            told(min(start + batch_size, len(images)))
    return np.concatenate(parts)


def score_set(
    model: ProductModel, photos: PhotoSet, batch_size: int, progress: bool,
    told: Callable[[int], None] | None = None,
) -> Scores:  # fmt: skip
    """Anomaly maps (working size), image scores and signature distances of a photo set;
    `told`, when given, gets the number of photos scored after each batch."""
    from tqdm import tqdm

    parts = []
    count = len(photos.images)
    for start in tqdm(range(0, count, batch_size), desc="scoring", unit="batch",
                      disable=not progress):  # fmt: skip
        parts.append(model.score(photos.images[start : start + batch_size]))
        if told is not None:
            told(min(start + batch_size, count))
    return Scores(
        maps=np.concatenate([p.maps for p in parts]),
        image=np.concatenate([p.image for p in parts]),
        distance=np.concatenate([p.distance for p in parts]),
        globals=np.concatenate([p.globals for p in parts]),
        medians=np.concatenate([p.medians for p in parts]),
    )


def validation_metrics(
    thresholds: Thresholds, good: PhotoSet, good_scores: Scores,
    defects: PhotoSet, defect_scores: Scores,
) -> dict[str, Any]:  # fmt: skip
    """Image ROC-AUC, accuracy and recall at the thresholds and, when the defect photos have
    masks, pixel ROC-AUC and PRO (anomaly maps brought to each photo's resolution)."""
    metrics: dict[str, Any] = {
        "good": len(good.images),
        "defect": len(defects.images),
        "image_roc_auc": image_roc_auc(good_scores.image, defect_scores.image)
        if len(good.images) and len(defects.images)
        else None,
        **grade_summary(good_scores.image, defect_scores.image, thresholds),
    }
    if defects.masks is not None and any(m.any() for m in defects.masks):
        maps = [
            resize_map(m, *i.shape[:2])
            for scores, photos in ((good_scores, good), (defect_scores, defects))
            for m, i in zip(scores.maps, photos.images, strict=True)
        ]
        masks = (good.masks or empty_masks(good)) + defects.masks
        metrics["pixel_roc_auc"] = pixel_roc_auc(maps, masks)
        metrics["pro"] = pro_score(maps, masks)
    return metrics


def evaluate_product(
    model: ProductModel, ok_dir: Path, defects_dir: Path, masks_dir: Path | None = None,
    *, batch_size: int = 16, progress: bool = True,
) -> dict[str, Any]:  # fmt: skip
    """The product model's metrics on a folder of good photos and one of defect photos."""
    good = read_folder(ok_dir, "good")
    defects = read_folder(
        defects_dir, "defect", masks=None if masks_dir is None else str(masks_dir)
    )
    if not good.images or not defects.images:
        raise PhotoFolderError(
            f"Evaluation needs readable good photos ({ok_dir}: {len(good.images)}) and defect "
            f"photos ({defects_dir}: {len(defects.images)})"
        )
    good_scores = score_set(model, good, batch_size, progress)
    defect_scores = score_set(model, defects, batch_size, progress)
    metrics = validation_metrics(model.thresholds, good, good_scores, defects, defect_scores)
    metrics["product"] = model.name
    metrics["threshold"] = model.thresholds.minor
    metrics["severe_threshold"] = model.thresholds.severe
    metrics["skipped"] = good.skipped + defects.skipped
    metrics["refused_as_other_product"] = int(
        (np.r_[good_scores.distance, defect_scores.distance] > 1.0).sum()
    )
    return metrics
