"""Products on disk: safe names, an atomic save/load round trip, a lock per product."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.tools.defects.conftest import good_surface
from tools.defects.defect_head import DefectHead
from tools.defects.product import Signature, Thresholds
from tools.defects.product_store import (
    ProductBusy,
    ProductError,
    ProductMissing,
    check_name,
    list_products,
    load_product,
    model_path,
    remove_product,
    save_product,
    training_lock,
)


def _model(tiny_model: Any, name: str = "pump-impeller") -> Any:
    return replace(
        tiny_model, name=name, thresholds=Thresholds(1.5, 3.25),
        signature=Signature(np.eye(3, 4), typical=0.75, limit=2.5, typical_patch=0.5),
        metrics={"ok_photos": 12}, version="v1",
    )  # fmt: skip


@pytest.mark.parametrize("name", ["../etc", "Pump", "", "a/b", "x" * 65, "-lead"])
def test_unsafe_names_are_refused(name: str) -> None:
    with pytest.raises(ProductError, match="not a product name"):
        check_name(name)


def test_save_and_load_round_trip(tiny_model: Any, tmp_path: Path) -> None:
    model = _model(tiny_model)
    path = save_product(model, tmp_path)
    assert path == model_path(tmp_path, "pump-impeller")
    loaded = load_product(tmp_path, "pump-impeller")
    np.testing.assert_array_equal(loaded.bank, model.bank)
    np.testing.assert_array_equal(loaded.signature.references, np.eye(3, 4))
    assert loaded.signature.typical == 0.75 and loaded.signature.limit == 2.5
    assert loaded.signature.typical_patch == 0.5 and loaded.signature.patch_limit == np.inf
    assert loaded.thresholds == Thresholds(1.5, 3.25)
    assert loaded.config == model.config and loaded.metrics == {"ok_photos": 12}
    assert list_products(tmp_path) == ["pump-impeller"]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    assert loaded.head is None  # learnt without masks


def test_a_defect_head_is_saved_and_scores_the_same_after_loading(
    tiny_model: Any, tmp_path: Path
) -> None:
    dims = tiny_model.bank.shape[1]
    rng = np.random.default_rng(0)
    head = DefectHead(
        mean=rng.normal(size=dims).astype(np.float32), scale=np.ones(dims, np.float32),
        coef=rng.normal(size=dims).astype(np.float32), intercept=-1.0,
        distance_scale=2.0, head_scale=3.0, weight=1.0,
    )  # fmt: skip
    model = replace(tiny_model, name="pump-impeller", head=head)  # its own signature
    save_product(model, tmp_path)
    loaded = replace(load_product(tmp_path, "pump-impeller"), network=tiny_model.network)
    assert loaded.head is not None
    np.testing.assert_array_equal(loaded.head.coef, head.coef)
    photo = [good_surface(3)]
    with_head, without = loaded.score(photo), replace(loaded, head=None).score(photo)
    np.testing.assert_allclose(with_head.maps, model.score(photo).maps, rtol=1e-5)
    assert not np.allclose(with_head.maps, without.maps)
    np.testing.assert_allclose(with_head.medians, without.medians)  # the signature's own


def test_a_failed_save_leaves_the_previous_model_whole(
    tiny_model: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_product(_model(tiny_model), tmp_path)
    before = model_path(tmp_path, "pump-impeller").read_bytes()

    def crash(file: Any, **arrays: Any) -> None:
        file.write(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        save_product(replace(_model(tiny_model), version="v2"), tmp_path)
    assert model_path(tmp_path, "pump-impeller").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pump-impeller.npz"]


def test_a_second_training_of_the_same_product_is_refused(tmp_path: Path) -> None:
    with training_lock(tmp_path, "casting"):
        with (
            pytest.raises(ProductBusy, match="being trained"),
            training_lock(tmp_path, "casting", timeout_s=0.1),
        ):
            pass
        with training_lock(tmp_path, "tile"):  # another product is not held up
            pass
    with training_lock(tmp_path, "casting"):  # released
        pass


def test_missing_and_removed_products(tiny_model: Any, tmp_path: Path) -> None:
    with pytest.raises(ProductMissing, match="plant train defects --product tile"):
        load_product(tmp_path, "tile")
    save_product(_model(tiny_model, "tile"), tmp_path)
    remove_product(tmp_path, "tile")
    assert list_products(tmp_path) == []
    with pytest.raises(ProductMissing, match="No product 'tile'"):
        remove_product(tmp_path, "tile")
    model_path(tmp_path, "broken").write_bytes(b"not a model")
    with pytest.raises(ProductError, match="not a readable product model"):
        load_product(tmp_path, "broken")


def test_a_model_saved_before_flips_and_block_14_still_loads_and_scores(
    tiny_model: Any, tmp_path: Path
) -> None:
    """Models learnt with the first recipe (blocks 4 and 10, no `augment` in their config)
    keep their stages: their bank's features are computed as they were learnt."""
    import json

    path = save_product(replace(tiny_model, name="old-part"), tmp_path)
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(str(arrays["meta"]))
    del meta["config"]["augment"]  # what the first recipe wrote
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(path, **arrays)
    model = load_product(tmp_path, "old-part")
    model.network = tiny_model.network
    assert model.config.layers == (4, 10) and model.bank.shape[1] == 40 + 112
    scores = model.score([np.zeros((64, 64, 3), dtype=np.uint8)])
    assert np.isfinite(scores.image).all()
