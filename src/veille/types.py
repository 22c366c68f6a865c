"""The records that flow through veille: documents, units, chunks, hits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from typing import Any, Iterable, Literal, get_args

#: Kinds of document veille knows (the CLI's choices and the filters' check use ``DOCUMENT_KINDS``).
DocumentKind = Literal["chat", "transcript", "article", "post", "chunk", "text"]
DOCUMENT_KINDS: tuple[str, ...] = get_args(DocumentKind)

#: How a search ranks: French BM25, embeddings, or both fused (the CLI's choices, the checks and evaluation).
Mode = Literal["lexical", "dense", "hybrid"]
MODES: tuple[str, ...] = get_args(Mode)

#: Kinds of unit. ``raw`` marks text a loader could not place (kept, counted, reported).
UNIT_KINDS = ("message", "system", "sentence", "paragraph", "heading", "raw")


@dataclass(slots=True)
class Figure:
    """A quantity of a unit's text: its value in a base unit and what it counts.

    ``unit`` is EUR, USD, GBP, W, Wh, g, m, B, FLOP/s, % or x (a multiplier), or for a count the
    normalised noun counted (GPU, puce, serveur, token, paramètre, emploi…); ``kind`` groups them (money,
    power, energy, mass, length, data, compute, percent, multiplier, count). ``value`` is normalised
    (3,5 M€ → 3 500 000 EUR, 1,4 GW → 1.4e9 W); ``high`` is the upper bound of a range. ``text`` is the
    figure as written, at ``start``/``end`` in the text it was found in; ``approx`` the hedge before it
    (~, environ, près de, plus de, jusqu'à, about…).
    """

    value: float
    unit: str
    kind: str
    text: str
    start: int
    end: int
    high: float | None = None
    approx: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "high": self.high, "unit": self.unit, "kind": self.kind, "text": self.text,
                "approx": self.approx, "start": self.start, "end": self.end}


@dataclass(slots=True)
class Unit:
    """One message, transcript sentence or paragraph, with where it came from.

    ``start``/``end`` are character offsets into ``Document.text`` (the decoded,
    normalised source) and ``line_start``/``line_end`` 1-based source lines, so a
    citation can point at the exact place.
    """

    text: str
    kind: str = "paragraph"
    author: str | None = None
    time: datetime | None = None
    offset: float | None = None  # seconds from the start of a recording
    section: str | None = None  # heading the unit sits under
    start: int = 0
    end: int = 0
    line_start: int = 0
    line_end: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] | None = None  # found at ingest (enrich/figures.py); None: not looked for yet


@dataclass
class ParseReport:
    """What a loader saw in one file."""

    units: int = 0
    messages: int = 0
    authors: list[str] = field(default_factory=list)
    first: str | None = None  # earliest time of a unit, "YYYY-MM-DD HH:MM"
    last: str | None = None
    system: int = 0
    attachments: int = 0  # units standing for a shared file (media placeholder, file share)
    raw: int = 0  # units of text that could not be placed (kept, never dropped)
    raw_examples: list[str] = field(default_factory=list)  # "line N: text" of the first raw units
    removed: int = 0  # boilerplate / page chrome lines dropped on purpose
    skipped: int = 0  # messages left out because the knowledge base already holds them
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "messages": self.messages,
            "authors": list(self.authors),
            "first": self.first,
            "last": self.last,
            "system": self.system,
            "attachments": self.attachments,
            "raw": self.raw,
            "raw_examples": list(self.raw_examples),
            "removed": self.removed,
            "skipped": self.skipped,
            "notes": list(self.notes),
        }


@dataclass
class Document:
    """A parsed source: ordered units plus what is known about the whole."""

    source: str
    kind: str
    format: str
    text: str
    units: list[Unit] = field(default_factory=list)
    title: str | None = None
    language: str = "fr"
    date: datetime | None = None
    participants: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    report: ParseReport = field(default_factory=ParseReport)

    @cached_property
    def id(self) -> str:
        """Content hash of the decoded text: the same content has the same id."""
        return content_id(self.text)

    def authors(self) -> list[str]:
        """Authors in order of first appearance (declared participants first)."""
        return authors_in_order(self.units, self.participants)


def speaker(unit: Unit) -> str | None:
    """The unit's author as a participant of the document: system lines (joins, renamed groups) have none."""
    return unit.author if unit.author and unit.kind != "system" else None


def authors_in_order(units: Iterable[Unit], declared: Iterable[str] = ()) -> list[str]:
    """The units' authors in order of first appearance, after ``declared``: the one order veille lists people in."""
    seen: dict[str, None] = dict.fromkeys(declared)
    for unit in units:
        author = speaker(unit)
        if author:
            seen.setdefault(author, None)
    return list(seen)


def content_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Chunk:
    """A slice of a document's units, with the metadata of the chunk text format.

    ``text`` is the chunk's own content; ``context`` is the overlap carried from
    the previous chunk (whole units, indexed once: with the chunk that owns them).
    ``unit_start``/``unit_end`` index ``Document.units`` (end exclusive).
    """

    text: str
    unit_start: int
    unit_end: int
    tokens: int
    messages: int
    period: tuple[str | None, str | None] = (None, None)
    participants: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)  # people, organisations, places named in the text
    mention_kinds: dict[str, str] = field(default_factory=dict)  # mention → person | organisation | place
    context: str = ""
    context_start: int | None = None  # first unit of the overlap, when any
    section: str | None = None
    index: int = 0
    document_id: str = ""
    source: str = ""

    @property
    def id(self) -> str:
        return f"{self.document_id}:{self.index}"

    def as_record(self) -> dict[str, Any]:
        """The chunk as {text, metadata}: usable as a LangChain or LlamaIndex document."""
        return {
            "text": self.text,
            "metadata": {
                "id": self.id,
                "document_id": self.document_id,
                "source": self.source,
                "chunk_index": self.index,
                "period_start": self.period[0],
                "period_end": self.period[1],
                "participants": self.participants,
                "topics": self.topics,
                "mentions": [{"name": m, "kind": self.mention_kinds.get(m)} for m in self.mentions],
                "tokens": self.tokens,
                "messages": self.messages,
                "unit_start": self.unit_start,
                "unit_end": self.unit_end,
                "section": self.section,
                "context": self.context,
            },
        }


