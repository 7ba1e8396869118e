"""What a question asks for, read from its words: the kind of value and whether it is live data.

Cues the answerability model cannot get from similarity alone:

* **Expected answer type** (the question-classification step of classic QA systems): "what
  does the RX-6 weigh" wants a weight, "what supply voltage does the welder need" a voltage.
  When no retrieved passage holds a value of that kind (a number with kg, V, bar, Nm, a price,
  an IP code, a colour) bound to the asked subject (`asked_value.py`), the passages talk about
  the right machine but not about the asked fact. "How many lockers" asks for a count of them.
* **Live figures**: "today's OEE", "how many did we ship last month", "the menu this Friday".
  Manuals and procedures hold fixed facts, never the figures of a given day or month.
"""

from __future__ import annotations

import functools
import re

from assistant.answering.answer_kinds import ANSWER_TYPES, AnswerType
from retrieval.bm25 import singular_codes

_ASKED_WINDOW_WORDS = 8
# kinds whose cue may end the question
# cues read over the whole clause: "how long must the gap between two messages be?" asks for
# no duration, which its closing "be" tells, past the window
_WHOLE_CLAUSE = frozenset(
    {
        "duration",
        "task duration",
        "retention period",
        "volume in unit",
        "amount in unit",
    }
)
# the verb that closes the clause names the asked quantity however long the subject before
# it: "how much does ... cost", "how much will ... weigh", "what frequency does ... run at"
_CLOSING_VERB = re.compile(
    r"\bhow much (?:does|do|did|will|would|should|could|is|are)\b[^?,;]{0,100}?\b(cost|weigh)s?\b|"
    r"\b(?:what|which) frequency\b[^?,;]{0,100}?\b(run|operate|work|oscillate|vibrate)s?\b",
    re.IGNORECASE,
)
_CLOSING_KIND = {"cost": "price", "weigh": "weight"}
_DIGIT = re.compile(r"\d")
# ... but not a compound noun that is itself part of the kind's name ("set-up time", "warm-up
# time", "run-out")
_COMPOUND = re.compile(r"\b(?!(?:set|warm|run|end|cut|shelf|short)-\w+\b)\w+(?:-\w+)+")
_SECOND_ASK = re.compile(r"\band (?:what|which|how)\b", re.IGNORECASE)
_ASKS = re.compile(r"\b(?:what|which|how|whats|what's)\b", re.IGNORECASE)
# a time, a place or a person is asked for, not a quantity ("when was the application for the
# wind speed patent filed"), unless a "what" or "how" follows ("when it overheats, what ...")
_ASKS_NO_QUANTITY = re.compile(r"\b(?:when|where|who|whom|whose)\b", re.IGNORECASE)
_NO_QUANTITY = frozenset({"date", "name"})  # what such a question may still ask for
# a clipped question: at most four words, then a preposition ("max ambient temperature for",
# "max allowed spindle runout on the LT-320", "lead time from Vantor")
_CLIPPED = re.compile(
    r"\s*(?P<head>(?:[\w'-]+\s+){0,3}?[\w'-]+)\s+(?:(?:allowed|permitted|required)\s+)?"
    # "on" before a bare asset tag names where a setting is ("weld pressure on U2-01"), and
    # passages rarely use the tag; "on the LT-320 lathe" names the machine by its words
    r"(?:of|for|in|on(?=\s+(?:the|a|an|our|my|this|that|each|every|all)\b)|from|at)\b",
    re.IGNORECASE,
)
# ... or a noun phrase alone, of at most five words ("AC-37 motor rpm?", "VMC-850 weight"),
# without a preposition or a verb that would make it a statement ("noisy at high rpm")
_PHRASE = re.compile(r"\s*(?P<head>(?:[\w'/.-]+\s+){0,4}[\w'/.-]+)\s*\??\s*$")
# a phrase opened by these reports a symptom rather than asking for its quantity
_SYMPTOM = frozenset(
    "strange weird odd unusual funny loud excessive abnormal bad poor no too high low".split()
)
_NOT_IN_PHRASE = frozenset(
    "at on in of for from with to by after before when while is are was were be been keeps kept "
    "keep gets got goes went running runs stops stopped makes made shows showing".split()
)
# a code names one machine, product or data set: letters and digits, maybe with a hyphen
_CODE = re.compile(r"\b[A-Za-z]{1,5}-?\d[\w.-]*\b")
# ... or capitals joined by a hyphen ("OPS-CMM", "EHS-LOTO"), as written in capitals
_LETTER_CODE = re.compile(r"\b[A-Z]{2,5}-[A-Z]{2,6}\b(?!-)")
# words that end the counted noun phrase of "how many ... " and words that are never counted
_NOT_COUNTED = frozenset(
    "do does did are is can could should must will would have has had were was in on of per "
    "at for we you i there they the a an to be it our with high long wide deep tall big large "
    "many much different separate this that these those".split()
)
_HOW_MANY = re.compile(
    # "how many lockers", "the maximum number of subscriptions" (not "the part number of")
    r"\b(?:how many|(?:the|a) (?:(?:maximum|minimum|max|min|total|largest|smallest|highest|"
    r"lowest|permitted|allowed|allowable) )?number of(?!\s+(?:the|a|an|this|that|your|our|my)\b))"
    r"\s+((?:[\w-]+\s+){0,3}?[\w-]+)(?=\s+(?:"
    + "|".join(sorted(_NOT_COUNTED - {"high", "long", "wide", "deep", "tall", "big", "large"}))
    + r")\b|\s*[?.,!]|\s*$)",
    re.IGNORECASE,
)
# a unit after "how many" asks for a measured quantity, not a count of things
_COUNT_UNIT = re.compile(
    r"(?:grams?|g|kilos?|kg|years?|hours?|days?|weeks?|months?|minutes?|seconds?|times?|amps?|"
    r"amperes?|volts?|watts?|ohms?|strokes?|degrees?|percent|mm|cm|metres?|meters?|miles?|feet|"
    r"inches|bar|litres?|liters?|euros?|dollars?|pounds?|tons?|tonnes?|rpm|bits?|bytes?|"
    r"calories|cycles?)",
    re.IGNORECASE,
)


