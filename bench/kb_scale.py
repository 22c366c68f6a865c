"""Build a large veille SQLite knowledge base cheaply: a real one's rows replicated, and synthetic vectors.

Embedding a million passages takes days on this machine, and ingesting them hours, so a knowledge base of
N chunks is made from a real one (``bench/out/bench.db``: 103 689 chunks of the benchmark corpus, see
README.md "The corpus") by copying its rows with shifted row ids until N chunks are stored:

- copy 0 is the source file itself (every table);
- copies 1, 2… add its documents (id and source suffixed ``#copyC``; their text left empty unless
  ``full``), chunks and chunk keys (row id + C × the source's highest chunk row id), and postings (``base``
  shifted the same way: a postings row stores chunk indexes relative to ``base``, so its BLOBs stay as they
  are). With ``full``, units and figures are copied too (the file then passes ``veille check``); without, the
  copies have no units (search reads none; ``show`` of a copy fails) and the file is ~40 % smaller;
- the last copy takes whole documents only, so the count lands at or just under N.

The lexical index is therefore real postings, each term's list ten times longer at a million chunks. Every
chunk then gets a vector: unit vectors drawn from a Gaussian with the mean and covariance of real e5 vectors
(``real``: a knowledge base holding some, see ann_choice.py "e5-like"), or random unit vectors when no real
vectors are given (the hard case for an approximate index). float16, as veille stores them.

    python bench/kb_scale.py OUT.db --chunks 1000000 [--source bench/out/bench.db] [--real KB.db] [--full]

or, from Python (another benchmark)::

    from kb_scale import build_scaled_kb
    build_scaled_kb(Path("big.db"), 1_000_000, real=Path("kb_with_vectors.db"))
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE / "out" / "bench.db"
DIMS = 384
VECTOR_BLOCK = 100_000

_DOC_COLUMNS = ("id", "source", "kind", "format", "title", "language", "date", "participants", "metadata",
                "report", "fingerprint", "text", "ingested_at")
_CHUNK_COLUMNS = ("id", "document_id", "idx", "text", "context", "unit_start", "unit_end", "context_start",
                  "tokens", "messages", "period_start", "period_end", "time_start", "time_end", "participants",
                  "who", "topics", "topics_folded", "section", "kind", "source", "line_start", "line_end", "mentions")
_KEY_COLUMNS = ("id", "length", "kind", "time_start", "time_end", "who", "topics", "source", "mentions")


def real_vectors(path: Path) -> np.ndarray:
    """The float16 vectors stored in a veille knowledge base, as float32."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    blobs = [r[0] for r in db.execute("SELECT vector FROM vectors")]
    db.close()
    if not blobs:
        raise SystemExit(f"{path}: no vectors stored")
    return np.frombuffer(b"".join(blobs), dtype="<f2").astype(np.float32).reshape(len(blobs), -1)


def vector_drawer(real: Path | None, dims: int = DIMS) -> Callable[[np.random.Generator, int], np.ndarray]:
    """Draws unit vectors: e5-like (the mean and covariance of ``real``'s vectors) or uniform on the sphere."""
    if real is None:
        def uniform(rng: np.random.Generator, n: int) -> np.ndarray:
            rows = rng.standard_normal((n, dims), dtype=np.float32)
            return rows / np.linalg.norm(rows, axis=1, keepdims=True)
        return uniform
    sample = real_vectors(real)
    mean = sample.mean(axis=0)
    values, axes = np.linalg.eigh(np.cov(sample, rowvar=False))
    scale = (axes * np.sqrt(np.clip(values, 0, None))).T.astype(np.float32)

    def e5_like(rng: np.random.Generator, n: int) -> np.ndarray:
        rows = rng.standard_normal((n, sample.shape[1]), dtype=np.float32) @ scale + mean
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return e5_like


