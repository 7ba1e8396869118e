from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.settings import get_settings

runner = CliRunner()


def test_search_before_ingest_says_how_to_build_the_index(env: Path) -> None:
    result = runner.invoke(app, ["search", "grease"])
    assert result.exit_code == 1
    assert "No search index" in result.output and "plant ingest" in result.output
    assert "Traceback" not in result.output


def test_ingest_then_search_json(env: Path) -> None:
    result = runner.invoke(app, ["ingest", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["added"]) == 4 and report["failed"] == []

    result = runner.invoke(app, ["search", "alarm H-310", "--json", "--k", "2"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["query"] == "alarm H-310"
    first = payload["results"][0]
    assert set(first) == {"rank", "score", "source", "section", "page", "chunk_id", "text"}
    assert first["source"] == "press.pdf" and first["page"] == 1 and first["rank"] == 1


def test_search_filters_and_bad_mode(env: Path) -> None:
    runner.invoke(app, ["ingest"])
    result = runner.invoke(app, ["search", "months", "--doc-type", "customer_service", "--json"])
    assert {r["source"] for r in json.loads(result.stdout)["results"]} == {"warranty.docx"}
    result = runner.invoke(app, ["search", "x", "--mode", "fuzzy"])
    assert result.exit_code == 1 and "Unknown mode 'fuzzy'" in result.output


def test_interactive_search_reads_until_empty_line(env: Path) -> None:
    runner.invoke(app, ["ingest"])
    result = runner.invoke(app, ["search"], input="hot meals\n\n")
    assert result.exit_code == 0
    assert "Canteen" in result.output


def test_ingest_reports_bad_files_and_missing_paths(env: Path, corpus: Path) -> None:
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 nope")
    result = runner.invoke(app, ["ingest"])
    assert result.exit_code == 0
    assert "Skipped" in result.output and "broken.pdf" in result.output
    result = runner.invoke(app, ["ingest", str(env / "nowhere")])
    assert result.exit_code == 1 and "Not found" in result.output


def test_eval_retrieval_json(env: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["ingest"])
    qa = tmp_path / "qa.jsonl"
    rows = [
        {
            "id": "1",
            "question": "what does H-310 mean",
            "gold_source": "press.pdf",
            "gold_section": "Alarm codes",
        },
        {
            "id": "2",
            "question": "warranty for pump housings",
            "gold_source": "warranty.docx",
            "gold_section": "Warranty periods",
        },
    ]
    qa.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["eval", "retrieval", "--file", str(qa), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["n"] == 2
    assert set(payload["modes"]) == {"dense", "bm25", "hybrid"}
    assert set(payload["modes"]["hybrid"]) == {"recall@1", "recall@5", "mrr@10"}
    assert payload["modes"]["hybrid"]["recall@5"] == 1.0


def test_ask_json_and_file(env: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["ingest"])
    result = runner.invoke(app, ["ask", "what does alarm H-310 mean", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert {"question", "answer", "abstained", "intent", "citations", "timings"} <= set(payload)
    assert payload["citations"][0]["source"] == "press.pdf"
    assert set(payload["citations"][0]) == {"n", "source", "section", "page", "text", "score"}
    questions = tmp_path / "q.txt"
    questions.write_text("when is hot food served\n\nwho won the 1966 world cup\n", "utf-8")
    result = runner.invoke(app, ["ask", "--file", str(questions), "--json"])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["abstained"] for r in rows] == [False, True]
    assert rows[0]["abstain_reason"] is None and rows[1]["abstain_reason"] is not None


def test_ask_needs_exactly_one_input(env: Path) -> None:
    result = runner.invoke(app, ["ask"])
    assert result.exit_code == 1 and "either a question or --file" in result.output
    runner.invoke(app, ["ingest"])
    result = runner.invoke(app, ["ask", "   "])
    assert result.exit_code == 1 and "Please type a question" in result.output


def test_eval_answers_json(env: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["ingest"])
    qa = tmp_path / "answers.jsonl"
    rows = [
        {
            "id": "a1",
            "question": "what does alarm H-310 mean",
            "answerable": True,
            "gold_source": "press.pdf",
            "key_facts": ["H-310"],
        },
        {"id": "u1", "question": "who won the 1966 football world cup", "answerable": False},
    ]
    qa.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["eval", "answers", "--file", str(qa), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {
        "backend",
        "n_answerable",
        "n_unanswerable",
        "key_fact_accuracy",
        "citation_correctness",
        "abstention_precision",
        "abstention_recall",
        "ttft_p50_s",
        "total_p50_s",
        "total_p95_s",
    }
    assert payload["n_answerable"] == 1 and payload["key_fact_accuracy"] == 1.0
    assert payload["abstention_recall"] == 1.0


def test_calibrate_fits_on_the_development_sets_and_the_chain_uses_the_model(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.answering.answerability import AnswerabilityModel
    from assistant.wiring import make_chain

    eval_dir = tmp_path / "eval"
    eval_dir.mkdir()
    answerable = [
        ("what does alarm H-310 mean", "press.pdf", "Alarm codes"),
        ("how often are the slide gibs greased", "press.pdf", "Lubrication"),
        ("when is hot food served", "canteen.md", "Opening hours"),
        ("how long is the warranty on valve bodies", "warranty.docx", "Warranty periods"),
        ("when are ear defenders mandatory", "ppe.html", "Hearing protection"),
    ]
    rows = [
        {"id": f"r{i}", "question": q, "gold_source": src, "gold_section": sec}
        for i, (q, src, sec) in enumerate(answerable)
    ]
    (eval_dir / "retrieval_qa.jsonl").write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    unanswerable = ["who won the 1966 world cup", "what is the capital of Peru", "dog food"]
    dev = [{"id": f"d{i}", "question": q, "answerable": False} for i, q in enumerate(unanswerable)]
    (eval_dir / "unanswerable_dev.jsonl").write_text("\n".join(json.dumps(r) for r in dev), "utf-8")
    chatty = [  # asked as users ask, with the scene set: one of each kind
        {"id": "c1", "question": "press stopped on me - what does H-310 mean?", "answerable": True},
        {"id": "c2", "question": "on my break, who won the match?", "answerable": False},
    ]
    (eval_dir / "conversational_dev.jsonl").write_text("\n".join(json.dumps(r) for r in chatty))
    # a second corpus: real documents over their own index, with questions of both kinds
    real = tmp_path / "real-docs"
    real.mkdir()
    (real / "drive.md").write_text("# Drive\n\n## Inputs\n\nThe analog input takes 0-10 V.\n")
    real_qa = [
        {"id": "q1", "question": "what range does the analog input take", "answerable": True},
        {"id": "q2", "question": "what does the drive weigh", "answerable": False},
    ]
    (eval_dir / "real_docs_qa.jsonl").write_text("\n".join(json.dumps(r) for r in real_qa))
    monkeypatch.setenv("PLANT_EVAL_DIR", str(eval_dir))
    monkeypatch.setenv("PLANT_REAL_DOCS_DIR", str(real))
    get_settings.cache_clear()
    runner.invoke(app, ["ingest"])
    plant_only = runner.invoke(app, ["calibrate", "--json"])
    assert AnswerabilityModel.model_validate_json(plant_only.stdout).fitted_on == {
        "answerable": 6,
        "unanswerable": 4,
    }
    result = runner.invoke(app, ["calibrate", "--real-docs", "--json"])
    assert result.exit_code == 0, result.output
    fitted = AnswerabilityModel.model_validate_json(result.stdout)
    assert fitted.fitted_on == {"answerable": 7, "unanswerable": 5}
    assert (get_settings().data_dir / "eval" / "real-docs" / "index").is_dir()
    assert {"cv_abstention_precision", "cv_abstention_recall"} <= set(fitted.development)
    settings = get_settings()
    assert AnswerabilityModel.load(settings.answerability_path) == fitted
    assert make_chain(settings).answerability == fitted  # the fitted model wins over the shipped
    monkeypatch.setenv("PLANT_ABSTENTION", "threshold")
    get_settings.cache_clear()
    assert make_chain(get_settings()).answerability is None


def test_ask_routes_and_feedback_is_stored_for_retraining(env: Path) -> None:
    from assistant.cli.intent import _export_corrections

    runner.invoke(app, ["ingest"])
    result = runner.invoke(app, ["ask", "what does alarm H-310 mean", "--json"])
    payload = json.loads(result.stdout)
    assert payload["intent"] == "manual_question" and payload["message_id"]
    forced = runner.invoke(app, ["ask", "hello", "--intent", "smalltalk", "--json"])
    assert json.loads(forced.stdout)["answer"].startswith("Hello")
    bad = runner.invoke(app, ["ask", "hello", "--intent", "weather"])
    assert bad.exit_code == 1 and "Unknown intent 'weather'" in bad.output

    result = runner.invoke(app, ["feedback", "intent", payload["message_id"], "onboarding"])
    assert result.exit_code == 0, result.output
    assert "manual_question -> onboarding" in result.output
    missing = runner.invoke(app, ["feedback", "intent", "no-such-id", "onboarding"])
    assert missing.exit_code == 1 and "No stored message" in missing.output
    exported = _export_corrections(env / "corrections.jsonl")
    assert [json.loads(line) for line in exported.read_text().splitlines()] == [
        {"text": "what does alarm H-310 mean", "label": "onboarding"}
    ]
