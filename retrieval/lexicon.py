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
