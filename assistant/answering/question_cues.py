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

import re
from dataclasses import dataclass

_NUMBER = r"\d+(?:[.,]\d+)?\s?"
_ASKED_WINDOW_WORDS = 8
_WHOLE_CLAUSE = frozenset({"task duration"})  # kinds whose cue may end the question
_DIGIT = re.compile(r"\d")
_COMPOUND = re.compile(r"\w+(?:-\w+)+")
_ASKS = re.compile(r"\b(?:what|which|how|whats|what's)\b", re.IGNORECASE)
# a time, a place or a person is asked for, not a quantity ("when was the application for the
# wind speed patent filed"), unless a "what" or "how" follows ("when it overheats, what ...")
_ASKS_NO_QUANTITY = re.compile(r"\b(?:when|where|who|whom|whose)\b", re.IGNORECASE)
# a clipped question: at most four words, then "of" or "for" ("max ambient temperature for")
_CLIPPED = re.compile(r"\s*(?P<head>(?:[\w'-]+\s+){0,3}[\w'-]+)\s+(?:of|for)\b", re.IGNORECASE)
# a code names one machine, product or data set: letters and digits, maybe with a hyphen
_CODE = re.compile(r"\b[A-Za-z]{1,5}-?\d[\w.-]*\b")
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


@dataclass(frozen=True)
class AnswerType:
    """A kind of value: the words that ask for it and the pattern of a value of that kind.

    `attribute` is set for kinds whose unit many attributes share (kg is a weight but also a
    payload, bar a spray pressure but also a filter's differential pressure, a colour belongs
    to anything): a value of such a kind answers only in a sentence or table row that names
    the attribute (`asked_value.py`). Kinds with a unit of their own (V, Hz, Nm) need no name.
    """

    name: str
    cue: re.Pattern[str]
    value: re.Pattern[str]
    attribute: re.Pattern[str] | None = None


def _type(
    name: str, cue: str, value: str, *, value_case: bool = False, attribute: str | None = None
) -> AnswerType:
    flags = 0 if value_case else re.IGNORECASE
    named = None if attribute is None else re.compile(attribute, re.IGNORECASE)
    return AnswerType(name, re.compile(cue, re.IGNORECASE), re.compile(value, flags), named)


_DURATION = (
    _NUMBER + r"(?:s|secs?|seconds?|min|mins|minutes?|h|hrs?|hours?|days?|weeks?|months?|"
    r"years?|shifts?)\b|\d\s?(?:times|x)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:duration|period|"
    r"interval|time)\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|a|an)\s"
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b"
)

_VOLUME_UNIT = r"(?:litres?|liters?|ml|millilit(?:re|er)s?|gallons?|cubic)\b"
_VOLUME = _NUMBER + r"(?:l|litres?|liters?|ml|m³|m3|cm³|ccm|gal|gallons?)\b"
_MASS_UNIT = r"(?:grams?|g|kilos?|kg|kilograms?|tonnes?|tons?|lbs?|pounds)\b"
_SIZES = r"(?<![A-Za-z\d.,])\d[\d.,]*\s?(?:mm|cm|m|in)?\s?[x×]\s?\d"
_LENGTH = r"\d\s?(?:µm|um|mm|cm|m|in|inch(?:es)?|ft|feet)\b"


