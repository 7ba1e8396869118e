"""Word (.docx) loading: headings 1–9, list numbers as Word shows them, tables with merged
cells written once, and no table of contents, page-number footers, reviewer comments or hidden
text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.documents import Extraction
from retrieval.errors import DocumentLoadError
from retrieval.limits import MAX_DOCX_MEMBERS, MAX_DOCX_RATIO, MAX_DOCX_UNPACKED_BYTES, check_zip
from retrieval.markup_loaders import SectionBuilder
from retrieval.tables import to_markdown
from tools.common.zip_limits import ZipLimits

if TYPE_CHECKING:
    from docx.document import Document
    from lxml.etree import _Element

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"heading\s*([1-9])$", re.IGNORECASE)  # also "AppendixHeading2"
_PAGE_OF = re.compile(r"^page\s*\d*\s*of\s*\d*$", re.IGNORECASE)  # PAGE/NUMPAGES fields
# run containers whose runs are part of the paragraph's text (links, content controls, edits)
_RUN_HOLDERS = {"hyperlink", "sdt", "sdtContent", "ins", "fldSimple", "smartTag", "customXml"}


def load_docx(
    path: Path,
    data: bytes,
    max_unpacked: int = MAX_DOCX_UNPACKED_BYTES,
    max_ratio: float = MAX_DOCX_RATIO,
    max_members: int = MAX_DOCX_MEMBERS,
) -> Extraction:
    """Read a .docx into sections; the title from core properties or the Title paragraph.
    Hidden text (runs marked hidden in Word) is left out: no reader sees it."""
    check_zip(path, data, ZipLimits(max_members, max_unpacked, max_ratio))
    document = _open(path, data)
    props = document.core_properties
    front: dict[str, Any] = {}
    if props.category:
        front["doc_type"] = props.category
    if props.keywords:
        front.update(_parse_keywords(props.keywords))
    drop_hidden_runs(document)
    reader = _BodyReader(document)
    reader.read(document.element.body)
    return Extraction(reader.builder.result(), props.title or reader.title, front)


def _open(path: Path, data: bytes) -> Document:
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    try:
        return docx.Document(io.BytesIO(data))
    except XMLSyntaxError as exc:
        raise DocumentLoadError(path, f"is a damaged Word file: {_broken_part(data, exc)}") from exc
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentLoadError(path, f"is not a readable Word (.docx) file ({exc})") from exc


def _broken_part(data: bytes, error: Exception) -> str:
    """Which part of the package is not well-formed XML, and where (the parser's own error
    does not say which part it was reading)."""
    import io
    import zipfile

    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            try:
                etree.fromstring(package.read(name), parser)
            except etree.XMLSyntaxError as exc:
                return f"{name} is not well-formed XML ({exc})"
    return f"its XML is not well-formed ({error})"


def drop_hidden_runs(document: Document) -> None:
    """Remove the runs Word hides (`w:vanish`, set on the run or by its character or
    paragraph style), so that text no reader sees is never indexed."""
    hidden_styles = _hidden_styles(document)
    body = document.element.body
    for run in list(body.iter(f"{_W}r")):
        vanish = run.find(f"{_W}rPr/{_W}vanish")
        if vanish is not None:
            hidden = _on(vanish)
        else:
            style = run.find(f"{_W}rPr/{_W}rStyle")
            paragraph = next(run.iterancestors(f"{_W}p"), None)
            hidden = (style is not None and str(style.get(f"{_W}val")) in hidden_styles) or (
                paragraph is not None and _style_id(paragraph) in hidden_styles
            )
        parent = run.getparent()
        if hidden and parent is not None:
            parent.remove(run)


def _hidden_styles(document: Document) -> set[str]:
    """Ids of the styles that hide their text, directly or through the style they are based on."""
    own: dict[str, bool | None] = {}
    based_on: dict[str, str] = {}
    for style in document.styles.element.iterchildren(f"{_W}style"):
        style_id = str(style.get(f"{_W}styleId"))
        vanish = style.find(f"{_W}rPr/{_W}vanish")
        own[style_id] = None if vanish is None else _on(vanish)
        parent = style.find(f"{_W}basedOn")
        if parent is not None:
            based_on[style_id] = str(parent.get(f"{_W}val"))
    hidden: set[str] = set()
    for style_id in own:
        seen: set[str] = set()
        current: str | None = style_id
        while current is not None and current not in seen and own.get(current) is None:
            seen.add(current)
            current = based_on.get(current)
        if current is not None and own.get(current):
            hidden.add(style_id)
    return hidden


def _on(toggle: _Element) -> bool:
    """A Word on/off property: present means on unless its value says off."""
    return str(toggle.get(f"{_W}val", "true")).lower() not in ("0", "false", "off")


class _BodyReader:
    """Walks the document body in order, writing paragraphs and tables into sections."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.builder = SectionBuilder()
        self.numbering = _Numbering(document)
        self.title = ""
        self.style_names = {s.style_id: s.name or "" for s in document.styles}

    def read(self, parent: _Element) -> None:
        for child in parent.iterchildren():
            tag = _local(child.tag)
            if tag == "p":
                self.paragraph(child)
            elif tag == "tbl":
                self.builder.block(to_markdown(table_rows(child)))
            elif tag == "sdt" and not _is_toc(child):
                content = child.find(f"{_W}sdtContent")
                if content is not None:
                    self.read(content)
            elif tag == "customXml":
                self.read(child)

    def paragraph(self, p: _Element) -> None:
        text = " ".join(paragraph_text(p).split())
        style = self.style_names.get(_style_id(p), "")
        if not text or style.lower().startswith("toc") or _PAGE_OF.match(text) or _is_toc(p):
            return
        heading = _HEADING_STYLE.search(style)
        outline = _outline_level(p)
        if heading or outline:
            self.builder.heading(int(heading.group(1)) if heading else outline, text)
        elif style == "Title":
            self.title = self.title or text
            self.builder.heading(0, text)
        else:
            label, num_id = self.numbering.label(p, _style_id(p))
            self.builder.block(f"{label} {text}" if label else text, group=num_id)


