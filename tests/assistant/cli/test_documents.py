from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli.main import app

runner = CliRunner()


def test_ingest_report_json_lists_what_was_read_per_file(env: Path) -> None:
    result = runner.invoke(app, ["ingest", "--report", "--json"])
    assert result.exit_code == 0, result.output
    files = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    assert set(files) == {"canteen.md", "press.pdf", "ppe.html", "warranty.docx"}
    press = files["press.pdf"]
    assert set(press) >= {"path", "pages", "sections", "tables", "ocr_pages", "chars"}
    assert press["pages"] == 1 and press["tables"] == 1 and press["ocr_pages"] == 0
    assert press["sections"] >= 2 and press["chars"] > 100
    assert files["canteen.md"]["pages"] is None


def test_ingest_report_of_an_unchanged_run_still_lists_every_file(env: Path) -> None:
    runner.invoke(app, ["ingest"])
    result = runner.invoke(app, ["ingest", "--report", "--json"])
    payload = json.loads(result.stdout)
    assert payload["added"] == [] and payload["unchanged"] == 4
    assert len(payload["files"]) == 4


def test_ingest_report_table_and_plain_json_without_files(env: Path) -> None:
    result = runner.invoke(app, ["ingest", "--report"])
    assert result.exit_code == 0, result.output
    assert "OCR pages" in result.output and "press.pdf" in result.output
    result = runner.invoke(app, ["ingest", "--json"])
    assert "files" not in json.loads(result.stdout)


def test_a_broken_file_is_reported_and_the_rest_ingested(env: Path, corpus: Path) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    result = runner.invoke(app, ["ingest", "--report", "--json"])
    payload = json.loads(result.stdout)
    assert [f["path"] for f in payload["failed"]] == [str(corpus / "broken.pdf")]
    assert "broken.pdf" not in {f["path"] for f in payload["files"]}
    assert len(payload["files"]) == 4


def test_eval_real_docs_ingests_apart_and_scores(env: Path, corpus: Path, tmp_path: Path) -> None:
    questions = tmp_path / "qa.jsonl"
    rows = [
        {
            "id": "q1",
            "question": "what does press alarm H-310 mean",
            "answerable": True,
            "gold_source": "press.pdf",
            "key_facts": ["Hydraulic oil too hot"],
            "kind": "table",
        },
        {
            "id": "q2",
            "question": "what is the lead time for the KV-25 valve body",
            "answerable": False,
            "kind": "absent",
        },
    ]
    questions.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = runner.invoke(
        app, ["eval", "real-docs", "--docs", str(corpus), "--file", str(questions), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["key_fact_accuracy"] == 1.0 and report["abstention_recall"] == 1.0
    assert report["by_kind"] == {"absent": 1.0, "table": 1.0}
    data = tmp_path / "data"
    assert (data / "eval" / "real-docs" / "index").is_dir()
    assert not (data / "index").exists()  # the plant's own index is untouched


def test_eval_real_docs_names_a_missing_folder(env: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["eval", "real-docs", "--docs", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "nowhere does not exist" in output and "PLANT_REAL_DOCS_DIR" in output


def test_ingest_of_a_folder_without_documents_fails_naming_it(env: Path) -> None:
    empty = env / "empty"
    empty.mkdir()
    (empty / "photo.jpg").write_bytes(b"\xff\xd8")
    for target in (empty, env / "missing"):
        result = runner.invoke(app, ["ingest", str(target)])
        assert result.exit_code == 1
        unwrapped = "".join(result.output.split())  # the console wraps long paths
        assert str(target) in unwrapped and ".docx" in unwrapped
        assert "Traceback" not in result.output


def test_ingest_with_a_broken_manifest_fails_naming_the_line(env: Path, corpus: Path) -> None:
    (corpus / "manifest.json").write_text('{\n  "press.pdf": {,}\n}', encoding="utf-8")
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 1
    unwrapped = "".join(result.output.split())  # the console wraps long paths
    assert f"{corpus}/manifest.json:isnotvalidJSON:line2,column17" in unwrapped
    assert not (env / "data" / "index" / "CURRENT").exists()
