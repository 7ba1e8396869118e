"""BM25 keyword search (bm25s) with a tokenizer that keeps codes and part numbers findable."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from functools import lru_cache
from typing import Any

import numpy as np

from retrieval.lexicon import UNIT_WORDS, expansion, is_common_word, specificity

# Words, numbers and hyphen/dot/slash compounds such as E-214, KP-4471-B, 12.5, ISO/TS.
_TOKEN = re.compile(r"[a-z0-9]+(?:[-./][a-z0-9]+)*")
_SPLIT = re.compile(r"[-./]")
_WORD = re.compile(r"\b[A-Za-z]+\b")
# Product, part and alarm codes: KV-25, PH-70, E-999, KP-4471 (letters, optional dash, digits).
_CODE = re.compile(r"\b[A-Za-z]{1,4}-?\d{2,5}[A-Za-z]?\b")
# Part numbers of several segments: SK-PH55 is not PH-55, KP-4471-B not KP-4471.
_COMPOUND_CODE = re.compile(r"\b[A-Za-z]{1,4}\d*(?:-[A-Za-z0-9]+)+\b")
# A standard by its number: "ISO 45001", "EN ISO 13849-1", "IEC 60204".
_STANDARD = re.compile(
    r"\b(?:ISO|IEC|EN|DIN|ANSI|ASTM|ASME|NFPA|SAE|BS|UL|CSA|VDI|VDE)"
    r"(?:[ /](?:ISO|IEC|EN|TS|TR))*[ ]?(\d{3,6})\b"
)
# A code in the plural: "the KV-20s", "two PH-40s" (a lower-case s straight after its number)
_PLURAL_CODE = re.compile(r"\b([A-Za-z][A-Za-z0-9]*(?:[-./][A-Za-z0-9]+)*\d)s\b")
_STOPWORDS = frozenset(
    """a an and are as at be been but by can could do does did for from had has have how i if
    in into is it its me my no not of on or our should so than that the their them then
    there these they this to up was we were what when where which while who why will with
    would you your please hi hello thanks""".split()
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return str(_stemmer().stemWord(word))


def singular_codes(text: str) -> str:
    """`text` with codes in the plural written in the singular: users write "the KV-20s",
    documents "KV-20". A capital S is part of a code ("TX-200S"), and a decade has no letters.

    Example:
        >>> singular_codes("loading KV-20s and two M1-03s, not the 1990s or a TX-200S")
        'loading KV-20 and two M1-03, not the 1990s or a TX-200S'
    """
    return _PLURAL_CODE.sub(r"\1", text)


def tokenize(text: str) -> list[str]:
    """Lower-case, drop stop words, stem words; a compound like `E-214` yields `e214`, `e`, `214`.

    Example:
        >>> tokenize("Alarm E-214 on the LT-320 lathes")
        ['alarm', 'e214', 'e', '214', 'lt320', 'lt', '320', 'lath']
    """
    return [token for token, _ in tokenize_with_words(text)]


def tokenize_with_words(text: str) -> list[tuple[str, str]]:
    """`tokenize`, each token with the lower-case word it came from ("lath", "lathes")."""
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(singular_codes(text).lower()):
        token = match.group()
        parts = _SPLIT.split(token)
        if len(parts) > 1:
            tokens.append(("".join(parts), token))
            # each part as the same word alone is indexed: "non-automotive" finds "automotive"
            tokens.extend((_stem(p) if p.isalpha() else p, p) for p in parts if p not in _STOPWORDS)
        elif token not in _STOPWORDS:
            tokens.append((_stem(token) if token.isalpha() else token, token))
    return tokens


def _content_words(query: str) -> list[tuple[str, str]]:
    """The query's words of three letters or more, as (token, word); a hyphenated word is
    judged by its parts ("non-automotive": "non", "automotive"), not also as one joined
    token no text writes."""
    return [
        (t, w)
        for t, w in tokenize_with_words(query)
        if t.isalpha() and len(t) >= 3 and not _SPLIT.search(w)
    ]


class BM25Index:
    """An in-memory BM25 index over a list of texts; row i of the scores is text i."""

    def __init__(
        self,
        texts: list[str],
        *,
        k1: float = 1.2,
        b: float = 0.75,
        typo_cutoff: float = 80.0,
    ) -> None:
        import bm25s

        self.size = len(texts)
        self.typo_cutoff = typo_cutoff
        self._model = bm25s.BM25(k1=k1, b=b)
        tokenized = [tokenize(t) or ["\x00empty"] for t in texts]
        self._model.index(tokenized, show_progress=False)
        self._vocab: dict[str, int] = self._model.vocab_dict
        # Candidates for spelling correction, in a fixed order (the vocabulary's order
        # depends on string hashing, which changes from process to process).
        self._frequency = Counter(token for tokens in tokenized for token in tokens)
        self._document_frequency = Counter(t for tokens in tokenized for t in set(tokens))
        self._words = sorted(w for w in self._vocab if w.isalpha() and len(w) >= 4)
        self._corrections: dict[str, str | None] = {}
        self._texts = texts  # for the surface spellings, built on first use

    @property
    def _spellings(self) -> dict[str, str]:
        """Each stemmed term and the word the corpus most often writes for it."""
        if not hasattr(self, "_spelling_map"):
            forms: dict[str, Counter[str]] = {}
            for text in self._texts:
                for word in _WORD.findall(text.lower()):
                    forms.setdefault(_stem(word), Counter())[word] += 1
            self._spelling_map = {
                stem: min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0] for stem, c in forms.items()
            }
        return self._spelling_map

    def repair_spelling(self, text: str) -> str:
        """The text with misspelt words written as the corpus writes the nearest term.

        Example:
            >>> index.repair_spelling("hydrualic accumulator")  # doctest: +SKIP
            'hydraulic accumulator'
        """

        def repair(match: re.Match[str]) -> str:
            word = match.group()
            stem = _stem(word.lower())
            if stem in self._vocab or word.lower() in _STOPWORDS:
                return word
            term = self.correction(stem, word.lower())
            return self._spellings.get(term, word) if term else word

        return _WORD.sub(repair, text)

    def correction(self, token: str, word: str) -> str | None:
        """The corpus term a misspelt `word` (stemmed: `token`) stands for, or None.

        Only words of four letters or more that no English dictionary knows are repaired: a
        real word the corpus lacks ("maternity") is unknown, not a typo of "material". A
        shop-floor clipping ("spec", "temp") stands for its full word when the corpus has it.
        """
        full = expansion(word)
        if full is not None and _stem(full) in self._vocab:
            return _stem(full)  # "spec" is a clipping of "specification", not a typo
        if self.typo_cutoff >= 100 or not token.isalpha() or len(token) < 4:
            return None
        if is_common_word(word):
            return None
        return self.closest_term(token)

    def closest_term(self, token: str) -> str | None:
        """The corpus term nearest to an unknown word ("waranti" -> "warranti"), if close."""
        if token not in self._corrections:
            from rapidfuzz import fuzz, process

            matches = process.extract(
                token, self._words, scorer=fuzz.ratio, score_cutoff=self.typo_cutoff, limit=10
            )
            # closest first; among equally close terms the more frequent, then alphabetical
            best = min(matches, key=lambda m: (-m[1], -self._frequency[m[0]], m[0]), default=None)
            self._corrections[token] = best[0] if best else None
        return self._corrections[token]

    def query_terms(self, query: str) -> list[str]:
        """Query tokens found in the corpus, plus the nearest term for misspelt words and the
        joined term for two words the corpus writes as one."""
        terms = []
        for token, word in tokenize_with_words(query):
            if token in self._vocab:
                terms.append(token)
            elif corrected := self.correction(token, word):
                terms.append(corrected)
        return terms + [t for t in self.joined_terms(query) if t not in terms]

    def joined_terms(self, query: str) -> list[str]:
        """Corpus terms that the query writes as two words: "lock out" for "lockout", "set
        up" for "setup", "fork lift" for "forklift" (a stop word never opens one: "in to").

        Example:
            >>> index.joined_terms("how do I lock out the lathe")  # doctest: +SKIP
            ['lockout']
        """
        words = _WORD.findall(query.lower())
        joined = []
        for first, second in itertools.pairwise(words):
            if len(first) < 3 or len(second) < 2 or first in _STOPWORDS:
                continue
            term = _stem(first + second)
            # the stemmer must not eat the second word ("coolant fully" -> "coolant")
            if len(term) < len(first) + min(2, len(second)) or term in _STOPWORDS:
                continue
            if term in self._vocab and term not in joined:
                joined.append(term)
        return joined

    def idf(self, term: str) -> float:
        """Inverse document frequency (the BM25 form); a term the corpus lacks gets the most."""
        df = self._document_frequency.get(term, 0)
        return math.log((self.size - df + 0.5) / (df + 0.5) + 1.0)

    def resolve_terms(self, query: str) -> list[tuple[str, bool]]:
        """Each distinct query token as the corpus spells it, and whether the corpus has it.

        Example:
            >>> index.resolve_terms("hydrualic dog")  # doctest: +SKIP
            [('hydraul', True), ('dog', False)]
        """
        resolved: list[tuple[str, bool]] = []
        for token, word in dict(tokenize_with_words(query)).items():
            if token in self._vocab:
                resolved.append((token, True))
                continue
            corrected = self.correction(token, word)
            resolved.append((corrected, True) if corrected else (token, False))
        return resolved

    def unknown_terms(self, query: str) -> tuple[list[str], list[str], int]:
        """What the corpus never mentions: (codes like KV-25, SK-PH55 or ISO 45001, words,
        number of content words).

        A word counts as known when it, or a close spelling of it, is in the corpus; a code
        in the plural ("KV-20s") when the corpus knows it in the singular.
        """
        query = singular_codes(query)
        unknown = {
            m.span(): m.group(0)
            for m in _CODE.finditer(query)
            if _SPLIT.sub("", m.group(0).lower()) not in self._vocab
        }
        for m in _COMPOUND_CODE.finditer(query):
            code = m.group(0)
            first = _SPLIT.split(code)[0].lower()
            if not any(c.isdigit() for c in code) or (len(first) >= 3 and is_common_word(first)):
                continue  # no number ("x-ray"), or a word and a number ("line-2", "step-3")
            # a code inside a longer one ("CAL-014" of "QP-CAL-014") is judged as that one
            start, end = m.span()
            unknown = {span: c for span, c in unknown.items() if not start <= span[0] < end}
            if _SPLIT.sub("", code.lower()) not in self._vocab:
                unknown[m.span()] = code
        codes = [code for _, code in sorted(unknown.items())]
        codes += [m.group(0) for m in _STANDARD.finditer(query) if m.group(1) not in self._vocab]
        content = _content_words(query)
        words = [t for t, w in content if t not in self._vocab and not self.correction(t, w)]
        return codes, words, len(content)

    def unknown_share(self, query: str) -> float:
        """The share of the question's content words the corpus never uses, each word weighted
        by how specific it is in English (`lexicon.specificity`): a small corpus lacks many
        everyday words ("guys", "okay", "late") without lacking the question's subject. A
        unit word the corpus never spells ("deg", "psi") names how a value is written, not
        the subject, and does not count.
        """
        content = [
            (t, w)
            for t, w in _content_words(query)
            if t in self._vocab or w.lower() not in UNIT_WORDS
        ]
        weights = [max(specificity(w), 0.05) for _, w in content]
        missing = sum(
            weight
            for (t, w), weight in zip(content, weights, strict=True)
            if t not in self._vocab and not self.correction(t, w)
        )
        return missing / sum(weights) if weights else 0.0

    def scores(self, query: str, mask: np.ndarray | None = None) -> np.ndarray:
        tokens = self.query_terms(query)
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        scores = np.asarray(self._model.get_scores(tokens), dtype=np.float32)
        if mask is not None:
            scores = np.where(mask, scores, 0.0).astype(np.float32)
        return scores

    def top_k(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Best rows with a positive score, best first."""
        scores = self.scores(query, mask)
        k = min(k, self.size)
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]
