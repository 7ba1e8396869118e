"""What a line must look like to answer a kind of question: a number for "how much", a role
or a phone number for "who", the rule for "am I allowed", the definition for "what does X
mean". The extractive answerer (`extractive._scores`) adds a bonus to the lines that do."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answering.question_cues import defined_term

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
    dash, "is", "means" or "refers to" ("- **Energy Isolating Device**: A mechanical ...")."""
    if not term:
        return None
    opening = re.compile(
        r"^(?:[-*•]\s+|\d{1,2}[.)]\s+)?\W{0,3}" + re.escape(term) + r"\W{0,3}\s*"
        r"(?:\([^)]{0,40}\)\s*)?(?::|–|—|-|=|\bis\b|\bare\b|\bmeans\b|\brefers to\b)",
        re.IGNORECASE,
    )
    return lambda unit: bool(opening.match(unit.strip()))


def definition_sought(question: str) -> list[tuple[str, Callable[[str], bool]]]:
    """The term `question` asks the definition of, with the test for its defining line;
    empty for any other question ("how does QP-0008 define a nonconformity": the line
    "Nonconformity – Non-fulfillment of a specified requirement")."""
    term = defined_term(question)
    defines = definition_line(term)
    return [(term, defines)] if term and defines else []