def build_scaled_kb(out: Path, chunks: int, source: Path = DEFAULT_SOURCE, real: Path | None = None,
                    full: bool = False, seed: int = 0, log: Callable[[str], None] = print) -> int:
    """Write ``out``: ``source``'s rows replicated up to ``chunks`` chunks, each with a vector; the chunk count."""
    if not source.exists():
        raise SystemExit(f"{source}: not found (bench/README.md says how to make it)")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{out}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(out, isolation_level=None)
    src.backup(dst)  # copy 0: a consistent copy even if the source is being written
    src.close()
    db = dst
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("PRAGMA cache_size=-262144")
    db.execute("DELETE FROM vectors")
    top, per_copy = db.execute("SELECT MAX(id), COUNT(*) FROM chunks").fetchone()
    log(f"copied {source} ({per_copy} chunks) in {time.perf_counter() - started:.1f} s")
    total, copy = per_copy, 0
    while total < chunks:
        copy += 1
        shift, tag = copy * top, f"#copy{copy}"
        limit = chunks - total  # chunk rows still wanted: whole documents whose last chunk is within them
        db.execute("BEGIN")
        db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id TEXT PRIMARY KEY)")
        db.execute("DELETE FROM wanted")
        db.execute("""INSERT INTO wanted SELECT document_id FROM chunks WHERE id <= ? GROUP BY document_id
                      HAVING MAX(id) <= ?""", (top, _row_limit(db, top, limit)))
        doc_select = ", ".join(
            "d.id || :tag" if c == "id" else "d.source || :tag" if c == "source" else
            ("d.text" if full else "''") if c == "text" else f"d.{c}" for c in _DOC_COLUMNS)
        db.execute(f"INSERT INTO documents SELECT {doc_select} FROM documents d JOIN wanted w ON w.id = d.id",
                   {"tag": tag})
        chunk_select = ", ".join(
            "c.id + :shift" if c == "id" else "c.document_id || :tag" if c == "document_id" else
            "c.source || :tag" if c == "source" else f"c.{c}" for c in _CHUNK_COLUMNS)
        db.execute(f"INSERT INTO chunks ({', '.join(_CHUNK_COLUMNS)}) SELECT {chunk_select} FROM chunks c "
                   "JOIN wanted w ON w.id = c.document_id WHERE c.id <= :top", {"tag": tag, "shift": shift, "top": top})
        key_select = ", ".join("k.id + :shift" if c == "id" else "k.source || :tag" if c == "source" else f"k.{c}"
                               for c in _KEY_COLUMNS)
        db.execute(f"INSERT INTO chunk_keys ({', '.join(_KEY_COLUMNS)}) SELECT {key_select} FROM chunk_keys k "
                   "JOIN chunks c ON c.id = k.id JOIN wanted w ON w.id = c.document_id WHERE k.id <= :top",
                   {"tag": tag, "shift": shift, "top": top})
        db.execute("""INSERT INTO postings SELECT p.term, p.base + :shift, p.chunks, p.tfs FROM postings p
                      JOIN chunks c ON c.id = p.base JOIN wanted w ON w.id = c.document_id WHERE p.base <= :top""",
                   {"shift": shift, "top": top})
        if full:
            db.execute("INSERT INTO units SELECT u.document_id || :tag, u.idx, u.kind, u.author, u.time, u.offset, "
                       "u.section, u.start, u.end, u.line_start, u.line_end, u.text, u.meta FROM units u "
                       "JOIN wanted w ON w.id = u.document_id", {"tag": tag})
            db.execute("INSERT INTO figures SELECT f.document_id || :tag, f.idx, f.value, f.high, f.unit, f.kind, "
                       "f.text, f.approx, f.start, f.end FROM figures f JOIN wanted w ON w.id = f.document_id",
                       {"tag": tag})
            db.execute("INSERT INTO document_parts SELECT p.document_id || :tag, p.part, p.text FROM document_parts p "
                       "JOIN wanted w ON w.id = p.document_id", {"tag": tag})
        added = db.execute("SELECT COUNT(*) FROM chunks WHERE id > ?", (shift,)).fetchone()[0]
        db.execute("COMMIT")
        total += added
        log(f"copy {copy}: {added} chunks, {total} in all, {time.perf_counter() - started:.0f} s")
        if not added:
            break
    add_vectors(db, vector_drawer(real), seed, log)
    db.execute("INSERT OR REPLACE INTO meta VALUES ('embedding_dims', ?)", (str(DIMS),))
    db.execute("INSERT OR REPLACE INTO meta VALUES ('embedding_model', 'synthetic e5-like' )"
               if real else "INSERT OR REPLACE INTO meta VALUES ('embedding_model', 'synthetic random')")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    log(f"{out}: {total} chunks with vectors in {time.perf_counter() - started:.0f} s, "
        f"{out.stat().st_size / 1e9:.2f} GB")
    return total


def _row_limit(db: sqlite3.Connection, top: int, limit: int) -> int:
    """The source row id under which ``limit`` chunk rows lie (all of them when ``limit`` exceeds the source)."""
    if limit >= db.execute("SELECT COUNT(*) FROM chunks WHERE id <= ?", (top,)).fetchone()[0]:
        return top
    return db.execute("SELECT id FROM chunks WHERE id <= ? ORDER BY id LIMIT 1 OFFSET ?", (top, limit - 1)).fetchone()[0]


def add_vectors(db: sqlite3.Connection, draw: Callable[[np.random.Generator, int], np.ndarray], seed: int,
                log: Callable[[str], None] = print) -> None:
    """A float16 unit vector for every chunk, in row order (seeded: the same file gets the same vectors)."""
    rng = np.random.default_rng(seed)
    ids = np.fromiter((r[0] for r in db.execute("SELECT id FROM chunks ORDER BY id")), dtype=np.int64)
    started = time.perf_counter()
    for start in range(0, len(ids), VECTOR_BLOCK):
        part = ids[start:start + VECTOR_BLOCK]
        blobs = draw(rng, len(part)).astype("<f2")
        db.execute("BEGIN")
        db.executemany("INSERT INTO vectors VALUES (?, ?)", zip(part.tolist(), (b.tobytes() for b in blobs)))
        db.execute("COMMIT")
    log(f"{len(ids)} vectors in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--real", type=Path, help="a knowledge base with real e5 vectors (e5-like vectors)")
    parser.add_argument("--full", action="store_true", help="copy units, figures and text parts too")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    build_scaled_kb(args.out, args.chunks, args.source, args.real, args.full, args.seed)


if __name__ == "__main__":
    sys.exit(main())
