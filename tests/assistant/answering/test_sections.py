from __future__ import annotations

from assistant.answering.answers import Citation
from assistant.answering.sections import Sections, widened
from retrieval.documents import Chunk

HEAD = "| Item | Term |\n|---|---|\n"
DELIVERY = [
    Chunk("d1", "terms.md", "Terms", ("Terms", "Delivery"), None,
          HEAD + "| Over delivery | 5 % |\n| Late delivery | told 2 days before |"),
    Chunk("d2", "terms.md", "Terms", ("Terms", "Delivery"), None,
          HEAD + "| Late delivery | told 2 days before |\n| Split deliveries | Allowed |"),
]  # fmt: skip
OTHER = [
    Chunk("o1", "terms.md", "Terms", ("Terms", "Orders"), None, "Orders are confirmed."),
    Chunk("x1", "faq.md", "FAQ", ("FAQ", "Delivery"), None, "Ask us."),
    Chunk("x2", "faq.md", "FAQ", ("FAQ", "Delivery"), None, "Or call."),
    Chunk("n1", "notes.txt", "Notes", (), None, "First."),
    Chunk("n2", "notes.txt", "Notes", (), None, "Second."),
]  # fmt: skip


def _cite(n: int, chunk: Chunk) -> Citation:
    return Citation(n=n, source=chunk.source, section=chunk.section, text=chunk.text,
                    chunk_id=chunk.chunk_id)  # fmt: skip


def test_a_section_split_by_the_chunker_is_read_whole_as_one_table() -> None:
    sections = Sections([*DELIVERY, *OTHER], max_chars=1_000)
    whole = sections.whole("d1")
    assert whole == sections.whole("d2")
    assert whole is not None and whole.splitlines() == [
        "| Item | Term |",
        "|---|---|",
        "| Over delivery | 5 % |",
        "| Late delivery | told 2 days before |",
        "| Split deliveries | Allowed |",
    ]  # fmt: skip  (the overlap and the repeated header left out)
    assert sections.key("d2") == sections.key("d1") == "d1"
    # one chunk alone, another document's section of the same name, text without headings
    assert sections.whole("o1") is None and sections.key("o1") == "o1"
    assert sections.key("x1") == "x1" != sections.key("d1")
    assert sections.whole("n1") is None and sections.key("n2") == "n2"


def test_a_section_longer_than_the_limit_is_left_in_chunks() -> None:
    sections = Sections([*DELIVERY, *OTHER], max_chars=60)
    assert sections.whole("d1") is None and sections.pieces("d1") is None
    assert sections.key("d2") == "d2"


def test_widened_keeps_one_passage_per_section_and_its_chunks() -> None:
    sections = Sections([*DELIVERY, *OTHER], max_chars=1_000)
    d1, d2 = DELIVERY
    o1, x1 = OTHER[:2]
    cited, pieces = widened([_cite(1, d2), _cite(2, o1), _cite(3, d1), _cite(4, x1)], sections, k=2)
    assert [(c.n, c.chunk_id) for c in cited] == [(1, "d2"), (2, "o1")]
    assert "| Over delivery | 5 % |" in cited[0].text and "Split deliveries" in cited[0].text
    assert cited[1].text == o1.text
    assert pieces == {1: [d1.text, d2.text]}
    # with room, the section's second chunk does not take a place of its own
    cited, _ = widened([_cite(1, d2), _cite(2, o1), _cite(3, d1), _cite(4, x1)], sections, 4)
    assert [c.chunk_id for c in cited] == ["d2", "o1", "x1"]
