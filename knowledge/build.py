"""Build the sample plant's document corpus from the committed Markdown sources.

Each file in `knowledge/src/` is Markdown with YAML front matter; its `format` key says
what it becomes in the corpus (md, pdf, html or docx). A `manifest.json` beside the
output records each document's title, type, audience and machines.

Usage:
    python -m knowledge.build [--src knowledge/src] [--out knowledge/corpus]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markdown
import yaml
from bs4 import BeautifulSoup, Tag

FORMATS = ("md", "pdf", "html", "docx")
PLANT_NAME = "Kestrel Fluid Components — Brackwater Plant"
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_FIXED_TIME = dt.datetime(2026, 1, 15, 8, 0, 0)  # keeps generated files byte-stable


@dataclass
class SourceDoc:
    path: Path
    meta: dict[str, Any]
    body: str

    @property
    def fmt(self) -> str:
        return str(self.meta.get("format", "md"))

    @property
    def out_name(self) -> str:
        return f"{self.path.stem}.{self.fmt}"

    def manifest_entry(self) -> dict[str, Any]:
        keys = ("title", "doc_type", "audience", "machine")
        return {k: self.meta[k] for k in keys if k in self.meta}


def read_source(path: Path) -> SourceDoc:
    text = path.read_text(encoding="utf-8")
    match = _FRONT.match(text)
    if not match:
        raise ValueError(f"{path}: missing front matter (--- title/doc_type/format ---)")
    meta = yaml.safe_load(match.group(1)) or {}
    for key in ("title", "doc_type", "format"):
        if key not in meta:
            raise ValueError(f"{path}: front matter lacks '{key}'")
    if meta["format"] not in FORMATS:
        raise ValueError(f"{path}: format must be one of {FORMATS}, not {meta['format']!r}")
    return SourceDoc(path, meta, text[match.end() :])


def to_html_fragment(body: str) -> str:
    return markdown.markdown(body, extensions=["tables", "sane_lists"])


# --------------------------------------------------------------------------------------
# renderers
# --------------------------------------------------------------------------------------
def render_md(doc: SourceDoc, out: Path) -> None:
    shutil.copyfile(doc.path, out)


def render_html(doc: SourceDoc, out: Path) -> None:
    meta = doc.meta
    metas = [f'<meta name="doc_type" content="{html.escape(str(meta["doc_type"]))}">']
    for key in ("audience", "machine"):
        if meta.get(key):
            values = meta[key] if isinstance(meta[key], list) else [meta[key]]
            metas.append(f'<meta name="{key}" content="{html.escape(",".join(values))}">')
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(meta["title"])}</title>
{chr(10).join(metas)}
<style>body{{font-family:sans-serif;max-width:60em;margin:auto}}
table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:4px}}</style>
</head>
<body>
<nav>{html.escape(PLANT_NAME)} intranet · Documents · {html.escape(meta["doc_type"])}</nav>
<main>
{to_html_fragment(doc.body)}
</main>
<footer>Controlled copy. Printed copies are uncontrolled.</footer>
</body>
</html>
"""
    out.write_text(page, encoding="utf-8")


def _inline_markup(tag: Tag) -> str:
    """Inner HTML of a block, reduced to the tags reportlab paragraphs understand."""
    inner = tag.decode_contents()
    inner = re.sub(r"<(/?)strong>", r"<\1b>", inner)
    inner = re.sub(r"<(/?)em>", r"<\1i>", inner)
    inner = re.sub(r"<code>", '<font face="Courier">', inner)
    inner = re.sub(r"</code>", "</font>", inner)
    return re.sub(r"<(?!/?(b|i|font)\b)[^>]+>", "", inner).strip()


def render_pdf(doc: SourceDoc, out: Path) -> None:
    template = _pdf_template(doc, out)
    template.build(_pdf_story(doc.body))


def _pdf_template(doc: SourceDoc, out: Path) -> Any:
    """An A4 document with a footer on every page and a bookmark for every heading."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    title = str(doc.meta["title"])

    class OutlinedDoc(BaseDocTemplate):
        """Adds a PDF bookmark for every heading, so readers and loaders see the structure."""

        def afterFlowable(self, flowable: Any) -> None:
            level = getattr(flowable, "outline_level", None)
            if level is None:
                return
            text = flowable.getPlainText()
            key = f"h{id(flowable)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(text, key, level=level, closed=False)

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(18 * mm, 10 * mm, f"{PLANT_NAME} · {title}")
        canvas.drawRightString(192 * mm, 10 * mm, f"Page {document.page}")
        canvas.restoreState()

    template = OutlinedDoc(
        str(out),
        pagesize=A4,
        title=title,
        author=PLANT_NAME,
        subject=str(doc.meta["doc_type"]),
        invariant=1,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
    )
    frame = Frame(template.leftMargin, template.bottomMargin, template.width, template.height)
    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])
    return template


def _pdf_story(body: str) -> list[Any]:
    """The flowables of a Markdown body: each top-level block, then a small gap."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Spacer

    styles = getSampleStyleSheet()
    story: list[Any] = []
    soup = BeautifulSoup(to_html_fragment(body), "html.parser")
    for element in soup.find_all(recursive=False):
        story.extend(_pdf_block(element, styles))
        story.append(Spacer(1, 4))
    return story


