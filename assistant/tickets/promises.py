"""Promises in a reply draft that its sources do not state: a refund, a waiver, something
free, a discount, compensation, a replacement, a credit, "no fee" (the same commitments the
answer grounding checks, `assistant.answering.grounding.new_commitments`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from assistant.answering.grounding import cited_numbers, new_commitments, split_sentences


def unsupported_promises(text: str, passages: Mapping[int, str]) -> list[str]:
    """Each sentence of `text` that commits to something its cited passages (all of them, for
    a sentence without a citation) do not state, with the commitment.

    Example:
        >>> unsupported_promises("We will refund you. Returns take 30 days [1].", {1: "30 days"})
        ['refund: We will refund you.']
    """
    found = []
    for sentence in split_sentences(text):
        cited = cited_numbers(sentence) or list(passages)
        evidence = "\n".join(passages[n] for n in cited if n in passages)
        found += [f"{what}: {sentence.strip()}" for what in new_commitments(sentence, evidence)]
    return found


def stated_phrases(text: str, phrases: Sequence[str], passages: Mapping[int, str]) -> list[str]:
    """The `phrases` (promises a ticket must not get) that `text` states outside a verbatim
    quote of its cited passages: "the claim is accepted" may be quoted from the warranty
    terms ("decides ... whether the claim is accepted"), not written by the drafter."""
    evidence = " ".join(" ".join(p.split()).lower() for p in passages.values())
    stated = []
    for sentence in split_sentences(text):
        plain = " ".join(_without_citations(sentence).split()).lower().lstrip("-| ").rstrip("|")
        quoted = bool(plain) and all(
            part.strip() in evidence for part in plain.split("|") if part.strip()
        )
        stated += [p for p in phrases if p.lower() in plain and not quoted]
    return stated


def _without_citations(sentence: str) -> str:
    import re

    return re.sub(r"\s*\[\d+(?:\s*,\s*\d+)*\]", "", sentence)
