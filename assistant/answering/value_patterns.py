"""The patterns of values and of the words around them that `answer_kinds` builds its kinds
from: durations, lengths, sizes, volumes, masses, materials.
"""

from __future__ import annotations

NUMBER = r"\d+(?:[.,]\d+)?\s?"

DURATION = (
    NUMBER + r"(?:(?:working|business|calendar|clear|man)[ -])?"
    r"(?:ms|msecs?|milliseconds?|µs|us|microseconds?|s|secs?|seconds?|min|mins|"
    r"minutes?|h|hrs?|hours?|days?|weeks?|months?|"
    r"years?|shifts?)\b|\d\s?(?:times|x)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:duration|period|"
    r"interval|time)\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|a|an)\s"
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\b"
)

GEOMETRIC = (
    r"(?:run-?out|concentricity|flatness|parallelism|perpendicularity|straightness|roundness|"
    r"cylindricity|squareness|backlash|end[- ]?float)\b"
)
# what is kept for a time: "how long do we keep quality records" (not "keep a buddy")
RECORDS = (
    r"(?:records?|documents?|documentation|results?|reports?|forms?|files?|logs?|"
    r"certificates?|audiograms?)\b"
)
VOLUME_UNIT = r"(?:litres?|liters?|ml|millilit(?:re|er)s?|gallons?|cubic)\b"
VOLUME = NUMBER + r"(?:l|litres?|liters?|ml|m³|m3|cm³|ccm|gal|gallons?)\b"
MASS_UNIT = r"(?:grams?|g|kilos?|kg|kilograms?|tonnes?|tons?|lbs?|pounds)\b"
SIZES = r"(?<![A-Za-z\d.,])\d[\d.,]*\s?(?:mm|cm|m|in)?\s?[x×]\s?\d"
LENGTH = r"\d\s?(?:µm|um|mm|cm|m|in|inch(?:es)?|ft|feet)\b"
# what parts, seals and tools are made of: metals, polymers, elastomers and their grades
MATERIAL = (
    r"\b(?:steel|stainless|aluminium|aluminum|alu|brass|bronze|copper|titanium|cast iron|iron|"
    r"zinc|nickel|chrome|carbide|ceramic|glass|rubber|EPDM|NBR|FKM|FPM|HNBR|Viton|PTFE|Teflon|"
    r"silicone|polyurethane|PUR?|nylon|PA\s?\d+|POM|PEEK|PVC|PE-?HD|HDPE|LDPE|PE|PP|PC|ABS|PET|"
    r"acetal|acrylic|polycarbonate|polyamide|polyethylene|polypropylene|polyester|"
    r"cardboard|corrugated|wood|wooden|plywood|foam|felt|leather|cotton|Kevlar|aramid|"
    r"\d{4}-T\d|S\d{3}|C\d{2}|1\.\d{4}|AISI\s?\d{3}|[0-9]{2}CrMo\d*|GG-?\d+|GJL)\b"
)
# a person's or a company's name: two capitalised words or a word and a code ("Anna
# Kowalska", "Tellus S2", "TIA Portal V17"; not "Hall C" or "Aluminium 6061-T6") or a legal form
PERSON_OR_COMPANY = (
    r"\b[A-Z]\.\s?[A-Z][a-zà-ÿ]+|"  # "J. Smith"
    r"\b[A-Z][a-zà-ÿ][\wà-ÿ&'.-]*(?: (?:van |von |de )?(?:[A-Z][a-zà-ÿ][\wà-ÿ&'.-]*|"
    r"[A-Z]{1,4}\d[\w.-]*))+|"
    r"\b(?:GmbH|Ltd|Inc|AG|LLC|Co\.|Company|Corporation|S\.A\.|s\.r\.o\.|plc)\b"
)
# a date: a year, a numeric or a written date, a weekday, or a day counted ("from the fourth
# day", "day 3")
DATE = (
    r"\b(?:1[89]|20)\d\d\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|"
    r"\b\d{1,2}\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|"
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\bday \d{1,3}\b|"
    r"\b(?:first|second|third|fourth|fifth|sixth|seventh|\d{1,3}(?:st|nd|rd|th))"
    r"(?: \w+)? day\b"
)
# how often: "every", a calendar word, "twice a", "per shift", or a number of hours or days
INTERVAL = (
    r"\bevery\b|\beach\b|\b(?:hourly|daily|weekly|fortnightly|monthly|quarterly|yearly|"
    r"annual(?:ly)?|biannual(?:ly)?|semi-annual(?:ly)?)\b|\b(?:once|twice|\w+ times) (?:a|an|"
    r"per)\b|\bper (?:shift|day|week|month|year)\b|\bafter (?:each|every)\b|\bbefore "
    r"(?:each|every|use|start)\b|\binterval\b|\d\s?(?:h|hours?|days?|weeks?|months?|years?)\b"
)
