"""What a question asks for: the kind of value and whether it wants live figures."""

from __future__ import annotations

import pytest

from assistant.answering.asked_subject import subject_words
from assistant.answering.asked_value import answer_type_missing
from assistant.answering.question_cues import (
    asked_count_nouns,
    asking_clause,
    asks_for_live_figures,
    defined_term,
    expected_answer_types,
    names_code,
    subject_codes,
)


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("what does the RX-6 robot weigh", ["weight"]),
        ("what supply voltage does the welder need", ["voltage"]),
        ("what is the IP rating of the cabinet", ["ingress protection"]),
        ("price of the KV-32 valve body", ["price"]),  # clipped: it opens with the quantity
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
        # "when", "where" and "who" ask for a time, a place or a person, not a quantity ...
        ("when was the application for the wind speed patent filed", ["date"]),
        ("when should I check the pressure of the press", []),  # no past event: no date
        ("where is the pressure gauge of the press", []),
        ("from what date does the regulation apply", ["date"]),
        # ... unless a "what" or "how" asks for one after them
        ("when it overheats, what pressure should the gauge read", ["pressure"]),
        ("who is the dealer and what is their phone number", ["phone number"]),
        ("how much faster was shared memory than TCP", []),
        # a definition asks for no value, whatever its words ("torque" of the procedure)
        ("What is meant by out-of-tolerance (OOT) in the torque tool procedure?", []),
        ("what does 'exchange rate' mean in the noise reg and what value is it", ["noise level"]),
        # the tools that apply or measure a torque ask for none; their interval is asked
        ("what relative humidity must the torque calibration lab be kept at", ["humidity"]),
        ("what's the calibration interval for torque multipliers", ["interval"]),
        ("what frequency does the ultrasonic run at in the immersion stage", ["frequency"]),
        ("what is the MTBF of the KD-600 drives", ["mean time between failures"]),
        ("what is the maximum spindle runout on the LT-320", ["geometric tolerance"]),
        ("whats the name of the canteen manager", ["name"]),
        ("who does our anodising? name of the anodiser for the KV bodies", ["name"]),
        ("how long must audiometric test results be retained", ["duration", "retention period"]),
        ("how long do we keep quality records", ["duration", "retention period"]),
        ("starting Monday with a buddy - how long do I keep them for?", ["duration"]),
    ],
)
def test_expected_answer_types(question: str, kinds: list[str]) -> None:
    assert [k.name for k in expected_answer_types(question)] == kinds


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("how long does the warm-up take", ["duration", "task duration"]),
        ("how long must my password be", ["password"]),  # a length, not a time
        ("how long ago was the drill", []),
        ("what humidity must the CMM room have", ["humidity"]),
        ("what is the noise level of the washer in dB", ["noise level"]),
        ("which software version runs on the PLC", ["version"]),
        ("what is the part number of the turret motor", ["part number"]),
        ("what is the shelf life of the coolant concentrate", ["shelf life"]),
        ("what are the outside dimensions of the board", ["dimensions"]),
        ("how wide is the gate", ["length"]),
        ("how often are the BT40 pull studs replaced", ["interval"]),
        ("at what interval is the chuck greased", ["interval"]),
        # "be" closes a long clause past the window: still a length, not a time
        ("how long must the silent gap between two Modbus RTU messages be?", []),
        ("what PWM frequency does the laser output use", ["frequency"]),
        ("what deploy and stow angles does the servo arm use", ["angle"]),
        ("what is the oven temperature in degrees", ["temperature"]),
        ("maximum cable length of the RS-485 bus", ["cable length"]),
        # "how much current" asks for amperes; "the current state" asks for none
        ("How much current can each isolated digital output deliver?", ["current"]),
        ("maximum continuous discharge current of the BMS", ["current"]),
        ("what is the current state of line 2", []),
        # the verb that closes "how much does ..." names the quantity past the window
        ("how much does a replacement ruby stylus for the CMM cost?", ["price"]),
        ("how much will the spare spindle cartridge for line 1 weigh", ["weight"]),
        ("what do we charge if a customer keeps the trays", ["price"]),
        ("who is the canteen manager?", ["name"]),
        ("who is responsible for the permit?", []),
        ("what vacuum level should the suction cups reach", ["pressure"]),
        ("what frequency does the ultrasonic stage of the PW-400 run at, kHz?", ["frequency"]),
        # a frequency that sets a condition past the window is not asked for
        ("what voltage does the pump need on the 60 Hz supply", ["voltage"]),
        ("how long do I charge the forklift battery", ["duration"]),
        ("how long is a contract extension", ["duration"]),
        ("what's the extension for the IT helpdesk", ["phone number"]),
        # the quantity named by the thing it belongs to
        ("PW-400 heater power?", ["power"]),
        ("What's the motor rating of the TC-9 circulation pump?", ["power"]),
        ("How much glue does the CP-60 tank hold?", ["volume"]),
        ("What flow does the hydraulic pump deliver?", ["flow rate"]),
        ("what's the rated capacity of our reach trucks", ["load capacity"]),
        ("whats the SWL of the lifting eye", ["load capacity"]),
        ("what is the rapid traverse on the Z axis", ["rapid traverse"]),
        ("LT-320 rapid traverse rate?", ["rapid traverse"]),
        ("what are the exact dates of the summer shutdown", ["date"]),
        ("what's the oil change interval for the hydraulic unit", ["interval"]),
        ("opening hours of the HR office?", ["clock time"]),
        ("Who chairs the safety committee?", ["name"]),
        ("who leads the audit", []),  # a role may answer; no name is asked for
        # a company asked for by what it does
        ("Which licensed waste contractor collects our waste oil?", ["name"]),
        ("which lab do we send these samples to", ["name"]),
        ("who is our haulier for DAP deliveries", ["name"]),
        ("which supplier's price is lower", ["price"]),  # the supplier's price, not its name
        ("what's the max allowed ball screw backlash on the LT-320", ["geometric tolerance"]),
        ("which warm-up program number do I run on the LT-320", ["program number"]),
        # two quantities joined by "and", the second past the window
        (
            "what are the operating temperature range and the IP rating of the PLC",
            ["ingress protection", "temperature"],
        ),
    ],
)
def test_further_kinds(question: str, kinds: list[str]) -> None:
    assert [k.name for k in expected_answer_types(question)] == kinds


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("tightening torque for the VDI tool holders in the LT-320 turret", ["torque"]),
        ("max ambient temperature for the RX-6 robot?", ["temperature"]),
        ("price of a replacement CMM stylus KP-1122?", ["price"]),
        ("flow rate of the through spindle coolant on the VMC-850?", ["flow rate"]),
        ("part number for the TC-9 pump seal", ["part number"]),
        # a report or a statement that only mentions a quantity asks for none
        ("spindle temperature alarm on the VMC-850", []),
        ("pressure drop at the filter of the washer", []),
        ("noisy at high rpm", []),
        # the quantity, what may be allowed of it, and where
        ("max ambient temperature allowed in the compressor room", ["temperature"]),
        # "on" before a bare asset tag names where a setting is, never closes the quantity;
        # "on the ... lathe" names the machine by its words
        ("weld pressure on U2-01", []),
        ("max allowed spindle runout on the LT-320 lathe", ["geometric tolerance"]),
        ("lead time from Vantor for a spindle bearing", ["process time"]),
        # a noun phrase alone asks for the quantity it ends with
        ("AC-37 motor rpm?", ["rotational speed"]),
        ("VMC-850 weight", ["weight"]),
        ("stores window phone extension?", ["phone number"]),
        ("SortPro email address?", ["e-mail address"]),
        ("E-200 on the VMC", []),
        # a compound that is part of the quantity's name is kept
        ("standard set-up time for a new job on the LT-320", ["process time"]),
        ("strange noise on the conveyor?", []),
        ("extension number for the canteen manager?", ["phone number"]),
    ],
)
def test_clipped_questions_ask_for_the_quantity_they_open_with(
    question: str, kinds: list[str]
) -> None:
    assert [k.name for k in expected_answer_types(question)] == kinds


