"""HTML loading: the page's main content (no navigation, banners or scripts) as sections."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.documents import Extraction
from retrieval.errors import DocumentLoadError
from retrieval.markup_loaders import SectionBuilder, inline_text, render_html

if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag

_CHROME_TAGS = ["nav", "header", "footer", "aside", "script", "style", "noscript", "form"]
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary"}
# class or id tokens of page furniture; whole tokens only, so "menu-of-the-day" stays
_CHROME_NAMES = re.compile(
    r"(?:cookies?|cookie-?(?:banner|bar|notice|consent)|consent|gdpr|nav|navbar|navigation|"
    r"menu|menubar|main-?menu|site-?menu|breadcrumbs?|sidebar|side-?bar|skip-?link|"
    r"site-?header|site-?footer|page-?footer|toolbar|share|social|social-?links)",
    re.IGNORECASE,
)

_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse))\s*"
    r"(?:!\s*important\s*)?(?:;|$)",
    re.IGNORECASE,
)


def parse_html(data: bytes | str) -> BeautifulSoup:
    """Parse HTML or XHTML with lxml's forgiving HTML parser, without the XHTML warning."""
    import warnings

    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        # XHTML read as HTML is what we want: the HTML parser forgives broken markup
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(data, "lxml")


def load_html(path: Path, data: bytes) -> Extraction:
    """Read an HTML page into sections under its headings; the title from `<title>` or h1."""
    soup = parse_html(data)
    had_script = soup.find("script") is not None
    title = _title(soup)
    front = _meta(soup)
    drop_hidden(soup)
    _drop_chrome(soup)
    builder = SectionBuilder()
    render_html(_main_content(soup), builder)
    sections = builder.result()
    if not any(s.text.strip() for s in sections) and had_script:
        raise DocumentLoadError(
            path,
            "has no readable text: the page is only scripts/markup (it is probably filled in "
            "by JavaScript in a browser); save the rendered page or its text and ingest that",
        )
    if not title and sections and sections[0].heading_path:
        title = sections[0].heading_path[0]
    return Extraction(sections, title, front)


def _title(soup: BeautifulSoup) -> str:
    if soup.title is not None and soup.title.get_text(strip=True):
        return " ".join(soup.title.get_text().split())
    h1 = soup.find("h1")
    return inline_text(h1) if h1 is not None else ""


def _meta(soup: BeautifulSoup) -> dict[str, Any]:
    """`doc_type`, `audience` and `machine` from `<meta name=…>` (written by knowledge/build.py)."""
    front: dict[str, Any] = {}
    for tag in soup.find_all("meta"):
        name, content = str(tag.get("name") or ""), str(tag.get("content") or "")
        if name == "doc_type" and content:
            front[name] = content
        elif name in ("audience", "machine") and content:
            front[name] = [v.strip() for v in content.split(",") if v.strip()]
    return front


def drop_hidden(soup: BeautifulSoup) -> None:
    """Remove the elements a browser does not show: the `hidden` attribute, `aria-hidden`
    "true", and an inline style of `display: none` or `visibility: hidden`. Text no reader
    sees could only plant words in answers. Style sheets are not evaluated."""
    doomed = [tag for tag in soup.find_all(True) if tag.name not in ("html", "body")]
    for tag in doomed:
        if not tag.decomposed and _is_hidden(tag):
            tag.decompose()


def _is_hidden(tag: Tag) -> bool:
    hidden = tag.get("hidden")
    if hidden is not None and str(hidden).strip().lower() != "until-found":  # found by search
        return True
    if str(tag.get("aria-hidden") or "").strip().lower() == "true":
        return True
    return bool(_HIDDEN_STYLE.search(str(tag.get("style") or "")))


def _drop_chrome(soup: BeautifulSoup) -> None:
    """Remove navigation, banners, footers, scripts and cookie or menu boxes; a header or
    footer inside an article is the article's own and stays."""
    doomed = []
    for tag in soup.find_all(True):
        if tag.name in ("html", "body", "main", "article"):
            continue
        if tag.name in ("header", "footer") and tag.find_parent(["article", "main"]):
            continue
        role = str(tag.get("role") or "").lower()
        tokens = [*_as_list(tag.get("class")), str(tag.get("id") or "")]
        if (
            tag.name in _CHROME_TAGS
            or role in _CHROME_ROLES
            or (any(_CHROME_NAMES.fullmatch(t) for t in tokens) and not _holds_content(tag))
        ):
            doomed.append(tag)
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()


def _holds_content(tag: Tag) -> bool:
    """A wrapper named like furniture that holds the page itself (a main, article or h1)."""
    return tag.find(["main", "article", "h1"]) is not None


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]  # type: ignore[attr-defined]


def _main_content(soup: BeautifulSoup) -> Tag:
    """`<main>` (or role=main), else the single `<article>`, else the body."""
    main = soup.find("main") or soup.find(True, attrs={"role": "main"})
    if main is not None:
        return main
    articles = soup.find_all("article")
    if len(articles) == 1:
        return articles[0]
    return soup.body or soup
