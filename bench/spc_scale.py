"""SPC at scale: a long measurement series read, charted and described as the chat does it.

Usage:
    python -m bench.spc_scale [--points 1000000] [--no-xlsx] [--no-write]

The script writes a CSV of `--points` individual values (normal, drifting over its second half
so that run rules fire), then times `run_spc_file`, the function the chat calls on an uploaded
measurement file (read, I-MR chart, run rules, capability, the PNG and the Plotly figure), plus
the tool result the chat shows with it; the same series as an XLSX workbook (writing it with
openpyxl takes about a minute and is not timed) is timed the same way. A pasted message as
long as `max_numbers_per_paste` allows is timed through `read_request` and `run_spc`. A
ten-point file is run first so that one-time imports are not counted. Memory is the process's
peak resident set (`getrusage`), imports included. Target (issue 17): 1,000,000 points in
≤ 5 s and ≤ 1 GB.
Results go into the `bench.spc_scale` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.capabilities.spc.tool import spc_limits
from assistant.settings import get_settings
from bench.machine import describe_machine
from bench.report import write_section
from tools.spc.limits import SpcLimits


def peak_mb() -> float:
    """The process's peak resident set so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def series(points: int, seed: int = 0) -> np.ndarray:
    """Normal values around 10 mm that drift by 3 sigma over the second half."""
    rng = np.random.default_rng(seed)
    values = rng.normal(10.0, 0.01, points)
    half = points // 2
    values[half:] += np.linspace(0.0, 0.03, points - half)
    return values.round(4)


def write_csv(values: np.ndarray, path: Path) -> Path:
    path.write_text("od\n" + "\n".join(f"{v:.4f}" for v in values) + "\n", encoding="utf-8")
    return path


def write_xlsx(values: np.ndarray, path: Path) -> Path:
    import pandas as pd

    pd.DataFrame({"od": np.round(values, 4)}).to_excel(path, index=False)
    return path


def timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """What `run` returned, the seconds it took and the peak resident set after it (MB)."""
    started = time.perf_counter()
    found = run()
    return found, time.perf_counter() - started, peak_mb()


def run_file(path: Path, chart_dir: Path, limits: SpcLimits) -> Any:
    """What the chat does with an uploaded file: the tool, then the tool result it shows."""
    from assistant.capabilities.spc.tool import run_spc_file

    found = run_spc_file(path, chart_dir, path.name, limits)
    found.analysis.to_json(max_points=limits.max_chart_points)
    return found


def run_paste(message: str, chart_dir: Path, limits: SpcLimits) -> Any:
    """What the chat does with pasted numbers (no database needed without a characteristic)."""
    from assistant.capabilities.spc.tool import read_request, run_spc

    request = read_request(message, [], limits)
    found = run_spc(request, None, chart_dir, limits)  # type: ignore[arg-type]
    found.analysis.to_json(max_points=limits.max_chart_points)
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--no-xlsx", action="store_true", help="skip the XLSX workbook")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    limits = spc_limits(get_settings())
    pasted = limits.max_numbers_per_paste
    with tempfile.TemporaryDirectory(prefix="plant-bench-spc-") as tmp:
        folder, charts = Path(tmp), Path(tmp) / "charts"
        run_file(write_csv(series(10), folder / "warm-up.csv"), charts, limits)
        path = write_csv(series(args.points), folder / "series.csv")
        before = peak_mb()
        found, seconds, peak = timed(lambda: run_file(path, charts, limits))
        message = "is this in control: " + " ".join(f"{v:.4f}" for v in series(pasted, seed=1))
        pasted_found, pasted_s, pasted_peak = timed(lambda: run_paste(message, charts, limits))
        xlsx_row = ""
        if not args.no_xlsx:
            book = write_xlsx(series(args.points), folder / "series.xlsx")
            xlsx, xlsx_s, xlsx_peak = timed(lambda: run_file(book, charts, limits))
            xlsx_row = (
                f"| XLSX of {args.points:,} values (`run_spc_file`) | {xlsx.analysis.chart} | "
                f"{xlsx_s:.1f} s | {xlsx_peak:.0f} MB | |"
            )
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {describe_machine()}, default settings. "
        "Peak memory is the whole process's (imports included); "
        f"it held {before:.0f} MB before the timed runs.",
        "",
        "| input | chart | seconds | peak memory | target |",
        "|---|---|---|---|---|",
        f"| CSV of {args.points:,} values (`run_spc_file`) | {found.analysis.chart} | "
        f"{seconds:.1f} s | {peak:.0f} MB | ≤ 5 s, ≤ 1 GB at 1,000,000 |",
        *([xlsx_row] if xlsx_row else []),
        f"| pasted message of {pasted:,} numbers (`run_spc`) | {pasted_found.analysis.chart} | "
        f"{pasted_s:.1f} s | {pasted_peak:.0f} MB | |",
        "",
        f"Verdict on the long series: {' '.join(found.verdict.splitlines()[:2])}",
    ]
    markdown = "\n".join(lines)
    print(markdown)
    if not args.no_write:
        write_section("spc_scale", "SPC on long series", markdown)


if __name__ == "__main__":
    main()