def _pdf_block(element: Tag, styles: Any) -> list[Any]:
    """One top-level HTML block as reportlab flowables; none for blocks PDFs leave out."""
    from reportlab.platypus import ListFlowable, ListItem, Paragraph

    name = element.name
    headings = {"h1": "Title", "h2": "Heading1", "h3": "Heading2", "h4": "Heading3"}
    if name in headings:
        para = Paragraph(_inline_markup(element), styles[headings[name]])
        para.outline_level = int(name[1]) - 1
        return [para]
    if name == "p":
        return [Paragraph(_inline_markup(element), styles["BodyText"])]
    if name in ("ul", "ol"):
        items = [
            ListItem(Paragraph(_inline_markup(li), styles["BodyText"]))
            for li in element.find_all("li", recursive=False)
        ]
        kind = "1" if name == "ol" else "bullet"
        return [ListFlowable(items, bulletType=kind, start=1 if name == "ol" else None)]
    if name == "table":
        return [_pdf_table(element, styles["BodyText"].clone("cell", fontSize=8.5, leading=10.5))]
    return []


def _pdf_table(element: Tag, cell: Any) -> Any:
    """A gridded table whose header row repeats on every page it spans."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    rows = [
        [Paragraph(_inline_markup(c), cell) for c in tr.find_all(["th", "td"])]
        for tr in element.find_all("tr")
    ]
    table = Table(rows, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def render_docx(doc: SourceDoc, out: Path) -> None:
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title = str(doc.meta["title"])
    props.category = str(doc.meta["doc_type"])
    props.author = PLANT_NAME
    props.created = props.modified = _FIXED_TIME
    keywords = []
    for key in ("audience", "machine"):
        if doc.meta.get(key):
            values = doc.meta[key] if isinstance(doc.meta[key], list) else [doc.meta[key]]
            keywords.append(f"{key}={','.join(values)}")
    props.keywords = "; ".join(keywords)

    soup = BeautifulSoup(to_html_fragment(doc.body), "html.parser")
    for element in soup.find_all(recursive=False):
        name = element.name
        text = element.get_text(" ", strip=True)
        if name in ("h1", "h2", "h3", "h4"):
            document.add_heading(text, level=int(name[1]))
        elif name == "p":
            document.add_paragraph(text)
        elif name in ("ul", "ol"):
            style = "List Number" if name == "ol" else "List Bullet"
            for li in element.find_all("li", recursive=False):
                document.add_paragraph(li.get_text(" ", strip=True), style=style)
        elif name == "table":
            rows = [
                [c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])]
                for tr in element.find_all("tr")
            ]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    document.save(str(out))


RENDERERS = {"md": render_md, "pdf": render_pdf, "html": render_html, "docx": render_docx}


def build(src: Path, out: Path) -> list[Path]:
    """Render every source into a fresh copy of `out`, then swap it in whole."""
    sources = [read_source(p) for p in sorted(src.glob("*.md"))]
    if not sources:
        raise SystemExit(f"no sources (*.md) found in {src}")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".corpus-", dir=out.parent))
    manifest = {}
    for doc in sources:
        RENDERERS[doc.fmt](doc, staging / doc.out_name)
        manifest[doc.out_name] = doc.manifest_entry()
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    if out.exists():
        shutil.rmtree(out)
    os.rename(staging, out)
    return sorted(out.iterdir())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=Path(__file__).parent / "src")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "corpus")
    args = parser.parse_args(argv)
    files = build(args.src, args.out)
    counts: dict[str, int] = {}
    for f in files:
        counts[f.suffix] = counts.get(f.suffix, 0) + 1
    print(
        f"built {len(files) - 1} documents in {args.out}: "
        + ", ".join(f"{n} {ext}" for ext, n in sorted(counts.items()) if ext != ".json")
    )


if __name__ == "__main__":
    main()
