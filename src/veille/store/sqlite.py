"""The default store: one SQLite file, with BM25 postings for the lexical index and chunk vectors for the dense one."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import time
from contextlib import contextmanager
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from ..errors import StoreFull, VeilleError
from ..types import Chunk, CitedFigure, Document, Figure
from .base import CopiedDocument, Filters, MissingVector, StoredDocument, StoredHit, StoredUnit, date_bound
from .compact import POSTINGS_READ, MergeSettings, check_postings, lexical_index, merge_postings
from .postings import IDX_BYTES, BM25Ranker, DocumentTerms, Ranked
from .records import (COPY_ORDER_SQL, FIGURE_COLUMNS, STORE_CHECKS, ChunkKeys, chunk_from_row, cited_figure,
                      copied_document, figures_by_author, rank_postings)
from .vectors import ApproximateDense, DenseIndex, DenseSettings, KeyedMatrix, VectorGraph, usearch_index
from .writer import DocumentRowWriter, Tables, put_copied_rows, quoted_columns

#: How vectors are stored: little-endian float16, one BLOB per chunk.
VECTOR_DTYPE = np.dtype("<f2")

SCHEMA_VERSION = "6"  # 6: mentions of each chunk (chunks.mentions, chunk_keys.mentions)

#: How long one wait for the write lock lasts before veille says it is waiting, and how long it waits in all.
WRITER_WAIT_SECONDS = 1.0
WRITER_WAIT_LIMIT = 600.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    format TEXT NOT NULL,
    title TEXT,
    language TEXT,
    date TEXT,
    participants TEXT NOT NULL,
    metadata TEXT NOT NULL,
    report TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    text TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_source ON documents(source);
CREATE TABLE IF NOT EXISTS units (
    document_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    kind TEXT NOT NULL,
    author TEXT,
    time TEXT,
    offset REAL,
    section TEXT,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    line_start INTEGER NOT NULL,
    line_end INTEGER NOT NULL,
    text TEXT NOT NULL,
    meta TEXT,
    PRIMARY KEY (document_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    context TEXT NOT NULL,
    unit_start INTEGER NOT NULL,
    unit_end INTEGER NOT NULL,
    context_start INTEGER,
    tokens INTEGER NOT NULL,
    messages INTEGER NOT NULL,
    period_start TEXT,
    period_end TEXT,
    time_start TEXT,
    time_end TEXT,
    participants TEXT NOT NULL,
    who TEXT NOT NULL,
    topics TEXT NOT NULL,
    topics_folded TEXT NOT NULL,
    section TEXT,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    line_start INTEGER NOT NULL,
    line_end INTEGER NOT NULL,
    mentions TEXT NOT NULL DEFAULT '{}',  -- {name: person | organisation | place | null}, in order
    UNIQUE (document_id, idx)
);
CREATE INDEX IF NOT EXISTS chunks_kind_time ON chunks(kind, time_start);
-- What search filters on and BM25 needs, kept narrow so it loads fast.
CREATE TABLE IF NOT EXISTS chunk_keys (
    id INTEGER PRIMARY KEY,
    length INTEGER NOT NULL,
    kind TEXT NOT NULL,
    time_start TEXT,
    time_end TEXT,
    who TEXT NOT NULL,
    topics TEXT NOT NULL,
    source TEXT NOT NULL,
    mentions TEXT NOT NULL DEFAULT '||'  -- folded names and their known aliases: |edf|electricite de france|
);
-- The lexical index: per term and document, the chunks holding the term and how often.
-- Clustered by term, so a query reads each term's rows in one range; ``base`` (the
-- document's first chunk row id) identifies the document's rows for deletion.
CREATE TABLE IF NOT EXISTS postings (
    term TEXT NOT NULL,
    base INTEGER NOT NULL,
    chunks BLOB NOT NULL,
    tfs BLOB NOT NULL,
    PRIMARY KEY (term, base)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS postings_base ON postings(base);
-- Message identities of chat documents (see identity.py): finds a chat exported again.
-- ``pos`` is the message's rank among the document's keyed messages.
CREATE TABLE IF NOT EXISTS message_keys (
    key TEXT NOT NULL,
    document_id TEXT NOT NULL,
    pos INTEGER NOT NULL,
    PRIMARY KEY (key, document_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS message_keys_document ON message_keys(document_id, pos);
-- The dense index: one unit vector per chunk (float16), keyed by the chunk's row id. The model
-- that made them is in meta (embedding_model, embedding_dims). Added in schema 5 without a
-- version change: a file made before has no vectors, and gets them at its next ingest.
-- The text of a document too large to hold whole (a chat export read as a stream), in parts of
-- TEXT_PART characters; its ``documents.text`` is empty and its metadata says how many parts.
CREATE TABLE IF NOT EXISTS document_parts (
    document_id TEXT NOT NULL,
    part INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (document_id, part)
) WITHOUT ROWID;
-- The figures of each unit (enrich/figures.py): value in the base unit, ``high`` for a range; ``start``/``end``
-- are offsets in the unit's text.
CREATE TABLE IF NOT EXISTS figures (
    document_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    value REAL NOT NULL,
    high REAL,
    unit TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    approx TEXT,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS figures_document ON figures(document_id, idx);
CREATE INDEX IF NOT EXISTS figures_unit ON figures(unit, value);
CREATE TABLE IF NOT EXISTS vectors (
    id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    vector BLOB NOT NULL
);
"""


def _tell_stderr(message: str) -> None:
    print(f"veille: {message}", file=sys.stderr, flush=True)


