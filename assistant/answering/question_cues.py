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

_NUMBER = r"\d+(?:[.,]\d+)?\s?"
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
    _type("weight", r"\bweigh|\bweight\b|\bmass\b", _NUMBER + r"(?:kg|t|g|lb|tonnes?)\b"),
    _type("voltage", r"\bvolt", _NUMBER + r"(?:V|kV|VAC|VDC)\b", value_case=True),
    _type(
        "ingress protection",
        r"\bip rating\b|\bip code\b|\bingress\b",
        r"\bIP\s?\d{2}\b",
        value_case=True,
    ),
    _type(
        "price",
        r"\bprice\b|\bcosts?\b|\bhow much did\b.*\b(?:pay|buy)\b",
        r"[€$£]\s?\d|\d\s?(?:EUR|USD|GBP|euros?|pounds?|dollars?)\b|\b(?:price|EUR)\b",
    ),
    _type(
        "colour",
        r"\bcolou?r\b",
        r"\b(?:red|green|blue|yellow|orange|black|white|grey|gray|silver|RAL\s?\d+)\b",
    ),
    _type("temperature", r"\btemperature\b|\bhow hot\b|\bdegrees\b", r"°\s?[CF]\b|\d\s?deg"),
    _type("pressure", r"\bpressure\b", _NUMBER + r"(?:bar|psi|MPa|kPa|Pa)\b"),
    _type("rotational speed", r"\brpm\b|\bspindle speed\b", _NUMBER + r"(?:rpm|min-1|1/min)"),
    _type("frequency", r"\bfrequency\b|\bhz\b", _NUMBER + r"(?:Hz|kHz|MHz|GHz)\b"),
    _type("torque", r"\btorque\b", _NUMBER + r"(?:Nm|N·m|N m|ft-?lbs?)\b"),
    _type(
        "flow rate",
        r"\bflow rate\b|\bper hour\b|\bper minute\b",
        _NUMBER + r"(?:l/min|m³/h|m3/h|l/h|/h\b|/min\b|per hour|per minute)",
    ),
    _type("stroke rate", r"\bstrokes per minute\b|\bspm\b", r"strokes?\s?(?:per|/)\s?min|\bspm\b"),
    _type("service life", r"\bhow many years\b", _NUMBER + r"(?:years?|yrs?)\b"),
    _type("thickness", r"\bthickness\b", _NUMBER + r"(?:mm|µm|um|in)\b"),
    _type("strength", r"\btensile\b|\byield strength\b", _NUMBER + r"(?:MPa|N/mm)"),
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
    if not _ASKS.search(question):
        return []
    return [t for t in ANSWER_TYPES if t.cue.search(question)]


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
    text = "\n".join(passages)
    return any(not kind.value.search(text) for kind in kinds)


def asks_for_live_figures(question: str) -> bool:
    """Whether the question is about a given day, week or month ("today's OEE").

    Example:
        >>> asks_for_live_figures("what was the scrap rate on Line 2 in March")
        True
        >>> asks_for_live_figures("what is the scrap limit on Line 2")
        False
    """
    return bool(_LIVE.search(question))
