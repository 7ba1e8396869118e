"""Train the machine failure model on simulated AI4I processes: gradient-boosted trees vs an MLP.

Shaped like the transformers example scripts: one dataclass of arguments from flags or one
JSON file, a seed, metrics and a model card. Steps:

1. generate a training run and, with another seed, an independent test run
   (`finetune/data/machines.py`); hold out a stratified validation share of the training run;
2. fit both kinds on the same features (`tools/failure/readings.py`): LightGBM, one booster
   per target (machine failure and each of the five modes), and a torch MLP with six outputs;
3. calibrate each target's probability with an isotonic map on validation; pick the kind with
   the better validation PR-AUC for machine failure, and the decision threshold with the best
   validation F1;
4. report both kinds on the test run, save the chosen one, `metrics.json` and `README.md`.

Example:
    python -m finetune.failure --output_dir .plant/models/failure
    python -m finetune.failure args.json
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finetune.data.machines import simulate
from tools.failure.io import COLUMN_FIELDS
from tools.failure.model import TARGETS, FailureModel, IsotonicMap, build_mlp
from tools.failure.readings import features
from tools.failure.rules import MODES

log = logging.getLogger(__name__)


@dataclass
class FailureTrainingArguments:
    output_dir: str = field(metadata={"help": "Where the model, metrics and card go."})
    train_rows: int = field(default=100_000, metadata={"help": "Simulated processes to train on."})
    test_rows: int = field(default=20_000, metadata={"help": "Independent processes to test on."})
    validation_share: float = field(default=0.2)
    seed: int = field(default=0)
    kinds: str = field(default="gbt,mlp", metadata={"help": "Which kinds to train and compare."})
    gbt_rounds: int = field(default=1000)
    gbt_learning_rate: float = field(default=0.05)
    gbt_leaves: int = field(default=15)
    mlp_hidden: int = field(default=64)
    mlp_epochs: int = field(default=60)
    mlp_learning_rate: float = field(default=3e-3)
    mlp_batch_size: int = field(default=256)


def labels_of(frame: pd.DataFrame) -> np.ndarray:
    """Columns: machine failure, then TWF, HDF, PWF, OSF, RNF."""
    return frame[["Machine failure", *MODES]].to_numpy(int)


def readings_of(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[list(COLUMN_FIELDS)].rename(columns=COLUMN_FIELDS)


def _train_gbt(
    x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray, args: Any
) -> dict[str, Any]:
    import lightgbm as lgb
    from tqdm import tqdm

    boosters = {}
    for j, target in enumerate(tqdm(TARGETS, desc="gradient-boosted trees", unit="target")):
        params = {
            "objective": "binary",
            "learning_rate": args.gbt_learning_rate,
            "num_leaves": args.gbt_leaves,
            "min_data_in_leaf": 10,
            "max_bin": 1023,  # fine bins: the failure rules are sharp thresholds
            "feature_fraction": 0.9,
            "seed": args.seed,
            "deterministic": True,
            "num_threads": 2,
            "verbose": -1,
        }
        train = lgb.Dataset(x, y[:, j])
        valid = lgb.Dataset(x_val, y_val[:, j], reference=train)
        boosters[target] = lgb.train(
            params,
            train,
            num_boost_round=args.gbt_rounds,
            valid_sets=[valid],
            callbacks=[lgb.early_stopping(40, verbose=False)],
        )
    return boosters


def _train_mlp(
    x: np.ndarray, y: np.ndarray, x_val: np.ndarray, y_val: np.ndarray, args: Any
) -> tuple[Any, np.ndarray, np.ndarray]:
    import torch
    from tqdm import tqdm

    torch.manual_seed(args.seed)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    xt = torch.as_tensor((x - mean) / scale, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.float32)
    xv = torch.as_tensor((x_val - mean) / scale, dtype=torch.float32)
    yv = torch.as_tensor(y_val, dtype=torch.float32)
    positives = y.sum(axis=0).clip(min=1)
    pos_weight = torch.as_tensor(np.sqrt((len(y) - positives) / positives), dtype=torch.float32)
    network = build_mlp(x.shape[1], args.mlp_hidden, y.shape[1])
    optimizer = torch.optim.AdamW(network.parameters(), lr=args.mlp_learning_rate)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    best, best_state, patience = float("inf"), None, 0
    generator = torch.Generator().manual_seed(args.seed)
    with torch.enable_grad():  # whatever the caller set (an inference_mode, no_grad)
        # at most mlp_epochs: early stopping usually ends it sooner (the bar then stops short)
        for _epoch in tqdm(range(args.mlp_epochs), desc="MLP", unit="epoch"):
            network.train()
            order = torch.randperm(len(xt), generator=generator)
            for start in range(0, len(order), args.mlp_batch_size):
                batch = order[start : start + args.mlp_batch_size]
                optimizer.zero_grad()
                loss_fn(network(xt[batch]), yt[batch]).backward()
                optimizer.step()
            network.eval()
            with torch.no_grad():
                val_loss = float(loss_fn(network(xv), yv))
            if val_loss < best - 1e-5:
                best, patience = val_loss, 0
                best_state = {k: v.clone() for k, v in network.state_dict().items()}
            else:
                patience += 1
                if patience >= 8:
                    break
    if best_state is not None:
        network.load_state_dict(best_state)
    return network, mean, scale


def best_f1_threshold(labels: np.ndarray, probabilities: np.ndarray) -> float:
    """The probability threshold with the best F1 (ties: the higher threshold)."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(labels, probabilities)
    f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
    return float(thresholds[int(np.argmax(f1))]) if len(thresholds) else 0.5


