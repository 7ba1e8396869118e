"""A passage as the units a value is stated in: its sentences and table rows, each with what
surrounds it (the passage's heading line, the paragraph or table, a row's caption and column
headers). `asked_value.py` looks for the asked value unit by unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from retrieval.tables import split_blocks, with_header_units

__all__ = ["DocumentCodes", "Unit", "body_units", "units"]

# a sentence ends at . ! ? ; but not after "ext.", "No.", "approx." or an initial ("J. Smith")
_SENTENCE = re.compile(
    r"(?<=[.!?;])(?<!\bext\.)(?<!\bExt\.)(?<!\bNo\.)(?<!\bno\.)(?<!\bapprox\.)(?<![\s:][A-Z]\.)"
    r"\s+|\n"
)
# a paragraph ends at a blank line; a list item ("- ...", "3 ...", "2) ...") is one of its own
_PARAGRAPH = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*+•]|\d+[.)]?)\s)")


@dataclass(frozen=True)
class DocumentCodes:
    """The codes (as `question_cues.normalise_code` writes them) a passage's whole document
    names, and those of its title (`document_codes.CodeCatalogue` reads them)."""

    mentions: frozenset[str] = frozenset()
    title: frozenset[str] = frozenset()
    # (code, word) for the words beside each mention ("horn" of "a titanium horn HN-55")
    nouns: frozenset[tuple[str, str]] = frozenset()

    def without(self, codes: set[str]) -> DocumentCodes:
        """These codes less `codes` (those a passage names itself: its document names them
        elsewhere only where the passage does not)."""
        return replace(self, mentions=self.mentions - codes)

    def describes(self, code: str, text: str) -> bool:
        """Whether `text` names the kind of thing the document calls `code` ("the new horn"
        for a horn HN-55), as a word of its own or its plural."""
        words = {w.rstrip("s") for w in re.findall(r"[a-z]+", text.lower())}
        return any(c == code and w.rstrip("s") in words for c, w in self.nouns)


@dataclass(frozen=True)
class Unit:
    """A sentence or a table row, with what surrounds it."""

    text: str
    heading: str  # the passage's first line: its title and section path
    labels: str  # a table row's caption and column headers; empty for a sentence
    paragraph: str  # the paragraph, list item or table the unit belongs to
    header: str = ""  # a table row's column headers alone
    document: DocumentCodes = DocumentCodes()  # the codes its document names elsewhere


def units(passage: str) -> list[Unit]:
    """The sentences and table rows of a passage whose first line is its heading line."""
    heading = passage.split("\n", 1)[0]
    found: list[Unit] = []
    caption = ""
    for block in split_blocks(with_header_units(passage)):
        if block.header is not None:
            labels = f"{caption} {block.header}"
            found += [Unit(row, heading, labels, labels, block.header) for row in block.rows]
            continue
        for paragraph in _PARAGRAPH.split(block.text):
            sentences = [s for s in _SENTENCE.split(paragraph) if s.strip()]
            found += [Unit(s, heading, "", paragraph) for s in sentences]
            if sentences:
                caption = sentences[-1]
    return found


def body_units(passage: str) -> list[Unit]:
    """The passage's units but its heading line (a passage of one line is all body)."""
    found = units(passage)
    if "\n" not in passage:
        return found
    return [u for u in found if u.text.strip() not in u.heading]
