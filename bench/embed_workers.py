"""`veille embed` with 1, 2 and 3 worker processes on one PostgreSQL knowledge base: chunks embedded per second
overall, and by each worker.

The seed corpus and part of ../shared/realdata are ingested once without embeddings (`--no-embed`) into a
SQLite file; each run copies it into a new database of a throwaway PostgreSQL (`veille migrate`), leaves
``--chunks`` chunks without a vector (the others get random vectors, not embedded), starts the workers at once
and times them until the last one ends (process start and model load included). The machine's load average is
printed before and after each run: other processes share the cores.

    python bench/embed_workers.py [--chunks 300] [--workers 1 2 3]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SOURCES = [SHARED / "corpus", SHARED / "realdata" / "whatsapp-chat-parser", SHARED / "realdata" / "slack-export",
           SHARED / "realdata" / "chat-miner", SHARED / "realdata" / "trafilatura-eval-fr"]
sys.path.insert(0, str(ROOT / "src"))

from veille import KnowledgeBase  # noqa: E402
from veille.devdb import new_database, temporary_server  # noqa: E402
from veille.migrate import migrate  # noqa: E402
from veille.store import open_store  # noqa: E402


def template(folder: Path) -> tuple[str, int]:
    """The sources ingested without embeddings into a SQLite file; its chunks."""
    path = str(folder / "template.db")
    with KnowledgeBase(path, embed=False) as kb:
        kb.ingest([s for s in SOURCES if s.exists()])
        return path, kb.stats()["chunks"]


def prepared(server, source: str, chunks: int) -> str:
    """A new database holding ``source``, every chunk but the first ``chunks`` with a random vector."""
    uri = new_database(server, "embed")
    migrate(source, uri)
    store = open_store(uri)
    try:
        extra = store.missing_vectors(1_000_000)[chunks:]
        if extra:
            vectors = np.random.default_rng(0).standard_normal((len(extra), 384)).astype(np.float32)
            store.put_vectors([m.rowid for m in extra], vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
        store.set_meta("embedding_model", "multilingual-e5-small")
        store.set_meta("embedding_dims", "384")
        assert store.count_vectors()[1] == chunks, store.count_vectors()
    finally:
        store.close()
    return uri


def run(uri: str, workers: int) -> tuple[float, list[int]]:
    """Seconds until the last of ``workers`` `veille embed` processes ends, and the chunks each embedded."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    started = time.monotonic()
    processes = [subprocess.Popen([sys.executable, "-m", "veille", "--db", uri, "embed"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(workers)]
    counts = []
    for process in processes:
        out, err = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"a worker failed: {err}")
        counts.append(int(re.search(r"^(\d+) chunks embedded", out, re.M).group(1)))
    return time.monotonic() - started, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chunks", type=int, default=300, help="chunks to embed in each run (default 300)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 3], help="worker counts (default 1 2 3)")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; chunks embedded per run: {args.chunks}")
    with tempfile.TemporaryDirectory() as scratch, temporary_server() as server:
        source, stored = template(Path(scratch))
        print(f"template: {stored} chunks ingested with --no-embed")
        if stored < args.chunks:
            raise SystemExit(f"only {stored} chunks in the sources: ask for fewer")
        print(f"{'workers':>7} {'seconds':>8} {'chunks/s':>9} {'speed-up':>8}  {'per worker':<16} "
              "load before → after")
        single = None
        for workers in args.workers:
            uri = prepared(server, source, args.chunks)
            before = os.getloadavg()[0]
            seconds, counts = run(uri, workers)
            after = os.getloadavg()[0]
            rate = sum(counts) / seconds
            single = single or rate
            assert sum(counts) == args.chunks, counts
            print(f"{workers:>7} {seconds:>8.1f} {rate:>9.2f} {rate / single:>7.2f}x  "
                  f"{'+'.join(map(str, counts)):<16} {before:.1f} → {after:.1f}", flush=True)


if __name__ == "__main__":
    main()