_LIVE_CLAUSE = re.compile(r"[,;:?.!]|\s[-–—]\s")
_LIVE_ASKS = re.compile(
    r"\b(?:what|what's|whats|which|who|whom|when|how (?:many|much|often|long|far|fast))\b", re.I
)
_LIVE = re.compile(
    r"\b(?:today'?s?|tonight|tomorrow|yesterday|right now|at the moment|so far"
    r"|this (?:week|month|year|quarter|morning|afternoon|evening|shift"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|last (?:week|month|year|quarter|night|shift)|next (?:week|month|year)"
    r"|in (?:january|february|march|april|may|june|july|august|september|october"
    r"|november|december))\b",
    re.IGNORECASE,
)


def expected_answer_types(question: str) -> list[AnswerType]:
    """The kinds of value a question asks for; none for statements ("noisy at high rpm").

    Example:
        >>> [t.name for t in expected_answer_types("what does the RX-6 robot weigh")]
        ['weight']
    """
    # a kind's word inside a compound modifies another noun: "high-temperature tape",
    # "pressure-sensitive", "C-weighted" ask for no temperature, pressure or weight
    plain = _COMPOUND.sub(" ", question)
    # a definition asks for no value ("what is meant by OOT in the torque tool procedure"),
    # unless a second question does ("what does 'exchange rate' mean and what value ...")
    if defined_term(question) and not _SECOND_ASK.search(question):
        return []
    # the asked quantity follows the question word closely ("what supply voltage ...",
    # "how much does X weigh"); a kind's word further on describes the subject instead
    # ("who is the assignee of the patent on wind speed measurement")
    asked = _ASKS.search(plain)
    if asked is None:
        if _ASKS_NO_QUANTITY.search(plain):  # a time, a place, a person: a date or a name
            return [t for t in ANSWER_TYPES if t.name in _NO_QUANTITY and t.cue.search(plain)]
        return _clipped_types(plain)
    clause = plain[asked.start() :]
    words = clause.split()
    # "what are the operating temperature and the IP rating": both quantities are asked
    size = _ASKED_WINDOW_WORDS + (4 if "and" in words[2:_ASKED_WINDOW_WORDS] else 0)
    window = " ".join(words[:size])
    # "how long does an oil change on the AC-37 take": the verb closes the clause
    kinds = [t for t in ANSWER_TYPES if t.cue.search(clause if t.name in _WHOLE_CLAUSE else window)]
    # "how much does a replacement ruby stylus for the CMM cost": so does "cost" or "weigh"
    closing = _CLOSING_VERB.search(clause)
    named = None
    if closing:
        named = _CLOSING_KIND[closing.group(1).lower()] if closing.group(1) else "frequency"
    kinds += [t for t in ANSWER_TYPES if t.name == named and t not in kinds]
    # the unit closing the question names what is asked: "how much does the tank hold, in kg"
    if any(t.name == "amount in unit" for t in kinds):
        kinds = [t for t in kinds if t.name != "volume"]
    return kinds


