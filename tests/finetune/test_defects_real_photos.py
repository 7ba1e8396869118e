"""Learning a product from real photos (../shared/defect-photos, read in place, never
copied): a small casting model (50 good photos) ranks defective castings above good ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from finetune.defects_photos import read_folder, score_set
from finetune.defects_product import main
from tools.defects.metrics import image_roc_auc
from tools.defects.product_store import load_product

PHOTOS = Path(__file__).resolve().parents[2].parent / "shared" / "defect-photos" / "casting"


@pytest.mark.skipif(
    not (PHOTOS / "train" / "ok").is_dir(),
    reason=f"the real defect photos are not here ({PHOTOS}); see issue 19",
)
def test_a_casting_model_from_50_good_photos_ranks_defects_first(tmp_path: Path) -> None:
    main(["--product", "casting", "--ok_dir", str(PHOTOS / "train" / "ok"),
          "--output_dir", str(tmp_path), "--max_photos", "50", "--progress", "false"])  # fmt: skip
    model = load_product(tmp_path, "casting")
    good = read_folder(PHOTOS / "dev" / "ok", "good", max_photos=25)
    defects = read_folder(PHOTOS / "dev" / "defect", "defect", max_photos=25)
    good_scores = score_set(model, good, 10, progress=False)
    defect_scores = score_set(model, defects, 10, progress=False)
    auc = image_roc_auc(good_scores.image, defect_scores.image)
    # chance is 0.5 with a spread of 0.08 for 25 + 25 photos; 50 good photos gave 0.78 here
    assert auc >= 0.7, f"ROC-AUC {auc:.3f} on 25 good and 25 defective castings"
    assert (good_scores.distance <= 1.0).all()  # none refused as another product
