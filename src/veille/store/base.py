"""What a store must do, whatever holds the data (SQLite file, PostgreSQL server)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, ContextManager, Iterator, Protocol

import numpy as np

from ..errors import BadArgument
from ..types import Chunk, CitedFigure, Document, Figure, Unit
from .postings import DocumentTerms, Ranked

DATE_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DD HH:MM"
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2})(?:[ T]([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?)?)?")


def date_bound(value: str, end: bool) -> str:
    """The first (or, with ``end``, the last) minute a date covers, as stored: ``YYYY-MM-DD HH:MM``.

    ``2025`` covers the year, ``2025-07`` the month, ``2025-07-27`` the day;
    ``2025-07-27 14:30`` (or ``T14:30``, seconds ignored) is that minute.
    Anything else, a 13th month or a 31st of June included, is a ValueError.
    """
    match = _DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a date ({DATE_FORMS})")
    year, month, day, hour, minute, second = (int(g) if g else None for g in match.groups())
    if month is None:
        month = 12 if end else 1
    try:
        if day is None:
            day = calendar.monthrange(year, month)[1] if end and 1 <= month <= 12 else 1
        if hour is None:
            hour, minute = (23, 59) if end else (0, 0)
        moment = datetime(year, month, day, hour, minute, second or 0)
    except ValueError:
        raise ValueError(f"{value!r} is not a date ({DATE_FORMS})") from None
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"


@dataclass
class Filters:
    """Filters applied inside the ranking query, before the top k is taken.

    Dates are checked when the filters are made: a BadArgument names ``since``
    or ``until`` when one is not a date, or when since comes after until.
    """

    kind: str | None = None
    who: str | None = None  # a participant, matched case- and accent-insensitively
    since: str | None = None  # a date (DATE_FORMS), inclusive
    until: str | None = None  # inclusive; a bare date covers the whole day
    source: str | None = None  # substring of the source path
    topic: str | None = None
    mentions: str | None = None  # a person, organisation or place named in the text ("EDF", "Kempf")

    def __post_init__(self) -> None:
        bounds = {}
        for name, end in (("since", False), ("until", True)):
            value = getattr(self, name)
            if value is not None:
                try:
                    bounds[name] = date_bound(value, end)
                except ValueError as exc:
                    raise BadArgument(name, str(exc)) from None
        if len(bounds) == 2 and bounds["since"] > bounds["until"]:
            raise BadArgument("since", f"{self.since!r} is after until {self.until!r}: no date is in between")

    @property
    def dated(self) -> bool:
        """Whether a date filter is set (chunks without a date are then left out)."""
        return self.since is not None or self.until is not None


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
class StoredUnit:
    """One stored unit (message, transcript sentence, paragraph) of a document, with where it came from."""

    document_id: str
    idx: int
    kind: str
    author: str | None
    time: str | None  # "YYYY-MM-DD HH:MM[:SS]" when the source dates it
    offset: float | None  # seconds from the start of a recording
    section: str | None
    line_start: int
    line_end: int
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"idx": self.idx, "kind": self.kind, "author": self.author, "time": self.time, "offset": self.offset,
                "section": self.section, "lines": [self.line_start, self.line_end], "text": self.text}


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


@dataclass
class CopiedDocument:
    """A stored document with all that derives from it, as another store writes it back (``put_copied``):
    nothing parsed, chunked or embedded again. Rows are by column name (the columns ``records.py`` names,
    the same in every store); chunks come in index order, without their row ids (the store that writes them
    numbers them); ``terms`` counts chunks from the document's first; vectors are float16, as stored."""

    document: dict[str, Any]  # the document's row: metadata, report, fingerprint, ingested_at, text ("" if in parts)
    text_parts: list[str]  # the parts of a text too long for the row, in order
    units: list[dict[str, Any]]
    figures: list[dict[str, Any]]
    chunks: list[dict[str, Any]]  # in chunk order, without "id"
    keys: list[dict[str, Any]]  # each chunk's filter keys (and its length in terms), same order, without "id"
    terms: DocumentTerms
    message_keys: list[tuple[str, int]]  # (key, rank among the document's keyed messages)
    vectors: dict[int, np.ndarray]  # chunk position → its vector (float16), for chunks that have one

    @property
    def id(self) -> str:
        return self.document["id"]


class DocumentWriter(Protocol):
    """One document written in parts inside its transaction (``Store.writing``): units, chunks and message
    keys come in order, in as many calls as the caller likes; the document is stored whole when the
    ``writing`` block ends, or not at all."""

    def add_units(self, units: list[Unit]) -> None:
        """The next units of the document (their index follows those already added), with their figures."""

    def add_chunks(self, units: list[Unit], chunks: list[Chunk], terms: DocumentTerms,
                   vectors: np.ndarray | None = None, first_unit: int = 0) -> None:
        """Chunks over ``units`` (the document's units from index ``first_unit`` on), their index terms
        (``terms`` counts chunks from 0, the first of ``chunks``) and vectors (one row per chunk)."""

    def add_message_keys(self, keys: list[str | None]) -> None:
        """The next units' message keys (None for units without one)."""

    def add_text(self, text: str) -> None:
        """The next part of the document's text."""


