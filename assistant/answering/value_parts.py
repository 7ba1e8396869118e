"""The part of a sentence or table row that states a value, and what it says of the value.

A sentence or row may hold the asked value and still not answer: the value stands in a part
of it that puts it on another thing. `contrast.py` reads the whole unit; this module reads
the part holding the value (a table cell, a clause between commas or brackets):

* **a lowest value is stated as one**: "what is the lowest spindle speed" is answered by
  "speed 50-12,000 rpm" or "min. 50 rpm", not by "run the spindle at 10,000 rpm" (a speed
  for one job), though a maximum often goes unnamed ("rated 16 bar");
* **the asked qualifier on another noun**: "the outside dimensions of the returnable
  *tray*" are not those of the cell "Returnable *pallet* 1200 x 800" in the tray's row.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from assistant.answering.contrast import AskedWords, base_words, is_content

__all__ = ["part_elsewhere", "priced_per_other"]

# how a text states the lower end of a range: "min.", "at least 5", "20-90 °C", "from 2 bar",
# "18 or older", "| LSL |"
_LOWER_END = re.compile(
    r"\b(?:min|minimum|minimal|lowest|smallest|least|lower|LSL|above|no less|not less|"
    r"more than|down to|between|or (?:more|older|above|higher|longer|greater))\b|"
    r"≥|>=|\d\s*(?:-|–|to|\.\.)\s*\d|\bfrom\s+\S*\d",
    re.IGNORECASE,
)
# where a part of a sentence or row ends: a cell, a bracket, a clause
_PARTS = re.compile(r"[;|()]|,\s|\s-\s")


def part_elsewhere(text: str, header: str, value: re.Pattern[str], asked: AskedWords) -> bool:
    """Whether every part of the sentence or row `text` (a row with its column `header`)
    that holds a value matching `value` puts it on another thing than the question
    `asked` asks about: no lower end where the lowest is asked, or a qualifier of the
    question on another noun. A unit with no such part is left to the other tests.

    Example:
        >>> from assistant.answering.contrast import asked_words
        >>> speed = re.compile(r"\\d[\\d,]*\\s?rpm")
        >>> lowest = asked_words("the lowest spindle speed")
        >>> part_elsewhere("Check the coolant, run the spindle at 10,000 rpm.", "", speed, lowest)
        True
        >>> part_elsewhere("Spindle speed 50-12,000 rpm.", "", speed, lowest)
        False
        >>> size = re.compile(r"\\d+ x \\d+")
        >>> tray = asked_words("outside dimensions of the returnable tray")
        >>> part_elsewhere("| Returnable tray | Returnable pallet 1200 x 800 |", "", size, tray)
        True
    """
    parts = [p for p in _PARTS.split(text) if value.search(p)]
    if not parts:
        return False
    lowest = "minimum" in asked.opposites and not _LOWER_END.search(header)
    return all(
        (lowest and not _LOWER_END.search(part)) or _other_noun(base_words(part), asked.phrases)
        for part in parts
    )


def _other_noun(words: Sequence[str], pairs: Sequence[tuple[str, str]]) -> bool:
    """Whether the words put an asked qualifier on another noun than the asked one
    ("returnable pallet" for the asked "returnable tray") and never name the asked noun."""
    for qualifier, noun in pairs:
        if noun in words:
            continue
        for before, after in itertools.pairwise(words):
            if before == qualifier and is_content(after) and after.isalpha() and after != noun:
                return True
    return False


# how a text prices a thing by the piece: "18 EUR each", "5 EUR per tray"
_PER_PIECE = re.compile(r"\beach\b|\bper\s+[a-z]", re.IGNORECASE)


def priced_per_other(text: str, asked: AskedWords) -> bool:
    """Whether a sentence or row prices by the piece a thing other than the one the question
    asks a price per: "trays not returned are invoiced at 18 EUR each" does not say what a
    returnable *pallet* costs.

    Example:
        >>> from assistant.answering.contrast import asked_words
        >>> pallet = asked_words("what do we invoice for each returnable pallet")
        >>> priced_per_other("Trays not returned are invoiced at 18 EUR each.", pallet)
        True
        >>> priced_per_other("Pallets not returned are invoiced at 30 EUR each.", pallet)
        False
    """
    if not asked.per or asked.per in base_words(text):
        return False
    return _PER_PIECE.search(text) is not None
