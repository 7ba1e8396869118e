"""The answerability model: fitting, thresholds, persistence, signals on a real index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.answering.answerability import (
    DEFAULT_MODEL_PATH,
    AnswerabilityModel,
    AnswerabilitySignals,
    cross_validate,
    fit,
    signals,
    token_coverage,
)
from assistant.answering.chain import RagChain
from assistant.answering.extractive import passage_units
from retrieval.embeddings import SentenceEmbedder
from retrieval.index_store import load_snapshot
from retrieval.ingest import IngestConfig, ingest
from retrieval.search import Searcher
from tests.conftest import search_config


def _signals(rng: np.random.Generator, answerable: bool) -> AnswerabilitySignals:
    base = 0.6 if answerable else 0.3
    return AnswerabilitySignals(
        dense_score=base + rng.normal(0, 0.08),
        passage_coverage=(0.9 if answerable else 0.4) + rng.normal(0, 0.1),
        unknown_share=0.0 if answerable else float(rng.uniform(0, 0.5)),
        unknown_code=0.0,
        sentence_similarity=base + rng.normal(0, 0.08),
        sentence_coverage=(0.7 if answerable else 0.3) + rng.normal(0, 0.1),
        token_coverage=(0.8 if answerable else 0.6) + rng.normal(0, 0.05),
        answer_type_missing=0.0 if answerable else float(rng.uniform() < 0.3),
        live_figures=0.0,
    )


def _flat(level: float, coverage: float) -> AnswerabilitySignals:
    """Signals where every similarity is `level` and every coverage `coverage`."""
    return AnswerabilitySignals(level, coverage, 0.0, 0.0, level, coverage, level, 0.0, 0.0)


@pytest.fixture(scope="module")
def model() -> AnswerabilityModel:
    rng = np.random.default_rng(0)
    return fit([_signals(rng, True) for _ in range(200)], [_signals(rng, False) for _ in range(50)])


def test_fit_separates_and_picks_the_threshold_for_the_precision_target(
    model: AnswerabilityModel,
) -> None:
    assert model.development["abstention_precision"] >= 0.9
    assert model.development["abstention_recall"] >= 0.8
    assert model.fitted_on == {"answerable": 200, "unanswerable": 50}
    rng = np.random.default_rng(1)
    fresh_bad = [model.abstains(_signals(rng, False)) for _ in range(100)]
    fresh_good = [model.abstains(_signals(rng, True)) for _ in range(100)]
    assert sum(fresh_bad) >= 80 and sum(fresh_good) <= 20


def test_probability_falls_as_the_passages_match_better(model: AnswerabilityModel) -> None:
    weak = _flat(0.3, 0.3)
    strong = _flat(0.7, 1.0)
    assert model.probability(weak) > model.threshold > model.probability(strong)


def test_save_load_round_trip_and_signal_mismatch(
    model: AnswerabilityModel, tmp_path: Path
) -> None:
    path = tmp_path / "models" / "answerability.json"
    model.save(path)
    assert AnswerabilityModel.load(path) == model
    stale = model.model_copy(update={"features": ["dense_score"]})
    with pytest.raises(ValueError, match="plant calibrate"):
        stale.probability(_flat(0.5, 0.5))


def test_without_a_threshold_reaching_the_precision_target_f1_decides() -> None:
    same = _flat(0.5, 0.5)  # nothing tells them apart
    model = fit([same] * 60, [same] * 60)
    assert model.development == {"abstention_precision": 0.5, "abstention_recall": 1.0}


def test_the_threshold_comes_from_held_out_probabilities() -> None:
    """Noise the model can fit but not generalise: in-sample it would look separable."""
    rng = np.random.default_rng(2)

    def noisy(answerable: bool) -> AnswerabilitySignals:
        shift = 0.03 if answerable else 0.0  # a faint real difference under much noise
        values = rng.uniform(0, 1, 9) + shift
        values[[3, 7, 8]] = 0.0
        return AnswerabilitySignals(*values)

    model = fit([noisy(True) for _ in range(60)], [noisy(False) for _ in range(20)])
    # out of fold nothing reaches 0.9 precision, so F1 decides and says how little it gets
    assert model.development["abstention_precision"] < 0.9


def test_cross_validation_repeats_the_whole_recipe() -> None:
    rng = np.random.default_rng(3)
    good = [_signals(rng, True) for _ in range(100)]
    bad = [_signals(rng, False) for _ in range(40)]
    separable = cross_validate(good, bad)
    assert separable["cv_abstention_recall"] >= 0.8
    assert separable["cv_abstention_precision"] >= 0.85
    shuffled = cross_validate(good[:40] + bad[:20], good[40:80] + bad[20:])  # labels mixed up
    assert shuffled["cv_abstention_recall"] < separable["cv_abstention_recall"]


def test_fit_needs_both_classes() -> None:
    with pytest.raises(ValueError, match="answerable and unanswerable"):
        fit([_flat(0.5, 0.5)], [])


def test_the_shipped_model_matches_the_signals() -> None:
    shipped = AnswerabilityModel.load(DEFAULT_MODEL_PATH)
    assert shipped.features == AnswerabilitySignals.names()
    assert 0.0 < shipped.threshold < 1.0


@pytest.fixture
def searcher(corpus: Path, ingest_config: IngestConfig, embedder: SentenceEmbedder) -> Searcher:
    ingest([corpus], ingest_config, embedder)
    return Searcher(load_snapshot(ingest_config.index_dir), embedder, search_config())


def test_signals_on_a_real_index(searcher: Searcher) -> None:
    def measure(question: str) -> AnswerabilitySignals:
        citations, best = RagChain(searcher).retrieve(question)
        return signals(searcher, question, citations, best)

    known = measure("what does press alarm H-310 mean")
    unknown = measure("can I bring my dog and my parrot")
    assert known.passage_coverage > 0.8 and known.unknown_share == 0.0
    assert known.dense_score > unknown.dense_score
    assert unknown.unknown_share > 0.0 and unknown.passage_coverage < known.passage_coverage
    assert measure("what is alarm Z-999").unknown_code == 1.0
    voltage = measure("what supply voltage does the P-100 press need")  # never said
    grease = measure("how much grease goes on the P-100 slide gibs")
    assert voltage.answer_type_missing == 1.0 and grease.answer_type_missing == 0.0
    # a caller that ran the test already hands its result over instead of a second run
    citations, best = RagChain(searcher).retrieve("what supply voltage does the P-100 press need")
    told = signals(searcher, "what supply voltage does the P-100 press need", citations, best,
                   type_missing=False)  # fmt: skip
    assert told.answer_type_missing == 0.0 and told.passage_coverage == voltage.passage_coverage
    assert grease.token_coverage > voltage.token_coverage
    assert measure("how often did alarm H-310 trip last week").live_figures == 1.0
    assert known.live_figures == 0.0


def test_token_coverage_matches_each_question_word_in_context(searcher: Searcher) -> None:
    embedder, bm25 = searcher.embedder, searcher.bm25
    passage = "Grease the slide gibs every 40 hours with 5 g of EP-2 grease."
    same, other, typo, unrelated, stop_words_only = embedder.token_vectors(
        [
            "how often are the slide gibs greased",
            "what colour is the slide guard door",
            "how often are the slide gibs greesed",
            "canteen lunch menu",
            "what is it",
        ]
    )
    [passage_vectors] = embedder.token_vectors([passage])
    score = {
        name: token_coverage(bm25, vectors, [passage_vectors])
        for name, vectors in [("same", same), ("other", other), ("unrelated", unrelated)]
    }
    assert score["same"] > score["other"] > score["unrelated"]
    assert token_coverage(bm25, stop_words_only, [passage_vectors]) == 1.0
    assert token_coverage(bm25, same, []) == 0.0
    assert token_coverage(bm25, typo, [passage_vectors]) < score["same"]


def test_the_chain_abstains_when_the_model_says_so(
    searcher: Searcher, model: AnswerabilityModel
) -> None:
    question = "how much grease goes on the slide gibs"
    always = model.model_copy(update={"threshold": 0.0})
    never = model.model_copy(update={"threshold": 1.0})
    declined = RagChain(searcher, answerability=always).invoke(question)
    assert declined.abstained and declined.abstain_reason == "not_answerable"
    assert declined.unanswerable_probability is not None and declined.citations
    answered = RagChain(searcher, answerability=never).invoke(question)
    assert not answered.abstained and "gibs" in answered.text
    # a code a table of codes lists is answered, whatever the model says of the wording
    alarm = RagChain(searcher, answerability=always).invoke("press keeps throwing H-310, help")
    assert not alarm.abstained and "| H-310 |" in alarm.text


def test_signals_reuse_the_question_s_vectors(searcher: Searcher) -> None:
    question = "how much grease goes on the P-100 slide gibs"
    found = RagChain(searcher).lookup(question)
    before = searcher.embedder.texts_embedded
    shared = signals(searcher, question, found.citations, found.best_dense, vectors=found.vectors)
    units = {u for c in found.citations for u in passage_units(c.text)}
    # the query's vector came with the retrieval: only the sentences, and the token vectors
    # of the question and the passages, are new
    assert searcher.embedder.texts_embedded - before == len(units) + 1 + len(found.citations)
    assert all(u in found.vectors for u in units)
    alone = signals(searcher, question, found.citations, found.best_dense)
    for name in AnswerabilitySignals.names():
        assert getattr(shared, name) == pytest.approx(getattr(alone, name), abs=1e-5)


def test_a_scene_set_around_the_question_does_not_dilute_its_match(searcher: Searcher) -> None:
    asked = "how much grease goes on the P-100 slide gibs"
    chatty = f"night shift again and the canteen is shut, boss is away - {asked}"
    citations, best = RagChain(searcher).retrieve(asked)
    plain = signals(searcher, asked, citations, best)
    scene = signals(searcher, chatty, citations, best)
    for name in ("passage_coverage", "sentence_similarity", "sentence_coverage", "token_coverage"):
        assert getattr(scene, name) == pytest.approx(getattr(plain, name), abs=1e-4), name
    # the whole message, scene and all, matches the passages less well than its asking clause
    whole, *passages = searcher.embedder.token_vectors(
        [chatty, *(f"{c.title} {c.section}\n{c.text}" for c in citations)]
    )
    assert token_coverage(searcher.bm25, whole, passages) < plain.token_coverage - 0.05
