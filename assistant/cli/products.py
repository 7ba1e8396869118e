"""`plant products list|remove`, and the product side of `plant train defects`, `plant eval
defects` and `plant inspect` (`--product NAME`): models learnt from photos of good parts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.common import JsonOption, user_errors
from assistant.settings import get_settings
from tools.common.errors import PlantError

out = Console()
err = Console(stderr=True)

app = typer.Typer(help="Inspected products and their models.", no_args_is_help=True)


def list_command(as_json: JsonOption = False) -> None:
    """Every product with a model: photos it learnt from, thresholds, version."""
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
                "version": model.version,
            }
        )
    if as_json:
        print(json.dumps(rows))
        return
    if not rows:
        out.print("No products yet: plant train defects --product NAME --ok FOLDER")
        return
    table = Table("product", "good photos", "threshold", "severe from", "set from", "version")
    for row in rows:
        table.add_row(*(str(row[k]) for k in row))
    out.print(table)


def remove_command(name: Annotated[str, typer.Argument(help="The product to remove.")]) -> None:
    """Delete a product's model (refused while it is training)."""
    from tools.defects.product_store import remove_product

    path = remove_product(get_settings().products_dir, name)
    out.print(f"Removed product '{name}' ({path})")


def train_product(
    product: str, ok: Path | None, defects: Path | None, masks: Path | None
) -> dict[str, Any]:
    """Learn `product` from the good photos in `ok`; print what was learnt and measured."""
    from finetune.defects_product import main

    if ok is None:
        raise PlantError("--product needs --ok FOLDER: the photos of good parts to learn from")
    if masks is not None and defects is None:
        raise PlantError("--masks needs --defects: the masks belong to the defect photos")
    settings = get_settings()
    args = ["--product", product, "--ok_dir", str(ok), "--output_dir", str(settings.products_dir),
            "--working_size", str(settings.product_working_size),
            "--coreset_ratio", str(settings.product_coreset_ratio),
            "--min_ok_photos", str(settings.product_min_ok_photos),
            "--signature_margin", str(settings.product_signature_margin),
            "--lock_timeout_s", str(settings.product_train_lock_timeout_s)]  # fmt: skip
    if defects is not None:
        args += ["--defects_dir", str(defects)]
    if masks is not None:
        args += ["--masks_dir", str(masks)]
    metrics = main(args)
    for reason in metrics["skipped"]:
        err.print(f"[yellow]skipped[/] {reason}", highlight=False)
    out.print(
        f"Product '{product}' learnt from {metrics['bank_photos']} good photos "
        f"({metrics['held_out_photos']} held out to set thresholds) in "
        f"{metrics['train_seconds']:.0f} s: {metrics['path']}"
    )
    model_thresholds(metrics)
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


def inspect_with_product(
    product: str, images: list[Path], heatmap: Path | None, as_json: bool
) -> int:
    """Inspect each photo as `product`, store it, print it; returns how many failed (unreadable
    photos and photos of another product are reported, not graded)."""
    from sqlmodel import Session

    from assistant.persistence.inspections import record
    from assistant.wiring import make_engine
    from tools.defects.images import ImageError
    from tools.defects.inspect import InspectionResult
    from tools.defects.product import WrongProduct
    from tools.defects.product_inspect import inspect_product
    from tools.defects.product_store import load_product

    settings = get_settings()
    model = load_product(settings.products_dir, product)
    failed = 0
    with Session(make_engine(settings)) as session:
        for path in images:
            try:
                result = inspect_product(
                    model, path, heatmap_dir=heatmap, max_pixels=settings.max_photo_pixels,
                    working_pixels=settings.photo_working_pixels,
                )  # fmt: skip
            except (ImageError, WrongProduct) as exc:
                failed += 1
                if as_json:
                    print(json.dumps({"path": str(path), "product": product, "error": str(exc)}))
                else:
                    err.print(f"{path}: {exc}", highlight=False)
                continue
            stored = InspectionResult(
                path=result.path, verdict=result.verdict, defect_type=None, confidence=1.0,
                probabilities={}, type_probabilities={}, heatmap=result.heatmap,
                image_sha256=result.image_sha256,
                model_version=f"product:{product}:{result.model_version}",
            )  # fmt: skip
            record(session, stored, user="cli")
            print_inspection(result, as_json)
    return failed


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
