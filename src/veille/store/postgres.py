"""PostgreSQL with pgvector: the store for a team, several writers at once, on a server others reach.

It behaves as the SQLite file does (same records, filters, rankings, reports); what differs is how:

- **Writers take turns on one lock, readers never wait.** Every write transaction takes one
  transaction-level advisory lock (``pg_advisory_xact_lock``) before it reads what it decides on, as
  SQLite's ``BEGIN IMMEDIATE`` does. A keyed lock (by source or document) would not do: whether a
  document is new depends on other documents (a longer export of the same chat holds its messages),
  so the decision must see every writer's commits. SERIALIZABLE with retries would redo whole
  documents on conflicts; the lock is held only while writing (never while parsing or embedding), so
  writers rarely wait long. Reads run outside any transaction and see the last commits (MVCC).
- **Lexical ranking is the same numpy BM25** over the same postings: per (term, first chunk row id), the
  chunk indexes and frequencies as little-endian ``bytea`` (``DocumentTerms.encoded``), scored by
  ``BM25Ranker`` with the chunk lengths and filter keys held in memory, as the SQLite store does: the
  two stores rank identically on the same data.
- **Vectors are ``halfvec``** (16-bit floats, as the SQLite file stores them) under an HNSW index
  with cosine distance. ``ef_search`` (default 400) sets the recall; filtered queries scan the index
  iteratively (``hnsw.iterative_scan``) or, when the filters keep few chunks, rank those exactly. The
  index gives the candidates; their scores are the dot product with the query in float32, as SQLite's.
- **A change counter** (``meta.changes``, moved in each committing transaction) tells other
  connections that what they hold in memory is stale: ``data_version()``.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import numpy as np

from ..errors import StoreFull, StoreUnavailable, VeilleError
from ..types import Chunk, CitedFigure, Document, Figure
from .base import CopiedDocument, Filters, MissingVector, StoredDocument, StoredHit, StoredUnit, date_bound
from .compact import MergeSettings, check_postings, lexical_index, merge_postings
from .postings import IDX_BYTES, BM25Ranker, DocumentTerms, Ranked
from .records import (COPY_ORDER_SQL, KEY_COLUMNS, STORE_CHECKS, ChunkKeys, chunk_from_row, cited_figure,
                      copied_document, figures_by_author, rank_postings)
from .writer import DocumentRowWriter, Tables, put_copied_rows, quoted_columns

try:  # an extra: ``pip install 'veille[postgres]'``
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg.pq import TransactionStatus
    from psycopg.rows import dict_row
except ImportError:  # pragma: no cover - said when a server is named
    psycopg = None  # type: ignore[assignment]

SCHEMA_VERSION = "6"  # the SQLite file's schema, in PostgreSQL's types

#: Candidates the HNSW index keeps while searching: recall against speed (pgvector's default is 40).
DEFAULT_EF_SEARCH = 400
#: HNSW build settings: neighbours per node and candidates while inserting. m = 32, not pgvector's 16: at
#: 100 000 e5-like vectors recall@10 at ef_search 400 rose from 0.918 to 0.988 for the same build time and
#: latency (bench/README.md, "Both stores at scale"); an index built before keeps its m.
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 128
#: Below this many chunks kept by the filters, the dense ranker scores them all (exact) rather than
#: walking the index and dropping the others.
EXACT_BELOW = 50_000

#: How long one wait for the write lock lasts before veille says it is waiting, and how long it waits in all.
WRITER_WAIT_SECONDS = 1.0
WRITER_WAIT_LIMIT = 600.0

# Advisory lock keys (any two numbers no other application of the database uses): the write lock,
# and the lock around creating tables.
_WRITE_LOCK = 0x7665696C  # "veil"
_SCHEMA_LOCK = 0x7665696D

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id text PRIMARY KEY,
    source text NOT NULL,
    kind text NOT NULL,
    format text NOT NULL,
    title text,
    language text,
    date text,
    participants text NOT NULL,
    metadata text NOT NULL,
    report text NOT NULL,
    fingerprint text NOT NULL,
    text text NOT NULL,
    ingested_at text NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_source ON documents (source);
CREATE TABLE IF NOT EXISTS units (
    document_id text NOT NULL,
    idx integer NOT NULL,
    kind text NOT NULL,
    author text,
    time text,
    "offset" double precision,
    section text,
    start integer NOT NULL,
    "end" integer NOT NULL,
    line_start integer NOT NULL,
    line_end integer NOT NULL,
    text text NOT NULL,
    meta text,
    PRIMARY KEY (document_id, idx)
);
CREATE TABLE IF NOT EXISTS chunks (
    id bigint PRIMARY KEY,
    document_id text NOT NULL,
    idx integer NOT NULL,
    text text NOT NULL,
    context text NOT NULL,
    unit_start integer NOT NULL,
    unit_end integer NOT NULL,
    context_start integer,
    tokens integer NOT NULL,
    messages integer NOT NULL,
    period_start text,
    period_end text,
    time_start text,
    time_end text,
    participants text NOT NULL,
    who text NOT NULL,
    topics text NOT NULL,
    topics_folded text NOT NULL,
    section text,
    kind text NOT NULL,
    source text NOT NULL,
    line_start integer NOT NULL,
    line_end integer NOT NULL,
    mentions text NOT NULL DEFAULT '{}',
    UNIQUE (document_id, idx)
);
CREATE TABLE IF NOT EXISTS chunk_keys (
    id bigint PRIMARY KEY,
    length integer NOT NULL,
    kind text NOT NULL,
    time_start text,
    time_end text,
    who text NOT NULL,
    topics text NOT NULL,
    source text NOT NULL,
    mentions text NOT NULL DEFAULT '||'
);
CREATE TABLE IF NOT EXISTS postings (
    term text NOT NULL,
    base bigint NOT NULL,
    chunks bytea NOT NULL,
    tfs bytea NOT NULL,
    PRIMARY KEY (term, base)
);
CREATE INDEX IF NOT EXISTS postings_base ON postings (base);
-- merged rows (store/compact.py) run to megabytes: kept uncompressed, a read does not inflate them each time
ALTER TABLE postings ALTER COLUMN chunks SET STORAGE EXTERNAL, ALTER COLUMN tfs SET STORAGE EXTERNAL;
CREATE TABLE IF NOT EXISTS message_keys (
    key text NOT NULL,
    document_id text NOT NULL,
    pos integer NOT NULL,
    PRIMARY KEY (key, document_id)
);
CREATE INDEX IF NOT EXISTS message_keys_document ON message_keys (document_id, pos);
CREATE TABLE IF NOT EXISTS document_parts (
    document_id text NOT NULL,
    part integer NOT NULL,
    text text NOT NULL,
    PRIMARY KEY (document_id, part)
);
CREATE TABLE IF NOT EXISTS figures (
    document_id text NOT NULL,
    idx integer NOT NULL,
    value double precision NOT NULL,
    high double precision,
    unit text NOT NULL,
    kind text NOT NULL,
    text text NOT NULL,
    approx text,
    start integer NOT NULL,
    "end" integer NOT NULL
);
CREATE INDEX IF NOT EXISTS figures_document ON figures (document_id, idx);
CREATE INDEX IF NOT EXISTS figures_unit ON figures (unit, value)
"""


