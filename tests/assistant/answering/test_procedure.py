from __future__ import annotations

from collections.abc import Callable

from assistant.answering.answers import Citation
from assistant.answering.extractive import Quote
from assistant.answering.procedure import complete_procedure, numbered_runs
from assistant.answering.retrieval_result import Retrieval, TextVectors
from retrieval.documents import Chunk

BLADE = ("Maintenance", "7.4 Changing the saw blade")
CHUNKS = [
    Chunk("p1", "saw.html", "Saw", BLADE, None, "To change the blade:\n1. Stop the saw.\n2. Open"
          " the covers."),
    Chunk("p2", "saw.html", "Saw", BLADE, None, "3. Release the blade tension.\n4. Pull the"
          " blade out."),
    Chunk("p3", "saw.html", "Saw", BLADE, None, "5. Check the teeth point in the direction of"
          " blade travel.\n6. Tension the blade."),
    Chunk("w1", "saw.html", "Saw", ("Maintenance", "7.5 Tension"), None, "Tension: 45 bar."),
]  # fmt: skip


def _sections(chunks: list[Chunk]) -> Callable[[str], list[Chunk]]:
    """`Searcher.section_of` over `chunks`."""
    place = {c.chunk_id: (c.source, c.heading_path) for c in chunks}
    return lambda cid: [c for c in chunks if (c.source, c.heading_path) == place.get(cid)]


def _citation(n: int, chunk: Chunk) -> Citation:
    return Citation(n=n, source=chunk.source, section=" > ".join(chunk.heading_path),
                    text=chunk.text, chunk_id=chunk.chunk_id)  # fmt: skip


def _found(question: str, chunks: list[Chunk]) -> Retrieval:
    citations = [_citation(n, c) for n, c in enumerate(chunks, start=1)]
    return Retrieval(question, citations, 0.5, TextVectors(None))  # type: ignore[arg-type]


def test_numbered_runs_read_wrapped_steps_and_their_lead() -> None:
    text = (
        "Intro.\nTo reset:\n1. Remove the cause.\n2. Tap Reset,\n   then confirm.\nDone.\n1. Alone."
    )
    assert numbered_runs(text) == [
        ["To reset:", "1. Remove the cause.", "2. Tap Reset, then confirm."]
    ]


def test_a_procedure_quoted_in_part_is_quoted_whole_from_its_section() -> None:
    found = _found("what is the procedure for changing the saw blade", [CHUNKS[1], CHUNKS[3]])
    quotes = [Quote(1, "3. Release the blade tension.\n4. Pull the blade out.", 0.8),
              Quote(2, "Tension: 45 bar.", 0.5)]  # fmt: skip
    text = complete_procedure("partial [1]", found, quotes, _sections(CHUNKS))
    assert text.startswith("To change the blade:\n1. Stop the saw.\n2. Open the covers.\n3.")
    assert (
        "5. Check the teeth point in the direction of blade travel.\n6. Tension the blade. [1]"
        in text
    )
    assert text.endswith("Tension: 45 bar. [2]")  # the quote of another section follows
    # the cited passage now holds every step it is cited for
    assert "direction of blade travel" in found.citations[0].text


def test_steps_stay_as_quoted_unless_a_procedure_is_asked_or_all_are_quoted() -> None:
    found = _found("what blade tension", [CHUNKS[1]])
    quotes = [Quote(1, "3. Release the blade tension.", 0.8)]
    assert complete_procedure("as quoted [1]", found, quotes, _sections(CHUNKS)) == "as quoted [1]"
    whole = "1. Stop the saw.\n2. Open the covers."
    found = _found("how do I change the blade", [Chunk("q", "x.md", "X", ("S",), None, whole)])
    chunks = [Chunk("q", "x.md", "X", ("S",), None, whole)]
    assert (
        complete_procedure("all [1]", found, [Quote(1, whole, 0.9)], _sections(chunks)) == "all [1]"
    )


def test_a_step_whose_text_the_guard_cut_keeps_its_run_whole() -> None:
    text = "1. Pre-load it five times.\n2. Set 20 %.\n3.\n4. Take five readings."
    assert numbered_runs(text) == [text.splitlines()]


def test_a_note_between_steps_stays_and_no_quoted_step_is_lost() -> None:
    path = ("Saw", "Blade")
    chunks = [
        Chunk("n1", "saw.md", "Saw", path, None, "To change the blade:\n1. Stop the saw.\n"
              "2. Lock out the main switch."),
        Chunk("n2", "saw.md", "Saw", path, None, "CAUTION: the blade is sharp.\n3. Open the"
              " covers.\n4. Pull the blade out."),
    ]  # fmt: skip
    found = _found("how do I change the blade", chunks)
    quotes = [Quote(2, "3. Open the covers.\n4. Pull the blade out.", 0.9),
              Quote(1, "1. Stop the saw.", 0.5)]  # fmt: skip
    text = complete_procedure("partial", found, quotes, _sections(chunks))
    assert text == (
        "To change the blade:\n1. Stop the saw.\n2. Lock out the main switch.\n"
        "CAUTION: the blade is sharp.\n3. Open the covers.\n4. Pull the blade out. [2]"
    )
