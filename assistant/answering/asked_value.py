"""Whether the passages state the asked value *for the asked subject*, not only somewhere.

A passage can hold a value of the asked kind that belongs to something else: "what does the
RX-6 robot weigh" retrieves the RX-6 data sheet with its 6 kg *payload* and a moulding manual
that weighs a 1.5 g shot; "how many lockers are in Hall C" retrieves a sentence that returns
workwear to "your locker shelf within 3 working days". Quoting either answers a question the
documents never answer (a near miss). So a value counts only where it is bound to the question:

* **to the subject**: when the question names a code (RX-6, VMC-850, FD002), the sentence, its
  paragraph or list item, the table (caption and header) or the passage's heading names it;
* **to the attribute**: for a kind whose unit many attributes share (`AnswerType.attribute`:
  weight, pressure, colour, price ...), the sentence or table row, its column headers or its
  heading names the attribute ("weight", "mass", "net"), not another one ("payload");
* **to the asked part of the subject**: when the question names a code and the sentence or
  row does not, the words the question uses for what it asks about ("the PW-400 *spray
  pump*", "an IM-220 *screw*", "an IM-220 *moulding machine*") are at least half in it, its
  table's labels or its heading — the PW-400's *bag filter* differential pressure, the
  *hydraulic oil* change every 2 years, or a *mould* that weighs 1.4 t belong to something
  else;
* **for a count** ("how many lockers"): a number stands right before the counted word ("24
  valve bodies", "5 consecutive parts") or is its labelled value ("Lockers: 120", a table
  cell under "Lockers").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.answering.question_cues import (
    AnswerType,
    asked_count_nouns,
    expected_answer_types,
    normalise_code,
    subject_codes,
    without_codes,
)
from retrieval.tables import split_blocks, with_header_units

__all__ = [
    "answer_type_missing",
    "count_missing",
    "count_patterns",
    "subject_words",
    "value_missing",
]

_DIGIT = re.compile(r"\d")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n")
# a paragraph ends at a blank line; a list item ("- ...", "3 ...", "2) ...") is one of its own
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*+•]|\d+[.)]?)\s)")
_COUNT_NUMBER = (
    r"(?:(?<![\w-])\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundred|dozen|several|single|both|no)"
)
# a unit between a number and a word measures the word ("15 kW spindle motor"), never counts it
_MEASURE = (
    r"(?:mm|cm|m|km|kw|w|kva|v|kv|a|ma|kg|g|t|rpm|bar|mbar|psi|s|sec|min|h|hrs?|nm|n|kn|hz|khz|"
    r"l|ml|°c|°f|%|x|in|ft|lbs?|years?|months?|weeks?|days?|hours?|minutes?|seconds?)"
)
_STEM = 5  # "lockers" and "locker", "trajectories" and "trajectory" share their first letters
# the question's first clause: "how heavy is a PH mould for the IM-220, need to know before
# lifting" asks about the mould, not the lifting
_CLAUSE_END = re.compile(r"[,;?]|\s-\s|\bneeds?\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z]{3,}")
_NOT_SUBJECT = frozenset(
    "the and for with from what whats which how who when where why can could should must will "
    "would may might are was were been does did our your their its this that these those there "
    "here much many long far big high low large small max maximum min minimum rated nominal "
    "typical normal standard value values approx approximately about per each any all one get "
    "give need needs use used before after into onto over under between".split()
)


@dataclass(frozen=True)
class _Unit:
    """A sentence or a table row, with what surrounds it."""

    text: str
    heading: str  # the passage's first line: its title and section path
    labels: str  # a table row's caption and column headers; empty for a sentence
    paragraph: str  # the paragraph, list item or table the unit belongs to


def _units(passage: str) -> list[_Unit]:
    heading = passage.split("\n", 1)[0]
    units: list[_Unit] = []
    caption = ""
    for block in split_blocks(with_header_units(passage)):
        if block.header is not None:
            labels = f"{caption} {block.header}"
            units += [_Unit(row, heading, labels, labels) for row in block.rows]
            continue
        for paragraph in _PARAGRAPH.split(block.text):
            sentences = [s for s in _SENTENCE.split(paragraph) if s.strip()]
            units += [_Unit(s, heading, "", paragraph) for s in sentences]
            if sentences:
                caption = sentences[-1]
    return units


def _about(unit: _Unit, codes: set[str]) -> bool:
    if not codes:
        return True
    text = normalise_code(f"{unit.heading} {unit.paragraph} {unit.text}")
    return any(code in text for code in codes)


def _bound(kind: AnswerType, unit: _Unit) -> bool:
    if kind.value.search(unit.text):
        named = kind.attribute
        return named is None or bool(named.search(f"{unit.text} {unit.heading} {unit.labels}"))
    # a table of bare numbers whose header or heading names the asked quantity
    return bool(
        unit.labels
        and _DIGIT.search(unit.text)
        and kind.cue.search(f"{unit.heading} {unit.labels}")
    )


def subject_words(question: str, kinds: Sequence[AnswerType]) -> list[str]:
    """What a question that names a code calls the part of it it asks about: the words of its
    first clause that are not the code, the asked kind's words, a question word, a verb in
    -ed or a word any question has; none without a code (a general question's words describe
    rather than name a part).

    Example:
        >>> weight = [t for t in expected_answer_types("how heavy is it")]
        >>> subject_words("how heavy is an IM-220 moulding machine", weight)
        ['moulding', 'machine']
    """
    if not subject_codes(question):
        return []
    clause = _CLAUSE_END.split(question, maxsplit=1)[0]
    for kind in kinds:
        clause = kind.cue.sub(" ", clause)
    words = [w.lower() for w in _WORD.findall(without_codes(clause))]
    return [w for w in words if w not in _NOT_SUBJECT and not w.endswith("ed")]


def _names_subject(unit: _Unit, words: Sequence[str], codes: set[str]) -> bool:
    """Whether the unit itself names the code ("| SK-16 | 24.80 |"), or at least half of
    `words` are in it, its table's labels or its heading."""
    if not words or any(code in normalise_code(unit.text) for code in codes):
        return True
    near = f"{unit.text} {unit.labels} {unit.heading}".lower()
    return 2 * sum(w[:_STEM] in near for w in words) >= len(words)


