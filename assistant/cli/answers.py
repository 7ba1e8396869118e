"""`plant ask`, `plant eval answers` and `plant calibrate`: answering and its measurement."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.common import JsonOption
from assistant.settings import get_settings

out = Console()
err = Console(stderr=True)


def _print_answer(answer: Any) -> None:
    if answer.notice:
        err.print(f"[yellow]{answer.notice}[/]", highlight=False)
    out.print(answer.text, highlight=False)
    if answer.citations:
        out.print("\n[bold]Sources[/]" + (" (closest, not an answer)" if answer.abstained else ""))
    for c in answer.citations:
        out.print(
            f"  [{c.n}] {c.title} — {c.heading} ({c.where})",
            highlight=False,
            markup=False,
        )
    if answer.intent:
        sure = f" {answer.intent_confidence:.2f}" if answer.intent_confidence is not None else ""
        note = (
            f"; or ask again with --intent {' / '.join(answer.clarify_options)}"
            if (answer.clarify_options)
            else ""
        )
        stored = f" (message {answer.message_id})" if answer.message_id else ""
        err.print(f"[dim]intent: {answer.intent}{sure}{stored}{note}[/]", highlight=False)


def ask(
    question: Annotated[str | None, typer.Argument(help="The question.")] = None,
    file: Annotated[Path | None, typer.Option("--file", help="Questions, one per line.")] = None,
    backend: Annotated[
        str | None, typer.Option(help="extractive, embedded or openai (default: settings).")
    ] = None,
    intent: Annotated[
        str | None, typer.Option(help="Skip classification and route to this intent.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Answer a message the way the chat does: classify, route, answer with numbered sources."""
    from assistant.wiring import make_router
    from tools.common.errors import PlantError
    from tools.common.intents import INTENTS

    if intent is not None and intent not in INTENTS:
        raise PlantError(f"Unknown intent '{intent}'. Choose one of: {', '.join(INTENTS)}.")

    if (question is None) == (file is None):
        raise PlantError("Give either a question or --file FILE (one question per line).")
    if file is not None:
        if not file.is_file():
            raise PlantError(f"Not found: {file}")
        questions = [q for q in file.read_text(encoding="utf-8").splitlines() if q.strip()]
    else:
        questions = [question or ""]
    router = make_router(get_settings(), backend=backend)
    for q in questions:
        try:
            answer = router.answer(q, intent=intent)
        except PlantError as exc:
            if file is None:
                raise
            print(json.dumps({"question": q, "error": str(exc)}) if as_json else f"{q}: {exc}")
            continue
        if as_json:
            print(json.dumps(answer.to_cli_json(), ensure_ascii=False))
        else:
            if len(questions) > 1:
                out.print(f"\n[bold]Q: {q}[/]", highlight=False, markup=False)
            _print_answer(answer)


def eval_answers(
    backend: Annotated[str | None, typer.Option(help="extractive, embedded or openai.")] = None,
    file: Annotated[Path | None, typer.Option(help="JSONL answer evaluation set.")] = None,
    as_json: JsonOption = False,
    sweep: Annotated[
        bool, typer.Option(help="Also show abstention metrics for a range of thresholds.")
    ] = False,
) -> None:
    """Key-fact accuracy, citation correctness, abstention precision/recall and latency."""
    from assistant.answering.evaluation import load_answer_questions, report_json, run, score
    from assistant.wiring import make_chain

    settings = get_settings()
    questions = load_answer_questions(file or settings.eval_dir / "answer_qa.jsonl")
    chain = make_chain(settings, backend=backend)
    answers = run(chain, questions, show_progress=not as_json and sys.stderr.isatty())
    report = score(chain.backend, questions, answers)
    if as_json:
        print(report_json(report))
    else:
        _print_report(report, f"Answers ({chain.backend}) on {len(questions)} questions")
    if sweep:
        for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            r = score(chain.backend, questions, answers, threshold=threshold)
            err.print(
                f"threshold {threshold:.2f}: key facts {r.key_fact_accuracy:.3f}, "
                f"abstention precision {r.abstention_precision:.3f}, "
                f"recall {r.abstention_recall:.3f}"
            )


