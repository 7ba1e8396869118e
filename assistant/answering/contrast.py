"""Words next to a value that put it on another thing than the one a question asks about.

`asked_value.py` binds a value to the asked subject by the words around it. Some words around
it say the opposite, whatever else the sentence shares with the question:

* **another qualifier of the asked noun**: "max load for the *reach* truck" is not answered by
  "maximum load of our *counterbalance* trucks", "the *weld* time" not by "*Hold* time
  0.8 s". The sentence or row names a noun of the question with a word before it that the
  question never uses, and never with the question's own word before it;
* **an opposite**: "the *last* bus" is not answered by "the *first* bus arrives at 05:40",
  an outlet's pressure not by the inlet's;
* **a colour of another thing**: in "apply your red padlock and a danger tag" red is the
  padlock's colour, not the tag's.

What a question rules out does not count as its own words: "the weld time (not the hold
time)" asks for the weld time only.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.answer_kinds import AnswerType
from assistant.answering.question_cues import without_codes

__all__ = [
    "CLAUSE_END",
    "NOT_SUBJECT",
    "PLAIN_WORDS",
    "AskedWords",
    "asked_words",
    "base_words",
    "elsewhere",
    "is_content",
    "names_key",
    "shared_words",
    "without_negated",
]

# "(not the hold time)", "not the hold time": what the question rules out
_NEGATED = re.compile(
    r"\(\s*not\b[^)]*\)|\bnot\s+(?:the|a|an|its|their)\s+[A-Za-z][\w-]*(?:\s+[A-Za-z-]+)?|"
    # "the reach trucks, as opposed to the counterbalance ones": the rest of the clause
    r"\b(?:as opposed to|rather than|instead of|other than)\b(?:[^,;?.]|[.,](?=\d))*",
    re.IGNORECASE,
)
# a contraction's clipped part: "what's" asks "what", "hasn't" says "has", "Hussein's" names
# Hussein
_CONTRACTED = re.compile(
    r"(?<=[A-Za-z])(?:n['’]t|['’](?:s|re|ve|ll|d|m))\b|(?<=s)['’](?!\w)", re.IGNORECASE
)
_ASIDE = re.compile(r"\([^)]*\)")  # "(FKM)", "(T30)": an aside, not part of the noun phrase
_TOKEN = re.compile(r"[A-Za-z][A-Za-z'-]*|\d[\w.,/-]*|[^\w\s]")
# where a question's clause ends: "how heavy is a PH mould, need to know before lifting"
# ... or where a sentence ends: "we finish at 22:00. what time does the last bus leave"
# (not after an abbreviation: "Mr. Becker", "acc. to the drawing")
_ABBREVIATED = "".join(
    rf"(?<!\b{a})" for a in "mr mrs ms dr st no vs ca acc ext etc fig incl approx e.g i.e".split()
)
CLAUSE_END = re.compile(rf"[,;?]|{_ABBREVIATED}\.\s+(?=[A-Za-z])|\s-\s|\bneeds?\b", re.IGNORECASE)
# words any question has, never the name of what it asks about
NOT_SUBJECT = frozenset(
    "the and for with from what whats which how who when where why can could should must will "
    "would may might are was were been does did our your their its this that these those there "
    "here much many long far big high low large small max maximum min minimum lowest highest "
    "smallest largest rated nominal "
    "typical normal standard value values approx approximately about per each any all one get "
    "give need needs use used before after into onto over under between have has had "
    # verbs asking what a thing can do: "how much current can the output deliver"
    "deliver delivers provide provides accept accepts handle handles take takes withstand "
    "withstands tolerate tolerates allow allows read reads".split()
)
# ... and words that qualify any noun and so set no contrast ("maximum load" is the load's
# maximum)
PLAIN_WORDS = NOT_SUBJECT | frozenset(
    "a an of to in on at by is be it as or not no new old total actual current usual same other "
    "every general overall main spare recommended permitted permissible allowed allowable "
    "required safe working operating set setting shall they them then than also only such while "
    "but you she his her him upon within without via both either neither nor very more most "
    "less least some another own just still even ever never always often again further once "
    "being having doing done make made etc goes tightening target specified".split()
)
# what may stand before a qualifier and its noun: "our counterbalance trucks", "| Hold time"
_OPENS = frozenset(
    "the a an our your their its his her this that these those each every all any no some of "
    "for on in at with by from to per and or".split()
)
# pairs of words that name opposite things: one of them asked, the other stated, is a contrast
_OPPOSITES: tuple[tuple[str, str], ...] = (
    ("first", "last"),
    ("earliest", "latest"),
    ("minimum", "maximum"),
    ("inlet", "outlet"),
    ("input", "output"),
    ("upper", "lower"),
    ("inner", "outer"),
    ("front", "rear"),
    ("left", "right"),
    ("early", "late"),
    ("morning", "evening"),
    ("hot", "cold"),
    ("heating", "cooling"),
    ("internal", "external"),
    ("indoor", "outdoor"),
    ("incoming", "outgoing"),
    ("upstream", "downstream"),
    ("suction", "discharge"),
    ("intake", "exhaust"),
    ("primary", "secondary"),
    ("summer", "winter"),
    ("weekday", "weekend"),
    ("loading", "unloading"),
    ("male", "female"),
    # the two ends of a stay, an opening time or a shift: "when does the last bus *leave*"
    # is not answered by a visitor's "*Arrival* at the gatehouse" (a bus that *arrives* at
    # its stop at 22:50 leaves it then), "when does the canteen *close*" not by its opening
    ("arrival", "leave"),
    ("open", "close"),
    ("start", "finish"),
)
_ENDS = frozenset({"arrival", "leave", "open", "close", "start", "finish"})
_RANGE = re.compile(r"\d\s*(?:-|–|to|until|till)\s*\d")
# other forms of the words above ("departure" is a leaving, "arrival" an arriving)
_FORMS = {
    "depart": "leave",
    "departs": "leave",
    "departure": "leave",
    "leaving": "leave",
    "opening": "open",
    "closing": "close",
    "starting": "start",
    "finishing": "finish",
    "finishe": "finish",  # "finishes" without its plural s
}
# words for an end of a range: "the lowest spindle speed" is not answered by its maximum
_SAME = {
    "min": "minimum",
    "max": "maximum",
    "mini": "minimum",
    "lowest": "minimum",
    "highest": "maximum",
}
_COLOURS = frozenset(
    "red green blue yellow orange black white grey gray silver purple violet brown pink".split()
)


def without_negated(question: str) -> str:
    """The question without what it rules out.

    Example:
        >>> without_negated("the actual weld time (not the hold time)")
        'the actual weld time  '
        >>> without_negated("what's the reach trucks' capacity, as opposed to the others?")
        'what the reach trucks capacity,  ?'
    """
    return _NEGATED.sub(" ", _CONTRACTED.sub("", question))


def _words(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def _base(word: str) -> str:
    """A word without its plural ending: trucks -> truck, batteries -> battery."""
    word = _SAME.get(word, word)
    if word in PLAIN_WORDS:  # "does", "has" are no plurals
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def base_words(text: str) -> list[str]:
    """The words of `text`, lower-cased and without their plural endings."""
    return [_base(w) for w in _words(text)]


def is_content(word: str) -> bool:
    """Whether a word (as `base_words` gives it) may name a thing."""
    return _content(word)


def _content(word: str) -> bool:
    """A word that may name a thing: not a plain word, nor a code's fragment ("mb-" of
    "MB-KV20", "ph-" of "PH-40")."""
    return word[0].isalpha() and len(word) >= 3 and word[-1] != "-" and word not in PLAIN_WORDS


@dataclass(frozen=True)
class AskedWords:
    """What a question says of its subject, for the contrast tests."""

    words: frozenset[str]  # every word of the question (what it rules out left out), as bases
    # the last two content words of each run in the asking clause: (qualifier, noun)
    pairs: tuple[tuple[str, str], ...]
    head: tuple[str, ...]  # the first run of content words: the asked thing ("danger tag")
    opposites: tuple[str, ...]  # words of the question whose opposite would be a contrast
    content: frozenset[str] = frozenset()  # its content words, as bases
    numbers: frozenset[str] = frozenset()  # the numbers it names
    kinds: int = 1  # how many kinds of value it asks for
    # the pairs of `pairs` that open a noun phrase ("for each *returnable pallet*"), not a
    # subject and its verb ("do *customers call*")
    phrases: tuple[tuple[str, str], ...] = ()
    per: str = ""  # the noun a rate is asked per ("how much per pallet", "for each tray")


def asked_words(question: str, kinds: Sequence[AnswerType] = ()) -> AskedWords:
    """What the contrast tests need of a question asking for values of `kinds`.

    Example:
        >>> asked_words("max load for the reach truck?").pairs
        (('reach', 'truck'),)
    """
    asked = without_negated(without_codes(question))
    kept = _ASIDE.sub(" ", asked)
    # the clause that asks ("tc9 - which colour hose goes to the inlet"), else the first
    clauses = [c for c in CLAUSE_END.split(kept) if c.strip()] or [""]
    clause = next((c for c in clauses if any(k.cue.search(c) for k in kinds)), clauses[0])
    clause_of_pairs = clause
    # a run's last two words are a noun and the word that qualifies it ("the actual weld
    # time" -> weld, time); earlier words may be a verb or a noun of their own
    # ("what colour padlock": the asked kind's word is no qualifier)
    pairs = tuple(
        (run[-2], run[-1])
        for run in _runs(clause)
        if len(run) > 1 and not any(kind.cue.fullmatch(run[-2]) for kind in kinds)
    )
    content = frozenset(w for run in _runs(asked) for w in run)
    for kind in kinds:
        clause = kind.cue.sub(" . ", clause)
    head = next(iter(_runs(clause)), [])
    words = frozenset(_base(w) for w in _words(without_negated(question)) if w[0].isalpha())
    forms = {_FORMS.get(w, w) for w in words}
    opposites = tuple(w for pair in _OPPOSITES for w in pair if w in forms)
    numbers = frozenset(w for w in _words(question) if w[0].isdigit())
    phrases = tuple(p for p in _phrase_pairs(clause_of_pairs) if p in pairs)
    return AskedWords(
        words, pairs, tuple(head), opposites, content, numbers, len(kinds), phrases, _per(kept)
    )


_PER = re.compile(r"\b(?:per|each|every)\s+(.*)", re.IGNORECASE)


def _per(question: str) -> str:
    """The noun a question asks a rate per: the last word of the run of content words after
    "per", "each" or "every" ("for each returnable pallet they keep" -> pallet)."""
    found = _PER.search(question)
    run = []
    for word in _words(found.group(1)) if found else ():
        if not _content(word) or not word.isalpha():
            break
        run.append(_base(word))
    return run[-1] if run else ""


def _runs(clause: str) -> list[list[str]]:
    """The runs of content words in `clause`, as bases ("the reach truck in the warehouse"
    -> [["reach", "truck"], ["warehouse"]])."""
    runs: list[list[str]] = [[]]
    for token in _words(clause):
        if _content(token) and not token.endswith("ed"):
            runs[-1].append(_base(token))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _phrase_pairs(clause: str) -> list[tuple[str, str]]:
    """The last two words of each run of content words that a determiner or preposition
    opens ("for each returnable pallet" -> returnable, pallet; "do customers call" none)."""
    pairs = []
    before = ""
    run: list[str] = []
    for token in [*_words(clause), "."]:
        if _content(token) and not token.endswith("ed"):
            run.append(_base(token))
            continue
        if len(run) > 1 and before in _OPENS:
            pairs.append((run[-2], run[-1]))
        run, before = [], token
    return pairs


def elsewhere(text: str, asked: AskedWords, *, colour: bool = False) -> bool:
    """Whether a sentence or table row `text` puts its value on another thing than the asked
    one: another qualifier of an asked noun, the opposite of an asked word, or (with
    `colour`) a colour that names the colour of a noun the question does not ask about.

    Example:
        >>> asked = asked_words("max load for the reach truck")
        >>> elsewhere("Maximum load of our counterbalance trucks is 2,500 kg", asked)
        True
        >>> elsewhere("Reach trucks: maximum load 1,200 kg", asked)
        False
    """
    words = [_base(w) for w in _words(text)]
    present = set(words)
    forms = {_FORMS.get(w, w) for w in present}
    for word in asked.opposites:
        if word in _ENDS and _RANGE.search(text):
            continue  # "Opening hours 06:00-14:00" gives the closing time too
        if _opposite(word) in forms and word not in forms:
            return True
    if any(
        qualifier not in present and _qualified_otherwise(words, noun, asked.words)
        for qualifier, noun in asked.pairs
    ):
        return True
    return colour and _colour_of_other(words, asked)


# words that name which of a thing's values is meant, plain in a question's subject but a
# qualifier where stated: "| Rated pressure |" is not the asked back pressure
_RATING = frozenset({"rated", "nominal", "typical"})


def _qualified_otherwise(words: Sequence[str], noun: str, asked: frozenset[str]) -> bool:
    """Whether `noun` stands in `words` only with a qualifier the question does not use
    ("our counterbalance trucks", "| Hold time |"): never bare ("the trucks") nor with a word
    of the question ("reach trucks", "a newly issued certificate"). The caller has checked
    that the question's own qualifier is nowhere in them ("| Mounting bolts | Tightening
    torque |" gives the bolts' torque)."""
    other = False
    for i, word in enumerate(words):
        if word != noun:
            continue
        before = words[i - 1] if i else ""
        qualifier = before and (_content(before) or before in _RATING)
        if not qualifier or not before.isalpha() or before in asked:
            return False  # bare, or qualified as the question qualifies it
        opens = i < 2 or words[i - 2] in _OPENS or not words[i - 2][0].isalpha()
        if before in _COLOURS or not opens:  # a value, or a verb after its subject
            return False
        other = True
    return other


