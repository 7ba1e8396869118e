"""The task a "how often" question asks about binds its interval."""

from __future__ import annotations

import pytest

from assistant.answering.asked_task import asked_tasks, names_task
from assistant.answering.asked_value import answer_type_missing

_PLAN = (
    "Control plan > Variable characteristics\n"
    "| ID | Characteristic | Measuring method | Frequency |\n|---|---|---|---|\n"
    "| WL-55 | Wall thickness | Wall gauge WG-1 | Every 60 min |"
)


@pytest.mark.parametrize(
    ("question", "text", "named"),
    [
        ("how often does WG-1 need to be calibrated", "| Wall gauge | Every 60 min |", False),
        ("how often does WG-1 need to be calibrated", "full calibration every 6 months", True),
        ("how often does WG-1 go for recalibration", "Cal. interval 12 months", True),
        ("how often does module OPS-CMM need refreshing", "| Refresher | Every 3 years |", True),
        ("how often do we grease the pump motor", "Lubricate every 2,000 h", True),
        ("how often do we grease the pump motor", "Replace every 2,000 h", False),
        # a task outside the groups sets no test
        ("how often do we weigh the PH-40 shot", "| Shot weight | every 2 h |", True),
    ],
)
def test_names_task(question: str, text: str, named: bool) -> None:
    assert names_task(text, asked_tasks(question)) is named


def test_an_interval_of_another_task_is_no_answer() -> None:
    assert answer_type_missing("how often does the wall gauge WG-1 need to be calibrated?", [_PLAN])
    calibrated = _PLAN.replace("| Every 60 min |", "| Calibrated every 6 months |")
    assert not answer_type_missing("how often is WL-55 calibrated", [calibrated])
    # the same row answers how often the characteristic is measured
    assert not answer_type_missing("how often is WL-55 measured", [_PLAN])
