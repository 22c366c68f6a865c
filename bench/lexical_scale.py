"""Lexical ranking at scale: merged postings and the two-pass ranker beside scoring every document row.

On one knowledge base (a SQLite file or a PostgreSQL URI; ``kb_scale.py`` makes large ones), for each query
and filter, in one run and one process:

- **per document, score all**: the documents' postings rows read one by one (what the stores read before
  store/compact.py) and every posting scored, then the top k (``score_all``: the ranking veille had before,
  kept here as the reference);
- **merged, two passes**: the store's own ``rank_lexical`` (a term's merged row and the rows after it; the
  chunks holding the most query terms scored only).

It prints p50/p95 of reading and ranking for each, and checks that both give the same (terms held, score)
sequence for every query (ties may fall in another order: the store breaks them by row id).

    python bench/lexical_scale.py KB.db_or_URI [--queries 60] [--k 10]

The knowledge base must have been merged (``merge_postings``; store_scale.py does it, and so does the end
of any ingest once it has stored enough chunks).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from store_scale import line, query_texts  # noqa: E402
from veille import KnowledgeBase  # noqa: E402
from veille.store import Filters  # noqa: E402
from veille.store.postings import B, K1, decode_rows  # noqa: E402

FILTERS = {"none": Filters(), "kind=post": Filters(kind="post")}


def score_all(postings: dict[str, list[tuple[int, bytes, bytes]]], lengths: np.ndarray, count: int,
              average: float, k: int, allowed: np.ndarray | None) -> list[tuple[int, float, int]]:
    """Every posting scored (BM25, the same formula), then the top k by terms held and score."""
    size = len(lengths)
    ids_all, weights_all = [], []
    for rows in postings.values():
        ids, tfs = decode_rows(rows)
        ids, tfs = ids.astype(np.int64), tfs.astype(np.float32)
        inside = ids < size
        ids, tfs = ids[inside], tfs[inside]
        df = len(ids)
        idf = np.log(1.0 + (count - df + 0.5) / (df + 0.5))
        norm = K1 * (1.0 - B + B * lengths[ids] / average)
        ids_all.append(ids)
        weights_all.append(idf * tfs * (K1 + 1.0) / (tfs + norm))
    if not ids_all:
        return []
    ids = np.concatenate(ids_all)
    scores = np.bincount(ids, weights=np.concatenate(weights_all), minlength=size)
    matched = np.bincount(ids, minlength=size)
    if allowed is not None:
        keep = np.zeros(size, dtype=bool)
        keep[allowed[allowed < size]] = True
        matched[~keep] = 0
    candidates = np.flatnonzero(matched)
    key = matched[candidates] * (scores.max() + 1.0) + scores[candidates]
    top = np.argpartition(-key, k - 1)[:k] if len(key) > k else np.arange(len(key))
    top = top[np.argsort(-key[top], kind="stable")]
    return [(int(candidates[i]), float(scores[candidates[i]]), int(matched[candidates[i]])) for i in top]


def document_rows(store, terms: list[str]) -> dict[str, list[tuple[int, bytes, bytes]]]:
    """Each term's documents' postings rows, one row per (term, document): no merged row."""
    found = {}
    for term in terms:
        if hasattr(store, "uri"):
            import psycopg

            with store.db.cursor(row_factory=psycopg.rows.tuple_row, binary=True) as cursor:
                rows = cursor.execute("SELECT base, chunks, tfs FROM postings WHERE term = %s AND base > 0",
                                      (term,)).fetchall()
        else:
            rows = store.db.execute("SELECT base, chunks, tfs FROM postings WHERE term = ? AND base > 0",
                                    (term,)).fetchall()
        if rows:
            found[term] = rows
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kb")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    kb = KnowledgeBase(args.kb, embed=False)
    store = kb.store
    print(f"{args.kb}: {store.stats()['chunks']} chunks; {store.stats()['lexical_index']}; "
          f"load average {os.getloadavg()[0]:.1f}\n")
    texts = query_texts(args.queries)
    keys = store._keys()  # filter keys and lengths loaded before the timing (a first search does it once)
    ranker = store.ranker
    line("filter", "method", "read p50 ms", "read p95 ms", "rank p50 ms", "rank p95 ms", "total p95 ms",
         "postings p95", "same results")
    line("---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---")
    for name, filters in FILTERS.items():
        allowed = keys.allowed(filters)
        times: dict[str, list[tuple[float, float]]] = {"per document, score all": [], "merged, two passes": []}
        sizes, same = [], 0
        for text in texts:
            terms = list(dict.fromkeys(kb.analyzer.terms(text)))
            started = time.perf_counter()
            rows = document_rows(store, terms)
            read = time.perf_counter()
            old = score_all(rows, ranker._lengths, ranker._count, ranker._average, args.k, allowed)
            done = time.perf_counter()
            times["per document, score all"].append((read - started, done - read))
            started = time.perf_counter()
            merged = store._postings(terms)
            read = time.perf_counter()
            new = ranker.rank(merged, args.k, allowed) if merged else []
            done = time.perf_counter()
            times["merged, two passes"].append((read - started, done - read))
            sizes.append(sum(len(decode_rows(r)[0]) for r in merged.values()))
            same += [(m, round(s, 9)) for _, s, m in old] == [(r.matched, round(r.score, 9)) for r in new]
        for method, pairs in times.items():
            ms = np.array(pairs) * 1000
            line(name, method, f"{np.percentile(ms[:, 0], 50):.1f}", f"{np.percentile(ms[:, 0], 95):.1f}",
                 f"{np.percentile(ms[:, 1], 50):.1f}", f"{np.percentile(ms[:, 1], 95):.1f}",
                 f"{np.percentile(ms.sum(axis=1), 95):.1f}", f"{np.percentile(sizes, 95):.0f}",
                 f"{same}/{len(texts)}")
    print(f"\nload average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
