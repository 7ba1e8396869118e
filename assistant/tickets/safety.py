"""Safety wording in a ticket — injury, fire, smoke, electric shock, a leak of hot fluid — which
makes the ticket urgent by rule, whatever the triage model says.

Customers write in any casing, with typos ("injurey", "electic shok", "smokeing", "leek"), and
in German, French, Spanish or Italian ("verbrüht", "Rauchentwicklung", "brûlé", "fuga de
líquido caliente"). Words are compared without accents; a word that is not in any of the five
languages' common vocabulary (wordfreq, Zipf < 3) is read as the safety word it is one typo
from (two for long words), so "smokeing" is "smoking" but "spoke" stays "spoke". Words with
an everyday second sense count only in the phrase that makes them a hazard: "caught fire",
"fire in the pump room" or "fire!", not "fire me the invoice"; "electric shock" or "got
shocked when touching", not "shocked by the price"; "was hurt", not "hurt our sales";
"smoke" but not a software "smoke test"; "hot" only near a leak or spray.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from assistant.tickets.language import common_word

__all__ = ["safety_terms"]

# words that alone mean harm or a hazard, without accents, as stems (a word starting so)
_HARM_STEMS = (
    "injur", "wounded", "bleed", "scald", "amputat", "fractur", "hospital", "ambulance",
    "burned", "burnt", "burns", "explod", "explosion", "electrocut", "flames", "smoking",
    "smoulder", "smolder",
    # German
    "verletz", "verbrannt", "verbruh", "rauch", "stromschlag", "brandgefahr", "feuer",
    "explodiert", "krankenhaus", "notarzt",
    # French
    "blesse", "blessure", "brule", "brulure", "fumee", "incendie", "electrocution",
    "hopital", "ebouillant",
    # Spanish
    "herido", "herida", "lesion", "quemad", "quemadura", "humo", "incendio", "electrocuc",
    "descarga electrica",
    # Italian
    "ferito", "ferita", "ustion", "ustionat", "bruciat", "fumo", "scossa", "folgorat",
)  # fmt: skip
_PHRASES = re.compile(
    r"\b(?:caught|catch(?:es|ing)?|on|a|the|small|big)\s+fire\b|\bfire\s+(?:broke|started|"
    r"brigade|department|service)\b|\bin\s+flames\b|\b(?:electric(?:al)?|electro)\s*shock|"
    r"\bshock\s+from\b|\bgot\s+(?:a|an)\s+(?:electric\s+)?shock\b|\bsmoke\b(?!\s+test)|"
    r"\bfire\s+(?:in|at|on|near)\s+(?:the|our|your|a|an|one|this|that)\b|\bfire\s*!|"
    r"\bfire\s+(?:alarm|extinguisher)s?\b|"
    r"\b(?:got|was|were|been|get|gets|getting)\s+shocked\s+(?:when|while|as|touching|from|"
    r"by\s+(?:the|a|an)\s+(?:housing|valve|body|block|cable|wire|panel|machine|pump|unit|"
    r"terminal|connector|solenoid|plug|socket|motor))|"
    r"\b(?:was|were|got|been|is|are|get|gets|getting)\s+(?:badly\s+|seriously\s+|"
    r"slightly\s+|really\s+)?hurt\b|\bhurt\s+(?:his|her|their|my|himself|herself|themselves)\b|"
    r"\bhit\s+(?:the|his|her|their|our|a)\s+\w+(?:'s)?\s+(?:hand|arm|head|face|leg|eye)|"
    r"\bburn\b|\bdecharge\s+electrique\b|\bfeu\b(?!\s+vert)|\bbrand\b(?=\s+(?:im|in|an|der|"
    r"des|ausgebrochen|entstanden))",
)
_HOT = r"(?:hot|boiling|scalding|heiss|heisse|heisses|heissem|chaud|chaude|brulant|brulante|"
_HOT += r"caliente|caldo|calda|bollente)"
_LEAK = r"(?:leak\w*|spray\w*|spurt\w*|squirt\w*|gush\w*|leck\w*|undicht\w*|ausgetreten|"
_LEAK += r"spritz\w*|fuite\w*|fuga\w*|perdit\w*|schizz\w*|gicl\w*)"
_HOT_LEAK = re.compile(
    rf"\b{_HOT}\b(?:\W+\w+){{0,6}}?\W+{_LEAK}|\b{_LEAK}(?:\W+\w+){{0,6}}?\W+{_HOT}\b"
)
# "hot coolant, nothing leaking" is no hot leak
_NEGATION = re.compile(
    r"\b(?:no|not|nothing|never|without|kein\w*|nicht|pas|aucune?|sin|senza|non)\b"
)
# the safety vocabulary a typo is read back to
_VOCABULARY = (
    "injury", "injured", "injuries", "smoke", "smoking", "electric", "electrical", "shock",
    "burned", "scalded", "leaking", "leak", "bleeding", "explosion", "exploded", "fire",
)  # fmt: skip
_WORD = re.compile(r"[a-z]+")


def _plain(text: str) -> str:
    """Lower case without accents or ß: "Verbrüht" -> "verbruht", "heiß" -> "heiss"."""
    text = text.lower().replace("ß", "ss")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=8192)
def _repaired(word: str) -> str:
    """The safety word `word` is a typo of, or `word` itself."""
    if len(word) < 4 or word in _VOCABULARY or common_word(word):
        return word
    from rapidfuzz.distance import DamerauLevenshtein

    allowed = 1 if len(word) < 8 else 2
    best = min(_VOCABULARY, key=lambda v: DamerauLevenshtein.distance(word, v))
    return best if DamerauLevenshtein.distance(word, best) <= allowed else word


def safety_terms(text: str) -> list[str]:
    """The safety wording found in `text` (empty: none); any makes a ticket urgent.

    Example:
        >>> safety_terms("The housing cracked and hot fluid leaked onto the fitter's arm")
        ['hot fluid leaked']
        >>> safety_terms("Please fire me the invoice ASAP, our smoke test passed")
        []
        >>> safety_terms("operator got an electic shok from the valve")
        ['got an electric shock']
    """
    plain = _plain(text)
    repaired = _WORD.sub(lambda m: _repaired(m.group(0)), plain)
    found = [m.group(0) for m in _HOT_LEAK.finditer(repaired) if not _NEGATION.search(m.group(0))]
    found += [m.group(0) for m in _PHRASES.finditer(repaired)]
    for word in _WORD.findall(repaired):
        if word.startswith(_HARM_STEMS) and word not in found:
            found.append(word)
    multiword = [stem for stem in _HARM_STEMS if " " in stem and stem in repaired]
    return list(dict.fromkeys(found + multiword))
