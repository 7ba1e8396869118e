"""Answer composition: follow "see T-4" to the section it names, and merge repeated citations.

Manuals answer many questions in two hops: an alarm table says "See troubleshooting T-4" and
the steps are under the heading "T-4 Way lube pressure low". A quote that stops at the pointer
leaves the operator to search; `follow_pointers` finds the section the pointer names (in the
same document first) so its steps can be quoted too. `merge_citations` folds citations of
overlapping chunks of one section into one, so an answer never lists the same table four times.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.answers import Citation
from assistant.answering.extractive import Quote
from assistant.answering.passage_guard import clean_passage
from retrieval.documents import Chunk
from retrieval.lead_ins import join_texts
from retrieval.table_refs import names_table
from retrieval.tables import cells, split_blocks

# "see troubleshooting T-4", "refer to section 6.2", "see Table 1-2", "(see clause 4.2.1)"
_POINTER = re.compile(
    r"\b(?:see(?: also)?|refer to|according to|as described in|follow|"
    r"(?:given|shown|suggested|listed|described|defined|specified|set out) in)\s+(?:the\s+)?"
    r"(?:(?P<kind>troubleshooting|section|chapter|clause|table|annex|appendix|article|step|"
    r"procedure|paragraph)\s+)?"
    r"(?P<label>[A-Z]{1,4}-\d{1,3}|[A-Z]\.\d{1,2}(?:\.\d{1,2}){0,3}\b|\d{1,2}(?:\.\d{1,2}){0,3}|"
    r"[IVX]{1,5}\b)"
    # the section's title after its label, in capitals ("C.4 Timer and Counter Values")
    r"(?:\s+(?P<title>(?-i:[A-Z])[\w/-]*(?:\s+(?:(?:and|of|the|for|in|on|to|with)\s+)?"
    r"(?-i:[A-Z])[\w/-]*){0,6}))?",
    re.IGNORECASE,
)
_LABEL_AFTER = r"(?:\s|[.:)—–-]|$)"


@dataclass(frozen=True)
class Pointer:
    """A reference found in quoted text: the label ("T-4", "6.2") and its kind, if named."""

    label: str
    kind: str = ""
    title: str = ""  # the words naming the section after its label, when written

    def titles(self, heading: str) -> bool:
        """Whether `heading` carries this pointer's title under another label (a draft that
        renumbered its annex: "see C.4 Timer and Counter Values" for "C.3 Example Timer
        and Counter Values")."""
        return bool(self.title) and self.title.lower() in heading.lower()

    def heads(self, heading: str) -> bool:
        """Whether `heading` is the section this pointer names ("T-4 Way lube pressure low")."""
        label = re.escape(self.label)
        kinds = r"(?:section|chapter|clause|table|annex|appendix|article|step|paragraph)\s+"
        return bool(re.match(rf"(?:{kinds})?{label}{_LABEL_AFTER}", heading.strip(), re.I))


def pointers(text: str) -> list[Pointer]:
    """The pointers in a quote, in order; a bare number needs a kind ("section 6", not "see 6").

    Example:
        >>> pointers("E-141 | Way lube pressure low | See troubleshooting T-4")
        [Pointer(label='T-4', kind='troubleshooting', title='')]
    """
    found: list[Pointer] = []
    for match in _POINTER.finditer(text):
        label, kind = match.group("label"), (match.group("kind") or "").lower()
        if not kind and not re.search(r"[A-Za-z]", label):
            continue
        if kind == "" and re.fullmatch(r"[IVX]+", label):
            continue
        title = " ".join((match.group("title") or "").split())
        pointer = Pointer(label.upper() if "-" in label else label, kind, title)
        if pointer not in found:
            found.append(pointer)
    return found


def follow_pointers(text: str, source: str, chunks: Sequence[Chunk]) -> list[Chunk]:
    """The chunks of the first section that `text` points to (in the document `source` if it
    has one, else in the first that does), in document order.

    Example:
        >>> found = follow_pointers("See T-4", "m.pdf", chunks)  # doctest: +SKIP
        >>> [c.heading_path[-1] for c in found]  # doctest: +SKIP
        ['T-4 Way lube pressure low']
    """
    for pointer in pointers(text)[:2]:
        section = _section(pointer, source, chunks)
        if section:
            return section
    return []


