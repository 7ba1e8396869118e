"""Whether the passages state the asked value for the asked subject and attribute."""

from __future__ import annotations

import pytest

from assistant.answering.asked_value import answer_type_missing, condition_numbers


@pytest.mark.parametrize(
    ("question", "passage", "missing"),
    [
        ("what does the RX-6 weigh", "RX-6 data\n| Weight | 6 kg |", False),
        # a value of the asked kind that belongs to another attribute is no answer
        ("what does the RX-6 weigh", "RX-6 data\n| Payload | 6 kg |", True),
        ("what does the RX-6 weigh", "| Reach | 900 mm |", True),
        ("what is the IP rating of the cabinet", "Cabinet protection IP54", False),
        ("what is the IP rating of the cabinet", "The ip address is printed on it", True),
        (
            "what is the price of the SK-16 kit",
            "Price list\n| Part | Price (EUR) |\n|---|---|\n| SK-16 | 24.80 |",
            False,
        ),
        ("what colour is the guard door", "The guard door is RAL 7035 grey", False),
        ("what colour is the guard door", "The guard door has a safety switch", True),
        ("which torque for the bolts", "Cover bolts\nTighten to 25 Nm crosswise", False),
        # without a code, a short question's words name its subject: another's value is no answer
        ("which torque for the bolts", "Drain plug\nTighten to 25 Nm", True),
        ("how do I reset alarm E-114", "Press reset", False),  # no kind asked: never missing
        ("what pressure do I set on the regulator", "Set it to 5 to 7 psig.", False),
        # a transposed table: the unit is in the row's label
        (
            "what tensile strength has aluminum",
            "Aluminum\n| Item | Al |\n|---|---|\n| Tensile strength (lb/in2). | 25,000 |",
            False,
        ),
        # a table of bare numbers under a heading naming the asked quantity
        (
            "how many amps can 0000 wire carry",
            "SAFE CURRENT RATINGS of wire\n| Size | PTFE |\n|---|---|\n| 0000 | 850 |",
            False,
        ),
        (
            "how many amps can 0000 wire carry",
            "CONDUCTOR SIZES\n| Size | Mils |\n|---|---|\n| 0000 | 460 |",
            True,
        ),
        ("what tensile strength does aluminum have", "Aluminum: about 25,000 psi", False),
        # how long a task takes: an interval ("every 4,000 hours") says how often, not how long
        (
            "how long does an oil change on the AC-37 take",
            "AC-37 service\n| Oil separator | change every 4,000 hours |",
            True,
        ),
        (
            "how long does an oil change on the AC-37 take",
            "An AC-37 oil change takes about 20 minutes.",
            False,
        ),
        (
            "how long between oil changes on the AC-37",
            "Change the AC-37 oil every 4,000 hours.",
            False,
        ),
        # a bolt's thread and length ("M6 x 50") is not the body's size
        (
            "what are the dimensions of a KV-16 body",
            "| Body | Mounting bolts |\n|---|---|\n| KV-16 | 4 x M6 x 50, class 12.9 |",
            True,
        ),
        ("what are the dimensions of the CS-40 case", "CS-40 (400 x 300 x 250 mm)", False),
        # "how many hours" asks for a time as "how long" does
        (
            "how many hours does it take to charge a forklift battery",
            "Forklift batteries are charged only in the charging area in Hall C.",
            True,
        ),
        (
            "how many hours does it take to charge a forklift battery",
            "A forklift battery charges fully in 8 hours.",
            False,
        ),
        # "how much %" asks for a percentage; the late shift's is not the early shift's
        (
            "early shift allowance, how much %",
            "The late shift allowance is 12 % and the night shift allowance 25 %.",
            True,
        ),
        ("night shift allowance, how much %", "The night shift allowance is 25 %.", False),
        ("what % do I set the coolant mixer to", "Set the coolant mixer to the lathe.", True),
        # "how long must my password be" asks for a length, not a time
        ("how long must my password be", "Your password needs at least 12 characters.", False),
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
        # milliseconds are a duration
        ("how long does the relay take to release", "Relay release time: 4 ms", False),
        ("what PWM frequency does the laser output use", "Laser output\nPWM on pin 11.", True),
        ("what PWM frequency does the laser output use", "Laser output\nPWM at 1 kHz.", False),
        ("maximum cable length of the RS-485 bus", "RS-485 bus\nA 120 Ohm resistor ends it.", True),
        ("maximum cable length of the RS-485 bus", "RS-485 bus\nIt reaches up to 1200 m.", False),
        ("what angle is the chamfer", "Chamfer 0.5 mm, ground at 450 °C.", True),
        ("what angle is the chamfer", "Chamfer 0.5 mm at 45°.", False),
    ],
)
def test_answer_type_missing(question: str, passage: str, missing: bool) -> None:
    assert answer_type_missing(question, [passage]) is missing


