"""The part of a sentence or row holding a value: what it says of the value."""

from __future__ import annotations

import re

import pytest

from assistant.answering.asked_value import answer_type_missing
from assistant.answering.contrast import asked_words
from assistant.answering.question_cues import expected_answer_types
from assistant.answering.value_parts import part_elsewhere

_RPM = re.compile(r"\d[\d,]*\s?rpm")


def _elsewhere(question: str, text: str, header: str = "") -> bool:
    asked = asked_words(question, expected_answer_types(question))
    return part_elsewhere(text, header, _RPM, asked)


@pytest.mark.parametrize(
    ("text", "header", "other"),
    [
        # a speed for one job is no lowest speed, whatever else the sentence bounds
        ("Check the coolant at 7-9 %, then run the spindle at 10,000 rpm.", "", True),
        ("Warm up (10 min, stepping 2,000 / 10,000 rpm) if off for more than 4 h.", "", True),
        # the lower end stated in the value's own part, by a word, a range or its column
        ("Spindle speed 50-12,000 rpm.", "", False),
        ("Spindle speed: min. 50 rpm, max. 12,000 rpm", "", False),
        ("| Spindle | 50 rpm | 12,000 rpm |", "| Item | Min | Max |", False),
        # no value of the kind at all: left to the other tests
        ("The spindle has a BT40 taper.", "", False),
    ],
)
def test_a_lowest_value_is_stated_as_one(text: str, header: str, other: bool) -> None:
    assert _elsewhere("whats the lowest spindle speed the vmc850 can do", text, header) is other


def test_a_maximum_may_go_unnamed() -> None:
    assert not _elsewhere("what's the highest spindle speed", "Spindle speed 12,000 rpm")


def test_the_asked_qualifier_on_another_noun_is_another_thing() -> None:
    question = "What are the outside dimensions of the returnable tray?"
    row = (
        "Packaging\n| Packaging | Parts per pack | Pallet |\n|---|---|---|\n"
        "| Returnable tray with lid | 20 | Returnable pallet 1200 x 800 |"
    )
    assert answer_type_missing(question, [row])
    tray = row.replace("Returnable pallet 1200 x 800", "Returnable tray 400 x 300")
    assert not answer_type_missing(question, [tray])


def test_the_lowest_asked_is_declined_without_a_lower_end() -> None:
    passage = "VMC-850 start-up\nRun the spindle warm-up program at 10,000 rpm for 10 minutes."
    assert answer_type_missing("whats the lowest spindle speed the VMC-850 can do", [passage])
    ranged = "VMC-850 data\nSpindle speed range 20-12,000 rpm."
    assert not answer_type_missing("whats the lowest spindle speed the VMC-850 can do", [ranged])


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        # the terms price trays by the piece, not the pallets they travel on
        ("what do we invoice a customer for each returnable pallet they dont send back", True),
        ("customer asks what we charge per pallet they keep", True),
        ("what do we invoice per RT-20 tray not sent back", False),
        # no rate asked: the sentence's price stands
        ("what do we invoice for an RT-20 tray not sent back", False),
    ],
)
def test_a_price_per_piece_is_the_price_of_the_piece_it_names(question: str, missing: bool) -> None:
    terms = (
        "Delivery terms > Returnable packaging\nKV valve bodies travel in returnable plastic "
        "trays (type RT-20) on returnable pallets. Trays not returned within 90 days are "
        "invoiced at 18 EUR each."
    )
    assert answer_type_missing(question, [terms]) is missing
