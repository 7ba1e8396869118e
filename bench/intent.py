"""Intent classification latency: one message at a time, as the chat classifies them.

Usage:
    python -m bench.intent [--repeat 3] [--no-write]

Target (issue 4): p50 <= 15 ms per message on 2 CPU cores. The messages are the 210 lines of
the intent test split; results go into the `bench.intent` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from assistant.routing.classifier import IntentClassifier
from assistant.settings import get_settings
from bench.machine import describe_machine
from bench.report import write_section
from finetune.intent import DATA_DIR, read_examples


def measure(repeat: int) -> dict[str, float]:
    settings = get_settings()
    started = time.perf_counter()
    classifier = IntentClassifier.load(settings.intent_model_dir)
    load_s = time.perf_counter() - started
    texts = [r["text"] for r in read_examples(DATA_DIR / "test.jsonl")]
    classifier.classify(texts[0])  # warm-up
    timings = []
    for _ in range(repeat):
        for text in texts:
            t0 = time.perf_counter()
            classifier.classify(text)
            timings.append((time.perf_counter() - t0) * 1000)
    return {
        "load_s": load_s,
        "n": len(timings),
        "p50_ms": float(np.percentile(timings, 50)),
        "p95_ms": float(np.percentile(timings, 95)),
    }


def to_markdown(result: dict[str, float]) -> str:
    return "\n".join(
        [
            f"_Measured {time.strftime('%Y-%m-%d')} on: {describe_machine()}._",
            "",
            "| messages timed | model load (s) | p50 (ms) | p95 (ms) |",
            "|---|---|---|---|",
            f"| {result['n']:.0f} | {result['load_s']:.1f} | {result['p50_ms']:.1f} | "
            f"{result['p95_ms']:.1f} |",
            "",
            "One message at a time (the intent test split, repeated), after one warm-up call.",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    markdown = to_markdown(measure(args.repeat))
    print(markdown)
    if not args.no_write:
        write_section("intent", "Intent classification latency", markdown)


if __name__ == "__main__":
    main()