def test_the_value_may_be_in_any_passage() -> None:
    question = "what voltage does the welder need"
    assert answer_type_missing(question, ["Wire 1.0 mm"])
    assert not answer_type_missing(question, ["Wire 1.0 mm", "Welder\nSupply 400 V, 3 phase"])


def test_the_value_must_belong_to_the_named_subject() -> None:
    question = "what does the RX-6 robot weigh"
    other = "IM-220 manual > Start-up\nWeigh the 11th shot: it must be within 1.5 g of target."
    own = "RX-6 manual > Robot data\n| Item | Value |\n|---|---|\n| Net weight | 180 kg |"
    assert answer_type_missing(question, [other])
    assert not answer_type_missing(question, [other, own])
    # the code may stand in the paragraph, not in the sentence itself
    assert not answer_type_missing(
        question, ["Robots\nThe RX-6 is a six-axis arm. It weighs 180 kg."]
    )
    # a list item is its own paragraph: a code in another item does not bind
    steps = "IM-220 > Start-up\n5 Weigh the shot: 12 g.\n6 Start the robot RX-6."
    assert answer_type_missing(question, [steps])


def test_where_a_row_is_keyed_by_the_asked_code_the_other_rows_are_others() -> None:
    modules = (
        "Training modules\n| Module | Title | Refresher |\n|---|---|---|\n"
        "| QUA-02 | Reading control charts for operators | Every 3 years |\n"
        "| OPS-CMM | CMM operator module | - |"
    )
    assert answer_type_missing("How often does the CMM operator module OPS-CMM refresh?", [modules])
    assert not answer_type_missing("how often is the QUA-02 operator module refreshed", [modules])
    # a row naming the code in another cell still binds where no row is keyed by it
    plan = (
        "Control plan\n| ID | Characteristic | Nominal | Frequency |\n|---|---|---|---|\n"
        "| WT-40 | Shot weight PH-40 | 182.0 g | Every 2 h |"
    )
    assert not answer_type_missing("how often do we weigh the PH-40 shot", [plan])


def test_a_cell_keyed_by_the_code_binds_its_value() -> None:
    # a data sheet lists each model in the cell: "<model>: <value>" under a row label
    sheet = (
        "Robot arm\n| Item | Specification |\n|---|---|\n"
        "| Payload | RB3-730ES Series: 3 kg |\n| Payload | RB10-1300E Series: 10 kg |"
    )
    assert not answer_type_missing("what payload can the RB10-1300E cobot handle", [sheet])
    # a cell naming the code without keying a value by it binds nothing
    fits = "Spare parts\n| Part | Fits |\n|---|---|\n| Payload plate 2 kg | RB10-1300E |"
    assert answer_type_missing("what payload can the RB10-1300E cobot handle", [fits])


def test_a_past_event_asks_for_a_date() -> None:
    question = "when was the VMC-850 installed"
    assert answer_type_missing(question, ["VMC-850 log\nInstalled by the maintenance team."])
    assert not answer_type_missing(question, ["VMC-850 log\nInstalled on 12 March 2019."])
    assert not answer_type_missing(question, ["VMC-850 log\nInstalled: 12.03.2019"])
    assert not answer_type_missing(question, ["VMC-850 log\nFiled: May 17, 1991"])


@pytest.mark.parametrize(
    ("question", "passage", "missing"),
    [
        (
            "how many lockers are in Hall C",
            "Return workwear to your locker shelf within 3 days.",
            True,
        ),
        ("how many lockers are in Hall C", "Hall C has 120 lockers with padlocks.", False),
        ("how many lockers are in Hall C", "Hall C changing rooms\nLockers: 120", False),
        # the numbered part asked about binds the value: Hall B's lockers are not Hall C's
        ("how many lockers are in Hall C", "Hall B changing rooms\nLockers: 120", True),
        (
            "how many lockers are in Hall C",
            "Rooms\n| Room | Lockers |\n|---|---|\n| Hall C | 120 |",
            False,
        ),
        # a unit between the number and the word measures it ("15 kW spindle motor")
        ("how many spindles does the VMC-850 have", "VMC-850: a 15 kW spindle motor.", True),
        ("how many good parts before restarting", "measure 5 consecutive parts", False),
        # another qualifier of another noun of the question: the finishing insert's count
        (
            "how many parts per edge do we get from the roughing insert",
            "Tools\n| Tool | Tool life |\n|---|---|\n| Finishing insert | 250 parts per edge |",
            True,
        ),
        (
            "how many parts per edge do we get from the finishing insert",
            "Tools\n| Tool | Tool life |\n|---|---|\n| Finishing insert | 250 parts per edge |",
            False,
        ),
        # the heading line's section number counts nothing
        ("how many subscriptions may a client hold", "Spec > 4.8 Subscriptions\nAny.", True),
        ("what is the maximum number of subscriptions", "A client holds 8 subscriptions.", False),
        # the unit after a word is what is counted: "10 million cycles" need not say "switching"
        (
            "how many switching cycles are the relays rated for",
            "Relays\n| Relay mechanical durability | 10 million cycles |",
            False,
        ),
    ],
)
def test_counts(question: str, passage: str, missing: bool) -> None:
    assert answer_type_missing(question, [passage]) is missing


