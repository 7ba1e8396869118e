"""Markdown loading: parsed by markdown-it (CommonMark and GFM tables), embedded HTML included,
then read like an HTML page so that both formats give the same sections and tables."""

from __future__ import annotations

from pathlib import Path

from retrieval.documents import Extraction
from retrieval.html_loader import drop_hidden, parse_html
from retrieval.markup_loaders import SectionBuilder, render_html
from retrieval.text_loader import decode_text, split_front_matter


def markdown_to_html(text: str) -> str:
    """CommonMark with pipe tables and strikethrough; raw HTML passes through untouched.

    Example:
        >>> markdown_to_html("##### Deep\\n")
        '<h5>Deep</h5>\\n'
    """
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return str(parser.render(text))


def load_markdown(path: Path, data: bytes) -> Extraction:
    """Sections under every heading level (ATX or setext); HTML tables and pipe tables as
    Markdown tables; links and emphasis reduced to their text; images and hidden HTML
    dropped."""
    text, notes = decode_text(path, data)
    front, body = split_front_matter(path, text)
    soup = parse_html(f"<html><body>{markdown_to_html(body)}</body></html>")
    drop_hidden(soup)  # embedded HTML can hide text as a web page can
    builder = SectionBuilder()
    render_html(soup.body or soup, builder)
    sections = builder.result()
    first = next((s.heading_path[0] for s in sections if s.heading_path), "")
    return Extraction(sections, str(front.get("title") or first), front, notes=notes)
