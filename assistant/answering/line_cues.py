"""What a line must look like to answer a kind of question: a number for "how much", a role
or a phone number for "who", the rule for "am I allowed", the definition for "what does X
mean". The extractive answerer (`extractive._scores`) adds a bonus to the lines that do."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable

from assistant.answering.question_cues import defined_term, normalise_code, subject_codes
from retrieval.tables import cells, split_blocks

# Questions asking for a quantity, a time, a limit or a code: answer-type matching prefers
# units that contain a number.
QUANTITY_QUESTION = re.compile(
    r"\b(how (much|many|long|often|fast|big|thick|heavy|high|low|far|old)|when|what time|"
    r"minimum|maximum|min|max|limit|limits|torque|temperature|pressure|speed|force|weight|"
    r"interval|frequency|size|number|percentage|amount|rate|time|times|value)\b",
    re.I,
)
HAS_NUMBER = re.compile(r"\d")
# "who deals with this", "whom do I call": a line naming a person's role or how to reach them
PERSON_QUESTION = re.compile(
    r"\bwho(?:m)?\b(?!\s+(?:is|are)\s+(?:allowed|required|eligible))|"
    r"\b(?:what|which) (?:\w+ )?(?:role|person|position|function)\b",
    re.I,
)
PERSON_LINE = re.compile(
    r"\b(?:owner|contact|responsible|coordinator|manager|supervisor|officer|engineer|"
    r"lead|head\s+of|ext\.|extension|phone|tel\.?|e-?mail)\b|@[\w-]+\.",
    re.I,
)
PROCEDURE_QUESTION = re.compile(
    r"\bhow (?:do|does|should|can|must|would|to)\b|\bsteps?\b|\bprocedure\b|\bcriteria\b|"
    # "describe the measurement sequence", "how is a latched alarm reset"
    r"\bdescribe\b|\bsequence\b|\bhow (?:is|are) (?:\w+ ){1,5}(?:reset|set|done|fitted|"
    r"installed|replaced|changed|cleaned|checked|calibrated|adjusted|removed|mounted|connected|"
    r"tested|lubricated|greased|bled|drained|filled|started|stopped|cleared|acknowledged)\b|"
    r"\brequirements\b|\bwhat (?:should|must) (?:i|we|you)\b|"
    # "what gets connected next", "in what order": the steps in their order
    r"\bwhat (?:\w+ ){0,2}next\b|\bnext step\b|\b(?:in )?(?:what|which) order\b",
    re.IGNORECASE,
)
# "is that allowed", "can I run it on my own", "do I have to take my gloves off": a yes-or-no
# question about a rule is answered by the line stating the rule (allowed only with a permit,
# must, never), before a line that merely describes the situation it asks about
PERMISSION_QUESTION = re.compile(
    r"\b(?:is (?:that|this|it) (?:ok(?:ay)?|allowed|permitted|fine|acceptable)|"
    r"(?:can|may|must) (?:i|we|they|he|she|you|operators?)|am i allowed|are (?:we|they) allowed|"
    r"(?:do|does) (?:i|we|they|he|she|you) (?:have|need) to|"
    # "who is allowed to calibrate": the rule naming who may
    r"who (?:is|are) (?:allowed|permitted|authori[sz]ed|qualified)|who (?:may|can|must)|"
    # advice: "what does the manual recommend before ...", "should I ..."
    r"recommend\w*|advis\w*|suggest\w*|best practice|should (?:i|we|they|you))\b",
    re.IGNORECASE,
)
RULE_LINE = re.compile(
    r"\b(?:allowed|permitted|prohibited|forbidden|must|never|only|required|mandatory|"
    r"not (?:be )?(?:used|allowed|permitted)|do not|may not|always|should|recommended|"
    r"make sure|be sure|avoid)\b",
    re.IGNORECASE,
)


def definition_line(term: str | None) -> Callable[[str], bool] | None:
    """A test for the line that defines `term`: it opens with the term, then a colon, a
    dash, "is", "means" or "refers to" ("- **Energy Isolating Device**: A mechanical ..."),
    or it is a standard's numbered term entry ("3.7  hearing protection zone")."""
    if not term:
        return None
    term = re.escape(term)
    opening = re.compile(
        rf"^(?:[-*•]\s+|\d{{1,2}}(?:\.\d{{1,3}})*[.)]?\s+)?\W{{0,3}}{term}\W{{0,3}}\s*"
        r"(?:\([^)]{0,40}\)\s*)?(?::|–|—|-|=|\bis\b|\bare\b|\bmeans\b|\brefers to\b)|"
        rf"^\d{{1,2}}(?:\.\d{{1,3}}){{1,3}}\s+{term}$",
        re.IGNORECASE,
    )
    return lambda unit: bool(opening.match(unit.strip()))


