"""What every store writes for a document, in the same order and numbering: ``DocumentRowWriter`` holds the
logic (units, chunks and their row ids, postings, message-key positions, the text in parts, the document's row
last, a copied document), each store only how rows go into its tables (``Tables``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime, timezone
from typing import Any

import numpy as np

from ..types import Chunk, Document, Unit
from .base import CopiedDocument
from .postings import DocumentTerms
from .records import CHUNK_COLUMNS, FIGURE_COLUMNS, KEY_COLUMNS, chunk_records, document_record, unit_records

#: Characters of a document's text per row of ``document_parts`` (a text written in parts).
TEXT_PART = 1 << 22
#: Chunk rows built and inserted at a time.
CHUNK_ROWS = 2000

UNIT_COLUMNS = ("document_id", "idx", "kind", "author", "time", "offset", "section", "start", "end", "line_start",
                "line_end", "text", "meta")
PART_COLUMNS = ("document_id", "part", "text")
MESSAGE_KEY_COLUMNS = ("key", "document_id", "pos")
POSTING_COLUMNS = ("term", "base", "chunks", "tfs")


def quoted_columns(names: tuple[str, ...]) -> str:
    """Column names for SQL, quoted (``end`` and ``offset`` are keywords)."""
    return ", ".join(f'"{n}"' for n in names)


class Tables(ABC):
    """How rows go into one store's tables (its SQL dialect), inside its open transaction."""

    @abstractmethod
    def insert(self, table: str, columns: tuple[str, ...], rows: list[dict[str, Any]],
               ignore_conflicts: bool = False) -> None:
        """Rows into ``table``, their values taken by column name; with ``ignore_conflicts``, a row whose key is
        already stored is skipped."""

    @abstractmethod
    def rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of a query written with ``?`` placeholders, as tuples."""

    @abstractmethod
    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        """A statement written with ``?`` placeholders."""

    def next_chunk_id(self) -> int:
        """The row id after the last stored chunk, and after any the merged postings cover (a removed chunk's id
        is never given again below them); the write lock is held: no other writer numbers chunks."""
        top = self.rows("SELECT COALESCE(MAX(id), 0) FROM chunks")[0][0]
        merged = self.rows("SELECT value FROM meta WHERE key = 'merged_upto'")
        return max(top, int(merged[0][0]) if merged else 0) + 1

    @abstractmethod
    def add_vectors(self, rowids: list[int], vectors: np.ndarray) -> None:
        """The vectors of chunks just written, in the store's form."""


