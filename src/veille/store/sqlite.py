"""The default store: one SQLite file with an FTS5 index ranked by BM25."""

from __future__ import annotations

import json
import re
import sqlite3
from functools import lru_cache
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from ..text.analyzer import fold_accents
from ..types import Chunk, Document
from .base import Filters, LexicalHit, StoredDocument

SCHEMA_VERSION = "1"

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
    UNIQUE (document_id, idx)
);
CREATE INDEX IF NOT EXISTS chunks_kind_time ON chunks(kind, time_start);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5(
    terms, tokenize = "unicode61 remove_diacritics 0 tokenchars '.'"
);
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, accent-free form used for participant and topic filters."""
    return fold_accents(text.lower())


class SQLiteStore:
    """Documents, units, chunks and the BM25 index in one file (``:memory:`` works too)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        if self.path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(_SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))

    # -- settings -----------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- writing ------------------------------------------------------------
    def put_document(self, doc: Document, chunks: list[Chunk], chunk_terms: list[str],
                     fingerprint: str, replace_id: str | None = None) -> None:
        """Store a document, its units, chunks and index entries: all of it or nothing."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            if replace_id:
                self._delete(replace_id)
            doc_id = doc.id
            db.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc_id, doc.source, doc.kind, doc.format, doc.title, doc.language,
                 doc.date.isoformat(sep=" ") if doc.date else None,
                 json.dumps(doc.participants, ensure_ascii=False),
                 json.dumps(doc.metadata, ensure_ascii=False, default=str),
                 json.dumps(doc.report.as_dict(), ensure_ascii=False),
                 fingerprint, doc.text, _now()),
            )
            db.executemany(
                "INSERT INTO units VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(doc_id, i, u.kind, u.author, u.time.isoformat(sep=" ") if u.time else None, u.offset,
                  u.section, u.start, u.end, u.line_start, u.line_end, u.text,
                  json.dumps(u.meta, ensure_ascii=False, default=str) if u.meta else None)
                 for i, u in enumerate(doc.units)],
            )
            doc_time = doc.date.strftime("%Y-%m-%d %H:%M") if doc.date else None
            next_id = (db.execute("SELECT COALESCE(MAX(id), 0) FROM chunks").fetchone()[0]) + 1
            rows = []
            fts_rows = []
            for n, (chunk, terms) in enumerate(zip(chunks, chunk_terms)):
                rowid = next_id + n
                first = doc.units[chunk.unit_start] if doc.units else None
                last = doc.units[chunk.unit_end - 1] if doc.units else None
                times = _sortable_period(doc, chunk) or (doc_time, doc_time)
                rows.append((
                    rowid, doc_id, chunk.index, chunk.text, chunk.context, chunk.unit_start, chunk.unit_end,
                    chunk.context_start, chunk.tokens, chunk.messages, chunk.period[0], chunk.period[1],
                    times[0], times[1],
                    json.dumps(chunk.participants, ensure_ascii=False),
                    "|" + "|".join(fold(p) for p in chunk.participants) + "|",
                    json.dumps(chunk.topics, ensure_ascii=False),
                    "|" + "|".join(fold(t) for t in chunk.topics) + "|",
                    chunk.section, doc.kind, doc.source,
                    first.line_start if first else 0, last.line_end if last else 0,
                ))
                fts_rows.append((rowid, terms))
            db.executemany("INSERT INTO chunks VALUES (" + ",".join("?" * 23) + ")", rows)
            db.executemany("INSERT INTO chunk_fts(rowid, terms) VALUES (?, ?)", fts_rows)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _delete(self, doc_id: str) -> bool:
        db = self.db
        rowids = [r[0] for r in db.execute("SELECT id FROM chunks WHERE document_id = ?", (doc_id,))]
        if rowids:
            db.executemany("DELETE FROM chunk_fts WHERE rowid = ?", [(r,) for r in rowids])
        db.execute("DELETE FROM chunks WHERE document_id = ?", (doc_id,))
        db.execute("DELETE FROM units WHERE document_id = ?", (doc_id,))
        return db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount > 0

    def remove(self, doc_id: str) -> bool:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
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

    def has_document(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT source FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def resolve(self, ref: str) -> list[str]:
        """Document ids matching an id, an id prefix or a source path."""
        rows = self.db.execute(
            "SELECT id FROM documents WHERE id = ? OR source = ? OR (length(?) >= 6 AND id LIKE ? || '%')",
            (ref, ref, ref, ref),
        ).fetchall()
        return [r[0] for r in rows]

    def documents(self) -> list[StoredDocument]:
        rows = self.db.execute(
            """SELECT d.*, (SELECT COUNT(*) FROM chunks c WHERE c.document_id = d.id) AS n_chunks,
                      (SELECT COUNT(*) FROM units u WHERE u.document_id = d.id) AS n_units
               FROM documents d ORDER BY d.source"""
        ).fetchall()
        return [StoredDocument(
            id=r["id"], source=r["source"], kind=r["kind"], format=r["format"], title=r["title"],
            participants=json.loads(r["participants"]), chunks=r["n_chunks"], units=r["n_units"],
            ingested_at=r["ingested_at"], metadata=json.loads(r["metadata"]),
        ) for r in rows]

    def document_text(self, doc_id: str) -> str | None:
        row = self.db.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def chunks(self, doc_id: str | None = None) -> Iterator[tuple[Chunk, str]]:
        sql = "SELECT * FROM chunks"
        args: tuple[Any, ...] = ()
        if doc_id:
            sql += " WHERE document_id = ?"
            args = (doc_id,)
        sql += " ORDER BY source, document_id, idx"
        for row in self.db.execute(sql, args):
            yield _chunk_from_row(row), row["source"]

    def search_lexical(self, terms: list[str], filters: Filters, k: int, all_terms: bool) -> list[LexicalHit]:
        if not terms:
            return []
        quoted = ['"' + t.replace('"', '""') + '"' for t in dict.fromkeys(terms)]
        expression = (" AND " if all_terms else " OR ").join(quoted)
        where, args = _filter_sql(filters)
        if where:
            sql = f"""SELECT c.*, d.title AS title, bm25(chunk_fts) AS score
                      FROM chunk_fts JOIN chunks c ON c.id = chunk_fts.rowid
                      JOIN documents d ON d.id = c.document_id
                      WHERE chunk_fts MATCH ? AND {where}
                      ORDER BY score LIMIT ?"""
        else:
            # FTS5 ranks by itself fastest when nothing else constrains the rows.
            sql = """SELECT c.*, d.title AS title, f.rank AS score
                     FROM (SELECT rowid, rank FROM chunk_fts WHERE chunk_fts MATCH ? ORDER BY rank LIMIT ?) f
                     JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.document_id
                     ORDER BY f.rank"""
            args = []
        params = [expression, *args, k] if where else [expression, k]
        rows = self.db.execute(sql, params).fetchall()
        return [LexicalHit(
            rowid=r["id"], score=-float(r["score"]), chunk=_chunk_from_row(r), source=r["source"],
            title=r["title"], kind=r["kind"], lines=(r["line_start"], r["line_end"]),
        ) for r in rows]

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
            "token_counter": self.get_meta("token_counter"),
            "bytes": Path(self.path).stat().st_size if self.path != ":memory:" else None,
        }

    def close(self) -> None:
        self.db.close()


def _sortable_period(doc: Document, chunk: Chunk) -> tuple[str, str] | None:
    """Wall-clock period of a chunk as sortable text (recording offsets are not dates)."""
    times = [u.time for u in doc.units[chunk.unit_start:chunk.unit_end] if u.time is not None]
    if times:
        return min(times).strftime("%Y-%m-%d %H:%M"), max(times).strftime("%Y-%m-%d %H:%M")
    if all(p and _DATE.match(p) for p in chunk.period):  # a chunk file's Période
        return chunk.period[0][:16], chunk.period[1][:16]  # type: ignore[index]
    return None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?")


def _filter_sql(filters: Filters) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    if filters.kind:
        clauses.append("c.kind = ?")
        args.append(filters.kind)
    if filters.who:
        clauses.append("c.who LIKE ?")
        args.append("%" + fold(filters.who).replace("%", "") + "%")
    if filters.topic:
        clauses.append("c.topics_folded LIKE ?")
        args.append("%" + fold(filters.topic).replace("%", "") + "%")
    if filters.source:
        clauses.append("c.source LIKE ?")
        args.append("%" + filters.source.replace("%", "") + "%")
    if filters.since:
        clauses.append("c.time_end >= ?")
        args.append(_bound(filters.since, end=False))
    if filters.until:
        clauses.append("c.time_start <= ?")
        args.append(_bound(filters.until, end=True))
    return " AND ".join(clauses), args


def _bound(value: str, end: bool) -> str:
    """``2025-07-27`` → the start or the end of that day, in the stored form."""
    value = value.strip().replace("T", " ")
    if len(value) == 10:
        return value + (" 23:59" if end else " 00:00")
    if len(value) == 7:  # a month
        return value + ("-31 23:59" if end else "-01 00:00")
    if len(value) == 4:  # a year
        return value + ("-12-31 23:59" if end else "-01-01 00:00")
    return value[:16]


def _chunk_from_row(row: sqlite3.Row) -> Chunk:
    return Chunk(
        text=row["text"], unit_start=row["unit_start"], unit_end=row["unit_end"], tokens=row["tokens"],
        messages=row["messages"], period=(row["period_start"], row["period_end"]),
        participants=json.loads(row["participants"]), topics=json.loads(row["topics"]),
        context=row["context"], context_start=row["context_start"], section=row["section"],
        index=row["idx"], document_id=row["document_id"], source=row["source"],
    )
