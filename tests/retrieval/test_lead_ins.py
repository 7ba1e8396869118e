"""A hit ending with a colon is read on into the next chunk of its section."""

from __future__ import annotations

from retrieval.documents import Chunk, Screened
from retrieval.lead_ins import continued, introduces, join_texts

PATH = ("Regulation", "Article 25 Conformity assessment")
LEAD = "2. For Part A machinery the manufacturer shall apply one of the following procedures:"
LIST = "the following procedures:\n(a) module B with module C;\n(b) module H."


def chunks() -> list[Chunk]:
    return [
        Chunk("r1", "reg.pdf", "Regulation", PATH, 27, LEAD),
        Chunk("r2", "reg.pdf", "Regulation", PATH, 27, LIST),
        Chunk("r3", "reg.pdf", "Regulation", ("Regulation", "Article 26"), 28, "Other:"),
        Chunk("r4", "other.pdf", "Other", ("Regulation", "Article 26"), 1, "Not this."),
    ]


def test_a_lead_in_is_joined_with_what_it_introduces_without_the_repeated_overlap() -> None:
    all_chunks = chunks()
    position = {c.chunk_id: i for i, c in enumerate(all_chunks)}
    joined = continued(all_chunks[0], all_chunks, position)
    assert joined.chunk_id == "r1"
    assert joined.text == f"{LEAD}\n(a) module B with module C;\n(b) module H."


def test_no_colon_another_section_another_document_or_the_last_chunk_stay_as_they_are() -> None:
    all_chunks = chunks()
    position = {c.chunk_id: i for i, c in enumerate(all_chunks)}
    for chunk in all_chunks[1:]:  # ends with a full stop; next section; last chunk
        assert continued(chunk, all_chunks, position) is chunk
    same_section_other_file = [all_chunks[2], all_chunks[3]]
    assert continued(all_chunks[2], same_section_other_file, {"r3": 0, "r4": 1}).text == "Other:"


def test_screened_texts_are_joined_only_when_one_screen_read_both() -> None:
    first = Chunk("a", "m.md", "M", ("I/O",), None, "Inputs:", screened=Screened("v2", "Inputs:"))
    table = "| Input | Range |\n|---|---|\n| analog | 0-10 V |"
    second = Chunk("b", "m.md", "M", ("I/O",), None, table, screened=Screened("v2", table, 1))
    joined = continued(first, [first, second], {"a": 0, "b": 1})
    assert joined.screened == Screened("v2", f"Inputs:\n{table}", 1)
    older = Chunk("b", "m.md", "M", ("I/O",), None, table, screened=Screened("v1", table))
    assert continued(first, [first, older], {"a": 0, "b": 1}).screened is None


def test_introduces_and_join_texts() -> None:
    assert introduces("as follows:  \n") and not introduces("Torque: 2.2 Nm")
    assert join_texts("abc", "abc def") == "abc def"  # one holds the other
    assert join_texts("First part.", "Second part.") == "First part.\nSecond part."
