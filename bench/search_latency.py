"""Search latency by mode at 10 000 and 100 000 chunks, and where brute-force dense search stops being fast enough.

1. Copies the 100 000-chunk knowledge base ``ingest_speed.py`` builds (``bench/out/bench.db``, lexical
   only), and builds a 10 000-chunk one from the first files of the same generated corpus
   (``bench/out/corpus``); gives every chunk a vector. Embedding 100 000 chunks takes hours on two cores, so the
   vectors are **random unit vectors**: the dense ranking is meaningless but costs exactly what a real
   one costs (same matrix, same product, same top-k). Queries are embedded by the real model, each a
   new text (no cache), and that time is counted in dense and hybrid latencies.
2. Times ``kb.search(query, k=10, mode=…)`` for lexical, dense and hybrid on the same queries as
   ``ingest_speed.py`` (words, elisions, figures, kind= and who= filters), snippets included; and
   ``kb.ask`` (extractive, hybrid: the search, then the candidate sentences cut, scored and embedded).
3. Times the brute-force scoring alone (matrix × query vector, then argpartition) on random
   float32 matrices of 100 000 to 1 600 000 rows: the size past which an approximate index would pay.

    python bench/search_latency.py [--db bench/out/bench.db] [--queries 200] [--sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from ingest_speed import make_queries, percentile  # noqa: E402

from veille import KnowledgeBase  # noqa: E402
from veille.store.postings import Ranked  # noqa: E402

DIMS = 384


def fill_random_vectors(path: Path, seed: int) -> int:
    """Give every chunk without a vector a random unit vector (float16, as veille stores them)."""
    rng = np.random.default_rng(seed)
    db = sqlite3.connect(path)
    ids = [r[0] for r in db.execute("SELECT id FROM chunks WHERE id NOT IN (SELECT id FROM vectors)")]
    for start in range(0, len(ids), 20000):
        part = ids[start:start + 20000]
        vectors = rng.standard_normal((len(part), DIMS)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        blobs = vectors.astype("<f2")
        db.executemany("INSERT INTO vectors VALUES (?, ?)", [(i, blobs[n].tobytes()) for n, i in enumerate(part)])
    db.execute("INSERT OR REPLACE INTO meta VALUES ('embedding_model', 'multilingual-e5-small')")
    db.execute(f"INSERT OR REPLACE INTO meta VALUES ('embedding_dims', '{DIMS}')")
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return len(ids)


def time_modes(kb: KnowledgeBase, queries: list[tuple[str, str, dict[str, str]]]) -> dict[str, list[float]]:
    """Milliseconds per query and mode; every query text is new to the embedder's cache."""
    times: dict[str, list[float]] = {"lexical": [], "dense": [], "hybrid": [], "embed query": [],
                                     "ask (extractive, hybrid)": []}
    embedder = kb.embedder
    assert embedder is not None
    for n, (_, text, filters) in enumerate(queries):
        for mode in ("lexical", "dense", "hybrid"):
            unique = f"{text} ({mode} {n})" if mode != "lexical" else text  # never a cached query vector
            start = time.perf_counter()
            kb.search(unique, k=10, mode=mode, **filters)
            times[mode].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        embedder.query(f"{text} (seul {n})")
        times["embed query"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()  # search, then cut, score and embed the candidate sentences
        kb.ask(f"{text} (question {n})", mode="hybrid", **filters)
        times["ask (extractive, hybrid)"].append((time.perf_counter() - start) * 1000)
    return times


def brute_force(rows: int, queries: int = 50, seed: int = 7) -> list[float]:
    """Milliseconds to score ``rows`` unit vectors against a query and take the top 100."""
    from veille.store.vectors import DenseIndex

    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((rows, DIMS), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    index = DenseIndex()
    index.ids, index.matrix = np.arange(1, rows + 1, dtype=np.int64), matrix
    out = []
    for _ in range(queries + 5):
        q = rng.standard_normal(DIMS, dtype=np.float32)
        q /= np.linalg.norm(q)
        start = time.perf_counter()
        found: list[Ranked] = index.rank(q, 100)
        out.append((time.perf_counter() - start) * 1000)
        assert len(found) == 100
    return out[5:]


def row(label: str, values: list[float]) -> str:
    return (f"| {label} | {len(values)} | {percentile(values, 50):.1f} | {percentile(values, 95):.1f} | "
            f"{percentile(values, 99):.1f} | {max(values):.1f} |")


def small_copy(corpus: Path, path: Path, chunks: int) -> None:
    """A lexical knowledge base of the corpus's first files, ingested one by one until it holds ``chunks``."""
    files = sorted(corpus.glob("*.txt"))
    with KnowledgeBase(path, embed=False) as kb:
        held = 0
        while held < chunks and files:
            report = kb.ingest(files[:1])
            held += sum(f.chunks for f in report.files)
            files = files[1:]


def measure(path: Path, args: argparse.Namespace) -> tuple[int, dict[str, list[float]]]:
    """Random vectors for every chunk of ``path``, then each mode timed on the same queries."""
    KnowledgeBase(path, embed=False).close()  # adds the vectors table to a file made before it
    filled = fill_random_vectors(path, args.seed)
    print(f"{path}: {filled} random unit vectors added; load average {os.getloadavg()[0]:.2f}", flush=True)
    with KnowledgeBase(path, embed=True) as kb:
        chunks = kb.stats()["chunks"]
        start = time.perf_counter()
        for mode in ("lexical", "dense", "hybrid"):  # loads the BM25 lengths, the vectors, the model
            kb.search("échauffement du modèle et des index", mode=mode)
        print(f"first search (loads {chunks} vectors and the model): {time.perf_counter() - start:.2f} s")
        for _, text, filters in make_queries(30, args.seed + 99):  # warm-up, as ingest_speed.py does
            for mode in ("lexical", "dense", "hybrid"):
                kb.search(text, k=10, mode=mode, **filters)
        return chunks, time_modes(kb, make_queries(args.queries, args.seed))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=HERE / "out" / "bench.db",
                        help="a lexical knowledge base to copy (ingest_speed.py builds bench/out/bench.db)")
    parser.add_argument("--corpus", type=Path, default=HERE / "out" / "corpus",
                        help="the generated corpus the smaller knowledge bases are made from")
    parser.add_argument("--sizes", default="10000,100000",
                        help="chunk counts to measure; the largest is --db itself, the others built from --corpus")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20250304)
    args = parser.parse_args()
    if not args.db.exists():
        print(f"{args.db} is missing: run `python bench/ingest_speed.py` first", file=sys.stderr)
        return 1
    sizes = sorted(int(s) for s in args.sizes.split(","))
    print(f"{os.cpu_count()} cores; OMP_NUM_THREADS {os.environ.get('OMP_NUM_THREADS', 'unset')}")
    tables = []
    for size in sizes:
        copy = HERE / "out" / f"latency_{size}.db"
        for leftover in (copy, copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
            leftover.unlink(missing_ok=True)
        if size == sizes[-1]:
            src = sqlite3.connect(args.db)
            src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            src.close()
            shutil.copyfile(args.db, copy)
        else:
            small_copy(args.corpus, copy, size)
        tables.append(measure(copy, args))
    for chunks, times in tables:
        print(f"\n{chunks:,} chunks, k=10, snippets included; dense and hybrid include embedding the query\n")
        print("| mode | queries | p50 ms | p95 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|")
        for label, values in times.items():
            print(row(label, values))

    print("\nbrute-force dense scoring alone (top 100 of random unit vectors, float32 in memory)\n")
    print("| rows | memory MB | p50 ms | p95 ms |")
    print("|---:|---:|---:|---:|")
    for rows in (100_000, 200_000, 400_000, 800_000, 1_600_000):
        values = brute_force(rows)
        print(f"| {rows:,} | {rows * DIMS * 4 / 1e6:,.0f} | {percentile(values, 50):.1f} | "
              f"{percentile(values, 95):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
