"""Train the learned half of the passage guard: does a sentence speak to an AI assistant?

Shaped like the transformers example scripts: one dataclass of arguments from flags or one
JSON file, a seed, cross-validated metrics, the model and its metrics in one small file.
Steps:

1. read the labelled sentences (`finetune/data/injection/sentences.jsonl`, injection or
   benign) and every sentence of the plant's own documents (`benign_text_dirs`: the sample
   corpus and, where present, the real documents in ../shared/real-docs, read in place), which
   count as further harmless text;
2. features: TF-IDF of character 3-5-grams inside words and/or the normalised MiniLM sentence
   embedding; one logistic regression (classes balanced) on both;
3. per candidate penalty C, out-of-fold probabilities: the labelled sentences in stratified
   folds, the documents' sentences grouped by document (a manual's sentences are never scored
   by a model that saw that manual);
4. the threshold: the lowest at which no more than `max_document_fp_share` of the documents'
   sentences and `max_corpus_fp_share` of the benign labelled sentences are flagged out of
   fold; the C with the best out-of-fold recall there wins;
5. fit on everything, save `assistant/answering/injection_detector.json` (weights, intercept,
   threshold, embedder name, n-gram vocabulary, metrics, the corpus's sha256).

The hold-out sentences in `knowledge/eval/injection/` are never read here.

Example:
    python -m finetune.injection_detector
    python -m finetune.injection_detector --features char --output_file /tmp/detector.json
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from finetune.arguments import parse_arguments
from finetune.text_classification import BUNDLED_MODEL, jsonl_objects, resolve_model

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path(__file__).parent / "data" / "injection"
DEFAULT_OUTPUT = ROOT / "assistant" / "answering" / "injection_detector.json"
LABELS = ("benign", "injection")
LANGS = ("en", "de", "fr", "es", "it")
NGRAM_RANGE = (3, 5)
# the passage guard's sentence split (assistant/answering/passage_guard.py)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[:;])\s+(?=[A-Z])")


@dataclass
class InjectionDetectorArguments:
    output_file: str = field(default=str(DEFAULT_OUTPUT), metadata={"help": "The model file."})
    corpus_file: str = field(default=str(DATA_DIR / "sentences.jsonl"))
    benign_text_dirs: str = field(
        default="knowledge/src,knowledge/corpus,../shared/real-docs",
        metadata={"help": "Comma-separated folders of documents taken as harmless text "
                  "(relative to the repository root; missing ones are skipped)."},
    )  # fmt: skip
    model_name_or_path: str = field(
        default=BUNDLED_MODEL, metadata={"help": "Sentence embedder; the bundled MiniLM."}
    )
    features: str = field(default="both", metadata={"help": "char, embedding or both."})
    c_values: str = field(default="4,16", metadata={"help": "Candidate penalties C."})
    folds: int = field(default=5)
    max_document_fp_share: float = field(default=0.001)
    max_corpus_fp_share: float = field(default=0.05)
    max_char_features: int = field(default=20_000)
    seed: int = field(default=0)


def read_sentences(path: str | Path) -> list[dict[str, str]]:
    """JSONL lines `{"text", "label", "lang"}`; a bad line raises ValueError naming it."""
    rows = []
    for number, row in jsonl_objects(path):
        try:
            text, label, lang = str(row["text"]), str(row["label"]), str(row.get("lang", "en"))
        except KeyError as exc:
            raise ValueError(
                f"{path}, line {number}: expected {{'text', 'label'}} ({exc})"
            ) from exc
        if label not in LABELS or lang not in LANGS or not text.strip():
            raise ValueError(f"{path}, line {number}: bad label, language or empty text")
        rows.append({"text": text, "label": label, "lang": lang})
    return rows


def split_sentences(text: str) -> list[str]:
    """A document's sentences as the passage guard sees them: per line or table cell."""
    found = []
    for line in text.split("\n"):
        for run in line.split("|") if line.lstrip().startswith("|") else [line]:
            found += [s.strip() for s in _SENTENCE.split(run) if re.search(r"[^\W\d_]{2}", s)]
    return found


def document_sentences(dirs: list[Path]) -> tuple[list[str], list[int]]:
    """Unique sentences of every loadable document in `dirs`, each with its document's number."""
    from retrieval.loaders import DocumentLoadError, LoadOptions, load_document

    seen: dict[str, int] = {}
    number = 0
    for folder in dirs:
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            if path.name.startswith(".") or path.name == "SOURCES.md":
                continue
            try:
                document = load_document(path, folder, options=LoadOptions())
            except DocumentLoadError as exc:
                log.warning("skipped %s: %s", path, exc)
                continue
            for sentence in split_sentences("\n".join(s.text for s in document.sections)):
                seen.setdefault(sentence, number)
            number += 1
    return list(seen), list(seen.values())


def char_vectorizer(max_features: int) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=NGRAM_RANGE, sublinear_tf=True, lowercase=True,
        min_df=2, max_features=max_features, dtype=np.float64,
    )  # fmt: skip


