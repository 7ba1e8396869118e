"""The extractive backend: answer by quoting the passage lines that best match the question."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from retrieval.bm25 import tokenize
from retrieval.embeddings import SentenceEmbedder

_UNIT_SPLIT = re.compile(r"\n+|(?<=[.!?])\s+(?=[A-Z0-9])")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")


@dataclass(frozen=True)
class Quote:
    """One quoted line and the number of the passage it came from."""

    n: int
    text: str
    score: float


def passage_units(text: str, window: int = 4) -> list[str]:
    """Sentences, list steps and table rows of a passage, without table rules or stubs.

    Tables extracted from PDFs arrive one cell per line; when most lines are that short, runs
    of `window` consecutive lines are added as units too, so a row can be quoted whole.
    """
    units = []
    for raw in _UNIT_SPLIT.split(text):
        unit = raw.strip()
        if len(unit) < 12 or _TABLE_RULE.match(unit):
            continue
        units.append(unit)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) >= window and sorted(len(line) for line in lines)[len(lines) // 2] < 40:
        units.extend(" | ".join(lines[i : i + window]) for i in range(len(lines) - window + 1))
    return units


class ExtractiveAnswerer:
    """Scores every unit of the numbered passages against the question and quotes the best.

    Example:
        >>> answerer = ExtractiveAnswerer(embedder)  # doctest: +SKIP
        >>> answerer.answer("what does E-114 mean", {1: "E-114 | Coolant low"})  # doctest: +SKIP
        'E-114 | Coolant low [1]'
    """

    def __init__(
        self, embedder: SentenceEmbedder, *, max_quotes: int = 3, min_ratio: float = 0.8
    ) -> None:
        self.embedder = embedder
        self.max_quotes = max_quotes
        self.min_ratio = min_ratio  # keep quotes scoring at least this share of the best

    def quotes(self, question: str, passages: dict[int, str]) -> list[Quote]:
        units = [(n, u) for n, text in passages.items() for u in passage_units(text)]
        if not units:
            return []
        vectors = self.embedder.encode([question] + [u for _, u in units])
        similarity = vectors[1:] @ vectors[0]
        q_tokens = set(tokenize(question))
        overlap = np.array(
            [len(q_tokens & set(tokenize(u))) / (len(q_tokens) or 1) for _, u in units]
        )
        # passage rank matters: retrieval already judged the whole passage
        rank_prior = np.array([1.0 / (1 + 0.15 * (n - 1)) for n, _ in units])
        scores = (0.6 * similarity + 0.4 * overlap) * rank_prior
        order = np.argsort(-scores)
        best = float(scores[order[0]])
        chosen: list[Quote] = []
        chosen_tokens: list[set[str]] = []
        for i in order:
            if len(chosen) == self.max_quotes or scores[i] < self.min_ratio * best:
                break
            tokens = set(tokenize(units[i][1]))
            if any(
                len(tokens & seen) > 0.5 * min(len(tokens), len(seen)) for seen in chosen_tokens
            ):
                continue  # mostly repeats a quote already chosen (overlapping table windows)
            chosen.append(Quote(units[i][0], units[i][1], float(scores[i])))
            chosen_tokens.append(tokens)
        return chosen

    def answer(self, question: str, passages: dict[int, str]) -> str:
        """Quoted lines, each ending with its citation, in the order of the passages."""
        quotes = sorted(self.quotes(question, passages), key=lambda q: (q.n, -q.score))
        lines = [f"{q.text.strip().rstrip('|').strip()} [{q.n}]" for q in quotes]
        if len(lines) == 1:
            return lines[0]
        return "\n".join(f"- {line}" for line in lines)
