"""Fine-tune the defect classifier on generated surface images: severity and defect type.

Shaped like the transformers example scripts: one dataclass of arguments from flags or one
JSON file, a seed, early stopping, metrics, a model card and confusion-matrix PNGs.

Data (`finetune/data/surfaces.py`, generated in memory): a training set and a validation set
with their own seeds, and a test set with a third seed in which half the images use texture
scales no training image has (`HELD_OUT_SCALE`). Augmentation: flips, 90-degree turns and
brightness changes, none of which changes a label.

Example:
    python -m finetune.defects --output_dir .plant/models/defects
    python -m finetune.defects args.json
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from finetune.defects_card import save_artefacts
from finetune.defects_eval import choose_views, evaluate, predict
from finetune.defects_images import ImageSet, make_set
from tools.defects.model import (
    DEFAULT_BACKBONE,
    DefectModel,
    build_network,
    to_tensor,
)

log = logging.getLogger(__name__)


@dataclass
class DefectTrainingArguments:
    output_dir: str = field(metadata={"help": "Where the model, metrics and card go."})
    backbone: str = field(
        default=DEFAULT_BACKBONE,
        metadata={"help": "efficientnet-lite0, or a folder with a transformers image model."},
    )
    image_size: int = field(default=128)
    train_images: int = field(default=2400)
    validation_images: int = field(default=400)
    test_images: int = field(default=600)
    epochs: int = field(default=12, metadata={"help": "At most; early stopping may end sooner."})
    patience: int = field(default=3)
    time_budget_s: float = field(
        default=300.0,
        metadata={
            "help": "Once min_epochs have run, start no epoch that would end after this "
            "many seconds (0: none)."
        },
    )
    min_epochs: int = field(
        default=5,
        metadata={
            "help": "Train at least this many epochs whatever the time budget says (5: the "
            "schedule measured to meet the targets). A slow or busy machine takes longer "
            "rather than leaving a half-trained model; a fast one may train more epochs."
        },
    )
    batch_size: int = field(default=32)
    learning_rate: float = field(default=1e-3)
    weight_decay: float = field(default=1e-4)
    seed: int = field(default=0)
    device: str = field(
        default="auto", metadata={"help": "auto (the GPU when there is one), cpu or cuda."}
    )
    segment_weight: float = field(
        default=1.0, metadata={"help": "Weight of the defect-mask loss (EfficientNet only)."}
    )
    freeze_blocks: int = field(
        default=0,
        metadata={
            "help": "Keep EfficientNet's stem and its first N blocks as pretrained (not "
            "trained): the high-resolution layers cost most of a batch's backward pass."
        },
    )


# What the shipped model must reach on the generated test set (issue 7).
TARGETS = {"severity_accuracy": 0.95, "roc_auc": 0.99, "localization_hit_rate": 0.9}


def shortfalls(metrics: dict[str, Any]) -> list[str]:
    """The test targets a trained model missed, as "severity_accuracy 0.728 < 0.95" (with
    the digits that show the miss: "roc_auc 0.98995 < 0.99", never "0.990 < 0.99")."""
    test = metrics["test"]
    return [
        f"{name} {_below(test[name], floor)} < {floor}"
        for name, floor in TARGETS.items()
        if test.get(name) is not None and test[name] < floor
    ]


def _below(value: float, floor: float) -> str:
    """`value` with 3 decimals, or as many more as it takes to read below `floor`."""
    for digits in range(3, 10):
        shown = f"{value:.{digits}f}"
        if float(shown) < floor:
            return shown
    return repr(value)


def augment(batch: Any, masks: Any, generator: Any) -> tuple[Any, Any]:
    """Random flips, 90-degree turns and brightness on a normalized batch (N, 3, H, W); the
    masks (N, H, W) get the same flips and turns."""
    import torch

    if torch.rand(1, generator=generator) < 0.5:
        batch, masks = batch.flip(3), masks.flip(2)
    if torch.rand(1, generator=generator) < 0.5:
        batch, masks = batch.flip(2), masks.flip(1)
    turns = int(torch.randint(0, 4, (1,), generator=generator))
    batch, masks = torch.rot90(batch, turns, dims=(2, 3)), torch.rot90(masks, turns, dims=(1, 2))
    scale = 1.0 + 0.2 * (torch.rand(len(batch), 1, 1, 1, generator=generator) - 0.5)
    return batch * scale, masks


class _LearningRate:
    """Warm-up, then a cosine decay over the epochs that will run: all of them, or as many
    as fit in the time budget once the first epoch has shown how long one takes (`steps` is
    lowered then; the warm-up stays as first planned)."""

    def __init__(self, epochs: int, steps_per_epoch: int) -> None:
        self.steps_per_epoch = steps_per_epoch
        self.steps = epochs * steps_per_epoch
        self.warm = max(1, int(0.15 * self.steps))

    def __call__(self, step: int) -> float:
        if step < self.warm:
            return 0.04 + 0.96 * step / self.warm
        progress = min(1.0, (step - self.warm) / max(1, self.steps - self.warm))
        return max(0.01, 0.5 * (1.0 + math.cos(math.pi * progress)))


def train(args: DefectTrainingArguments) -> dict[str, Any]:
    import torch

    from tools.common.device import pick_device

    torch.manual_seed(args.seed)
    started = time.perf_counter()
    size = args.image_size
    train_set = make_set(args.train_images, args.seed * 3 + 100, size)
    validation = make_set(args.validation_images, args.seed * 3 + 101, size)
    test = make_set(args.test_images, args.seed * 3 + 102, size, held_out_share=0.5)
    device = pick_device(args.device)
    network = build_network(args.backbone).to(device)
    frozen_layers(network, args.freeze_blocks)
    model = DefectModel(network, backbone=args.backbone, image_size=size, device=device)
    best_accuracy, history = _fit(model, train_set, validation, args, started)
    train_seconds = time.perf_counter() - started
    model.views, by_views = choose_views(model, validation)
    test_metrics = evaluate(model, test)
    metrics: dict[str, Any] = {
        "test": test_metrics,
        "validation_severity_accuracy": best_accuracy,
        "validation_by_views": by_views,
        "views": model.views,
        "history": history,
        "train_seconds": round(train_seconds, 1),
        "args": asdict(args),
    }
    save_artefacts(model, metrics, Path(args.output_dir))
    return metrics


def _fit(
    model: DefectModel,
    train_set: ImageSet,
    validation: ImageSet,
    args: DefectTrainingArguments,
    started: float,
) -> tuple[float, list[dict[str, Any]]]:
    """Train with early stopping on validation accuracy, leaving the best epoch's weights in
    the network; returns that accuracy and the per-epoch history."""
    import torch
    from tqdm import tqdm

    network = model.network
    optimizer = torch.optim.AdamW(
        [p for p in network.parameters() if p.requires_grad],
        lr=args.learning_rate,
        weight_decay=args.weight_decay,
    )
    rate = _LearningRate(args.epochs, max(1, -(-len(train_set.images) // args.batch_size)))
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    generator = torch.Generator().manual_seed(args.seed)
    best_accuracy, best_state, waited, history = -1.0, None, 0, []
    # one bar over the planned batches: its total (and time left) is set after the first
    # epoch, when the schedule is fitted to the time budget
    with torch.enable_grad(), tqdm(total=rate.steps, desc="training", unit="batch") as bar:
        for epoch in range(args.epochs):
            train_loss = _train_epoch(
                model, train_set, optimizer, schedule, generator, args, bar.update
            )
            severity_p, _ = predict(model, validation.images)
            accuracy = float((severity_p.argmax(axis=1) == validation.severity).mean())
            history.append(
                {
                    "epoch": epoch + 1,
                    "train_loss": train_loss,
                    "validation_accuracy": accuracy,
                    "seconds": round(time.perf_counter() - started, 1),
                }
            )
            log.info("epoch %d: %s", epoch + 1, history[-1])
            bar.set_postfix(epoch=epoch + 1, validation_accuracy=f"{accuracy:.3f}")
            if accuracy > best_accuracy:
                best_accuracy, waited = accuracy, 0
                best_state = {k: v.detach().clone() for k, v in network.state_dict().items()}
            else:
                waited += 1
                if waited >= args.patience:
                    break
            if _planned_epochs_done(epoch, history[-1]["seconds"], rate, args):
                break
            bar.total = rate.steps
            bar.refresh()
    if best_state is not None:
        network.load_state_dict(best_state)
    return best_accuracy, history


def _train_epoch(
    model: DefectModel,
    data: ImageSet,
    optimizer: Any,
    schedule: Any,
    generator: Any,
    args: DefectTrainingArguments,
    progress: Callable[[int], object] = lambda _: None,
) -> float:
    """One pass over `data` in a seeded random order, stepping the optimizer and the
    learning-rate schedule after each batch (and `progress`); returns the mean training
    loss."""
    import torch

    model.network.train()
    for layer in frozen_layers(model.network, args.freeze_blocks):
        layer.eval()  # pretrained batch-norm statistics stay as they are
    order = torch.randperm(len(data.images), generator=generator).numpy()
    total = 0.0
    for start in range(0, len(order), args.batch_size):
        rows = order[start : start + args.batch_size]
        loss = _batch_loss(model, data, rows, generator, args.segment_weight)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        progress(1)
        total += float(loss.detach()) * len(rows)
    return total / len(order)


def frozen_layers(network: Any, blocks: int) -> list[Any]:
    """EfficientNet's stem and first `blocks` blocks, their weights frozen (none for 0 or a
    transformers backbone)."""
    backbone = getattr(network, "backbone", None)
    if blocks <= 0 or getattr(network, "kind", "") != "efficientnet" or backbone is None:
        return []
    layers = [backbone._conv_stem, backbone._bn0, *backbone._blocks[:blocks]]
    for layer in layers:
        layer.requires_grad_(False)
    return layers


def _batch_loss(
    model: DefectModel, data: ImageSet, rows: np.ndarray, generator: Any, segment_weight: float
) -> Any:
    """Severity and defect-type cross-entropy of an augmented batch, plus the weighted
    defect-mask loss when the network segments."""
    import torch

    device = model.device
    x, masks = augment(
        to_tensor(data.images[rows]),
        torch.as_tensor(data.masks[rows], dtype=torch.float32),
        generator,
    )  # on the CPU, so that a seed gives the same batches on any device
    x, masks = x.to(device), masks.to(device)
    severity_logits, type_logits, segment = model.network.heads(x)
    cross_entropy = torch.nn.CrossEntropyLoss()
    loss = cross_entropy(
        severity_logits, torch.as_tensor(data.severity[rows], device=device)
    ) + cross_entropy(type_logits, torch.as_tensor(data.defect_type[rows], device=device))
    if segment is not None:  # a cell is defect when any of its pixels is
        target = torch.nn.functional.adaptive_max_pool2d(masks.unsqueeze(1), segment.shape[-2:])
        segment_loss = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(10.0, device=device))
        loss = loss + segment_weight * segment_loss(segment, target[:, 0])
    return loss


def _planned_epochs_done(
    epoch: int, seconds: float, rate: _LearningRate, args: DefectTrainingArguments
) -> bool:
    """Whether to stop after `epoch` (0-based), `seconds` into the run. After the first
    epoch, plans the schedule for the epochs the time budget fits (never fewer than
    min_epochs)."""
    epoch_seconds = seconds / (epoch + 1)
    least = min(args.min_epochs, args.epochs)
    if epoch == 0 and args.time_budget_s:
        fits = int(args.time_budget_s // epoch_seconds)
        rate.steps = max(least, min(args.epochs, fits)) * rate.steps_per_epoch
    budget = args.time_budget_s
    if (epoch + 1) * rate.steps_per_epoch >= rate.steps:
        return True  # the learning rate has come down: the planned epochs are done
    if budget and epoch + 1 >= least and seconds + epoch_seconds > budget:
        log.info("time budget of %.0f s reached after epoch %d", budget, epoch + 1)
        return True
    return False


def main(argv: list[str] | None = None) -> dict[str, Any]:
    from finetune.arguments import parse_arguments

    return train(parse_arguments(DefectTrainingArguments, argv))


if __name__ == "__main__":  # pragma: no cover
    main()