def test_a_gripping_force_is_a_force_and_milligrams_are_a_weight() -> None:
    assert [k.name for k in expected_answer_types("what gripping force does it have")] == ["force"]
    weight = expected_answer_types("what does the residue weigh")[0]
    assert weight.value.search("at most 10 mg per part")


@pytest.mark.parametrize(
    ("question", "nouns"),
    [
        ("how many lockers are in the Hall C changing room", ["lockers"]),
        ("how many spare spindles do we keep for the VMC-850", ["spare", "spindles"]),
        ("how many valve bodies fit in one wash basket", ["valve", "bodies", "fit"]),
        ("how many pallets high can we stack", ["pallets"]),
        ("how many amps can the wire carry", []),  # a unit: a measured quantity
        ("how many years does the battery last", []),
        ("how many PH-55 go in one box", []),  # a code is counted per something else
        ("what is the maximum number of subscriptions a client may hold", ["subscriptions"]),
        ("give me the total number of rejected parts this week", ["rejected", "parts"]),
        ("what is the part number of the pump", []),  # a number that names, not counts
        ("what is the number of the ticket", []),
        ("what is the torque", []),
    ],
)
def test_asked_count_nouns(question: str, nouns: list[str]) -> None:
    assert asked_count_nouns(question) == nouns


