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
    assert welder.mentions == {"uw2000", "hn55", "u201"} and welder.title == {"uw2000"}
    assert {("hn55", "horn"), ("hn55", "titanium")} <= welder.nouns
    assert robot.mentions == {"rx6", "r640", "kp7190"} and robot.title == {"rx6"}
    assert unknown == DocumentCodes()


def test_a_code_its_document_names_elsewhere_binds_a_unit_naming_no_other() -> None:
    question = "torque for fitting the HN-55 horn"
    step = "UW-2000 manual Changing the horn\n4. Tighten the new horn to 50 Nm with the wrench."
    horn = frozenset({("hn55", "horn"), ("hn55", "titanium")})
    names_it = DocumentCodes(frozenset({"hn55", "uw2000"}), frozenset({"uw2000"}), horn)
    assert answer_type_missing(question, [step])  # the passage alone never names the horn
    assert answer_type_missing(question, [step], [DocumentCodes()])
    assert not answer_type_missing(question, [step], [names_it])
    # a step about something else the document does not call the code binds nothing
    heater = "UW-2000 manual Start-up\n2. Switch the heater on and wait 20 minutes."
    assert answer_type_missing("how long does the HN-55 take to warm up", [heater], [names_it])
    # a unit naming another code is that code's, whatever else its document names
    other = "Procedures MP-03 Backlash (VMC-850)\nBacklash must not exceed 5 µm."
    both = DocumentCodes(frozenset({"vmc850", "lt320"}))
    assert answer_type_missing("max backlash on the LT-320", [other], [both])


def test_a_passage_naming_the_code_itself_binds_only_its_units_that_name_it() -> None:
    # the IM-220 manual names its TC-9 controller elsewhere too ("each with its TC-9 mould
    # temperature controller"), but this start-up list names it in step 3 alone: step 2's
    # 20 minutes are the barrel's soak time, not how long the TC-9 takes
    steps = (
        "IM-220 manual Start-up\n"
        "2 Switch barrel heating on, wait until all zones are at setpoint, then 20 minutes more.\n"
        "3 Start the TC-9 mould temperature controller and wait until the mould reaches setpoint."
    )
    nouns = frozenset({("tc9", "mould"), ("tc9", "controller"), ("tc9", "setpoint")})
    manual = DocumentCodes(frozenset({"tc9", "im220"}), frozenset({"im220"}), nouns)
    question = "how long does the TC-9 take to heat the mould up to setpoint"
    assert answer_type_missing(question, [steps], [manual])
    # the same step in a passage that does not name the TC-9 is the TC-9's when it says so
    alone = "IM-220 manual Mould heating\nThe mould reaches setpoint after about 40 minutes."
    assert not answer_type_missing(question, [alone], [manual])
