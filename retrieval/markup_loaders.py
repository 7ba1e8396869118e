"""HTML and DOCX loading: block elements in document order under their heading path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retrieval.documents import Section
from retrieval.errors import DocumentLoadError
from retrieval.tables import to_markdown

_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAGS = (*_HEADING_TAGS, "p", "li", "tr", "pre", "dt", "dd", "blockquote", "figcaption")


class _SectionBuilder:
    """Collects blocks under the current heading path."""

    def __init__(self) -> None:
        self.sections: list[Section] = []
        self.stack: list[tuple[int, str]] = []
        self.buffer: list[str] = []

    def heading(self, level: int, text: str) -> None:
        self.flush()
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, text))

    def block(self, text: str) -> None:
        if text.strip():
            self.buffer.append(text.strip())

    def flush(self) -> None:
        if self.buffer:
            path = tuple(t for _, t in self.stack)
            self.sections.append(Section("\n".join(self.buffer), path))
            self.buffer = []

    def result(self) -> list[Section]:
        self.flush()
        return self.sections


def load_html(path: Path, data: bytes) -> tuple[dict[str, Any], list[Section], str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    for tag in soup(["script", "style", "nav", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    front: dict[str, Any] = {}
    for tag in soup.find_all("meta"):
        name, content = str(tag.get("name") or ""), str(tag.get("content") or "")
        if name == "doc_type" and content:
            front[name] = content
        elif name in ("audience", "machine") and content:
            front[name] = [v.strip() for v in content.split(",") if v.strip()]
    builder = _SectionBuilder()
    for element in soup.find_all((*_BLOCK_TAGS, "table")):
        name = element.name
        if name != "table" and element.find_parent("table") is not None:
            continue  # written with its table
        if name == "table":
            if element.find("table") is None:  # a layout table holding tables: visit those
                rows = [
                    [c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])]
                    for tr in element.find_all("tr")
                ]
                builder.block(to_markdown(rows))
            continue
        if element.find(_BLOCK_TAGS):  # a container; its inner blocks are visited on their own
            continue
        if name in _HEADING_TAGS:
            builder.heading(int(name[1]), element.get_text(" ", strip=True))
        elif name == "li" and element.parent is not None and element.parent.name == "ol":
            index = element.parent.find_all("li", recursive=False).index(element) + 1
            builder.block(f"{index}. {element.get_text(' ', strip=True)}")
        elif name == "li":
            builder.block(f"- {element.get_text(' ', strip=True)}")
        else:
            builder.block(element.get_text(" ", strip=True))
    sections = builder.result()
    if not title and sections and sections[0].heading_path:
        title = sections[0].heading_path[0]
    return front, sections, title


def load_docx(path: Path, data: bytes) -> tuple[dict[str, Any], list[Section], str]:
    import io
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DocumentLoadError(path, f"is not a readable Word (.docx) file ({exc})") from exc
    props = document.core_properties
    front: dict[str, Any] = {}
    if props.category:
        front["doc_type"] = props.category
    if props.keywords:
        front.update(_parse_keywords(props.keywords))
    builder = _SectionBuilder()
    numbering: dict[int, int] = {}
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}tbl"):
            table = Table(child, document)
            builder.block(to_markdown([[cell.text for cell in row.cells] for row in table.rows]))
            continue
        if not child.tag.endswith("}p"):
            continue
        para = Paragraph(child, document)
        style = para.style.name if para.style is not None else ""
        text = para.text.strip()
        if style.startswith("Heading") and style[8:].isdigit():
            builder.heading(int(style[8:]), text)
            numbering.clear()
        elif style == "Title":
            builder.heading(0, text)
        elif style.startswith("List Number"):
            numbering[0] = numbering.get(0, 0) + 1
            builder.block(f"{numbering[0]}. {text}")
        elif style.startswith("List"):
            builder.block(f"- {text}")
        else:
            numbering.clear()
            builder.block(text)
    return front, builder.result(), props.title or ""


def _parse_keywords(keywords: str) -> dict[str, Any]:
    """DOCX keywords hold `audience=a,b; machine=X` written by knowledge/build.py."""
    out: dict[str, Any] = {}
    for part in keywords.split(";"):
        key, _, value = part.partition("=")
        if key.strip() in ("audience", "machine") and value.strip():
            out[key.strip()] = [v.strip() for v in value.split(",") if v.strip()]
    return out