def _section(pointer: Pointer, source: str, chunks: Sequence[Chunk]) -> list[Chunk]:
    headed = [c for c in chunks if c.heading_path]
    matches = [c for c in headed if pointer.heads(c.heading_path[-1])]
    same = [c for c in matches if c.source == source]
    # the label names one section and the title another: the title, in the same document
    titled = [c for c in headed if c.source == source and pointer.titles(c.heading_path[-1])]
    if titled and not any(pointer.titles(c.heading_path[-1]) for c in same):
        same = titled
    chosen = same or matches
    if not chosen:
        return []
    first = chosen[0]  # one section: the first match's path in its document
    return [c for c in chosen if c.source == first.source and c.heading_path == first.heading_path]


def merge_citations(text: str, citations: list[Citation]) -> tuple[str, list[Citation]]:
    """Fold citations of one section of one document into the first of them and renumber.

    Example:
        >>> a = Citation(n=1, source="m.pdf", section="Alarms", text="| E-1 | x |")
        >>> b = Citation(n=2, source="m.pdf", section="Alarms", text="| E-2 | y |")
        >>> merged_text, merged = merge_citations("x [1]; y [2]", [a, b])
        >>> merged_text, [c.n for c in merged]
        ('x [1]; y [1]', [1])
    """
    keep: list[Citation] = []
    new_number: dict[int, int] = {}
    by_place: dict[tuple[str, str, int | None], Citation] = {}
    for c in citations:
        place = (c.source, c.section, c.page if not c.section else None)
        first = by_place.get(place)
        if first is None:
            merged = c.model_copy(update={"n": len(keep) + 1})
            by_place[place] = merged
            keep.append(merged)
            new_number[c.n] = merged.n
            continue
        index = keep.index(first)
        keep[index] = first.model_copy(update={"text": join_texts(first.text, c.text)})
        by_place[place] = keep[index]
        new_number[c.n] = first.n
    renumbered = re.sub(
        r"\[(\d+)\]",
        lambda m: f"[{new_number.get(int(m.group(1)), int(m.group(1)))}]",
        text,
    )
    return _dedupe_markers(renumbered), keep


def _dedupe_markers(text: str) -> str:
    """ "[1] [1]" or "[1][1]" after renumbering reads as one marker."""
    return re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", text)


def missing_attribute_text(question: str, citations: Sequence[Citation]) -> str:
    """The one-sentence partial decline: what the closest document gives, and what it lacks.

    Example:
        >>> c = Citation(n=1, source="m.pdf", title="VMC-850 manual", section="Technical data",
        ...              text="Travels 850 mm")
        >>> missing_attribute_text("what does the VMC-850 weigh", [c])
        'The VMC-850 manual gives Technical data [1], but not the weight you asked for.'
    """
    from assistant.answering.question_cues import asked_count_nouns, expected_answer_types

    names = [t.name for t in expected_answer_types(question)]
    counted = asked_count_nouns(question)
    if counted and not names:
        names = [f"number of {' '.join(counted)}"]
    kinds = " or ".join(names) or "value"
    if not citations:
        return f"The documents do not state the {kinds} you asked for."
    first = citations[0]
    title = first.title or first.source
    same = [c for c in citations if c.source == first.source]
    headings = list(dict.fromkeys(c.heading for c in same if c.heading != title))[:2]
    if not headings:
        return f"The {title} does not state the {kinds} you asked for [{first.n}]."
    numbers = {c.heading: c.n for c in reversed(same)}
    given = " and ".join(f"{h} [{numbers[h]}]" for h in headings)
    return f"The {title} gives {given}, but not the {kinds} you asked for."


