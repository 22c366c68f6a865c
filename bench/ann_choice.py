"""Choosing the approximate vector index for the SQLite default (issue 13): candidates side by side, in one run.

For each size N, builds N **random** unit vectors of 384 dimensions (seeded), stored as float16 as veille
stores them, and two query sets: random unit vectors, and "near" queries (a stored vector plus noise, cosine
≈ 0.85 to it), which is what real queries look like. Random vectors are a HARD case for approximate search:
in 384 dimensions all their distances are nearly equal, whereas real e5 embeddings are clustered. The
figures here are therefore a floor for recall at a given setting.

Candidates (each skipped with a note when it does not import):

- ``brute``: today's ``veille.store.vectors.DenseIndex`` (float16 stored, float32 matrix @ query);
- ``usearch``: HNSW, vectors kept as f16 or i8, inner product; filtered search by over-fetching
  (its Python ``search`` takes no predicate);
- ``hnswlib``: HNSW, float32, inner product; filtered search by its ``filter`` callback;
- ``sqlite-vec``: the ``vec0`` virtual table (brute force in 0.1.x: it has no ANN index), float32.

Measured: build time, memory of the index (the brute-force float32 matrix; usearch's ``memory_usage``;
hnswlib's saved size, which is its memory layout), file size when saved, load time, query p50/p95 (one thread, one query at a
time), recall@10 against exact search (on the float16 vectors), recall@10 and p95 under filters keeping 10 %
and 1 % of rows, and adding 1 000 vectors then removing 1 000 ids after the build.

With ``--data e5like --real KB.db`` the vectors are drawn from a Gaussian with the mean and covariance of the
real e5 vectors of a veille knowledge base instead (their anisotropy, not their clusters).

    python bench/ann_choice.py [--sizes 100000,1000000] [--only brute,usearch,hnswlib,sqlite-vec]
                               [--ef 64,128,256,512] [--connectivity 16] [--ef-add 128]
                               [--usearch-dtypes f16,i8] [--data random|e5like --real KB.db]
                               [--queries 200] [--out bench/out/ann]
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from veille.store.vectors import DenseIndex  # noqa: E402

DIMS = 384
K = 10
FILTERS = (0.10, 0.01)
GROW = 1000  # vectors added, then ids removed, after the build


def unit_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` random unit vectors, float32."""
    rows = rng.standard_normal((n, DIMS), dtype=np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    return rows


def real_vectors(path: Path) -> np.ndarray:
    """The float16 e5 vectors of a veille knowledge base, as float32."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    blobs = [r[0] for r in db.execute("SELECT vector FROM vectors")]
    db.close()
    return np.frombuffer(b"".join(blobs), dtype="<f2").astype(np.float32).reshape(len(blobs), DIMS)


def e5_like(real: np.ndarray) -> Callable[[np.random.Generator, int], np.ndarray]:
    """A Gaussian with the mean and covariance of real e5 vectors, normalised: their anisotropy, not their clusters."""
    mean = real.mean(axis=0)
    values, vectors = np.linalg.eigh(np.cov(real, rowvar=False))
    scale = vectors * np.sqrt(np.clip(values, 0, None))

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        rows = (rng.standard_normal((n, DIMS), dtype=np.float32) @ scale.T.astype(np.float32)) + mean
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return draw


def mean_cosine(rows: np.ndarray) -> float:
    """Mean cosine between distinct rows (of at most 2 000)."""
    rows = rows[:2000]
    sims = rows @ rows.T
    return float((sims.sum() - np.trace(sims)) / (len(rows) * (len(rows) - 1)))


def make_data(n: int, queries: int, seed: int, draw: Callable[[np.random.Generator, int], np.ndarray]
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stored vectors (float16 values, as float32), queries drawn the same way, and near queries."""
    rng = np.random.default_rng(seed)
    stored = np.empty((n, DIMS), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        stored[start:stop] = draw(rng, stop - start).astype(np.float16).astype(np.float32)
    random_q = draw(rng, queries)
    noise = unit_rows(rng, queries) * 0.6  # |x + 0.6 u| ≈ 1.17, cosine to x ≈ 0.86
    near_q = stored[rng.choice(n, queries, replace=False)] + noise
    near_q /= np.linalg.norm(near_q, axis=1, keepdims=True)
    return stored, random_q, near_q


def exact_top(stored: np.ndarray, queries: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
    """Row numbers of the exact top ``K`` per query (among ``allowed`` rows), by blocks of rows."""
    best_rows = np.zeros((len(queries), 0), dtype=np.int64)
    best_scores = np.zeros((len(queries), 0), dtype=np.float32)
    for start in range(0, len(stored), 100_000):
        block = stored[start:start + 100_000]
        scores = queries @ block.T
        if allowed is not None:
            scores[:, ~allowed[start:start + len(block)]] = -np.inf
        rows = np.broadcast_to(np.arange(start, start + len(block)), scores.shape)
        best_rows = np.concatenate([best_rows, rows], axis=1)
        best_scores = np.concatenate([best_scores, scores], axis=1)
        keep = np.argpartition(-best_scores, K - 1, axis=1)[:, :K]
        best_rows = np.take_along_axis(best_rows, keep, axis=1)
        best_scores = np.take_along_axis(best_scores, keep, axis=1)
    return best_rows


def recall(found: list[np.ndarray], truth: np.ndarray) -> float:
    """Mean share of the exact top ``K`` found."""
    return float(np.mean([len(set(map(int, f)) & set(map(int, t))) / K for f, t in zip(found, truth)]))


def timed(search: Callable[[np.ndarray], np.ndarray], queries: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Results and milliseconds of one search per query."""
    results, ms = [], []
    for q in queries:
        start = time.perf_counter()
        results.append(np.asarray(search(q)))
        ms.append((time.perf_counter() - start) * 1000)
    return results, np.asarray(ms)


def overfetch(search: Callable[[np.ndarray, int], np.ndarray], allowed: np.ndarray, share: float,
              n: int) -> Callable[[np.ndarray], np.ndarray]:
    """Filtered search by asking for more than ``K`` and filtering: start at 2 K / share, double until K pass."""
    def run(q: np.ndarray) -> np.ndarray:
        count = min(n, math.ceil(2 * K / share))
        while True:
            rows = search(q, count)
            kept = rows[allowed[rows]]
            if len(kept) >= K or count >= n:
                return kept[:K]
            count = min(n, count * 2)
    return run


@dataclass
class Row:
    """One line of the table."""
    n: int
    method: str
    setting: str
    build_s: float = float("nan")
    mem_mb: float = float("nan")
    file_mb: float = float("nan")
    load_s: float = float("nan")
    p50: float = float("nan")
    p95: float = float("nan")
    recall_random: float = float("nan")
    recall_near: float = float("nan")
    filtered: dict[float, tuple[float, float]] = field(default_factory=dict)  # share -> (recall, p95)
    grow: str = ""


@dataclass
class Case:
    """What every candidate is measured on."""
    n: int
    stored: np.ndarray
    random_q: np.ndarray
    near_q: np.ndarray
    truth_random: np.ndarray
    truth_near: np.ndarray
    masks: dict[float, np.ndarray]
    truth_filtered: dict[float, np.ndarray]
    out: Path
    draw: Callable[[np.random.Generator, int], np.ndarray]


def measure_queries(row: Row, case: Case, search: Callable[[np.ndarray], np.ndarray]) -> None:
    """p50/p95 over both query sets, and recall on each."""
    found_r, ms_r = timed(search, case.random_q)
    found_n, ms_n = timed(search, case.near_q)
    ms = np.concatenate([ms_r, ms_n])
    row.p50, row.p95 = float(np.percentile(ms, 50)), float(np.percentile(ms, 95))
    row.recall_random, row.recall_near = recall(found_r, case.truth_random), recall(found_n, case.truth_near)


def measure_filtered(row: Row, case: Case, make: Callable[[float, np.ndarray], Callable[[np.ndarray], np.ndarray]]) -> None:
    """Recall and p95 on the random queries under each filter."""
    for share, mask in case.masks.items():
        found, ms = timed(make(share, mask), case.random_q)
        row.filtered[share] = (recall(found, case.truth_filtered[share]), float(np.percentile(ms, 95)))


def run_brute(case: Case) -> list[Row]:
    """Today's DenseIndex: the float16 blob turned into a float32 matrix, matrix @ query, argpartition."""
    row = Row(case.n, "brute (DenseIndex)", "float32 matrix from f16")
    blob = case.stored.astype("<f2").tobytes()
    ids = np.arange(case.n, dtype=np.int64)
    start = time.perf_counter()
    index = DenseIndex()
    index.load(ids, blob, DIMS, np.dtype("<f2"))
    row.load_s = time.perf_counter() - start  # the load from the SQLite BLOBs is not counted
    row.mem_mb = index.matrix.nbytes / 1e6
    row.file_mb = len(blob) / 1e6
    del blob

    def search(q: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
        return np.array([r.rowid for r in index.rank(q, K, allowed)], dtype=np.int64)
    measure_queries(row, case, search)
    measure_filtered(row, case, lambda share, mask: (lambda q, a=np.flatnonzero(mask): search(q, a)))
    row.grow = "append rows / drop rows (reload the matrix)"
    return [row]


def run_usearch(case: Case, efs: list[int], dtypes: list[str], connectivity: int, ef_add: int) -> list[Row]:
    """usearch HNSW: build with 2 threads, save, restore (and view), sweep the search expansion."""
    from usearch.index import Index
    rows = []
    for dtype in dtypes:
        index = Index(ndim=DIMS, metric="ip", dtype=dtype, connectivity=connectivity, expansion_add=ef_add)
        start = time.perf_counter()
        index.add(np.arange(case.n, dtype=np.uint64), case.stored, threads=2)
        build_s = time.perf_counter() - start
        mem = index.memory_usage / 1e6
        path = case.out / f"usearch_{dtype}_{case.n}.usearch"
        index.save(str(path))
        index = None  # the next dtype builds its own
        gc.collect()
        start = time.perf_counter()
        index = Index.restore(str(path))
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        Index.restore(str(path), view=True)
        view_s = time.perf_counter() - start
        setting = f"{dtype}, M={connectivity}, ef_add={ef_add}"
        chosen = None
        for ef in efs:
            index.expansion_search = ef
            row = Row(case.n, "usearch", f"{setting}, ef={ef}", build_s, mem, path.stat().st_size / 1e6, load_s)

            def search(q: np.ndarray, count: int = K) -> np.ndarray:
                return index.search(q, count, threads=1).keys.astype(np.int64)
            measure_queries(row, case, search)
            rows.append(row)
            if chosen is None and row.recall_random >= 0.95:
                chosen = row
        chosen = chosen or rows[-1]
        index.expansion_search = int(chosen.setting.rsplit("ef=", 1)[1])
        measure_filtered(chosen, case, lambda share, mask: overfetch(
            lambda q, count: index.search(q, count, threads=1).keys.astype(np.int64), mask, share, case.n))
        chosen.grow = grow_usearch(index, case) + f"; view (mmap) load {view_s:.2f} s"
        index = None  # the next dtype builds its own
        path.unlink()
    return rows


def grow_usearch(index, case: Case) -> str:
    """Add GROW vectors, remove GROW ids; check the new are found and the removed never come back."""
    rng = np.random.default_rng(7)
    extra = case.draw(rng, GROW)
    keys = np.arange(case.n, case.n + GROW, dtype=np.uint64)
    start = time.perf_counter()
    index.add(keys, extra, threads=1)
    add_ms = (time.perf_counter() - start) * 1000 / GROW
    found = np.mean([index.search(v, 1, threads=1).keys[0] == k for v, k in zip(extra[:200], keys[:200])])
    gone = np.arange(0, GROW, dtype=np.uint64)
    start = time.perf_counter()
    index.remove(gone)
    remove_ms = (time.perf_counter() - start) * 1000 / GROW
    back = sum(int(np.isin(index.search(case.stored[int(g)], K, threads=1).keys, gone).any()) for g in gone[:200])
    return (f"add {add_ms:.2f} ms/vector (self found {found:.0%}), remove {remove_ms:.3f} ms/id, "
            f"removed ids returned: {back}/200")


def run_hnswlib(case: Case, efs: list[int], connectivity: int, ef_add: int) -> list[Row]:
    """hnswlib HNSW (float32 only): build with 2 threads, save, load, sweep ef; filter by callback."""
    import hnswlib
    rows = []
    index = hnswlib.Index(space="ip", dim=DIMS)
    index.init_index(max_elements=case.n + GROW, M=connectivity, ef_construction=ef_add, allow_replace_deleted=True)
    start = time.perf_counter()
    index.add_items(case.stored, np.arange(case.n), num_threads=2)
    build_s = time.perf_counter() - start
    path = case.out / f"hnswlib_{case.n}.bin"
    index.save_index(str(path))
    mem = path.stat().st_size / 1e6  # hnswlib writes its memory layout as it is
    del index
    gc.collect()
    start = time.perf_counter()
    index = hnswlib.Index(space="ip", dim=DIMS)
    index.load_index(str(path), max_elements=case.n + GROW, allow_replace_deleted=True)
    load_s = time.perf_counter() - start
    chosen = None
    for ef in efs:
        index.set_ef(ef)
        row = Row(case.n, "hnswlib", f"f32, M={connectivity}, ef_c={ef_add}, ef={ef}", build_s, mem,
                  path.stat().st_size / 1e6, load_s)

        def search(q: np.ndarray) -> np.ndarray:
            return index.knn_query(q, K, num_threads=1)[0][0].astype(np.int64)
        measure_queries(row, case, search)
        rows.append(row)
        if chosen is None and row.recall_random >= 0.95:
            chosen = row
    chosen = chosen or rows[-1]
    index.set_ef(int(chosen.setting.rsplit("ef=", 1)[1]))

    def filtered(share: float, mask: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        allowed = mask.tolist()
        return lambda q: index.knn_query(q, K, num_threads=1, filter=lambda label: allowed[label])[0][0].astype(np.int64)
    measure_filtered(chosen, case, filtered)
    chosen.grow = grow_hnswlib(index, case)
    path.unlink()
    return rows


def grow_hnswlib(index, case: Case) -> str:
    """Add GROW vectors, mark GROW ids deleted; check the new are found and the removed never come back."""
    rng = np.random.default_rng(7)
    extra = case.draw(rng, GROW)
    labels = np.arange(case.n, case.n + GROW)
    start = time.perf_counter()
    index.add_items(extra, labels, num_threads=1)
    add_ms = (time.perf_counter() - start) * 1000 / GROW
    found = np.mean([index.knn_query(v, 1, num_threads=1)[0][0][0] == k for v, k in zip(extra[:200], labels[:200])])
    start = time.perf_counter()
    for label in range(GROW):
        index.mark_deleted(label)
    remove_ms = (time.perf_counter() - start) * 1000 / GROW
    back = sum(int(np.isin(index.knn_query(case.stored[g], K, num_threads=1)[0][0], np.arange(GROW)).any())
               for g in range(200))
    return (f"add {add_ms:.2f} ms/vector (self found {found:.0%}), mark_deleted {remove_ms:.3f} ms/id, "
            f"removed ids returned: {back}/200")


def run_sqlite_vec(case: Case) -> list[Row]:
    """sqlite-vec's vec0 table in a SQLite file: insert, reopen, KNN by ``MATCH ... AND k = 10``.

    Through apsw: the standard ``sqlite3`` module of many Pythons (this one included) is built without
    extension loading, which veille, on the standard module, could not get round.
    """
    import apsw
    import sqlite_vec
    stdlib_loads = hasattr(sqlite3.Connection, "enable_load_extension")
    path = case.out / f"vec0_{case.n}.db"
    path.unlink(missing_ok=True)

    def connect() -> apsw.Connection:
        db = apsw.Connection(str(path))
        db.enable_load_extension(True)
        db.load_extension(sqlite_vec.loadable_path())
        return db
    db = connect()
    version = db.execute("SELECT vec_version()").fetchone()[0]
    row = Row(case.n, "sqlite-vec vec0", f"float[{DIMS}], {version}, via apsw")
    db.execute(f"CREATE VIRTUAL TABLE v USING vec0(embedding float[{DIMS}])")
    start = time.perf_counter()
    with db:
        for begin in range(0, case.n, 20_000):
            part = case.stored[begin:begin + 20_000]
            db.executemany("INSERT INTO v(rowid, embedding) VALUES (?, ?)",
                           [(begin + i + 1, part[i].tobytes()) for i in range(len(part))])
    row.build_s = time.perf_counter() - start
    db.close()
    row.file_mb = path.stat().st_size / 1e6
    start = time.perf_counter()
    db = connect()
    row.load_s = time.perf_counter() - start
    knn = "SELECT rowid FROM v WHERE embedding MATCH ? AND k = ?"

    def search(q: np.ndarray) -> np.ndarray:
        return np.array([r[0] - 1 for r in db.execute(knn, (q.astype(np.float32).tobytes(), K))], dtype=np.int64)
    measure_queries(row, case, search)

    def filtered(share: float, mask: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        wanted = ",".join(str(int(r) + 1) for r in np.flatnonzero(mask))
        sql = f"SELECT rowid FROM v WHERE embedding MATCH ? AND k = ? AND rowid IN ({wanted})"
        return lambda q: np.array([r[0] - 1 for r in db.execute(sql, (q.astype(np.float32).tobytes(), K))],
                                  dtype=np.int64)
    try:
        measure_filtered(row, case, filtered)
    except apsw.Error as error:
        row.grow = f"filter by rowid IN (...) failed: {error}; "
    start = time.perf_counter()
    with db:
        db.executemany("DELETE FROM v WHERE rowid = ?", [(r,) for r in range(1, GROW + 1)])
    remove_ms = (time.perf_counter() - start) * 1000 / GROW
    row.grow += (f"INSERT / DELETE by rowid (delete {remove_ms:.3f} ms/id); brute force (no ANN index in this "
                 f"version); the standard sqlite3 module here {'can' if stdlib_loads else 'CANNOT'} load it")
    db.close()
    path.unlink()
    return [row]


def fmt(value: float, digits: int = 1) -> str:
    return "–" if value != value else f"{value:.{digits}f}"


def print_table(rows: list[Row]) -> None:
    head = ("| N | method | setting | build s | memory MB | file MB | load s | p50 ms | p95 ms | recall@10 random "
            "| recall@10 near | 10 % filter recall / p95 ms | 1 % filter recall / p95 ms |")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for r in rows:
        cells = [f"{r.n:,}".replace(",", " "), r.method, r.setting, fmt(r.build_s), fmt(r.mem_mb, 0), fmt(r.file_mb, 0),
                 fmt(r.load_s, 2), fmt(r.p50, 2), fmt(r.p95, 2), fmt(r.recall_random, 3), fmt(r.recall_near, 3)]
        for share in FILTERS:
            got = r.filtered.get(share)
            cells.append(f"{got[0]:.3f} / {got[1]:.1f}" if got else "")
        print("| " + " | ".join(cells) + " |")
    print()
    for r in rows:
        if r.grow:
            print(f"- {r.n} {r.method} ({r.setting}): {r.grow}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--only", default="brute,usearch,hnswlib,sqlite-vec")
    parser.add_argument("--ef", default="64,128,256,512", help="search expansions swept for the HNSW candidates")
    parser.add_argument("--usearch-dtypes", default="f16,i8")
    parser.add_argument("--connectivity", type=int, default=16, help="HNSW M (links per node)")
    parser.add_argument("--ef-add", type=int, default=128, help="HNSW expansion while building")
    parser.add_argument("--queries", type=int, default=200, help="per query set (random, near)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--out", default=str(HERE / "out" / "ann"))
    parser.add_argument("--data", choices=("random", "e5like"), default="random",
                        help="random unit vectors, or a Gaussian fitted to the real e5 vectors of --real")
    parser.add_argument("--real", help="a veille knowledge base holding real e5 vectors (for --data e5like)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    only = set(args.only.split(","))
    efs = [int(e) for e in args.ef.split(",")]
    draw = unit_rows
    if args.data == "random":
        print(f"RANDOM unit vectors ({DIMS} dims, seed {args.seed}): a hard case for ANN; real e5 embeddings are "
              f"not uniform on the sphere and are easier.", flush=True)
    else:
        real = real_vectors(Path(args.real))
        draw = e5_like(real)
        print(f"E5-LIKE vectors: a Gaussian with the mean and covariance of {len(real)} real e5 vectors of "
              f"{args.real}, normalised (mean cosine between real vectors {mean_cosine(real):.3f}, between drawn "
              f"ones {mean_cosine(draw(np.random.default_rng(0), 2000)):.3f}, between random unit vectors "
              f"{mean_cosine(unit_rows(np.random.default_rng(0), 2000)):.3f}).", flush=True)
    print(f"{args.queries} queries drawn the same way + {args.queries} near queries (a stored vector plus noise, "
          f"cosine ≈ 0.86); one thread per query; builds on 2 threads. CPUs: {os.cpu_count()}.", flush=True)
    rows: list[Row] = []
    for n in (int(s) for s in args.sizes.split(",")):
        start = time.perf_counter()
        stored, random_q, near_q = make_data(n, args.queries, args.seed, draw)
        rng = np.random.default_rng(args.seed + 1)
        masks = {share: rng.random(n) < share for share in FILTERS}
        case = Case(n, stored, random_q, near_q, exact_top(stored, random_q), exact_top(stored, near_q), masks,
                    {share: exact_top(stored, random_q, m) for share, m in masks.items()}, out, draw)
        print(f"N={n}: data and exact top-{K} in {time.perf_counter() - start:.1f} s", flush=True)
        runs = {"brute": lambda: run_brute(case),
                "usearch": lambda: run_usearch(case, efs, args.usearch_dtypes.split(","), args.connectivity, args.ef_add),
                "hnswlib": lambda: run_hnswlib(case, efs, args.connectivity, args.ef_add),
                "sqlite-vec": lambda: run_sqlite_vec(case)}
        for name, run in runs.items():
            if name not in only:
                continue
            try:
                got = run()
            except ImportError as error:
                print(f"  {name}: not installed ({error})", flush=True)
                continue
            rows.extend(got)
            print(f"  {name}: done ({len(got)} rows)", flush=True)
            print_table(got)
            sys.stdout.flush()
        case = stored = None  # free the matrix before the next size
        gc.collect()
    print("\n## All results\n")
    print_table(rows)
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
