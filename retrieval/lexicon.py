"""Is a word ordinary English? A word the dictionary knows is not a typo to repair.

The spelling repair maps a word the corpus lacks to the nearest corpus term ("hydrualic" ->
"hydraulic"). Without a dictionary it also "repairs" real words the plant documents never
use — "maternity" to "material", "dress" to "address" — and a question about maternity
leave then looks answerable. wordfreq's English frequency list (shipped in the package, no
download) tells the two apart: a misspelling is rare in running text, a real word is not.
"""

from __future__ import annotations

from functools import lru_cache

# Zipf scale: log10 of occurrences per billion words. 3.0 is once per million words:
# "lubricant" 3.05, "maternity" 3.66, "humidity" 3.83; misspellings sit below it
# ("seperate" 2.82, "recieve" 2.75, "guage" 2.23, "colleage" 1.12, "hydrualic" 0).
COMMON_WORD_ZIPF = 3.0


@lru_cache(maxsize=65536)
def is_common_word(word: str) -> bool:
    """True when `word` (lower case, letters only) is ordinary written English."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= COMMON_WORD_ZIPF


# How telling a word is, by how rare it is in English: "guys" (Zipf 5.4), "okay" (5.1) or
# "late" (5.3) say little about the subject — a small corpus may simply never use them —
# while "forklift" (2.9), "respirator" (2.7) or "boiler" (3.7) name one.
_TELLING_BELOW = 5.5
_TELLING_SPAN = 2.5


@lru_cache(maxsize=65536)
def specificity(word: str) -> float:
    """0 for the commonest English words, rising to 1 at Zipf 3 (once per million words) and
    below; a word wordfreq does not know (a code, a brand, a typo) counts 1.

    Example:
        >>> specificity("guys") < 0.1 < specificity("gauge") < 0.9 < specificity("forklift")
        True
    """
    from wordfreq import zipf_frequency

    zipf = zipf_frequency(word.lower(), "en")
    return min(1.0, max(0.0, (_TELLING_BELOW - zipf) / _TELLING_SPAN))


# Words for units (not those that also name a thing: a meter, a bar, an amp): a question says
# "above 40 deg" or "in psi" where a datasheet writes "40 °C" or "bar". They name how a value
# is written, not the subject asked about, so a corpus that never spells them lacks nothing
# the question asks (`BM25Index.unknown_share`).
UNIT_WORDS = frozenset(
    "deg degs degree degrees celsius centigrade fahrenheit kelvin volt volts amps ampere "
    "amperes watt watts kilowatt kilowatts psi psig mbar kpa mpa rpm kgs kilogram kilograms "
    "gram grams tonne tonnes lbs metre metres millimetre millimetres millimeter millimeters "
    "inches litre litres liter liters khz mhz hertz newtons percent".split()
)


# Clipped words people type on the shop floor for the full words documents use. A clipping is
# a real English word (or close to one), so the spelling repair leaves it alone; read as
# written, "spec limits" matches nothing in a control plan that says "specification".
ABBREVIATIONS: dict[str, str] = {
    "spec": "specification",
    "specs": "specifications",
    "temp": "temperature",
    "temps": "temperatures",
    "max": "maximum",
    "min": "minimum",
    "qty": "quantity",
    "approx": "approximately",
    "config": "configuration",
    "maint": "maintenance",
    "dept": "department",
    "mfg": "manufacturing",
    "reqs": "requirements",
    "req": "requirement",
    "dia": "diameter",
    "diam": "diameter",
    "info": "information",
    "docs": "documents",
    "freq": "frequency",
    "insp": "inspection",
    "calib": "calibration",
    "equip": "equipment",
    "elec": "electrical",
    "hyd": "hydraulic",
    "pneu": "pneumatic",
    "lube": "lubrication",
}


def expansion(word: str) -> str | None:
    """The full word a shop-floor clipping stands for ("spec" -> "specification"), or None.

    Example:
        >>> expansion("Temp"), expansion("torque")
        ('temperature', None)
    """
    return ABBREVIATIONS.get(word.lower())
