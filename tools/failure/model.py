"""The trained failure model: one calibrated probability for machine failure and one per mode.

Two kinds are trained by `finetune/failure.py` and the better one on validation is saved:

* `gbt`: one LightGBM booster per target; its explanations are exact TreeSHAP values
  (`pred_contrib`), in log-odds;
* `mlp`: one torch MLP with six sigmoid outputs over standardized features; its explanations
  are occlusion effects (each feature set to its training median), in log-odds.

Both are calibrated per target with an isotonic map fitted on validation predictions. Nothing
here is loaded at import; `FailureModel.load` reads a directory written by `save`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from tools.common.errors import ModelMissing
from tools.failure.readings import FEATURES
from tools.failure.rules import MODES

TARGETS = ("failure", *MODES)
META_FILE = "failure_model.json"


class FailureModelMissing(ModelMissing):
    """No trained model where the settings point."""


@dataclass(frozen=True)
class IsotonicMap:
    """A monotone map from raw to calibrated probability (sklearn's isotonic fit, as points)."""

    x: list[float]
    y: list[float]

    def __call__(self, p: np.ndarray) -> np.ndarray:
        if not self.x:
            return np.asarray(p, dtype=float)
        return np.interp(p, self.x, self.y)

    @classmethod
    def fit(cls, raw: np.ndarray, labels: np.ndarray) -> IsotonicMap:
        from sklearn.isotonic import IsotonicRegression

        if labels.min() == labels.max():  # nothing to calibrate against
            return cls([], [])
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(raw, labels)
        return cls([float(v) for v in iso.X_thresholds_], [float(v) for v in iso.y_thresholds_])


def build_mlp(n_features: int, hidden: int, n_outputs: int, dropout: float = 0.1) -> Any:
    import torch.nn as nn

    return nn.Sequential(
        nn.Linear(n_features, hidden),
        nn.GELU(),
        nn.Dropout(dropout),
        nn.Linear(hidden, hidden),
        nn.GELU(),
        nn.Dropout(dropout),
        nn.Linear(hidden, n_outputs),
    )


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


@dataclass
class FailureModel:
    kind: Literal["gbt", "mlp"]
    threshold: float
    calibrators: dict[str, IsotonicMap]
    boosters: dict[str, Any] = field(default_factory=dict)  # gbt: target -> lightgbm.Booster
    network: Any = None  # mlp: torch module
    mean: list[float] = field(default_factory=list)  # mlp: feature standardization
    scale: list[float] = field(default_factory=list)
    medians: list[float] = field(default_factory=list)  # training medians, for occlusion
    hidden: int = 64
    metrics: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ prediction
    def raw(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Uncalibrated probability per target for feature rows `x`."""
        if self.kind == "gbt":
            return {t: np.asarray(self.boosters[t].predict(x), dtype=float) for t in TARGETS}
        import torch

        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        self.network.eval()
        with torch.no_grad():
            out = torch.sigmoid(self.network(torch.as_tensor(z, dtype=torch.float32))).numpy()
        return {t: out[:, j].astype(float) for j, t in enumerate(TARGETS)}

    def predict(self, x: np.ndarray) -> dict[str, np.ndarray]:
        """Calibrated probability per target (`failure` and each mode)."""
        return {t: self.calibrators[t](p) for t, p in self.raw(x).items()}

    def contributions(self, x: np.ndarray, target: str = "failure") -> np.ndarray:
        """Per-feature push towards `target` in log-odds, one row per input row."""
        if self.kind == "gbt":
            values = self.boosters[target].predict(x, pred_contrib=True)
            return np.asarray(values, dtype=float)[:, : len(FEATURES)]
        base = _logit(self.raw(x)[target])
        effects = np.zeros((len(x), len(FEATURES)))
        for j in range(len(FEATURES)):
            occluded = x.copy()
            occluded[:, j] = self.medians[j]
            effects[:, j] = base - _logit(self.raw(occluded)[target])
        return effects

    # ------------------------------------------------------------------ persistence
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "kind": self.kind,
            "features": list(FEATURES),
            "targets": list(TARGETS),
            "threshold": self.threshold,
            "calibrators": {t: {"x": c.x, "y": c.y} for t, c in self.calibrators.items()},
            "mean": self.mean,
            "scale": self.scale,
            "medians": self.medians,
            "hidden": self.hidden,
            "metrics": self.metrics,
        }
        if self.kind == "gbt":
            for target, booster in self.boosters.items():
                booster.save_model(str(directory / f"gbt_{target}.txt"))
        else:
            import torch

            torch.save(self.network.state_dict(), directory / "mlp.pt")
        (directory / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> FailureModel:
        meta_path = directory / META_FILE
        if not meta_path.exists():
            raise FailureModelMissing(
                f"No failure model in {directory}: run `plant train failure` (about a minute)."
            )
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta["features"] != list(FEATURES):
            raise FailureModelMissing(
                f"The failure model in {directory} was trained on other features: "
                "run `plant train failure` again."
            )
        calibrators = {t: IsotonicMap(**c) for t, c in meta["calibrators"].items()}
        model = cls(
            kind=meta["kind"],
            threshold=float(meta["threshold"]),
            calibrators=calibrators,
            mean=meta["mean"],
            scale=meta["scale"],
            medians=meta["medians"],
            hidden=int(meta["hidden"]),
            metrics=meta.get("metrics", {}),
        )
        if model.kind == "gbt":
            import lightgbm as lgb

            model.boosters = {
                t: lgb.Booster(model_file=str(directory / f"gbt_{t}.txt")) for t in TARGETS
            }
        else:
            import torch

            network = build_mlp(len(FEATURES), model.hidden, len(TARGETS))
            network.load_state_dict(torch.load(directory / "mlp.pt", weights_only=True))
            model.network = network
        return model


def top_drivers(
    contributions: Sequence[float], values: Sequence[float], *, limit: int = 3
) -> list[tuple[str, float, float]]:
    """The features that pushed the prediction most, as (feature, push, value)."""
    order = np.argsort(-np.abs(np.asarray(contributions)))[:limit]
    return [(FEATURES[i], float(contributions[i]), float(values[i])) for i in order]