def paragraph_text(p: _Element) -> str:
    """A paragraph's visible text, including links, content controls and tracked insertions;
    comments, deleted text and field codes are left out."""
    parts: list[str] = []
    for child in p.iterchildren():
        tag = _local(child.tag)
        if tag == "r":
            parts.append(str(getattr(child, "text", "") or ""))
        elif tag in _RUN_HOLDERS:
            parts.append(paragraph_text(child))
    return "".join(parts)


def table_rows(tbl: _Element) -> list[list[str]]:
    """Cell texts by grid column, as HTML tables are read: a horizontally merged body cell once
    (the rest of its span left empty), a vertically merged one repeated in each row it covers."""
    rows: list[list[str]] = []
    above: dict[int, str] = {}
    for tr in tbl.iterchildren(f"{_W}tr"):
        row: list[str] = [""] * _int_val(tr.find(f"{_W}trPr/{_W}gridBefore"), 0)
        cells = list(tr.iterchildren(f"{_W}tc"))
        repeat = not rows and len(cells) > 1  # a header span names each of its columns
        for tc in cells:
            props = tc.find(f"{_W}tcPr")
            span = _int_val(props.find(f"{_W}gridSpan") if props is not None else None, 1)
            merge = props.find(f"{_W}vMerge") if props is not None else None
            if merge is not None and merge.get(f"{_W}val", "continue") == "continue":
                text = above.get(len(row), "")
            else:
                text = " ".join(paragraph_text(p) for p in tc.iter(f"{_W}p"))
            above[len(row)] = text
            row += [text] + [text if repeat else ""] * (min(span, 64) - 1)
        rows.append(row)
    return rows


def _int_val(element: _Element | None, default: int, attribute: str = "val") -> int:
    if element is None:
        return default
    try:
        return max(int(element.get(f"{_W}{attribute}", default)), 0)
    except ValueError:
        return default


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


def _style_id(p: _Element) -> str:
    style = p.find(f"{_W}pPr/{_W}pStyle")
    return str(style.get(f"{_W}val")) if style is not None else "Normal"


