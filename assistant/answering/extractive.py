"""The extractive backend: answer by quoting the passage lines that best match the question."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from assistant.answering.asked_value import count_patterns
from assistant.answering.line_cues import (
    HAS_NUMBER,
    PERMISSION_QUESTION,
    PERSON_LINE,
    PERSON_QUESTION,
    PROCEDURE_QUESTION,
    QUANTITY_QUESTION,
    RULE_LINE,
    definition_line,
    is_term_entry,
    term_entries,
)
from assistant.answering.question_cues import (
    asked_count_nouns,
    defined_term,
    expected_answer_types,
)
from assistant.answering.retrieval_result import TextVectors
from retrieval.bm25 import tokenize
from retrieval.embeddings import SentenceEmbedder
from retrieval.lead_ins import introduces
from retrieval.tables import (
    cells,
    is_table_line,
    row_as_text,
    row_keys,
    split_blocks,
    with_header_units,
)

_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
# A full stop that closes an abbreviation, not a sentence: "Line 2: ext. 2202", "e.g. KV-16".
# Reference words ("No. 4", "Fig. 3", "Sec. 6.2") only where a number follows: "No." and "Art."
# also end sentences.
_ABBREVIATION = re.compile(
    r"\b(?:e\.g|i\.e|approx|ca|cf|vs|incl|excl|resp|dr|mr|mrs|ms|prof|tel|ext)\.$", re.I
)
_NUMBER_ABBREVIATION = re.compile(r"\b(?:no|nr|nos|fig|figs|sec|art|para|pp|vol|rev|ref)\.$", re.I)
_LIST_MARK = re.compile(r"^[-*•]\s+")  # a list item's bullet: render writes its own


@dataclass(frozen=True)
class Quote:
    """One quoted line and the number of the passage it came from."""

    n: int
    text: str
    score: float


def passage_units(text: str) -> list[str]:
    """What can be quoted from a passage: sentences and list steps, each sentence also joined
    with the next (a fact often sits in the sentence after the one naming the subject), and
    every table row together with its column names.

    Example:
        >>> passage_units("| Code | Message |\\n|---|---|\\n| E-114 | Coolant low |")
        ['Code E-114 — Message: Coolant low']
    """
    units: list[str] = []
    for block in split_blocks(text):
        if block.header is not None:
            units.extend(u for u in (row_as_text(block.header, r) for r in block.rows) if u)
            continue
        sentences = block_sentences(block.text)
        pairs = [f"{a} {b}" if len(a + b) < 300 else "" for a, b in itertools.pairwise(sentences)]
        # a sentence that introduces the next ("... display the following warning:") is
        # quoted with what it introduces, never alone nor closing a pair; a term entry alone
        # ("3.7  noise zone") is quoted with its definition only (`term_entries`)
        leads = zip(sentences, [*pairs, ""][: len(sentences)], strict=True)
        units.extend(
            s for s, pair in leads if not (pair and introduces(s)) and not is_term_entry(s)
        )
        units.extend(
            pair
            for pair, following in itertools.zip_longest(pairs, pairs[1:], fillvalue="")
            if pair and not (following and introduces(pair))
        )
        units.extend(_lists(block.text))
    return units + term_entries(text)  # "3.7  hearing protection zone: Any area ..."


def block_sentences(text: str) -> list[str]:
    """The sentences and lines of a block of prose, in order (fragments under 12 characters
    and table lines left out)."""
    return [
        u.strip()
        for line in text.splitlines()
        for u in _split_sentences(line)
        if len(u.strip()) >= 12 and not is_table_line(u)
    ]


def _split_sentences(line: str) -> list[str]:
    """One line's sentences, a full stop closing an abbreviation kept inside its sentence.

    Example:
        >>> _split_sentences("Call the shift leader (Line 2: ext. 2202). Do it early.")
        ['Call the shift leader (Line 2: ext. 2202).', 'Do it early.']
    """
    sentences: list[str] = []
    for piece in _SENTENCE_SPLIT.split(line):
        previous = sentences[-1] if sentences else ""
        if _ABBREVIATION.search(previous) or (
            _NUMBER_ABBREVIATION.search(previous) and piece[:1].isdigit()
        ):
            sentences[-1] = f"{previous} {piece}"
        else:
            sentences.append(piece)
    return sentences


def prose_sentences(text: str) -> list[str]:
    """A passage's sentences in order, or none when it holds a table (a table is quoted by
    its rows, `passage_units`)."""
    blocks = split_blocks(text)
    if any(block.header is not None for block in blocks):
        return []
    return [s for block in blocks for s in block_sentences(block.text)]


def passage_lines(text: str) -> list[str]:
    """A passage read in order, as a reader quoting it whole gives it: its sentences, and
    each table row with its column names (`row_as_text`).

    Example:
        >>> passage_lines("Terms below.\\n\\n| Item | Term |\\n|---|---|\\n| Incoterm | FCA |")
        ['Terms below.', 'Item Incoterm — Term: FCA']
    """
    lines: list[str] = []
    for block in split_blocks(text):
        if block.header is None:
            lines.extend(block_sentences(block.text))
        else:
            lines.extend(u for u in (row_as_text(block.header, r) for r in block.rows) if u)
    return lines


_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-•●▪*–]|\([a-z0-9]{1,4}\)|[a-z][.)])\s+\S")
_MAX_LIST_CHARS = 900


def _lists(text: str) -> list[str]:
    """Each run of list items with the line that introduces it ("Records are stored in:" and
    the items; a procedure and its numbered steps) as one unit: the answer to "which ..."
    or "how do I ..." is the whole list, not its first item."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    runs: list[str] = []
    i = 0
    while i < len(lines):
        if not _LIST_ITEM.match(lines[i]):
            i += 1
            continue
        j = i
        while j < len(lines) and _LIST_ITEM.match(lines[j]):
            j += 1
        lead = [lines[i - 1]] if i > 0 else []
        if i > 1 and not lines[i - 1].endswith(":") and lines[i - 2].endswith(":"):
            # "Records are stored in:" then a line of advice, then the list it introduces
            lead = lines[i - 2 : i]
        if j - i >= 2 or (lead and lead[0].endswith(":")):  # a chunk may cut a list short
            runs.append("\n".join([*lead, *lines[i:j]])[:_MAX_LIST_CHARS])
        i = j
    return runs