def eval_real_docs(
    backend: Annotated[str | None, typer.Option(help="extractive, embedded or openai.")] = None,
    docs: Annotated[
        Path | None, typer.Option(help="Folder of documents (default: PLANT_REAL_DOCS_DIR).")
    ] = None,
    file: Annotated[Path | None, typer.Option(help="JSONL answer evaluation set.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest a folder of real documents into its own index and score answers on them.

    The documents are read where they are (by default ../shared/real-docs) and indexed under
    the data directory's eval/real-docs, apart from the plant's own index.
    """
    from assistant.answering.evaluation import load_answer_questions, run, score
    from tools.common.errors import PlantError

    settings = get_settings()
    folder = docs or settings.real_docs_dir
    if not folder.is_dir():
        raise PlantError(
            f"The real-documents folder {folder} does not exist; pass --docs or set "
            "PLANT_REAL_DOCS_DIR."
        )
    questions = load_answer_questions(file or settings.eval_dir / "real_docs_qa.jsonl")
    progress = not as_json and sys.stderr.isatty()
    chain, ingested = _real_docs_chain(folder, backend, progress=progress)
    answers = run(chain, questions, show_progress=progress)
    report = score(chain.backend, questions, answers)
    kinds = _by_kind(questions, answers)
    if as_json:
        data = {**report.model_dump(), "by_kind": kinds, "failures": report.failures}
        data["ingest"] = {"seconds": round(ingested.seconds, 1), "failed": ingested.failed}
        print(json.dumps(data))
        return
    _print_report(report, f"Answers ({chain.backend}) on {len(questions)} real-document questions")
    out.print("by kind: " + ", ".join(f"{k} {v:.2f}" for k, v in kinds.items()))
    out.print(f"ingest: {ingested.seconds:.1f} s, {ingested.total_chunks} chunks")
    for path, reason in ingested.failed:
        err.print(f"[yellow]Skipped[/] {path}: {reason}", highlight=False)


def _real_docs_chain(folder: Path, backend: str | None, *, progress: bool) -> tuple[Any, Any]:
    """A chain over `folder`'s documents, ingested into the data directory's eval/real-docs
    index (apart from the plant's own), and the ingest report."""
    from dataclasses import replace

    from assistant.wiring import ingest_config, make_chain, make_embedder, search_config
    from retrieval.index_store import load_snapshot
    from retrieval.ingest import ingest
    from retrieval.search import Searcher

    settings = get_settings()
    config = replace(
        ingest_config(settings), index_dir=settings.data_dir / "eval" / "real-docs" / "index"
    )
    embedder = make_embedder(settings)
    # the folder's catalogue of its documents (SOURCES.md) describes them; it is not one
    files = [p for p in sorted(folder.iterdir()) if p.is_file() and p.name != "SOURCES.md"]
    ingested = ingest(files, config, embedder, show_progress=progress)
    searcher = Searcher(load_snapshot(config.index_dir), embedder, search_config(settings))
    return make_chain(settings, backend=backend, searcher=searcher), ingested


def _by_kind(questions: Any, answers: Any) -> dict[str, float]:
    """Per question kind: the share answered right (answerable) or declined (unanswerable)."""
    from assistant.answering.evaluation import facts_present

    hits: dict[str, list[bool]] = {}
    for q, a in zip(questions, answers, strict=True):
        ok = (
            (not a.abstained and facts_present(a.text, q.key_facts))
            if q.answerable
            else a.abstained
        )
        hits.setdefault(q.kind or ("answerable" if q.answerable else "unanswerable"), []).append(ok)
    return {k: sum(v) / len(v) for k, v in sorted(hits.items())}


def _print_report(report: Any, title: str) -> None:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in report.model_dump().items():
        table.add_row(key, f"{value:.3f}" if isinstance(value, float) else str(value))
    out.print(table)
    out.print("failed: " + (", ".join(report.failures) or "none"))


def _calibration_signals(real_docs: bool, *, progress: bool) -> tuple[list[Any], list[Any]]:
    """The answerability signals of the answerable and the unanswerable development questions
    (`calibrate`)."""
    from assistant.answering.evaluation import calibration_signals, load_answer_questions
    from assistant.wiring import make_chain
    from retrieval.evaluation import RetrievalQuestion, read_jsonl

    settings = get_settings()
    answerable = read_jsonl(settings.eval_dir / "retrieval_qa.jsonl", RetrievalQuestion)
    unanswerable = load_answer_questions(settings.eval_dir / "unanswerable_dev.jsonl")
    chain = make_chain(settings, backend="extractive")
    # the way users ask, context and all: both kinds phrased alike (conversational_dev.jsonl)
    conversational = load_answer_questions(settings.eval_dir / "conversational_dev.jsonl")
    answerable_signals = calibration_signals(
        chain,
        [q.question for q in answerable] + [q.question for q in conversational if q.answerable],
        show_progress=progress,
    )
    unanswerable_signals = calibration_signals(
        chain,
        [q.question for q in [*unanswerable, *conversational] if not q.answerable],
        show_progress=progress,
    )
    if real_docs and settings.real_docs_dir.is_dir():
        real_chain, _ = _real_docs_chain(settings.real_docs_dir, "extractive", progress=progress)
        real = load_answer_questions(settings.eval_dir / "real_docs_qa.jsonl")
        answerable_signals += calibration_signals(
            real_chain, [q.question for q in real if q.answerable], show_progress=progress
        )
        unanswerable_signals += calibration_signals(
            real_chain, [q.question for q in real if not q.answerable], show_progress=progress
        )
    elif real_docs:
        err.print(
            f"[yellow]No real documents at {settings.real_docs_dir}:[/] fitted on the plant's "
            "questions only.",
            highlight=False,
        )
    return answerable_signals, unanswerable_signals


def calibrate(
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Where to write the model (default: data dir).")
    ] = None,
    real_docs: Annotated[
        bool,
        typer.Option(
            help="Also fit on the real-documents questions over their own index "
            "(skipped with a note when PLANT_REAL_DOCS_DIR is absent)."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Fit the answerability model that decides when to abstain.

    Answerable: the retrieval evaluation questions; unanswerable: unanswerable_dev.jsonl;
    both kinds asked the way users ask, the scene set first: conversational_dev.jsonl;
    with `--real-docs`, also the real-documents development questions of both kinds over
    their own index (measured: one more right decline on unseen documents, two fewer on the
    near-miss development set, so the shipped model is fitted without them). The answer
    evaluation sets are not used, so `plant eval answers` stays a held-out test.
    """
    from assistant.answering.answerability import cross_validate, fit

    settings = get_settings()
    progress = not as_json and sys.stderr.isatty()
    answerable_signals, unanswerable_signals = _calibration_signals(real_docs, progress=progress)
    model = fit(answerable_signals, unanswerable_signals)
    model.development.update(cross_validate(answerable_signals, unanswerable_signals))
    target = out_path or settings.answerability_path
    model.save(target)
    if as_json:
        print(json.dumps(model.model_dump()))
        return
    out.print(f"Answerability model written to {target}")
    development = model.development
    line = (
        f"threshold {model.threshold:.3f}; on the development set: abstention precision "
        f"{development['abstention_precision']:.3f}, recall "
        f"{development['abstention_recall']:.3f}"
    )
    if "cv_abstention_recall" in development:
        line += (
            f"; nested 5-fold cross-validation: precision "
            f"{development['cv_abstention_precision']:.3f}, "
            f"recall {development['cv_abstention_recall']:.3f}"
        )
    out.print(line)
