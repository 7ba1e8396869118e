from __future__ import annotations

from assistant.answering.extractive import ExtractiveAnswerer, passage_units
from assistant.answering.retrieval_result import TextVectors
from retrieval.embeddings import SentenceEmbedder


def test_units_are_sentences_sentence_pairs_and_named_table_rows() -> None:
    text = (
        "Dry the granulate first. Dry at 80 °C for 4 hours.\n"
        "| Code | Message | Action |\n|---|---|---|\n| E-114 | Coolant low | Top up CoolSol 8 |"
    )
    units = passage_units(text)
    assert "Dry at 80 °C for 4 hours." in units
    assert "Dry the granulate first. Dry at 80 °C for 4 hours." in units
    assert "Code E-114 — Message: Coolant low; Action: Top up CoolSol 8" in units
    assert not any(u.startswith("|") for u in units)


def test_a_quantity_question_prefers_the_sentence_with_the_number(
    embedder: SentenceEmbedder,
) -> None:
    passages = {
        1: "PA66-GF30 absorbs moisture and must be dried before moulding. "
        "Dry at 80 °C for at least 4 hours in dryer DR-2."
    }
    text = ExtractiveAnswerer(embedder).answer("how long do we dry PA66-GF30", passages)
    assert "4 hours" in text


def test_the_matching_row_is_quoted_with_its_citation(embedder: SentenceEmbedder) -> None:
    answerer = ExtractiveAnswerer(embedder)
    passages = {
        1: "| Code | Message | Action |\n|---|---|---|\n"
        "| E-101 | Spindle overload | Reduce feed |\n| E-114 | Coolant level low | Top up |",
        2: "The canteen serves hot meals from 11:00 to 12:30.",
    }
    text = answerer.answer("what does alarm E-114 mean", passages)
    assert "E-114" in text.splitlines()[0] and text.splitlines()[0].endswith("[1]")
    assert "canteen" not in text


def test_no_units_no_quotes(embedder: SentenceEmbedder) -> None:
    assert ExtractiveAnswerer(embedder).quotes("anything", {1: "short"}) == []


def test_shared_vectors_give_the_same_quotes_without_embedding_again(
    embedder: SentenceEmbedder,
) -> None:
    answerer = ExtractiveAnswerer(embedder)
    passages = {
        1: "| Code | Message | Action |\n|---|---|---|\n"
        "| E-101 | Spindle overload | Reduce feed |\n| E-114 | Coolant level low | Top up |",
        2: "The canteen serves hot meals from 11:00 to 12:30. A meal costs 3.50 EUR.",
    }
    question = "what does alarm E-114 mean"
    vectors = TextVectors(embedder)
    shared = answerer.quotes(question, passages, vectors)
    before = embedder.texts_embedded
    assert answerer.answer(question, passages, vectors) == answerer.answer(question, passages)
    assert embedder.texts_embedded - before == 1 + len(
        {u for text in passages.values() for u in passage_units(text)}
    )  # only the call without shared vectors read the question and the units
    assert [(q.n, q.text) for q in shared] == [
        (q.n, q.text) for q in answerer.quotes(question, passages)
    ]
