"""reStructuredText loading: docutils renders the document to HTML, which is then read like an
HTML page, so headings, lists and tables (grid and simple) come out as in the other formats.

Directives that read other files (`include`, `raw` with a file or URL) and raw HTML are
switched off: a document must never pull in what is not in it. Sphinx's own roles
(":ref:`setup`", ":doc:`install`") are shown as their text, not as error markup.
"""

from __future__ import annotations

import re
from pathlib import Path

from retrieval.documents import Extraction
from retrieval.html_loader import parse_html
from retrieval.markup_loaders import SectionBuilder, render_html
from retrieval.text_loader import decode_text

# :role:`text <target>` or :role:`text` -> text (Sphinx roles docutils does not know)
_ROLE = re.compile(r":[a-z][\w.:-]*:`(?P<text>[^`<]*?)\s*(?:<[^`>]*>)?`")
_SETTINGS = {
    "file_insertion_enabled": False,  # no `include`, no `raw` read from a file or URL
    "raw_enabled": False,  # no raw HTML passed through
    "report_level": 5,  # no system messages rendered into the text
    "halt_level": 5,  # an unknown directive never stops the read
    "syntax_highlight": "none",
    "embed_stylesheet": False,
    "_disable_config": True,  # no docutils.conf from the machine or the folder
}


def _role_text(match: re.Match[str]) -> str:
    text = match.group("text").strip()
    return f"``{text}``" if text else ""


def rst_to_html(text: str) -> str:
    """The document's body as HTML (its title included).

    Example:
        >>> html = rst_to_html("Title\\n=====\\n\\nIntro.\\n\\nTiming\\n------\\n\\nText.\\n")
        >>> "<h2>Timing</h2>" in html
        True
    """
    from docutils.core import publish_parts

    parts = publish_parts(_ROLE.sub(_role_text, text), writer="html5", settings_overrides=_SETTINGS)
    return str(parts["html_body"])


def load_rst(path: Path, data: bytes) -> Extraction:
    """Sections under every heading; tables as Markdown tables."""
    text, notes = decode_text(path, data)
    soup = parse_html(f"<html><body>{rst_to_html(text)}</body></html>")
    for furniture in soup.select(".system-message, .problematic"):
        furniture.unwrap()
    builder = SectionBuilder()
    render_html(soup.body or soup, builder)
    sections = builder.result()
    first = next((s.heading_path[0] for s in sections if s.heading_path), "")
    return Extraction(sections, first, {}, notes=notes)
