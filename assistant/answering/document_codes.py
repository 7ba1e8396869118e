"""The codes each document names, for passages that do not repeat them.

A welder's manual names its horn once, in its overview ("a titanium horn HN-55"); its
"Changing the horn" steps say only "tighten the new horn to 50 Nm". Asked "torque for
fitting the HN-55 horn", that step answers: the document names the code, and the step names
no other one. `asked_value` reads a passage's `DocumentCodes` where the passage itself does
not name the asked code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from assistant.answering.question_cues import normalise_code, subject_codes
from assistant.answering.value_units import DocumentCodes
from retrieval.documents import Chunk

__all__ = ["CodeCatalogue", "beside_codes"]


class CodeCatalogue:
    """The codes each source file of an index names, built on first use.

    Example:
        >>> from retrieval.documents import Chunk
        >>> chunk = Chunk("c1", "uw.md", "UW-2000 manual", ("Overview",), None, "Horn HN-55.")
        >>> codes = CodeCatalogue([chunk]).of(["uw.md", "other.md"])
        >>> sorted(codes[0].mentions), sorted(codes[0].title), codes[1] == DocumentCodes()
        (['hn55', 'uw2000'], ['uw2000'], True)
    """

    def __init__(self, chunks: Iterable[Chunk]) -> None:
        self._chunks = chunks
        self._by_source: dict[str, DocumentCodes] | None = None

    def of(self, sources: Sequence[str]) -> list[DocumentCodes]:
        """The codes of each source's document (none for a source the index lacks)."""
        if self._by_source is None:
            self._by_source = self._build()
        return [self._by_source.get(source, DocumentCodes()) for source in sources]

    def _build(self) -> dict[str, DocumentCodes]:
        mentions: dict[str, set[str]] = {}
        titles: dict[str, set[str]] = {}
        nouns: dict[str, set[tuple[str, str]]] = {}
        for chunk in self._chunks:
            titled = subject_codes(chunk.title)
            titles.setdefault(chunk.source, set()).update(titled)
            named = subject_codes(f"{chunk.section} {chunk.text}") | titled
            mentions.setdefault(chunk.source, set()).update(named)
            nouns.setdefault(chunk.source, set()).update(beside_codes(chunk.text, named))
        return {
            source: DocumentCodes(
                frozenset(codes), frozenset(titles[source]), frozenset(nouns[source])
            )
            for source, codes in mentions.items()
        }


# a clause: what lies between punctuation (a table's cells stay together: "| Horn | HN-55 |")
_CLAUSE = re.compile(r"[.;:,()\[\]!?\n]\s|\n")
_TOKEN = re.compile(r"[A-Za-z0-9][\w.-]*")
# words beside a code that say nothing of what it is
_NOT_NOUN = frozenset(
    "the a an and or of for to from on in at by with is are was be its our your this that "
    "these each all any new old see per as via no not use used using type model part code "
    "unit units fit fitted item page table section step".split()
)


def beside_codes(text: str, codes: set[str]) -> set[tuple[str, str]]:
    """(code, word) for the words up to two before and three after each mention of one of
    `codes` in the same clause.

    Example:
        >>> sorted(beside_codes("Fit a titanium horn HN-55. Torque it.", {"hn55"}))
        [('hn55', 'horn'), ('hn55', 'titanium')]
    """
    found: set[tuple[str, str]] = set()
    for clause in _CLAUSE.split(text):
        tokens = [t.rstrip(".-") for t in _TOKEN.findall(clause)]
        for i, token in enumerate(tokens):
            code = normalise_code(token)
            if code not in codes:
                continue
            for word in tokens[max(0, i - 2) : i] + tokens[i + 1 : i + 4]:
                lower = word.lower()
                if lower.isalpha() and len(lower) > 2 and lower not in _NOT_NOUN:
                    found.add((code, lower))
    return found
