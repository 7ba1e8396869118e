"""What a question asks for, read from its words: the kind of value and whether it is live data.

Two cues the answerability model cannot get from similarity alone:

* **Expected answer type** (the question-classification step of classic QA systems): "what
  does the RX-6 weigh" wants a weight, "what supply voltage does the welder need" a voltage.
  When no retrieved passage holds a value of that kind (a number with kg, V, bar, Nm, a price,
  an IP code, a colour), the passages talk about the right machine but not about the asked fact.
* **Live figures**: "today's OEE", "how many did we ship last month", "the menu this Friday".
  Manuals and procedures hold fixed facts, never the figures of a given day or month.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from retrieval.tables import split_blocks, with_header_units

_NUMBER = r"\d+(?:[.,]\d+)?\s?"
_ASKED_WINDOW_WORDS = 8
_DIGIT = re.compile(r"\d")
_COMPOUND = re.compile(r"\w+(?:-\w+)+")
_ASKS = re.compile(r"\b(?:what|which|how|when|where|who|whats|what's)\b", re.IGNORECASE)


@dataclass(frozen=True)
class AnswerType:
    """A kind of value: the words that ask for it and the pattern of a value of that kind."""

    name: str
    cue: re.Pattern[str]
    value: re.Pattern[str]


def _type(name: str, cue: str, value: str, *, value_case: bool = False) -> AnswerType:
    flags = 0 if value_case else re.IGNORECASE
    return AnswerType(name, re.compile(cue, re.IGNORECASE), re.compile(value, flags))


ANSWER_TYPES: tuple[AnswerType, ...] = (
    _type(
        "weight",
        r"\bweigh(?:s|ing)?\b|\bweight\b|\bmass\b|\bhow heavy\b",
        _NUMBER + r"(?:kg|t|g|lbs?|tonnes?|pounds?|grams?|kilograms?)\b",
    ),
    _type("voltage", r"\bvolt", _NUMBER + r"(?:V|kV|mV|VAC|VDC|V AC|V DC)\b", value_case=True),
    _type(
        "current",
        r"\bcurrent (?:draws?|ratings?|consumption)\b|\bamps?\b|\bamperage\b|\bampacity\b",
        _NUMBER + r"(?:A|mA|µA|amps?|amperes?)\b",
        value_case=True,
    ),
    _type(
        "power",
        r"\bpower (?:consumption|rating|output|draw)\b|\bwattage\b|\bhow many watts\b",
        _NUMBER + r"(?:W|kW|mW|MW|hp|HP|VA|kVA)\b",
        value_case=True,
    ),
    _type(
        "ingress protection",
        r"\bip (?:\w+ )?(?:rating|code|class)\b|\bip protection\b|\bingress\b",
        r"\bIP\s?\d{2}\b",
        value_case=True,
    ),
    _type(
        "price",
        r"\bprice\b|\bcosts?\b|\bhow much did\b.*\b(?:pay|buy)\b|\bhow much money\b"
        r"|\b(?:maximum|minimum|the) fines?\b|\bfines? (?:amount|in)\b|\bin (?:euros?|dollars?)\b",
        r"[€$£]\s?\d|\d\s?(?:EUR|USD|GBP|euros?|pounds?|dollars?)\b|\b(?:price|EUR)\b",
    ),
    _type(
        "colour",
        r"\bcolou?r\b",
        r"\b(?:red|green|blue|yellow|orange|black|white|grey|gray|silver|RAL\s?\d+)\b",
    ),
    _type(
        "temperature",
        r"\btemperature\b(?!\s+coefficient)|\bhow hot\b|\bhow cold\b|\bdegrees\b",
        r"°\s?[CF]?\b|\d\s?deg|\d\s?(?:℃|℉)|\d\s?(?:C|F|K)\b",
    ),
    _type(
        "pressure",
        r"\bpressure\b",
        _NUMBER + r"(?:bar|mbar|psi|psig|psia|MPa|kPa|Pa|inH2O|mmHg|dB)\b",
    ),
    _type(
        "speed",
        r"\b(?:maximum|minimum|max|min|top|rated|wind|travel|feed|cutting) speed\b",
        _NUMBER + r"(?:m/s|km/h|mph|knots?|ft/min|m/min|mm/s|mm/min|in/min|rpm|min-1|1/min)",
    ),
    _type(
        "memory",
        r"\bram\b|\bhow much memory\b|\bmemory (?:size|capacity)\b|\bflash (?:size|memory)\b",
        _NUMBER + r"(?:[kKMGT]i?B|[kKMGT]bytes?|bytes?|[kKMGT]b)\b",
        value_case=True,
    ),
    _type("rotational speed", r"\brpm\b|\bspindle speed\b", _NUMBER + r"(?:rpm|min-1|1/min)"),
    _type(
        "frequency",
        r"\bhz\b|\b(?:operating|clock|radio|supply|mains|carrier|switching|sampling|signal) "
        r"frequency\b|\bfrequency (?:band|range)\b",
        _NUMBER + r"(?:Hz|kHz|MHz|GHz)\b",
    ),
    _type("torque", r"\btorque\b", _NUMBER + r"(?:Nm|N·m|N m|ft-?lbs?)\b"),
    _type(
        "force",
        r"\b(?:pull|push|clamping|tensile|test|holding|breaking|contact) force\b|\bforce in\b",
        _NUMBER + r"(?:N|kN|MN|lbf|kgf|tf)\b",
        value_case=True,
    ),
    _type(
        "flow rate",
        r"\bflow rate\b|\bper hour\b|\bper minute\b",
        _NUMBER + r"(?:l/min|m³/h|m3/h|l/h|/h\b|/min\b|per hour|per minute)",
    ),
    _type("stroke rate", r"\bstrokes per minute\b|\bspm\b", r"strokes?\s?(?:per|/)\s?min|\bspm\b"),
    _type("service life", r"\bhow many years\b", _NUMBER + r"(?:years?|yrs?)\b"),
    _type("thickness", r"\bthickness\b", _NUMBER + r"(?:mm|µm|um|in)\b"),
    _type(
        "strength",
        r"\btensile\b|\byield strength\b",
        _NUMBER + r"(?:MPa|N/mm|psi|ksi|lb/in|pounds per square inch)",
    ),
    _type("serial number", r"\bserial number\b", r"\bserial\b|\bS/N\b"),
    _type("password", r"\bpassword\b", r"\bpassword\b"),
    _type(
        "phone number", r"\bphone\b|\btelephone\b", r"\+?\d[\d ()-]{6,}\d|\bext(?:ension)?\.?\s?\d+"
    ),
    _type("bank account", r"\baccount number\b|\biban\b", r"\bIBAN\b|\baccount\b"),
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
    # the asked quantity follows the question word closely ("what supply voltage ...",
    # "how much does X weigh"); a kind's word further on describes the subject instead
    # ("who is the assignee of the patent on wind speed measurement")
    asked = _ASKS.search(plain)
    if asked is None:
        return []
    window = " ".join(plain[asked.start() :].split()[:_ASKED_WINDOW_WORDS])
    return [t for t in ANSWER_TYPES if t.cue.search(window)]


def answer_type_missing(question: str, passages: Iterable[str]) -> bool:
    """Whether the question asks for a kind of value that none of the passages holds.

    Example:
        >>> answer_type_missing("what voltage does the welder need", ["Wire: 1.0 mm"])
        True
        >>> answer_type_missing("what voltage does the welder need", ["Supply: 400 V"])
        False
    """
    kinds = expected_answer_types(question)
    if not kinds:
        return False
    passages = list(passages)
    text = "\n".join(with_header_units(p) for p in passages)
    return any(
        not kind.value.search(text) and not any(_table_of(kind, p) for p in passages)
        for kind in kinds
    )


def _table_of(kind: AnswerType, passage: str) -> bool:
    """Whether the passage has a table of numbers headed by the asked quantity: in its first
    line (the heading path the caller puts there) or a table header — "SAFE CURRENT
    RATINGS" over a table of bare numbers holds currents."""
    blocks = split_blocks(passage)
    tables = [b for b in blocks if b.header is not None and any(_DIGIT.search(r) for r in b.rows)]
    if not tables:
        return False
    first_line = passage.split("\n", 1)[0]
    return any(kind.cue.search(t) for t in (first_line, *(str(b.header) for b in tables)))


def asks_for_live_figures(question: str) -> bool:
    """Whether the question is about a given day, week or month ("today's OEE").

    Example:
        >>> asks_for_live_figures("what was the scrap rate on Line 2 in March")
        True
        >>> asks_for_live_figures("what is the scrap limit on Line 2")
        False
    """
    return bool(_LIVE.search(question))
