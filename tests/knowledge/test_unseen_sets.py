"""The unseen-documents sets: well formed, and every key fact stands in its gold document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

UNSEEN = Path(__file__).resolve().parents[2] / "knowledge" / "eval" / "unseen"


@pytest.mark.parametrize("name", ["set6", "set7"])
def test_each_set_has_five_documents_and_forty_questions_with_their_facts(name: str) -> None:
    docs = UNSEEN / name / "docs"
    lines = (UNSEEN / name / "qa.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines]
    assert len({p.name for p in docs.iterdir()}) == 5
    assert len(questions) == 40 and len({q["id"] for q in questions}) == 40
    answerable = [q for q in questions if q["answerable"]]
    assert len(answerable) == 25
    for q in answerable:
        text = (docs / q["gold_source"]).read_text(encoding="utf-8")
        missing = [fact for fact in q["key_facts"] if fact not in text]
        assert q["key_facts"] and not missing, (q["id"], missing)
    for q in questions:
        if not q["answerable"]:
            assert q["gold_source"] is None and q["key_facts"] == []
            assert q["kind"] in {"near_miss", "absent"}
