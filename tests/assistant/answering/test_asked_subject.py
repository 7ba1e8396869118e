"""What a question calls the thing it asks about, and the words that bind a value to it."""

from __future__ import annotations

import pytest

from assistant.answering.asked_value import answer_type_missing
from assistant.answering.contrast import CLAUSE_END


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        # a scene before the question: without a code, the asking clause's words bind
        ("stuck on nights with the crew, how long is the canteen break", False),
        ("stuck on nights with the crew, how long is the smoking shelter open", True),
    ],
)
def test_the_asking_clause_names_the_subject(question: str, missing: bool) -> None:
    passage = "Facilities > Canteen\nThe canteen break lasts 30 minutes."
    assert answer_type_missing(question, [passage]) is missing


def test_with_a_code_the_scene_qualifies_the_subject() -> None:
    guide = "KV Valve Body Installation Guide > Port plugs\nTighten the port plugs to 40 Nm."
    assert not answer_type_missing("what torque on the port plugs of a KV-16", [guide])
    # the guide's plug torque is not the one for metric threaded ports
    question = "KV-16 bodies with metric threaded ports, what torque on the port plugs"
    assert answer_type_missing(question, [guide])


def test_a_greeting_names_no_subject() -> None:
    passage = "Onboarding > Your buddy\nEvery new starter gets a buddy for the first 4 weeks."
    assert not answer_type_missing("hiya, how long do I keep my buddy?", [passage])
    assert answer_type_missing("hiya, how long do I keep my locker key?", [passage])


def test_a_long_scene_leaves_the_asking_words_to_name_the_subject() -> None:
    question = "on lates, we finish at 22:00. what time does the last 14 bus leave Foundry Road?"
    shifts = "Shift times\n| Shift | Time |\n|---|---|\n| Late | 14:00-22:00 |"
    assert answer_type_missing(question, [shifts])
    buses = "Public transport\nThe last 14 bus leaves Foundry Road at 22:35."
    assert not answer_type_missing(question, [shifts, buses])


def test_an_abbreviation_ends_no_sentence_or_clause() -> None:
    helpdesk = "Contacts\nIT helpdesk: ext. 4455"
    assert not answer_type_missing("what's the extension for the IT helpdesk", [helpdesk])
    assert CLAUSE_END.split("what's the phone number of Mr. Becker in purchasing") == [
        "what's the phone number of Mr. Becker in purchasing"
    ]
