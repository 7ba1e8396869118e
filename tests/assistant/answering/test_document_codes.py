"""The codes each document of an index names."""

from __future__ import annotations

from assistant.answering.document_codes import CodeCatalogue
from assistant.answering.value_units import DocumentCodes
from retrieval.documents import Chunk


def _chunk(source: str, title: str, section: str, text: str) -> Chunk:
    return Chunk(f"{source}-{section}", source, title, (section,), None, text)


def test_each_document_gathers_the_codes_of_all_its_passages() -> None:
    catalogue = CodeCatalogue(
        [
            _chunk("uw.md", "UW-2000 manual", "Overview", "A titanium horn HN-55 on U2-01."),
            _chunk("uw.md", "UW-2000 manual", "Changing the horn", "Tighten the horn to 50 Nm."),
            _chunk("rx.md", "RX-6 manual", "Faults", "R-640: replace battery KP-7190."),
        ]
    )
    welder, robot, unknown = catalogue.of(["uw.md", "rx.md", "gone.md"])
    assert welder == DocumentCodes(frozenset({"uw2000", "hn55", "u201"}), frozenset({"uw2000"}))
    assert robot.mentions == {"rx6", "r640", "kp7190"} and robot.title == {"rx6"}
    assert unknown == DocumentCodes()
