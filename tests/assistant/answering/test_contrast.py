"""Words next to a value that put it on another thing than the asked one."""

from __future__ import annotations

import pytest

from assistant.answering.asked_value import answer_type_missing
from assistant.answering.contrast import AskedWords, asked_words, elsewhere, without_negated
from assistant.answering.question_cues import expected_answer_types


def _asked(question: str) -> AskedWords:
    return asked_words(question, expected_answer_types(question))


@pytest.mark.parametrize(
    ("question", "text", "other"),
    [
        # another qualifier of the asked noun, never the question's own
        (
            "max load for the reach truck",
            "Maximum load of our counterbalance trucks is 2,500 kg",
            True,
        ),
        ("max load for the reach truck", "Reach trucks: maximum load 1,200 kg", False),
        ("max load for the reach truck", "The trucks carry at most 1,200 kg", False),
        ("what is the weld time on the PH-55", "| Hold time | 0.8 s |", True),
        ("what is the weld time on the PH-55", "| Weld time | 0.35 s |", False),
        # a rating names which of a thing's values is meant: not the asked one
        ("what back pressure for the PH-55", "| PH-55 | Rated pressure | 16 bar |", True),
        ("what back pressure for the PH-55", "| PH-55 | Back pressure | 8 bar |", False),
        ("what pressure for the PH-55", "| PH-55 | Rated pressure | 16 bar |", False),
        # a code's letters are no qualifier: "MB-" of the MB-KV20 bolt set
        (
            "lead time on the MB-KV20 bolt set",
            "| MB-KV20 | Mounting bolt set M8 x 60 | 10 working days |",
            False,
        ),
        # the noun also stands with the question's own word: the sentence covers both
        (
            "how long is a newly issued certificate valid",
            "A newly issued certificate and a renewed certificate are valid for five years.",
            False,
        ),
        # a verb after its subject is no qualifier ("manufacturers shall keep")
        (
            "how long must a manufacturer keep the technical documentation",
            "Manufacturers shall keep the documentation for 10 years.",
            False,
        ),
        # opposites
        ("what time does the last bus leave", "the first bus arrives at 05:40", True),
        (
            "what time does the last bus leave",
            "the first bus arrives at 05:40, the last at 22:50",
            False,
        ),
        # a visitor's arrival is no leaving time; an opening time no closing time
        ("what time does the last bus leave", "| 07:30 | Arrival at the gatehouse |", True),
        ("what time does the canteen close", "The canteen opens at 06:00", True),
        # ... but a range gives both ends
        ("what time does the canteen close", "Opening hours 06:00 to 14:00", False),
        ("what time does the canteen close", "It opens at 06:00 and closes at 14:00", False),
        ("when does the late shift finish", "The late shift starts at 14:00", True),
        ("what is the outlet pressure", "Inlet pressure 6 bar", True),
        ("what is the max pressure", "Min. pressure 2 bar", True),
        ("what is the max pressure", "| Min | Max |", False),
        # the ends of a range by other names: "lowest" is the minimum, "highest" the maximum
        (
            "whats the lowest spindle speed the vmc850 can do",
            "a maximum spindle speed of 12,000 rpm",
            True,
        ),
        ("what is the highest mould temperature", "Minimum mould temperature 40 °C", True),
        ("whats the lowest spindle speed", "Spindle speed: minimum 20 rpm", False),
    ],
)
def test_elsewhere(question: str, text: str, other: bool) -> None:
    assert elsewhere(text, _asked(question)) is other


def test_a_colour_belongs_to_the_noun_after_it() -> None:
    tags = _asked("what colour are the danger tags we hang with our padlock")
    assert elsewhere("apply your red padlock and a danger tag", tags, colour=True)
    assert not elsewhere("hang a yellow danger tag on it", tags, colour=True)
    padlock = _asked("what colour padlock do i use for lockout")
    assert not elsewhere("apply your red padlock and a danger tag", padlock, colour=True)


