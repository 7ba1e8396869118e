"""Answer latency per backend: time to sources, to the first token, and to the full answer.

Usage:
    python -m bench.answers [--backends extractive embedded] [--questions 30] [--no-write]

These are the chat UI's latency targets (sources <= 0.5 s after sending, first generated token
p50 <= 3 s, full answer p50 <= 10 s on 2 CPU cores); the chain is timed exactly as the UI runs
it. Also reported: the mean number of texts the embedding model reads per question
(`SentenceEmbedder.texts_embedded`: the query, candidate sentences, token-vector texts).
Results go into the `bench.answers` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from assistant.answering.evaluation import load_answer_questions
from assistant.settings import get_settings
from assistant.wiring import make_chain
from bench.machine import describe_machine
from bench.report import write_section


def time_backend(backend: str, questions: list[str]) -> dict[str, float]:
    settings = get_settings()
    t0 = time.perf_counter()
    chain = make_chain(settings, backend=backend)
    chain.invoke(questions[0])  # warm-up: model load and first-call costs are not per-answer
    startup = time.perf_counter() - t0
    embedder = chain.searcher.embedder
    embedded_before = embedder.texts_embedded
    sources, first, total = [], [], []
    for question in questions:
        started = time.perf_counter()
        first_token = None
        for event in chain.stream(question):
            now = time.perf_counter() - started
            if event.kind == "sources":
                sources.append(now)
            elif event.kind == "token" and first_token is None:
                first_token = now
        total.append(time.perf_counter() - started)
        if first_token is not None:
            first.append(first_token)

    def p(values: list[float], q: int) -> float:
        return float(np.percentile(values, q)) if values else float("nan")

    return {
        "startup_s": startup,
        "sources_p50": p(sources, 50),
        "sources_p95": p(sources, 95),
        "first_p50": p(first, 50),
        "total_p50": p(total, 50),
        "total_p95": p(total, 95),
        # texts through the embedding model (queries, sentences, token vectors) per answer
        "embedded_mean": (embedder.texts_embedded - embedded_before) / max(1, len(questions)),
    }


def to_markdown(results: dict[str, dict[str, float]], n: int) -> str:
    lines = [
        f"_Measured {time.strftime('%Y-%m-%d')} on: {describe_machine()}; {n} answerable "
        "questions, one at a time, after one warm-up answer._",
        "",
        "| backend | start-up (s) | sources p50 / p95 (s) | first token p50 (s) | "
        "full answer p50 / p95 (s) | texts embedded / question |",
        "|---|---|---|---|---|---|",
    ]
    for backend, r in results.items():
        lines.append(
            f"| {backend} | {r['startup_s']:.1f} | {r['sources_p50']:.3f} / "
            f"{r['sources_p95']:.3f} | {r['first_p50']:.2f} | {r['total_p50']:.2f} / "
            f"{r['total_p95']:.2f} | {r['embedded_mean']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", nargs="*", default=["extractive", "embedded"])
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    settings = get_settings()
    rows = load_answer_questions(settings.eval_dir / "answer_qa.jsonl")
    questions = [r.question for r in rows if r.answerable][: args.questions]
    results = {b: time_backend(b, questions) for b in args.backends}
    markdown = to_markdown(results, len(questions))
    print(markdown)
    if not args.no_write:
        write_section("answers", "Answer latency", markdown)


if __name__ == "__main__":
    main()
