"""Stream only grounded text: generated tokens are held until their sentence is complete and
has passed the grounding checks, then shown as one piece.

A model's raw tokens must not reach the page before grounding: a sentence the checks later
drop ("we waive the fee") would already have been read, and a Markdown image in it already
fetched. `GroundedStream` buffers the tokens, cuts the buffer at sentence ends, and releases
each sentence that the passages it cites support, made safe Markdown. The released pieces,
joined, are the grounded answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping

from assistant.answering.grounding import MIN_SUPPORT, strip_invalid_citations, unsupported
from assistant.answering.prompts import NOT_FOUND
from assistant.answering.safe_markdown import safe_markdown

log = logging.getLogger(__name__)

# as `grounding.split_sentences`; the character after a sentence end must have arrived
_BOUNDARY = re.compile(r"(?<=[.!?])[ \t]*\n+\s*|(?<=[.!?])[ \t]+(?=[A-Z0-9\"'(\[])|\n+\s*")
_LIST_MARKER = re.compile(r"(?:[-*]\s+)?(?:\d{1,2}|[a-z])[.)]")


class GroundedStream:
    """Generated text in, grounded sentences out.

    Example:
        >>> gate = GroundedStream({1: "Let the hydraulic oil cool down before restarting."})
        >>> list(gate.run(["Let the oil cool", " down [1]. We waive ", "the fee [1]."]))
        ['Let the oil cool down [1].']
        >>> gate.dropped, gate.text
        (1, 'Let the oil cool down [1].')
    """

    def __init__(self, passages: Mapping[int, str], min_support: float = MIN_SUPPORT) -> None:
        self.passages = passages
        self.min_support = min_support
        self.dropped = 0
        self.declined = False  # the model said NOT_FOUND
        self._buffer = ""
        self._shown: list[str] = []
        self._separator = ""  # what stands between the last shown sentence and the next

    @property
    def text(self) -> str:
        """The grounded text released so far."""
        return "".join(self._shown)

    def feed(self, piece: str) -> list[str]:
        """Add generated text; returns the pieces now ready to show (often none)."""
        self._buffer += piece
        ready: list[str] = []
        start = 0
        while True:
            boundary = _BOUNDARY.search(self._buffer, start)
            if boundary is None or boundary.end() >= len(self._buffer):
                return ready
            sentence = self._buffer[: boundary.start()]
            if _LIST_MARKER.fullmatch(sentence.strip()):  # "2. Purge the unit": one sentence
                start = boundary.end()
                continue
            self._buffer, start = self._buffer[boundary.end() :], 0
            ready.extend(self._release(sentence, "\n" if "\n" in boundary.group(0) else " "))

    def close(self) -> list[str]:
        """The end of generation: the last sentence, if it holds."""
        rest, self._buffer = self._buffer, ""
        return self._release(rest, "")

    def run(self, pieces: Iterable[str]) -> Iterator[str]:
        """Feed all of `pieces`, then close."""
        for piece in pieces:
            yield from self.feed(piece)
        yield from self.close()

    def _release(self, sentence: str, separator: str) -> list[str]:
        sentence = strip_invalid_citations(sentence, set(self.passages))
        out: list[str] = []
        if not sentence:
            pass
        elif NOT_FOUND.lower() in sentence.lower():
            self.declined = True
        elif (reason := unsupported(sentence, self.passages, self.min_support)) is not None:
            self.dropped += 1
            log.info("dropped a generated sentence (%s not in its sources)", reason)
        else:
            out.append(f"{self._separator if self._shown else ''}{safe_markdown(sentence)}")
            self._shown.append(out[0])
            self._separator = ""
        if self._shown and separator and self._separator != "\n":
            self._separator = separator
        return out
