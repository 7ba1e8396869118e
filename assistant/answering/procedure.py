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
from collections.abc import Callable, Sequence

from assistant.answering.composition import join_all
from assistant.answering.extractive import Quote, render
from assistant.answering.line_cues import PROCEDURE_QUESTION
from assistant.answering.passage_guard import clean_passage
from assistant.answering.retrieval_result import Retrieval
from retrieval.documents import Chunk

__all__ = ["complete_procedure", "numbered_runs"]

# a numbered step; its number alone where the passage guard cut the step's text
_STEP = re.compile(r"^\s*(\d{1,2})[.)](?:\s+(?=\S)|\s*$)")
_STEP_KEY = 60  # a step's first characters find it in a quote
_MAX_CHARS = 4000
_BEST_QUOTES = 2  # a run of steps among the best quotes is what the answer is about


def numbered_runs(text: str) -> list[list[str]]:
    """The runs of numbered steps in `text` (1, 2, 3, ...), each step with the lines that
    continue it, the notes between steps ("CAUTION: ...") kept in place, and the line
    introducing the run (ending in a colon) first when there is one.

    Example:
        >>> for run in numbered_runs("To reset:\\n1. Remove the cause.\\n2. Tap Reset,\\n"
        ...                          "   then confirm.\\nNOTE: wait.\\n3. Log it.\\nDone."):
        ...     print("\\n".join(run))
        To reset:
        1. Remove the cause.
        2. Tap Reset, then confirm.
        NOTE: wait.
        3. Log it.
    """
    runs: list[list[str]] = []
    run: list[str] = []
    expected = 1
    lines = [line for line in text.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        step = _STEP.match(line)
        if step and int(step.group(1)) == 1:
            run = [lines[i - 1].strip()] if i and lines[i - 1].rstrip().endswith(":") else []
            runs.append(run)
            expected = 1
        if step and int(step.group(1)) == expected:
            run.append(line.strip())
            expected += 1
        elif run and expected > 1 and line[:1].isspace() and not step:
            run[-1] = f"{run[-1]} {line.strip()}"  # a step's text wrapped onto the next line
        elif run and expected > 1 and not step:
            run.append(line.strip())  # a note between steps, or the text after the last
        else:
            expected, run = 1, []
    return [_to_last_step(r) for r in runs if sum(bool(_STEP.match(s)) for s in r) >= 2]


def _to_last_step(run: list[str]) -> list[str]:
    """The run up to its last step (the lines after it are not the procedure's)."""
    last = max(i for i, line in enumerate(run) if _STEP.match(line))
    return run[: last + 1]


def complete_procedure(
    text: str, found: Retrieval, quotes: Sequence[Quote], section_of: Callable[[str], list[Chunk]]
) -> str:
    """`text`, or, when the question asks how to do something and one of the best quotes is
    a step (or steps) of a run of numbered steps in its section that the quotes do not hold
    whole, that whole run followed by the quotes it does not hold. The citation the run is
    quoted under gets the section's text (in `found.citations`); `section_of` gives the
    chunks of the section a chunk id belongs to (`Searcher.section_of`)."""
    question, citations, passages = found.question, found.citations, found.passages
    if not PROCEDURE_QUESTION.search(question):
        return text
    by_number = {c.n: c for c in citations}
    for quote in sorted(quotes, key=lambda q: -q.score)[:_BEST_QUOTES]:
        origin = by_number.get(quote.n)
        section = section_of(origin.chunk_id) if origin else []
        if origin is None or not section:
            continue
        section_text = clean_passage(join_all([c.text for c in section]))[0]
        ids = {c.chunk_id for c in section}
        same = {c.n for c in citations if c.chunk_id in ids}
        quoted = [q for q in quotes if q.n in same]
        for run in numbered_runs(section_text):
            whole = "\n".join(run)
            steps = [_STEP.sub("", s)[:_STEP_KEY] for s in run if _STEP.match(s)]
            steps = [step for step in steps if step]
            if not any(step in quote.text for step in steps):
                continue  # the quote is not one of this run's steps
            if all(any(step in q.text for q in quoted) for step in steps):
                break  # quoted whole already
            if len(whole) > _MAX_CHARS:
                break
            citations[citations.index(origin)] = origin.model_copy(update={"text": section_text})
            rest = [q for q in quotes if q.n not in same or not _within(q.text, whole)]
            return f"{whole} [{origin.n}]" + (f"\n\n{render(rest, passages)}" if rest else "")
    return text


def _within(quoted: str, run: str) -> bool:
    """Whether every line of a quote stands in the run (its list marks aside)."""
    lines = [_STEP.sub("", line).strip() for line in quoted.splitlines()]
    return all(line in run for line in lines if line)
