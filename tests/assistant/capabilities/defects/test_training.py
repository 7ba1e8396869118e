"""An admin's zip of good-part photos: screened (paths outside its folder, too few photos,
limits), damaged and other files reported and skipped, one training of a product at a time,
and only an admin's zip taken in the chat."""

from __future__ import annotations

import io
import zipfile
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from assistant.capabilities.base import Upload
from assistant.capabilities.defects.products import ProductCatalog
from assistant.capabilities.defects.training import (
    TrainingProgress,
    ZipLimits,
    ZipRefused,
    product_training,
    unpack_photos,
)
from assistant.capabilities.uploads import UploadLimits, screen
from assistant.settings import Settings
from tests.assistant.capabilities.defects.conftest import casting, tiny_training
from tools.defects.product_store import ProductBusy, list_products, training_lock


def png(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="PNG")
    return out.getvalue()


def make_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def good_entries(count: int, folder: str = "good/") -> dict[str, bytes]:
    return {f"{folder}{i:02d}.png": png(casting(i)) for i in range(count)}


@pytest.mark.parametrize("bad", ["../escape.png", "/etc/cron.d/x.png", "C:/x.png",
                                 "good/../../x.png"])  # fmt: skip
def test_a_zip_with_a_path_outside_its_folder_is_refused_whole(tmp_path: Path, bad: str) -> None:
    archive = make_zip(tmp_path / "photos.zip", {**good_entries(10), bad: png(casting(50))})
    with pytest.raises(ZipRefused, match="points outside the zip's folder"):
        unpack_photos(archive, tmp_path / "out", ZipLimits())
    assert not (tmp_path / "out").exists() and not (tmp_path.parent / "escape.png").exists()


def test_a_link_in_the_zip_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "photos.zip", good_entries(10))
    with zipfile.ZipFile(archive, "a") as z:
        link = zipfile.ZipInfo("good/link.png")
        link.external_attr = 0o120777 << 16  # a symbolic link to /etc/passwd
        z.writestr(link, "/etc/passwd")
    with pytest.raises(ZipRefused, match=r"'good/link\.png' points outside"):
        unpack_photos(archive, tmp_path / "out", ZipLimits())


def test_fewer_photos_than_a_product_needs_are_refused_with_the_reason(tmp_path: Path) -> None:
    entries = {**good_entries(9), "notes.txt": b"shift 2"}
    archive = make_zip(tmp_path / "photos.zip", entries)
    with pytest.raises(ZipRefused, match="9 photos; a product is learnt from at least 10"):
        unpack_photos(archive, tmp_path / "out", ZipLimits())
    (tmp_path / "not.zip").write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(ZipRefused, match=r"not\.zip: not a readable zip file"):
        unpack_photos(tmp_path / "not.zip", tmp_path / "out", ZipLimits())
    with pytest.raises(ZipRefused, match="11 entries; at most 10"):
        unpack_photos(make_zip(tmp_path / "many.zip", good_entries(11)), tmp_path / "out",
                      ZipLimits(max_entries=10))  # fmt: skip


def test_a_product_is_learnt_from_a_zip_and_damaged_files_are_skipped(tmp_path: Path) -> None:
    grey = Image.fromarray(casting(40)).convert("L").resize((100, 90))  # another size and mode
    entries = {**good_entries(11), "more/grey.png": png(np.asarray(grey)),
               "good/torn.png": png(casting(41))[:200], "notes.txt": b"shift 2",
               "__MACOSX/._00.png": b"resource fork"}  # fmt: skip
    archive = make_zip(tmp_path / "castings.zip", entries)
    training = tiny_training(tmp_path / "products")
    metrics = training.train_zip("casting", archive, tmp_path / "work", "castings.zip")
    assert metrics["ok_photos"] == 12 and metrics["replaced"] is False
    assert "notes.txt: not a photo file" in metrics["skipped"]
    assert any(s.startswith("good/torn.png: ") for s in metrics["skipped"]), metrics["skipped"]
    assert len(metrics["skipped"]) == 2  # the Mac resource fork is not a file of the user's
    assert list_products(tmp_path / "products") == ["casting"]
    assert not (tmp_path / "work").exists()  # the unpacked photos are removed
    model = ProductCatalog(tmp_path / "products").model("casting")
    assert model.metrics["ok_photos"] == 12


def test_the_same_product_trained_twice_at_once_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "castings.zip", good_entries(10))
    training = tiny_training(tmp_path / "products")
    with training_lock(tmp_path / "products", "casting"), pytest.raises(ProductBusy):
        training.train_zip("casting", archive, tmp_path / "work")
    assert list_products(tmp_path / "products") == [] and not (tmp_path / "work").exists()


def test_only_an_admin_may_send_a_zip_in_the_chat(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "upload-1", good_entries(10))
    upload = Upload(archive, "castings.zip")
    kept, refused = screen([upload], UploadLimits(), can_add_documents=False)
    assert kept == [] and refused == [
        "castings.zip: a zip of good-part photos teaches the assistant a new product, which "
        "only an admin can do."
    ]
    kept, refused = screen([upload], UploadLimits(), can_add_documents=True)
    assert [u.kind for u in kept] == ["archive"] and refused == []


def test_zip_limits_come_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        product_zip_max_entries=11, product_zip_max_unpacked_mb=0.05, product_zip_max_ratio=7,
        max_photo_mb=3, product_min_ok_photos=4,
    )  # fmt: skip
    limits = product_training(settings).zip_limits
    assert limits == ZipLimits(max_entries=11, max_unpacked_bytes=int(0.05 * 1024**2),
                               max_photo_bytes=3 * 1024**2, max_ratio=7, min_photos=4)  # fmt: skip
    assert ZipLimits() == ZipLimits.from_settings(Settings())  # the defaults are the settings'
    archive = make_zip(tmp_path / "photos.zip", good_entries(12))
    with pytest.raises(ZipRefused, match=r"unpacks to 0\.\d MB; at most 0\.1 MB"):
        unpack_photos(archive, tmp_path / "out", ZipLimits(max_unpacked_bytes=100_000))


def test_the_training_tells_its_progress_stage_by_stage(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "castings.zip", good_entries(10))
    told: list[tuple[str, int, int]] = []
    training = tiny_training(tmp_path / "products")
    training.train_zip("casting", archive, tmp_path / "work",
                       progress=lambda *step: told.append(step))  # fmt: skip
    stages = [stage for stage, _, _ in told]
    assert stages[0] == "features" and "memory bank" in stages and stages[-1] == "scoring"
    _, _, embedded = told[0]  # the bank's photos (8 of 10: 2 held out), augmented or not
    assert embedded >= 8 and told[0] == ("features", 0, embedded)
    assert ("features", embedded, embedded) in told
    bank = [(done, total) for stage, done, total in told if stage == "memory bank"]
    assert bank[-1][0] == bank[-1][1] and all(a[0] < b[0] for a, b in pairwise(bank))


def test_progress_in_words_with_the_time_left_in_the_stage() -> None:
    now = [100.0]
    progress = TrainingProgress(clock=lambda: now[0])
    assert progress.now() is None
    progress("memory bank", 0, 400)
    now[0] += 10
    progress("memory bank", 100, 400)
    assert progress.now() == "memory bank: 25%, about 30 s left in this stage"
    progress("scoring", 0, 4)  # a new stage: its own pace
    now[0] += 60
    progress("scoring", 1, 4)
    assert progress.now() == "thresholds: 25%, about 3 min 00 s left in this stage"
    progress("scoring", 4, 4)
    assert progress.now() == "thresholds: 100%"
