"""Products' models on disk: one `NAME.npz` per product, written atomically (temp file, then
rename) and trained under a per-product file lock, so a model is never half-written."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from tools.common.errors import ModelMissing, PlantError
from tools.defects.defect_head import DefectHead
from tools.defects.patchcore import PatchCoreConfig
from tools.defects.product import ProductModel, Signature, Thresholds

NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
FORMAT = 1


class ProductError(PlantError):
    """A product name or model the user gave cannot be used; the message says why."""


class ProductMissing(ModelMissing):
    """No model for the product asked for."""


class ProductBusy(PlantError):
    """Another training of the same product is running."""


def check_name(name: str) -> str:
    """The product name, if it is a safe file name: lower-case letters, digits, - and _."""
    if not NAME_PATTERN.fullmatch(name):
        raise ProductError(
            f"'{name}' is not a product name: use 1-64 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit (e.g. pump-impeller)"
        )
    return name


def model_path(products_dir: Path, name: str) -> Path:
    return products_dir / f"{check_name(name)}.npz"


@contextmanager
def training_lock(products_dir: Path, name: str, timeout_s: float = 0.0) -> Iterator[None]:
    """Hold the product's lock while it trains; a second training waits up to `timeout_s`,
    then is refused (the first one's model is replaced only when it is complete)."""
    from filelock import FileLock, Timeout

    products_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(products_dir / f".{check_name(name)}.lock"), timeout=max(timeout_s, 0.0))
    try:
        lock.acquire()
    except Timeout as exc:
        raise ProductBusy(
            f"Product '{name}' is being trained by another process; try again when it is done."
        ) from exc
    try:
        yield
    finally:
        lock.release()


def save_product(model: ProductModel, products_dir: Path) -> Path:
    """Write the model to `products_dir/NAME.npz` atomically; returns the path."""
    target = model_path(products_dir, model.name)
    products_dir.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": FORMAT,
        "name": model.name,
        "config": asdict(model.config),
        "thresholds": asdict(model.thresholds),
        "signature": {
            k: getattr(model.signature, k)
            for k in ("typical", "limit", "typical_patch", "patch_limit")
        },
        "metrics": model.metrics,
        "version": model.version,
    }
    handle, temp = tempfile.mkstemp(prefix=f".{model.name}.", suffix=".tmp", dir=products_dir)
    try:
        with os.fdopen(handle, "wb") as file:
            arrays = {
                "bank": model.bank.astype(np.float32), "meta": np.array(json.dumps(meta)),
                "references": model.signature.references.astype(np.float32),
                **(model.head.to_arrays() if model.head is not None else {}),
            }  # fmt: skip
            np.savez(file, allow_pickle=False, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def load_product(products_dir: Path, name: str) -> ProductModel:
    path = model_path(products_dir, name)
    if not path.exists():
        known = ", ".join(list_products(products_dir)) or "none yet"
        raise ProductMissing(
            f"No model for product '{name}' in {products_dir} (known: {known}). Train it: "
            f"plant train defects --product {name} --ok FOLDER_OF_GOOD_PHOTOS"
        )
    try:
        with np.load(path, allow_pickle=False) as data:
            meta: dict[str, Any] = json.loads(str(data["meta"]))
            bank = data["bank"]
            signature = Signature(data["references"], **meta["signature"])
            head = DefectHead.from_arrays(data)
    except (OSError, ValueError, KeyError) as exc:
        raise ProductError(f"{path}: not a readable product model ({exc}); train it again") from exc
    config = meta["config"]
    config["layers"] = tuple(config["layers"])
    return ProductModel(
        name=meta["name"], config=PatchCoreConfig(**config), bank=bank,
        thresholds=Thresholds(**meta["thresholds"]), signature=signature,
        metrics=meta.get("metrics", {}), version=meta.get("version", ""), head=head,
    )  # fmt: skip


def list_products(products_dir: Path) -> list[str]:
    if not products_dir.is_dir():
        return []
    return sorted(p.stem for p in products_dir.glob("*.npz") if NAME_PATTERN.fullmatch(p.stem))


def remove_product(products_dir: Path, name: str) -> Path:
    """Delete a product's model (under its lock, so never while it trains)."""
    path = model_path(products_dir, name)
    with training_lock(products_dir, name):
        if not path.exists():
            raise ProductMissing(f"No product '{name}' in {products_dir}")
        path.unlink()
    return path
