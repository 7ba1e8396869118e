"""Keep answers grounded: valid citations only, no unsupported numbers, honest abstention."""

from __future__ import annotations

import re
from collections.abc import Mapping

_CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[])|\n+")
# Numbers as written in the manuals: 12,000 / 0.8 / 2.4 (citations are removed first).
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")


def cited_numbers(text: str) -> list[int]:
    """Every source number cited in `text`, in order of first appearance."""
    seen: list[int] = []
    for match in _CITATION.finditer(text):
        for part in match.group(1).split(","):
            n = int(part)
            if n not in seen:
                seen.append(n)
    return seen


def strip_invalid_citations(text: str, valid: set[int]) -> str:
    """Remove citations to sources that were not shown; `[2, 9]` with 9 unknown becomes `[2]`."""

    def fix(match: re.Match[str]) -> str:
        kept = [p.strip() for p in match.group(1).split(",") if int(p) in valid]
        return f"[{', '.join(kept)}]" if kept else ""

    cleaned = _CITATION.sub(fix, text)
    return re.sub(r"[ \t]+([.,;:])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned)).strip()


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _numbers(text: str) -> set[str]:
    without_citations = _CITATION.sub(" ", text)
    return {m.group(0).replace(",", "") for m in _NUMBER.finditer(without_citations)}


def drop_unsupported_sentences(text: str, passages: Mapping[int, str]) -> tuple[str, int]:
    """Remove sentences stating a number found in none of the passages they cite.

    A sentence without a citation is checked against all passages. Returns the cleaned text
    and how many sentences were removed.
    """
    kept, dropped = [], 0
    for sentence in split_sentences(text):
        cited = cited_numbers(sentence) or list(passages)
        evidence = " ".join(passages[n] for n in cited if n in passages)
        if _numbers(sentence) - _numbers(evidence):
            dropped += 1
            continue
        kept.append(sentence)
    return " ".join(kept), dropped


def should_abstain(best_similarity: float | None, threshold: float) -> bool:
    """Abstain when nothing was retrieved or the best passage is too dissimilar."""
    return best_similarity is None or best_similarity < threshold
