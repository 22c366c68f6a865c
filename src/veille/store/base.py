"""What a store must do, whatever holds the data (SQLite file, PostgreSQL server)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ContextManager, Iterator, Protocol

import numpy as np

from ..types import Chunk, Document
from .postings import DocumentPostings, Ranked


@dataclass
class Filters:
    """Filters applied inside the ranking query, before the top k is taken."""

    kind: str | None = None
    who: str | None = None  # a participant, matched case- and accent-insensitively
    since: str | None = None  # ISO date or datetime, inclusive
    until: str | None = None  # inclusive; a bare date covers the whole day
    source: str | None = None  # substring of the source path
    topic: str | None = None


@dataclass
class StoredDocument:
    """A document as listed by the store (without its units)."""

    id: str
    source: str
    kind: str
    format: str
    title: str | None
    participants: list[str]
    chunks: int
    units: int
    ingested_at: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass
class StoredHit:
    """A chunk found by a ranker, with everything needed to show and cite it."""

    rowid: int
    score: float
    chunk: Chunk
    source: str
    title: str | None
    kind: str
    lines: tuple[int, int]
    matched: int = 0  # distinct query terms the chunk holds (lexical ranker)


@dataclass
class MissingVector:
    """A stored chunk without a vector yet, and what its passage is made of."""

    rowid: int
    text: str
    title: str | None
    section: str | None


class Store(Protocol):
    """Storage of documents, units, chunks and the lexical index."""

    def put_document(self, doc: Document, chunks: list[Chunk], postings: DocumentPostings,
                     fingerprint: str, replace_id: str | None = None,
                     message_keys: list[str | None] | None = None, vectors: np.ndarray | None = None) -> None:
        """Store a document and everything derived from it (its messages' keys, its chunks' vectors,
        one row per chunk) in one transaction."""

    def put_vectors(self, rowids: list[int], vectors: np.ndarray) -> None:
        """Store vectors of chunks already stored (one transaction)."""

    def missing_vectors(self, limit: int) -> list[MissingVector]:
        """Up to ``limit`` stored chunks without a vector, in row order."""

    def count_vectors(self) -> tuple[int, int]:
        """(chunks with a vector, chunks without)."""

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def shared_messages(self, keys: list[str]) -> dict[str, dict[str, int]]:
        """Stored documents holding any of ``keys``: each shared key and its rank in that document."""

    def count_messages(self, doc_id: str, first: int | None = None, last: int | None = None) -> int:
        """Keyed messages of a stored document (those ranked ``first`` to ``last`` when given)."""

    def batch(self, size: int = 64, seconds: float = 0.5,
              on_commit: Callable[[], None] | None = None) -> ContextManager[None]:
        """Share short write transactions between the documents put inside (each still whole or absent);
        ``on_commit`` after each commit; what is not committed when the block fails is rolled back."""

    def flush(self) -> None:
        """Inside ``batch()``: commit now (before waiting for anything, so other writers are not kept waiting)."""

    def start_write(self) -> None:
        """Inside ``batch()``: take the write lock now, so what is read next is what the next write sees."""

    def data_version(self) -> int:
        """A number that moves when another connection or process commits."""

    def check(self) -> list[str]:
        """What is wrong in the stored data, if anything."""

    def find_source(self, source: str) -> tuple[str, str] | None:
        """(document id, fingerprint) stored for a source path, if any."""

    def has_document(self, doc_id: str) -> str | None:
        """The source of a stored document with that id, if any."""

    def remove(self, doc_id: str) -> bool:
        """Delete a document and all that derives from it."""

    def documents(self) -> list[StoredDocument]: ...

    def chunks(self, doc_id: str | None = None) -> Iterator[tuple[Chunk, str]]:
        """Stored chunks with their document's source, in document order."""

    def search_lexical(self, terms: list[str], filters: Filters, k: int) -> list[StoredHit]:
        """Chunks holding the most query terms first, then by BM25, under the filters."""

    def rank_lexical(self, terms: list[str], filters: Filters, k: int) -> list[Ranked]:
        """Row ids of the top ``k`` chunks of ``search_lexical``, without reading the chunks."""

    def rank_dense(self, vector: np.ndarray, filters: Filters, k: int) -> list[Ranked]:
        """Row ids of the ``k`` chunks nearest ``vector`` (cosine), under the filters."""

    def hits(self, ranked: list[Ranked]) -> list[StoredHit]:
        """The chunks of ranked row ids, in the same order (rows removed meanwhile left out)."""

    def vectors(self, rowids: list[int]) -> dict[int, np.ndarray]:
        """The stored vectors of these chunk rows (those that have one)."""

    def stats(self) -> dict[str, Any]: ...

    def close(self) -> None: ...
