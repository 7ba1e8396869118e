"""The ticket evaluation sets: well-formed, key facts verbatim in their sources, and kept apart
from each other and from the triage training tickets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from finetune.tickets import CATEGORIES, DATA_DIR, URGENCIES

ROOT = Path(__file__).parents[2]
SETS = ROOT / "knowledge" / "eval" / "tickets"
SOURCES = ROOT / "knowledge" / "src"


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _grams(text: str, n: int) -> set[tuple[str, ...]]:
    words = _words(text)
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@pytest.mark.parametrize(("name", "size"), [("tickets_dev.jsonl", 80), ("tickets_test.jsonl", 70)])
def test_each_ticket_is_labelled_and_its_key_facts_are_in_its_sources(name: str, size: int) -> None:
    rows = _rows(SETS / name)
    assert len(rows) == size and len({r["id"] for r in rows}) == size
    for row in rows:
        assert row["category"] in CATEGORIES and row["urgency"] in URGENCIES, row["id"]
        assert str(row["body"]).strip() and row["must_not_promise"], row["id"]
        texts = " ".join(
            " ".join((SOURCES / str(s)).read_text("utf-8").lower().split())
            for s in row["sources"]  # type: ignore[attr-defined]
        )
        for fact in row["key_facts"]:  # type: ignore[attr-defined]
            assert " ".join(str(fact).lower().split()) in texts, (row["id"], fact)


def test_no_wording_is_shared_between_the_sets_and_the_training_tickets() -> None:
    test = [_grams(f"{r['subject']} {r['body']}", 6) for r in _rows(SETS / "tickets_test.jsonl")]
    others = _rows(SETS / "tickets_dev.jsonl") + _rows(DATA_DIR / "train.jsonl")
    for row in others:
        grams = _grams(f"{row['subject']} {row['body']}", 6)
        assert not any(grams & t for t in test), row["body"]
