from __future__ import annotations

from assistant.extractive import ExtractiveAnswerer, passage_units
from retrieval.embeddings import SentenceEmbedder


def test_pdf_table_cells_are_reassembled_into_rows() -> None:
    row1 = ["E-101", "Spindle overload", "Dull tool", "Stop cycle"]
    row2 = ["E-114", "Coolant level low", "Top up", "CoolSol 8"]
    cells = "\n".join([*row1, *row2])
    units = passage_units(cells)
    assert "E-114 | Coolant level low | Top up | CoolSol 8" in units


def test_the_matching_row_is_quoted_with_its_citation(embedder: SentenceEmbedder) -> None:
    answerer = ExtractiveAnswerer(embedder)
    passages = {
        1: "| E-101 | Spindle overload | Reduce feed |\n| E-114 | Coolant level low | Top up |",
        2: "The canteen serves hot meals from 11:00 to 12:30.",
    }
    text = answerer.answer("what does alarm E-114 mean", passages)
    assert "E-114" in text.splitlines()[0] and text.splitlines()[0].endswith("[1]")
    assert "canteen" not in text


def test_no_units_no_quotes(embedder: SentenceEmbedder) -> None:
    assert ExtractiveAnswerer(embedder).quotes("anything", {1: "short"}) == []
