"""Learning a product from a folder of good photos: refusals, skipped files, thresholds with
and without defect photos, validation metrics, and a model that inspects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from finetune.defects_product import TooFewPhotos, main, split_holdout, staged
from tests.tools.defects.conftest import good_surface, with_blot
from tools.defects.product_store import ProductBusy, load_product, training_lock


def _good_folder(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        image = Image.fromarray(good_surface(i))
        if i % 3 == 1:
            image = image.convert("L").resize((80, 64))  # grey, another size
        image.save(folder / f"good_{i:02d}.png")
    return folder


def _defect_folder(root: Path, count: int) -> tuple[Path, Path]:
    photos, masks = root / "defect", root / "masks"
    photos.mkdir(parents=True)
    masks.mkdir()
    for i in range(count):
        centre = (16 + 8 * i, 40)
        Image.fromarray(with_blot(good_surface(500 + i), centre, 7)).save(photos / f"d{i}.png")
        mask = with_blot(np.zeros((64, 64, 3), np.uint8), centre, 7)[..., 0] == 15
        Image.fromarray((mask * 255).astype(np.uint8)).save(masks / f"d{i}.png")
    return photos, masks


def _args(ok: Path, out: Path, *extra: str) -> list[str]:
    return ["--product", "tiny-part", "--ok_dir", str(ok), "--output_dir", str(out),
            "--working_size", "64", "--coreset_ratio", "0.3", "--smoothing_sigma", "2",
            "--holdout_share", "0.3", "--progress", "false", *extra]  # fmt: skip


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    root = tmp_path_factory.mktemp("product")
    ok = _good_folder(root / "ok", 14)
    (ok / "torn.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (ok / "notes.txt").write_text("shift 2 photos", encoding="utf-8")
    defects, masks = _defect_folder(root, 4)
    metrics = main(
        _args(ok, root / "products", "--defects_dir", str(defects), "--masks_dir", str(masks))
    )
    return metrics, root


def test_corrupt_and_other_files_are_reported_and_skipped(trained: Any) -> None:
    metrics, _ = trained
    assert metrics["ok_photos"] == 14
    assert metrics["bank_photos"] + metrics["held_out_photos"] == 14
    assert any(s.startswith("torn.jpg: the image is damaged") for s in metrics["skipped"])
    assert any(s.startswith("notes.txt: not a photo file") for s in metrics["skipped"])


def test_defect_photos_set_the_thresholds_and_are_validated(trained: Any) -> None:
    metrics, root = trained
    assert metrics["threshold_method"] == "defects"
    validation = metrics["validation"]
    assert validation["defect"] == 4 and validation["good"] == metrics["held_out_photos"]
    assert validation["image_roc_auc"] == 1.0 and validation["accuracy"] == 1.0
    assert validation["pixel_roc_auc"] > 0.8 and 0.0 < validation["pro"] <= 1.0
    model = load_product(root / "products", "tiny-part")
    held = max(metrics["held_out_good_scores"])
    assert held < model.thresholds.minor <= model.thresholds.severe
    assert model.metrics["bank_patches"] == len(model.bank)


def test_masked_defect_photos_teach_the_product_a_defect_head(trained: Any) -> None:
    metrics, root = trained
    learnt = metrics["defect_head"]
    assert learnt["photos"] == 4 and learnt["folds"] == 2 and learnt["defect_patches"] > 0
    model = load_product(root / "products", "tiny-part")
    assert model.head is not None and model.head.context > 1
    # each patch and its context, in the photo and in the head's coarser view of it
    assert model.head.coef.shape == (4 * model.bank.shape[1],)
    assert model.config.head_view == max(32, model.config.working_size // 2) == learnt["view"]
    blot = with_blot(good_surface(777), (40, 20), 7)
    assert model.score([blot]).image[0] >= model.thresholds.minor  # graded a defect


def test_without_the_head_flag_or_with_too_few_masks_no_head_is_learnt(tmp_path: Path) -> None:
    ok = _good_folder(tmp_path / "ok", 10)
    defects, masks = _defect_folder(tmp_path, 3)
    flags = ["--defects_dir", str(defects), "--masks_dir", str(masks)]
    metrics = main(_args(ok, tmp_path / "few", *flags))
    assert metrics["defect_head"] == (
        "not learnt: 3 masked defect photos; a defect head needs at least 4"
    )
    few = load_product(tmp_path / "few", "tiny-part")
    assert few.head is None and few.config.head_view == 0  # no head: photos read once
    assert metrics["threshold_method"] == "defects"  # the photos still set the thresholds
    metrics = main(_args(ok, tmp_path / "off", *flags, "--defect_head", "false"))
    assert "defect_head" not in metrics
    assert load_product(tmp_path / "off", "tiny-part").head is None


def test_without_defects_the_thresholds_come_from_held_out_good_photos(tmp_path: Path) -> None:
    ok = _good_folder(tmp_path / "ok", 10)
    metrics = main(_args(ok, tmp_path / "products"))
    assert metrics["threshold_method"] == "good-fence" and "validation" not in metrics
    model = load_product(tmp_path / "products", "tiny-part")
    held = metrics["held_out_good_scores"]
    low, high = np.quantile(held, [0.25, 0.75])
    assert model.thresholds.minor == pytest.approx(np.median(held) + 1.5 * (high - low), 1e-3)
    assert model.thresholds.severe > model.thresholds.minor
    metrics = main(_args(ok, tmp_path / "products", "--good_fence", "0", "--good_quantile", "1"))
    assert metrics["threshold_method"] == "good-quantile"
    model = load_product(tmp_path / "products", "tiny-part")
    assert model.thresholds.minor == pytest.approx(max(metrics["held_out_good_scores"]), 1e-3)


def _shaded(image: np.ndarray, left: bool) -> np.ndarray:
    """The surface with its left (or right) third in shadow: a part that is not symmetric."""
    shaded = image.copy()
    third = shaded.shape[1] // 3
    side = np.s_[:, :third] if left else np.s_[:, -third:]
    shaded[side] = (shaded[side] * 0.3).astype(np.uint8)
    return shaded


def test_mirror_images_of_the_good_photos_join_the_bank_candidates(tmp_path: Path) -> None:
    """Good parts are always shaded on their left; with flips (the default) the same part
    lying the other way round scores as a good part, without them its edge is new."""
    ok = tmp_path / "ok"
    ok.mkdir()
    for i in range(12):
        Image.fromarray(_shaded(good_surface(i), left=True)).save(ok / f"good_{i:02d}.png")
    mirrored = _shaded(good_surface(900), left=False)
    scores = {}
    for flips in ("true", "false"):
        out = tmp_path / flips
        metrics = main(_args(ok, out, "--flips", flips))
        model = load_product(out, "tiny-part")
        assert model.config.augment == (("hflip", "vflip") if flips == "true" else ())
        own = metrics["bank_photos"] * 8 * 8  # the unflipped photos' patches (8 x 8 grid)
        assert len(model.bank) == round(own * 0.3)  # flips add candidates, not bank rows
        scores[flips] = float(model.score([mirrored]).image[0]) / max(
            metrics["held_out_good_scores"]
        )  # fmt: skip
    # measured: 0.85 with flips (below every held-out good photo), 0.96 without
    assert scores["true"] < 0.9 and scores["true"] < 0.93 * scores["false"], scores


def test_fewer_than_ten_good_photos_are_refused_with_the_reason(tmp_path: Path) -> None:
    ok = _good_folder(tmp_path / "ok", 9)
    (ok / "broken.png").write_bytes(b"\x89PNG garbage")
    with pytest.raises(TooFewPhotos, match=r"9 readable good photos; .* at least 10 .*1 skipped"):
        main(_args(ok, tmp_path / "products"))
    assert not (tmp_path / "products" / "tiny-part.npz").exists()


def test_a_product_in_training_is_not_trained_twice(tmp_path: Path) -> None:
    ok = _good_folder(tmp_path / "ok", 10)
    with training_lock(tmp_path / "products", "tiny-part"), pytest.raises(ProductBusy):
        main(_args(ok, tmp_path / "products"))


def test_the_holdout_split_keeps_at_least_two_photos() -> None:
    bank, held = split_holdout(10, 0.05, seed=0)
    assert len(held) == 2 and len(bank) == 8 and not set(bank) & set(held)
    bank, held = split_holdout(200, 0.2, seed=0)
    assert len(held) == 40


def test_progress_is_told_after_every_batch(tmp_path: Path) -> None:
    ok = _good_folder(tmp_path / "ok", 12)
    told: list[tuple[str, int, int]] = []
    main(
        _args(ok, tmp_path / "products", "--batch_size", "4"),
        progress=lambda stage, done, total: told.append((stage, done, total)),
    )
    features = [(done, total) for stage, done, total in told if stage == "features"]
    total = features[0][1]
    assert [done for done, _ in features] == [0, *range(4, total, 4), total]
    scoring = [done for stage, done, _ in told if stage == "scoring"]
    assert scoring[0] == 0 and scoring == sorted(scoring)
    assert any(stage == "memory bank" for stage, _, _ in told)


def test_a_stage_tells_its_start_its_batches_and_its_end_once_each() -> None:
    heard: list[tuple[str, int, int]] = []

    def run(told: Any) -> str:
        told(16)
        told(20)  # the last batch reaches the total itself
        return "done"

    assert staged(lambda *event: heard.append(event), "scoring", 20, run) == "done"
    assert heard == [("scoring", 0, 20), ("scoring", 16, 20), ("scoring", 20, 20)]
    heard.clear()
    staged(lambda *event: heard.append(event), "scoring", 5, lambda told: None)
    assert heard == [("scoring", 0, 5), ("scoring", 5, 5)]  # a run that tells nothing

    def counted(told: Any) -> int:
        told(3)
        return 7

    assert staged(None, "scoring", 5, counted) == 7  # no display: nothing to tell