def test_subject_codes() -> None:
    assert subject_codes("is the RX-6 heavier than the lt320 or PA66-GF30?") == {
        "rx6",
        "lt320",
        "pa66gf30",
    }
    assert subject_codes("how many lockers are in Hall C") == set()
    assert subject_codes("are the KV-20s leak tested") == {"kv20"}  # a code in the plural
    # capitals joined by a hyphen are a code; an everyday hyphenated word is not
    assert subject_codes("how often does OPS-CMM need refreshing") == {"opscmm"}
    assert subject_codes("is an x-ray or a re-test needed") == set()


@pytest.mark.parametrize(
    ("code", "text", "named"),
    [
        ("kv20", "fits KV-20 bodies", True),
        ("kv20", "fits KV 20 and kv20 bodies", True),
        ("kv20", "the KV-200 bodies", False),
        ("opscmm", "Probe qualification stops CMM work", False),
        ("opscmm", "| OPS-CMM | 2 days |", True),
        ("ph40", "MPH-40 pumps", False),
    ],
)
def test_names_code_as_a_word_of_its_own(code: str, text: str, named: bool) -> None:
    assert names_code(code, text) is named


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
        ("today's OEE on line 1?", True),
        ("how often did alarm H-310 trip last week", True),
        # a period that sets the scene, or a yes/no question about it, asks for a rule
        ("RMA issued today - what is the deadline for the return", False),
        ("I'm sick tomorrow who do I call", False),
        ("twisted my ankle this morning - do I need to report that?", False),
        ("customer orders seal kits at 11:30, will they ship today?", False),
    ],
)
def test_asks_for_live_figures(question: str, live: bool) -> None:
    assert asks_for_live_figures(question) is live


@pytest.mark.parametrize(
    ("text", "flow"),
    [
        ("coolant pump: 40 L/min at 20 bar", True),
        ("12 cases per minute", True),
        ("3 m³/h of compressed air", True),
        ("rapid traverse 36 m/min on X and Y", False),  # a length per minute is a speed
        ("belt runs at 5 m per minute", False),
    ],
)
def test_a_flow_rate_is_a_volume_or_count_per_time(text: str, flow: bool) -> None:
    (kind,) = expected_answer_types("what is the flow rate of the pump")
    assert bool(kind.value.search(text)) is flow


