"""The kinds of value a question may ask for: the words that ask for each (its cue) and the
pattern of a value of that kind (`question_cues.expected_answer_types` reads the cues).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answering import value_patterns as vp


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


ANSWER_TYPES: tuple[AnswerType, ...] = (
    _type(
        "weight",
        r"\bweigh(?:s|ing)?\b|\bweight\b|\bmass\b|\bhow heavy\b",
        vp.NUMBER + r"(?:kg|t|g|mg|µg|lbs?|oz|tonnes?|pounds?|grams?|milligrams?|kilograms?)\b",
        attribute=r"\bweigh|\bweight|\bmass\b|\bheavy|\bnet\b|\bgross\b",
    ),
    _type(
        # what a truck, a crane or a robot may lift: a weight, but not the thing's own weight
        "load capacity",
        r"\b(?:max(?:imum)?|rated|safe|working|permissible|allowed|allowable) (?:load|payload)\b|"
        r"\b(?:load|lifting|rated|carrying) capacity\b|\bpayload\b|\bSWL\b|\bWLL\b|"
        r"\bsafe working load\b|\bhow much (?:can|will|may) "
        r"(?:it|they|(?:the|a|an|our) [\w -]{1,30}?) (?:lift|carry)\b",
        vp.NUMBER + r"(?:kg|t|tonnes?|tons?|lbs?|pounds?)\b",
        attribute=r"\bload|\bcapacit|\bpayload|\blift|\bcarr(?:y|ies)\b|\bSWL\b|\bWLL\b",
    ),
    _type(
        "voltage",
        r"\bvolt(?:s|age|ages)?\b",
        vp.NUMBER + r"(?:V|kV|mV|VAC|VDC|V AC|V DC)\b",
        value_case=True,
    ),
    _type(
        "current",
        r"\bcurrent (?:draws?|ratings?|consumption|limits?)\b|\bamps?\b|\bamperage\b|"
        r"\bampacity\b|\bhow much current\b|\b(?:output|input|supply|rated|max(?:imum)?|"
        r"continuous|peak|load|switching|charg(?:e|ing)|discharge|standby|idle|quiescent|"
        r"short[- ]circuit|nominal|inrush|leakage|phase) current\b",
        vp.NUMBER + r"(?:A|mA|µA|amps?|amperes?)\b",
        value_case=True,
    ),
    _type(
        "power",
        r"\bpower (?:consumption|rating|output|draw)\b|\bwattage\b|\bhow many watts\b|"
        r"\b(?:heater|heating|motor|pump|spindle|drive|rated|input|output|installed|connected|"
        r"electrical) power\b|\bmotor rating\b",
        vp.NUMBER + r"(?:W|kW|mW|MW|hp|HP|VA|kVA)\b",
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
        r"|\b(?:hourly|daily|day|day's) rate\b|\binvoice\b|\bcharges? (?:for|per)\b"
        # "what do we charge if ..." (not "how long do I charge the battery", "what do I
        # charge the scanner with")
        r"|\b(?:what|how much)(?: (?:do|does|did|will|would|should|can))? (?:we|they) "
        r"(?:charge|bill|invoice)\b",
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
        r"\bpressure\b|\bvacuum (?:level|pressure)\b",
        vp.NUMBER + r"(?:bar|mbar|psi|psig|psia|MPa|kPa|Pa|inH2O|inHg|mmHg|Torr|dB)\b",
    ),
    _type(
        "speed",
        r"\b(?:maximum|minimum|max|min|top|rated|wind|travel|feed|cutting|screw|conveyor|belt|"
        r"line|surface|fan|wheel|chain) speed\b|\b(?:what|which) speed\b",
        vp.NUMBER + r"(?:m/s|km/h|mph|knots?|ft/min|m/min|mm/s|mm/min|in/min|rpm|min-1|1/min)",
        # a vibration velocity (mm/s) is no speed of travel; rpm is a speed whatever it is called
        attribute=r"\bspeed|(?<!vibration )\bvelocit|\bfeed|\brate\b|\d\s?rpm\b",
    ),
    _type(
        "memory",
        r"\bram\b|\bhow much memory\b|\bmemory (?:size|capacity)\b|\bflash (?:size|memory)\b",
        vp.NUMBER + r"(?:[kKMGT]i?B|[kKMGT]bytes?|bytes?|[kKMGT]b)\b",
        value_case=True,
    ),
    _type(  # how fast the axes move without cutting: a feed in m/min, never a spindle's rpm
        "rapid traverse",
        r"\b(?:rapid )?travers(?:e|al)?(?: rates?| speeds?)?\b|\brapids?\b",
        vp.NUMBER + r"(?:m/min|mm/min|in/min|ipm|m/s|mm/s)",
        attribute=r"\btravers|\brapid",
    ),
    _type("rotational speed", r"\brpm\b|\bspindle speed\b", vp.NUMBER + r"(?:rpm|min-1|1/min)"),
    _type(
        "frequency",
        r"\b[kmg]?hz\b|\b(?:operating|clock|radio|supply|mains|carrier|switching|sampling|signal|pwm|"
        r"pulse|modulation|output|resonant|resonance|natural|cut-?off|update|refresh|inverter|"
        r"motor|excitation|rated|base|ultrasonic|ultrasound|vibration|transmit|transmission) "
        r"frequency\b|\bfrequency (?:band|range)\b|"
        # "what frequency does the ultrasonic run at" (not "what frequency of inspection")
        r"\b(?:what|which) frequency\b(?=[^?]*\b(?:run|operate|work|use|oscillate|vibrate|"
        r"transmit)s?\b)",
        vp.NUMBER + r"(?:Hz|kHz|MHz|GHz)\b",
    ),
    _type(  # not the tools that apply or measure it ("torque wrenches", "torque lab")
        "torque",
        r"\btorque\b(?!\s+(?:wrench|wrenches|tools?|screwdrivers?|multipliers?|testers?|"
        r"analy[sz]ers?|transducers?|sensors?|calibration|lab|laboratory|meters?|gauges?)\b"
        r"(?!\s+settings?\b))",  # "the torque wrench setting for M12 bolts" asks a torque
        vp.NUMBER + r"(?:Nm|N·m|N m|ft-?lbs?)\b",
    ),
    _type(  # a servo's, a tool's or a bend's angle; "°C" and "degrees F" are temperatures
        "angle",
        r"\bangles?\b|\bhow many degrees\b",
        r"\d\s?(?:°(?!\s?[CF]\b)|deg(?:rees?)?\b(?!\s*(?:C|F|Celsius|Fahrenheit)\b))",
    ),
    _type(
        "force",
        r"\b(?:pull|push|clamping|tensile|test|holding|breaking|contact|gripping|grip|press|"
        r"spring|closing|bending|cutting) force\b|\bforce in\b",
        vp.NUMBER + r"(?:N|kN|MN|lbf|kgf|tf)\b",
        value_case=True,
    ),
    _type(
        "flow rate",
        r"\bflow rate\b|\bper hour\b|\bper minute\b|\b(?:what|which|how much) flow\b",
        # "40 L/min", "12 cases per minute", "600 parts/h"; not a speed ("36 m/min")
        r"\d\s?(?!(?:mm|cm|km|m|in|ft|inch|inches|feet|metres?|meters?)\s?(?:/|per\b))"
        r"(?:[A-Za-z³]+\s?)?(?:/\s?(?:h|min|hour|minute)\b|per (?:hour|minute))",
    ),
    _type("stroke rate", r"\bstrokes per minute\b|\bspm\b", r"strokes?\s?(?:per|/)\s?min|\bspm\b"),
    _type(
        "service life",
        r"\bhow many years\b",
        vp.NUMBER + r"(?:years?|yrs?)\b",
        attribute=r"\blife|\blast|\bdurab|\breplace|\bservice|\bevery\b|\bwarrant",
    ),
    _type(
        "thickness",
        r"\bthickness\b",
        vp.NUMBER + r"(?:mm|µm|um|in)\b",
        attribute=r"\bthick|\bgauge\b|\bwall\b|\bsheet\b|\bplate\b|\bcoating\b|\blayer",
    ),
    _type(
        "strength",
        r"\btensile\b|\byield strength\b",
        vp.NUMBER + r"(?:MPa|N/mm|psi|ksi|lb/in|pounds per square inch)",
    ),
    _type("serial number", r"\bserial number\b", r"\bserial\b|\bS/N\b"),
    _type("password", r"\bpassword\b", r"\bpassword\b"),
    _type(  # "what is the OR-55 O-ring made of", "which material are the jaws"
        "material",
        r"\bmade (?:of|from|out of)\b|"
        r"\b(?:what|which) (?:[\w-]+ )?materials?\b(?! (?:number|code))",
        vp.MATERIAL,
    ),
    _type(
        "e-mail address",
        r"\be-?mail (?:address|addresses)\b|\be-?mail\s*\??\s*$",
        r"[\w.+-]+@[\w-]+\.\w",
    ),
    _type(
        "phone number",
        # "extension number", "what's the extension for IT" (not a cable's or a contract's)
        # (the longer cue first: a clipped question's quantity ends its opening phrase,
        # "phone number for the counselling line", "stores window phone extension?")
        r"\b(?:tele)?phone (?:number|no|extension)s?\b|\bphone\b|\btelephone\b|"
        r"\bextension (?:number|no)\b|\b\w+'s extension\b(?=\s*\??\s*$)|"
        r"\bwhat(?:'s|s| is)? (?:the|their|his|her) extension\b(?! (?:cable|lead|cord|of)\b)",
        r"\+?\d[\d ()-]{6,}\d|\bext(?:ension)?\.?\s?\d+",
    ),
    _type("bank account", r"\baccount number\b|\biban\b", r"\bIBAN\b|\baccount\b"),
    _type(  # "the name of the canteen manager": a person's or a company's name, not a role
        "name",
        r"\bname of (?:the|our|my|your|that|this)\b|\bwhat(?:'s|s| is)? (?:the|their|his|her) "
        r"names?\b|"
        # "who is the canteen manager": the person holding a role (not "who is responsible")
        r"\bwho(?:'s|s| is| are| was)(?=\s+(?:the|our|my|your)\s+(?:[\w-]+\s+){0,3}?(?:manager|"
        r"leader|lead|supervisor|director|officer|coordinator|foreman|chair(?:man|person)?)s?\b)|"
        # "who chairs the safety committee": a person, not a role
        r"\bwho (?:chairs|heads)\b|"
        # "which haulier do we book", "who is our waste contractor": a company
        r"\b(?:which|who(?:'s|s| is| are))\s+(?:(?:the|our|your)\s+)?(?:[\w-]+\s+){0,2}?"
        r"(?:contractor|subcontractor|haulier|carrier|supplier|vendor|forwarder|courier|insurer|"
        r"laboratory|lab|firm)s?\b(?!')",
        vp.PERSON_OR_COMPANY,
        value_case=True,
    ),
    # "how long must my password be" asks for a length, not a time
    # ("how many hours does it take to charge"; "how many days" of a holiday allowance too)
    _type(
        "duration",
        r"\bhow long\b(?!\s+ago)(?![^?]*\bbe\s*\??\s*$)|"
        r"\bhow many (?:seconds|minutes|hours|days|weeks|months|years|shifts)\b",
        vp.DURATION,
    ),
    _type(  # how long a task takes: "change every 4,000 hours" is how often, not how long
        "task duration",
        r"\bhow long (?:does|do|did|will|would|should|could|can)\b[^?]{0,80}?\b(?:take|last)s?\b",
        r"(?<![\d.,])(?<!\bevery\s)(?:" + vp.DURATION + ")",
    ),
    _type(  # how often something is done: an interval, a rate or a calendar word
        "interval",
        r"\bhow often\b|\bhow frequently\b|\bat what intervals?\b|\bwhat (?:is the )?interval\b|"
        r"\b(?:calibration|inspection|service|servicing|maintenance|replacement|recalibration|"
        r"test|testing|change|changing|cleaning|lubrication|greasing|refresh|refresher) "
        r"intervals?\b",
        vp.INTERVAL,
        # a bare "2 days" under "Duration" is how long, not how often
        attribute=r"\bevery\b|\binterval|\bfrequen|\brefresh|"
        r"^(?![\s\S]*\b(?:duration|durations|takes?|lasts?|lasting)\b)",
    ),
    _type(  # a time of day: "what time does the last bus leave" (not "what time does it take")
        "clock time",
        r"\b(?:what|which) time\b(?![^?]*\btakes?\b)|\bat what time\b|"
        r"\bopening (?:hours|times)\b",
        r"\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}\s?(?:am|pm|a\.m\.|p\.m\.)|\bnoon\b|\bmidnight\b",
    ),
    _type(  # how long one step of a process or an order takes ("weld time", "lead time")
        "process time",
        r"\b(?:weld|welding|hold|holding|cycle|cure|curing|dwell|cooling|drying|warm-?up|"
        r"set-?up|changeover|injection|soak|soaking|settling|purge|purging|mixing|exposure|"
        r"lead|delivery|response|reaction) times?\b",
        vp.DURATION,
        attribute=r"\btimes?\b|\bduration\b|\bperiod\b|\btakes?\b|\bwithin\b",
    ),
    _type(  # "what percentage", "early shift allowance, how much %"
        "percentage",
        r"\bwhat (?:percent(?:age)?|share|proportion)\b|"
        r"\b(?:how (?:much|many)|what)\s?(?:%|percent\b)",
        r"%|\bper ?cent\b",
    ),
    _type("humidity", r"\bhumidity\b", r"\d\s?%|\bRH\b", attribute=r"\bhumid|\bRH\b"),
    # a hearing protector's rating: "what SNR ear defenders" (a noise level in dB(A) is not one)
    _type("attenuation", r"\bsnr\b|\bnrr\b|\battenuation\b", r"\b(?:SNR|NRR)\s?\d+"),
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
        vp.SIZES,
    ),
    # "how big a temperature difference" asks for a temperature
    _type(
        "size", r"\bhow big\b(?!\s+an?\s)", vp.SIZES + "|" + vp.VOLUME
    ),  # a machine's or a tank's
    _type(  # what a tank holds: "how much glue does the CP-60 tank hold", "sump capacity"
        "volume",
        rf"\bhow many {vp.VOLUME_UNIT}|\bin {vp.VOLUME_UNIT}|\bvolume\b|"
        r"\b(?:tank|sump|reservoir|bath|container|drum|bin) capacity\b|"
        r"\bhow much (?:[\w-]+ ){0,3}(?:does|do|can|will) (?:[\w-]+ ){0,4}hold\b",
        vp.VOLUME,
    ),
    # an amount weighed out ("how many grams of RG-1"): a quantity, not the thing's weight
    _type(
        "amount", r"\bhow many " + vp.MASS_UNIT + r"|\bin " + vp.MASS_UNIT, vp.NUMBER + vp.MASS_UNIT
    ),
    # the unit the answer is wanted in, closing the question ("how much ... hold, in kg")
    _type("volume in unit", rf"\bin {vp.VOLUME_UNIT}\s*[?.!]*\s*$", vp.VOLUME),
    _type("amount in unit", r"\bin " + vp.MASS_UNIT + r"\s*[?.!]*\s*$", vp.NUMBER + vp.MASS_UNIT),
    _type(
        "diameter",
        r"\bdiameter\b",
        vp.LENGTH,
        attribute=r"\bdiam|Ø|⌀|\bdia\b|\bbore\b|\bdrill|\bholes?\b|\bsizes?\b",
    ),
    _type(
        "travel",
        r"\btravels?\b|\bstroke length\b",
        vp.LENGTH,
        attribute=r"\btravel|\bstroke\b|\b[XYZ][- ]?axis\b",
    ),
    _type(
        "distance",
        r"\b(?:centre|center|port|hole|bolt|axle) distance\b|\bdistance between\b|\bspacing\b",
        vp.LENGTH,
        attribute=r"\bdistance|\bspacing|\bcent(?:re|er)s?\b|\bbetween\b",
    ),
    _type(  # how long a cable, a bus or a hose may be ("up to 1200 m")
        "cable length",
        r"\b(?:cable|wire|wiring|hose|bus|pipe|lead|cord|line) lengths?\b|"
        r"\blength of (?:the |a |an )?(?:\w+ )?"
        r"(?:cables?|wires?|hoses?|bus|pipes?|leads?|cords?)\b",
        r"\d\s?(?:mm|cm|m|km|in|inch(?:es)?|ft|feet|metres?|meters?|yards?)\b",
        attribute=r"\blength|\blong\b|\bup to\b|\bdistance|\breach|\bmax",
    ),
    _type(
        "length",
        r"\bhow (?:wide|tall|high|deep)\b|\b(?:width|height|depth)\b",
        r"\d\s?(?:mm|cm|m|in|inch(?:es)?|ft|feet)\b|\d\s?(?:mm|cm|m|in)?\s?[x×]\s?\d",
        attribute=r"\bwidth|\bheight|\bdepth|\bwide\b|\bhigh\b|\btall\b|\bdeep\b|\bsize\b|"
        r"\bdimension|\bL\s?[x×]\s?W|\bW\s?[x×]\s?H|\babove\b|\bbelow\b|\bclearance\b",
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
    _type(  # a CNC program's number: "which warm-up program number" (O9000)
        "program number",
        r"\bprogram (?:number|no)\b",
        r"\bO\d{4,5}\b|\b[Pp]rogram\s+(?:[Nn]o\.?\s*|[Nn]umber\s*|#\s*)?\d+",
        value_case=True,
    ),
    _type(  # a past event's date; "when should I change the oil" asks for no date
        "date",
        r"\bwhen (?:was|were|did)\b|\b(?:what|which) (?:exact )?(?:dates?|days?|year)\b|"
        r"\bin what year\b|\b(?:what|which) (?:is|are|was|were) the (?:exact )?dates?\b",
        vp.DATE,
    ),
    _type(  # a form or runout tolerance: "max spindle runout" (not a feeder's alignment)
        "geometric tolerance",
        rf"\b{vp.GEOMETRIC}",
        r"\d\s?(?:µm|um|mm|in)\b",
        attribute=rf"\b{vp.GEOMETRIC}|\bTIR\b",
    ),
    _type(  # "what is the MTBF of the drives": a reliability figure, not any duration
        "mean time between failures",
        r"\bmtbf\b|\bmttf\b|\bmean time (?:between|to) failures?\b",
        vp.DURATION,
        attribute=r"\bmtbf\b|\bmttf\b|\bmean time\b",
    ),
    _type(  # "how long must audiograms be kept": a duration of keeping them, not any duration
        "retention period",
        r"\bhow long\b[^?]{0,80}\b(?:retained|archived|retain|archive)\b|"
        rf"\bhow long\b[^?]{{0,80}}\b(?:keep|kept)\b[^?]{{0,60}}\b{vp.RECORDS}|"
        rf"\bhow long\b[^?]{{0,60}}\b{vp.RECORDS}[^?]{{0,30}}\b(?:keep|kept)\b|"
        r"\bretention (?:period|time)\b",
        vp.DURATION,
        attribute=r"\bretain|\bretention\b|\bkept\b|\bkeep|\barchiv|\bstored? for\b",
    ),
    _type(
        "shelf life",
        r"\bshelf[- ]life\b|\bexpiry\b|\bexpire",
        vp.DURATION,
        attribute=r"\bshelf|\blife\b|\bexpir|\buse (?:within|by)\b|\bstor",
    ),
)
