"""`plant products list|remove`, and the product side of `plant train defects`, `plant eval
defects` and `plant inspect` (`--product NAME`): models learnt from photos of good parts.
Training goes through `wiring.product_training` (as in the chat), inspection through the
capability's `inspect_as_product`, and `plant inspect` runs one loop for both kinds."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.common import JsonOption, user_errors
from assistant.settings import get_settings
from tools.common.errors import PlantError

if TYPE_CHECKING:
    from sqlmodel import Session

out = Console()
err = Console(stderr=True)

app = typer.Typer(help="Inspected products and their models.", no_args_is_help=True)


def list_command(as_json: JsonOption = False) -> None:
    """Every product with a model: photos it learnt from, thresholds, the masked defect photos
    its defect head learnt from (0: none), version."""
    from tools.defects.product_store import list_products, load_product

    products_dir = get_settings().products_dir
    rows = []
    for name in list_products(products_dir):
        model = load_product(products_dir, name)
        rows.append(
            {
                "product": name,
                "ok_photos": model.metrics.get("ok_photos"),
                "threshold": round(model.thresholds.minor, 4),
                "severe_threshold": round(model.thresholds.severe, 4),
                "threshold_method": model.metrics.get("threshold_method"),
                "defect_head_photos": _head_photos(model),
                "version": model.version,
            }
        )
    if as_json:
        print(json.dumps(rows))
        return
    if not rows:
        out.print("No products yet: plant train defects --product NAME --ok FOLDER")
        return
    table = Table(
        "product", "good photos", "threshold", "severe from", "set from", "defect head photos",
        "version",
    )  # fmt: skip
    for row in rows:
        table.add_row(*(str(row[k]) for k in row))
    out.print(table)


def _head_photos(model: Any) -> int:
    learnt = model.metrics.get("defect_head")
    return int(learnt["photos"]) if model.head is not None and isinstance(learnt, dict) else 0


def remove_command(name: Annotated[str, typer.Argument(help="The product to remove.")]) -> None:
    """Delete a product's model (refused while it is training)."""
    from tools.defects.product_store import remove_product

    path = remove_product(get_settings().products_dir, name)
    out.print(f"Removed product '{name}' ({path})")


def train_product(
    product: str, ok: Path | None, defects: Path | None, masks: Path | None
) -> dict[str, Any]:
    """Learn `product` from the good photos in `ok`; print what was learnt and measured."""
    from assistant.capabilities.defects.training import product_training

    if ok is None:
        raise PlantError("--product needs --ok FOLDER: the photos of good parts to learn from")
    if masks is not None and defects is None:
        raise PlantError("--masks needs --defects: the masks belong to the defect photos")
    metrics = product_training(get_settings()).train(product, ok, defects, masks)
    for reason in metrics["skipped"]:
        err.print(f"[yellow]skipped[/] {reason}", highlight=False)
    out.print(
        f"Product '{product}' learnt from {metrics['bank_photos']} good photos "
        f"({metrics['held_out_photos']} held out to set thresholds) in "
        f"{metrics['train_seconds']:.0f} s: {metrics['path']}"
    )
    model_thresholds(metrics)
    learnt = metrics.get("defect_head")
    if isinstance(learnt, dict):
        out.print(
            f"defect head learnt from {learnt['photos']} masked defect photos "
            f"({learnt['defect_patches']} defect patches); they were scored out of fold"
        )
    elif learnt:
        err.print(f"[yellow]no defect head[/]: {learnt.removeprefix('not learnt: ')}")
    if "validation" in metrics:
        out.print("validation (the photos that chose the thresholds; optimistic):")
        print_metrics(metrics["validation"])
    return metrics


def model_thresholds(metrics: dict[str, Any]) -> None:
    source = "held-out good photos"
    if metrics["threshold_method"] == "defects":
        source += " and defect photos"
    out.print(f"thresholds set from {source}")


def print_metrics(metrics: dict[str, Any]) -> None:
    auc = metrics.get("image_roc_auc")
    out.print(
        f"  {metrics['good']} good, {metrics['defect']} defect photos: image ROC-AUC "
        + (f"{auc:.4f}" if auc is not None else "n/a")
        + f", accuracy at threshold {metrics['accuracy']:.3f}"
    )
    out.print("  recall: " + ", ".join(f"{k} {v:.3f}" for k, v in metrics["recall"].items()))
    if "pixel_roc_auc" in metrics:
        out.print(f"  pixel ROC-AUC {metrics['pixel_roc_auc']:.4f}, PRO {metrics['pro']:.4f}")


def eval_product(
    product: str, ok: Path | None, defects: Path | None, masks: Path | None, as_json: bool
) -> None:
    from finetune.defects_photos import evaluate_product
    from tools.defects.product_store import load_product

    if ok is None or defects is None:
        raise PlantError("--product needs --ok FOLDER and --defects FOLDER to evaluate on")
    model = load_product(get_settings().products_dir, product)
    metrics = evaluate_product(model, ok, defects, masks, progress=not as_json)
    if as_json:
        keys = ["product", "good", "defect", "image_roc_auc", "accuracy", "recall", "threshold",
                "severe_threshold", "refused_as_other_product", "skipped",
                "pixel_roc_auc", "pro"]  # fmt: skip
        print(json.dumps({k: metrics[k] for k in keys if k in metrics}))
        return
    for reason in metrics["skipped"]:
        err.print(f"[yellow]skipped[/] {reason}", highlight=False)
    out.print(f"product '{product}', threshold {metrics['threshold']:.4f}:")
    print_metrics(metrics)
    if metrics["refused_as_other_product"]:
        out.print(
            f"  [yellow]{metrics['refused_as_other_product']} photos would be refused as "
            "another product[/yellow]"
        )


app.command("list")(user_errors(list_command))
app.command("remove")(user_errors(remove_command))


def product_inspector(product: str, heatmap: Path | None) -> Callable[[Path, Session], Any]:
    """Inspects one photo as `product` and stores it (`cli.defects.inspect_command` runs it
    on each photo; a photo of another product raises WrongProduct)."""
    from assistant.capabilities.defects.verdict import inspect_as_product
    from tools.defects.product_store import load_product

    settings = get_settings()
    model = load_product(settings.products_dir, product)
    pixels = (settings.max_photo_pixels, settings.photo_working_pixels)

    def inspect_one(path: Path, session: Session) -> Any:
        found = inspect_as_product(
            model, path, session, heatmap_dir=heatmap, user="cli", pixels=pixels,
            defect_level=settings.product_defect_level,
        )  # fmt: skip
        return found.inspection

    return inspect_one


def print_inspection(result: Any, as_json: bool) -> None:
    if as_json:  # the demo model's keys, then the product's
        keys = ("product", "anomaly_score", "threshold", "area_px", "bbox")
        print(
            json.dumps(
                {"path": result.path, "verdict": result.verdict, "defect_type": None,
                 "probabilities": {}, "heatmap": result.heatmap,
                 **{k: getattr(result, k) for k in keys}}
            )
        )  # fmt: skip
        return
    where = ""
    if result.bbox is not None:
        x0, y0, x1, y1 = result.bbox
        where = f"; {result.area_px} px anomalous, around x {x0}-{x1}, y {y0}-{y1}"
    out.print(
        f"[bold]{result.path}[/]: {result.verdict} as '{result.product}' (anomaly score "
        f"{result.anomaly_score:.3f}, ok below {result.threshold:.3f}, severe from "
        f"{result.severe_threshold:.3f}){where}"
        + (f"; heatmap {result.heatmap}" if result.heatmap else ""),
        highlight=False,
    )
