"""Fine-tune the ticket triage: a category classifier and an urgency classifier.

The intent classifier's pipeline (`text_classification.py`) twice, on the same tickets: MiniLM
with a classification head for the category (`warranty`, `returns`, `technical_fault`,
`delivery`, `billing`, `spare_parts`, `other`) and one for the urgency (`urgent`, `normal`),
each calibrated by temperature on its validation split. The urgency threshold is the highest
probability that still flags every urgent validation ticket (capped at 0.5): a missed urgent
ticket costs more than a second look at a normal one. Safety wording (injury, fire, smoke,
shock, a hot leak) is made urgent by rule at run time, whatever the model says
(`assistant/tickets/safety.py`); the model has to catch the rest, such as a line stopped now.

The report set is the development tickets (`knowledge/eval/tickets/tickets_dev.jsonl`); the
held-out test tickets are scored only by `plant eval tickets`.

Example:
    python -m finetune.tickets --output_dir .plant/models/tickets
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from finetune import text_classification as tc
from finetune.text_classification import resolve_model
from tools.common.tickets import CATEGORIES, URGENCIES, ticket_text

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data" / "tickets"
DEV_FILE = Path(__file__).parents[1] / "knowledge" / "eval" / "tickets" / "tickets_dev.jsonl"
MAX_URGENT_THRESHOLD = 0.5


@dataclass
class DataArguments:
    train_file: str = field(default=str(DATA_DIR / "train.jsonl"))
    test_file: str = field(
        default=str(DEV_FILE), metadata={"help": "Tickets the metrics are reported on."}
    )
    validation_share: float = field(default=0.15, metadata={"help": "Held out from train."})
    max_seq_length: int = field(default=128)
    max_train_samples: int | None = field(default=None, metadata={"help": "For smoke tests."})


def read_tickets(path: str | Path) -> list[dict[str, str]]:
    """JSONL tickets `{"subject", "body", "category", "urgency"}`; a bad line raises
    ValueError naming file and line."""
    rows = []
    for number, row in tc.jsonl_objects(path):
        try:
            text = ticket_text(str(row.get("subject") or ""), str(row["body"]))
            category, urgency = str(row["category"]), str(row["urgency"])
        except KeyError as exc:
            raise ValueError(
                f"{path}, line {number}: expected {{'body', 'category', 'urgency'}} ({exc})"
            ) from exc
        if category not in CATEGORIES or urgency not in URGENCIES:
            raise ValueError(f"{path}, line {number}: unknown label {category!r}/{urgency!r}")
        rows.append({"text": text, "category": category, "urgency": urgency})
    return rows


def urgent_threshold(probabilities: np.ndarray, is_urgent: np.ndarray) -> float:
    """The highest P(urgent) threshold that keeps every urgent validation ticket flagged,
    capped at `MAX_URGENT_THRESHOLD`.

    Example:
        >>> urgent_threshold(np.array([0.9, 0.3, 0.2]), np.array([True, True, False]))
        0.3
    """
    if not is_urgent.any():
        return MAX_URGENT_THRESHOLD
    return float(min(MAX_URGENT_THRESHOLD, probabilities[is_urgent].min()))


def _task(rows: list[dict[str, str]], key: str) -> list[dict[str, str]]:
    return [{"text": r["text"], "label": r[key]} for r in rows]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Train both classifiers into `output_dir/category` and `output_dir/urgency`; returns
    the metrics written to `output_dir/metrics.json`."""
    from transformers import set_seed

    model_args, data_args, training_args = tc.parse_classifier_arguments(
        DataArguments, argv, tc.default_training_flags(".plant/models/tickets", 4, "1e-4")
    )
    set_seed(training_args.seed)
    output = Path(training_args.output_dir)
    model_path = resolve_model(model_args.model_name_or_path)
    rows = read_tickets(data_args.train_file)
    order = np.random.default_rng(training_args.seed).permutation(len(rows))
    rows = [rows[i] for i in order]
    if data_args.max_train_samples:
        rows = rows[: data_args.max_train_samples]
    reported = read_tickets(data_args.test_file)
    metrics: dict[str, Any] = {}
    for key, labels in (("category", CATEGORIES), ("urgency", URGENCIES)):
        train, validation = tc.split_validation(
            _task(rows, key), data_args.validation_share, training_args.seed, labels
        )
        data = tc.ClassifierData(
            labels, train, validation, _task(reported, key), data_args.max_seq_length
        )
        training_args.output_dir = str(output / key)
        trained = tc.train_classifier(
            model_path, data, training_args, title=f"Ticket {key}, development tickets"
        )
        metrics[key] = trained.metrics
        if key == "urgency":
            metrics[key] |= _urgency_threshold(trained, validation, reported, output / key)
    training_args.output_dir = str(output)
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    _model_card(output / "README.md", metrics, model_args.model_name_or_path)
    log.info("ticket triage saved to %s", output)
    return metrics


def _urgency_threshold(
    trained: tc.TrainedClassifier,
    validation: list[dict[str, str]],
    reported: list[dict[str, str]],
    directory: Path,
) -> dict[str, Any]:
    """Choose the urgent threshold on validation, store it in the label map, and measure
    urgent recall and precision on the report set at it (model only, before the rule)."""
    urgent = URGENCIES.index("urgent")
    is_urgent = np.array([r["label"] == "urgent" for r in validation])
    threshold = urgent_threshold(trained.validation_probabilities[:, urgent], is_urgent)
    meta = directory / "labels.json"
    info = json.loads(meta.read_text(encoding="utf-8")) | {"urgent_threshold": threshold}
    meta.write_text(json.dumps(info, indent=2), encoding="utf-8")
    flagged = trained.test_probabilities[:, urgent] >= threshold
    truth = np.array([r["urgency"] == "urgent" for r in reported])
    hits = int((flagged & truth).sum())
    return {
        "urgent_threshold": threshold,
        "test_urgent_recall_at_threshold": hits / max(1, int(truth.sum())),
        "test_urgent_precision_at_threshold": hits / max(1, int(flagged.sum())),
    }


def _model_card(path: Path, metrics: dict[str, Any], model: str) -> None:
    category, urgency = metrics["category"], metrics["urgency"]
    lines = [
        "# Plant Assistant ticket triage",
        "",
        f"Two classifiers fine-tuned from `{model}` on {category['n_train']} training tickets "
        "(`finetune/data/tickets/`), reported on the development tickets.",
        "",
        "| classifier | accuracy | macro-F1 | baseline (frozen MiniLM + LR) accuracy |",
        "|---|---|---|---|",
        f"| category | {category['test']['accuracy']:.3f} | {category['test']['macro_f1']:.3f} "
        f"| {category['baseline_logreg']['accuracy']:.3f} |",
        f"| urgency | {urgency['test']['accuracy']:.3f} | {urgency['test']['macro_f1']:.3f} "
        f"| {urgency['baseline_logreg']['accuracy']:.3f} |",
        "",
        f"Urgent threshold {urgency['urgent_threshold']:.3f} (chosen on validation): urgent "
        f"recall {urgency['test_urgent_recall_at_threshold']:.3f}, precision "
        f"{urgency['test_urgent_precision_at_threshold']:.3f} on the development tickets, "
        "model only; safety wording is urgent by rule at run time.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    main()
