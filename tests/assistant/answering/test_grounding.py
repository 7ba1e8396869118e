from __future__ import annotations

from assistant.answering.grounding import (
    cited_numbers,
    drop_unsupported_sentences,
    should_abstain,
    split_sentences,
    strip_invalid_citations,
)


def test_citations_are_parsed_in_order() -> None:
    assert cited_numbers("Top up coolant [2]. Check level [1, 2]. Done [3].") == [2, 1, 3]
    assert cited_numbers("no sources") == []


def test_citations_to_unknown_sources_are_removed() -> None:
    text = "Use CoolSol 8 [1]. Mix at 8 % [1, 7]. Call ext. 2240 [9]."
    assert (
        strip_invalid_citations(text, {1}) == "Use CoolSol 8 [1]. Mix at 8 % [1]. Call ext. 2240."
    )


def test_sentences_with_unsupported_numbers_are_dropped() -> None:
    passages = {
        1: "Grease the jaws with 2 strokes of CG-2 every shift.",
        2: "Chuck 1.2 to 2.4 MPa.",
    }
    text = "Use 2 strokes of CG-2 [1]. The chuck runs at 3.0 MPa [2]. Pressure may be 2.4 MPa [2]."
    cleaned, dropped = drop_unsupported_sentences(text, passages)
    assert dropped == 1
    assert cleaned == "Use 2 strokes of CG-2 [1]. Pressure may be 2.4 MPa [2]."


def test_citation_numbers_are_not_mistaken_for_facts() -> None:
    cleaned, dropped = drop_unsupported_sentences("Ask the shift leader [1, 2, 3].", {1: "x"})
    assert dropped == 0 and cleaned == "Ask the shift leader [1, 2, 3]."


def test_sentence_split_and_abstention() -> None:
    assert split_sentences("One. Two [1].\nThree") == ["One.", "Two [1].", "Three"]
    assert should_abstain(None, 0.3) and should_abstain(0.2, 0.3) and not should_abstain(0.5, 0.3)