def _opposite(word: str) -> str:
    for a, b in _OPPOSITES:
        if word == a:
            return b
        if word == b:
            return a
    return ""


def _colour_of_other(words: Sequence[str], asked: AskedWords) -> bool:
    """A colour whose noun is named right after it ("red padlock") and is not the asked
    thing, with no colour for the asked thing in the same text."""
    named = [
        after
        for before, after in itertools.pairwise(words)
        if before in _COLOURS and _content(after) and after not in _COLOURS
    ]
    return bool(named and asked.head) and not any(noun in asked.head for noun in named)


def shared_words(text: str, asked: AskedWords, codes: set[str], common: str = "") -> int:
    """How many of the question's content words and codes `text` names, but those in
    `common` (what every row of its table shares: heading, caption, header): of the rows of
    one table, the row naming most of them is the one the question asks about ("a viton
    seal kit for the KV-20": the row "| SK-KV20 | Seal kit | KV-20 |" is a seal kit of
    another material when the row "| SK-KV16-V | Seal kit, FKM (Viton) | KV-16 |" names
    viton)."""
    shared = {_base(w) for w in _words(common)}
    present = {_base(w) for w in _words(text)} - shared
    flat, everywhere = (re.sub(r"[^a-z0-9]", "", t.lower()) for t in (text, common))
    return len(asked.content & present) + sum(c in flat and c not in everywhere for c in codes)


def names_key(key: str, asked: AskedWords) -> bool:
    """Whether the question names a table row's key cell: each of its content words and
    numbers ("Compressor room", "Line 2"; not "Line 1" for a question on line 2). A key of
    one word without a number ("Battery") may be any word of a question, and names none."""
    words = [_base(w) for w in _words(key)]
    content = [w for w in words if _content(w) and w.isalpha()]
    numbers = [w for w in words if w[0].isdigit()]
    return (
        len(content) + len(numbers) >= 2
        and bool(content)
        and all(w in asked.content for w in content)
        and all(n in asked.numbers for n in numbers)
    )