class DocumentRowWriter:
    """Writes one document's rows into a store's ``tables`` inside its open transaction (see ``Store.writing``).

    Units, chunks and message keys may come in several calls, in order; each
    call's chunks get their own postings rows (``base`` is the call's first chunk
    row id). Text given in several parts is kept in ``document_parts``.
    """

    def __init__(self, tables: Tables, doc: Document) -> None:
        self.tables = tables
        self.doc = doc
        self.doc_id = doc.id
        self.units = 0
        self.keys = 0
        self._text_parts: list[str] = []
        self._text_length = 0
        self._parts_written = 0

    def add_units(self, units: list[Unit]) -> None:
        """The next units of the document (their index follows those already added)."""
        rows, figures = unit_records(self.doc_id, self.units, units)
        self.tables.insert("units", UNIT_COLUMNS, rows)
        self.tables.insert("figures", FIGURE_COLUMNS, figures)
        self.units += len(units)

    def add_chunks(self, units: list[Unit], chunks: list[Chunk], terms: DocumentTerms,
                   vectors: np.ndarray | None = None, first_unit: int = 0) -> None:
        """Chunks over ``units`` (the document's units from index ``first_unit`` on), their index rows and vectors.

        The postings are stored per (term, ``base``): the chunk indexes and frequencies as little-endian
        bytes, ``base`` the row id of this call's first chunk."""
        if vectors is not None and len(vectors) != len(chunks):
            raise ValueError(f"{len(vectors)} vectors for {len(chunks)} chunks")
        if not chunks:
            return
        # rows built a slice at a time (a long document has tens of thousands); the slices get consecutive
        # row ids, so the postings' base is the first slice's
        first_id = min(
            self._add_chunk_rows(units, chunks[start:start + CHUNK_ROWS], terms.lengths[start:start + CHUNK_ROWS],
                                 None if vectors is None else vectors[start:start + CHUNK_ROWS], first_unit)
            for start in range(0, len(chunks), CHUNK_ROWS))
        self.tables.insert("postings", POSTING_COLUMNS, [{"term": t, "base": first_id, "chunks": idx, "tfs": tfs}
                                                         for t, idx, tfs in terms.encoded()])

    def _add_chunk_rows(self, units: list[Unit], chunks: list[Chunk], lengths: list[int],
                        vectors: np.ndarray | None, first_unit: int) -> int:
        """Rows of chunks, their filter keys and vectors; the first chunk's row id."""
        first_id = self.tables.next_chunk_id()
        rows, keys = chunk_records(self.doc, units, chunks, lengths, first_unit, first_id)
        self.tables.insert("chunks", CHUNK_COLUMNS, rows)
        self.tables.insert("chunk_keys", KEY_COLUMNS, keys)
        if vectors is not None and len(vectors):
            self.tables.add_vectors(list(range(first_id, first_id + len(chunks))), vectors)
        return first_id

    def add_message_keys(self, keys: list[str | None]) -> None:
        """The next units' message keys (None for units without one); positions follow those already added."""
        present = [k for k in keys if k]
        self.tables.insert("message_keys", MESSAGE_KEY_COLUMNS,
                           [{"key": key, "document_id": self.doc_id, "pos": self.keys + pos}
                            for pos, key in enumerate(present)], ignore_conflicts=True)
        self.keys += len(present)

    def add_text(self, text: str) -> None:
        """The next part of the document's text (a text given whole goes in the document's row, unless long)."""
        if len(text) > TEXT_PART:  # written a slice at a time: never encoded whole for the database
            for start in range(0, len(text), TEXT_PART):
                self.add_text(text[start:start + TEXT_PART])
            return
        self._text_parts.append(text)
        self._text_length += len(text)
        if self._text_length >= TEXT_PART:
            self._flush_text()

    def _flush_text(self) -> None:
        if self._text_parts:
            self.tables.insert("document_parts", PART_COLUMNS, [
                {"document_id": self.doc_id, "part": self._parts_written, "text": "".join(self._text_parts)}])
            self._parts_written += 1
            self._text_parts, self._text_length = [], 0

    def close(self, fingerprint: str) -> None:
        """Write the document's row (its text inline, unless it came in parts)."""
        doc = self.doc
        if self._parts_written:
            self._flush_text()
            text = ""
            doc.metadata["text_parts"] = self._parts_written
        else:
            text = "".join(self._text_parts)
        row = document_record(doc, fingerprint, text, datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.tables.insert("documents", tuple(row), [row])


def put_copied_rows(tables: Tables, record: CopiedDocument) -> None:
    """An exported document's rows as they were (the document's own row first); its chunks numbered after
    the last stored."""
    tables.insert("documents", tuple(record.document), [record.document])
    tables.insert("document_parts", PART_COLUMNS,
                  [{"document_id": record.id, "part": n, "text": t} for n, t in enumerate(record.text_parts)])
    tables.insert("units", UNIT_COLUMNS, record.units)
    tables.insert("figures", FIGURE_COLUMNS, record.figures)
    tables.insert("message_keys", MESSAGE_KEY_COLUMNS,
                  [{"key": k, "document_id": record.id, "pos": p} for k, p in record.message_keys])
    if not record.chunks:
        return
    first_id = tables.next_chunk_id()
    tables.insert("chunks", CHUNK_COLUMNS, [{**chunk, "id": first_id + n} for n, chunk in enumerate(record.chunks)])
    tables.insert("chunk_keys", KEY_COLUMNS, [{**key, "id": first_id + n} for n, key in enumerate(record.keys)])
    tables.insert("postings", POSTING_COLUMNS, [{"term": t, "base": first_id, "chunks": idx, "tfs": tfs}
                                                for t, idx, tfs in record.terms.encoded()])
    if record.vectors:
        positions = sorted(record.vectors)
        tables.add_vectors([first_id + n for n in positions], np.stack([record.vectors[n] for n in positions]))