class Detector:
    """One fitted logistic regression over the chosen features."""

    def __init__(self, features: str, c: float, max_char_features: int, seed: int) -> None:
        self.features, self.c, self.seed = features, c, seed
        self.vectorizer = char_vectorizer(max_char_features) if features != "embedding" else None
        self.regression: Any = None

    def matrix(self, texts: list[str], vectors: np.ndarray, fit: bool = False) -> Any:
        """Sparse rows: the n-gram columns, then the embedding's."""
        from scipy.sparse import csr_matrix, hstack

        parts = []
        if self.vectorizer is not None:
            grams = (
                self.vectorizer.fit_transform(texts) if fit else self.vectorizer.transform(texts)
            )
            parts.append(grams)
        if self.features != "char":
            parts.append(csr_matrix(vectors))
        return hstack(parts).tocsr()

    def fit(self, texts: list[str], vectors: np.ndarray, y: np.ndarray) -> Detector:
        from sklearn.linear_model import LogisticRegression

        self.regression = LogisticRegression(
            C=self.c, max_iter=5000, class_weight="balanced", random_state=self.seed
        )
        self.regression.fit(self.matrix(texts, vectors, fit=True), y)
        return self

    def probabilities(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        if not texts:
            return np.zeros(0)
        return np.asarray(self.regression.predict_proba(self.matrix(texts, vectors))[:, 1])

    def export(self) -> dict[str, Any]:
        """The fields of `InstructionModel` (assistant/answering/instruction_model.py)."""
        grams = None
        if self.vectorizer is not None:
            vocabulary = sorted(self.vectorizer.vocabulary_, key=self.vectorizer.vocabulary_.get)
            grams = {"ngram_range": list(NGRAM_RANGE), "vocabulary": vocabulary,
                     "idf": [round(float(v), 6) for v in self.vectorizer.idf_]}  # fmt: skip
        return {
            "features": self.features,
            "char_ngrams": grams,
            "coefficients": [round(float(c), 6) for c in self.regression.coef_[0]],
            "intercept": float(self.regression.intercept_[0]),
        }


def embedding_gate(
    final: Detector, texts: list[str], vectors: np.ndarray, y: np.ndarray, threshold: float
) -> float | None:
    """How far below the threshold's log-odds the n-gram part of a sentence may fall and its
    embedding (the slow step at query time) still be computed: the widest such gap among the
    training injections the fitted model flags, plus 1. Measured on the training lines, so
    optimistic: an unseen instruction that only its embedding gives away can fall outside."""
    if final.vectorizer is None or final.features != "both":
        return None
    coefficients = final.regression.coef_[0][: len(final.vectorizer.vocabulary_)]
    z_char = final.vectorizer.transform(texts) @ coefficients + final.regression.intercept_[0]
    flagged = (final.probabilities(texts, vectors) >= threshold) & (y == 1)
    gaps = math.log(threshold / (1.0 - threshold)) - z_char[flagged]
    return round(max(float(gaps.max(initial=0.0)), 0.0) + 1.0, 3)


def out_of_fold(
    args: InjectionDetectorArguments, c: float, data: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold P(injection) of the labelled sentences and of the documents' sentences."""
    from sklearn.model_selection import StratifiedKFold

    y, texts, vectors = data["y"], data["texts"], data["vectors"]
    docs, doc_vectors, group = data["docs"], data["doc_vectors"], data["doc_fold"]
    labelled, documents = np.zeros(len(y)), np.zeros(len(docs))
    splitter = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
    for fold, (train, held_out) in enumerate(splitter.split(np.zeros(len(y)), y)):
        doc_train, doc_held = np.flatnonzero(group != fold), np.flatnonzero(group == fold)
        detector = Detector(args.features, c, args.max_char_features, args.seed).fit(
            [texts[i] for i in train] + [docs[i] for i in doc_train],
            np.vstack([vectors[train], doc_vectors[doc_train]]),
            np.concatenate([y[train], np.zeros(len(doc_train), dtype=int)]),
        )
        labelled[held_out] = detector.probabilities([texts[i] for i in held_out], vectors[held_out])
        documents[doc_held] = detector.probabilities(
            [docs[i] for i in doc_held], doc_vectors[doc_held]
        )
    return labelled, documents


def choose_threshold(
    y: np.ndarray, labelled: np.ndarray, documents: np.ndarray, args: InjectionDetectorArguments
) -> float:
    """The lowest threshold within both false-positive budgets (flagged: probability >= it)."""
    candidates = [0.5]
    for scores, share in (
        (labelled[y == 0], args.max_corpus_fp_share),
        (documents, args.max_document_fp_share),
    ):
        allowed = int(share * len(scores))
        if allowed < len(scores):
            candidates.append(float(np.sort(scores)[::-1][allowed]) + 1e-6)
    return min(max(candidates), 1.0)


def recipe_metrics(
    data: dict[str, Any], langs: list[str], labelled: np.ndarray, documents: np.ndarray, t: float
) -> dict[str, Any]:
    from sklearn.metrics import roc_auc_score

    y, flagged = data["y"], labelled >= t
    per_lang = {
        lang: round(float(flagged[(y == 1) & (np.array(langs) == lang)].mean()), 3)
        for lang in LANGS
        if np.any((y == 1) & (np.array(langs) == lang))
    }
    return {
        "threshold": t,
        "roc_auc": round(float(roc_auc_score(y, labelled)), 4) if len(set(y)) > 1 else None,
        "recall": round(float(flagged[y == 1].mean()), 4),
        "benign_flagged": int(flagged[y == 0].sum()),
        "benign_fp_rate": round(float(flagged[y == 0].mean()), 4),
        "document_sentences_flagged": int((documents >= t).sum()),
        "recall_per_language": per_lang,
        "flagged_document_sentences": [
            data["docs"][i] for i in np.argsort(-documents) if documents[i] >= t
        ],
    }


def load_data(args: InjectionDetectorArguments) -> dict[str, Any]:
    """The labelled lines, the documents' sentences with their folds, and their embeddings."""
    rows = read_sentences(args.corpus_file)
    texts = [r["text"] for r in rows]
    dirs = [ROOT / d.strip() for d in args.benign_text_dirs.split(",") if d.strip()]
    docs, doc_number = document_sentences([d for d in dirs if d.is_dir()])
    n_documents = max(doc_number, default=-1) + 1
    order = np.random.default_rng(args.seed).permutation(n_documents)
    vectors, doc_vectors = np.zeros((len(texts), 0)), np.zeros((len(docs), 0))
    if args.features != "char":
        from retrieval.embeddings import SentenceEmbedder

        embedder = SentenceEmbedder(
            resolve_model(args.model_name_or_path), device="cpu", batch_size=32
        )
        vectors, doc_vectors = embedder.encode(texts), embedder.encode(docs)
    return {
        "y": np.array([r["label"] == "injection" for r in rows], dtype=int),
        "texts": texts,
        "langs": [r["lang"] for r in rows],
        "vectors": vectors,
        "docs": docs,
        "doc_vectors": doc_vectors,
        "doc_fold": np.array([order[n] % args.folds for n in doc_number], dtype=int),
        "n_documents": int(n_documents),
    }


def cross_validate(args: InjectionDetectorArguments, data: dict[str, Any]) -> dict[str, Any]:
    """Out-of-fold metrics of every candidate C, each at its own threshold."""
    candidates: dict[str, dict[str, Any]] = {}
    for c in [float(v) for v in args.c_values.split(",")]:
        labelled, documents = out_of_fold(args, c, data)
        t = choose_threshold(data["y"], labelled, documents, args)
        candidates[f"C={c:g}"] = recipe_metrics(data, data["langs"], labelled, documents, t)
        log.info("C=%g out of fold: %s", c, candidates[f"C={c:g}"])
    return candidates


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Cross-validate, choose, fit and save; returns the metrics written into the model file."""
    args = parse_arguments(InjectionDetectorArguments, argv)
    if args.features not in ("char", "embedding", "both"):
        raise ValueError(f"features must be char, embedding or both, not {args.features!r}")
    random.seed(args.seed)
    np.random.seed(args.seed)
    started = time.perf_counter()
    data = load_data(args)
    y, texts, vectors = data["y"], data["texts"], data["vectors"]
    docs, doc_vectors = data["docs"], data["doc_vectors"]

    candidates = cross_validate(args, data)
    best = max(
        candidates, key=lambda k: (candidates[k]["recall"], -candidates[k]["benign_flagged"])
    )
    threshold = candidates[best]["threshold"]
    final = Detector(
        args.features, float(best.removeprefix("C=")), args.max_char_features, args.seed
    )
    final.fit(
        texts + docs,
        np.vstack([vectors, doc_vectors]),
        np.concatenate([y, np.zeros(len(docs), dtype=int)]),
    )
    fitted = final.probabilities(docs, doc_vectors) >= threshold  # optimistic: fitted on them
    metrics: dict[str, Any] = {
        "n_injection": int(y.sum()),
        "n_benign": int(len(y) - y.sum()),
        "n_document_sentences": len(docs),
        "n_documents": data["n_documents"],
        "chosen": best,
        "fitted_document_sentences_flagged": int(fitted.sum()),
        "cross_validation": candidates,
        "train_seconds": round(time.perf_counter() - started, 1),
        "arguments": asdict(args),
    }
    model = {
        **final.export(),
        "embedder": args.model_name_or_path if args.features != "char" else None,
        "threshold": threshold,
        "embedding_gate": embedding_gate(final, texts, vectors, y, threshold),
        "corpus_sha256": hashlib.sha256(Path(args.corpus_file).read_bytes()).hexdigest(),
        "metrics": metrics,
    }
    output = Path(args.output_file)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    log.info("injection detector (%s, %s, threshold %.4f) saved to %s", args.features, best,
             threshold, output)  # fmt: skip
    print(json.dumps({k: v for k, v in metrics.items() if k != "arguments"}, indent=2))
    return metrics


if __name__ == "__main__":
    main()
