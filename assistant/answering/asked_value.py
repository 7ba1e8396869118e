"""Whether the passages state the asked value *for the asked subject*, not only somewhere.

A passage can hold a value of the asked kind that belongs to something else: "what does the
RX-6 robot weigh" retrieves the RX-6 data sheet with its 6 kg *payload* and a moulding manual
that weighs a 1.5 g shot; "how many lockers are in Hall C" retrieves a sentence that returns
workwear to "your locker shelf within 3 working days". Quoting either answers a question the
documents never answer (a near miss). So a value counts only where it is bound to the question:

* **to the subject**: when the question names a code (RX-6, VMC-850, FD002), the sentence, its
  paragraph or list item, the table (caption and header) or the passage's heading names it,
  or the heading or paragraph names its family ("KV Valve Body Installation Guide" for a
  KV-20, "PH pallets" for a PH-55) and the sentence names no other member of it;
* **to the attribute**: for a kind whose unit many attributes share (`AnswerType.attribute`:
  weight, pressure, colour, price ...), the sentence or table row, its column headers or its
  heading names the attribute ("weight", "mass", "net"), not another one ("payload");
* **to the asked part of the subject**: unless the sentence names the question's code (or
  the table row is keyed by it), the words the question uses for what it asks about ("the
  PW-400 *spray pump*", "an IM-220 *screw*", "the *reach truck*") are at least half in it,
  its table's labels or its heading (without a code, its paragraph too) — the PW-400's *bag
  filter* differential pressure, the *hydraulic oil* change every 2 years, a port plug that
  fits the KV-20 or the *counterbalance* trucks' load belong to something else; without a
  code, the words of the clause that asks after a scene ("off sick with flu since Monday,
  from which day do I need a *doctor's note*") bind on their own (`asked_subject.py`);
* **to the condition the question sets**: "what clamping force at 2.4 MPa" is answered only
  where 2.4 stands in the sentence or row, its labels or heading (the force at 1.8 MPa answers
  another question);
* **to the numbered part asked about**: "the axis 4 reducer", "zone 3", "Hall C" are named
  where the value stands (axis 1 to 3's grease is not axis 4's);
* **for a part number**: a code other than the question's own ("the KP number of CF-20
  fluid" is not answered by "CF-20");
* **for a count** ("how many lockers"): a number stands right before the counted word ("24
  valve bodies", "5 consecutive parts") or is its labelled value ("Lockers: 120", a table
  cell under "Lockers");
* **not to another thing**: no other qualifier of the asked noun, no opposite of an asked
  word, no colour of another noun, and the table row the question asks about
  (`contrast.py`).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Sequence

from assistant.answering.asked_subject import asking_words, subject_words
from assistant.answering.asked_task import asked_tasks, names_task
from assistant.answering.contrast import (
    AskedWords,
    asked_words,
    elsewhere,
    names_key,
    shared_words,
)
from assistant.answering.question_cues import (
    AnswerType,
    asked_count_nouns,
    asking_clause,
    expected_answer_types,
    names_code,
    normalise_code,
    subject_codes,
)
from assistant.answering.value_parts import part_elsewhere, priced_per_other
from assistant.answering.value_units import DocumentCodes, Unit, body_units, units
from retrieval.tables import cells

__all__ = [
    "answer_type_missing",
    "count_missing",
    "count_patterns",
    "designator_patterns",
    "value_missing",
]

_DIGIT = re.compile(r"\d")
# a pronoun in the asking clause: "how long has maintenance got to fix *them*"
# ("IT" is a department, "its lens" names the thing)
_REFERS_BACK = re.compile(r"\b(?:[Ii]t|[Tt]hey|them|[Tt]hese|[Tt]hose)\b")
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
# a numbered part of a subject: "axis 4", "zone 3", "Hall C" (a capital letter only)
_DESIGNATOR = re.compile(
    r"\b(axis|zone|stage|step|hall|bay|station|cavity|cylinder|channel|slot|gear|pocket|"
    r"heater)\s+(\d+|(?-i:[A-Z]))\b",
    re.IGNORECASE,
)


def _about(unit: Unit, codes: set[str], designators: Sequence[re.Pattern[str]] = ()) -> bool:
    around = f"{unit.heading} {unit.paragraph} {unit.text} {unit.labels}"
    if not all(d.search(around) for d in designators):
        return False
    if not codes:
        return True
    if any(names_code(code, around) for code in codes) or _of_family(unit, codes):
        return True
    # a code its document names elsewhere ("a titanium horn HN-55") is the subject of a unit
    # naming no other code but the title's that says what it is ("tighten the new horn")
    document, named = unit.document, codes & unit.document.mentions
    others = subject_codes(around) - codes - document.title
    return not others and any(document.describes(code, unit.text) for code in named)


# a code's family: its letters before the first digit ("kv" of kv20, "vmc" of vmc850)
_FAMILY = re.compile(r"^([a-z]{2,5})\d")


def _of_family(unit: Unit, codes: set[str]) -> bool:
    """Whether the passage's heading or the unit's paragraph names the family of a code the
    question asks about ("KV Valve Body Installation Guide" for a KV-20; "corner boards on
    PH pallets" for a PH-55) and the sentence or row names no other member of it (a KV-16's
    value is not a KV-20's): what is said of a family holds for each of its members."""
    for code in codes:
        family = _FAMILY.match(code)
        if family is None:
            continue
        named, member = _family_patterns(family.group(1))
        if not named.search(f"{unit.heading} {unit.paragraph}"):
            continue
        if not {normalise_code(m) for m in member.findall(unit.text)} - {code}:
            return True
    return False


@functools.lru_cache(maxsize=256)
def _family_patterns(prefix: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The family's name alone ("KV" in a heading, not "KV-20") and any member of it."""
    return (
        re.compile(rf"\b{prefix}\b(?![\s-]?\d)", re.IGNORECASE),
        re.compile(rf"\b{prefix}[\s-]?\d\w*", re.IGNORECASE),
    )


def designator_patterns(question: str) -> list[re.Pattern[str]]:
    """What a question numbers within its subject ("the axis 4 reducer", "zone 3", "Hall C"):
    a value for axis 1 to 3 does not answer for axis 4.

    Example:
        >>> [p.search("Axis 3 reducer") for p in designator_patterns("the axis 4 reducer")]
        [None]
    """
    return [
        re.compile(rf"\b{re.escape(m.group(1).lower())}\s*{re.escape(m.group(2))}\b", re.I)
        for m in _DESIGNATOR.finditer(question)
    ]


def _bound(kind: AnswerType, unit: Unit, codes: set[str]) -> bool:
    values = kind.value.findall(unit.text)
    if kind.name == "part number":  # the question's own code is not the number it asks for
        values = [v for v in values if normalise_code(v) not in codes]
    if values:
        named = kind.attribute
        return named is None or bool(named.search(f"{unit.text} {unit.heading} {unit.labels}"))
    # a table of bare numbers whose header or heading names the asked quantity
    return bool(
        unit.labels
        and _DIGIT.search(unit.text)
        and kind.cue.search(f"{unit.heading} {unit.labels}")
    )


# the key a cell gives its value: "RB10-1300E Series" of "RB10-1300E Series: 10 kg"
_CELL_KEY = re.compile(r"(?:^|\|)\s*([^|:]{2,40}):\s*[^|\s]")


def _names(unit: Unit, words: Sequence[str], asking: Sequence[str], codes: set[str]) -> bool:
    """Whether the unit names the subject by the question's words or its asking words; a
    question whose scene is too long to name its subject (no `words`) still names it by the
    words that ask ("we finish at 22:00. what time does the last number 14 bus leave")."""
    if not words and asking:  # one of them will do, in the unit: the scene named the rest
        return _names_subject(unit, asking, codes, share=1 / len(asking), paragraph=False)
    return _names_subject(unit, words, codes) or bool(
        asking and _names_subject(unit, asking, codes)
    )


def _names_subject(
    unit: Unit, words: Sequence[str], codes: set[str], share: float = 0.5, paragraph: bool = True
) -> bool:
    """Whether the unit itself names the code (a sentence, or a row keyed by it: "| SK-16 |
    24.80 |" or "| Payload | SK-16: 5 kg |", not a row of another part that fits it: "| PP-38
    | Port plug | KV-20 |"), or
    at least `share` of `words` (half) are in it, its table's labels or its heading."""
    own = unit.text.strip().strip("|").split("|")[0] if unit.labels else unit.text
    if unit.labels:  # a cell keyed by the code: "| Payload | RB10-1300E Series: 10 kg |"
        own += " " + " ".join(_CELL_KEY.findall(unit.text))
    if not words or any(names_code(code, own) for code in codes):
        return True
    near = f"{unit.text} {unit.labels} {unit.heading}"
    if paragraph and not codes:  # without a code the words may name it a paragraph earlier
        near = f"{near} {unit.paragraph}"
    return sum(w[:_STEM] in near.lower() for w in words) >= share * len(words)


# a measured condition the question sets ("at 2.4 MPa", "for a 60 mm bar"): a number and its unit
_CONDITION = re.compile(
    r"(?<![\w.,-])(\d+(?:[.,]\d+)?)\s?(?:mpa|kpa|bar|psi|kn|n|nm|mm|cm|m|°c|°f|v|kv|a|kw|w|kg|g|"
    r"rpm|hz|l/min|%)(?![\w/])",
    re.IGNORECASE,
)


def condition_numbers(question: str) -> list[str]:
    """The numbers of the measured conditions a question sets ("what clamping force at 2.4
    MPa" -> ["2.4"]): a value stated for another condition answers another question."""
    return [m.group(1).replace(",", ".") for m in _CONDITION.finditer(question)]


def _condition_patterns(numbers: Sequence[str]) -> list[re.Pattern[str]]:
    """Each condition's number standing alone ("2.4", not "12.4" or "2.45")."""
    return [re.compile(rf"(?<![\d.]){re.escape(n)}(?![\d])") for n in numbers]


def _meets(unit: Unit, conditions: Sequence[re.Pattern[str]]) -> bool:
    if not conditions:
        return True
    near = f"{unit.text} {unit.labels} {unit.heading}".replace(",", ".")
    return all(pattern.search(near) for pattern in conditions)


def value_missing(
    kind: AnswerType, passages: Sequence[str], codes: set[str], words: Sequence[str] = (),
    designators: Sequence[re.Pattern[str]] = (), conditions: Sequence[str] = (),
    asked: AskedWords | None = None, asking: Sequence[str] = (),
    tasks: Sequence[re.Pattern[str]] = (), documents: Sequence[DocumentCodes] = (),
) -> bool:  # fmt: skip
    """Whether no sentence or row of the passages states a value of `kind` bound to the
    subject `codes` (and, for a shared unit, to the attribute; with `words`, to the part of
    the subject they name; with `designators`, to the numbered part asked about; with
    `conditions`, the numbers of `condition_numbers`, stated with each of them; with
    `asked`, not put on another thing by `contrast.elsewhere`; for an interval, with
    `tasks`, naming the asked task of `asked_task.py`; with `documents`, each passage's
    document's codes, which `_about` reads). A passage's heading line
    states no value ("MP-06 Check ring wear (IM-220)" numbers a procedure) but a date (a
    regulation's title dates it)."""
    met = _condition_patterns(conditions)
    colour = kind.name == "colour"
    tasks = tasks if kind.name == "interval" else ()
    stated = _stated(passages, documents, units if kind.name == "date" else body_units)
    asked = asked or AskedWords(frozenset(), (), (), ())
    # a question asking two things ("mould temperature and holding pressure") asks two rows
    best = _best_rows(stated, asked, codes) if asked.kinds < 2 else None
    return not any(
        _about(u, codes, designators)
        and _bound(kind, u, codes)
        and _names(u, words, asking, codes)
        and _meets(u, met)
        and not elsewhere(f"{u.text} | {u.header}", asked, colour=colour)
        and not part_elsewhere(u.text, u.header, kind.value, asked)
        and not (kind.name == "price" and priced_per_other(u.text, asked))
        and names_task(f"{u.text} {u.labels} {u.heading}", tasks)
        and (best is None or not u.header or u.text in best.get(u.header, ()))
        for u in stated
    )


def _best_rows(units: Sequence[Unit], asked: AskedWords, codes: set[str]) -> dict[str, set[str]]:
    """For each table (by its header, over all passages: a table split across chunks is
    one), the rows the question may ask about: those whose key cell it names ("what SNR in
    the compressor room": the row "| Compressor room | ... |"; "how often is module OPS-CMM
    refreshed": the row "| OPS-CMM | ... |", not another module's), else those naming most of
    its words and codes (`contrast.shared_words`: "the oily waste bin" is the row of oily
    rags, not the black bin's)."""
    best: dict[str, set[str]] = {}
    tables: dict[str, list[Unit]] = {}
    for unit in units:
        if unit.header:
            tables.setdefault(unit.header, []).append(unit)
            key = cells(unit.text)[0]
            if names_key(key, asked) or _keyed_by(key, codes):
                best.setdefault(unit.header, set()).add(unit.text)
    for header, rows in tables.items():
        if header in best:
            continue
        shared: dict[str, int] = {}
        for r in rows:  # a row quoted twice (a named table) counts its best
            n = shared_words(r.text, asked, codes, f"{r.heading} {r.labels}")
            shared[r.text] = max(n, shared.get(r.text, 0))
        most = max(shared.values())
        best[header] = {r for r, n in shared.items() if n == most}
    return best


def _keyed_by(key: str, codes: set[str]) -> bool:
    """Whether a row's key cell is an asked code ("OPS-CMM", "KV-20 body"), not a phrase
    that mentions one nor a part number built on it ("SK-KV20", a seal kit for the KV-20)."""
    words = key.split()
    return 0 < len(words) <= 2 and normalise_code(words[0]) in codes


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


def count_missing(
    nouns: Sequence[str], passages: Sequence[str], codes: set[str],
    designators: Sequence[re.Pattern[str]] = (), asked: AskedWords | None = None,
    documents: Sequence[DocumentCodes] = (),
) -> bool:  # fmt: skip
    """Whether no passage gives a number of any of the counted `nouns` for the subject (with
    `asked`, not for another thing by `contrast.elsewhere`: the finishing insert's "250 parts
    per edge" counts nothing for the roughing insert)."""
    counted = count_patterns(nouns)
    if asked is not None:  # "5 consecutive parts" counts the good parts; the qualifier that
        # sets a contrast is another noun's ("the roughing insert", not "the finishing insert")
        own = {noun.lower().rstrip("s")[:_STEM] for noun in nouns}
        pairs = tuple(p for p in asked.pairs if p[1].rstrip("s")[:_STEM] not in own)
        asked = dataclasses.replace(asked, pairs=pairs)
    # or a table column or caption naming the word
    stems = [re.escape(noun.lower().rstrip("s")[:_STEM]) for noun in nouns]
    labelled = [re.compile(rf"\b{stem}", re.IGNORECASE) for stem in stems]
    # a passage's heading line numbers its section ("4.8 Subscriptions"): it counts nothing
    for unit in _stated(passages, documents, body_units):
        if not _about(unit, codes, designators):
            continue
        if asked is not None and elsewhere(f"{unit.text} | {unit.header}", asked):
            continue
        if any(pattern.search(unit.text) for pattern in counted):
            return False
        if _DIGIT.search(unit.text) and any(word.search(unit.labels) for word in labelled):
            return False
    return True


def answer_type_missing(
    question: str, passages: Iterable[str], documents: Sequence[DocumentCodes] = ()
) -> bool:
    """Whether the question asks for a kind of value (or a count) that no passage states for
    the asked subject; each passage starts with its heading line, and `documents` may give
    the codes each passage's document names (`document_codes.CodeCatalogue`).

    Example:
        >>> answer_type_missing("what voltage does the welder need", ["Wire: 1.0 mm"])
        True
        >>> answer_type_missing("what voltage does the welder need", ["Welder\\nSupply: 400 V"])
        False
        >>> answer_type_missing("what does the RX-6 weigh", ["RX-6 data\\nPayload: 6 kg"])
        True
    """
    passages = list(passages)
    codes = subject_codes(question)
    kinds = expected_answer_types(question)
    words = subject_words(question, kinds)
    numbered = designator_patterns(question)
    conditions = condition_numbers(question)
    asked = asked_words(question, kinds)
    tasks = asked_tasks(question)
    # with a code, the scene qualifies the coded subject ("KV-16-M bodies with metric ports,
    # what torque on the port plugs": the guide's plug torque is not the metric ports'); the
    # development sets lost that near miss to the asking words alone where a code binds, and
    # gained no answer
    # and a clause that asks of "it" or "them" refers back to the scene for its subject
    asking = (
        []
        if codes or _REFERS_BACK.search(asking_clause(question) or "")
        else asking_words(question, kinds)
    )
    if any(
        value_missing(
            kind, passages, codes, words, numbered, conditions, asked, asking, tasks, documents
        )
        for kind in kinds
    ):
        return True
    nouns = asked_count_nouns(question)
    return bool(nouns) and count_missing(nouns, passages, codes, numbered, asked, documents)


def _stated(
    passages: Sequence[str], documents: Sequence[DocumentCodes], split: Callable[[str], list[Unit]]
) -> list[Unit]:
    """The units `split` finds in each passage, each with the codes its document names
    outside the passage (a step beside one naming the TC-9 is not the TC-9's)."""
    found: list[Unit] = []
    for i, passage in enumerate(passages):
        if i < len(documents):
            document = documents[i].without(subject_codes(passage))
            found += [dataclasses.replace(u, document=document) for u in split(passage)]
        else:
            found += split(passage)
    return found
