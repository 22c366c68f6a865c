"""The SQLite store's dense search at 100 000 and 1 000 000 chunks: brute force against the usearch graph.

For each size, a knowledge base is built by ``kb_scale.build_scaled_kb`` (bench.db's rows replicated with
shifted row ids, e5-like vectors: see kb_scale.py), unless it exists already. Then, through
``SQLiteStore.rank_dense`` itself (filters, tail and all):

- exact: ``DenseSettings(approximate=False)``: the first search's load, p50/p95;
- graph: ``refresh_dense_graph()`` builds the graph beside the file (timed, file size), a new store maps it
  (load timed, ``view``), and for each ef: p50/p95 and recall@10 against the exact results, on queries
  drawn like the data and on "near" queries (a stored vector plus noise, cosine ≈ 0.86 to it);
- filtered: ``kind="post"`` (≈ 11 % of chunks: over-fetching from the graph when above ``exact_below``) and
  ``source="emission_0170"`` (≈ 0.6 %: always scored exactly), on the drawn queries.

    python bench/dense_scale.py --real KB_WITH_E5_VECTORS.db [--sizes 100000,1000000] [--ef 512,1024,2048]
                                [--queries 200] [--out bench/out/dense] [--source bench/out/bench.db]

Prints one table per size. One thread per query, as ``veille serve`` runs them; the graph is built with
``DenseSettings.threads`` (2).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from kb_scale import DEFAULT_SOURCE, build_scaled_kb, vector_drawer  # noqa: E402
from veille.store import Filters  # noqa: E402
from veille.store.sqlite import SQLiteStore  # noqa: E402
from veille.store.vectors import DenseSettings  # noqa: E402

K = 10
FILTERS = {"none": Filters(), "kind=post": Filters(kind="post"), "source=emission_0170": Filters(source="emission_0170")}


def make_queries(store: SQLiteStore, real: Path | None, n: int, seed: int) -> dict[str, np.ndarray]:
    """Queries drawn like the data, and near queries (a stored vector plus noise)."""
    rng = np.random.default_rng(seed)
    drawn = vector_drawer(real)(rng, n)
    top = store.db.execute("SELECT MAX(id) FROM vectors").fetchone()[0]
    rowids = sorted({int(r) for r in rng.integers(1, top + 1, 4 * n)})
    stored = store.vectors(rowids)
    picked = np.stack([stored[r] for r in list(stored)[:n]])
    noise = rng.standard_normal(picked.shape).astype(np.float32)
    noise *= 0.6 / np.linalg.norm(noise, axis=1, keepdims=True)
    near = picked + noise
    return {"drawn": drawn, "near": (near / np.linalg.norm(near, axis=1, keepdims=True)).astype(np.float32)}


def run(store: SQLiteStore, queries: np.ndarray, filters: Filters) -> tuple[list[list[int]], np.ndarray]:
    """Row ids found and milliseconds, per query."""
    found, ms = [], []
    for q in queries:
        start = time.perf_counter()
        ranked = store.rank_dense(q, filters, K)
        ms.append((time.perf_counter() - start) * 1000)
        found.append([r.rowid for r in ranked])
    return found, np.asarray(ms)


def recall(found: list[list[int]], truth: list[list[int]]) -> float:
    return float(np.mean([len(set(f) & set(t)) / max(1, min(K, len(t))) for f, t in zip(found, truth)]))


def line(*cells: object) -> str:
    text = "| " + " | ".join(str(c) for c in cells) + " |"
    print(text, flush=True)
    return text


def measure(db: Path, real: Path | None, efs: list[int], n_queries: int, threshold: int, rebuild: bool,
            exact_only: bool) -> None:
    count = SQLiteStore(db).count_vectors()[0]
    print(f"\n{db.name}: {count} vectors; load average {os.getloadavg()[0]:.2f}\n", flush=True)
    line("N", "index", "setting", "filter (rows)", "path", "p50 ms", "p95 ms", "recall@10 drawn", "recall@10 near")
    line(*["---:"] + ["---"] * 4 + ["---:"] * 4)
    saved = db.with_name(f"{db.name}.exact-{n_queries}.json")  # the exact results, kept for a later graph run
    if saved.exists():
        data = json.loads(saved.read_text())
        qs = {kind: np.asarray(v, dtype=np.float32) for kind, v in data["queries"].items()}
        truth = {tuple(key.split("/")): value for key, value in data["truth"].items()}
        rows = data["rows"]
        print("\n".join(data["lines"]) + f"\n(exact results of an earlier run: {saved.name})", flush=True)
    else:
        qs, truth, rows = measure_exact(db, real, n_queries, count, saved)
    if not exact_only:
        measure_graph(db, efs, threshold, rebuild, qs, truth, rows)


def measure_exact(db: Path, real: Path | None, n_queries: int, count: int, saved: Path
                  ) -> tuple[dict[str, np.ndarray], dict[tuple[str, str], list[list[int]]], dict[str, int]]:
    """Brute force through the store: its lines of the table, and its results (the truth for recall)."""
    lines = []
    exact = SQLiteStore(db)
    exact.dense_settings = DenseSettings(approximate=False)
    qs = make_queries(exact, real, n_queries, seed=11)
    start = time.perf_counter()
    exact.rank_dense(qs["drawn"][0], Filters(), K)
    exact_load = time.perf_counter() - start
    keys = exact._keys()
    rows = {name: len(keys.ids) if f == Filters() else len(keys.allowed(f)) for name, f in FILTERS.items()}
    truth: dict[tuple[str, str], list[list[int]]] = {}
    for name, filters in FILTERS.items():
        ms_all = []
        for kind in ("drawn", "near") if name == "none" else ("drawn",):
            truth[name, kind], ms = run(exact, qs[kind], filters)
            ms_all.append(ms)
        ms = np.concatenate(ms_all)
        lines.append(line(count, "brute force", f"float32 matrix (load {exact_load:.1f} s)", f"{name} ({rows[name]})",
                          "exact", f"{np.percentile(ms, 50):.1f}", f"{np.percentile(ms, 95):.1f}", "1.000", "1.000"))
    exact.close()
    del exact
    gc.collect()
    saved.write_text(json.dumps({"queries": {kind: v.tolist() for kind, v in qs.items()}, "rows": rows,
                                 "truth": {"/".join(key): value for key, value in truth.items()}, "lines": lines}))
    return qs, truth, rows


def measure_graph(db: Path, efs: list[int], threshold: int, rebuild: bool, qs: dict[str, np.ndarray],
                  truth: dict[tuple[str, str], list[list[int]]], rows: dict[str, int]) -> None:
    """The graph through the store: build or refresh, load, then each ef."""
    count = SQLiteStore(db).count_vectors()[0]

    settings = DenseSettings(threshold=threshold)
    writer = SQLiteStore(db)
    writer.dense_settings = settings
    start = time.perf_counter()
    done = writer.refresh_dense_graph(force=rebuild)  # else a graph left by an earlier run is kept
    build_s = time.perf_counter() - start
    graph_file = next(db.parent.glob(f"{db.name}.*.usearch"))
    writer.close()
    del writer
    gc.collect()
    from usearch.index import Index
    start = time.perf_counter()
    Index.restore(str(graph_file))  # what a writer extending it reads
    read_s = time.perf_counter() - start
    gc.collect()
    print(f"\n{done}; build {build_s:.0f} s, file {graph_file.stat().st_size / 1e6:.0f} MB, "
          f"read (writer) {read_s:.2f} s\n", flush=True)

    for ef in efs:
        reader = SQLiteStore(db)
        reader.dense_settings = replace(settings, expansion_search=ef)
        start = time.perf_counter()
        reader.rank_dense(qs["drawn"][0], Filters(), K)
        load_s = time.perf_counter() - start
        for name, filters in FILTERS.items():
            kinds = ("drawn", "near") if name == "none" else ("drawn",)
            found = {kind: run(reader, qs[kind], filters) for kind in kinds}
            ms = np.concatenate([found[kind][1] for kind in kinds])
            path = "graph" if name == "none" or rows[name] >= settings.exact_below else "exact subset"
            line(count, "usearch", f"f16, M={settings.connectivity}, ef={ef} (first search {load_s:.2f} s)",
                 f"{name} ({rows[name]})", path, f"{np.percentile(ms, 50):.1f}", f"{np.percentile(ms, 95):.1f}",
                 f"{recall(found['drawn'][0], truth[name, 'drawn']):.3f}",
                 f"{recall(found['near'][0], truth[name, 'near']):.3f}" if "near" in found else "")
        print(f"  ({reader.stats()['dense_index']})", flush=True)
        reader.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--ef", default="512,1024,2048,3072")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--real", type=Path, help="a knowledge base with real e5 vectors (e5-like vectors)")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "dense")
    parser.add_argument("--threshold", type=int, default=50_000, help="graph threshold for the measurement")
    parser.add_argument("--rebuild", action="store_true", help="build the graph even if an earlier run left one")
    parser.add_argument("--exact-only", action="store_true", help="brute force only (its results are kept)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for size in (int(s) for s in args.sizes.split(",")):
        db = args.out / f"kb_{size}.db"
        if not db.exists():
            build_scaled_kb(db, size, args.source, args.real)
        measure(db, args.real, [int(e) for e in args.ef.split(",")], args.queries, args.threshold, args.rebuild,
                args.exact_only)


if __name__ == "__main__":
    main()
