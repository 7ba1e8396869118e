"""The extractive backend: answer by quoting the passage lines that best match the question."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from assistant.answering.retrieval_result import TextVectors
from retrieval.bm25 import tokenize
from retrieval.embeddings import SentenceEmbedder
from retrieval.tables import is_table_line, row_as_text, split_blocks

_UNIT_SPLIT = re.compile(r"\n+|(?<=[.!?])\s+(?=[A-Z0-9])")
# Questions asking for a quantity, a time, a limit or a code: answer-type matching prefers
# units that contain a number.
_QUANTITY_QUESTION = re.compile(
    r"\b(how (much|many|long|often|fast|big|thick|heavy|high|low|far|old)|when|what time|"
    r"minimum|maximum|min|max|limit|limits|torque|temperature|pressure|speed|force|weight|"
    r"interval|frequency|size|number|percentage|amount|rate|time|times|value)\b",
    re.I,
)
_HAS_NUMBER = re.compile(r"\d")


@dataclass(frozen=True)
class Quote:
    """One quoted line and the number of the passage it came from."""

    n: int
    text: str
    score: float


def passage_units(text: str) -> list[str]:
    """What can be quoted from a passage: sentences and list steps, each sentence also joined
    with the next (a fact often sits in the sentence after the one naming the subject), and
    every table row together with its column names.

    Example:
        >>> passage_units("| Code | Message |\n|---|---|\n| E-114 | Coolant low |")
        ['Code E-114 — Message: Coolant low']
    """
    units: list[str] = []
    for block in split_blocks(text):
        if block.header is not None:
            units.extend(u for u in (row_as_text(block.header, r) for r in block.rows) if u)
            continue
        sentences = [
            u.strip()
            for u in _UNIT_SPLIT.split(block.text)
            if len(u.strip()) >= 12 and not is_table_line(u)
        ]
        units.extend(sentences)
        units.extend(f"{a} {b}" for a, b in itertools.pairwise(sentences) if len(a + b) < 300)
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

    def quotes(
        self, question: str, passages: dict[int, str], vectors: TextVectors | None = None
    ) -> list[Quote]:
        """The best lines; `vectors` holds those already embedded for this question."""
        units = [(n, u) for n, text in passages.items() for u in passage_units(text)]
        if not units:
            return []
        if vectors is None:
            vectors = TextVectors(self.embedder)
        encoded = vectors.encode([question] + [u for _, u in units])
        similarity = encoded[1:] @ encoded[0]
        q_tokens = set(tokenize(question))
        overlap = np.array(
            [len(q_tokens & set(tokenize(u))) / (len(q_tokens) or 1) for _, u in units]
        )
        # passage rank matters: retrieval already judged the whole passage
        rank_prior = np.array([1.0 / (1 + 0.15 * (n - 1)) for n, _ in units])
        wants_number = bool(_QUANTITY_QUESTION.search(question))
        number_bonus = np.array(
            [0.15 if wants_number and _HAS_NUMBER.search(u) else 0.0 for _, u in units]
        )
        scores = (0.6 * similarity + 0.4 * overlap + number_bonus) * rank_prior
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

    def answer(
        self, question: str, passages: dict[int, str], vectors: TextVectors | None = None
    ) -> str:
        """Quoted lines, each ending with its citation, in the order of the passages."""
        quotes = self.quotes(question, passages, vectors)
        quotes = sorted(quotes, key=lambda q: (q.n, -q.score))
        lines = [f"{q.text.strip().rstrip('|').strip()} [{q.n}]" for q in quotes]
        if len(lines) == 1:
            return lines[0]
        return "\n".join(f"- {line}" for line in lines)