class ExtractiveAnswerer:
    """Scores every unit of the numbered passages against the question and quotes the best.

    Example:
        >>> answerer = ExtractiveAnswerer(embedder)  # doctest: +SKIP
        >>> answerer.answer("what does E-114 mean", {1: "E-114 | Coolant low"})  # doctest: +SKIP
        'E-114 | Coolant low [1]'
    """

    def __init__(
        self, embedder: SentenceEmbedder, *, max_quotes: int = 3, min_ratio: float = 0.8
    ) -> None:
        self.embedder = embedder
        self.max_quotes = max_quotes
        self.min_ratio = min_ratio  # keep quotes scoring at least this share of the best

    def quotes(
        self,
        question: str,
        passages: dict[int, str],
        vectors: TextVectors | None = None,
        headings: dict[int, str] | None = None,
    ) -> list[Quote]:
        """The best lines; `vectors` holds those already embedded for this question, and
        `headings` each passage's section heading (a line under "Spindle vibration
        measurement" is about spindle vibration without saying so)."""
        units = [(n, u) for n, text in passages.items() for u in passage_units(text)]
        if not units:
            return []
        if vectors is None:
            vectors = TextVectors(self.embedder)
        encoded = vectors.encode([question] + [u for _, u in units])
        rows = {
            unit: {c.lower() for c in cells(row)}
            for text in passages.values()
            for unit, (_, row) in _rows_by_text(text).items()
        }
        scores = _scores(question, units, encoded[1:] @ encoded[0], rows, headings or {})
        # a question asking for a weight, a pressure, a colour ... is answered only by a
        # line that holds a value of that kind, when any line does (the same units with
        # table cells carrying their column's unit: "20" under "(amperes)" -> "20 amperes")
        kinds = expected_answer_types(question)
        with_units = [
            u for text in passages.values() for u in passage_units(with_header_units(text))
        ]
        holds = np.array([any(k.value.search(u) for k in kinds) for u in with_units], dtype=bool)
        if kinds and holds.any():
            scores = np.where(holds, scores, -np.inf)
        chosen = self._select(units, scores, set(rows))
        # "operating temperature range and IP rating": each kind asked gets its best line
        for kind in kinds if chosen and len(kinds) > 1 else ():
            held = [i for i, u in enumerate(with_units) if kind.value.search(u)]
            if held and not any(kind.value.search(with_units[i]) for i in _indices(units, chosen)):
                best = max(held, key=lambda i: scores[i])
                chosen.append(Quote(units[best][0], units[best][1], float(scores[best])))
        return chosen

    def _select(
        self, units: list[tuple[int, str]], scores: np.ndarray, rows: set[str]
    ) -> list[Quote]:
        """The best units, skipping one that mostly repeats a chosen one (overlapping chunk
        windows); two different rows of a table never repeat each other, however alike."""
        order = np.argsort(-scores)
        best = float(scores[order[0]])
        chosen: list[Quote] = []
        chosen_tokens: list[set[str]] = []
        for i in order:
            if len(chosen) == self.max_quotes or not scores[i] >= self.min_ratio * best:
                break
            text = units[i][1]
            tokens = set(tokenize(text))
            if any(
                len(tokens & seen) > 0.5 * min(len(tokens), len(seen))
                and not (text in rows and quote.text in rows and text != quote.text)
                for quote, seen in zip(chosen, chosen_tokens, strict=True)
            ):
                continue
            chosen.append(Quote(units[i][0], text, float(scores[i])))
            chosen_tokens.append(tokens)
        return chosen

    def answer(
        self, question: str, passages: dict[int, str], vectors: TextVectors | None = None
    ) -> str:
        """Quoted lines, each ending with its citation, in the order of the passages."""
        return render(self.quotes(question, passages, vectors), passages)


