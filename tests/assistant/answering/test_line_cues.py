from __future__ import annotations

from assistant.answering.extractive import passage_units
from assistant.answering.line_cues import (
    definition_sought,
    lists_asked_code,
    passages_sought,
    term_entries,
)


def test_a_definition_question_names_its_term_and_the_line_that_defines_it() -> None:
    [(term, defines)] = definition_sought("How does QP-0008 define a nonconformity?")
    assert term == "nonconformity"
    assert defines("- Nonconformity – Non-fulfillment of a specified requirement")
    assert not defines("This procedure applies to all product nonconformities.")
    assert definition_sought("what voltage does the pump need") == []


def test_a_standards_numbered_term_entry_is_quoted_with_its_definition() -> None:
    [(_, defines)] = definition_sought("How does OSR-14 define a hearing protection zone?")
    regulation = (
        "3.6  exposure limit value\n     Level which shall not be exceeded.\n\n"
        "3.7  hearing protection zone\n\n     Any area of the workplace that is demarcated\n"
        "     and identified by signs.\n\n3.8  competent person\n"
    )
    # the entry alone finds the passage; the entry with its paragraph is what is quoted
    assert defines("3.7  hearing protection zone")
    assert not defines("6.3  Hearing protection zones shall be marked.")
    entries = term_entries(regulation)
    assert entries == [
        "3.6  exposure limit value: Level which shall not be exceeded.",
        "3.7  hearing protection zone: Any area of the workplace that is demarcated and "
        "identified by signs.",
    ]
    assert defines(entries[1]) and not defines(entries[0])
    units = passage_units(regulation)
    assert entries[1] in units and "3.7  hearing protection zone" not in units


CODES = "| Code | Meaning | Action |\n|---|---|---|\n| E203 | Cabinet too hot | Clean the filter |"
MODELS = "| Model | Weight |\n|---|---|\n| TC-48 | 38 kg |"


def test_a_code_the_question_names_is_sought_in_a_table_of_codes() -> None:
    sought = passages_sought("TC-48 keeps throwing E-203 in the afternoons, what now?")
    # each code's row, searched with every code the question names (E203 of the TC-48)
    assert [words for words, _ in sought] == ["e203 tc48", "e203 tc48"]
    e203, tc48 = (lists for _, lists in sought)
    assert e203(CODES) and not e203(MODELS)
    # a table of products keys its rows by code too, but lists no codes to look up
    assert not tc48(MODELS)
    parts = "| Part code | Description |\n|---|---|\n| E203 | Fan |"
    assert not e203(parts)
    assert lists_asked_code("TC-48 keeps throwing E-203, what now?", [MODELS, CODES])
    assert not lists_asked_code("what does the TC-48 weigh", [MODELS, CODES])
    # a definition is sought by its defining line
    [(term, defines)] = passages_sought("what does the SOP mean by 'hot work'")
    assert term == "hot work" and defines("Intro.\nHot work: any work producing sparks.")
