"""The codes each document names, for passages that do not repeat them.

A welder's manual names its horn once, in its overview ("a titanium horn HN-55"); its
"Changing the horn" steps say only "tighten the new horn to 50 Nm". Asked "torque for
fitting the HN-55 horn", that step answers: the document names the code, and the step names
no other one. `asked_value` reads a passage's `DocumentCodes` where the passage itself does
not name the asked code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from assistant.answering.question_cues import subject_codes
from assistant.answering.value_units import DocumentCodes
from retrieval.documents import Chunk

__all__ = ["CodeCatalogue"]


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
        for chunk in self._chunks:
            titled = subject_codes(chunk.title)
            titles.setdefault(chunk.source, set()).update(titled)
            named = subject_codes(f"{chunk.section} {chunk.text}") | titled
            mentions.setdefault(chunk.source, set()).update(named)
        return {
            source: DocumentCodes(frozenset(codes), frozenset(titles[source]))
            for source, codes in mentions.items()
        }
