"""What a question calls the thing it asks about: the words that bind a value to it.

"how heavy is an IM-220 moulding machine" asks about a *moulding machine*; "off sick since
Monday, from which day do I need a doctor's note" sets a scene first and asks about a
*doctor's note*. `asked_value` counts a value only where these words stand near it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answering.contrast import CLAUSE_END, NOT_SUBJECT, PLAIN_WORDS, without_negated
from assistant.answering.question_cues import AnswerType, subject_codes, without_codes

__all__ = ["asking_words", "subject_words"]

_WORD = re.compile(r"[A-Za-z]{3,}")
# without a code, a first clause with more words than this describes its subject rather than
# naming it (development sets: with a limit of 6 the real documents kept every answer, and 3
# more of the sample plant's near misses were declined; with none, 5 more, but the real
# documents lost an answer: key facts 0.840 -> 0.827)
_MAX_NAMING_WORDS = 6


def subject_words(question: str, kinds: Sequence[AnswerType]) -> list[str]:
    """What a question calls the thing it asks about: the words of its first clause (and of
    the clause that asks, where that is another) that are not a code, the asked kind's words,
    a question word, a verb in -ed or a word any question has. Without a code, a short
    clause's words name the thing ("the reach truck", "the CMM granite table"); more than
    `_MAX_NAMING_WORDS` describe it instead (a conductor's size, metal, insulation and air)
    and bind nothing.

    Example:
        >>> from assistant.answering.question_cues import expected_answer_types
        >>> weight = expected_answer_types("how heavy is it")
        >>> subject_words("how heavy is an IM-220 moulding machine", weight)
        ['moulding', 'machine']
    """
    # the first clause, and the clause that asks where another one does: "locking out a
    # compressor, what pressure should it read" asks about both
    first, asking = _clauses(question, kinds)
    clause = first if asking is None else f"{first} {asking}"
    words = _content_words(clause, kinds, NOT_SUBJECT)
    if not subject_codes(question) and len(words) > _MAX_NAMING_WORDS:
        return []
    return words


def asking_words(question: str, kinds: Sequence[AnswerType]) -> list[str]:
    """The content words from the clause that asks to the end, where a clause setting the
    scene comes first ("off sick with flu since Monday, from which day do I need a doctor's
    note?" -> doctor, note); none where the first clause asks. A long scene outvotes the
    asked words in `subject_words`; these alone bind a value too where the question names
    no code (`asked_value.answer_type_missing`).

    Example:
        >>> from assistant.answering.question_cues import expected_answer_types
        >>> duration = expected_answer_types("how long")
        >>> asking_words("on nights with the crew, how long is the canteen break", duration)
        ['canteen', 'break']
    """
    clauses = _split(question)
    at = _asking_at(clauses, kinds)
    return _content_words(" ".join(clauses[at:]), kinds, PLAIN_WORDS) if at else []


# a clause of these alone greets or hedges, it names no subject ("hiya, ...", "ok so, ...")
_GREETING = frozenset(
    "hi hiya hello hey morning evening afternoon ok okay right so well sorry thanks cheers "
    "please quick question guys team all".split()
)


def _split(question: str) -> list[str]:
    """The question's clauses, but a greeting opening it."""
    clauses = [c for c in CLAUSE_END.split(without_negated(question)) if c.strip()]
    while len(clauses) > 1 and set(re.findall(r"[a-z]+", clauses[0].lower())) <= _GREETING:
        clauses.pop(0)
    return clauses or [""]


def _asking_at(clauses: Sequence[str], kinds: Sequence[AnswerType]) -> int:
    """The index of the clause that asks: the first naming an asked kind, else the first."""
    return next((i for i, c in enumerate(clauses) if any(k.cue.search(c) for k in kinds)), 0)


def _clauses(question: str, kinds: Sequence[AnswerType]) -> tuple[str, str | None]:
    """The question's first clause and the clause that asks, where that is another."""
    clauses = _split(question)
    at = _asking_at(clauses, kinds)
    return clauses[0], clauses[at] if at else None


def _content_words(clause: str, kinds: Sequence[AnswerType], plain: frozenset[str]) -> list[str]:
    """A clause's words but codes, the asked kinds' words, `plain` words and verbs in -ed."""
    for kind in kinds:
        clause = kind.cue.sub(" ", clause)
    words = [w.lower() for w in _WORD.findall(without_codes(clause))]
    words = [w for w in words if w not in plain and not w.endswith("ed")]
    return list(dict.fromkeys(words))  # a word two clauses name counts once
