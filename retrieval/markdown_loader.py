"""Markdown loading: parsed by markdown-it (CommonMark and GFM tables), embedded HTML included,
then read like an HTML page so that both formats give the same sections and tables."""

from __future__ import annotations

import re
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


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# "##Heading": older renderers (and many READMEs written for them) accept an ATX heading with
# no space after its hashes; CommonMark reads it as a paragraph. One hash alone is left as it
# is, since "#tag" or "#1" are more often text than a title.
_TIGHT_ATX = re.compile(r"^( {0,3}#{2,6})([^\s#].{0,150})$")


def space_tight_headings(text: str) -> str:
    """Give tight ATX headings ("##Setup") the space CommonMark needs, outside code fences.

    Example:
        >>> space_tight_headings("##Setup\\n```\\n##not\\n```\\n#tag")
        '## Setup\\n```\\n##not\\n```\\n#tag'
    """
    lines = text.split("\n")
    fence = ""
    for i, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            continue
        lines[i] = _TIGHT_ATX.sub(r"\1 \2", line)
    return "\n".join(lines)


def load_markdown(path: Path, data: bytes) -> Extraction:
    """Sections under every heading level (ATX or setext); HTML tables and pipe tables as
    Markdown tables; links and emphasis reduced to their text; images and hidden HTML
    dropped."""
    text, notes = decode_text(path, data)
    front, body = split_front_matter(path, text)
    soup = parse_html(f"<html><body>{markdown_to_html(space_tight_headings(body))}</body></html>")
    drop_hidden(soup)  # embedded HTML can hide text as a web page can
    builder = SectionBuilder()
    render_html(soup.body or soup, builder)
    sections = builder.result()
    first = next((s.heading_path[0] for s in sections if s.heading_path), "")
    return Extraction(sections, str(front.get("title") or first), front, notes=notes)
