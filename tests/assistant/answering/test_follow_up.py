"""Which messages continue the conversation."""

from __future__ import annotations

import pytest

from assistant.answering.follow_up import looks_like_follow_up


@pytest.mark.parametrize(
    ("message", "follow_up"),
    [
        ("and on the lathe?", True),
        ("what about the VMC-850", True),
        ("how do I reset it after that", True),  # leans on the last turn
        ("E-141?", True),  # short: read with the turn before
        ("how do I reset alarm E-141 on the VMC-850", False),
        ("what is the lockout procedure for the press brake", False),
    ],
)
def test_looks_like_follow_up(message: str, follow_up: bool) -> None:
    assert looks_like_follow_up(message) is follow_up