def _clipped_types(question: str) -> list[AnswerType]:
    """The kinds a question without a question word asks for when it opens with the asked
    quantity and what it belongs to ("tightening torque for the LT-320 turret", "max ambient
    temperature for the RX-6?", "price of a KP-1122 stylus"): the quantity is the head of
    the phrase before "of" or "for". A report that only mentions one ("spindle temperature
    alarm on the VMC-850") asks for none.

    Example:
        >>> [t.name for t in _clipped_types("flow rate of the coolant pump on the VMC-850?")]
        ['flow rate']
        >>> _clipped_types("spindle temperature alarm on the VMC-850")
        []
        >>> [t.name for t in _clipped_types("AC-37 motor rpm?")]
        ['rotational speed']
        >>> _clipped_types("noisy at high rpm")
        []
    """
    opening = _CLIPPED.match(question)
    if opening is None:
        opening = _PHRASE.match(question)
        if opening is None or _NOT_IN_PHRASE & set(opening.group("head").lower().split()):
            return []
    head = opening.group("head").strip()
    if head.split()[0].lower() in _SYMPTOM:  # a report: "strange noise on the conveyor"
        return []
    return [t for t in ANSWER_TYPES if any(m.end() == len(head) for m in t.cue.finditer(head))]


def subject_codes(question: str) -> set[str]:
    """The codes a question names (RX-6, VMC-850, FD002, PA66-GF30), lower-cased without
    separators: the subject a value must belong to.

    Example:
        >>> sorted(subject_codes("what does the RX-6 robot weigh next to the LT320"))
        ['lt320', 'rx6']
        >>> sorted(subject_codes("how often does module OPS-CMM need refreshing"))
        ['opscmm']
    """
    codes = _CODE.findall(singular_codes(question)) + _LETTER_CODE.findall(question)
    return {normalise_code(c) for c in codes if re.search(r"[A-Za-z]", c)}


def without_codes(text: str) -> str:
    """`text` with the codes it names blanked ("the PW-400 spray pump" -> "the   spray pump")."""
    return _LETTER_CODE.sub(" ", _CODE.sub(" ", text))


