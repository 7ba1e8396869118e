"""The whole procedure when a quote holds part of it.

A manual's procedure of thirteen steps is chunked into several passages; "what is the
procedure for replacing the saw blade" retrieves some of them, and quoting steps 5 to 7 and 12
to 13 leaves the operator without the steps between ("check that the teeth point in the
direction of blade travel"). When the best quote for a question asking how to do something is
a run of numbered steps, `complete_procedure` quotes every step of that run from the whole
section, in order, cited to the passage the quote came from (its text now the section's).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.answers import Citation
from assistant.answering.composition import join_all
from assistant.answering.extractive import Quote, render
from assistant.answering.line_cues import PROCEDURE_QUESTION
from assistant.answering.passage_guard import clean_passage
from assistant.answering.retrieval_result import Retrieval
from retrieval.documents import Chunk

__all__ = ["complete_procedure", "numbered_runs"]

_STEP = re.compile(r"^\s*(\d{1,2})[.)]\s+(?=\S)")
_STEP_KEY = 60  # a step's first characters find it in a quote
_MAX_CHARS = 4000
_BEST_QUOTES = 2  # a run of steps among the best quotes is what the answer is about


def numbered_runs(text: str) -> list[list[str]]:
    """The runs of numbered steps in `text` (1, 2, 3, ...), each step with the lines that
    continue it, and the line introducing the run (ending in a colon) first when there is one.

    Example:
        >>> numbered_runs("To reset:\\n1. Remove the cause.\\n2. Tap Reset,\\n   then confirm."
        ...               "\\nDone.")
        [['To reset:', '1. Remove the cause.', '2. Tap Reset, then confirm.']]
    """
    runs: list[list[str]] = []
    run: list[str] = []
    expected = 1
    lines = [line for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        step = _STEP.match(line)
        if step and int(step.group(1)) == expected:
            if expected == 1:
                run = [lines[i - 1].strip()] if i and lines[i - 1].rstrip().endswith(":") else []
                runs.append(run)
            run.append(line.strip())
            expected += 1
        elif run and expected > 1 and line[:1].isspace() and not step:
            run[-1] = f"{run[-1]} {line.strip()}"  # a step's text wrapped onto the next line
        else:
            expected = 1
            run = []
    return [r for r in runs if sum(bool(_STEP.match(s)) for s in r) >= 2]


def complete_procedure(
    text: str, found: Retrieval, quotes: Sequence[Quote], chunks: Sequence[Chunk]
) -> str:
    """`text`, or, when the question asks how to do something and one of the best quotes is
    a step (or steps) of a run of numbered steps in its section that the quotes do not hold
    whole, that whole run followed by the quotes from other sections. The citation the run
    is quoted under gets the section's text (in `found.citations`)."""
    question, citations, passages = found.question, found.citations, found.passages
    if not PROCEDURE_QUESTION.search(question):
        return text
    by_number = {c.n: c for c in citations}
    by_id = {c.chunk_id: c for c in chunks}
    for quote in sorted(quotes, key=lambda q: -q.score)[:_BEST_QUOTES]:
        origin = by_number.get(quote.n)
        chunk = by_id.get(origin.chunk_id) if origin else None
        if origin is None or chunk is None:
            continue
        place = (chunk.source, chunk.heading_path)
        section_text = clean_passage(
            join_all([c.text for c in chunks if (c.source, c.heading_path) == place])
        )[0]
        same = {c.n for c in citations if _place(c, by_id) == place}
        quoted = " ".join(q.text for q in quotes if q.n in same)
        for run in numbered_runs(section_text):
            steps = [_STEP.sub("", s)[:_STEP_KEY] for s in run if _STEP.match(s)]
            if not any(step in quote.text for step in steps):
                continue  # the quote is not one of this run's steps
            if all(step in quoted for step in steps) or len("\n".join(run)) > _MAX_CHARS:
                break  # quoted whole already, or too long to quote
            citations[citations.index(origin)] = origin.model_copy(update={"text": section_text})
            rest = [q for q in quotes if q.n not in same]
            procedure = "\n".join(run) + f" [{origin.n}]"
            return procedure + (f"\n\n{render(rest, passages)}" if rest else "")
    return text


def _place(citation: Citation, chunks: dict[str, Chunk]) -> tuple[str, tuple[str, ...]] | None:
    chunk = chunks.get(citation.chunk_id)
    return (chunk.source, chunk.heading_path) if chunk else None
