"""Normalized sentence-transformers embeddings behind LangChain's `Embeddings` interface."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from tools.common.device import pick_device


@dataclass(frozen=True)
class TokenVectors:
    """The contextual vector of every word piece of one text (special tokens left out).

    `words[word_of_piece[i]]` is the word piece i belongs to, as the tokenizer split the text.
    Rows of `vectors` are L2-normalized.
    """

    words: list[str]
    word_of_piece: np.ndarray  # int, one per row of `vectors`
    vectors: np.ndarray  # float32, (pieces, dimension)


CPU_BATCH = 8
GPU_BATCH = 64


class SentenceEmbedder(Embeddings):
    """Embeds text with a sentence-transformers model, loaded on first use.

    Vectors are L2-normalized, so inner product equals cosine similarity.

    Example:
        >>> emb = SentenceEmbedder("/path/to/all-MiniLM-L6-v2")  # doctest: +SKIP
        >>> emb.embed_query("reset alarm E-214").__len__()  # doctest: +SKIP
        384
    """

    def __init__(
        self, model_name_or_path: str, *, device: str = "auto", batch_size: int | None = None
    ) -> None:
        self.model_name_or_path = model_name_or_path
        self.device = device
        # small batches run fastest on a CPU (less padding and memory traffic), big ones on a GPU
        self.batch_size = batch_size or (CPU_BATCH if pick_device(device) == "cpu" else GPU_BATCH)
        self.texts_embedded = 0  # how many texts went through the model, for reports and tests
        self._model: Any = None
        # one call at a time: the Hugging Face tokenizer keeps its padding and truncation
        # settings on the shared object, so a query embedded while another thread reads token
        # vectors could be cut to the other's shape ("expected sequence of length 139")
        self._lock = threading.RLock()

    @property
    def model(self) -> Any:
        with self._lock:
            return self._loaded()

    def _loaded(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()  # a weights bar per start is noise

            self._model = SentenceTransformer(
                self.model_name_or_path, device=pick_device(self.device)
            )
        return self._model

    @property
    def dimension(self) -> int:
        model = self.model
        getter = (
            getattr(model, "get_embedding_dimension", None)
            or model.get_sentence_embedding_dimension
        )
        dim = getter()
        return int(dim) if dim is not None else len(self.embed_query("dimension probe"))

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Embed texts into a float32 array of shape (len(texts), dimension)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(
                texts,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress,
            )
            self.texts_embedded += len(texts)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def token_vectors(self, texts: list[str]) -> list[TokenVectors]:
        """Contextual word-piece vectors (the model's last layer) grouped by word.

        What token-level matching such as BERTScore compares; texts longer than the model's
        window are cut at its end.
        """
        if not texts:
            return []
        with self._lock:
            model = self.model
            outputs = model.encode(
                texts,
                batch_size=self.batch_size,
                output_value="token_embeddings",
                convert_to_numpy=False,
                show_progress_bar=False,
            )
            encoded = model.tokenizer(
                texts, truncation=True, max_length=model.max_seq_length,
                return_offsets_mapping=True,
            )  # fmt: skip
        result = []
        for i, (text, output) in enumerate(zip(texts, outputs, strict=True)):
            vectors = output.float().cpu().numpy()
            word_ids = encoded.word_ids(i)[: len(vectors)]
            offsets = encoded["offset_mapping"][i]
            keep = [j for j, w in enumerate(word_ids) if w is not None]
            spans: dict[int, tuple[int, int]] = {}  # word id -> (first char, last char + 1)
            for j in keep:
                start, end = offsets[j]
                first, _ = spans.get(word_ids[j], (start, end))
                spans[word_ids[j]] = (first, end)
            order = {w: n for n, w in enumerate(spans)}
            kept = vectors[keep]
            kept /= np.maximum(np.linalg.norm(kept, axis=1, keepdims=True), 1e-12)
            result.append(
                TokenVectors(
                    words=[text[a:b] for a, b in spans.values()],
                    word_of_piece=np.array([order[word_ids[j]] for j in keep], dtype=np.int64),
                    vectors=kept.astype(np.float32),
                )
            )
        self.texts_embedded += len(texts)
        return result

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()
