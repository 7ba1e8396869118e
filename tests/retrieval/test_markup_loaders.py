"""Markdown, HTML, DOCX and plain-text loading on small inline documents and on real ones."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import pytest

from retrieval.documents import LoadedDocument
from retrieval.errors import DocumentLoadError
from retrieval.loaders import load_document
from retrieval.tables import split_blocks

REAL_DOCS = Path(__file__).resolve().parents[3] / "shared" / "real-docs"
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^>]*)?/?>")


def load_bytes(tmp_path: Path, name: str, data: bytes) -> LoadedDocument:
    path = tmp_path / name
    path.write_bytes(data)
    return load_document(path, tmp_path)


def by_heading(doc: LoadedDocument) -> dict[str, str]:
    return {s.heading_path[-1] if s.heading_path else "": s.text for s in doc.sections}


def all_text(doc: LoadedDocument) -> str:
    return "\n".join(s.text for s in doc.sections)


# ------------------------------------------------------------------------------ markdown
MARKDOWN = """---
title: Pump P-7 datasheet
---

![Pump photo](assets/pump.png)

# Pump P-7

Read the [safety rules](https://example.com/rules) first &amp; **always** wear gloves.

> Note: the seal kit is sold separately.

<h2>Features</h2>
<table style="page-break-before: avoid;">
 <thead><tr><th>Component</th><th colspan="2">Details</th></tr></thead>
 <tbody>
  <tr><td rowspan="2">Motor</td><td>Power</td><td><p>4 kW</p><p>400 V</p></td></tr>
  <tr><td>Speed</td><td>2900 rpm<br>at 50 Hz</td></tr>
  <tr><td>Seal</td><td colspan="2">Mechanical, SiC/SiC</td></tr>
 </tbody>
</table>

<div style="break-after:page"></div>

## Ratings

| Symbol | Max  | Unit |
|:-------|-----:|------|
| T<sub>Max</sub>   | 85   | °C   |

##### Deep five

Five text.

###### Deep six

Six text.

Setext heading
--------------

Setext body.
"""


def test_markdown_headings_html_tables_and_inline_markup(tmp_path: Path) -> None:
    doc = load_bytes(tmp_path, "pump.md", MARKDOWN.replace("\n", "\r\n").encode())
    assert doc.meta.title == "Pump P-7 datasheet"
    sections = by_heading(doc)
    paths = [s.heading_path for s in doc.sections]
    assert ("Pump P-7", "Ratings", "Deep five") in paths
    assert ("Pump P-7", "Ratings", "Deep five", "Deep six") in paths
    assert ("Pump P-7", "Setext heading") in paths
    assert not any(name.startswith("#") for p in paths for name in p)
    intro = sections["Pump P-7"]
    assert "Read the safety rules first & always wear gloves." in intro
    assert "Note: the seal kit is sold separately." in intro  # blockquote text kept
    assert "Pump photo" not in all_text(doc) and "assets/" not in all_text(doc)
    assert sections["Features"] == (
        "| Component | Details | Details |\n|---|---|---|\n"
        "| Motor | Power | 4 kW 400 V |\n"
        "| Motor | Speed | 2900 rpm at 50 Hz |\n"
        "| Seal | Mechanical, SiC/SiC |  |"
    )
    assert sections["Ratings"] == "| Symbol | Max | Unit |\n|---|---|---|\n| TMax | 85 | °C |"
    assert sections["Deep six"] == "Six text."
    text = all_text(doc)
    assert not _TAG.search(text) and "&amp;" not in text and "\r" not in text


def test_markdown_table_without_header_gets_column_names(tmp_path: Path) -> None:
    data = b"# Summary\n\n| | |\n|---|---|\n| **Owner** | *\\<enter role\\>* |\n"
    doc = load_bytes(tmp_path, "sop.md", data)
    assert all_text(doc) == "| Item | Value |\n|---|---|\n| Owner | <enter role> |"


def test_markdown_tight_atx_headings_are_sections_but_code_and_tags_are_not(
    tmp_path: Path,
) -> None:
    data = (
        b"##Inputs / outputs\n\n| Signal | Range |\n|---|---|\n| analog in | 0-10 V |\n\n"
        b"###Control\n\nLoop at 8 kHz.\n\n```\n##not a heading\n```\n\n#tag stays text\n"
    )
    doc = load_bytes(tmp_path, "drive.md", data)
    paths = [s.heading_path for s in doc.sections]
    assert paths == [("Inputs / outputs",), ("Inputs / outputs", "Control")]
    control = by_heading(doc)["Control"]
    assert "##not a heading" in control and "#tag stays text" in control


def test_markdown_of_one_two_megabyte_line_loads_whole(tmp_path: Path) -> None:
    # prose with a link or emphasis now and then, as a minified export would have; the time
    # it takes is measured by `python -m bench.ingest`, not asserted here
    sentence = "The pump must be checked daily and the oil level read at the sight glass. "
    line = ((sentence * 5 + "See the [rules](r.html), **always**. ") * 6_000)[:2_000_000]
    doc = load_bytes(tmp_path, "long.md", line.encode())
    text = all_text(doc)
    assert len(text) > 1_900_000 and "](" not in text and "**" not in text


# ---------------------------------------------------------------------------------- html
PAGE = """<!DOCTYPE html><html><head><title>Press P-100</title>
<script>var tracking = 1;</script><style>p { color: red }</style></head><body>
<header><a href="/">Intranet home</a></header>
<nav>Documents · Maintenance</nav>
<div class="cookie-banner">We use cookies</div>
<div id="sidebar">Related pages</div>
<ul role="navigation"><li>Jump menu</li></ul>
<main>
<h1>Press P-100</h1>
<p>Daily checks before the first cycle.</p>
<dl><dt>Stroke</dt><dd>250 mm</dd><dt>Force</dt><dd>1000 kN</dd></dl>
<ol><li>Check oil</li><li>Check guards</li></ol>
</main>
<aside>Ads</aside><footer>Printed copies are uncontrolled</footer>
</body></html>"""


def test_html_keeps_main_content_and_definition_lists(tmp_path: Path) -> None:
    doc = load_bytes(tmp_path, "press.html", PAGE.encode())
    assert doc.meta.title == "Press P-100"
    text = all_text(doc)
    for chrome in ("Intranet home", "Maintenance", "cookies", "Related", "Jump", "Ads", "Printed"):
        assert chrome not in text
    assert "tracking" not in text and "color" not in text
    assert by_heading(doc)["Press P-100"] == (
        "Daily checks before the first cycle.\n\n"
        "Stroke: 250 mm\nForce: 1000 kN\n\n1. Check oil\n2. Check guards"
    )


XHTML = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x.dtd">
<!-- licence comment before the root -->
<html xmlns="http://www.w3.org/1999/xhtml"><head></head><body>
<table><caption>Quick reference</caption>
<tr><th>Code</th><th>Parameters</th><th>Description</th></tr>
<tr><th>Motion</th><td colspan="2">(X Y Z apply to all motions)</td></tr>
<tr><td><a href="g0.html">G0</a></td><td/><td>Rapid Move</td></tr>
<tr><th colspan="3">Coolant</th></tr>
<tr><td>M8</td><td/><td>Flood On</td></tr>
</table></body></html>"""


def test_xhtml_group_rows_become_a_column_without_a_parser_warning(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doc = load_bytes(tmp_path, "gcode.html", XHTML.encode())
    assert doc.meta.title == "gcode"  # no <title>, no h1: the file name
    assert all_text(doc) == (
        "Quick reference\n\n| Group | Code | Parameters | Description |\n|---|---|---|---|\n"
        "| Motion |  | (X Y Z apply to all motions) |  |\n"
        "| Motion | G0 |  | Rapid Move |\n"
        "| Coolant | M8 |  | Flood On |"
    )
    assert "licence" not in all_text(doc)


def test_a_row_that_only_opens_a_rowspan_is_not_a_row_of_its_own(tmp_path: Path) -> None:
    # a data sheet's layout: the label alone in its <tr>, one model per row after it
    sheet = (
        "# Robot arm\n\n<table><tr><th></th><th>Specification</th></tr>"
        '<tr><th rowspan="3">Payload</th></tr><tr><td>RB5: 5 kg</td></tr>'
        "<tr><td>RB10: 10 kg</td></tr><tr><th>IP Rate</th><td>IP66</td></tr></table>\n"
    )
    doc = load_bytes(tmp_path, "spec.md", sheet.encode())
    assert all_text(doc) == (
        "|  | Specification |\n|---|---|\n| Payload | RB5: 5 kg |\n"
        "| Payload | RB10: 10 kg |\n| IP Rate | IP66 |"
    )


def test_html_page_of_only_scripts_is_refused_with_the_reason(tmp_path: Path) -> None:
    page = b"<html><head><script>render()</script></head><body><div id=app></div></body></html>"
    with pytest.raises(DocumentLoadError, match="only scripts/markup"):
        load_bytes(tmp_path, "app.html", page)


def test_html_title_falls_back_to_the_first_h1(tmp_path: Path) -> None:
    doc = load_bytes(tmp_path, "a.html", b"<body><h1>Lathe L-2</h1><p>Chuck</p></body>")
    assert doc.meta.title == "Lathe L-2"


def test_hidden_html_goes_and_what_a_reader_can_reach_stays(tmp_path: Path) -> None:
    page = (
        "<body><p>Shown.</p><p style='display: none !important'>gone 1</p>"
        "<p style='visibility:collapse;color:red'>gone 2</p><p aria-hidden=TRUE>gone 3</p>"
        "<p hidden='hidden'>gone 4</p><p hidden='until-found'>Found by search.</p>"
        "<p style='display:block' aria-hidden='false'>Also shown.</p>"
        "<p style='font-display: none-ish'>Odd style, shown.</p></body>"
    )
    text = all_text(load_bytes(tmp_path, "a.html", page.encode()))
    assert "gone" not in text
    for shown in ("Shown.", "Found by search.", "Also shown.", "Odd style, shown."):
        assert shown in text


def test_list_numbers_follow_start_and_value(tmp_path: Path) -> None:
    page = b"<ol start='4'><li>d</li><li value='9'>i</li><li>j</li><ol><li>sub</li></ol></ol>"
    text = all_text(load_bytes(tmp_path, "a.html", page))
    assert text == "4. d\n9. i\n10. j\n\n1. sub"


# ---------------------------------------------------------------------------------- docx
def _docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Pump Manual", style="Title")
    for level in range(1, 10):
        document.add_heading(f"Level {level}", level=level)
    document.add_paragraph("Check oil", style="List Number")
    document.add_paragraph("Start pump", style="List Number")
    noted = document.add_paragraph("Flow rate 12 l/min.")
    document.add_comment(noted.runs, text="Reviewer: is this right?", author="R")
    document.add_paragraph("Page 3 of 9")
    toc = document.add_paragraph()
    run = toc.add_run()
    code = run._r.makeelement(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}instrText"
    )
    code.text = ' TOC \\o "1-3" '
    run._r.append(code)
    toc.add_run("Level 1 ........ 3")
    table = document.add_table(rows=3, cols=3)
    for col, name in enumerate(("Part", "Size", "Note")):
        table.cell(0, col).text = name
    table.cell(1, 0).merge(table.cell(2, 0)).text = "Seal"
    table.cell(1, 1).text = "S"
    table.cell(2, 1).text = "M"
    table.cell(1, 2).merge(table.cell(1, 2))
    merged = table.cell(2, 1).merge(table.cell(2, 2))
    merged.text = "M only"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_text_hidden_by_a_run_or_its_style_is_left_out(tmp_path: Path) -> None:
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    secret = document.styles.add_style("Secret", WD_STYLE_TYPE.CHARACTER)
    secret.font.hidden = True
    also = document.styles.add_style("Also secret", WD_STYLE_TYPE.CHARACTER)
    also.base_style = secret
    paragraph = document.add_paragraph("Shown. ")
    paragraph.add_run("gone 1").font.hidden = True
    paragraph.add_run("gone 2", style="Secret")
    paragraph.add_run("gone 3", style="Also secret")
    paragraph.add_run(" Unhidden.", style="Secret").font.hidden = False
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.paragraphs[0].add_run("gone 4").font.hidden = True
    buffer = io.BytesIO()
    document.save(buffer)
    text = all_text(load_bytes(tmp_path, "a.docx", buffer.getvalue()))
    assert "Shown." in text and "Unhidden." in text
    assert "gone" not in text


def test_docx_headings_numbering_merged_cells_and_skipped_furniture(tmp_path: Path) -> None:
    doc = load_bytes(tmp_path, "pump-manual.docx", _docx())
    assert doc.meta.title == "Pump Manual"
    deepest = doc.sections[0]
    assert deepest.heading_path == ("Pump Manual", *(f"Level {i}" for i in range(1, 10)))
    text = all_text(doc)
    assert "1. Check oil\n2. Start pump" in text
    assert "Flow rate 12 l/min." in text
    for furniture in ("Reviewer", "Page 3 of 9", "TOC", "........"):
        assert furniture not in text
    assert "| Part | Size | Note |\n|---|---|---|\n| Seal | S |  |\n| Seal | M only |  |" in text


# ----------------------------------------------------------------------------------- txt
def test_text_in_windows_1252_loads_with_a_note(tmp_path: Path) -> None:
    data = "Temperatur 60 °C – “quoted”\nsecond line".encode("cp1252")
    doc = load_bytes(tmp_path, "legacy.txt", data)
    assert "60 °C – “quoted”" in all_text(doc)
    assert doc.stats.notes == ("not UTF-8: read as Windows-1252",)


def test_text_in_utf16_with_bom_loads(tmp_path: Path) -> None:
    doc = load_bytes(tmp_path, "u16.txt", "Öl wechseln\n\nalle 500 h".encode("utf-16"))
    assert "alle 500 h" in all_text(doc)


@pytest.mark.parametrize("data", [bytes(range(256)) * 8, b"\x89PNG\r\n\x1a\n" + bytes(200)])
def test_binary_file_named_txt_is_refused(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(DocumentLoadError, match="binary file"):
        load_bytes(tmp_path, "image.txt", data)


PLAIN = """Hydraulic Unit H-4
==================

Read this first.

1. Introduction

The unit feeds the press.

SAFETY

Lock out before work.
Wear gloves.

Maintenance
-----------

Change the filter every 500 h.
1. Drain the tank.
2. Refill.
"""


def test_text_sections_under_heading_like_lines(tmp_path: Path) -> None:
    doc = load_bytes(tmp_path, "unit.txt", PLAIN.encode())
    assert doc.meta.title == "Hydraulic Unit H-4"
    assert [s.heading_path for s in doc.sections] == [
        ("Hydraulic Unit H-4",),
        ("1. Introduction",),
        ("SAFETY",),
        ("SAFETY", "Maintenance"),
    ]
    assert by_heading(doc)["Maintenance"].endswith("1. Drain the tank.\n2. Refill.")


def test_text_without_headings_is_one_section_titled_by_its_file(tmp_path: Path) -> None:
    doc = load_bytes(tmp_path, "notes.txt", b"Data set: FD001\nTrain: 100\n\nsome notes.\n")
    assert len(doc.sections) == 1 and doc.sections[0].heading_path == ()
    assert doc.meta.title == "notes"


# ----------------------------------------------------------------------------- real docs
@pytest.mark.skipif(not REAL_DOCS.is_dir(), reason=f"real documents not found at {REAL_DOCS}")
def test_real_documents_load_cleanly() -> None:
    def real(name: str) -> LoadedDocument:
        return load_document(REAL_DOCS / name, REAL_DOCS)

    arduino = real("arduino-edge-control-akx00034-datasheet-rev2.md")
    assert not any(n.startswith("#") for s in arduino.sections for n in s.heading_path)
    assert not any(_TAG.search(s.text) for s in arduino.sections)
    features = by_heading(arduino)["Features"]
    assert features.startswith("| Component | Details |")
    assert "| Nina B306 Module | Wireless |" in features
    assert sum(b.header is not None for s in arduino.sections for b in split_blocks(s.text)) >= 18

    gcode = all_text(real("linuxcnc-gcode-quick-reference.html"))
    assert "| Motion | G0 |  | Rapid Move |" in gcode
    assert "| Coolant | M7, M8, M9 |  | Coolant Control |" in gcode

    nasa = real("nasa-cmapss-turbofan-dataset-readme.txt")
    assert "Experimental Scenario" in [s.heading_path[-1] for s in nasa.sections if s.heading_path]

    mqtt = real("oasis-mqtt-sn-v2.0-working-draft-2025-10-23.docx")
    assert mqtt.meta.title == "MQTT for Sensor Networks (MQTT-SN) Version 2.0"
    assert "Page  of" not in all_text(mqtt)