@dataclass
class CitedFigure:
    """A stored figure with where it was said: its sentence, the unit's author and time, and a citation."""

    figure: Figure
    sentence: str  # the sentence of the unit that holds the figure
    document_id: str
    unit: int  # the unit's index in its document
    source: str
    title: str | None
    kind: str  # the document's kind
    author: str | None
    time: str | None  # "YYYY-MM-DD HH:MM" (the unit's, else the document's), or a recording offset "HH:MM:SS"
    lines: tuple[int, int]

    @property
    def citation(self) -> str:
        """Human-readable pointer: source, lines, unit, who and when."""
        parts = [f"{self.source}:{self.lines[0]}-{self.lines[1]}", f"unité {self.unit}"]
        if self.author:
            parts.append(self.author)
        if self.time:
            parts.append(self.time)
        return " · ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {**self.figure.as_dict(), "sentence": self.sentence, "document_id": self.document_id,
                "unit_index": self.unit, "source": self.source, "title": self.title, "document_kind": self.kind,
                "author": self.author, "time": self.time, "lines": list(self.lines), "citation": self.citation}


@dataclass
class Hit:
    """One search result: a chunk, its score, a highlighted snippet and a citation."""

    chunk_id: str
    document_id: str
    score: float
    snippet: str
    text: str
    source: str
    title: str | None
    kind: str
    unit_start: int
    unit_end: int
    authors: list[str]
    period: tuple[str | None, str | None]
    lines: tuple[int, int]
    ranks: dict[str, int] = field(default_factory=dict)  # rank in each ranker that found it ("lexical", "dense")
    also: list[str] = field(default_factory=list)  # chunk ids left out as near duplicates of this one
    mentions: list[str] = field(default_factory=list)  # people, organisations, places the chunk names
    figures: list[Figure] = field(default_factory=list)  # the figures of the chunk's own units, in order

    @property
    def citation(self) -> str:
        """Human-readable pointer: source, lines, units, who and when."""
        parts = [f"{self.source}:{self.lines[0]}-{self.lines[1]}",
                 f"unités {self.unit_start}–{self.unit_end - 1}"]
        if self.authors:
            parts.append(", ".join(self.authors))
        if self.period[0]:
            parts.append(self.period[0] if self.period[0] == self.period[1]
                         else f"{self.period[0]} → {self.period[1]}")
        return " · ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "document_id": self.document_id,
            "score": self.score,
            "snippet": self.snippet,
            "text": self.text,
            "source": self.source,
            "title": self.title,
            "kind": self.kind,
            "units": [self.unit_start, self.unit_end - 1],
            "authors": self.authors,
            "period": list(self.period),
            "lines": list(self.lines),
            "citation": self.citation,
            "ranks": self.ranks,
            "also": self.also,
            "mentions": self.mentions,
            "figures": [f.as_dict() for f in self.figures],
        }