@pytest.mark.parametrize(
    ("question", "passage", "missing"),
    [
        # the code's section gives a pressure, but of the bag filter, not the spray pump
        (
            "what pressure does the PW-400 spray pump deliver",
            "PW-400 washer\nBag filter differential pressure below 0.8 bar; change the bag.",
            True,
        ),
        (
            "what pressure does the PW-400 spray pump deliver",
            "PW-400 washer\nThe spray pump delivers 6 bar at the nozzles.",
            False,
        ),
        # an interval of another task is no screw's life
        (
            "how many years does an IM-220 screw last before it needs replacing",
            "IM-220 maintenance\n| Interval | Task |\n|---|---|\n"
            "| Every 8,000 h or 2 years | Change hydraulic oil |",
            True,
        ),
        (
            "how many years does an IM-220 screw last before it needs replacing",
            "IM-220 maintenance\n| Interval | Task |\n|---|---|\n"
            "| Every 5 years | Replace screw and barrel |",
            False,
        ),
        # the part named in the heading binds the value; half of the words suffice
        ("how heavy is an IM-220 moulding machine", "IM-220 machine\nNet weight 9.8 t", False),
        ("how heavy is an IM-220 moulding machine", "IM-220\nEach PH mould weighs 1.4 t", False),
        # without a code, half of a short question's words bind too ("mould" shares a stem)
        ("how heavy is a moulding machine", "Each PH mould weighs 1.4 t", False),
        # a part number is a code other than the question's own
        (
            "KP number for the CF-20 chiller fluid?",
            "Line 1 schedule\n| Yearly | Replace chiller coolant | 12 L chiller fluid CF-20 |",
            True,
        ),
        (
            "KP number for the CF-20 chiller fluid?",
            "Spare parts\n| KP-2290 | Chiller fluid CF-20, 12 L can |",
            False,
        ),
        # a numbered part: axis 1 to 3's grease is not axis 4's
        (
            "how many grams of RG-1 go in the axis 4 reducer",
            "Lubrication\n| RX-6 | Axis 3 reducer | RG-1 | 110 g |",
            True,
        ),
        (
            "how many grams of RG-1 go in the axis 3 reducer",
            "Lubrication\n| RX-6 | Axis 3 reducer | RG-1 | 110 g |",
            False,
        ),
        # a row of a part that fits the named product is not the asked part's
        (
            "price of a viton seal kit for the KV-20",
            "Catalogue\n| Part | Description | Fits | Price |\n|---|---|---|---|\n"
            "| PP-38 | Port plug G 3/8 | KV-20 | 2.40 EUR |",
            True,
        ),
        # without a code, a short question's words name the subject
        (
            "what is the max part weight on the CMM granite table",
            "Forklifts\nPallet weights up to 1,000 kg per rack location.",
            True,
        ),
        (
            "what's the hourly rate sortpro charges for sorting",
            "Delivery terms\nPrices are in EUR, net, excluding VAT.",
            True,
        ),
        # a volume, a diameter, a travel: each needs a value of its own kind
        ("how many litres of CF-20 for the chiller", "Chiller: 12 L of fluid CF-20", False),
        ("how many litres of CF-20 for the chiller", "Chiller: fluid CF-20 at 22 °C", True),
        ("what diameter are the RX-6 suction cups", "RX-6 gripper: 4 suction cups", True),
        ("what diameter are the RX-6 suction cups", "RX-6 suction cups: diameter 30 mm", False),
        # a drill's size is its diameter, in millimetres under the column's header
        (
            "what diameter drill for an M8 tap",
            "Tapping\n| Thread | Tap drill (mm) |\n|---|---|\n| M8 | 6.8 |",
            False,
        ),
        ("what are the axis travels of the LT-320", "LT-320 bar capacity 65 mm", True),
        ("what are the axis travels of the VMC-850", "VMC-850 travels X 850 mm", False),
        ("how big is the LT-320 coolant tank", "LT-320 coolant tank: 200 L", False),
    ],
)
def test_a_value_answers_only_for_the_part_of_the_subject_asked(
    question: str, passage: str, missing: bool
) -> None:
    assert answer_type_missing(question, [passage]) is missing


