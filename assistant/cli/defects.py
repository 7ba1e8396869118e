"""`plant inspect`, `plant train defects`, `plant eval defects` and `plant data surfaces`.

Without `--product` they serve the demo classifier trained on generated surfaces; with
`--product NAME`, the product's model learnt from its good photos (`assistant/cli/products.py`).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from assistant.cli.common import JsonOption
from assistant.settings import get_settings
from tools.common.errors import PlantError

out = Console()
err = Console(stderr=True)


def _load(model: Path | None) -> Any:
    from assistant.wiring import defect_model

    settings = get_settings()
    return defect_model(model or settings.defect_model_dir, settings.device)


ProductOption = Annotated[
    str | None, typer.Option(help="A product learnt from its good photos (plant products list).")
]
OkOption = Annotated[Path | None, typer.Option("--ok", help="Folder of photos of good parts.")]
DefectsOption = Annotated[
    Path | None, typer.Option("--defects", help="Folder of photos of defective parts.")
]
MasksOption = Annotated[
    Path | None,
    typer.Option(
        "--masks",
        help="Defect masks, named like the defect photos (X.jpg -> X.png): pixel metrics, and "
        "in training a defect head learnt from them.",
    ),
]


def train_defects(
    product: ProductOption = None,
    ok: OkOption = None,
    defects: DefectsOption = None,
    masks: MasksOption = None,
    images: Annotated[int | None, typer.Option(help="Generated training images.")] = None,
    epochs: Annotated[
        int | None, typer.Option(help="At most; early stopping may end sooner.")
    ] = None,
    backbone: Annotated[
        str | None, typer.Option(help="efficientnet-lite0, or a transformers model folder.")
    ] = None,
    output: Annotated[Path | None, typer.Option(help="Model folder (default: data dir).")] = None,
    time_budget: Annotated[
        float | None,
        typer.Option(help="Seconds; no epoch starts that would end later (default 300)."),
    ] = None,
) -> None:
    """Learn a product from photos of its good parts (--product NAME --ok FOLDER, optionally
    --defects to set the thresholds and validate, and --masks to learn a defect head from the
    masked defect photos as well), or, without --product, fine-tune the
    demo defect model on generated surface images (about 8 minutes on 2 cores)."""
    from finetune.defects import main, shortfalls

    if product is not None:
        from assistant.cli.products import train_product

        train_product(product, ok, defects, masks)
        return
    if ok is not None or defects is not None or masks is not None:
        raise PlantError("--ok, --defects and --masks need --product NAME")

    from assistant.readiness import MODELS, replaced_folder

    target = output or get_settings().defect_model_dir
    args: list[str] = []
    for flag, value in (
        ("--train_images", images),
        ("--epochs", epochs),
        ("--backbone", backbone),
        ("--time_budget_s", time_budget),
    ):
        if value is not None:
            args += [flag, str(value)]
    with replaced_folder(target, MODELS["defects"].markers) as partial:  # never half a model
        metrics = main([*args, "--output_dir", str(partial)])
    test = metrics["test"]
    out.print(f"Defect model written to {target} ({metrics['train_seconds']:.0f} s)")
    out.print(
        f"test: severity accuracy {test['severity_accuracy']:.3f}, ROC-AUC {test['roc_auc']:.4f}, "
        f"localization hit rate {test['localization_hit_rate']:.3f}"
    )
    if missed := shortfalls(metrics):
        out.print(
            f"[yellow]Below target: {'; '.join(missed)}. {len(metrics['history'])} epochs ran "
            f"in {metrics['train_seconds']:.0f} s; a busy machine fits fewer into the time "
            "budget. Train again when it is idle, or with a larger --time-budget.[/yellow]"
        )


def eval_defects(
    product: ProductOption = None,
    ok: OkOption = None,
    defects: DefectsOption = None,
    masks: MasksOption = None,
    images: Annotated[int, typer.Option(help="Generated test images.")] = 600,
    model: Annotated[Path | None, typer.Option(help="Model folder (default: data dir).")] = None,
    as_json: JsonOption = False,
) -> None:
    """With --product: image ROC-AUC, accuracy at the product's threshold, recall per grade
    and, with --masks, pixel ROC-AUC and PRO on folders of good and defect photos. Without:
    severity accuracy, defect-vs-ok ROC-AUC, recall per grade and localization hit rate on a
    generated test set (other seeds; half with texture scales not seen in training)."""
    from finetune.defects import evaluate, make_set

    if product is not None:
        from assistant.cli.products import eval_product

        eval_product(product, ok, defects, masks, as_json)
        return

    loaded = _load(model)
    seed = int(loaded.metrics.get("args", {}).get("seed", 0))
    metrics = evaluate(
        loaded, make_set(images, seed * 3 + 102, loaded.image_size, held_out_share=0.5)
    )
    keys = ("n", "severity_accuracy", "roc_auc", "per_class_recall", "localization_hit_rate")
    if as_json:
        print(json.dumps({k: metrics[k] for k in keys}))
        return
    out.print(
        f"{metrics['n']} test images: severity accuracy {metrics['severity_accuracy']:.3f} "
        f"(unseen texture scales {metrics['severity_accuracy_unseen_scale']:.3f}), defect-vs-ok "
        f"ROC-AUC {metrics['roc_auc']:.4f}, localization hit rate "
        f"{metrics['localization_hit_rate']:.3f}"
    )
    out.print(
        "recall per grade: "
        + ", ".join(f"{k} {v:.3f}" for k, v in metrics["per_class_recall"].items())
    )
    out.print(
        "recall per defect type: "
        + ", ".join(f"{k} {v:.3f}" for k, v in metrics["defect_type_recall"].items())
    )


def inspect_command(
    images: Annotated[list[Path], typer.Argument(help="Part photos: PNG, JPEG, BMP, TIFF ...")],
    heatmap: Annotated[
        Path | None, typer.Option(help="Write each heatmap overlay as a PNG into this folder.")
    ] = None,
    model: Annotated[Path | None, typer.Option(help="Model folder (default: data dir).")] = None,
    product: ProductOption = None,
    as_json: JsonOption = False,
) -> None:
    """Verdict (ok / minor / severe), defect type, probabilities and heatmap per image; with
    --product, the product's anomaly score, threshold, and the defect's area and box; each
    inspection is stored."""
    if product is not None:
        from assistant.cli.products import print_inspection, product_inspector

        inspect_one, show, tag = product_inspector(product, heatmap), print_inspection, product
    else:
        inspect_one, show, tag = _demo_inspector(model, heatmap), _print_result, None
    if inspect_each(images, inspect_one, show, as_json, product=tag) == len(images):
        raise typer.Exit(1)


def _demo_inspector(model: Path | None, heatmap: Path | None) -> Callable[[Path, Any], Any]:
    from assistant.capabilities.defects.tool import inspect

    loaded = _load(model)
    settings = get_settings()
    pixels = (settings.max_photo_pixels, settings.photo_working_pixels)
    return lambda path, session: (
        inspect(loaded, path, session, heatmap_dir=heatmap, user="cli", pixels=pixels).inspection
    )


def inspect_each(
    images: list[Path], inspect_one: Callable[[Path, Any], Any],
    show: Callable[[Any, bool], None], as_json: bool, *, product: str | None = None,
) -> int:  # fmt: skip
    """Inspect (and store) each photo, print each result; returns how many failed
    (unreadable photos and photos of another product are reported, not graded)."""
    from sqlmodel import Session

    from assistant.wiring import make_engine
    from tools.defects.images import ImageError
    from tools.defects.product import WrongProduct

    failed = 0
    with Session(make_engine(get_settings())) as session:
        for path in images:
            try:
                result = inspect_one(path, session)
            except (ImageError, WrongProduct) as exc:
                failed += 1
                tag = {} if product is None else {"product": product}
                if as_json:
                    print(json.dumps({"path": str(path), **tag, "error": str(exc)}))
                else:
                    err.print(f"{path}: {exc}", highlight=False)
                continue
            show(result, as_json)
    sys.stdout.flush()
    return failed


def _print_result(result: Any, as_json: bool) -> None:
    if as_json:
        keys = ("path", "verdict", "defect_type", "probabilities", "heatmap")
        print(json.dumps({k: getattr(result, k) for k in keys}))
        return
    kind = f" — {result.defect_type}" if result.defect_type else ""
    out.print(
        f"[bold]{result.path}[/]: {result.verdict}{kind} ({result.confidence:.0%}); "
        + ", ".join(f"{k} {v:.1%}" for k, v in result.probabilities.items())
        + (f"; heatmap {result.heatmap}" if result.heatmap else "")
    )


def data_surfaces(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for images, masks, labels.csv.")],
    n: Annotated[int, typer.Option("--n", help="How many images.")] = 300,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same images.")] = 0,
) -> None:
    """Generate surface images with defects and their masks (`finetune/data/surfaces.py`)."""
    from finetune.data.surfaces import write_set

    if n < 1:
        raise PlantError("--n must be at least 1")
    labels = write_set(out_dir, n, seed)
    out.print(f"{n} images, masks and {labels.name} written to {out_dir}")