@pytest.mark.parametrize(
    ("passage", "missing"),
    [
        (
            "Refractometer\nCalibrate the refractometer every 6 months against distilled water.",
            False,
        ),
        ("Refractometer\nThe refractometer is calibrated in the quality lab (weekly).", False),
        (
            "Refractometer\nThe refractometer reads the coolant concentration: keep it at 6-8 %.",
            True,
        ),
    ],
)
def test_how_often_asks_for_an_interval_the_passage_states(passage: str, missing: bool) -> None:
    from assistant.answering.asked_value import answer_type_missing

    question = "how often is the coolant refractometer calibrated"
    assert answer_type_missing(question, [passage]) is missing


@pytest.mark.parametrize(
    ("question", "term"),
    [
        (
            "What does the lockout SOP mean by an 'energy isolating device'?",
            "energy isolating device",
        ),
        ("what does LOTO stand for", "LOTO"),
        ("define affected employee", "affected employee"),
        ("what is the definition of a group lockout in the SOP", "group lockout"),
        ("what is meant by zero energy state?", "zero energy state"),
        ("what voltage does the pump need", None),
        ("what's a 'quick' way to purge", None),  # quoted, but no definition asked
    ],
)
def test_defined_term(question: str, term: str | None) -> None:
    assert defined_term(question) == term


def test_the_asked_kind_is_taken_out_of_the_subject_whole() -> None:
    # "voltage" is the asked kind, not "volt" plus a subject word "age"
    kinds = expected_answer_types("What voltage is read as HIGH on the isolated inputs?")
    assert [k.name for k in kinds] == ["voltage"]
    assert "age" not in subject_words("What voltage is read as HIGH on the isolated inputs?", kinds)


def test_a_verb_of_capability_does_not_name_the_subject() -> None:
    table = (
        "Drive > Inputs / outputs\n| I/O | Type | Value |\n|---|---|---|\n"
        "| input | analog | 0-10 V |\n| output | isolated digital | 5-24 VDC, 300 mA |"
    )
    asked = "How much current can each isolated digital output of the TGZ servo amp deliver?"
    assert not answer_type_missing(asked, [table])
    assert answer_type_missing("How much current does the cooling fan draw?", [table])


@pytest.mark.parametrize(
    ("question", "clause"),
    [
        (
            "somebody left the door open, what temperature is the CMM room held at?",
            "what temperature is the CMM room held at?",
        ),
        (
            "we're two techs down this week. Can a work order be pushed back?",
            "Can a work order be pushed back?",
        ),
        ("PH-40s are rocking again - how big a gap is ok", "how big a gap is ok"),
        ("what temperature is the CMM room held at", None),  # it is all question
        ("the CMM room feels warm today", None),  # nothing asks
        ("which bin? where is it?", None),  # every clause asks
    ],
)
def test_asking_clause(question: str, clause: str | None) -> None:
    assert asking_clause(question) == clause


def test_kinds_named_by_what_they_belong_to() -> None:
    assert answer_type_missing("SortPro email address?", ["Sorting\nWe book SortPro by phone."])
    assert not answer_type_missing(
        "SortPro email address?", ["Sorting\nSortPro: sorting@sortpro.example, 24 h notice."]
    )
    assert answer_type_missing("PW-400 heater power?", ["PW-400 data\n| Tank | 400 L |"])
    assert not answer_type_missing("PW-400 heater power?", ["PW-400 data\n| Heater | 18 kW |"])
    made_of = "What is the OR-55 O-ring made of?"
    assert not answer_type_missing(made_of, ["Spares\n| OR-55 | O-ring 48 x 2.5 EPDM |"])
    assert answer_type_missing(made_of, ["Spares\n| OR-55 | O-ring 48 x 2.5 | 0.65 EUR |"])
    # a rapid traverse is a feed in m/min, never a spindle's rpm
    rapid = "LT-320 rapid traverse rate?"
    assert answer_type_missing(rapid, ["LT-320 data\n| Max spindle speed | 4,500 rpm |"])
    assert not answer_type_missing(rapid, ["LT-320 data\n| Rapid traverse | 24 m/min |"])
