"""What a partial HNSW index per document kind would give PostgreSQL's filtered dense search (a proof of concept).

veille's PostgreSQL store compares a filter's kept rows exactly once they number ≥ EXACT_BELOW (244 ms p95
for ``kind=post`` at 1 000 000 chunks, bench/README.md). A partial index ``… WHERE kind = 'post'`` would hold
only those rows; this script measures one **on the benchmark database only**: it copies the rows of one kind
into a table of their own (what such an index holds), builds an HNSW index on it (m 32, ef_construction 128,
as veille's), and times 60 real-model queries per ef_search, recall@10 against numpy's exact top 10.

    python bench/pg_partial_index.py [--out bench/out/scale] [--size 1000000] [--ef 100,200,400]

It uses ``store_scale.py``'s server and databases (``OUT/pg``, ``OUT/kb_SIZE.db``); it adds a table
``post_vectors`` to that database and leaves veille's own tables as they are.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import store_scale as scale  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "out" / "scale")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--ef", default="100,200,400")
    args = parser.parse_args()
    import psycopg

    kind = "post"  # the filter store_scale.py measures (its exact truth is computed for it)
    table = f"{kind}_vectors"
    server = scale.start_server(args.out / "pg")
    try:
        uri = scale.database(server, f"scale_{args.size}", fresh=False)
        with psycopg.connect(uri, autocommit=True) as pg:
            started = time.perf_counter()
            pg.execute(f"DROP TABLE IF EXISTS {table}")
            pg.execute(f"CREATE TABLE {table} AS SELECT v.id, v.embedding FROM vectors v JOIN chunk_keys k "
                       "ON k.id = v.id WHERE k.kind = %s", (kind,))
            rows = pg.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            print(f"{rows} rows of kind {kind!r} copied in {time.perf_counter() - started:.0f} s", flush=True)
            started = time.perf_counter()
            pg.execute("SET maintenance_work_mem = '2GB'")
            pg.execute(f"CREATE INDEX ON {table} USING hnsw (embedding halfvec_cosine_ops) "
                       "WITH (m = 32, ef_construction = 128)")
            pg.execute(f"VACUUM ANALYZE {table}")
            print(f"HNSW index on them built in {time.perf_counter() - started:.0f} s\n", flush=True)
            texts = scale.query_texts(60)
            vectors, _ = scale.embed_queries(texts)
            truth = scale.exact_truth(args.out / f"kb_{args.size}.db",
                                      np.stack([vectors[t] for t in texts]))[f"kind={kind}"]
            scale.line("ef_search", "p50 ms", "p95 ms", "recall@10")
            scale.line("---:", "---:", "---:", "---:")
            for ef in (int(e) for e in args.ef.split(",")):
                pg.execute(f"SET hnsw.ef_search = {ef}")
                ms, recall = [], []
                for text, expected in zip(texts, truth):
                    query = "[" + ",".join(f"{v:.6f}" for v in vectors[text]) + "]"
                    started = time.perf_counter()
                    found = {r[0] for r in pg.execute(f"SELECT id FROM {table} ORDER BY embedding <=> %s::halfvec "
                                                      "LIMIT 10", (query,))}
                    ms.append((time.perf_counter() - started) * 1000)
                    recall.append(len(found & expected) / 10)
                scale.line(ef, scale.pct(ms, 50), f"**{scale.pct(ms, 95)}**", f"{np.mean(recall):.3f}")
    finally:
        server.cleanup()


if __name__ == "__main__":
    main()
