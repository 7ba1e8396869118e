from __future__ import annotations

from assistant.answering.line_cues import definition_sought


def test_a_definition_question_names_its_term_and_the_line_that_defines_it() -> None:
    [(term, defines)] = definition_sought("How does QP-0008 define a nonconformity?")
    assert term == "nonconformity"
    assert defines("- Nonconformity – Non-fulfillment of a specified requirement")
    assert not defines("This procedure applies to all product nonconformities.")
    assert definition_sought("what voltage does the pump need") == []