def value_missing(
    kind: AnswerType, passages: Sequence[str], codes: set[str], words: Sequence[str] = ()
) -> bool:
    """Whether no sentence or row of the passages states a value of `kind` bound to the
    subject `codes` (and, for a shared unit, to the attribute; with `words`, to the part of
    the subject they name)."""
    return not any(
        _about(u, codes) and _bound(kind, u) and _names_subject(u, words, codes)
        for p in passages
        for u in _units(p)
    )


def count_patterns(nouns: Sequence[str]) -> list[re.Pattern[str]]:
    """For each counted noun, a number stated of it: "24 valve bodies", "Lockers: 120"."""
    stems = [re.escape(noun.lower().rstrip("s")[:_STEM]) for noun in nouns]
    return [
        re.compile(
            rf"\b{_COUNT_NUMBER}\s+(?:(?!{_MEASURE}\b)[\w-]+\s+){{0,2}}{stem}\w*|"
            rf"\b{stem}\w*\s*[:|(=]\s*{_COUNT_NUMBER}\b",
            re.IGNORECASE,
        )
        for stem in stems
    ]


def count_missing(nouns: Sequence[str], passages: Sequence[str], codes: set[str]) -> bool:
    """Whether no passage gives a number of any of the counted `nouns` for the subject."""
    counted = count_patterns(nouns)
    # or a table column or caption naming the word
    stems = [re.escape(noun.lower().rstrip("s")[:_STEM]) for noun in nouns]
    labelled = [re.compile(rf"\b{stem}", re.IGNORECASE) for stem in stems]
    # a passage's heading line numbers its section ("4.8 Subscriptions"): it counts nothing
    body = [
        u for p in passages for u in _units(p) if "\n" not in p or u.text.strip() not in u.heading
    ]
    for unit in body:
        if not _about(unit, codes):
            continue
        if any(pattern.search(unit.text) for pattern in counted):
            return False
        if _DIGIT.search(unit.text) and any(word.search(unit.labels) for word in labelled):
            return False
    return True


def answer_type_missing(question: str, passages: Iterable[str]) -> bool:
    """Whether the question asks for a kind of value (or a count) that no passage states for
    the asked subject; each passage starts with its heading line.

    Example:
        >>> answer_type_missing("what voltage does the welder need", ["Wire: 1.0 mm"])
        True
        >>> answer_type_missing("what voltage does the welder need", ["Supply: 400 V"])
        False
        >>> answer_type_missing("what does the RX-6 weigh", ["RX-6 data\\nPayload: 6 kg"])
        True
    """
    passages = list(passages)
    codes = subject_codes(question)
    kinds = expected_answer_types(question)
    words = subject_words(question, kinds)
    if any(value_missing(kind, passages, codes, words) for kind in kinds):
        return True
    nouns = asked_count_nouns(question)
    return bool(nouns) and count_missing(nouns, passages, codes)