@pytest.mark.parametrize(
    ("passage", "missing"),
    [
        # the family's guide: what it says holds for each member
        ("KV Valve Body Installation Guide > Port plugs\nTighten G 3/8 plugs to 40 Nm.", False),
        # ... and so does a paragraph naming the family ("on KV bodies")
        ("Assembly > Plugs\nTighten the port plugs on KV bodies to 40 Nm.", False),
        # ... unless the sentence names another member
        ("KV Valve Body Installation Guide > Port plugs\nOn the KV-16, use 25 Nm.", True),
        # a heading that names another member, or a code that only begins alike, is no family
        ("KV-16 Data Sheet\nTighten the plugs to 25 Nm.", True),
        ("KVM Controller Guide\nTighten the plugs to 25 Nm.", True),
    ],
)
def test_a_family_heading_binds_a_value_to_its_members(passage: str, missing: bool) -> None:
    assert answer_type_missing("torque for the port plugs on a KV-20", [passage]) is missing


def test_a_value_for_another_condition_answers_another_question() -> None:
    row = (
        "Maintenance schedule > Monthly\n| Interval | Task | Details |\n|---|---|---|\n"
        "| Monthly | Measure chuck clamping force | at 1.8 MPa the force must be 38-44 kN |"
    )
    assert not answer_type_missing("what clamping force should the chuck have at 1.8 MPa", [row])
    assert answer_type_missing("what clamping force should the chuck have at 2.4 MPa", [row])
    assert condition_numbers("feed for a 60 mm bar at 1,200 rpm on the LT-320") == ["60", "1.200"]
    assert condition_numbers("what does the RX-6 weigh") == []  # a code's digits set nothing


def test_which_day_is_answered_by_a_counted_day() -> None:
    question = "off sick since Monday, from which day do I need a doctor's note?"
    stated = "Sickness\nA doctor's note is required from the fourth day."
    assert not answer_type_missing(question, [stated])
    assert answer_type_missing(question, ["Sickness\nA doctor's note is required."])


def test_a_retention_period_or_mtbf_is_answered_only_where_the_value_is_one() -> None:
    retained = "how long must audiometric test results be retained under OSR-14"
    testing = "OSR-14 8.2 Audiometric testing\nA follow-up audiogram every 3 years."
    assert answer_type_missing(retained, [testing])
    kept = "OSR-14 8.4 Records\nAudiometric test results shall be retained for 40 years."
    assert not answer_type_missing(retained, [testing, kept])
    mtbf = "what is the MTBF of the KD-600 drives"
    assert answer_type_missing(mtbf, ["KD-600 drives\nFan life: 40,000 h at 40 °C."])
    assert not answer_type_missing(mtbf, ["KD-600 drives\nMTBF: 120,000 h at 40 °C."])


def test_a_name_is_answered_by_a_name_not_by_a_role_or_an_extension() -> None:
    question = "whats the name of the canteen manager"
    contacts = "Contacts\n| Topic | Contact |\n|---|---|\n| Canteen | Canteen manager, ext. 2080 |"
    staff = "Staff\n| Role | Name |\n|---|---|\n| Production Manager | Tomasz Wrona |"
    assert answer_type_missing(question, [contacts, staff])
    named = "Staff\n| Role | Name |\n|---|---|\n| Canteen manager | Anna Kowalska |"
    assert not answer_type_missing(question, [contacts, named])


def test_a_duration_answers_how_often_only_under_an_interval_name() -> None:
    question = "how often does the CMM operator module need refreshing"
    lasting = "Training\n| Module | Duration |\n|---|---|\n| CMM operator | 2 days |"
    assert answer_type_missing(question, [lasting])
    refreshed = "Training\n| Module | Refresh |\n|---|---|\n| CMM operator | 3 years |"
    assert not answer_type_missing(question, [refreshed])


def test_who_holds_a_role_asks_for_a_name() -> None:
    contacts = "Contacts\n| Topic | Contact |\n|---|---|\n| Canteen | Canteen manager, ext. 2080 |"
    assert answer_type_missing("who is the canteen manager?", [contacts])
    assert not answer_type_missing("extension number for the canteen manager?", [contacts])


@pytest.mark.parametrize(
    "passage",
    [
        "Gearbox\nChange oil: 2 years",
        "Gearbox\n| Task | Hours |\n|---|---|\n| Oil change | 2,000 h |",
        "Gearbox\nThe gearbox oil is changed at 2,000 h.",
    ],
)
def test_an_interval_needs_no_interval_word_where_nothing_names_a_duration(passage: str) -> None:
    assert not answer_type_missing("how often do I change the gearbox oil", [passage])