def normalise_code(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def names_code(code: str, text: str) -> bool:
    """Whether `text` names the code (as `normalise_code` gives it) as a word of its own,
    with or without separators: "KV 20" and "kv-20" name kv20, "KV-200" and "stops CMM" (for
    opscmm) do not.

    Example:
        >>> names_code("kv20", "fits KV 20 bodies"), names_code("kv20", "the KV-200")
        (True, False)
    """
    return _code_pattern(code).search(text) is not None


@functools.lru_cache(maxsize=512)
def _code_pattern(code: str) -> re.Pattern[str]:
    joined = r"[\s./_-]?".join(re.escape(c) for c in code)
    return re.compile(rf"(?<![a-z0-9]){joined}(?![0-9])", re.IGNORECASE)


def asked_count_nouns(question: str, *, of_codes: bool = False) -> list[str]:
    """The words a "how many ..." question counts, or none when it asks for a quantity with a
    unit ("how many amps", handled by the kinds above) or counts a code ("how many PH-55";
    with `of_codes`, the words after the code: "how many VMC-850 machines" -> machines).

    Example:
        >>> asked_count_nouns("how many spare spindles do we keep for the VMC-850")
        ['spare', 'spindles']
        >>> asked_count_nouns("how many years does the battery last")
        []
        >>> asked_count_nouns("how many switching cycles are the relays rated for")
        ['switching', 'cycles']
        >>> asked_count_nouns("how many VMC-850 machines are there", of_codes=True)
        ['machines']
    """
    found = _HOW_MANY.search(question)
    if found is None:
        return []
    words = found.group(1).split()
    if _COUNT_UNIT.fullmatch(words[0]) or (_DIGIT.search(words[0]) and not of_codes):
        return []
    # a unit after a word is what is counted: "how many switching cycles" is answered by
    # "10 million cycles", which need not say "switching"
    return [
        w
        for i, w in enumerate(words)
        if w.lower() not in _NOT_COUNTED
        and not _DIGIT.search(w)
        and (not _COUNT_UNIT.fullmatch(w) or i == len(words) - 1)
    ]


def asks_for_live_figures(question: str) -> bool:
    """Whether the question asks for a figure of a given day, week or month ("today's OEE",
    "how many did we ship last month"): the period stands after a question word in the same
    clause, or opens it. A period that sets the scene ("RMA issued today - what is the
    deadline", "I'm sick tomorrow who do I call") or a yes/no question about it ("will they
    ship today?") asks for a rule the documents state.

    Example:
        >>> asks_for_live_figures("what was the scrap rate on Line 2 in March")
        True
        >>> asks_for_live_figures("what is the scrap limit on Line 2")
        False
        >>> asks_for_live_figures("RMA issued today - what is the deadline for the return")
        False
    """
    for clause in _LIVE_CLAUSE.split(question):
        for period in _LIVE.finditer(clause):
            before = clause[: period.start()]
            if not before.strip() or _LIVE_ASKS.search(before):
                return True
    return False


# "what does the SOP mean by 'energy isolating device'", "define lockout", "what does LOTO
# stand for": the term whose definition is asked
_QUOTED_TERM = re.compile(r"['\"‘“]([^'\"’”?]{2,60})['\"’”]")
_DEFINES = re.compile(
    r"\bmean(?:s|ing)?\b|\bdefin(?:e|es|ed|ition)\b|\bstands? for\b|\bwhat is meant by\b",
    re.IGNORECASE,
)
_TERM_ASKED = re.compile(
    r"\b(?:define|definition of|meaning of|meant by|mean by)\s+(?:an?\s+|the\s+)?"
    r"(?P<after>[\w][\w /-]{1,60}?)(?:\s*\([^)]{1,20}\))?\s*(?:[?.,;]|\s(?:in|per|under|"
    r"according)\b|$)|"
    r"\bwhat (?:does|do|is|are) (?:an?\s+|the\s+)?(?P<before>[\w][\w /-]{1,60}?)\s+"
    r"(?:mean|means|stand for|stands for)\b",
    re.IGNORECASE,
)


def defined_term(question: str) -> str | None:
    """The term a question asks the definition of, or None.

    Example:
        >>> defined_term("What does the lockout SOP mean by an 'energy isolating device'?")
        'energy isolating device'
        >>> defined_term("what does LOTO stand for"), defined_term("define lockout")
        ('LOTO', 'lockout')
        >>> defined_term("what voltage does the pump need") is None
        True
    """
    if not _DEFINES.search(question):
        return None
    quoted = _QUOTED_TERM.search(question)
    if quoted:
        return quoted.group(1).strip()
    asked = _TERM_ASKED.search(question)
    if asked is None:
        return None
    return (asked.group("after") or asked.group("before")).strip()


# "the CMM results look odd, what temperature is that room held at?": the clause that asks
_CLAUSE_BREAK = re.compile(r"\s[-–—]\s|[:;,]\s|[?.!]\s+")
_ASKING = re.compile(
    r"^\s*(?:what|what['’]?s|which|how|who|whom|whose|when|where|why|does|do|did|is|are|was"
    r"|were|can|could|should|shall|must|will|would|may|has|have|any|i need|tell me|give me"
    r"|show me)\b",
    re.IGNORECASE,
)


def asking_clause(question: str) -> str | None:
    """The clauses of a question that ask, without the ones that set the scene; None when
    every clause asks or none opens with a question word.

    Example:
        >>> asking_clause("the CMM results look odd, what temperature is the room held at?")
        'what temperature is the room held at?'
        >>> asking_clause("what temperature is the CMM room held at") is None
        True
    """
    clauses = [c for c in _CLAUSE_BREAK.split(question) if c.strip()]
    asking = [c for c in clauses if _ASKING.match(c)]
    if not asking or len(asking) == len(clauses):
        return None
    return " ".join(asking)
