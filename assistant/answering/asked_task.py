"""The task a "how often" question asks about: its interval is that task's, not another's.

"how often does the wall gauge WG-1 need to be *calibrated*" is not answered by the control
plan's row that *measures* with WG-1 "every 60 min", nor "how often does module OPS-CMM need
*refreshing*" by another module's refresher. Where the question names a task of one of the
groups below, an interval answers it only in a sentence or table row whose text, column
headers or heading names a task of the same group. Tasks outside the groups ("weigh the
shot", "change the filters") set no such test: their words vary too much.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["asked_tasks", "names_task"]

# each group: how a question names the task, and how a text may name it
_TASKS: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (re.compile(asked, re.IGNORECASE), re.compile(stated, re.IGNORECASE))
    for asked, stated in (
        (r"\b(?:re)?calibrat\w*", r"\b(?:re)?calibrat|\bcal(?:\.|\b)|\bverif"),
        (r"\brefresh\w*|\bretrain\w*|\brequalif\w*", r"\brefresh|\bretrain|\brequalif|\brepeat"),
        (r"\bgreas(?:e|ed|es|ing)\b|\blubricat\w*|\bre-?greas\w*", r"\bgreas|\blubric"),
    )
)


def asked_tasks(question: str) -> list[re.Pattern[str]]:
    """For each task group the question names, the pattern a text names it by.

    Example:
        >>> [p.pattern[:12] for p in asked_tasks("how often is WG-1 calibrated")]
        ['\\\\b(?:re)?cal']
        >>> asked_tasks("how often do we weigh the shot")
        []
    """
    return [stated for asked, stated in _TASKS if asked.search(question)]


def names_task(text: str, tasks: Sequence[re.Pattern[str]]) -> bool:
    """Whether `text` names each asked task (true where none is asked).

    Example:
        >>> names_task("| Gauge | Calibration |", asked_tasks("when is WG-1 calibrated"))
        True
        >>> names_task("| Gauge | Frequency |", asked_tasks("when is WG-1 calibrated"))
        False
    """
    return all(task.search(text) for task in tasks)
