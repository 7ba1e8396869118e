"""Plain text laid out for paper (`retrieval/text_layout.py`): page furniture, grid tables and
wrapped lines, through the text loader and alone."""

from __future__ import annotations

import re
from pathlib import Path

from retrieval.documents import LoadedDocument
from retrieval.loaders import load_document
from retrieval.tables import split_blocks
from retrieval.text_layout import grid_tables, joined_paragraphs, without_page_furniture


def load_bytes(tmp_path: Path, name: str, data: bytes) -> LoadedDocument:
    path = tmp_path / name
    path.write_bytes(data)
    return load_document(path, tmp_path)


def all_text(doc: LoadedDocument) -> str:
    return "\n".join(s.text for s in doc.sections)


def _printed(bodies: list[str]) -> str:
    """A regulation printed to text: a running header and a page-numbered footer per page."""
    header = "OSR-14:2021 (Consolidated 2023)          Control of Noise at Work\n" + "-" * 60
    pages = [
        f"{header}\n\n{body}\n\n{'-' * 60}\n"
        f"Regulation OSR-14 | Uncontrolled when printed   Page {n} of {len(bodies)}"
        for n, body in enumerate(bodies, start=1)
    ]
    return "\n\n".join(pages) + "\n"


def test_text_printed_from_pages_loses_its_running_headers_and_footers(tmp_path: Path) -> None:
    text = _printed(
        [
            "1  SCOPE\n\nThis Regulation applies to all workplaces.\n\n3.7  hearing protection"
            " zone",
            "     Any area of the workplace that is demarcated by signs.\n\n4  DUTIES",
            "4.1  The employer shall assess the risk.",
        ]
    )
    body = all_text(load_bytes(tmp_path, "osr14.txt", text.encode()))
    assert "Page" not in body and "Uncontrolled" not in body and "Consolidated" not in body
    # a definition cut by a page break is one paragraph again
    assert re.search(r"3\.7  hearing protection zone\n+\s+Any area", body)
    assert "This Regulation applies to all workplaces." in body


WRAPPED = """4.3.1  Table 2 gives the maximum daily duration for which an employee not
       wearing hearing protection may be exposed to a constant sound level.

     +----------------------+--------------------------------+
     | Sound level, LpA     | Maximum duration per day       |
     +======================+================================+
     | 85 dB(A)             | 8 h 00 min                     |
     | 94 dB(A)             | 1 h 00 min, or less where the  |
     |                      | employer's assessment says so  |
     +----------------------+--------------------------------+

4.3.2  Exposure to unprotected sound levels above 106 dB(A) is not permitted
       for any duration.
Data set: FD001
Conditions: ONE
"""


def test_text_wrapped_for_paper_reads_as_paragraphs_and_tables(tmp_path: Path) -> None:
    body = all_text(load_bytes(tmp_path, "osr14.txt", WRAPPED.encode()))
    assert "an employee not wearing hearing protection may be exposed" in body
    assert "above 106 dB(A) is not permitted for any duration." in body
    rows = [list(block.rows) for block in split_blocks(body) if block.header is not None]
    assert rows == [
        [
            "| 85 dB(A) | 8 h 00 min |",
            "| 94 dB(A) | 1 h 00 min, or less where the employer's assessment says so |",
        ]
    ]
    # short lines are lines of their own, not a wrapped paragraph
    assert "Data set: FD001\nConditions: ONE" in body


def test_text_with_page_words_but_no_paged_print_keeps_every_line(tmp_path: Path) -> None:
    # two page references, or numbers that do not rise, are no page footers
    few = _printed(["Scope text.", "Duties text."])
    assert "Page 1 of 2" in all_text(load_bytes(tmp_path, "few.txt", few.encode()))
    falling = "Intro\nsee page 9\nSteps\nsee page 4\nEnd\nsee page 2\nLast\n"
    body = all_text(load_bytes(tmp_path, "refs.txt", falling.encode()))
    assert body.count("see page") == 3


def test_text_layout_keeps_values_headings_and_wrapped_table_headers() -> None:
    # numbers on lines of their own are values, not page numbers
    settings = ["Torque (Nm)", "25", "Pressure (bar)", "160", "Speed (rpm)", "1450"]
    assert without_page_furniture(settings) == settings
    # a heading over its text is not a wrapped line; the text wrapped at the width is
    text = [
        "4.3  Maximum daily exposure durations for hall workers",
        "The employer shall record the duration of exposure for every employee who",
        "works in a hall where the daily exposure exceeds the lower action value.",
    ]
    assert joined_paragraphs(text) == [text[0], f"{text[1]} {text[2]}"]
    grid = ["+-------+---------+", "| Sound | Maximum |", "| level | time    |",
            "+=======+=========+", "| 85    | 8 h     |", "| 94    | 1 h     |",
            "+-------+---------+"]  # fmt: skip
    assert grid_tables(grid) == [
        "| Sound level | Maximum time |",
        "|---|---|",
        "| 85 | 8 h |",
        "| 94 | 1 h |",
    ]