def _tell_stderr(message: str) -> None:
    print(f"veille: {message}", file=sys.stderr, flush=True)


def shown_uri(uri: str) -> str:
    """The URI without its password, as messages show it."""
    return re.sub(r"^([a-z]+://[^:/@?]*):[^@/?]*@", r"\1@", uri, flags=re.I)


def _halfvec(vector: np.ndarray) -> str:
    """A vector in pgvector's text form, its values rounded to 16-bit floats (what ``halfvec`` keeps)."""
    return "[" + ",".join(map(repr, np.asarray(vector, dtype=np.float16).astype(np.float32).tolist())) + "]"


def _parse_vector(text: str) -> np.ndarray:
    return np.array(text[1:-1].split(","), dtype=np.float32)


class PostgresStore:
    """Documents, units, chunks, postings and vectors in a PostgreSQL database (pgvector for the vectors).

    ``uri``: ``postgresql://user:password@host:port/database`` (libpq's forms). The tables are created at
    the first open (the ``vector`` extension too: that needs the right to create it, else a clear error
    says what to run). ``ef_search`` trades dense recall for speed (default ``$VEILLE_EF_SEARCH``, else
    ``DEFAULT_EF_SEARCH``; pgvector takes 1 to 1000).
    """

    readonly = False

    def __init__(self, uri: str, *, ef_search: int | None = None,
                 on_wait: Callable[[str], None] = _tell_stderr) -> None:
        if psycopg is None:
            raise StoreUnavailable("a PostgreSQL knowledge base needs psycopg: pip install 'veille[postgres]'")
        self.uri = uri
        self.path = shown_uri(uri)
        self.on_wait = on_wait
        self.ef_search = ef_search or _ef_from_environment()
        try:
            self.db = psycopg.connect(uri, autocommit=True, row_factory=dict_row)
        except psycopg.Error as exc:
            raise StoreUnavailable(f"{self.path}: cannot connect: {str(exc).strip()}") from None
        self.ranker = BM25Ranker()
        self.merge_settings = MergeSettings()
        self._batch_size = 0
        self._batch_seconds = 0.0
        self._batch_started = 0.0
        self._pending = 0
        self._written = False
        self._dirty = False  # the open transaction has written: its commit moves the change counter
        self._claiming = False
        self._on_commit: Callable[[], None] | None = None
        self._own_commits = 0  # commits of this connection (data_version counts the others')
        self._own_writes = 0
        self._key_cache: ChunkKeys | None = None
        self._key_version: int | None = None
        self._key_removals: str | None = None
        self._keys_added = False
        self._memos: dict[str, tuple[tuple[int, int], Any]] = {}
        self._dims: int | None = None
        try:
            self._open_schema()
            self.db.execute("SELECT set_config('hnsw.iterative_scan', 'strict_order', false)")
            self._set_ef(self.ef_search)
        except BaseException:
            self.db.close()
            raise

    # -- schema ---------------------------------------------------------------
    def _open_schema(self) -> None:
        if self._table_exists("meta"):
            found = self.get_meta("schema")
            if found is not None and found != SCHEMA_VERSION:
                raise VeilleError(f"{self.path}: made by another version of veille (schema {found}, this one "
                                  f"reads {SCHEMA_VERSION}); ingest your sources into a new database")
            if found is not None:
                self._dims = self._vector_dims()
                return
        db = self.db
        db.execute("BEGIN")
        try:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            try:
                db.execute("CREATE EXTENSION IF NOT EXISTS vector")
            except pg_errors.InsufficientPrivilege:
                db.execute("ROLLBACK")
                name = db.info.dbname
                raise StoreUnavailable(
                    f"{self.path}: the pgvector extension is not installed in database {name!r} and this user may "
                    f"not install it; ask its owner or a superuser to run: CREATE EXTENSION vector; "
                    f"(psql -d {name} -c 'CREATE EXTENSION vector')") from None
            except pg_errors.FeatureNotSupported as exc:
                db.execute("ROLLBACK")
                raise StoreUnavailable(f"{self.path}: pgvector is not available on this server ({exc}); install "
                                       "it (https://github.com/pgvector/pgvector) and run CREATE EXTENSION vector")
            for statement in _SCHEMA.split(";\n"):
                db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('schema', %s) ON CONFLICT DO NOTHING", (SCHEMA_VERSION,))
            db.execute("INSERT INTO meta VALUES ('changes', '0') ON CONFLICT DO NOTHING")
            if db.execute("SELECT 1 FROM units LIMIT 1").fetchone() is None:
                db.execute("INSERT INTO meta VALUES ('figures', 'stored with their units') ON CONFLICT DO NOTHING")
            db.execute("COMMIT")
        except BaseException:
            if self._in_transaction():
                db.execute("ROLLBACK")
            raise
        self._dims = self._vector_dims()

    def _table_exists(self, name: str) -> bool:
        return self.db.execute("SELECT to_regclass(%s) AS t", (name,)).fetchone()["t"] is not None

    def _vector_dims(self) -> int | None:
        """The dimensions of the vectors table, or None before the first vector."""
        row = self.db.execute(
            "SELECT atttypmod FROM pg_attribute WHERE attrelid = to_regclass('vectors') AND attname = 'embedding'"
        ).fetchone()
        return row["atttypmod"] if row else None

    def _ensure_vectors(self, dims: int) -> None:
        """The vectors table and its HNSW index, made at the first vector (their size is the model's)."""
        if self._dims is None:
            self._dims = self._vector_dims()
        if self._dims is not None:
            if self._dims != dims:
                raise VeilleError(f"{self.path}: holds vectors of {self._dims} dimensions, not {dims}")
            return
        self.db.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
        self.db.execute(f"""CREATE TABLE IF NOT EXISTS vectors (
                id bigint PRIMARY KEY REFERENCES chunks (id) ON DELETE CASCADE,
                embedding halfvec({int(dims)}) NOT NULL)""")
        self.db.execute(f"CREATE INDEX IF NOT EXISTS vectors_hnsw ON vectors USING hnsw (embedding halfvec_cosine_ops) "
                        f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})")
        self._dims = self._vector_dims()

    def _set_ef(self, ef: int) -> None:
        self.db.execute("SELECT set_config('hnsw.ef_search', %s, false)", (str(min(max(ef, 1), 1000)),))

    # -- transactions -----------------------------------------------------------
    def _in_transaction(self) -> bool:
        return not self.db.broken and self.db.info.transaction_status != TransactionStatus.IDLE

    def _begin(self) -> None:
        """Start a write transaction holding the write lock, once another writer has finished."""
        self.db.execute("BEGIN")
        started = time.monotonic()
        told = False
        try:
            state = self.db.execute("SELECT current_setting('transaction_read_only') = 'on' AS readonly, "
                                    "pg_try_advisory_xact_lock(%s) AS ok", (_WRITE_LOCK,)).fetchone()
            if state["readonly"]:
                raise StoreUnavailable(f"{self.path}: this server takes reads only (a read replica, or a read-only "
                                       "session); write through the primary server")
            while not state["ok"]:
                waited = time.monotonic() - started
                if waited > WRITER_WAIT_LIMIT:
                    raise VeilleError(f"{self.path}: another process has been writing to it for {waited:.0f} s; "
                                      "try again when it has finished")
                if not told and waited > WRITER_WAIT_SECONDS:
                    self.on_wait(f"waiting for another writer on {self.path}…")
                    told = True
                time.sleep(0.02)
                state = self.db.execute("SELECT pg_try_advisory_xact_lock(%s) AS ok", (_WRITE_LOCK,)).fetchone()
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self._dirty = False

    def _commit(self) -> None:
        """Commit; a transaction that wrote moves the change counter first (its row is locked only till now)."""
        if self._dirty:
            self.db.execute("UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'changes'")
            self._own_commits += 1
        self.db.execute("COMMIT")
        self._dirty = False

    def _rollback(self) -> None:
        if self._in_transaction():
            self.db.execute("ROLLBACK")
        self._dirty = False
        self._dims = None  # the vectors table may have been made in what was rolled back: looked up again

    def data_version(self) -> int:
        """A number that moves when another connection or process commits a write."""
        return int(self.get_meta("changes") or 0) - self._own_commits

    def _open_write(self, savepoint: str) -> None:
        if self._claiming:
            self.db.execute(f"SAVEPOINT {savepoint}")
            return
        if not self._batch_size:
            self._begin()
            return
        self.start_write()
        self._written = True
        self.db.execute(f"SAVEPOINT {savepoint}")

    def _close_write(self, savepoint: str) -> None:
        self._dirty = True
        if self._claiming:
            self.db.execute(f"RELEASE SAVEPOINT {savepoint}")
            return
        if not self._batch_size:
            self._commit()
            return
        self.db.execute(f"RELEASE SAVEPOINT {savepoint}")
        self._pending += 1

    def _abort_write(self, savepoint: str) -> None:
        if (self._batch_size or self._claiming) and self._in_transaction():
            try:
                self.db.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                self.db.execute(f"RELEASE SAVEPOINT {savepoint}")
                self._dims = None
                return
            except psycopg.Error:
                pass
        if not self._claiming:
            self._rollback()

    @contextmanager
    def batch(self, size: int = 64, seconds: float = 0.5,
              on_commit: Callable[[], None] | None = None) -> Iterator[None]:
        """Documents put inside share short transactions (see ``SQLiteStore.batch``), each one whole or absent."""
        if self._batch_size:
            yield
            return
        self._batch_size, self._batch_seconds, self._on_commit, self._pending = size, seconds, on_commit, 0
        self._written = False
        try:
            yield
        except BaseException as exc:
            self._own_writes += 1
            if self._in_transaction():
                try:
                    self._rollback()
                except psycopg.Error:
                    pass
            elif on_commit is not None and not self._written:
                on_commit()
            _raise_full(exc, self.path, self.db)
            raise
        else:
            self.flush()
        finally:
            self._batch_size, self._on_commit = 0, None
        self.merge_postings()

    def merge_postings(self, force: bool = False) -> str:
        """Fold the postings of the documents stored since the last merge into one row per term, when enough
        are (``merge_settings``) or ``force`` (see store/compact.py)."""
        return merge_postings(PostgresTables(self), self._transaction, self.merge_settings, force)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction of its own, holding the write lock: committed at the end, rolled back on failure."""
        self._begin()
        try:
            yield
            self._dirty = True
            self._commit()
        except BaseException as exc:
            self._rollback()
            _raise_full(exc, self.path, self.db)
            raise

    def flush(self) -> None:
        """Commit the batch's open transaction, if any."""
        if self._batch_size and self._in_transaction():
            self._commit()
            self._pending = 0
        self._written = False
        if self._on_commit is not None:
            self._on_commit()

    def start_write(self) -> None:
        """Inside ``batch()``: take the write lock now, so that what is read next is what the next write sees."""
        if not self._batch_size:
            return
        if self._in_transaction() and (self._pending >= self._batch_size
                                       or time.monotonic() - self._batch_started >= self._batch_seconds):
            self.flush()
        if not self._in_transaction():
            self._begin()
            self._batch_started = time.monotonic()

    # -- settings ---------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return row["value"] if row else None

    def set_meta(self, key: str, value: str) -> None:
        """Record a setting; nothing is written when it is already so."""
        if self.get_meta(key) == value:
            return
        sql = "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        if self._in_transaction():
            self.db.execute(sql, (key, value))
            self._dirty = True
            return
        with self._transaction():
            self.db.execute(sql, (key, value))

    # -- writing ----------------------------------------------------------------
    def put_document(self, doc: Document, chunks: list[Chunk], terms: DocumentTerms,
                     fingerprint: str, replace_id: str | None = None,
                     message_keys: list[str | None] | None = None, vectors: np.ndarray | None = None) -> None:
        """Store a document, its units, chunks, index terms and vectors: all of it or nothing."""
        if vectors is not None and len(vectors) != len(chunks):
            raise ValueError(f"{len(vectors)} vectors for {len(chunks)} chunks")
        with self.writing(doc, fingerprint, replace_id) as writer:
            writer.add_units(doc.units)
            writer.add_chunks(doc.units, chunks, terms, vectors)
            writer.add_message_keys(message_keys or [])
            writer.add_text(doc.text)

    @contextmanager
    def writing(self, doc: Document, fingerprint: str,
                replace_id: str | None = None) -> Iterator[DocumentRowWriter]:
        """A document written in parts in one transaction (a savepoint of the batch's): all of it or nothing."""
        self._open_write("document")
        try:
            if replace_id:
                self._delete(replace_id)
            writer = DocumentRowWriter(PostgresTables(self), doc)
            yield writer
            writer.close(fingerprint)
        except BaseException:
            self._abort_write("document")
            raise
        finally:
            self.ranker.invalidate()
            self._own_writes += 1
        self._close_write("document")

    def put_vectors(self, rowids: list[int], vectors: np.ndarray) -> None:
        """Store vectors of chunks already stored (those removed meanwhile are skipped)."""
        if len(rowids) != len(vectors):
            raise ValueError(f"{len(vectors)} vectors for {len(rowids)} chunks")
        if not len(rowids):
            return
        self._open_write("vectors")
        try:
            self._ensure_vectors(int(np.shape(vectors)[1]))
            with self.db.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO vectors SELECT id, %s::halfvec FROM chunks WHERE id = %s "
                    "ON CONFLICT (id) DO UPDATE SET embedding = excluded.embedding",
                    [(_halfvec(v), int(rowid)) for rowid, v in zip(rowids, vectors)])
        except BaseException:
            self._abort_write("vectors")
            raise
        finally:
            self._own_writes += 1
        self._close_write("vectors")

    # -- copying between stores (veille migrate) --------------------------------
    def copy_order(self) -> list[str]:
        """Every stored document's id, in the order its chunks were stored (documents without chunks last)."""
        return [r["id"] for r in self.db.execute(COPY_ORDER_SQL)]

    def export_document(self, doc_id: str) -> CopiedDocument | None:
        """A stored document with everything derived from it, store-neutral, or None (read in one snapshot)."""
        def vectors(rowids: list[int]) -> dict[int, np.ndarray]:
            if not rowids or not self._table_exists("vectors"):
                return {}
            rows = self.db.execute("SELECT id, embedding::text AS v FROM vectors WHERE id = ANY(%s)", (rowids,))
            return {r["id"]: _parse_vector(r["v"]).astype(np.float16) for r in rows}

        with self.db.transaction():  # REPEATABLE READ would be stricter; one document's rows move together
            return copied_document(doc_id, lambda sql, args: self.db.execute(sql.replace("?", "%s"), args).fetchall(),
                                   vectors)

    def put_copied(self, record: CopiedDocument) -> None:
        """Store an exported document as it was, in one transaction; its chunks numbered after the last stored."""
        self._open_write("document")
        try:
            put_copied_rows(PostgresTables(self), record)
        except BaseException as exc:
            self._abort_write("document")
            _raise_full(exc, self.path, self.db)
            raise
        finally:
            self.ranker.invalidate()
            self._own_writes += 1
        self._close_write("document")

    def missing_vectors(self, limit: int) -> list[MissingVector]:
        """Up to ``limit`` stored chunks without a vector, in row order."""
        return self._missing(limit, "")

    def _missing(self, limit: int, lock: str) -> list[MissingVector]:
        without = "AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.id = c.id)" if self._table_exists("vectors") else ""
        rows = self.db.execute(
            f"""SELECT c.id, c.text, c.section, d.title FROM chunks c JOIN documents d ON d.id = c.document_id
                WHERE TRUE {without} ORDER BY c.id LIMIT %s {lock}""", (limit,)).fetchall()
        return [MissingVector(r["id"], r["text"], r["title"], r["section"]) for r in rows]

    @contextmanager
    def claim_missing_vectors(self, limit: int) -> Iterator[list[MissingVector]]:
        """Up to ``limit`` chunks without a vector, locked for this connection (``FOR UPDATE SKIP LOCKED``:
        other claimers get other chunks); vectors put inside are committed at the end of the block. Claiming
        takes no write lock: ingests go on meanwhile. A claim whose process dies ends with its connection."""
        if self._batch_size and self._in_transaction():
            self.flush()
        self.db.execute("BEGIN")
        self._dirty = False
        self._claiming = True
        try:
            yield self._missing(limit, "FOR UPDATE OF c SKIP LOCKED")
            self._commit()
        except BaseException as exc:
            self._rollback()
            _raise_full(exc, self.path, self.db)
            raise
        finally:
            self._claiming = False
            self._own_writes += 1

    def _delete(self, doc_id: str) -> bool:
        db = self.db
        db.execute("DELETE FROM chunk_keys WHERE id IN (SELECT id FROM chunks WHERE document_id = %s)", (doc_id,))
        db.execute("INSERT INTO meta VALUES ('chunk_removals', '1') ON CONFLICT (key) DO UPDATE SET "
                   "value = (meta.value::bigint + 1)::text")
        db.execute("DELETE FROM postings WHERE base IN (SELECT id FROM chunks WHERE document_id = %s)", (doc_id,))
        db.execute("DELETE FROM chunks WHERE document_id = %s", (doc_id,))  # vectors go with them (cascade)
        self.ranker.invalidate()
        self._own_writes += 1
        for table in ("units", "figures", "message_keys", "document_parts"):
            db.execute(f"DELETE FROM {table} WHERE document_id = %s", (doc_id,))
        return db.execute("DELETE FROM documents WHERE id = %s", (doc_id,)).rowcount > 0

    def remove(self, doc_id: str) -> bool:
        self._begin()
        try:
            removed = self._delete(doc_id)
            self._dirty = True
            self._commit()
        except BaseException:
            self._rollback()
            raise
        return removed

    # -- reading ----------------------------------------------------------------
    def _memo(self, name: str, compute: Callable[[], Any]) -> Any:
        key = (self.data_version(), self._own_writes)
        if self._memos.get(name, (None,))[0] != key:
            self._memos[name] = (key, compute())
        return self._memos[name][1]

    def _one(self, sql: str, args: Any = ()) -> Any:
        row = self.db.execute(sql, args).fetchone()
        return None if row is None else next(iter(row.values()))

    def count_vectors(self) -> tuple[int, int]:
        """(chunks with a vector, chunks without)."""
        return self._memo("count_vectors", self._count_vectors)

    def _count_vectors(self) -> tuple[int, int]:
        with_vector = self._one("SELECT COUNT(*) FROM vectors") if self._table_exists("vectors") else 0
        return with_vector, self._one("SELECT COUNT(*) FROM chunks") - with_vector

    def find_source(self, source: str) -> tuple[str, str] | None:
        row = self.db.execute("SELECT id, fingerprint FROM documents WHERE source = %s LIMIT 1", (source,)).fetchone()
        return (row["id"], row["fingerprint"]) if row else None

    def shared_messages(self, keys: list[str]) -> dict[str, dict[str, int]]:
        """Stored documents holding any of ``keys``: each shared key and its rank in that document."""
        found: dict[str, dict[str, int]] = {}
        unique = sorted(set(keys))
        for i in range(0, len(unique), 5000):
            rows = self.db.execute("SELECT key, document_id, pos FROM message_keys WHERE key = ANY(%s)",
                                   (unique[i:i + 5000],))
            for row in rows:
                found.setdefault(row["document_id"], {})[row["key"]] = row["pos"]
        return found

    def count_messages(self, doc_id: str, first: int | None = None, last: int | None = None) -> int:
        if first is None or last is None:
            return self._one("SELECT COUNT(*) FROM message_keys WHERE document_id = %s", (doc_id,))
        return self._one("SELECT COUNT(*) FROM message_keys WHERE document_id = %s AND pos BETWEEN %s AND %s",
                         (doc_id, first, last))

    def has_document(self, doc_id: str) -> str | None:
        return self._one("SELECT source FROM documents WHERE id = %s", (doc_id,))

    def resolve(self, ref: str) -> list[str]:
        """Document ids matching an id, a source path or an export holding several documents, exactly."""
        rows = self.db.execute(
            "SELECT id FROM documents WHERE id = %(r)s OR source = %(r)s"
            " OR left(source, length(%(r)s) + 1) = %(r)s || '#' ORDER BY source COLLATE \"C\", id COLLATE \"C\"",
            {"r": ref}).fetchall()
        return [r["id"] for r in rows]

    def match_prefix(self, prefix: str) -> list[str]:
        """Ids of the documents whose id starts with ``prefix`` (compared as text: no wildcard, no LIKE)."""
        rows = self.db.execute("SELECT id FROM documents WHERE left(id, length(%(p)s)) = %(p)s "
                               "ORDER BY source COLLATE \"C\", id COLLATE \"C\"", {"p": prefix}).fetchall()
        return [r["id"] for r in rows]

    def documents(self) -> list[StoredDocument]:
        return self._documents('ORDER BY d.source COLLATE "C"')

    def document(self, doc_id: str) -> StoredDocument | None:
        found = self._documents("WHERE d.id = %s", (doc_id,))
        return found[0] if found else None

    def _documents(self, where: str, args: tuple[Any, ...] = ()) -> list[StoredDocument]:
        rows = self.db.execute(
            f"""SELECT d.id, d.source, d.kind, d.format, d.title, d.participants, d.ingested_at, d.metadata,
                      (SELECT COUNT(*) FROM chunks c WHERE c.document_id = d.id) AS n_chunks,
                      (SELECT COUNT(*) FROM units u WHERE u.document_id = d.id) AS n_units
               FROM documents d {where}""", args).fetchall()
        return [StoredDocument(
            id=r["id"], source=r["source"], kind=r["kind"], format=r["format"], title=r["title"],
            participants=json.loads(r["participants"]), chunks=r["n_chunks"], units=r["n_units"],
            ingested_at=r["ingested_at"], metadata=json.loads(r["metadata"]),
        ) for r in rows]

    def units(self, doc_id: str, start: int, end: int) -> list[StoredUnit]:
        rows = self.db.execute(
            'SELECT document_id, idx, kind, author, time, "offset", section, line_start, line_end, text FROM units '
            "WHERE document_id = %s AND idx >= %s AND idx < %s ORDER BY idx", (doc_id, start, end)).fetchall()
        return [StoredUnit(**r) for r in rows]

    def participants(self) -> list[str]:
        return self._memo("participants", self._participants)

    def _participants(self) -> list[str]:
        names: dict[str, None] = {}
        for row in self.db.execute('SELECT participants FROM documents ORDER BY source COLLATE "C", id COLLATE "C"'):
            names.update(dict.fromkeys(json.loads(row["participants"])))
        return list(names)

    def chunk_bounds(self, doc_id: str, first: int, end: int) -> list[tuple[int, int, int]]:
        return [(r["idx"], r["unit_start"], r["unit_end"]) for r in self.db.execute(
            "SELECT idx, unit_start, unit_end FROM chunks WHERE document_id = %s AND unit_end > %s "
            "AND unit_start < %s ORDER BY idx", (doc_id, first, end))]

    def timeline(self, doc_id: str) -> list[tuple[str, str, int]]:
        return [(r["author"], r["day"], r["n"]) for r in self.db.execute(
            "SELECT author, left(time, 10) AS day, count(*) AS n FROM units WHERE document_id = %s "
            "AND kind = 'message' AND author IS NOT NULL AND time IS NOT NULL GROUP BY 1, 2 "
            'ORDER BY 2 COLLATE "C", 1 COLLATE "C"', (doc_id,))]

    def unit_at_line(self, doc_id: str, line: int) -> int | None:
        return self._one("SELECT idx FROM units WHERE document_id = %s AND line_start <= %s AND line_end >= %s "
                         "ORDER BY idx LIMIT 1", (doc_id, line, line))

    def unit_authors(self, doc_id: str, start: int, end: int) -> list[str]:
        return [r["author"] for r in self.db.execute(
            "SELECT DISTINCT author FROM units WHERE document_id = %s AND idx >= %s AND idx < %s "
            "AND author IS NOT NULL", (doc_id, start, end))]

    def chunk_frequencies(self, terms: list[str]) -> tuple[int, dict[str, int]]:
        found = dict.fromkeys(terms, 0)
        if terms:
            rows = self.db.execute("SELECT term, SUM(length(chunks)) AS size FROM postings WHERE term = ANY(%s) "
                                   "AND base > 0 GROUP BY term", (list(terms),)).fetchall()
            found.update({r["term"]: int(r["size"]) // IDX_BYTES for r in rows})
        return self._one("SELECT COUNT(*) FROM chunks"), found

    def document_text(self, doc_id: str) -> str | None:
        text = self._one("SELECT text FROM documents WHERE id = %s", (doc_id,))
        if text is None:
            return None
        parts = [r["text"] for r in self.db.execute(
            "SELECT text FROM document_parts WHERE document_id = %s ORDER BY part", (doc_id,))]
        return "".join(parts) if parts else text

    def chunks(self, doc_id: str | None = None) -> Iterator[tuple[Chunk, str]]:
        sql, args = "SELECT * FROM chunks", ()
        if doc_id:
            sql, args = sql + " WHERE document_id = %s", (doc_id,)
        sql += ' ORDER BY source COLLATE "C", document_id COLLATE "C", idx'
        with self.db.cursor(name=None) as cursor:
            for row in cursor.execute(sql, args):
                yield chunk_from_row(row), row["source"]

    def search_lexical(self, terms: list[str], filters: Filters, k: int) -> list[StoredHit]:
        return self.hits(self.rank_lexical(terms, filters, k))

    def rank_lexical(self, terms: list[str], filters: Filters, k: int) -> list[Ranked]:
        """Row ids of the top ``k`` chunks: most query terms first, BM25 second, filtered before the top k."""
        return rank_postings(self.ranker, self._keys, terms, filters, k, self._postings)

    def _postings(self, unique: list[str]) -> dict[str, list[tuple[int, bytes, bytes]]]:
        """The stored postings rows (base, chunks, tfs) of each term that has some, in the terms' order: its
        merged row and the documents' rows stored after it (store/compact.py), in one statement."""
        postings: dict[str, list[tuple[int, bytes, bytes]]] = {}
        # binary rows: bytea in text form is hex, twice the bytes and a decode (3× the fetch at 1 000 000 chunks)
        with self.db.cursor(row_factory=psycopg.rows.tuple_row, binary=True) as cursor:
            for term, base, chunks, tfs in cursor.execute(
                    "SELECT t.term, p.base, p.chunks, p.tfs FROM unnest(%s::text[]) AS t(term) "
                    "CROSS JOIN LATERAL (SELECT base, chunks, tfs FROM postings WHERE term = t.term AND base <= 0 "
                    "UNION ALL SELECT base, chunks, tfs FROM postings WHERE term = t.term AND base > COALESCE("
                    "(SELECT -base FROM postings WHERE term = t.term AND base <= 0), 0)) AS p", (unique,)):
                postings.setdefault(term, []).append((base, chunks, tfs))
        return {t: postings[t] for t in unique if t in postings}  # the query's order, as SQLite's store reads

    def rank_dense(self, vector: np.ndarray, filters: Filters, k: int) -> list[Ranked]:
        """Row ids of the ``k`` chunks nearest ``vector`` (cosine), filtered before the top k: the HNSW index
        finds them (scanning on while filtered rows drop out), or, when the filters keep few chunks, all of
        those are compared. Scores are the dot product in float32, as the SQLite store computes them."""
        if self._dims is None:
            self._dims = self._vector_dims()
            if self._dims is None:
                return []
        allowed = self._keys().allowed(filters)
        if allowed is not None and not len(allowed):
            return []
        query = _halfvec(vector)
        if allowed is None:
            rows = self._nearest("", (query, k), k)
        elif len(allowed) < EXACT_BELOW:  # "+ 0": an order the index cannot give, so every kept row is compared
            rows = self.db.execute("SELECT id FROM vectors WHERE id = ANY(%s) "
                                   "ORDER BY (embedding <=> %s::halfvec) + 0 LIMIT %s",
                                   (allowed.tolist(), query, k)).fetchall()
        else:
            rows = self._nearest("WHERE id = ANY(%s)", (allowed.tolist(), query, k), k)
        found = self.vectors([r["id"] for r in rows])
        if not found:
            return []
        ids = np.fromiter(found, dtype=np.int64, count=len(found))
        scores = np.stack(list(found.values())) @ np.asarray(vector, dtype=np.float32)
        order = np.argsort(-scores, kind="stable")[:k]
        return [Ranked(int(ids[i]), float(scores[i]), 0) for i in order]

    def _nearest(self, where: str, args: tuple[Any, ...], k: int) -> list[dict[str, Any]]:
        if k > self.ef_search:
            self._set_ef(k)
        try:
            return self.db.execute(f"SELECT id FROM vectors {where} ORDER BY embedding <=> %s::halfvec LIMIT %s",
                                   args).fetchall()
        finally:
            if k > self.ef_search:
                self._set_ef(self.ef_search)

    def count_undated(self, filters: Filters) -> int:
        return self._keys().undated(filters)

    def vectors(self, rowids: list[int]) -> dict[int, np.ndarray]:
        """The stored vectors of these chunk rows (those that have one), as float32."""
        if not rowids or not self._table_exists("vectors"):
            return {}
        rows = self.db.execute("SELECT id, embedding::text AS v FROM vectors WHERE id = ANY(%s) ORDER BY id",
                               ([int(r) for r in rowids],)).fetchall()
        return {r["id"]: _parse_vector(r["v"]) for r in rows}

    def hits(self, ranked: list[Ranked]) -> list[StoredHit]:
        """The chunks of ranked row ids, in the same order; a chunk another connection just removed is skipped."""
        if not ranked:
            return []
        rows = {r["id"]: r for r in self.db.execute(
            "SELECT c.*, d.title AS title FROM chunks c JOIN documents d ON d.id = c.document_id "
            "WHERE c.id = ANY(%s)", ([r.rowid for r in ranked],))}
        return [StoredHit(
            rowid=r.rowid, score=r.score, chunk=chunk_from_row(rows[r.rowid]), source=rows[r.rowid]["source"],
            title=rows[r.rowid]["title"], kind=rows[r.rowid]["kind"],
            lines=(rows[r.rowid]["line_start"], rows[r.rowid]["line_end"]), matched=r.matched,
        ) for r in ranked if r.rowid in rows]

    def warm(self) -> None:
        self._keys()

    def _fresh(self) -> None:
        """Drop the chunk keys when another connection removed chunks; note that it may have added some."""
        version = self.data_version()
        if version != self._key_version:
            removals = self.get_meta("chunk_removals")
            if removals != self._key_removals:
                self._key_cache = None
            self._keys_added = True
            self._key_version, self._key_removals = version, removals

    def _keys(self) -> ChunkKeys:
        """Filter columns and lengths of every chunk (see ``SQLiteStore._keys``)."""
        self._fresh()
        columns = ", ".join(KEY_COLUMNS)
        if self._keys_added and self._key_cache is not None and self.ranker.loaded:
            last = int(self._key_cache.ids.max()) if len(self._key_cache.ids) else 0
            rows = self.db.cursor(row_factory=psycopg.rows.tuple_row).execute(
                f"SELECT {columns} FROM chunk_keys WHERE id > %s ORDER BY id", (last,)).fetchall()
            if rows:
                self._key_cache = self._key_cache.extended(rows)
                self.ranker.load_lengths(self._key_cache.ids, self._key_cache.lengths)
        self._keys_added = False
        if self._key_cache is None or not self.ranker.loaded:
            rows = self.db.cursor(row_factory=psycopg.rows.tuple_row).execute(
                f"SELECT {columns} FROM chunk_keys ORDER BY id").fetchall()
            self._key_cache = ChunkKeys(rows)
            self.ranker.load_lengths(self._key_cache.ids, self._key_cache.lengths)
        return self._key_cache

    def figures(self, filters: Filters, *, unit: str | None = None, measure: str | None = None,
                low: float | None = None, high: float | None = None,
                spans: list[tuple[str, int, int]] | None = None) -> list[CitedFigure]:
        """Stored figures under the filters, with their sentence and citation (see ``SQLiteStore.figures``)."""
        where, args = [], []
        for condition, value in (("f.unit = %s", unit), ("f.kind = %s", measure),
                                 ("COALESCE(f.high, f.value) >= %s", low), ("f.value <= %s", high),
                                 ("d.kind = %s", filters.kind), ("strpos(d.source, %s) > 0", filters.source)):
            if value is not None:
                where.append(condition)
                args.append(value)
        dated = "left(COALESCE(u.time, d.date), 16)"
        if filters.since is not None:
            where.append(f"{dated} >= %s")
            args.append(date_bound(filters.since, end=False))
        if filters.until is not None:
            where.append(f"{dated} <= %s")
            args.append(date_bound(filters.until, end=True))
        sql = """SELECT f.*, u.author, u.time, u."offset", u.line_start, u.line_end, u.text AS unit_text,
                        d.source, d.title, d.kind AS document_kind, d.date
                 FROM figures f JOIN units u ON u.document_id = f.document_id AND u.idx = f.idx
                 JOIN documents d ON d.id = f.document_id"""
        if spans is None:
            rows = self.db.execute(sql + (" WHERE " + " AND ".join(where) if where else "")
                                   + ' ORDER BY d.source COLLATE "C", f.document_id COLLATE "C", f.idx, f.start',
                                   args).fetchall()
        else:
            order: dict[tuple[str, int], int] = {}
            for n, (doc_id, start, end) in enumerate(spans):
                for idx in range(start, end):
                    order.setdefault((doc_id, idx), n)
            rows = []
            if spans:
                in_spans = " OR ".join("(f.document_id = %s AND f.idx >= %s AND f.idx < %s)" for _ in spans)
                rows = self.db.execute(f"{sql} WHERE ({in_spans})" + "".join(f" AND {w}" for w in where),
                                       [v for span in spans for v in span] + args).fetchall()
            rows.sort(key=lambda r: (order[(r["document_id"], r["idx"])], r["idx"], r["start"]))
            rows = list({(r["document_id"], r["idx"], r["start"]): r for r in rows}.values())
        return [cited_figure(r) for r in figures_by_author(rows, filters.who)]

    def add_missing_figures(self, extract: Callable[[str], list[Figure]]) -> int:
        """A PostgreSQL knowledge base stores figures with their units from the start: nothing to add."""
        return 0

    def stats(self) -> dict[str, Any]:
        count = self._one
        kinds = {r["kind"]: r["n"] for r in self.db.execute("SELECT kind, COUNT(*) AS n FROM documents GROUP BY kind")}
        return {
            "path": self.path,
            "documents": count("SELECT COUNT(*) FROM documents"),
            "units": count("SELECT COUNT(*) FROM units"),
            "chunks": count("SELECT COUNT(*) FROM chunks"),
            "tokens": count("SELECT COALESCE(SUM(tokens), 0) FROM chunks"),
            "kinds": kinds,
            "vectors": count("SELECT COUNT(*) FROM vectors") if self._table_exists("vectors") else 0,
            "lexical_index": lexical_index(PostgresTables(self)),
            "dense_index": (f"pgvector HNSW (halfvec, cosine, m={HNSW_M}, ef_construction={HNSW_EF_CONSTRUCTION}, "
                            f"ef_search {self.ef_search}); filters keeping under {EXACT_BELOW} chunks: exact"),
            "token_counter": self.get_meta("token_counter"),
            "bytes": count("SELECT pg_database_size(current_database())"),
        }

    def check(self) -> list[str]:
        """What is wrong in the stored data, if anything: veille's invariants (as ``SQLiteStore.check``),
        read in one snapshot (REPEATABLE READ) while writers go on."""
        db = self.db
        own = not self._in_transaction()
        if own:
            db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            problems = []
            checks = STORE_CHECKS if self._table_exists("vectors") else {
                what: sql for what, sql in STORE_CHECKS.items() if "FROM vectors" not in sql}
            for what, sql in checks.items():
                found = self._one(sql)
                if found:
                    problems.append(f"{found} {what}")
            problems += check_postings(PostgresTables(self))
        finally:
            if own:
                db.execute("COMMIT")
        return problems

    def close(self) -> None:
        self.db.close()


class PostgresTables(Tables):
    """How rows go into PostgreSQL's tables: COPY, or ``INSERT … ON CONFLICT DO NOTHING`` (COPY cannot skip)."""

    def __init__(self, store: PostgresStore) -> None:
        self.store = store
        self.db = store.db

    def insert(self, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]],
               ignore_conflicts: bool = False) -> None:
        if not rows:
            return
        with self.db.cursor() as cursor:
            if ignore_conflicts:
                cursor.executemany(f"INSERT INTO {table} ({quoted_columns(columns)}) "
                                   f"VALUES ({', '.join('%(' + c + ')s' for c in columns)}) ON CONFLICT DO NOTHING",
                                   rows)
                return
            with cursor.copy(f"COPY {table} ({quoted_columns(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])

    def rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.db.cursor(row_factory=psycopg.rows.tuple_row) as cursor:
            return cursor.execute(sql.replace("?", "%s"), args).fetchall()

    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        self.db.execute(sql.replace("?", "%s"), args)

    def add_vectors(self, rowids: list[int], vectors: np.ndarray) -> None:
        self.store._ensure_vectors(int(np.shape(vectors)[1]))
        self.insert("vectors", ("id", "embedding"),
                    [{"id": rowid, "embedding": _halfvec(v)} for rowid, v in zip(rowids, vectors)])


def _raise_full(error: BaseException, where: str, connection: Any = None) -> None:
    """Raise StoreFull when the server failed for want of disk space (SQLSTATE 53100), StoreUnavailable when
    the connection was lost (the server stopped or restarted): what was committed before stays."""
    if psycopg is None:
        return
    if isinstance(error, pg_errors.DiskFull):
        raise StoreFull(where, str(error).strip()) from error
    if isinstance(error, psycopg.OperationalError) and connection is not None and connection.broken:
        raise StoreUnavailable(f"{where}: the connection to the server was lost ({str(error).strip()}); "
                               "what was committed before stays: run the same command again") from error


def _ef_from_environment() -> int:
    value = os.environ.get("VEILLE_EF_SEARCH", "")
    if not value:
        return DEFAULT_EF_SEARCH
    if not value.isdigit() or not 1 <= int(value) <= 1000:
        raise VeilleError(f"VEILLE_EF_SEARCH={value!r} is not a number of candidates (1 to 1000)")
    return int(value)