def evaluate(model: FailureModel, readings: pd.DataFrame, labels: np.ndarray) -> dict[str, Any]:
    """Machine-failure metrics at the model's threshold, and recall per failure mode."""
    from sklearn.metrics import (
        average_precision_score,
        f1_score,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    probabilities = model.predict(features(readings))
    failure = probabilities["failure"]
    predicted = failure >= model.threshold
    truth = labels[:, 0].astype(bool)
    both = truth.any() and not truth.all()
    per_mode = {}
    for j, mode in enumerate(MODES, start=1):
        rows = labels[:, j].astype(bool)
        per_mode[mode] = float(predicted[rows].mean()) if rows.any() else None
    return {
        "n": len(labels),
        "failures": int(truth.sum()),
        "roc_auc": float(roc_auc_score(truth, failure)) if both else None,
        "pr_auc": float(average_precision_score(truth, failure)) if both else None,
        "precision": float(precision_score(truth, predicted, zero_division=0)),
        "recall": float(recall_score(truth, predicted, zero_division=0)),
        "f1": float(f1_score(truth, predicted, zero_division=0)),
        "threshold": model.threshold,
        "per_mode_recall": per_mode,
    }


def train(args: FailureTrainingArguments) -> dict[str, Any]:
    from sklearn.metrics import average_precision_score

    started = time.perf_counter()
    data = simulate(args.train_rows, seed=args.seed)
    test = simulate(args.test_rows, seed=args.seed + 1_000_003)
    x, x_val, y, y_val = _split(data, args)
    medians = [float(v) for v in np.median(x, axis=0)]
    candidates: dict[str, FailureModel] = {}
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    for kind in kinds:
        candidate = _fit(kind, x, y, x_val, y_val, medians, args)
        _calibrate(candidate, x_val, y_val)
        candidates[kind] = candidate

    def validation_pr_auc(model: FailureModel) -> float:
        return float(average_precision_score(y_val[:, 0], model.predict(x_val)["failure"]))

    scores = {kind: validation_pr_auc(m) for kind, m in candidates.items()}
    chosen = max(scores, key=lambda k: scores[k])
    test_readings, test_labels = readings_of(test), labels_of(test)
    metrics: dict[str, Any] = {
        "chosen": chosen,
        "validation_pr_auc": scores,
        "test": {k: evaluate(m, test_readings, test_labels) for k, m in candidates.items()},
        "train_rows": len(x),
        "validation_rows": len(x_val),
        "test_rows": len(test),
        "train_seconds": round(time.perf_counter() - started, 1),
        "args": asdict(args),
    }
    _save(candidates[chosen], metrics, Path(args.output_dir))
    return metrics


def _split(
    data: pd.DataFrame, args: FailureTrainingArguments
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features and labels of the training run as (x, x_val, y, y_val): a validation share
    stratified on machine failure."""
    from sklearn.model_selection import train_test_split

    x_all, y_all = features(readings_of(data)), labels_of(data)
    x, x_val, y, y_val = train_test_split(
        x_all,
        y_all,
        test_size=args.validation_share,
        stratify=y_all[:, 0],
        random_state=args.seed,
    )
    return x, x_val, y, y_val


def _fit(
    kind: str,
    x: np.ndarray,
    y: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    medians: list[float],
    args: FailureTrainingArguments,
) -> FailureModel:
    """One kind of model, trained but not yet calibrated."""
    if kind == "gbt":
        return FailureModel(
            kind="gbt",
            threshold=0.5,
            calibrators={},
            boosters=_train_gbt(x, y, x_val, y_val, args),
            medians=medians,
        )
    if kind == "mlp":
        network, mean, scale = _train_mlp(x, y, x_val, y_val, args)
        return FailureModel(
            kind="mlp",
            threshold=0.5,
            calibrators={},
            network=network,
            mean=[float(v) for v in mean],
            scale=[float(v) for v in scale],
            medians=medians,
            hidden=args.mlp_hidden,
        )
    raise ValueError(f"unknown model kind {kind!r}: use gbt and/or mlp")


def _calibrate(candidate: FailureModel, x_val: np.ndarray, y_val: np.ndarray) -> None:
    """Isotonic maps for each target, then the failure threshold with the best F1, both
    fitted on validation."""
    raw = candidate.raw(x_val)
    candidate.calibrators = {t: IsotonicMap.fit(raw[t], y_val[:, j]) for j, t in enumerate(TARGETS)}
    calibrated = candidate.predict(x_val)["failure"]
    candidate.threshold = best_f1_threshold(y_val[:, 0], calibrated)


def _save(model: FailureModel, metrics: dict[str, Any], output: Path) -> None:
    """The chosen model, `metrics.json` and the model card."""
    model.metrics = metrics
    model.save(output)
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (output / "README.md").write_text(model_card(metrics), encoding="utf-8")


def model_card(metrics: dict[str, Any]) -> str:
    chosen = metrics["chosen"]
    lines = [
        "# Machine failure model",
        "",
        f"Kind: **{chosen}** (the better validation PR-AUC of: "
        + ", ".join(f"{k} {v:.4f}" for k, v in metrics["validation_pr_auc"].items())
        + ").",
        "",
        "Trained by `finetune/failure.py` on processes simulated with the published AI4I 2020 "
        "rules (`finetune/data/machines.py`): "
        f"{metrics['train_rows']} training and {metrics['validation_rows']} validation rows; "
        f"tested on {metrics['test_rows']} rows of an independent run.",
        "",
        "| kind | ROC-AUC | PR-AUC | precision | recall | F1 | threshold "
        "| TWF | HDF | PWF | OSF | RNF |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind, m in metrics["test"].items():
        modes = " | ".join(
            "-" if m["per_mode_recall"][mode] is None else f"{m['per_mode_recall'][mode]:.2f}"
            for mode in MODES
        )
        lines.append(
            f"| {kind} | {m['roc_auc']:.4f} | {m['pr_auc']:.4f} | {m['precision']:.3f} | "
            f"{m['recall']:.3f} | {m['f1']:.3f} | {m['threshold']:.3f} | {modes} |"
        )
    lines += [
        "",
        "Per-mode columns: the share of the test rows with that failure mode that the model "
        "flags as machine failure. TWF (tool wear failure at a random wear between 200 and "
        "240 min) and RNF (0.1 % random) are random by construction.",
        "",
        "Intended use: ranking machines by failure risk from their latest readings, with the "
        "readings' units as in AI4I 2020 (K, rpm, Nm, min). Not validated on a real plant.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from finetune.arguments import parse_arguments

    return train(parse_arguments(FailureTrainingArguments, argv))


if __name__ == "__main__":  # pragma: no cover
    main()
