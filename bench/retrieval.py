"""Retrieval benchmark: ingest throughput, query latency per mode, approximate search at scale.

Usage:
    python -m bench.retrieval [--sizes 100000 1000000] [--queries 200] [--skip-corpus]
        [--skip-synthetic] [--no-write]

Results are printed and written into the `bench.retrieval` section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from assistant.settings import Settings, get_settings
from bench.machine import describe_machine
from bench.report import DOC, markers, write_section


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples_ms, 50)), float(np.percentile(samples_ms, 95))


def time_calls(fn: Callable[[Any], object], inputs: list[Any], warmup: int = 10) -> list[float]:
    for item in inputs[:warmup]:
        fn(item)
    out = []
    for item in inputs:
        t0 = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - t0) * 1000)
    return out


# --------------------------------------------------------------------------------------
def bench_corpus(settings: Settings) -> dict[str, Any]:
    """Full ingest of the sample corpus into a fresh index, then query latency per mode."""
    from assistant.wiring import ingest_config, make_embedder, make_searcher
    from retrieval.evaluation import load_questions
    from retrieval.ingest import ingest

    with tempfile.TemporaryDirectory() as tmp:
        local = settings.model_copy(update={"data_dir": Path(tmp)})
        embedder = make_embedder(local)
        embedder.encode(["warm-up"])  # model load is not ingest work
        report = ingest([local.knowledge_dir], ingest_config(local), embedder)
        searcher = make_searcher(local)
        searcher.embedder = embedder
        questions = [q.question for q in load_questions(local.eval_dir / "retrieval_qa.jsonl")]
        latency = {}
        for mode in ("dense", "bm25", "hybrid"):
            samples = time_calls(functools.partial(searcher.search, mode=mode, k=5), questions)
            latency[mode] = percentiles(samples)
    return {
        "files": len(report.added),
        "chunks": report.total_chunks,
        "ingest_s": report.seconds,
        "chunks_per_s": report.total_chunks / report.seconds,
        "queries": len(questions),
        "latency_ms": latency,
    }


# --------------------------------------------------------------------------------------
def synthetic_vectors(n: int, dim: int = 384, seed: int = 0) -> np.ndarray:
    """Unit vectors with the low intrinsic dimension of sentence embeddings.

    A 2,000-component Gaussian mixture with overlapping components in a 96-d latent space,
    projected linearly to `dim` with 20 % isotropic noise, then L2-normalised. Uniform random
    vectors would have no neighbourhood structure, which real embeddings do; this mixture is
    deliberately harder than well-separated clusters (mean top-1 cosine about 0.5).
    """
    rng = np.random.default_rng(seed)
    latent, components = 96, 2000
    projection = rng.normal(size=(latent, dim)).astype(np.float32)
    centres = rng.normal(size=(components, latent)).astype(np.float32) * 0.7
    out = np.empty((n, dim), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        z = centres[rng.integers(0, components, m)] + rng.normal(size=(m, latent)).astype(
            np.float32
        )
        x = z @ projection
        x += (
            0.2
            * np.linalg.norm(x, axis=1, keepdims=True)
            / np.sqrt(dim)
            * rng.normal(size=(m, dim)).astype(np.float32)
        )
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[start : start + m] = x
    return out


def recall_at_10(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth, strict=True)]))


def search_one(index: Any, query: np.ndarray) -> object:
    return index.search(query[None, :], 10)


def exact_baseline(data: np.ndarray, queries: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """Ground-truth neighbours and the latency of exact (flat) search."""
    import faiss

    flat = faiss.IndexFlatIP(data.shape[1])
    flat.add(data)
    _, truth = flat.search(queries, 10)
    p50, p95 = percentiles(time_calls(functools.partial(search_one, flat), list(queries)))
    row = {
        "index": "flat (exact)",
        "build_s": 0.0,
        "params": "",
        "recall@10": 1.0,
        "p50_ms": p50,
        "p95_ms": p95,
    }
    return truth, row


def bench_synthetic(n: int, n_queries: int, settings: Settings) -> dict[str, Any]:
    from retrieval.vector_index import IndexParams, build_index, configure_search

    data = synthetic_vectors(n + n_queries, seed=n)
    queries, data = data[:n_queries].copy(), data[n_queries:]
    result: dict[str, Any] = {"n": n, "queries": n_queries, "indexes": []}

    truth, exact_row = exact_baseline(data, queries)
    result["indexes"].append(exact_row)

    nlist = IndexParams(ivf_nlist=settings.ivf_nlist).nlist_for(n)  # what the product builds
    candidates: list[tuple[str, IndexParams, list[dict[str, int]]]] = [
        (
            "ivf",
            IndexParams(kind="ivf", ivf_nlist=nlist),
            [{"ivf_nprobe": p} for p in (16, 32, 64, 128, 256)],
        ),
        (
            "hnsw",
            IndexParams(
                kind="hnsw",
                hnsw_m=settings.hnsw_m,
                hnsw_ef_construction=settings.hnsw_ef_construction,
            ),
            [{"hnsw_ef_search": e} for e in (32, 64, 128, 256)],
        ),
    ]
    for name, params, sweeps in candidates:
        t0 = time.perf_counter()
        index = build_index(data, params)
        build_s = time.perf_counter() - t0
        for sweep in sweeps:
            tuned = IndexParams(**{**params.__dict__, **sweep})
            configure_search(index, tuned)
            _, found = index.search(queries, 10)
            samples = time_calls(functools.partial(search_one, index), list(queries))
            p50, p95 = percentiles(samples)
            label = ", ".join(f"{k.split('_', 1)[1]}={v}" for k, v in sweep.items())
            extra = f"nlist={nlist}, " if name == "ivf" else f"M={params.hnsw_m}, "
            result["indexes"].append(
                {
                    "index": name,
                    "build_s": build_s,
                    "params": extra + label,
                    "recall@10": recall_at_10(found, truth),
                    "p50_ms": p50,
                    "p95_ms": p95,
                }
            )
            print(
                f"  {n:>9,} {name:5} {extra + label:28} recall@10 "
                f"{result['indexes'][-1]['recall@10']:.3f} p50 {p50:.2f} ms",
                flush=True,
            )
        del index
    return result


# --------------------------------------------------------------------------------------
def to_markdown(corpus: dict[str, Any] | None, synthetic: list[dict[str, Any]]) -> str:
    lines = [f"_Measured {time.strftime('%Y-%m-%d')} on: {describe_machine()}._", ""]
    if corpus:
        lines += [
            "**Sample corpus** (`knowledge/corpus`, default settings):",
            "",
            f"- Full ingest of {corpus['files']} files into {corpus['chunks']} chunks: "
            f"{corpus['ingest_s']:.1f} s, **{corpus['chunks_per_s']:.0f} chunks/s** "
            "(load, chunk, embed on the CPU, build and save the index).",
            "",
            "| mode | query p50 (ms) | query p95 (ms) |",
            "|---|---|---|",
        ]
        for mode, (p50, p95) in corpus["latency_ms"].items():
            lines.append(f"| {mode} | {p50:.1f} | {p95:.1f} |")
        lines += [
            "",
            f"Latency over the {corpus['queries']} evaluation questions, k=5, one "
            "query at a time, including query embedding.",
            "",
        ]
    for res in synthetic:
        lines += [
            f"**Synthetic {res['n']:,} x 384 vectors** ({res['queries']} queries, one at "
            "a time, recall@10 against exact search):",
            "",
            "| index | parameters | build (s) | recall@10 | p50 (ms) | p95 (ms) |",
            "|---|---|---|---|---|---|",
        ]
        for row in res["indexes"]:
            lines.append(
                f"| {row['index']} | {row['params']} | {row['build_s']:.0f} | "
                f"{row['recall@10']:.3f} | {row['p50_ms']:.2f} | {row['p95_ms']:.2f} |"
            )
        lines.append("")
    return "\n".join(lines)


def previous_synthetic() -> str:
    """The synthetic-vector tables already in the document (kept when they are not re-run:
    they do not depend on the corpus or the retrieval settings)."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    start, end = markers("retrieval")
    match = re.search(re.escape(start) + ".*?(\\*\\*Synthetic.*?)" + re.escape(end), text, re.S)
    if not match:
        return ""
    note = "_The synthetic-vector tables are kept from the last run that measured them._"
    return f"\n{note}\n\n" + match.group(1).rstrip() + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="Print only.")
    args = parser.parse_args(argv)

    import faiss

    settings = get_settings()
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    corpus = None if args.skip_corpus else bench_corpus(settings)
    if corpus:
        print(json.dumps(corpus, indent=1))
    synthetic = (
        []
        if args.skip_synthetic
        else [bench_synthetic(n, args.queries, settings) for n in args.sizes]
    )
    markdown = to_markdown(corpus, synthetic)
    if args.skip_synthetic:
        markdown += previous_synthetic()
    print(markdown)
    if not args.no_write:
        write_section("retrieval", "Retrieval", markdown)
        print(f"written to {DOC} ({platform.node()})")


if __name__ == "__main__":
    main()