def _indices(units: list[tuple[int, str]], quotes: list[Quote]) -> list[int]:
    """Where each quote stands among the units."""
    where = {unit: i for i, unit in enumerate(units)}
    return [where[(q.n, q.text)] for q in quotes if (q.n, q.text) in where]


def _scores(
    question: str,
    units: list[tuple[int, str]],
    similarity: np.ndarray,
    rows: dict[str, set[str]],
    headings: dict[int, str],
) -> np.ndarray:
    """Each unit's score: meaning, shared words (a word only its passage's heading shares
    counting half), the question's identifiers, the kind of answer asked for, weighted by
    the rank of its passage. `rows` maps the units that are table rows to their cells
    (lowercased)."""
    q_tokens = set(tokenize(question))
    heading_tokens = {n: q_tokens & set(tokenize(h)) for n, h in headings.items()}

    def shared(n: int, unit: str) -> float:
        own = q_tokens & set(tokenize(unit))
        return len(own) + 0.5 * len(heading_tokens.get(n, set()) - own)

    overlap = np.array([shared(n, u) / (len(q_tokens) or 1) for n, u in units])
    # "pin 13", "AWG 14", "G64", "0x8D": the table row whose key cell is what the question
    # names is the answer, not a neighbouring row that merely looks alike (a cell that only
    # mentions it, "Replacement housing PH-55", is no key)
    # only a name some row's cell is counts: "MQTT-SN", "OSHA" or "2.0" in a question key no row
    names = row_keys(question) & set().union(*rows.values()) if rows else set()
    named = np.array(
        [len(names & rows[u]) / len(names) if names and u in rows else 0.0 for _, u in units]
    )
    # passage rank matters: retrieval already judged the whole passage
    rank_prior = np.array([1.0 / (1 + 0.15 * (n - 1)) for n, _ in units])
    wants_number = bool(QUANTITY_QUESTION.search(question))
    number_bonus = np.array(
        [0.15 if wants_number and HAS_NUMBER.search(u) else 0.0 for _, u in units]
    )
    # "how do I ...", "what are the steps": a whole list (lead line and items) answers
    procedural = bool(PROCEDURE_QUESTION.search(question))
    list_bonus = np.array([0.15 if procedural and "\n" in u else 0.0 for _, u in units])
    person = bool(PERSON_QUESTION.search(question))
    person_bonus = np.array([0.15 if person and PERSON_LINE.search(u) else 0.0 for _, u in units])
    permission = bool(PERMISSION_QUESTION.search(question))
    rule_bonus = np.array([0.15 if permission and RULE_LINE.search(u) else 0.0 for _, u in units])
    # "how many VMC-850 machines": the line that states a number of them ("the four VMC-850
    # machines on Line 1"), before the table rows that merely list them
    counted = count_patterns(asked_count_nouns(question, of_codes=True))
    count_bonus = np.array([0.3 if any(p.search(u) for p in counted) else 0.0 for _, u in units])
    defines = definition_line(defined_term(question))
    definition_bonus = np.array([0.3 if defines and defines(u) else 0.0 for _, u in units])
    bonus = number_bonus + list_bonus + person_bonus + rule_bonus + count_bonus + 0.3 * named
    bonus = bonus + definition_bonus
    return np.asarray((0.6 * similarity + 0.4 * overlap + bonus) * rank_prior)


