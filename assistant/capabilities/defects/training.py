"""Learning a product from photos of its good parts: the options from the settings, a zip of
photos screened and unpacked, and the training's progress while it runs (told by the
training script's progress callback).

A zip is refused whole when an entry's path leads outside its folder (absolute, `..`, a
drive, a link), when it has too many entries or unpacks too large, or when it holds fewer
photos than a product needs; a single file that is too large, packed suspiciously tight or
damaged is reported and skipped (unreadable photos are skipped by the training, which says
so too).
"""

from __future__ import annotations

import shutil
import stat
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from assistant.settings import setting_default
from tools.common.errors import PlantError
from tools.defects.product_store import ProductBusy, check_name

if TYPE_CHECKING:
    from assistant.settings import Settings

PHOTO_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})
STAGES = {
    "features": "photos embedded",
    "memory bank": "memory bank",
    "scoring": "thresholds",
    "defect head": "defect head",
}
Told = Callable[[str, int, int], None]  # a training's progress callback: stage, done, total
_chat_training = threading.Lock()  # one product learnt at a time in this process: it takes the CPU


class ZipRefused(PlantError):
    """A zip of photos cannot be used; the message says why."""


@dataclass(frozen=True)
class ZipLimits:
    """What a zip of good-part photos may hold (the settings' defaults unless given;
    `from_settings` for the settings in force)."""

    max_entries: int = setting_default("product_zip_max_entries")
    max_unpacked_bytes: int = int(setting_default("product_zip_max_unpacked_mb") * 1024**2)
    max_photo_bytes: int = int(setting_default("max_photo_mb") * 1024**2)
    max_ratio: float = setting_default("product_zip_max_ratio")  # over 1 MB and tighter: skipped
    min_photos: int = setting_default("product_min_ok_photos")

    @classmethod
    def from_settings(cls, settings: Settings) -> ZipLimits:
        return cls(
            max_entries=settings.product_zip_max_entries,
            max_unpacked_bytes=int(settings.product_zip_max_unpacked_mb * 1024**2),
            max_photo_bytes=int(settings.max_photo_mb * 1024**2),
            max_ratio=settings.product_zip_max_ratio,
            min_photos=settings.product_min_ok_photos,
        )


@dataclass
class Unpacked:
    folder: Path
    photos: int
    skipped: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # unpacked file -> name in the zip

    def told(self, reasons: list[str]) -> list[str]:
        """The training's reasons for skipping files, with the names the zip gave them."""
        out = []
        for reason in reasons:
            file, _, why = reason.partition(":")
            out.append(f"{self.names[file]}:{why}" if file in self.names else reason)
        return out


def _unsafe(info: zipfile.ZipInfo) -> bool:
    """An entry that would land outside the folder it is unpacked into (absolute, with a
    drive, or with `..`), or a link."""
    path = PurePosixPath(info.filename.replace("\\", "/"))
    drive = bool(path.parts) and ":" in path.parts[0]
    link = stat.S_ISLNK(info.external_attr >> 16)
    return link or drive or path.is_absolute() or ".." in path.parts