def test_what_the_question_rules_out_is_not_asked() -> None:
    assert "hold" not in without_negated("the weld time (not the hold time)")
    assert "hold" not in without_negated("the weld time, not the hold time")
    assert "hold" not in _asked("what is the weld time (not the hold time)").words
    opposed = "What's the rated capacity of our reach trucks, as opposed to the 2,500 kg ones?"
    assert "2,500" not in without_negated(opposed)
    assert _asked(opposed).head == ("reach", "truck")
    assert "T1" not in without_negated("max speed in AUTO mode, not the T1 limit?")


def test_contractions_are_no_words_of_the_subject() -> None:
    assert _asked("What's the max load for the reach truck?").head == ("reach", "truck")
    assert "hasn" not in _asked("customer hasn't sent back the trays, what do we charge").words


@pytest.mark.parametrize(
    ("question", "passage", "missing"),
    [
        # a near miss: the value belongs to another truck, another time, the first bus
        (
            "max load for the reach truck in the warehouse?",
            "Warehouse rules\n- Maximum load of our counterbalance trucks is 2,500 kg.",
            True,
        ),
        (
            "max load for the reach truck in the warehouse?",
            "Warehouse rules\n- Maximum load of the reach trucks is 1,200 kg.",
            False,
        ),
        (
            "whats the weld time on the PH-55 (not the hold time)",
            "PH-55 welding\n| Parameter | Setting |\n|---|---|\n| Hold time | 0.8 s |",
            True,
        ),
        (
            "whats the weld time on the PH-55 (not the hold time)",
            "PH-55 welding\n| Parameter | Setting |\n|---|---|\n| Weld time | 0.35 s |",
            False,
        ),
        (
            "what time does the last bus leave after late shift",
            "Getting here\nThe first bus arrives at 05:40 for the early shift.",
            True,
        ),
        (
            "what colour are the danger tags we hang on the isolator",
            "Lockout\nApply your red padlock and a danger tag to each isolation point.",
            True,
        ),
        # the unit the answer is wanted in, at the question's end
        (
            "how much glue does the tank hold when full, in kg",
            "Glue tank\nMelts glue at 170 °C.",
            True,
        ),
        (
            "how much glue does the tank hold when full, in kg",
            "Glue tank\nThe tank holds 8 kg.",
            False,
        ),
        # a passage's heading line states no value: "MP-06" numbers a procedure
        (
            "part number for the nozzle tip on the IM-220",
            "Maintenance MP-06 Check ring wear (IM-220)\nCheck the ring every 3 months.",
            True,
        ),
    ],
)
def test_a_value_put_on_another_thing_is_missing(
    question: str, passage: str, missing: bool
) -> None:
    assert answer_type_missing(question, [passage]) is missing


_SPARES = (
    "Spare parts\n| Part number | Description | Fits | Price (EUR) |\n|---|---|---|---|\n"
    "| SK-KV20 | Seal kit | KV-20 | 14.60 |\n| SK-KV16-V | Seal kit, FKM (Viton) | KV-16 | 24.80 |"
)
_PPE = (
    "PPE by area\n| Area or task | Additional PPE |\n|---|---|\n"
    "| Ultrasonic welder zone | Ear defenders (SNR 30) |\n"
    "| Compressor room | Hearing protection (noise 88 dB(A)) |"
)
_SETTINGS = (
    "Settings for PH-55\n| Parameter | PH-55 |\n|---|---|\n"
    "| Mould temperature | 90 °C |\n| Holding pressure | 700 bar |"
)


@pytest.mark.parametrize(
    ("question", "passage", "missing"),
    [
        # the row naming most of the question's words is the one asked about
        ("price of a viton (FKM) seal kit for the KV-20", _SPARES, True),
        ("price of a seal kit for the KV-20", _SPARES, False),
        # a row whose key cell the question names is the only one asked about
        ("what SNR ear defenders do i need in the compressor room", _PPE, True),
        ("what SNR ear defenders do i need at the ultrasonic welder", _PPE, False),
        # a question asking two kinds asks two rows
        ("what mould temperature and holding pressure for PH-55", _SETTINGS, False),
    ],
)
def test_the_row_asked_about(question: str, passage: str, missing: bool) -> None:
    assert answer_type_missing(question, [passage]) is missing