def render(quotes: list[Quote], passages: dict[int, str]) -> str:
    """Sentences as lines ending with their citation; table rows as a table under its header.

    Example:
        >>> print(render([Quote(1, "Code E-1 — Message: Low", 1.0)],
        ...              {1: "| Code | Message |\\n|---|---|\\n| E-1 | Low |"}))
        | Code | Message |
        |---|---|
        | E-1 | Low [1] |
    """
    quotes = sorted(quotes, key=lambda q: (q.n, -q.score))
    rows = {n: _rows_by_text(text) for n, text in passages.items()}
    parts: list[str] = []
    tables: dict[tuple[int, str], list[str]] = {}
    for q in quotes:
        found = rows.get(q.n, {}).get(q.text)
        if found is None:
            text = _LIST_MARK.sub("", q.text.strip().rstrip("|").strip())
            parts.append(f"{text} [{q.n}]")
            continue
        header, row = found
        if (q.n, header) not in tables:
            tables[(q.n, header)] = []
            parts.append(f"\x00{q.n}\x00{header}")
        tables[(q.n, header)].append(row)
    out = []
    for part in parts:
        if part.startswith("\x00"):
            _, n, header = part.split("\x00")
            width = len(header.strip().strip("|").split("|"))
            body = [
                row.rstrip().removesuffix("|").rstrip() + f" [{n}] |"
                for row in tables[(int(n), header)]
            ]
            out.append("\n".join([header, "|" + "---|" * width, *body]))
        else:
            out.append(part)
    if len(out) == 1:
        return out[0]
    if any(p.startswith("|") for p in out):  # a table needs blank lines around it
        return "\n\n".join(out)
    return "\n".join(f"- {p}" for p in out)


def _rows_by_text(text: str) -> dict[str, tuple[str, str]]:
    """Each table row's unit text (as `passage_units` writes it) -> (header, row), the row
    shown with its values' units ("182.0 g" where the unit sits in a header or a Unit column).
    """
    shown = split_blocks(with_header_units(text))
    return {
        row_as_text(block.header, row): (block.header, shown_row)
        for block, shown_block in zip(split_blocks(text), shown, strict=True)
        if block.header is not None
        for row, shown_row in zip(block.rows, shown_block.rows, strict=True)
    }