# a standard's term entry: "3.7  hearing protection zone" alone on its line, its definition
# the paragraph after it (ISO style: the number, the term in lower case, no full stop)
# (a term of words, not a quantity: "1.5 kg maximum load" is no entry)
_TERM_ENTRY = re.compile(
    r"^\s*\d{1,2}(?:\.\d{1,3}){1,3}\s+(?!(?:mm|cm|m|kg|g|t|bar|mbar|psi|rpm|min|h|s|kw|w|v|a|nm|"
    r"kn|n|l|ml|hz|db|mpa|kpa|µm|um)\b)([a-z][a-z-]+(?: [^.:;!?]{0,58})?)$"
)


def is_term_entry(line: str) -> bool:
    """Whether a line is a standard's term entry alone ("3.7  hearing protection zone"):
    the term it numbers, not its definition."""
    return bool(_TERM_ENTRY.match(line))


def term_entries(text: str) -> list[str]:
    """Each term entry of `text` joined with the paragraph defining it, as a line that opens
    with the term ("3.7  hearing protection zone: Any area of the workplace ...").

    Example:
        >>> term_entries("3.7  noise zone\\n\\n  Any area above 85 dB(A).\\n\\n3.8  person\\nOne.")
        ['3.7  noise zone: Any area above 85 dB(A).', '3.8  person: One.']
    """
    lines = text.splitlines()
    entries: list[str] = []
    for i, line in enumerate(lines):
        if not _TERM_ENTRY.match(line):
            continue
        body = list(itertools.dropwhile(lambda x: not x.strip(), lines[i + 1 :]))
        paragraph = list(itertools.takewhile(lambda x: x.strip(), body))
        if paragraph and not _TERM_ENTRY.match(paragraph[0]):
            entries.append(f"{line.strip()}: {' '.join(p.strip() for p in paragraph)}")
    return entries


def definition_sought(question: str) -> list[tuple[str, Callable[[str], bool]]]:
    """The term `question` asks the definition of, with the test for its defining line;
    empty for any other question ("how does QP-0008 define a nonconformity": the line
    "Nonconformity – Non-fulfillment of a specified requirement")."""
    term = defined_term(question)
    defines = definition_line(term)
    return [(term, defines)] if term and defines else []


def passages_sought(question: str) -> list[tuple[str, Callable[[str], bool]]]:
    """The passages a question asks for by what they hold, each as the words to search for
    and a test of a passage's text: the line defining the term it asks about
    (`definition_sought`), and for each code it names, the row of a table of codes keyed by
    it ("when alarm C302 is active": "| C302 | Machine interlock lost | ...").

    Example:
        >>> [(words, lists)] = passages_sought("what happens when alarm E-203 is active")
        >>> words, lists("| Code | Meaning |\\n|---|---|\\n| E203 | Cabinet too hot |")
        ('e203', True)
    """
    defined: list[tuple[str, Callable[[str], bool]]] = [
        (term, functools.partial(_has_line, defines))
        for term, defines in definition_sought(question)
    ]
    codes = sorted(subject_codes(question))
    # searched with every code the question names: E203 of the TC-48, not of another machine
    words = " ".join(codes)
    return defined + [(words, functools.partial(_lists_code, {code})) for code in codes]


def _has_line(test: Callable[[str], bool], text: str) -> bool:
    return any(test(line) for line in text.splitlines())


def _keys_row(code: str, line: str) -> bool:
    if not line.startswith("|"):
        return False
    return normalise_code(line.strip().strip("|").split("|")[0]) == code


# the first column of a table that lists codes: "Code", "Alarm no.", "Error", "Fault code"
# (not "Part code" or "Order code": a parts list keys its rows by part, not by event)
_CODE_COLUMN = re.compile(
    r"^(?:codes?|(?:alarm|error|fault|trip|event|message|diagnostic|status)s?(?:\s*(?:codes?|"
    r"no\.?|numbers?|#))?)$",
    re.IGNORECASE,
)


def lists_asked_code(question: str, passages: Iterable[str]) -> bool:
    """Whether a passage's table of codes (its first column "Code", "Alarm", "Error" ...)
    has a row for a code the question names: "TC-48 keeps throwing E203 in the afternoons,
    what should I look at?" is about the row of E203, however the question is worded.

    Example:
        >>> table = "| Code | Meaning |\\n|---|---|\\n| E203 | Cabinet too hot |"
        >>> lists_asked_code("keeps throwing E-203, what now", [table])
        True
        >>> models = "| Model | kg |\\n|---|---|\\n| E203 | 4 |"
        >>> lists_asked_code("what is the warranty on the E203", [models])
        False
    """
    codes = subject_codes(question)
    return bool(codes) and any(_lists_code(codes, text) for text in passages)


def _lists_code(codes: set[str], text: str) -> bool:
    """Whether a table of codes in `text` has a row keyed by one of `codes`."""
    return any(
        _CODE_COLUMN.match(cells(block.header)[0].strip("*_ "))
        and any(_keys_row(c, r) for c in codes for r in block.rows)
        for block in split_blocks(text)
        if block.header is not None
    )
