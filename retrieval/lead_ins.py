"""A passage that ends by introducing what follows brings what follows along.

"It is possible to control these inputs and outputs using a user program (C language):" ends
one chunk; the table of inputs and their voltages is the next. The lead-in shares the
question's words and ranks first; the table holds the value, and on its own ranks too low to
be read. So a hit whose text ends with a colon is read together with the next chunk of its
section: the two texts joined (without the overlap the chunker repeated) as one passage, at
the lead-in's rank.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from retrieval.documents import Chunk, Screened


def introduces(text: str) -> bool:
    """Whether `text` ends by introducing what follows it ("... the following values:").

    Example:
        >>> introduces("Connect the supply as follows:"), introduces("Torque: 2.2 Nm")
        (True, False)
    """
    return text.rstrip().endswith(":")


def join_texts(first: str, second: str) -> str:
    """Two consecutive chunk texts as one, without the overlap the chunker repeated.

    Example:
        >>> join_texts("Shut the valve and wait for the gauge.", "and wait for the gauge. Open it.")
        'Shut the valve and wait for the gauge. Open it.'
    """
    if second in first:
        return first
    if first in second:
        return second
    for size in range(min(len(first), len(second), 400), 19, -1):
        if first.endswith(second[:size]):
            return first + second[size:]
    return f"{first}\n{second}"


def continued(chunk: Chunk, chunks: Sequence[Chunk], position: dict[str, int]) -> Chunk:
    """`chunk`, with the next chunk of its section joined on when it ends with a colon."""
    here = position.get(chunk.chunk_id)
    if here is None or here + 1 >= len(chunks) or not introduces(chunk.text):
        return chunk
    following = chunks[here + 1]
    if (following.source, following.heading_path) != (chunk.source, chunk.heading_path):
        return chunk
    screened = None
    first, second = chunk.screened, following.screened
    if first is not None and second is not None and first.version == second.version:
        screened = Screened(
            first.version, join_texts(first.text, second.text), first.cut + second.cut
        )
    return replace(chunk, text=join_texts(chunk.text, following.text), screened=screened)