ANSWER_TYPES: tuple[AnswerType, ...] = (
    _type(
        "weight",
        r"\bweigh(?:s|ing)?\b|\bweight\b|\bmass\b|\bhow heavy\b",
        _NUMBER + r"(?:kg|t|g|mg|µg|lbs?|oz|tonnes?|pounds?|grams?|milligrams?|kilograms?)\b",
        attribute=r"\bweigh|\bweight|\bmass\b|\bheavy|\bnet\b|\bgross\b",
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
        r"|\b(?:maximum|minimum|the) fines?\b|\bfines? (?:amount|in)\b|\bin (?:euros?|dollars?)\b"
        r"|\b(?:hourly|daily|day|day's) rate\b|\binvoice\b|\bcharges? (?:for|per)\b",
        r"[€$£]\s?\d|\d\s?(?:EUR|USD|GBP|euros?|pounds?|dollars?)\b|\b(?:price|EUR)\b",
        attribute=r"\bprice|\bcosts?\b|\bfines?\b|\bpa(?:y|id)\b|\bbought\b|\bbuy\b|\bcharge|"
        r"\bfees?\b|\brate\b|\beach\b|\bper\b|\bpenalt",
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
        attribute=r"\bspeed|\bvelocit|\bfeed|\brate\b",
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
        r"\b(?:pull|push|clamping|tensile|test|holding|breaking|contact|gripping|grip|press|"
        r"spring|closing|bending|cutting) force\b|\bforce in\b",
        _NUMBER + r"(?:N|kN|MN|lbf|kgf|tf)\b",
        value_case=True,
    ),
    _type(
        "flow rate",
        r"\bflow rate\b|\bper hour\b|\bper minute\b",
        # "40 L/min", "12 cases per minute", "600 parts/h"; not a speed ("36 m/min")
        r"\d\s?(?!(?:mm|cm|km|m|in|ft|inch|inches|feet|metres?|meters?)\s?(?:/|per\b))"
        r"(?:[A-Za-z³]+\s?)?(?:/\s?(?:h|min|hour|minute)\b|per (?:hour|minute))",
    ),
    _type("stroke rate", r"\bstrokes per minute\b|\bspm\b", r"strokes?\s?(?:per|/)\s?min|\bspm\b"),
    _type(
        "service life",
        r"\bhow many years\b",
        _NUMBER + r"(?:years?|yrs?)\b",
        attribute=r"\blife|\blast|\bdurab|\breplace|\bservice|\bevery\b|\bwarrant",
    ),
    _type(
        "thickness",
        r"\bthickness\b",
        _NUMBER + r"(?:mm|µm|um|in)\b",
        attribute=r"\bthick|\bgauge\b|\bwall\b|\bsheet\b|\bplate\b|\bcoating\b|\blayer",
    ),
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
    # "how long must my password be" asks for a length, not a time
    _type("duration", r"\bhow long\b(?!\s+ago)(?![^?]*\bbe\s*\??\s*$)", _DURATION),
    _type(  # how long a task takes: "change every 4,000 hours" is how often, not how long
        "task duration",
        r"\bhow long (?:does|do|did|will|would|should|could|can)\b[^?]{0,80}?\b(?:take|last)s?\b",
        r"(?<![\d.,])(?<!\bevery\s)(?:" + _DURATION + ")",
    ),
    _type("percentage", r"\bwhat (?:percent(?:age)?|share|proportion)\b", r"%|\bper ?cent\b"),
    _type("humidity", r"\bhumidity\b", r"\d\s?%|\bRH\b", attribute=r"\bhumid|\bRH\b"),
    _type(
        "noise level",
        r"\bnoise(?: level)?\b|\bhow loud\b|\bsound (?:pressure |power )?level\b|\bdecibels?\b",
        r"\d\s?dB",
    ),
    _type(
        "resolution",
        r"\bresolution\b",
        r"\d\s?(?:MP|megapixels?|px|pixels?|dpi|ppi|bits?|µm|um|mm|lines)\b|\d+\s?[x×]\s?\d+",
        attribute=r"\bresolution|\bpixel|\bmegapixel",
    ),
    _type(
        # sizes as a product of lengths: "400 x 300 x 250 mm", "1200 × 800"
        "dimensions",
        r"\bdimensions?\b|\bfootprint\b|\bfloor space\b",
        # not a thread and length ("M6 x 50" bolts) nor a count of things ("4 x M6")
        _SIZES,
    ),
    _type("size", r"\bhow big\b", _SIZES + "|" + _VOLUME),  # a machine's or a tank's
    _type("volume", rf"\bhow many {_VOLUME_UNIT}|\bin {_VOLUME_UNIT}|\bvolume\b", _VOLUME),
    # an amount weighed out ("how many grams of RG-1"): a quantity, not the thing's weight
    _type("amount", r"\bhow many " + _MASS_UNIT + r"|\bin " + _MASS_UNIT, _NUMBER + _MASS_UNIT),
    _type(
        "diameter",
        r"\bdiameter\b",
        _LENGTH,
        attribute=r"\bdiam|Ø|⌀|\bdia\b|\bbore\b|\bdrill|\bholes?\b|\bsizes?\b",
    ),
    _type(
        "travel",
        r"\btravels?\b|\bstroke length\b",
        _LENGTH,
        attribute=r"\btravel|\bstroke\b|\b[XYZ][- ]?axis\b",
    ),
    _type(
        "distance",
        r"\b(?:centre|center|port|hole|bolt|axle) distance\b|\bdistance between\b|\bspacing\b",
        _LENGTH,
        attribute=r"\bdistance|\bspacing|\bcent(?:re|er)s?\b|\bbetween\b",
    ),
    _type(
        "length",
        r"\bhow (?:wide|tall|high|deep)\b|\b(?:width|height|depth)\b",
        r"\d\s?(?:mm|cm|m|in|inch(?:es)?|ft|feet)\b|\d\s?(?:mm|cm|m|in)?\s?[x×]\s?\d",
        attribute=r"\bwidth|\bheight|\bdepth|\bwide\b|\bhigh\b|\btall\b|\bdeep\b|\bsize\b|"
        r"\bdimension|\bL\s?[x×]\s?W|\bW\s?[x×]\s?H",
    ),
    _type(
        "version",
        r"\b(?:software|firmware|program|os|plc) version\b|\b(?:which|what) (?:\w+ )?version\b",
        r"\bv\.?\s?\d+(?:\.\d+)+|\b\d+\.\d+(?:\.\d+)+\b|\bversion\s+\d|\brev(?:ision)?\.?\s?\d",
    ),
    _type(
        "part number",
        r"\b(?:part|stock|article|item|product|order|model|catalog(?:ue)?|reorder|sku|kp) "
        r"(?:number|no|code)\b",
        r"\b[A-Z0-9]{2,}[-/][A-Z0-9-]{2,}\b",
        value_case=True,
    ),
    _type(  # a past event's date; "when should I change the oil" asks for no date
        "date",
        r"\bwhen (?:was|were|did)\b|\b(?:what|which) (?:date|day|year)\b|\bin what year\b",
        r"\b(?:1[89]|20)\d\d\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|"
        r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|"
        r"\b\d{1,2}\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
    ),
    _type(
        "shelf life",
        r"\bshelf[- ]life\b|\bexpiry\b|\bexpire",
        _DURATION,
        attribute=r"\bshelf|\blife\b|\bexpir|\buse (?:within|by)\b|\bstor",
    ),
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
        if _ASKS_NO_QUANTITY.search(plain):  # a time, a place, a person: a past date at most
            return [t for t in ANSWER_TYPES if t.name == "date" and t.cue.search(plain)]
        return _clipped_types(plain)
    clause = plain[asked.start() :]
    window = " ".join(clause.split()[:_ASKED_WINDOW_WORDS])
    # "how long does an oil change on the AC-37 take": the verb closes the clause
    return [t for t in ANSWER_TYPES if t.cue.search(clause if t.name in _WHOLE_CLAUSE else window)]


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
    """
    opening = _CLIPPED.match(question)
    if opening is None:
        return []
    head = opening.group("head").strip()
    return [t for t in ANSWER_TYPES if any(m.end() == len(head) for m in t.cue.finditer(head))]


def subject_codes(question: str) -> set[str]:
    """The codes a question names (RX-6, VMC-850, FD002, PA66-GF30), lower-cased without
    separators: the subject a value must belong to.

    Example:
        >>> sorted(subject_codes("what does the RX-6 robot weigh next to the LT320"))
        ['lt320', 'rx6']
    """
    return {normalise_code(c) for c in _CODE.findall(question) if re.search(r"[A-Za-z]", c)}


def without_codes(text: str) -> str:
    """`text` with the codes it names blanked ("the PW-400 spray pump" -> "the   spray pump")."""
    return _CODE.sub(" ", text)


def normalise_code(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def asked_count_nouns(question: str, *, of_codes: bool = False) -> list[str]:
    """The words a "how many ..." question counts, or none when it asks for a quantity with a
    unit ("how many amps", handled by the kinds above) or counts a code ("how many PH-55";
    with `of_codes`, the words after the code: "how many VMC-850 machines" -> machines).

    Example:
        >>> asked_count_nouns("how many spare spindles do we keep for the VMC-850")
        ['spare', 'spindles']
        >>> asked_count_nouns("how many years does the battery last")
        []
        >>> asked_count_nouns("how many VMC-850 machines are there", of_codes=True)
        ['machines']
    """
    found = _HOW_MANY.search(question)
    if found is None:
        return []
    words = found.group(1).split()
    if _COUNT_UNIT.fullmatch(words[0]) or (_DIGIT.search(words[0]) and not of_codes):
        return []
    return [
        w
        for w in words
        if w.lower() not in _NOT_COUNTED and not _DIGIT.search(w) and not _COUNT_UNIT.fullmatch(w)
    ]


def asks_for_live_figures(question: str) -> bool:
    """Whether the question is about a given day, week or month ("today's OEE").

    Example:
        >>> asks_for_live_figures("what was the scrap rate on Line 2 in March")
        True
        >>> asks_for_live_figures("what is the scrap limit on Line 2")
        False
    """
    return bool(_LIVE.search(question))
