"""A passage that names a table brings the table of its section along."""

from __future__ import annotations

from retrieval.documents import Chunk
from retrieval.table_refs import named_tables
from retrieval.tables import row_keys

TABLE = "| Size | Amperes |\n|---|---|\n| 0000 | 850 |"


def chunk(chunk_id: str, text: str, section: str = "Ratings", source: str = "m.pdf") -> Chunk:
    return Chunk(chunk_id, source, "Manual", (section,), 1, text)


def found(
    named_in: list[Chunk], chunks: list[Chunk], limit: int = 1, question: str = ""
) -> list[str]:
    position = {c.chunk_id: i for i, c in enumerate(chunks)}
    keys = row_keys(question)
    return [c.chunk_id for c in named_tables(named_in, chunks, position, limit=limit, keys=keys)]


def test_the_table_a_passage_names_follows_it() -> None:
    prose = chunk("p", "The allowable capacities are given in table 1-3.")
    caption = chunk("c", "Table 1-3.—Current-carrying capacities (in amperes)")
    chunks = [prose, caption, chunk("t", TABLE), chunk("u", TABLE)]
    assert found([prose], chunks) == ["t"]  # the first table, past its caption
    assert found([caption], chunks) == ["t"]


def test_nothing_is_added_without_a_named_table_or_outside_the_section() -> None:
    plain = chunk("p", "Conductors in free air carry more current.")
    assert found([plain], [plain, chunk("t", TABLE)]) == []
    named = chunk("p", "The capacities are given in table 1-3.")
    other_section = chunk("t", TABLE, section="Insulation")
    assert found([named], [named, other_section]) == []
    other_document = chunk("t", TABLE, source="other.pdf")
    assert found([named], [named, other_document]) == []
    far = [named, *(chunk(f"x{i}", "More prose.") for i in range(3)), chunk("t", TABLE)]
    assert found([named], far) == []  # past the window of three chunks


def test_a_table_already_found_is_not_added_twice_and_the_limit_holds() -> None:
    first = chunk("p", "See Table 2 for the ratings.")
    table = chunk("t", TABLE)
    assert found([first, table], [first, table]) == []
    second = chunk("q", "Table 3 gives the limits.", section="Limits")
    chunks = [first, table, second, chunk("t3", TABLE, section="Limits")]
    assert found([first, second], chunks) == ["t"]
    assert found([first, second], chunks, limit=2) == ["t", "t3"]


def test_of_a_table_cut_into_chunks_the_part_with_the_asked_row_follows() -> None:
    header = "| Gage number | Diameter (mils) | Circular mils |\n|---|---|---|\n"
    prose = chunk("p", "An AWG table for copper wire is shown at table 1-2.")
    parts = [
        chunk("t1", header + "| 0000 | 460.0 | 212,000.0 |\n| 000 | 410.0 | 168,000.0 |"),
        chunk("t2", header + "| 12 | 81.0 | 6,530.0 |\n| 13 | 72.0 | 5,180.0 |"),
        chunk("t3", header + "| 14 | 64.0 | 4,110.0 |\n| 15 | 57.0 | 3,260.0 |"),
        chunk("x", "| Other | Table |\n|---|---|\n| 14 | 1 |"),
    ]
    chunks = [prose, *parts]
    assert found([prose], chunks, question="circular mils of AWG 14 wire?") == ["t3"]
    assert found([prose], chunks, question="circular mils of AWG 40 wire?") == ["t1"]
    assert found([prose], chunks) == ["t1"]  # no question: the table's first part
