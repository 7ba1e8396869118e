"""Plain text: decoding legacy encodings, YAML front matter, and sections under headings
recognised by their look (ALL CAPS, "1. Introduction", underlined with === or ---)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from retrieval.documents import Extraction, Section
from retrieval.errors import DocumentLoadError
from retrieval.text_layout import unwrapped_lines

_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"))
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_BINARY_SNIFF = 8192  # bytes looked at for NUL bytes
_MAX_CONTROL_SHARE = 0.05  # more control characters than this and it is not text
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UNDERLINE = re.compile(r"^(?:={3,}|-{3,})\s*$")
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)[.)]?\s+(\S.*)$")
_MAX_HEADING_CHARS = 70
_MAX_HEADING_WORDS = 10
_MAX_TITLE_CHARS = 100
_SMALL_WORDS = frozenset("a an and as at by for from in of on or the to with vs".split())


def decode_text(path: Path, data: bytes) -> tuple[str, list[str]]:
    """Text with `\\n` line ends, and a note when it was not UTF-8. Tries UTF-8, then a BOM'd
    UTF-16/32, then Windows-1252, then charset-normalizer's guess; raises only for binary data."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _normalise(data.decode(codec, errors="replace")), []
    if data.startswith(_UTF16_BOMS):
        return _normalise(data.decode("utf-16", errors="replace")), []
    if b"\x00" in data[:_BINARY_SNIFF]:
        raise DocumentLoadError(path, "looks like a binary file, not text")
    notes: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows-1252 first: charset-normalizer misreads short Western texts (big5 for "60 °C")
        text, codec = _legacy_decode(data)
        notes.append(f"not UTF-8: read as {codec}")
    controls = len(_CONTROL.findall(text[: _BINARY_SNIFF * 4]))
    if controls > _MAX_CONTROL_SHARE * min(len(text), _BINARY_SNIFF * 4):
        raise DocumentLoadError(path, "looks like a binary file, not text")
    return _normalise(text), notes


def _legacy_decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None:
        return str(best), best.encoding
    return data.decode("latin-1"), "Latin-1"


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter between `---` lines at the very start, and the rest of the text."""
    import yaml

    if not text.startswith("---"):
        return {}, text
    first_end = text.find("\n")
    if first_end < 0 or text[3:first_end].strip():
        return {}, text
    close = re.compile(r"^---[ \t]*$", re.MULTILINE).search(text, first_end + 1)
    if close is None:
        return {}, text
    try:
        front = yaml.safe_load(text[first_end + 1 : close.start()]) or {}
    except yaml.YAMLError as exc:
        raise DocumentLoadError(path, f"has malformed front matter ({exc})") from exc
    if not isinstance(front, dict):
        raise DocumentLoadError(path, "front matter must be a mapping of keys to values")
    return front, text[close.end() :].lstrip("\n")


def load_text(path: Path, data: bytes) -> Extraction:
    """A plain text file as sections under the lines that look like headings."""
    text, notes = decode_text(path, data)
    front, body = split_front_matter(path, text)
    lines = body.split("\n")
    title = " ".join(str(front.get("title") or _title(lines)).split())  # a header spaced out
    lines = unwrapped_lines(lines)  # no page furniture, tables as tables, paragraphs whole
    sections = _sections(lines) or [Section(body.strip())]  # only heading-like lines
    return Extraction(sections, title, front, notes=notes)


def _title(lines: list[str]) -> str:
    """The first non-empty line when it stands alone, is short and is not a sentence."""
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        after = lines[i + 1] if i + 1 < len(lines) else ""
        alone = not after.strip() or bool(_UNDERLINE.match(after))
        stripped = line.strip()
        if alone and len(stripped) <= _MAX_TITLE_CHARS and stripped[-1] not in ".,;:":
            return stripped
        return ""
    return ""


def _sections(lines: list[str]) -> list[Section]:
    sections: list[Section] = []
    stack: list[tuple[int, str]] = []
    body: list[str] = []

    def flush() -> None:
        text = re.sub(r"\n{3,}", "\n\n", "\n".join(body)).strip()
        if text:
            sections.append(Section(text, tuple(t for _, t in stack)))
        body.clear()

    i = 0
    while i < len(lines):
        level, skip = _heading_level(lines, i)
        if level:
            flush()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, lines[i].strip()))
            i += skip
            continue
        body.append(lines[i].rstrip())
        i += 1
    flush()
    return sections


def _heading_level(lines: list[str], i: int) -> tuple[int, int]:
    """(level, lines it takes) when line i is a heading, else (0, 0)."""
    line = lines[i]
    stripped = line.strip()
    if not stripped or line[0].isspace() or len(stripped) > _MAX_HEADING_CHARS:
        return 0, 0
    after = lines[i + 1] if i + 1 < len(lines) else ""
    if _UNDERLINE.match(after) and not _UNDERLINE.match(stripped):
        return (1 if after.startswith("=") else 2), 2
    before = lines[i - 1] if i > 0 else ""
    if before.strip() or len(stripped.split()) > _MAX_HEADING_WORDS or stripped[-1] in ".,;:!?":
        return 0, 0
    if _is_all_caps(stripped):
        return 1, 1
    numbered = _NUMBERED.match(stripped)
    if numbered and numbered.group(2)[0].isupper() and not _NUMBERED.match(after.strip()):
        return numbered.group(1).count(".") + 1, 1  # "1. Introduction", not a numbered list
    then = lines[i + 2] if i + 2 < len(lines) else ""
    if not after.strip() and then.strip() and _is_title_case(stripped):
        return 1, 1
    return 0, 0


def _is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _is_title_case(text: str) -> bool:
    """ "Experimental Scenario": a short line of capitalised words standing alone."""
    words = [w for w in re.findall(r"[^\W\d_][\w'-]*", text)]
    return bool(words) and all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words)