class SQLiteStore:
    """Documents, units, chunks and the BM25 index in one file (``:memory:`` works too).

    Readers never wait on writers: the file is in WAL mode, opening an existing file writes nothing
    (the schema is written when the file is new), and reads never take the write lock. Writers take
    turns: a write transaction waits for another one to end, and says so (``on_wait``, stderr by
    default) when that takes more than a second. A file this process may not write is opened read-only.
    """

    def __init__(self, path: str | Path, on_wait: Callable[[str], None] = _tell_stderr) -> None:
        self.path = str(path)
        self.on_wait = on_wait
        file = Path(self.path)
        self.readonly = self.path != ":memory:" and file.exists() and not _writable(file)
        if self.readonly:
            self.db = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                      check_same_thread=False, timeout=WRITER_WAIT_SECONDS)
            self.db.execute("PRAGMA query_only=ON")
        else:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                      timeout=WRITER_WAIT_SECONDS)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA cache_size=-65536")  # 64 MB of pages: postings of common terms stay in memory
        self.db.execute("PRAGMA mmap_size=268435456")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.ranker = BM25Ranker()
        self.dense = DenseIndex()  # every vector (exact search), or the rows the graph does not answer for
        self.dense_settings = DenseSettings()
        self.merge_settings = MergeSettings()
        self._approximate: ApproximateDense | None = None
        self._graph: tuple[str, Any, KeyedMatrix] | None = None  # (file name, usearch index, vectors) mapped
        self._dense_mode = "not loaded yet"
        self._batch_size = 0
        self._batch_seconds = 0.0
        self._batch_started = 0.0
        self._pending = 0
        self._written = False  # inside batch(): a document written since the last commit
        self._on_commit: Callable[[], None] | None = None
        self._key_cache: ChunkKeys | None = None
        self._key_version: int | None = None
        self._key_removals: str | None = None  # the file's count of chunk removals when the keys were read
        self._keys_added = False  # another connection has written since: chunk keys may have been added
        self._own_writes = 0  # moves at each write of this connection (data_version moves at others')
        self._memos: dict[str, tuple[tuple[int, int], Any]] = {}
        self._claiming = False  # inside claim_missing_vectors
        try:
            if not self._check_schema():
                self._create_schema()
        except BaseException:
            self.db.close()
            raise

    def _check_schema(self) -> bool:
        """Whether the file holds every table already (it refuses another version's file)."""
        tables = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        found = self.db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() if "meta" in tables else None
        if found and found[0] != SCHEMA_VERSION:
            raise VeilleError(f"{self.path}: made by another version of veille (schema {found[0]}, this one "
                              f"reads {SCHEMA_VERSION}); ingest your sources into a new file")
        return _TABLES <= tables

    def _create_schema(self) -> None:
        """Tables of a new file (or one made before a table was added), in WAL mode: the only write at open."""
        if self.readonly:
            raise VeilleError(f"{self.path}: not a veille knowledge base, and read-only")
        if self.path != ":memory:":
            self._wait_for_writer(lambda: self.db.execute("PRAGMA journal_mode=WAL"))
        self._begin()
        try:
            for statement in _SCHEMA.split(";\n"):
                if statement.strip():
                    self.db.execute(statement)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            if self.db.execute("SELECT 1 FROM units LIMIT 1").fetchone() is None:  # nothing stored without figures
                self.db.execute("INSERT OR IGNORE INTO meta VALUES ('figures', 'stored with their units')")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # -- transactions -------------------------------------------------------
    def _begin(self) -> None:
        """Start a write transaction, once another writer has finished."""
        self._wait_for_writer(lambda: self.db.execute("BEGIN IMMEDIATE"))

    def _wait_for_writer(self, statement: Callable[[], object]) -> None:
        """Run a statement that needs the write lock, retrying while another connection holds it.

        SQLite's busy timeout waits a second at a time; past the first, veille says it is waiting (once).
        """
        started = time.monotonic()
        told = False
        while True:
            try:
                statement()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
            waited = time.monotonic() - started
            if waited > WRITER_WAIT_LIMIT:
                raise VeilleError(f"{self.path}: another process has been writing to it for "
                                  f"{waited:.0f} s; try again when it has finished")
            if not told:
                self.on_wait(f"waiting for another writer on {self.path}…")
                told = True

    # -- settings -----------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Record a setting; nothing is written when it is already so."""
        if self.get_meta(key) == value:
            return
        if self.db.in_transaction:
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
            return
        with self._transaction():
            self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction of its own: committed at the end, rolled back on failure (a full disk said so)."""
        self._begin()
        try:
            yield
            self.db.execute("COMMIT")
        except BaseException as exc:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            _raise_full(exc, self.path)
            raise

    # -- writing ------------------------------------------------------------
    def put_document(self, doc: Document, chunks: list[Chunk], terms: DocumentTerms,
                     fingerprint: str, replace_id: str | None = None,
                     message_keys: list[str | None] | None = None, vectors: np.ndarray | None = None) -> None:
        """Store a document, its units, chunks, index entries and vectors: all of it or nothing.

        ``vectors`` has one row per chunk, in chunk order. Inside ``batch()`` the
        document is a savepoint of the batch's transaction.
        """
        if vectors is not None and len(vectors) != len(chunks):
            raise ValueError(f"{len(vectors)} vectors for {len(chunks)} chunks")
        with self.writing(doc, fingerprint, replace_id) as writer:
            writer.add_units(doc.units)
            writer.add_chunks(doc.units, chunks, terms, vectors)
            writer.add_message_keys(message_keys or [])
            writer.add_text(doc.text)

    @contextmanager
    def writing(self, doc: Document, fingerprint: str, replace_id: str | None = None) -> Iterator[DocumentRowWriter]:
        """A document written in parts (units, chunks, keys, text) in one transaction: all of it or nothing.

        The document's row is written last, from ``doc`` as it stands then: a
        document read as a stream may learn its participants and report on the way.
        """
        with self._write("document"):
            if replace_id:
                self._delete(replace_id)
            writer = DocumentRowWriter(SQLiteTables(self.db), doc)
            yield writer
            writer.close(fingerprint)

    def put_vectors(self, rowids: list[int], vectors: np.ndarray) -> None:
        """Store vectors of chunks already stored (those removed meanwhile are skipped)."""
        if len(rowids) != len(vectors):
            raise ValueError(f"{len(vectors)} vectors for {len(rowids)} chunks")
        with self._write("vectors", chunks=False):
            self.db.executemany("INSERT OR REPLACE INTO vectors SELECT id, ? FROM chunks WHERE id = ?",
                                [(blob, rowid) for rowid, blob in _vector_rows(rowids, vectors)])
            self._log_vector_changes(_id_ranges(rowids))

    # -- copying between stores (veille migrate) --------------------------------
    def copy_order(self) -> list[str]:
        """Every stored document's id, in the order its chunks were stored (documents without chunks last)."""
        return [r[0] for r in self.db.execute(COPY_ORDER_SQL)]

    def export_document(self, doc_id: str) -> CopiedDocument | None:
        """A stored document with everything derived from it, store-neutral, or None."""
        def vectors(rowids: list[int]) -> dict[int, np.ndarray]:
            found = {}
            for start in range(0, len(rowids), 500):
                part = rowids[start:start + 500]
                for rowid, blob in self.db.execute(
                        f"SELECT id, vector FROM vectors WHERE id IN ({','.join('?' * len(part))})", part):
                    found[rowid] = np.frombuffer(blob, dtype=VECTOR_DTYPE).copy()
            return found

        return copied_document(doc_id, lambda sql, args: self.db.execute(sql, args).fetchall(), vectors)

    def put_copied(self, record: CopiedDocument) -> None:
        """Store an exported document as it was, in one transaction; its chunks numbered after the last stored."""
        with self._write("document"):
            put_copied_rows(SQLiteTables(self.db), record)

    def missing_vectors(self, limit: int) -> list[MissingVector]:
        """Up to ``limit`` stored chunks without a vector, in row order."""
        rows = self.db.execute(
            """SELECT c.id, c.text, c.section, d.title FROM chunks c JOIN documents d ON d.id = c.document_id
               WHERE NOT EXISTS (SELECT 1 FROM vectors v WHERE v.id = c.id) ORDER BY c.id LIMIT ?""",
            (limit,)).fetchall()
        return [MissingVector(r[0], r[1], r[3], r[2]) for r in rows]

    def _memo(self, name: str, compute: Callable[[], Any]) -> Any:
        """``compute()``, kept until this connection or another one writes to the file."""
        key = (self.data_version(), self._own_writes)
        if self._memos.get(name, (None,))[0] != key:
            self._memos[name] = (key, compute())
        return self._memos[name][1]

    def count_vectors(self) -> tuple[int, int]:
        """(chunks with a vector, chunks without)."""
        return self._memo("count_vectors", self._count_vectors)

    def _count_vectors(self) -> tuple[int, int]:
        with_vector = self.db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
        return with_vector, self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0] - with_vector

    @contextmanager
    def batch(self, size: int = 64, seconds: float = 0.5,
              on_commit: Callable[[], None] | None = None) -> Iterator[None]:
        """Write the documents put inside in shared transactions, short ones.

        A transaction opens at the first write and commits at ``flush()`` (call it before waiting for
        anything: another writer may be waiting for the lock), or at the next write once it holds
        ``size`` documents or is ``seconds`` old (never inside ``put_document``: when it returns, the
        document is in the open transaction). Sharing a commit spares rewriting the same index pages
        once per document; each document stays whole or absent (a savepoint each). ``on_commit`` is
        called after each commit: what was put before is stored. When the block ends by an exception
        (Ctrl-C included), what was not committed yet is rolled back.
        """
        if self._batch_size:
            yield
            return
        self._batch_size, self._batch_seconds, self._on_commit, self._pending = size, seconds, on_commit, 0
        self._written = False
        try:
            yield
        except BaseException as exc:
            self._own_writes += 1  # what was remembered may count documents rolled back now
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            elif on_commit is not None and not self._written:  # stopped after a commit, before it was told
                on_commit()
            # else SQLite rolled the transaction back itself (a full disk): what it held is not stored
            _raise_full(exc, self.path)
            raise
        else:
            self.flush()
        finally:
            self._batch_size, self._on_commit = 0, None
        try:
            self.refresh_dense_graph()
        except (OSError, ValueError, RuntimeError, VeilleError) as exc:  # what was written is stored all the same
            self.on_wait(f"the dense graph beside {self.path} was not refreshed ({exc}); searches score the rows "
                         "it lacks exactly, and the next ingest tries again")
        self.merge_postings()

    def merge_postings(self, force: bool = False) -> str:
        """Fold the postings of the documents stored since the last merge into one row per term, when enough
        are (``merge_settings``) or ``force``: what was done, in words (see store/compact.py)."""
        return merge_postings(SQLiteTables(self.db), self._transaction, self.merge_settings, force)

    def flush(self) -> None:
        """Commit the batch's open transaction, if any."""
        if self._batch_size and self.db.in_transaction:
            self.db.execute("COMMIT")
            self._pending = 0
        self._written = False
        if self._on_commit is not None:
            self._on_commit()

    def start_write(self) -> None:
        """Inside ``batch()``: take the write lock now (the batch's transaction), so that what is read
        next is what the coming write will see; ``flush()`` lets it go."""
        if not self._batch_size:
            return
        if self.db.in_transaction and (self._pending >= self._batch_size
                                       or time.monotonic() - self._batch_started >= self._batch_seconds):
            self.flush()
        if not self.db.in_transaction:
            self._begin()
            self._batch_started = time.monotonic()

    def data_version(self) -> int:
        """A number that moves when another connection commits to the file."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    @contextmanager
    def claim_missing_vectors(self, limit: int) -> Iterator[list[MissingVector]]:
        """Up to ``limit`` chunks without a vector, claimed by holding the write lock for the block: vectors
        put inside are committed at its end (nothing of them when it fails). One writer at a time in SQLite,
        so claims never overlap; the lock is held while the caller embeds."""
        if self._batch_size:
            self.flush()
        self._claiming = True
        try:
            with self._transaction():
                yield self.missing_vectors(limit)
        finally:
            self._claiming = False
            self.dense.invalidate()
            self._own_writes += 1

    @contextmanager
    def _write(self, savepoint: str, chunks: bool = True) -> Iterator[None]:
        """One write (of a document's rows, or of vectors only when not ``chunks``): committed, or released into
        the open batch, when it ends; undone when it fails; what is held in memory is stale either way."""
        self._open_write(savepoint)
        try:
            yield
        except BaseException:
            self._abort_write(savepoint)
            raise
        finally:
            if chunks:
                self.ranker.invalidate()
            self.dense.invalidate()
            self._own_writes += 1
        self._close_write(savepoint)

    def _open_write(self, savepoint: str) -> None:
        """Start writing one document or set of vectors: a savepoint of the batch's transaction, or its own."""
        if self._claiming:  # inside claim_missing_vectors: its transaction
            self.db.execute(f"SAVEPOINT {savepoint}")
            return
        if not self._batch_size:
            self._begin()
            return
        self.start_write()
        self._written = True  # written in the batch's open transaction, not committed yet
        self.db.execute(f"SAVEPOINT {savepoint}")

    def _close_write(self, savepoint: str) -> None:
        if self._claiming:
            self.db.execute(f"RELEASE {savepoint}")
            return
        if not self._batch_size:
            self.db.execute("COMMIT")
            return
        self.db.execute(f"RELEASE {savepoint}")
        self._pending += 1

    def _abort_write(self, savepoint: str) -> None:
        """Undo a write begun by ``_open_write``: back to its savepoint in a batch, else the whole transaction."""
        if self._batch_size:
            self.db.execute(f"ROLLBACK TO {savepoint}")
            self.db.execute(f"RELEASE {savepoint}")
        elif self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def _delete(self, doc_id: str) -> bool:
        db = self.db
        db.execute("DELETE FROM chunk_keys WHERE id IN (SELECT id FROM chunks WHERE document_id = ?)", (doc_id,))
        # counted, so that other connections know their in-memory keys are not just short of new rows
        db.execute("INSERT INTO meta VALUES ('chunk_removals', '1') ON CONFLICT (key) DO UPDATE SET "
                   "value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)")
        db.execute("DELETE FROM postings WHERE base IN (SELECT id FROM chunks WHERE document_id = ?)", (doc_id,))
        first, last = db.execute("SELECT MIN(id), MAX(id) FROM chunks WHERE document_id = ?", (doc_id,)).fetchone()
        if first is not None:  # the dense graph must not answer for these rows any more (their ids may come back)
            self._log_vector_changes([(first, last + 1)])
        db.execute("DELETE FROM vectors WHERE id IN (SELECT id FROM chunks WHERE document_id = ?)", (doc_id,))
        db.execute("DELETE FROM chunks WHERE document_id = ?", (doc_id,))
        self.ranker.invalidate()
        self.dense.invalidate()
        self._own_writes += 1
        db.execute("DELETE FROM units WHERE document_id = ?", (doc_id,))
        db.execute("DELETE FROM figures WHERE document_id = ?", (doc_id,))
        db.execute("DELETE FROM message_keys WHERE document_id = ?", (doc_id,))
        db.execute("DELETE FROM document_parts WHERE document_id = ?", (doc_id,))
        return db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount > 0

    def remove(self, doc_id: str) -> bool:
        db = self.db
        self._begin()
        try:
            removed = self._delete(doc_id)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return removed

    # -- reading ------------------------------------------------------------
    def find_source(self, source: str) -> tuple[str, str] | None:
        row = self.db.execute("SELECT id, fingerprint FROM documents WHERE source = ?", (source,)).fetchone()
        return (row[0], row[1]) if row else None

    def shared_messages(self, keys: list[str]) -> dict[str, dict[str, int]]:
        """Stored documents holding any of ``keys``: each shared key and its rank in that document."""
        found: dict[str, dict[str, int]] = {}
        unique = sorted(set(keys))
        for i in range(0, len(unique), 500):
            part = unique[i:i + 500]
            rows = self.db.execute(
                f"SELECT key, document_id, pos FROM message_keys WHERE key IN ({','.join('?' * len(part))})", part)
            for key, doc_id, pos in rows:
                found.setdefault(doc_id, {})[key] = pos
        return found

    def count_messages(self, doc_id: str, first: int | None = None, last: int | None = None) -> int:
        """Keyed messages of a stored document (those ranked ``first`` to ``last`` when given)."""
        if first is None or last is None:
            return self.db.execute("SELECT COUNT(*) FROM message_keys WHERE document_id = ?",
                                   (doc_id,)).fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM message_keys WHERE document_id = ? AND pos BETWEEN ? AND ?",
                               (doc_id, first, last)).fetchone()[0]

    def has_document(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT source FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def resolve(self, ref: str) -> list[str]:
        """Document ids matching an id, a source path or an export holding several documents, exactly."""
        rows = self.db.execute(
            "SELECT id FROM documents WHERE id = ? OR source = ?"
            " OR substr(source, 1, length(?) + 1) = ? || '#' ORDER BY source, id",  # the conversations of an export
            (ref, ref, ref, ref),
        ).fetchall()
        return [r[0] for r in rows]

    def match_prefix(self, prefix: str) -> list[str]:
        """Ids of the documents whose id starts with ``prefix`` (compared as text: no wildcard, no LIKE)."""
        rows = self.db.execute("SELECT id FROM documents WHERE substr(id, 1, length(?)) = ? ORDER BY source, id",
                               (prefix, prefix)).fetchall()
        return [r[0] for r in rows]

    def documents(self) -> list[StoredDocument]:
        return self._documents("ORDER BY d.source")

    def document(self, doc_id: str) -> StoredDocument | None:
        found = self._documents("WHERE d.id = ?", (doc_id,))
        return found[0] if found else None

    def units(self, doc_id: str, start: int, end: int) -> list[StoredUnit]:
        rows = self.db.execute(
            "SELECT document_id, idx, kind, author, time, offset, section, line_start, line_end, text FROM units "
            "WHERE document_id = ? AND idx >= ? AND idx < ? ORDER BY idx", (doc_id, start, end)).fetchall()
        return [StoredUnit(**dict(r)) for r in rows]

    def participants(self) -> list[str]:
        return self._memo("participants", self._participants)

    def _participants(self) -> list[str]:
        names: dict[str, None] = {}
        for (listed,) in self.db.execute("SELECT participants FROM documents ORDER BY source, id"):
            names.update(dict.fromkeys(json.loads(listed)))
        return list(names)

    def chunk_bounds(self, doc_id: str, first: int, end: int) -> list[tuple[int, int, int]]:
        """(chunk index, first unit, unit after the last) of the document's chunks that meet units [first, end)."""
        return [tuple(r) for r in self.db.execute(
            "SELECT idx, unit_start, unit_end FROM chunks WHERE document_id = ? AND unit_end > ? AND unit_start < ? "
            "ORDER BY idx", (doc_id, first, end))]

    def timeline(self, doc_id: str) -> list[tuple[str, str, int]]:
        """(author, day, messages) of a conversation, for each day an author wrote."""
        return [tuple(r) for r in self.db.execute(
            "SELECT author, substr(time, 1, 10), count(*) FROM units WHERE document_id = ? AND kind = 'message' "
            "AND author IS NOT NULL AND time IS NOT NULL GROUP BY 1, 2 ORDER BY 2, 1", (doc_id,))]

    def unit_at_line(self, doc_id: str, line: int) -> int | None:
        row = self.db.execute("SELECT idx FROM units WHERE document_id = ? AND line_start <= ? AND line_end >= ? "
                              "ORDER BY idx LIMIT 1", (doc_id, line, line)).fetchone()
        return row[0] if row else None

    def chunk_frequencies(self, terms: list[str]) -> tuple[int, dict[str, int]]:
        found = dict.fromkeys(terms, 0)
        if terms:
            rows = self.db.execute(
                f"SELECT term, SUM(length(chunks)) FROM postings WHERE term IN ({','.join('?' * len(terms))}) "
                "AND base > 0 GROUP BY term", list(terms)).fetchall()
            found.update({term: size // IDX_BYTES for term, size in rows})
        return self.db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0], found

    def _documents(self, where: str, args: tuple[Any, ...] = ()) -> list[StoredDocument]:
        rows = self.db.execute(
            f"""SELECT d.*, (SELECT COUNT(*) FROM chunks c WHERE c.document_id = d.id) AS n_chunks,
                      (SELECT COUNT(*) FROM units u WHERE u.document_id = d.id) AS n_units
               FROM documents d {where}""", args
        ).fetchall()
        return [StoredDocument(
            id=r["id"], source=r["source"], kind=r["kind"], format=r["format"], title=r["title"],
            participants=json.loads(r["participants"]), chunks=r["n_chunks"], units=r["n_units"],
            ingested_at=r["ingested_at"], metadata=json.loads(r["metadata"]),
        ) for r in rows]

    def document_text(self, doc_id: str) -> str | None:
        """The document's decoded text (joined from its parts when it was written in parts)."""
        row = self.db.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        parts = [r[0] for r in self.db.execute(
            "SELECT text FROM document_parts WHERE document_id = ? ORDER BY part", (doc_id,))]
        return "".join(parts) if parts else row[0]

    def chunks(self, doc_id: str | None = None) -> Iterator[tuple[Chunk, str]]:
        sql = "SELECT * FROM chunks"
        args: tuple[Any, ...] = ()
        if doc_id:
            sql += " WHERE document_id = ?"
            args = (doc_id,)
        sql += " ORDER BY source, document_id, idx"
        for row in self.db.execute(sql, args):
            yield chunk_from_row(row), row["source"]

    def search_lexical(self, terms: list[str], filters: Filters, k: int) -> list[StoredHit]:
        """Chunks holding the most query terms first, BM25 second, under the filters."""
        return self.hits(self.rank_lexical(terms, filters, k))

    def rank_lexical(self, terms: list[str], filters: Filters, k: int) -> list[Ranked]:
        """Row ids of the top ``k`` chunks: most query terms first, BM25 second, filtered before the top k."""
        return rank_postings(self.ranker, self._keys, terms, filters, k, self._postings)

    def _postings(self, terms: list[str]) -> dict[str, list[tuple[int, bytes, bytes]]]:
        """The stored postings rows (base, chunks, tfs) of each term that has some, in the terms' order: its
        merged row and the documents' rows stored after it (store/compact.py)."""
        postings = {}
        for term in terms:
            rows = self.db.execute(POSTINGS_READ, (term, term, term)).fetchall()
            if rows:
                postings[term] = rows
        return postings

    def rank_dense(self, vector: np.ndarray, filters: Filters, k: int) -> list[Ranked]:
        """Row ids of the ``k`` chunks nearest ``vector`` (cosine), filtered before the top k."""
        allowed = self._keys().allowed(filters)
        if allowed is not None and not len(allowed):
            return []
        return self._dense().rank(vector, k, allowed)

    def count_undated(self, filters: Filters) -> int:
        """Chunks the other filters keep but ``since``/``until`` leave out for want of a date."""
        return self._keys().undated(filters)

    def vectors(self, rowids: list[int]) -> dict[int, np.ndarray]:
        """The stored vectors of these chunk rows (those that have one), as float32."""
        if not rowids:
            return {}
        self._fresh()
        if self.dense.loaded and self._approximate is None:
            return self.dense.vectors(rowids)
        rows = self.db.execute(f"SELECT id, vector FROM vectors WHERE id IN ({','.join('?' * len(rowids))})",
                               list(rowids))
        return {r[0]: np.frombuffer(r[1], dtype=VECTOR_DTYPE).astype(np.float32) for r in rows}

    def hits(self, ranked: list[Ranked]) -> list[StoredHit]:
        """The chunks of ranked row ids, in the same order; a chunk another connection just removed is skipped."""
        if not ranked:
            return []
        marks = ",".join("?" * len(ranked))
        rows = {r["id"]: r for r in self.db.execute(
            f"""SELECT c.*, d.title AS title FROM chunks c JOIN documents d ON d.id = c.document_id
                WHERE c.id IN ({marks})""", [r.rowid for r in ranked])}
        return [StoredHit(
            rowid=r.rowid, score=r.score, chunk=chunk_from_row(rows[r.rowid]), source=rows[r.rowid]["source"],
            title=rows[r.rowid]["title"], kind=rows[r.rowid]["kind"],
            lines=(rows[r.rowid]["line_start"], rows[r.rowid]["line_end"]), matched=r.matched,
        ) for r in ranked if r.rowid in rows]

    def warm(self) -> None:
        """Load the in-memory indexes now (a search would, the first time)."""
        self._keys()
        if self.count_vectors()[0]:
            self._dense()

    def _fresh(self) -> None:
        """Drop the in-memory indexes when another connection has written to the file (the chunk keys only
        when it has removed chunks: else the rows it added are read next, see ``_keys``)."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]  # moves when another connection writes
        if version != self._key_version:
            removals = self.get_meta("chunk_removals")
            if removals != self._key_removals:
                self._key_cache = None
            self._keys_added = True
            self.dense.invalidate()
            self._key_version, self._key_removals = version, removals

    def _keys(self) -> "ChunkKeys":
        """Filter columns and lengths of every chunk, reloaded when chunks were removed from the file, else
        grown by the rows added since (a search beside an ingest that commits every half second would
        otherwise reload 100 000 rows, 0.6 s, after each commit)."""
        self._fresh()
        if self._keys_added and self._key_cache is not None and self.ranker.loaded:
            last = int(self._key_cache.ids.max()) if len(self._key_cache.ids) else 0
            rows = self.db.execute(
                "SELECT id, length, kind, time_start, time_end, who, topics, source, mentions FROM chunk_keys "
                "WHERE id > ? ORDER BY id", (last,)).fetchall()
            if rows:
                self._key_cache = self._key_cache.extended(rows)
                self.ranker.load_lengths(self._key_cache.ids, self._key_cache.lengths)
        self._keys_added = False
        if self._key_cache is None or not self.ranker.loaded:
            rows = self.db.execute(
                "SELECT id, length, kind, time_start, time_end, who, topics, source, mentions FROM chunk_keys"
            ).fetchall()
            self._key_cache = ChunkKeys(rows)
            self.ranker.load_lengths(self._key_cache.ids, self._key_cache.lengths)
        return self._key_cache

    def _dense(self) -> DenseIndex | ApproximateDense:
        """The dense ranking, reloaded when the file has changed: every vector in memory (brute force), or
        the graph beside the file and the rows it does not answer for (see ``refresh_dense_graph``)."""
        self._fresh()
        if self.dense.loaded:
            return self._approximate or self.dense
        self._approximate = None
        settings = self.dense_settings
        graph, why = None, "below the graph threshold"
        if not settings.approximate:
            why = "approximate search off"
        elif self.count_vectors()[0] >= settings.threshold:
            graph, why = self._open_graph()
        if graph is None:
            self._load_vectors("")
            self._dense_mode = f"exact (brute force, {len(self.dense)} vectors): {why}"
            return self.dense
        stale = " OR ".join(["id > ?"] + ["id BETWEEN ? AND ?"] * len(graph.stale))
        self._load_vectors(f"WHERE {stale}", [graph.covers] + [v for a, b in graph.stale for v in (a, b - 1)])
        assert self._graph is not None
        self._approximate = ApproximateDense(graph, self._graph[2], self.dense, settings)
        self._dense_mode = self._approximate.description
        return self._approximate

    def _load_vectors(self, where: str, args: list[int] | None = None) -> None:
        rows = self.db.execute(f"SELECT id, vector FROM vectors {where} ORDER BY id", args or []).fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        blob = b"".join(r[1] for r in rows)
        dims = len(rows[0][1]) // VECTOR_DTYPE.itemsize if rows else int(self.get_meta("embedding_dims") or 0)
        self.dense.load(ids, blob, dims, VECTOR_DTYPE)

    # -- the dense graph beside the file ----------------------------------------
    # meta 'dense_graph': the graph file in use, the highest row id it covers, its size, and the last change
    # it includes; meta 'dense_changes': row id ranges whose vectors were removed or re-written, each with
    # its sequence number. Rows above ``covers`` and in changes newer than the graph are scored exactly.

    def _dense_plan(self) -> str:
        """Which dense index a search would use, said without loading it."""
        count, settings, record = self.count_vectors()[0], self.dense_settings, self._graph_record()
        if not settings.approximate:
            return "exact (brute force): approximate search off"
        if count < settings.threshold:
            return f"exact (brute force): {count} vectors, below the graph threshold ({settings.threshold})"
        if usearch_index() is None:
            return "exact (brute force): usearch is not installed (pip install 'veille[embed]')"
        if record is None:
            return "exact (brute force): no graph built yet (the next ingest builds it)"
        return f"usearch HNSW graph {record['file']} ({record['count']} vectors; not loaded yet)"

    def _graph_record(self) -> dict[str, Any] | None:
        found = self.get_meta("dense_graph")
        return json.loads(found) if found else None

    def _vector_changes(self) -> dict[str, Any]:
        found = self.get_meta("dense_changes")
        return json.loads(found) if found else {"seq": 0, "ranges": []}

    def _log_vector_changes(self, ranges: list[tuple[int, int]]) -> None:
        """Record, inside the open write, that the vectors of these [first, end) row id ranges changed."""
        if not ranges:
            return
        changes = self._vector_changes()
        seq = changes["seq"] + 1
        record = self._graph_record()
        kept = [r for r in changes["ranges"] if record is None or r[0] > record["seq"]]
        merged = _merge_ranges(kept + [[seq, first, end] for first, end in ranges])
        if record is None:  # no graph to mislead yet: only a graph being built meanwhile needs the latest ones
            merged = sorted(merged)[-_KEPT_CHANGES:]
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('dense_changes', ?)",
                        (json.dumps({"seq": seq, "ranges": merged}),))

    def _open_graph(self) -> tuple[VectorGraph | None, str]:
        """The graph the file records, mapped read-only (kept while it stays the same file), or why not."""
        record = self._graph_record()
        if record is None:
            return None, "no graph built yet"
        Index = usearch_index()
        if Index is None:
            return None, "usearch is not installed (pip install 'veille[embed]')"
        path = Path(self.path).resolve().parent / record["file"]
        if self._graph is None or self._graph[0] != record["file"]:
            self._graph = None
            try:
                if path.stat().st_size != record["bytes"]:
                    raise ValueError(f"{path.stat().st_size} bytes, {record['bytes']} written")
                index = Index.restore(str(path), view=True)
                if index is None or len(index) != record["count"] or index.ndim != record["dims"]:
                    raise ValueError("not the graph recorded")
                path = path.parent / record["vectors"]
                matrix = KeyedMatrix.open(str(path))
                if len(matrix.ids) != record["count"]:
                    raise ValueError(f"{len(matrix.ids)} vectors, {record['count']} in the graph")
            except (OSError, ValueError, RuntimeError, KeyError) as exc:
                return None, f"graph file {path.name} unreadable ({exc}); the next ingest rebuilds it"
            self._graph = (record["file"], index, matrix)
        changes = self._vector_changes()
        stale = [(first, end) for seq, first, end in changes["ranges"] if seq > record["seq"]]
        return VectorGraph(self._graph[1], record["covers"], [tuple(r) for r in _merge_spans(stale)]), ""

    def _write_vectors_file(self, path: Path, dims: int) -> int:
        """Every stored vector by row id, in a ``KeyedMatrix`` file (inside the caller's read transaction)."""
        count = self.db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
        with open(path, "wb") as out:
            out.write(np.array([count, dims], dtype="<u8").tobytes())
            out.write(np.fromiter((r[0] for r in self.db.execute("SELECT id FROM vectors ORDER BY id")),
                                  dtype="<i8", count=count).tobytes())
            written = 0
            for (vector,) in self.db.execute("SELECT vector FROM vectors ORDER BY id"):
                out.write(vector)
                written += 1
        if written != count or path.stat().st_size != KeyedMatrix.size(count, dims):
            raise VeilleError(f"{self.path}: vectors of another size than {dims} dimensions")
        return count

    def refresh_dense_graph(self, force: bool = False) -> str:
        """Build the graph beside the file, or fold into it the rows added or changed since, when there are
        enough (``DenseSettings``); what was done. Readers are never blocked: the graph is written to a new
        file, then recorded in the same transaction as nothing else; a reader keeps the file it mapped."""
        settings = self.dense_settings
        Index = usearch_index()
        if self.readonly or self.path == ":memory:" or not settings.approximate or Index is None:
            return "no graph: " + ("read-only" if self.readonly else "in memory" if self.path == ":memory:"
                                   else "approximate search off" if not settings.approximate
                                   else "usearch is not installed")
        count = self.count_vectors()[0]
        if count < settings.threshold:
            return f"no graph: {count} vectors, below {settings.threshold}"
        db = self.db
        if db.in_transaction:
            return "no graph: inside a write"
        record = self._graph_record()
        folder = Path(self.path).resolve().parent
        index, covers, stale, whole = None, 0, [], False
        if record is not None and not force:
            try:
                if (folder / record["file"]).stat().st_size == record["bytes"]:
                    index = Index.restore(str(folder / record["file"]))
                if index is not None and (len(index) != record["count"] or index.ndim != record["dims"]):
                    index = None
                # the vectors file beside it is written again whole each time: only its soundness matters here
                whole = index is not None and len(KeyedMatrix.open(str(folder / record["vectors"])).ids) == len(index)
            except (OSError, ValueError, RuntimeError, KeyError):
                whole = False
        name = f"{Path(self.path).name}.{os.getpid()}-{time.time_ns():x}"
        db.execute("BEGIN")  # one snapshot of the vectors and of the changes logged
        try:
            changes = self._vector_changes()
            if index is not None and record is not None:
                covers = record["covers"]
                stale = _merge_spans([(a, b) for seq, a, b in changes["ranges"] if seq > record["seq"]])
            where = " OR ".join(["id > ?"] + ["id BETWEEN ? AND ?"] * len(stale))
            args = [covers] + [v for a, b in stale for v in (a, b - 1)]
            pending = db.execute(f"SELECT COUNT(*) FROM vectors WHERE {where}", args).fetchone()[0]
            pending += sum(end - first for first, end in stale)  # removed rows the graph must skip at each search
            if whole and (not pending or pending < min(settings.refresh_rows, settings.refresh_share * len(index))):
                return f"graph up to date ({pending} rows scored exactly beside it)"
            top = db.execute("SELECT COALESCE(MAX(id), 0) FROM vectors").fetchone()[0]
            rows = db.execute(f"SELECT id, vector FROM vectors WHERE {where} ORDER BY id", args).fetchall()
            if not rows and index is None:
                return "no graph: no vectors"
            dims = index.ndim if index is not None else len(rows[0][1]) // VECTOR_DTYPE.itemsize
            count = self._write_vectors_file(folder / f"{name}.vectors.tmp", dims)
        except BaseException:
            (folder / f"{name}.vectors.tmp").unlink(missing_ok=True)
            raise
        finally:
            db.execute("COMMIT")
        started = time.monotonic()
        if index is None:
            index = VectorGraph.build(dims, settings)
        for first, end in stale:
            index.remove(np.arange(first, end, dtype=np.uint64))
        for start in range(0, len(rows), 50_000):
            part = rows[start:start + 50_000]
            keys = np.fromiter((r[0] for r in part), dtype=np.uint64, count=len(part))
            matrix = np.frombuffer(b"".join(r[1] for r in part), dtype=VECTOR_DTYPE).reshape(len(part), dims)
            index.add(keys, matrix, threads=settings.threads)
        added = len(rows)
        del rows
        if len(index) != count:  # the graph and the vectors file must hold the same rows
            (folder / f"{name}.vectors.tmp").unlink(missing_ok=True)
            if covers:  # a change the log missed: start again from the vectors alone
                return self.refresh_dense_graph(force=True)
            raise VeilleError(f"{self.path}: the dense graph holds {len(index)} vectors, the file {count}")
        index.save(str(folder / f"{name}.usearch.tmp"))
        os.replace(folder / f"{name}.usearch.tmp", folder / f"{name}.usearch")
        os.replace(folder / f"{name}.vectors.tmp", folder / f"{name}.vectors")
        new = {"file": f"{name}.usearch", "vectors": f"{name}.vectors", "covers": top, "count": len(index),
               "dims": dims, "seq": changes["seq"], "bytes": (folder / f"{name}.usearch").stat().st_size}
        self._begin()
        try:
            now = self._graph_record()
            if now is not None and now != record and now["seq"] >= new["seq"]:
                db.execute("COMMIT")  # another writer recorded a graph as recent meanwhile: keep that one
                for suffix in (".usearch", ".vectors"):
                    (folder / f"{name}{suffix}").unlink(missing_ok=True)
                return "graph built by another writer meanwhile"
            db.execute("INSERT OR REPLACE INTO meta VALUES ('dense_graph', ?)", (json.dumps(new),))
            changes = self._vector_changes()
            changes["ranges"] = [r for r in changes["ranges"] if r[0] > new["seq"]]
            db.execute("INSERT OR REPLACE INTO meta VALUES ('dense_changes', ?)", (json.dumps(changes),))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            for suffix in (".usearch", ".vectors"):
                (folder / f"{name}{suffix}").unlink(missing_ok=True)
            raise
        self._own_writes += 1
        self.dense.invalidate()
        for suffix in (".usearch", ".vectors"):
            for old in folder.glob(f"{glob_escape(Path(self.path).name)}.*{suffix}"):
                if old.name != f"{name}{suffix}":  # a reader that mapped it keeps its pages
                    old.unlink(missing_ok=True)
        return (f"graph {'extended' if covers else 'built'}: {added} vectors added, {len(index)} in all, "
                f"{time.monotonic() - started:.1f} s")

    def figures(self, filters: Filters, *, unit: str | None = None, measure: str | None = None,
                low: float | None = None, high: float | None = None,
                spans: list[tuple[str, int, int]] | None = None) -> list[CitedFigure]:
        """Stored figures under the filters, with their sentence and citation.

        ``unit``/``measure``: a stored unit (W, EUR, GPU…) or kind (power, money…); ``low``/``high``: bounds
        in that base unit (a range counts when it overlaps them); ``spans``: only the figures of these units
        (document id, first unit, end unit), in the spans' order, else all in source order. The date filters
        look at the unit's time, else the document's date; ``who`` at the unit's author.
        """
        where, args = [], []
        for condition, value in (("f.unit = ?", unit), ("f.kind = ?", measure), ("COALESCE(f.high, f.value) >= ?", low),
                                 ("f.value <= ?", high), ("d.kind = ?", filters.kind),
                                 ("instr(d.source, ?) > 0", filters.source)):
            if value is not None:
                where.append(condition)
                args.append(value)
        dated = "substr(COALESCE(u.time, d.date), 1, 16)"
        if filters.since is not None:
            where.append(f"{dated} >= ?")
            args.append(date_bound(filters.since, end=False))
        if filters.until is not None:
            where.append(f"{dated} <= ?")
            args.append(date_bound(filters.until, end=True))
        sql = """SELECT f.*, u.author, u.time, u.offset, u.line_start, u.line_end, u.text AS unit_text,
                        d.source, d.title, d.kind AS document_kind, d.date
                 FROM figures f JOIN units u ON u.document_id = f.document_id AND u.idx = f.idx
                 JOIN documents d ON d.id = f.document_id"""
        rows: list[sqlite3.Row] = []
        if spans is None:
            rows = self.db.execute(sql + (" WHERE " + " AND ".join(where) if where else "")
                                   + " ORDER BY d.source, f.document_id, f.idx, f.start", args).fetchall()
        else:
            order = {}
            for n, (doc_id, start, end) in enumerate(spans):
                for idx in range(start, end):
                    order.setdefault((doc_id, idx), n)
            for first in range(0, len(spans), 200):  # SQLite's limit on bound values
                part = spans[first:first + 200]
                in_spans = " OR ".join("(f.document_id = ? AND f.idx >= ? AND f.idx < ?)" for _ in part)
                rows += self.db.execute(f"{sql} WHERE ({in_spans})" + "".join(f" AND {w}" for w in where),
                                        [v for span in part for v in span] + args).fetchall()
            rows.sort(key=lambda r: (order[(r["document_id"], r["idx"])], r["idx"], r["start"]))
            rows = list({(r["document_id"], r["idx"], r["start"]): r for r in rows}.values())  # spans may overlap
        return [cited_figure(r) for r in figures_by_author(rows, filters.who)]

    def add_missing_figures(self, extract: Callable[[str], list[Figure]]) -> int:
        """Extract and store the figures of units stored before figures were (a file made by an earlier
        veille); once, in one transaction. How many figures; nothing is written when there is nothing to do."""
        if self.readonly or self.get_meta("figures") is not None:
            return 0
        self._begin()
        try:
            if self.get_meta("figures") is not None:  # another process did it while this one waited
                self.db.execute("COMMIT")
                return 0
            rows = []
            for doc_id, idx, text in self.db.execute("SELECT document_id, idx, text FROM units"):
                rows += [{"document_id": doc_id, "idx": idx, "value": f.value, "high": f.high, "unit": f.unit,
                          "kind": f.kind, "text": f.text, "approx": f.approx, "start": f.start, "end": f.end}
                         for f in extract(text)]
            self.db.execute("DELETE FROM figures")
            SQLiteTables(self.db).insert("figures", FIGURE_COLUMNS, rows)
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('figures', 'extracted from stored units')")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return len(rows)

    def unit_authors(self, doc_id: str, start: int, end: int) -> list[str]:
        rows = self.db.execute(
            "SELECT DISTINCT author FROM units WHERE document_id = ? AND idx >= ? AND idx < ? AND author IS NOT NULL",
            (doc_id, start, end)).fetchall()
        return [r[0] for r in rows]

    def stats(self) -> dict[str, Any]:
        db = self.db
        count = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
        kinds = {r[0]: r[1] for r in db.execute("SELECT kind, COUNT(*) FROM documents GROUP BY kind")}
        return {
            "path": self.path,
            "documents": count("SELECT COUNT(*) FROM documents"),
            "units": count("SELECT COUNT(*) FROM units"),
            "chunks": count("SELECT COUNT(*) FROM chunks"),
            "tokens": count("SELECT COALESCE(SUM(tokens), 0) FROM chunks"),
            "kinds": kinds,
            "vectors": count("SELECT COUNT(*) FROM vectors"),
            "dense_index": self._dense_mode if self.dense.loaded else self._dense_plan(),
            "lexical_index": lexical_index(SQLiteTables(db)),
            "token_counter": self.get_meta("token_counter"),
            "bytes": Path(self.path).stat().st_size if self.path != ":memory:" else None,
        }

    def check(self) -> list[str]:
        """What is wrong in the file, if anything: SQLite's own integrity check, then veille's invariants.

        Every document has its units and chunks, each chunk its units, its filter keys and its row id
        (the document's first plus its index, as the postings assume); the postings of each document
        point at its own chunks and count each chunk's terms exactly; nothing is left of a removed
        document. Reads only, in one snapshot.
        """
        db = self.db
        own = not db.in_transaction
        if own:
            db.execute("BEGIN")  # a read transaction: one snapshot while a writer goes on
        try:
            problems = [f"integrity_check: {r[0]}" for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
            for what, sql in STORE_CHECKS.items():
                found = db.execute(sql).fetchone()[0]
                if found:
                    problems.append(f"{found} {what}")
            problems += check_postings(SQLiteTables(self.db))
            dims = self.get_meta("embedding_dims")
            if dims:
                wrong = db.execute("SELECT COUNT(*) FROM vectors WHERE length(vector) != ?",
                                   (int(dims) * VECTOR_DTYPE.itemsize,)).fetchone()[0]
                if wrong:
                    problems.append(f"{wrong} vectors not of {dims} dimensions")
        finally:
            if own:
                db.execute("COMMIT")
        return problems

    def close(self) -> None:
        self.db.close()


class SQLiteTables(Tables):
    """How rows go into SQLite's tables: named ``:column`` placeholders, ``INSERT OR IGNORE``."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def insert(self, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]],
               ignore_conflicts: bool = False) -> None:
        verb = "INSERT OR IGNORE" if ignore_conflicts else "INSERT"
        self.db.executemany(f"{verb} INTO {table} ({quoted_columns(columns)}) "
                            f"VALUES ({', '.join(':' + c for c in columns)})", rows)

    def rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.db.execute(sql, args)]

    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        self.db.execute(sql, args)

    def add_vectors(self, rowids: list[int], vectors: np.ndarray) -> None:
        self.db.executemany("INSERT INTO vectors VALUES (?, ?)", _vector_rows(rowids, vectors))


_TABLES = set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", _SCHEMA))


def _raise_full(error: BaseException, path: str) -> None:
    """Raise StoreFull when SQLite failed for want of room (SQLITE_FULL), as opposed to another error."""
    if isinstance(error, sqlite3.OperationalError) and (
            getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "full" in str(error)):
        raise StoreFull(path, str(error)) from error


def _writable(file: Path) -> bool:
    """Whether this process may write a database file (and the journal files beside it)."""
    return os.access(file, os.W_OK) and os.access(file.resolve().parent, os.W_OK)


def _vector_rows(rowids: Any, vectors: np.ndarray) -> list[tuple[int, bytes]]:
    """(row id, float16 BLOB) per vector."""
    packed = np.ascontiguousarray(vectors, dtype=VECTOR_DTYPE)
    return [(int(rowid), packed[i].tobytes()) for i, rowid in enumerate(rowids)]


#: Vector change ranges kept in meta when no graph needs them (with one, those it includes are dropped).
_KEPT_CHANGES = 10_000


def _id_ranges(rowids: list[int]) -> list[tuple[int, int]]:
    """Sorted row ids as [first, end) runs of consecutive ids."""
    runs: list[tuple[int, int]] = []
    for rowid in sorted(set(int(r) for r in rowids)):
        if runs and runs[-1][1] == rowid:
            runs[-1] = (runs[-1][0], rowid + 1)
        else:
            runs.append((rowid, rowid + 1))
    return runs


def _merge_ranges(ranges: list[list[int]]) -> list[list[int]]:
    """[seq, first, end] ranges with those that overlap or touch merged (keeping the latest seq), by first."""
    merged: list[list[int]] = []
    for seq, first, end in sorted(ranges, key=lambda r: r[1]):
        if merged and first <= merged[-1][2]:
            merged[-1] = [max(seq, merged[-1][0]), merged[-1][1], max(end, merged[-1][2])]
        else:
            merged.append([seq, first, end])
    return merged


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """[first, end) spans with those that overlap or touch merged, by first."""
    return [(first, end) for _, first, end in _merge_ranges([[0, a, b] for a, b in spans])]