def _outline_level(p: _Element) -> int:
    """1–9 for a paragraph given an outline level directly (a heading in all but name)."""
    level = p.find(f"{_W}pPr/{_W}outlineLvl")
    value = _int_val(level, 9)
    return value + 1 if value < 9 else 0


def _is_toc(element: _Element) -> bool:
    """A table-of-contents content control or a paragraph that starts a TOC field."""
    gallery = element.find(f"{_W}sdtPr/{_W}docPartObj/{_W}docPartGallery")
    if gallery is not None and "contents" in str(gallery.get(f"{_W}val", "")).lower():
        return True
    return any(
        (code.text or "").strip().upper().startswith("TOC")
        for code in element.iter(f"{_W}instrText")
    )


class _Numbering:
    """List labels as Word draws them ("1.", "a)", "-") from numbering.xml and run counters."""

    def __init__(self, document: Document) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}  # fmt, lvlText, start
        self.abstract: dict[str, str] = {}  # numId -> abstractNumId
        self.counters: dict[str, dict[int, int]] = {}
        self.style_numbers: dict[str, _Element] = {}
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError):
            return
        for abstract in root.iterchildren(f"{_W}abstractNum"):
            abstract_id = str(abstract.get(f"{_W}abstractNumId"))
            for lvl in abstract.iterchildren(f"{_W}lvl"):
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                self.levels[(abstract_id, _int_val(lvl, 0, "ilvl"))] = (
                    str(fmt.get(f"{_W}val")) if fmt is not None else "decimal",
                    str(text.get(f"{_W}val")) if text is not None else "",
                    _int_val(lvl.find(f"{_W}start"), 1),
                )
        for num in root.iterchildren(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.abstract[str(num.get(f"{_W}numId"))] = str(ref.get(f"{_W}val"))
        for style in document.styles.element.iterchildren(f"{_W}style"):
            num_pr = style.find(f"{_W}pPr/{_W}numPr")
            if num_pr is not None:
                self.style_numbers[str(style.get(f"{_W}styleId"))] = num_pr

    def label(self, p: _Element, style_id: str) -> tuple[str, str | None]:
        """The label of a numbered paragraph, counting on from earlier ones, and its list id;
        ("", None) when it is not numbered."""
        num_pr = p.find(f"{_W}pPr/{_W}numPr")
        if num_pr is None:
            num_pr = self.style_numbers.get(style_id)
        if num_pr is None:
            return "", None
        num_id = str(_int_val(num_pr.find(f"{_W}numId"), 0))
        ilvl = _int_val(num_pr.find(f"{_W}ilvl"), 0)
        abstract_id = self.abstract.get(num_id)
        if abstract_id is None or (abstract_id, ilvl) not in self.levels:
            return "", None
        fmt, pattern, start = self.levels[(abstract_id, ilvl)]
        counts = self.counters.setdefault(num_id, {})
        counts[ilvl] = counts[ilvl] + 1 if ilvl in counts else start
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]
        if fmt in ("bullet", "none"):
            return ("-" if fmt == "bullet" else ""), num_id

        def number(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            fmt_at, _, start_at = self.levels.get((abstract_id, level), ("decimal", "", 1))
            return _format_number(counts.get(level, start_at), fmt_at)

        return re.sub(r"%([1-9])", number, pattern).strip(), num_id


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    return f"{value:02d}" if fmt == "decimalZero" else str(value)


def _roman(value: int) -> str:
    out = ""
    for amount, numeral in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        count, value = divmod(value, amount)
        out += numeral * count
    return out


def _parse_keywords(keywords: str) -> dict[str, Any]:
    """DOCX keywords hold `audience=a,b; machine=X` written by knowledge/build.py."""
    out: dict[str, Any] = {}
    for part in keywords.split(";"):
        key, _, value = part.partition("=")
        if key.strip() in ("audience", "machine") and value.strip():
            out[key.strip()] = [v.strip() for v in value.split(",") if v.strip()]
    return out
