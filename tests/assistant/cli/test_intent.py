"""`plant classify` and `plant eval intent` on a tiny trained model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from finetune.intent import LABELS

pytestmark = pytest.mark.database_free  # the PostgreSQL pass leaves it out

runner = CliRunner()


@pytest.fixture
def env(data_dir_env: Path) -> Path:
    """A data directory of its own (`conftest.data_dir_env`)."""
    return data_dir_env


@pytest.fixture
def with_model(env: Path, tiny_intent_model: Path) -> Path:
    shutil.copytree(tiny_intent_model, env / "data" / "models" / "intent")
    return env


def test_classify_without_a_model_says_how_to_train(env: Path) -> None:
    result = runner.invoke(app, ["classify", "hello"])
    assert result.exit_code == 1 and "plant train intent" in result.output
    assert "Traceback" not in result.output


def test_classify_json_for_a_text_and_a_file(with_model: Path) -> None:
    result = runner.invoke(app, ["classify", "is OD-12 in control?", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"text", "intent", "confidence", "top"}
    assert payload["intent"] in LABELS and len(payload["top"]) == 3
    lines = with_model / "texts.txt"
    lines.write_text('hello\n\n{"text": "will M1-02 fail"}\n🙂\n', encoding="utf-8")
    result = runner.invoke(app, ["classify", "--file", str(lines), "--json"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["hello", "will M1-02 fail", "🙂"]
    assert rows[2]["intent"] == "out_of_scope"


def test_classify_file_with_a_bad_jsonl_line_names_it(with_model: Path) -> None:
    bad = with_model / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{"txt": "missing"}\n', encoding="utf-8")
    result = runner.invoke(app, ["classify", "--file", str(bad)])
    assert result.exit_code == 1 and "line 2" in result.output


def test_eval_intent_json(with_model: Path) -> None:
    test_file = with_model / "t.jsonl"
    test_file.write_text(
        "\n".join(json.dumps({"text": f"text {label}", "label": label}) for label in LABELS)
    )
    result = runner.invoke(app, ["eval", "intent", "--file", str(test_file), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"n", "accuracy", "macro_f1", "per_label"} and payload["n"] == 8
    assert set(payload["per_label"][LABELS[0]]) == {"precision", "recall", "f1"}