def append_pointed_sections(
    text: str, quotes: Sequence[Quote], citations: list[Citation], chunks: Sequence[Chunk]
) -> str:
    """Follow the pointers in the quoted lines; the first section they name is quoted after
    the answer, cited under the number it already has or added to `citations` under the next."""
    by_number = {c.n: c for c in citations}
    for quote in quotes:
        origin = by_number.get(quote.n)
        section = follow_pointers(quote.text, origin.source, chunks) if origin else []
        if not section or any(c.chunk_id == origin.chunk_id for c in section if origin):
            continue  # nothing named, or the pointer sits in the section it names
        first = section[0]
        section_text = clean_passage(join_all([c.text for c in section]))[0]
        if not section_text:
            continue
        if section_text.splitlines()[0] in text:
            continue  # already quoted
        cited = next((c for c in citations if c.chunk_id == first.chunk_id), None)
        if cited is None:
            cited = Citation(
                n=len(citations) + 1,
                source=first.source,
                title=first.title,
                section=first.section,
                page=first.page,
                text=section_text,
                chunk_id=first.chunk_id,
                doc_type=first.doc_type,
            )
            citations.append(cited)
        return f"{text}\n\n{first.heading_path[-1]} [{cited.n}]:\n{section_text}"
    return text


def append_named_table_row(
    text: str, question: str, quotes: Sequence[Quote], citations: Sequence[Citation]
) -> str:
    r"""A quoted line that names a table ("... are given in table 1-3") is followed by the row
    of that table (a passage of the same section, which `Searcher.with_named_tables` brought)
    sharing the most words with the question, under the table's header.

    Example:
        >>> prose = Citation(n=1, source="h.pdf", section="Ratings", text="See table 1-3.")
        >>> table = Citation(n=2, source="h.pdf", section="Ratings",
        ...                  text="| Size | Amps |\n|---|---|\n| 0000 | 850 |\n| 000 | 725 |")
        >>> print(append_named_table_row("See table 1-3. [1]", "amps of a 0000 wire",
        ...                              [Quote(1, "See table 1-3.", 1.0)], [prose, table]))
        See table 1-3. [1]
        <BLANKLINE>
        | Size | Amps |
        |---|---|
        | 0000 | 850 [2] |
    """
    by_number = {c.n: c for c in citations}
    for quote in quotes:
        origin = by_number.get(quote.n)
        if origin is None or not names_table(quote.text):
            continue
        for table in citations:
            same_place = (table.source, table.section) == (origin.source, origin.section)
            if table.n == origin.n or not same_place:
                continue
            found = _best_row(question, table.text)
            if found is not None and found[1] not in text:
                header, row = found
                return (
                    f"{text}\n\n{header}\n{_separator(header)}\n{row[:-1].rstrip()} [{table.n}] |"
                )
    return text


def _best_row(question: str, table: str) -> tuple[str, str] | None:
    """The header and the data row of the passage's first table that share the most words
    with the question (a word with a digit, a size or a code, counts double); None without
    any."""
    block = next((b for b in split_blocks(table) if b.header is not None), None)
    if block is None:
        return None
    asked = set(re.findall(r"\w+", question.lower()))
    best, best_score = None, 0.0
    for row in block.rows:
        shared = asked & set(re.findall(r"\w+", " ".join(cells(row)).lower()))
        score = sum(2.0 if re.search(r"\d", word) else 1.0 for word in shared)
        if score > best_score:
            best, best_score = row, score
    return None if best is None else (str(block.header), best)


def _separator(header: str) -> str:
    return "|" + "---|" * len(cells(header))


def join_all(texts: Sequence[str]) -> str:
    """The texts of consecutive chunks as one, each overlap the chunker repeated left out."""
    joined = texts[0]
    for text in texts[1:]:
        joined = join_texts(joined, text)
    return joined


def safety_quote(citation: Citation) -> str:
    """A safety passage word for word, as a Markdown quote after a generated answer."""
    quoted = "\n".join(f"> {line}" for line in citation.text.splitlines() if line.strip())
    return (
        f"\n\nFrom {citation.title} ({citation.section}), word for word [{citation.n}]:\n{quoted}"
    )