def _photo_entries(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> tuple[list[Any], list[str]]:
    """The entries to unpack, and one reason per file left out."""
    photos, skipped = [], []
    for info in infos:
        parts = PurePosixPath(info.filename).parts
        if info.is_dir() or any(p.startswith(".") or p == "__MACOSX" for p in parts):
            continue
        name = info.filename
        if PurePosixPath(name).suffix.lower() not in PHOTO_SUFFIXES:
            skipped.append(f"{name}: not a photo file")
        elif info.file_size > limits.max_photo_bytes:
            most = limits.max_photo_bytes / 1024**2
            skipped.append(f"{name}: {info.file_size / 1024**2:.0f} MB, over the {most:.0f} MB "
                           "a photo may have")  # fmt: skip
        elif info.file_size > 2**20 and info.file_size > limits.max_ratio * info.compress_size:
            skipped.append(f"{name}: packed {info.file_size / info.compress_size:.0f} times "
                           "tighter than a photo can be")  # fmt: skip
        else:
            photos.append(info)
    return photos, skipped


def unpack_photos(archive: Path, folder: Path, limits: ZipLimits, label: str = "") -> Unpacked:
    """Screen the zip and unpack its photos flat into `folder` (numbered, so that files of
    the same name in two subfolders both count)."""
    label = label or archive.name
    try:
        opened = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ZipRefused(f"{label}: not a readable zip file ({exc})") from exc
    with opened:
        infos = opened.infolist()
        if len(infos) > limits.max_entries:
            raise ZipRefused(f"{label}: {len(infos):,} entries; at most {limits.max_entries:,}")
        if bad := next((i.filename for i in infos if _unsafe(i)), None):
            raise ZipRefused(f"{label}: refused, '{bad}' points outside the zip's folder")
        if (total := sum(i.file_size for i in infos)) > limits.max_unpacked_bytes:
            raise ZipRefused(f"{label}: it unpacks to {total / 1024**2:,.1f} MB; at most "
                             f"{limits.max_unpacked_bytes / 1024**2:,.1f} MB")  # fmt: skip
        photos, skipped = _photo_entries(infos, limits)
        if len(photos) < limits.min_photos:
            raise ZipRefused(
                f"{label}: {len(photos)} photos; a product is learnt from at least "
                f"{limits.min_photos} photos of good parts (PNG, JPEG, BMP, TIFF, WebP)"
            )
        folder.mkdir(parents=True, exist_ok=True)
        unpacked = Unpacked(folder, 0, skipped)
        for number, info in enumerate(photos):
            target = folder / f"{number:05d}{PurePosixPath(info.filename).suffix.lower()}"
            try:
                with opened.open(info) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                target.unlink(missing_ok=True)
                skipped.append(f"{info.filename}: damaged in the zip ({exc})")
                continue
            unpacked.photos += 1
            unpacked.names[target.name] = info.filename
    return unpacked


@dataclass(frozen=True)
class ProductTraining:
    """How products are learnt here (from the settings): `train` runs the training script
    with these options under the product's lock; the model is written atomically."""

    products_dir: Path
    working_size: int = 320
    coreset_ratio: float = 0.02
    min_ok_photos: int = 10
    signature_margin: float = 2.5
    lock_timeout_s: float = 0.0
    zip_limits: ZipLimits = field(default_factory=ZipLimits)

    def argv(self, product: str, ok: Path, defects: Path | None = None,
             masks: Path | None = None) -> list[str]:  # fmt: skip
        args = ["--product", product, "--ok_dir", str(ok),
                "--output_dir", str(self.products_dir),
                "--working_size", str(self.working_size),
                "--coreset_ratio", str(self.coreset_ratio),
                "--min_ok_photos", str(self.min_ok_photos),
                "--signature_margin", str(self.signature_margin),
                "--lock_timeout_s", str(self.lock_timeout_s)]  # fmt: skip
        if defects is not None:
            args += ["--defects_dir", str(defects)]
        if masks is not None:
            args += ["--masks_dir", str(masks)]
        return args

    def train(self, product: str, ok: Path, defects: Path | None = None,
              masks: Path | None = None, *, progress: Told | None = None,
              ) -> dict[str, Any]:  # fmt: skip
        """Learn `product`; `progress` is told (stage, done, total) as it goes."""
        from finetune.defects_product import main

        return main(self.argv(product, ok, defects, masks), progress=progress)

    def train_zip(self, product: str, archive: Path, work_dir: Path, label: str = "", *,
                  progress: Told | None = None) -> dict[str, Any]:  # fmt: skip
        """Learn `product` from the good photos in a zip (unpacked into `work_dir`, removed
        after); one product at a time in this process. `skipped` lists every file left out."""
        from tools.defects.product_store import list_products

        check_name(product)
        if not _chat_training.acquire(blocking=False):
            raise ProductBusy("Another product is being learnt right now; try again when it is "
                              "done (its progress is shown where it was started).")  # fmt: skip
        try:
            replaced = product in list_products(self.products_dir)
            limits = replace(self.zip_limits, min_photos=self.min_ok_photos)
            unpacked = unpack_photos(archive, work_dir, limits, label)
            metrics = self.train(product, unpacked.folder, progress=progress)
            metrics["skipped"] = unpacked.skipped + unpacked.told(metrics["skipped"])
            metrics["replaced"] = replaced
            return metrics
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
            _chat_training.release()


def product_training(settings: Settings) -> ProductTraining:
    """How products are learnt here, from the settings (the CLI and the chat)."""
    return ProductTraining(
        settings.products_dir,
        working_size=settings.product_working_size,
        coreset_ratio=settings.product_coreset_ratio,
        min_ok_photos=settings.product_min_ok_photos,
        signature_margin=settings.product_signature_margin,
        lock_timeout_s=settings.product_train_lock_timeout_s,
        zip_limits=ZipLimits.from_settings(settings),
    )


@dataclass
class TrainingProgress:
    """What a running training is doing: its progress callback (stage, done, total), called
    from the worker that trains, and `now()`, read by the chat while it waits, with a time
    estimate for the stage from its pace so far. `clock` is for tests."""

    clock: Callable[[], float] = time.monotonic
    _latest: tuple[str, int, int] | None = None
    _stage_started: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, stage: str, done: int, total: int) -> None:
        with self._lock:
            if self._latest is None or self._latest[0] != stage or done == 0:
                self._stage_started = self.clock()
            self._latest = (stage, done, total)

    def now(self) -> str | None:
        """E.g. "memory bank: 40%, about 12 s left in this stage" (None before it starts)."""
        with self._lock:
            if self._latest is None:
                return None
            stage, done, total = self._latest
            elapsed = self.clock() - self._stage_started
        line = f"{STAGES.get(stage, stage)}: " + (f"{done / total:.0%}" if total else f"{done}")
        if 0 < done < total and elapsed > 0:
            line += f", about {format_seconds((total - done) * elapsed / done)} left in this stage"
        return line


def format_seconds(seconds: float) -> str:
    seconds = max(1, round(seconds))
    return f"{seconds} s" if seconds < 90 else f"{seconds // 60} min {seconds % 60:02d} s"
