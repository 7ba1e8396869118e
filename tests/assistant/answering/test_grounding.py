from __future__ import annotations

import pytest

from assistant.answering.grounded_stream import GroundedStream
from assistant.answering.grounding import (
    MIN_SUPPORT,
    cited_numbers,
    drop_unsupported_sentences,
    lexical_support,
    new_commitments,
    should_abstain,
    split_sentences,
    strip_invalid_citations,
    unsupported,
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
    passages = {1: "Ask your shift leader.", 2: "x", 3: "y"}
    cleaned, dropped = drop_unsupported_sentences("Ask the shift leader [1, 2, 3].", passages)
    assert dropped == 0 and cleaned == "Ask the shift leader [1, 2, 3]."


def test_sentence_split_and_abstention() -> None:
    assert split_sentences("One. Two [1].\nThree") == ["One.", "Two [1].", "Three"]
    assert should_abstain(None, 0.3) and should_abstain(0.2, 0.3) and not should_abstain(0.5, 0.3)


LUBE = {
    1: "Fill the way lube reservoir with Mobil Vactra 2. Purge the metering unit until oil "
    "comes out at every point.",
    2: "For reason code R4 a restocking fee of 15 % of the invoice value is charged.",
}


def test_a_sentence_whose_words_are_not_in_its_source_is_dropped() -> None:
    assert unsupported("Purge the metering unit until oil comes out [1].", LUBE) is None
    # same source, no number, but about something the source never says
    assert unsupported("Grease the chuck jaws with two strokes daily [1].", LUBE) == "words"
    assert lexical_support("Grease the chuck jaws daily [1].", LUBE[1]) < MIN_SUPPORT
    # a short sentence needs every word: "The source is [2]" says nothing its source says
    assert unsupported("The source is [2].", LUBE) == "words"
    assert unsupported("Purge the unit [1].", LUBE) is None


@pytest.mark.parametrize(
    ("sentence", "promise"),
    [
        ("We waive the restocking fee for you [2].", "waive"),
        ("You will get a full refund of the invoice value [2].", "refund"),
        ("There is no restocking fee [2].", "no restocking fee"),
        ("The invoice value will not be charged [2].", "not be charged"),
        ("As compensation we offer a discount on the invoice value [2].", "compensation"),
    ],
)
def test_a_promise_its_source_does_not_make_is_dropped(sentence: str, promise: str) -> None:
    assert any(promise in found for found in new_commitments(sentence, LUBE[2]))
    assert unsupported(sentence, LUBE) == "commitment"
    assert drop_unsupported_sentences(sentence, LUBE) == ("", 1)


def test_a_promise_its_source_makes_is_kept() -> None:
    passages = {1: "Accepted returns are credited or refunded within 10 working days."}
    assert (
        unsupported("Accepted returns are refunded within 10 working days [1].", passages) is None
    )


def test_the_stream_releases_only_grounded_whole_sentences() -> None:
    text = (
        "Do this:\n1. Fill the way lube reservoir with Mobil Vactra 2 [1].\n"
        "2. Purge the metering unit [1]. We waive the fee [2].\nThen check every point [1]."
    )
    gate = GroundedStream(LUBE)
    shown = [list(gate.feed(ch)) for ch in text]  # one character at a time, as a model streams
    shown.append(gate.close())
    pieces = [p for step in shown for p in step]
    assert pieces == [
        "Do this:",
        "\n1. Fill the way lube reservoir with Mobil Vactra 2 [1].",
        "\n2. Purge the metering unit [1].",
        "\nThen check every point [1].",
    ]
    assert gate.text == "".join(pieces) and gate.dropped == 1 and not gate.declined
    # nothing is released before its sentence has ended
    first = next(i for i, step in enumerate(shown) if step)
    assert text[: first + 1].endswith("Do this:\n1")


def test_the_stream_notes_a_decline() -> None:
    gate = GroundedStream(LUBE)
    assert list(gate.run(["NOT IN ", "DOCUMENTS"])) == [] and gate.declined
