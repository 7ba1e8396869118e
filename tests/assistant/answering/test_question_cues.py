"""What a question asks for: the kind of value and whether it wants live figures."""

from __future__ import annotations

import pytest

from assistant.answering.question_cues import (
    answer_type_missing,
    asks_for_live_figures,
    expected_answer_types,
)


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("what does the RX-6 robot weigh", ["weight"]),
        ("what supply voltage does the welder need", ["voltage"]),
        ("what is the IP rating of the cabinet", ["ingress protection"]),
        ("price of the KV-32 valve body", []),  # no question word: a search, not a question
        ("what is the price of the KV-32 valve body", ["price"]),
        ("what pressure and temperature for the mould", ["temperature", "pressure"]),
        ("bar feeder is very noisy at high rpm", []),  # a statement, not asking for rpm
        ("how do I reset alarm E-114", []),
        # a kind's word used as a modifier asks for no value of that kind
        ("what is the peak C-weighted sound pressure limit", ["pressure"]),
        ("what is the temperature coefficient of copper", []),
        ("what is the inspection frequency of the slings", []),
        ("what is the operating frequency of the radio", ["frequency"]),
        ("how heavy is the robot", ["weight"]),
        ("how do you apply high-temperature pressure-sensitive tape", []),
        ("what IP protection rating does the controller have", ["ingress protection"]),
        ("what is the maximum fine in euros for a breach", ["price"]),
        ("is the fine adjustment knob on the left", []),
        ("how much RAM does the host have", ["memory"]),
        ("what is the maximum wind speed it can measure", ["speed"]),
        # a kind's word far from the question word describes the subject
        ("who is the assignee of the patent on wind speed measurement", []),
        ("how much faster was shared memory than TCP", []),
    ],
)
def test_expected_answer_types(question: str, kinds: list[str]) -> None:
    assert [k.name for k in expected_answer_types(question)] == kinds


@pytest.mark.parametrize(
    ("question", "passage", "missing"),
    [
        ("what does the RX-6 weigh", "| Payload | 6 kg |", False),
        ("what does the RX-6 weigh", "| Reach | 900 mm |", True),
        ("what is the IP rating of the cabinet", "Cabinet protection IP54", False),
        ("what is the IP rating of the cabinet", "The ip address is printed on it", True),
        ("what is the price of the SK-16 kit", "| Part | Price (EUR) |\n| SK-16 | 24.80 |", False),
        ("what colour is the guard door", "The guard door is RAL 7035 grey", False),
        ("what colour is the guard door", "The guard door has a safety switch", True),
        ("which torque for the bolts", "Tighten to 25 Nm crosswise", False),
        ("how do I reset alarm E-114", "Press reset", False),  # no kind asked: never missing
        ("what pressure do I set on the regulator", "Set it to 5 to 7 psig.", False),
        # a transposed table: the unit is in the row's label
        (
            "what tensile strength has aluminum",
            "| Item | Al |\n|---|---|\n| Tensile strength (lb/in2). | 25,000 |",
            False,
        ),
        # a table of bare numbers under a heading naming the asked quantity
        (
            "how many amps can 0000 wire carry",
            "SAFE CURRENT RATINGS\n| Size | PTFE |\n|---|---|\n| 0000 | 850 |",
            False,
        ),
        (
            "how many amps can 0000 wire carry",
            "CONDUCTOR SIZES\n| Size | Mils |\n|---|---|\n| 0000 | 460 |",
            True,
        ),
        ("what tensile strength does aluminum have", "about 25,000 psi", False),
        # the unit may sit in the column header only
        (
            "what is the ampacity of 12 AWG wire",
            "| AWG | Ampacity (amperes) |\n|---|---|\n| 12 | 20 |",
            False,
        ),
        (
            "what is the ampacity of 12 AWG wire",
            "| AWG | Diameter (mils) |\n|---|---|\n| 12 | 80.8 |",
            True,
        ),
    ],
)
def test_answer_type_missing(question: str, passage: str, missing: bool) -> None:
    assert answer_type_missing(question, [passage]) is missing


def test_the_value_may_be_in_any_passage() -> None:
    question = "what voltage does the welder need"
    assert answer_type_missing(question, ["Wire 1.0 mm"])
    assert not answer_type_missing(question, ["Wire 1.0 mm", "Supply 400 V, 3 phase"])


@pytest.mark.parametrize(
    ("question", "live"),
    [
        ("what is today's OEE on Line 1", True),
        ("how many bodies did we ship last month", True),
        ("what was the scrap rate in March", True),
        ("who is on the rota this week", True),
        ("what is the OEE target for Line 1", False),
        ("how often is the coolant changed", False),
        ("may I take a break after 4 hours", False),
    ],
)
def test_asks_for_live_figures(question: str, live: bool) -> None:
    assert asks_for_live_figures(question) is live
