"""Safety wording makes a ticket urgent by rule: in any casing, with typos, in five languages,
and not for the everyday senses of the same words."""

from __future__ import annotations

import pytest

from assistant.tickets.safety import safety_terms


@pytest.mark.parametrize(
    "text",
    [
        "Our fitter was INJURED when the housing split",
        "injurey to our operator, please call",
        "operator got an electic shok from the valve",
        "The pump was smokeing after 10 minutes",
        "hot oil leaked onto the floor and burned his hand",
        "a leek of hot coolant sprayed the operator",
        "the motor caught fire",
        "Der Monteur hat sich verbrüht",
        "Rauchentwicklung am Gehäuse PH-55",
        "Stromschlag beim Anschließen",
        "fuite de liquide chaud sur la ligne 3",
        "un opérateur a été blessé",
        "fumée sortant du carter",
        "fuga de líquido caliente en la línea",
        "un operatore è stato ferito",
        "the housing burst and hit the fitter's hand",
        "FIRE in the pump room",
        "fire!! at the test bench",
        "fyre in the plant, everybody out",
        "the technician got shocked when touching the housing",
        "the worker was hurt",
        "he hurt his hand on the sharp edge",
    ],
)
def test_safety_wording_is_found(text: str) -> None:
    assert safety_terms(text), text


@pytest.mark.parametrize(
    "text",
    [
        "URGENT!!! we need the invoice today",
        "Please fire me the invoice, our portal smoke test passed",
        "Mit freundlichen Grüßen, Karin Brandes",
        "Wir brauchen die Teile bis Freitag",
        "The hot coolant is fine, nothing is leaking",
        "We were shocked by the new prices",
        "lead time is too long, I spoke to your sales team",
        "Our line will stop next week if the parts do not come",
        "fire up the test bench and fire off a mail to sales",
        "the late delivery hurt our sales this month",
        "we fired the old supplier",
    ],
)
def test_everyday_senses_are_not_safety_wording(text: str) -> None:
    assert safety_terms(text) == [], text
