"""Search: lexical (French BM25), dense (embeddings) or both fused; filters inside each ranker; snippets.

Hybrid search asks each ranker for its top ``depth`` chunks under the filters,
fuses the two lists by reciprocal rank fusion — a chunk scores
``Σ weight / (10 + rank)`` over the lists that hold it — and then leaves out
near duplicates: a chunk of the same document as a better one whose units
overlap it (a conversation chunk carries the end of the previous one as
context) or that follows it directly and says nearly the same thing (cosine of
their vectors ≥ ``ADJACENT_SIMILARITY``). What was left out is listed in the
shown hit's ``also``.
"""

from __future__ import annotations

import gc
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from .embed import Embedder, EmbeddingUnavailable
from .read import normalise
from .store.base import Filters, Store, StoredHit
from .store.postings import Ranked
from .text.analyzer import FrenchAnalyzer
from .types import MODES, Chunk, Figure, Hit, Mode

HIGHLIGHT = ("**", "**")


#: Reciprocal rank fusion constant: rank r weighs 1 / (RRF_K + r). Cormack et al. (2009) use 60; on 1,000
#: PIAF questions kept apart from the evaluation sample, 10 fused BM25 and e5 better (nDCG@10 0.832 against
#: 0.826; 5 and 20 within 0.004 of 10): a smaller constant lets the first ranks of each list count more.
RRF_K = 10
#: Candidates each ranker hands to the fusion.
DEPTH = 100
#: Two touching chunks of a document at least this similar are one result. multilingual-e5-small cosines
#: run high: 0.81–0.95 between unrelated French chunks, 0.89–0.96 between consecutive chunks of a document
#: (examples/), so only the closest consecutive pairs — nearly the same thing said twice — are merged.
ADJACENT_SIMILARITY = 0.95


@dataclass
class Candidate:
    """A chunk row on its way to the page: its score in this mode and its rank in each ranker."""

    rowid: int
    score: float
    ranks: dict[str, int] = field(default_factory=dict)


def search(store: Store, analyzer: FrenchAnalyzer, query: str, filters: Filters, k: int = 10, *,
           mode: Mode = "lexical", embedder: Embedder | None = None, lexical_weight: float = 1.0,
           dense_weight: float = 1.0, dedup: bool | None = None, depth: int = DEPTH) -> list[Hit]:
    """The ``k`` best chunks for ``query`` in ``mode``, filtered inside each ranker before its top is taken.

    ``dedup`` (default: on in dense and hybrid modes, off in lexical mode, whose
    ranking stays plain BM25) leaves out near duplicates of a better hit.
    """
    if mode not in MODES:
        raise ValueError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
    if k <= 0:
        return []
    if dedup is None:
        dedup = mode != "lexical"
    with _collector_paused():
        return _search(store, analyzer, query, filters, k, mode, embedder, lexical_weight, dense_weight, dedup,
                       depth)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during one search.

    A query allocates thousands of short-lived rows (freed by reference counting, no cycles), enough to
    set off Python's full collections, each a few milliseconds over every object of the process: they
    made one lexical query in fifteen 10–15 ms slower at 100 000 chunks (bench/search_latency.py).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _search(store: Store, analyzer: FrenchAnalyzer, query: str, filters: Filters, k: int, mode: Mode,
            embedder: Embedder | None, lexical_weight: float, dense_weight: float, dedup: bool,
            depth: int) -> list[Hit]:
    terms = analyzer.terms(normalise(query))
    wanted = max(depth, 3 * k) if mode == "hybrid" else (max(3 * k, k + 20) if dedup else k)
    rankings: dict[str, list[Ranked]] = {}
    vector: Future[np.ndarray] | None = None
    if mode in ("dense", "hybrid") and query.strip():
        if embedder is None:
            raise EmbeddingUnavailable(f"{mode} search")
        # the model embeds the query on its own thread (it releases the GIL) while BM25 ranks here
        vector = _query_thread().submit(embedder.query, normalise(query))
    if mode in ("lexical", "hybrid") and terms:
        rankings["lexical"] = store.rank_lexical(terms, filters, wanted)
    if vector is not None:
        rankings["dense"] = store.rank_dense(vector.result(), filters, wanted)
    if mode == "hybrid":
        candidates = fuse(rankings, {"lexical": lexical_weight, "dense": dense_weight})
    else:
        candidates = [Candidate(r.rowid, r.score, {mode: n}) for n, r in enumerate(rankings.get(mode, []), 1)]
    chosen = _select(store, candidates, k, dedup)
    term_set = set(terms)
    hits = [_to_hit(found, analyzer, term_set, c.score, c.ranks, also) for found, c, also in chosen]
    attach_figures(store, hits)
    return hits


def attach_figures(store: Store, hits: list[Hit]) -> None:
    """Give each hit the figures of its chunk's own units (one query for the page)."""
    if not hits:
        return
    found: dict[tuple[str, int], list[Figure]] = {}
    for cited in store.figures(Filters(), spans=[(h.document_id, h.unit_start, h.unit_end) for h in hits]):
        found.setdefault((cited.document_id, cited.unit), []).append(cited.figure)
    for hit in hits:
        hit.figures = [f for idx in range(hit.unit_start, hit.unit_end) for f in found.get((hit.document_id, idx), ())]


