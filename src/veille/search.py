"""Search: French BM25 over chunks, filters inside the query, highlighted snippets."""

from __future__ import annotations

from .store.base import Filters, LexicalHit, Store
from .text.analyzer import FrenchAnalyzer
from .read import normalise
from .types import Hit

HIGHLIGHT = ("**", "**")


def lexical_search(store: Store, analyzer: FrenchAnalyzer, query: str, filters: Filters,
                   k: int = 10) -> list[Hit]:
    """Chunks holding all query terms first, then chunks holding some (BM25 within each)."""
    terms = analyzer.terms(normalise(query))
    if not terms:
        return []
    found = store.search_lexical(terms, filters, k)
    return [_to_hit(h, analyzer, set(terms)) for h in found]


def _to_hit(found: LexicalHit, analyzer: FrenchAnalyzer, terms: set[str]) -> Hit:
    chunk = found.chunk
    return Hit(
        chunk_id=chunk.id,
        document_id=chunk.document_id,
        score=found.score,
        snippet=make_snippet(chunk.text, terms, analyzer),
        text=chunk.text,
        source=found.source,
        title=found.title,
        kind=found.kind,
        unit_start=chunk.unit_start,
        unit_end=chunk.unit_end,
        authors=chunk.participants,
        period=chunk.period,
        lines=found.lines,
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
