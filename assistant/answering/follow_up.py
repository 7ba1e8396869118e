"""Whether a message continues the conversation: a follow-up is answered with the turn
before it (the chain condenses it; the router keeps its intent)."""

from __future__ import annotations

import re

_FOLLOW_UP = re.compile(
    r"^(and|or|but|also|what about|how about)\b|\b(it|its|that one|those|these|they|them|same)\b",
    re.I,
)


def looks_like_follow_up(message: str) -> bool:
    """A short message, or one that leans on the last turn ("and on the lathe?", "what about
    it"): it continues the conversation rather than starting a new topic.

    Example:
        >>> looks_like_follow_up("and on the lathe?"), looks_like_follow_up("how do I reset E-141")
        (True, False)
    """
    return len(message.split()) <= 3 or bool(_FOLLOW_UP.search(message))