class Store(Protocol):
    """Storage of documents, units, chunks, their index terms and vectors.

    Errors a caller acts on are veille's own: ``StoreFull`` when the store cannot be written any more.
    """

    path: str  # where the data is: a file, or a server's address without its password
    readonly: bool

    def put_document(self, doc: Document, chunks: list[Chunk], terms: DocumentTerms,
                     fingerprint: str, replace_id: str | None = None,
                     message_keys: list[str | None] | None = None, vectors: np.ndarray | None = None) -> None:
        """Store a document and everything derived from it (its messages' keys, its chunks' vectors,
        one row per chunk) in one transaction."""

    def writing(self, doc: Document, fingerprint: str,
                replace_id: str | None = None) -> ContextManager[DocumentWriter]:
        """A document written in parts (see ``DocumentWriter``) in one transaction: all of it or nothing;
        its row is written last, from ``doc`` as it stands then. Inside ``batch()``, a part of the batch's
        transaction; what the block reads sees what the next write sees (the write lock is held)."""

    def claim_missing_vectors(self, limit: int) -> ContextManager[list[MissingVector]]:
        """Up to ``limit`` chunks without a vector, claimed for this caller: others claiming at the same
        time get other chunks; the vectors ``put_vectors`` stores inside the block are committed at its
        end, and a claim whose block fails (or whose process dies) is let go for another."""

    def put_vectors(self, rowids: list[int], vectors: np.ndarray) -> None:
        """Store vectors of chunks already stored (one transaction)."""

    def put_copied(self, record: CopiedDocument) -> None:
        """Store a document exported by ``export_document`` (of this store or another), in one transaction;
        its chunks get row ids after the last stored."""

    def export_document(self, doc_id: str) -> CopiedDocument | None:
        """A stored document with everything derived from it, store-neutral (see ``CopiedDocument``), or None."""

    def copy_order(self) -> list[str]:
        """Every stored document's id, in the order its chunks were stored (documents without chunks last):
        copied in this order, the chunks keep their relative row order, and so rankings keep their ties."""

    def missing_vectors(self, limit: int) -> list[MissingVector]:
        """Up to ``limit`` stored chunks without a vector, in row order."""

    def count_vectors(self) -> tuple[int, int]:
        """(chunks with a vector, chunks without)."""

    def get_meta(self, key: str) -> str | None: ...

    def units(self, doc_id: str, start: int, end: int) -> list[StoredUnit]:
        """The document's units ``start`` to ``end`` (exclusive), in order."""

    def participants(self) -> list[str]:
        """Every document's participants, each once, in the order of the documents' sources."""

    def unit_at_line(self, doc_id: str, line: int) -> int | None:
        """The first unit of the document holding source line ``line`` (1-based), or None."""

    def document(self, doc_id: str) -> StoredDocument | None:
        """One stored document, or None."""

    def chunk_frequencies(self, terms: list[str]) -> tuple[int, dict[str, int]]:
        """(chunks stored, how many chunks hold each of ``terms``): what an idf is computed from."""

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

    def resolve(self, ref: str) -> list[str]:
        """Ids of the documents with this id or source path, or the conversations of this export, exactly."""

    def match_prefix(self, prefix: str) -> list[str]:
        """Ids of the documents whose id starts with ``prefix``, compared as plain text."""

    def documents(self) -> list[StoredDocument]: ...

    def chunks(self, doc_id: str | None = None) -> Iterator[tuple[Chunk, str]]:
        """Stored chunks with their document's source, in document order."""

    def search_lexical(self, terms: list[str], filters: Filters, k: int) -> list[StoredHit]:
        """Chunks holding the most query terms first, then by BM25, under the filters."""

    def rank_lexical(self, terms: list[str], filters: Filters, k: int) -> list[Ranked]:
        """Row ids of the top ``k`` chunks of ``search_lexical``, without reading the chunks."""

    def rank_dense(self, vector: np.ndarray, filters: Filters, k: int) -> list[Ranked]:
        """Row ids of the ``k`` chunks nearest ``vector`` (cosine), under the filters."""

    def count_undated(self, filters: Filters) -> int:
        """Chunks the other filters keep but ``since``/``until`` leave out for want of a date."""

    def hits(self, ranked: list[Ranked]) -> list[StoredHit]:
        """The chunks of ranked row ids, in the same order (rows removed meanwhile left out)."""

    def vectors(self, rowids: list[int]) -> dict[int, np.ndarray]:
        """The stored vectors of these chunk rows (those that have one)."""

    def figures(self, filters: Filters, *, unit: str | None = None, measure: str | None = None,
                low: float | None = None, high: float | None = None,
                spans: list[tuple[str, int, int]] | None = None) -> list[CitedFigure]:
        """Stored figures under the filters (of the units in ``spans`` when given), with sentence and citation."""

    def add_missing_figures(self, extract: Callable[[str], list[Figure]]) -> int:
        """Figures of units stored before figures were, extracted and stored once; how many."""

    def stats(self) -> dict[str, Any]: ...

    def chunk_bounds(self, doc_id: str, first: int, end: int) -> list[tuple[int, int, int]]:
        """(chunk index, first unit, unit after the last) of the document's chunks that meet units [first, end)."""

    def timeline(self, doc_id: str) -> list[tuple[str, str, int]]:
        """(author, day, messages) of a conversation, for each day an author wrote."""

    def document_text(self, doc_id: str) -> str | None:
        """The document's decoded text, whole."""

    def unit_authors(self, doc_id: str, start: int, end: int) -> list[str]:
        """The authors of units ``start`` to ``end`` (exclusive)."""

    def warm(self) -> None:
        """Load what searches keep in memory now (a search would, the first time)."""

    def close(self) -> None: ...