_query_executor: ThreadPoolExecutor | None = None


def _query_thread() -> ThreadPoolExecutor:
    """One thread, kept, that embeds queries (the model takes one call at a time)."""
    global _query_executor
    if _query_executor is None:
        _query_executor = ThreadPoolExecutor(1, thread_name_prefix="veille-query")
    return _query_executor



def fuse(rankings: dict[str, list[Ranked]], weights: dict[str, float], rrf_k: int = RRF_K) -> list[Candidate]:
    """Reciprocal rank fusion of ranked lists: ``Σ weight / (rrf_k + rank)``, best first.

    Ties keep the order of the first list that holds the chunks.
    """
    fused: dict[int, Candidate] = {}
    for name, ranked in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, r in enumerate(ranked, 1):
            entry = fused.setdefault(r.rowid, Candidate(r.rowid, 0.0))
            entry.score += weight / (rrf_k + rank)
            entry.ranks[name] = rank
    return sorted(fused.values(), key=lambda c: -c.score)


def _select(store: Store, candidates: list[Candidate], k: int,
            dedup: bool) -> list[tuple[StoredHit, Candidate, list[str]]]:
    """The first ``k`` candidates that are not near duplicates of a better one, read from the store."""
    chosen: list[tuple[StoredHit, Candidate, list[str]]] = []
    vectors: dict[int, np.ndarray] = {}
    start = 0
    while len(chosen) < k and start < len(candidates):
        page = candidates[start:start + max(2 * (k - len(chosen)), 10)]
        start += len(page)
        found = {h.rowid: h for h in store.hits([Ranked(c.rowid, c.score, 0) for c in page])}
        for candidate in page:
            hit = found.get(candidate.rowid)
            if hit is None:
                continue
            if dedup:
                better = next((entry for entry in chosen if _near_duplicate(store, entry[0], hit, vectors)), None)
                if better is not None:
                    better[2].append(hit.chunk.id)
                    continue
            chosen.append((hit, candidate, []))
            if len(chosen) == k:
                break
    return chosen


def _near_duplicate(store: Store, shown: StoredHit, other: StoredHit, vectors: dict[int, np.ndarray]) -> bool:
    """Whether ``other`` repeats ``shown``: same document, overlapping units, or touching and similar."""
    a, b = shown.chunk, other.chunk
    if a.document_id != b.document_id:
        return False
    a_start, b_start = _first_unit(a), _first_unit(b)
    if a_start < b.unit_end and b_start < a.unit_end:
        return True
    if a.unit_end != b_start and b.unit_end != a_start:
        return False
    missing = [r for r in (shown.rowid, other.rowid) if r not in vectors]
    if missing:
        vectors.update(store.vectors(missing))
    va, vb = vectors.get(shown.rowid), vectors.get(other.rowid)
    return va is not None and vb is not None and float(va @ vb) >= ADJACENT_SIMILARITY


def _first_unit(chunk: Chunk) -> int:
    """The chunk's first unit, counting the context it carries from the previous chunk."""
    return chunk.unit_start if chunk.context_start is None else min(chunk.context_start, chunk.unit_start)


def _to_hit(found: StoredHit, analyzer: FrenchAnalyzer, terms: set[str], score: float,
            ranks: dict[str, int], also: list[str]) -> Hit:
    chunk = found.chunk
    return Hit(
        chunk_id=chunk.id,
        document_id=chunk.document_id,
        score=score,
        snippet=make_snippet(chunk.text, terms, analyzer),
        text=chunk.text,
        source=found.source,
        title=found.title,
        kind=found.kind,
        unit_start=chunk.unit_start,
        unit_end=chunk.unit_end,
        authors=chunk.participants,
        period=chunk.period,
        mentions=chunk.mentions,
        lines=found.lines,
        ranks=dict(ranks),
        also=also,
    )


def make_snippet(text: str, terms: set[str], analyzer: FrenchAnalyzer, width: int = 240,
                 marks: tuple[str, str] = HIGHLIGHT) -> str:
    """The window of ``text`` with the most query terms, matches wrapped in ``marks``."""
    spans = analyzer.match_spans(text, terms)
    if not spans:
        cut = text[:width]
        return cut + ("…" if len(text) > width else "")
    # slide over matches: the window starting at match i covers matches i..j within width
    best_i, best_count, j = 0, 0, 0
    for i, (a, _) in enumerate(spans):
        while j < len(spans) and spans[j][1] - a <= width:
            j += 1
        if j - i > best_count:
            best_i, best_count = i, j - i
    first = spans[best_i][0]
    start = max(0, first - width // 4)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = min(len(text), start + width)
    while end < len(text) and not text[end].isspace():
        end += 1
    out: list[str] = ["…" if start > 0 else ""]
    pos = start
    for a, b in spans:
        if a < start or b > end:
            continue
        out += [text[pos:a], marks[0], text[a:b], marks[1]]
        pos = b
    out.append(text[pos:end])
    if end < len(text):
        out.append("…")
    return "".join(out).replace("\n", " ⏎ ")
