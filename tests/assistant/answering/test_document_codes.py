"""The codes each document of an index names."""

from __future__ import annotations

from assistant.answering.asked_value import answer_type_missing
from assistant.answering.document_codes import CodeCatalogue
from assistant.answering.value_units import DocumentCodes
from retrieval.documents import Chunk


def _chunk(source: str, title: str, section: str, text: str) -> Chunk:
    return Chunk(f"{source}-{section}", source, title, (section,), None, text)


def test_each_document_gathers_the_codes_of_all_its_passages() -> None:
    catalogue = CodeCatalogue(
        [
            _chunk("uw.md", "UW-2000 manual", "Overview", "A titanium horn HN-55 on U2-01."),
            _chunk("uw.md", "UW-2000 manual", "Changing the horn", "Tighten the horn to 50 Nm."),
            _chunk("rx.md", "RX-6 manual", "Faults", "R-640: replace battery KP-7190."),
        ]
    )
    welder, robot, unknown = catalogue.of(["uw.md", "rx.md", "gone.md"])
    assert welder == DocumentCodes(frozenset({"uw2000", "hn55", "u201"}), frozenset({"uw2000"}))
    assert robot.mentions == {"rx6", "r640", "kp7190"} and robot.title == {"rx6"}
    assert unknown == DocumentCodes()


def test_a_code_its_document_names_elsewhere_binds_a_unit_naming_no_other() -> None:
    question = "torque for fitting the HN-55 horn"
    step = "UW-2000 manual Changing the horn\n4. Tighten the new horn to 50 Nm with the wrench."
    names_it = DocumentCodes(frozenset({"hn55", "uw2000"}), frozenset({"uw2000"}))
    assert answer_type_missing(question, [step])  # the passage alone never names the horn
    assert answer_type_missing(question, [step], [DocumentCodes()])
    assert not answer_type_missing(question, [step], [names_it])
    # a unit naming another code is that code's, whatever else its document names
    other = "Procedures MP-03 Backlash (VMC-850)\nBacklash must not exceed 5 µm."
    both = DocumentCodes(frozenset({"vmc850", "lt320"}))
    assert answer_type_missing("max backlash on the LT-320", [other], [both])
