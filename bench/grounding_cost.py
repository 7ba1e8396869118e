"""What grounding costs in key facts: the generated sentences it drops, and whether any of them
held a fact the answer then lacks.

Usage:
    python -m bench.grounding_cost [--file real_docs_qa.jsonl] [--every 2] [--real-docs]

Asks the answerable questions of an answer set (every `--every`-th one) with the embedded
model, records every generated sentence that grounding drops and why (`number`, `words`,
`commitment`: `assistant/answering/grounding.py`), and counts the key facts lost to the
checks beyond numbers: a dropped sentence that held a key fact the final answer misses. With
`--real-docs` the questions are asked over the index that `plant eval real-docs` built
(`.plant/eval/real-docs`; run that first). Prints a summary; nothing is written.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.answering.evaluation import load_answer_questions
from assistant.settings import get_settings


def _normalise(text: str) -> str:
    """As answer scoring compares key facts: lower case, Markdown marks out, spaces collapsed."""
    for mark in "|*_`>":
        text = text.replace(mark, " ")
    return " ".join(text.lower().split())


def _chain(real_docs: bool) -> Any:
    from assistant.wiring import ingest_config, make_chain, make_embedder, search_config
    from retrieval.index_store import load_snapshot
    from retrieval.search import Searcher

    settings = get_settings()
    if not real_docs:
        return make_chain(settings, backend="embedded")
    index = replace(
        ingest_config(settings), index_dir=settings.data_dir / "eval" / "real-docs" / "index"
    ).index_dir
    embedder = make_embedder(settings)
    searcher = Searcher(load_snapshot(index), embedder, search_config(settings))
    return make_chain(settings, backend="embedded", searcher=searcher)


def main(argv: list[str] | None = None) -> None:
    import assistant.answering.grounded_stream as stream
    from assistant.answering.grounding import unsupported

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--real-docs", action="store_true")
    args = parser.parse_args(argv)
    settings = get_settings()
    default = "real_docs_qa.jsonl" if args.real_docs else "answer_qa.jsonl"
    questions = load_answer_questions(args.file or settings.eval_dir / default)
    questions = [q for q in questions if q.answerable][:: max(args.every, 1)]
    dropped: list[tuple[str, str]] = []

    def recording(sentence: str, passages: Any, min_support: float) -> str | None:
        reason = unsupported(sentence, passages, min_support)
        if reason is not None:
            dropped.append((reason, sentence))
        return reason

    stream.unsupported = recording  # type: ignore[assignment]
    chain = _chain(args.real_docs)
    reasons: Counter[str] = Counter()
    hits = lost = 0
    started = time.perf_counter()
    for question in questions:
        dropped.clear()
        shown = _normalise(chain.invoke(question.question).text)
        facts = [_normalise(k) for k in question.key_facts]
        found = all(k in shown for k in facts)
        hits += found
        reasons.update(reason for reason, _ in dropped)
        for reason, sentence in dropped:
            if reason != "number" and not found and any(k in _normalise(sentence) for k in facts):
                lost += 1
                print(f"lost {question.id} ({reason}): {sentence[:160]}")
    print(
        f"{len(questions)} answerable questions, key facts in {hits}; sentences dropped: "
        f"{dict(reasons)}; key facts lost to the checks beyond numbers: {lost} "
        f"({time.perf_counter() - started:.0f} s)"
    )


if __name__ == "__main__":
    main()
