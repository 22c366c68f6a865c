"""The per-file work of ingest: decode, detect, load (``parse_file``); chunk, topics, figures and index terms
(``chunk_document_here``).

Both run in the ingest's worker processes as well as in the calling one; ``ingest.py`` decides between the two
whether a document is stored, and stores it.
"""

from __future__ import annotations

import ctypes
import os
import re
import signal
import sys
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from .archive import ArchiveText, is_zip, read_chat_archive
from .chunking import ChunkingConfig, chunk_document
from .detect import detect, get_loader
from .enrich import MentionExtractor, TopicExtractor
from .enrich.figures import extract_figures
from .errors import InputError
from .exports import ExportFiles, archive_export, folder_only
from .names import as_text, source_path
from .loaders.jsonchat import InvalidJSON, json_problem, looks_like_json, refusal
from .read import DEFAULT_MAX_BYTES, decode_bytes
from .store.postings import DocumentTerms, document_terms
from .text.analyzer import default_analyzer
from .text.tokens import TokenCounter, make_counter
from .types import Chunk, Document, Figure, Unit, content_id

# Formats veille has no loader for yet: refused by name rather than read as plain text.
_UNSUPPORTED_SUFFIXES = {
    ".json": "JSON", ".jsonl": "JSON lines", ".csv": "CSV", ".tsv": "TSV", ".xml": "XML",
    ".pdf": "PDF", ".docx": "Word", ".doc": "Word", ".odt": "OpenDocument", ".xlsx": "Excel",
    ".pptx": "PowerPoint", ".epub": "EPUB", ".gz": "gzip archive",
    ".sqlite": "SQLite database", ".db": "database",
}

#: Topics are scored against at most this many chunks of a document at a time (memory stays bounded
#: for a document of a hundred megabytes; a document of up to ~3 MB of text is scored as a whole).
TOPIC_WINDOW = 500

#: A document whose text is longer than this (characters) is chunked, indexed and stored a window of about
#: this many characters of units at a time (a 100 MB text never has all its chunks in memory at once).
WINDOW_CHARS = 2_000_000


@dataclass
class FileResult:
    """What happened to one file of an ingest."""

    path: str
    status: str  # added | replaced | unchanged | duplicate | failed
    reason: str = ""
    document_id: str | None = None
    format: str | None = None
    detection: str = ""
    chunks: int = 0
    report: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.path = as_text(self.path)  # a name that is not UTF-8 still goes into JSON and SQLite

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "status": self.status, "reason": self.reason,
            "document_id": self.document_id, "format": self.format, "detection": self.detection,
            "chunks": self.chunks, "report": self.report,
        }


def _refuse_unsupported(name: str, text: str) -> None:
    """Text that only plain text would take, but is a format veille does not read yet.

    (Text that opens like JSON never gets here: detection refuses it when no JSON loader fits.)
    """
    suffix = Path(name).suffix.lower()
    if suffix in _UNSUPPORTED_SUFFIXES:
        raise InputError(name, f"unknown format: {_UNSUPPORTED_SUFFIXES[suffix]} has no loader yet "
                               "(use --format to force one)")
    if text.lstrip().startswith("<?xml"):
        raise InputError(name, "unknown format: XML has no loader yet (use --format to force one)")



class Pipeline:
    """Decode, detect, load, chunk, topics, figures and index terms: the per-file work of ingest."""

    def __init__(self, counter_name: str, config: ChunkingConfig, counter: TokenCounter | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES, window_chars: int = WINDOW_CHARS, figures: bool = True) -> None:
        self.counter_name = counter_name
        self.figures = figures  # extract each unit's figures as its chunks are made
        self.config = config
        self.max_bytes = max_bytes
        self.window_chars = window_chars
        self._counter = counter
        self._topics: TopicExtractor | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"counter_name": self.counter_name, "config": self.config, "max_bytes": self.max_bytes,
                "window_chars": self.window_chars, "figures": self.figures, "_counter": None, "_topics": None}

    @property
    def counter(self) -> TokenCounter:
        if self._counter is None:
            self._counter = make_counter(self.counter_name)
        return self._counter

    def parse_source(self, data: bytes | ExportFiles, name: str,
                     format: str | None = None) -> list[tuple[Document, str]]:
        """A file's bytes, or an export's files, to Documents and how their format was chosen.

        An export (a folder of several files, or a zip archive of one: ``loaders.EXPORT_LOADERS``) gives
        the documents its loader finds in it (a Slack export, one per conversation); a file, one document.
        """
        if isinstance(data, ExportFiles):
            return data.parse(name)
        export = archive_export(data, name, format, self.max_bytes) if is_zip(data) else None
        if export is not None:
            return export.parse(name)
        forced = folder_only(format)
        if forced is not None:
            raise InputError(name, f"a {forced.described} is a folder or a zip archive of one")
        return [self.parse_bytes(data, name, format)]

    def parse_bytes(self, data: bytes, name: str, format: str | None = None) -> tuple[Document, str]:
        """Bytes to a Document (decode, detect, load), and how the format was chosen.

        A zip archive (a chat exported with its media) is read through its chat text file.
        """
        archive = read_chat_archive(data, name, self.max_bytes) if is_zip(data) else None
        decoded = decode_bytes(archive.data if archive else data, name)
        size = len(data)
        if isinstance(data, bytearray):
            data.clear()  # a large file's bytes, handed over to be freed once decoded
        text = decoded.text
        if format:
            loader = get_loader(format)
            if looks_like_json(text) and not loader.reads_json:
                raise InputError(name, refusal(text) if json_problem(text) else
                                 f"{loader.name} reads text, not JSON: force a JSON export's format")
            detection = f"{loader.name} (forced)"
        else:
            found = detect(text, Path(name).name)
            if found.refused:
                raise InputError(name, found.refused)
            if found.format == "plaintext":
                _refuse_unsupported(name, text)
            loader = get_loader(found.format)
            detection = f"{found.format} ({found.confidence:.2f}: {found.reason})"
        try:
            doc = loader.parse(text, name)
        except InvalidJSON as exc:
            raise InputError(name, str(exc)) from exc
        except (ValueError, KeyError, IndexError) as exc:
            raise InputError(name, f"{loader.name}: cannot parse: {exc}") from exc
        if not doc.units:
            why = doc.metadata.get("no_text")
            raise InputError(name, f"{loader.name}: no text found" + (f": {why}" if why else ""))
        split_long_units(doc)
        if decoded.repaired:
            doc.report.notes.append(f"{decoded.repaired} mojibake sequences repaired")
        doc.metadata.setdefault("encoding", decoded.encoding)
        if doc.format == "html":
            doc.metadata["html_bytes"] = size
        if archive:
            _attach_archive(doc, archive)
            detection += f"; {archive.member!r} inside the zip archive"
        return doc, detection

    def chunk(self, doc: Document, previous: Unit | None = None) -> list[Chunk]:
        """Chunks with topics and mentions (a chunk file keeps the topics and mentions its header gave).

        Topics never hold the names of the document's participants: who speaks is in ``participants``.

        ``previous``: the unit before the first of ``doc`` when ``doc`` is a window of a longer document.
        Each unit gets its figures here (once), so they are found in the worker that chunks the document.
        """
        if self.figures:
            for unit in doc.units:
                if unit.figures is None:
                    unit.figures = extract_figures(unit.text)
        chunks = chunk_document(doc, self.counter, self.config, previous)
        keeps_header = doc.kind == "chunk" and "chunk" in doc.metadata
        if self._topics is None:
            self._topics = TopicExtractor(default_analyzer())
        people = doc.authors()
        mentions = MentionExtractor(people)
        for start in range(0, len(chunks), TOPIC_WINDOW):  # scored against the window's chunks
            window = chunks[start:start + TOPIC_WINDOW]
            texts = [c.text for c in window]
            if not keeps_header:
                names = people + [p for c in window for p in c.participants]
                for chunk, topics in zip(window, self._topics.for_texts(texts, names)):
                    chunk.topics = chunk.topics or topics
                for chunk, found in zip(window, mentions.names_of(texts)):
                    chunk.mentions = [m.text for m in found]
                    chunk.mention_kinds = {m.text: m.kind for m in found if m.kind}
            else:  # the header's own line, when it has one
                listed = doc.metadata["chunk"].get("extra", {}).get("Mentions", "")
                for chunk in window:
                    chunk.mentions = [m.strip() for m in listed.split(",") if m.strip()]
        for chunk in chunks:
            chunk.source = doc.source
        return chunks

    def index_terms(self, chunks: list[Chunk]) -> DocumentTerms:
        """What the lexical index stores: the terms of each chunk's own text (not its context)."""
        analyzer = default_analyzer()
        return document_terms(analyzer.index_terms(c.text) for c in chunks)

    def windowed(self, doc: Document) -> bool:
        """Whether ``doc`` is long enough to be chunked and stored a window at a time (see ``windows``)."""
        return len(doc.text) > self.window_chars

    def windows(self, doc: Document) -> Iterator[tuple[int, list[Unit], list[Chunk], DocumentTerms]]:
        """A long document's units a window of about ``window_chars`` characters at a time, with their chunks
        and index terms: (index of the window's first unit, its units, chunks, postings).

        A chunk never spans two windows (a window's last chunk may be shorter than the others); the overlap
        carried into the next window's first chunk is kept.
        """
        units = doc.units
        first, before, previous = 0, 0, None
        while first < len(units):
            end, size = first, 0
            while end < len(units) and (end == first or size < self.window_chars):
                size += len(units[end].text)
                end += 1
            window = units[first:end]
            chunks = self.chunk_window(doc, window, first, before, previous)
            yield first, window, chunks, self.index_terms(chunks)
            first, before, previous = end, before + len(chunks), window[-1]

    def chunk_window(self, doc: Document, units: list[Unit], first_unit: int, chunks_before: int,
                     previous: Unit | None) -> list[Chunk]:
        """The chunks of ``units``, the document's units from ``first_unit`` on, numbered after ``chunks_before``."""
        part = Document(source=doc.source, kind=doc.kind, format=doc.format, text="", units=units, date=doc.date,
                        title=doc.title, participants=doc.participants, metadata=doc.metadata)
        part.__dict__["id"] = doc.id
        chunks = self.chunk(part, previous)
        for chunk in chunks:
            chunk.unit_start += first_unit
            chunk.unit_end += first_unit
            if chunk.context_start is not None:
                chunk.context_start += first_unit
            chunk.index += chunks_before
        return chunks


@dataclass
class Parsed:
    """One parsed document, where it comes from and how its format was told (a file gives one document, an
    export one per conversation). Nothing is chunked yet: whether it is stored is decided first."""

    doc: Document
    fingerprint: str  # the file's bytes; for a conversation of an export, its text
    shown: str  # the path as the user gave it (with "#conversation" for a part of an export)
    detection: str


def parse_file(pipeline: Pipeline, data: bytes | ExportFiles, path: Path, fingerprint: str,
               format: str | None) -> FileResult | list[Parsed]:
    """A file's (or an export folder's) documents, or why it failed."""
    try:
        source = source_path(path)
        documents = pipeline.parse_source(data, source, format)
        parsed = []
        for doc, detection in documents:
            part = len(documents) > 1 or isinstance(data, ExportFiles) or "#" in doc.source
            if not part:
                doc.source = source
            shown = as_text(path) + doc.source[len(source):] if part else as_text(path)
            parsed.append(Parsed(doc, content_id(doc.text) if part else fingerprint, shown, detection))
    except InputError as exc:
        return FileResult(str(path), "failed", reason=exc.reason)
    except Exception as exc:  # noqa: BLE001 - a loader's bug fails this file, not the batch
        return FileResult(str(path), "failed", reason=f"internal error while parsing: {exc!r}")
    return parsed


@dataclass
class Chunked:
    """A document's chunks and their index terms, and the figures found in its units while chunking."""

    chunks: list[Chunk]
    postings: DocumentTerms
    figures: list[list[Figure] | None]  # one entry per unit of the document

    def attach_figures(self, doc: Document) -> None:
        """Give the units of ``doc`` (the copy in this process) the figures found where it was chunked."""
        for unit, figures in zip(doc.units, self.figures, strict=True):
            unit.figures = figures


def chunk_document_here(pipeline: Pipeline, doc: Document) -> Chunked:
    """Chunk, analyse and index a document (topics, mentions, each unit's figures, index terms)."""
    chunks = pipeline.chunk(doc)
    return Chunked(chunks, pipeline.index_terms(chunks), [u.figures for u in doc.units])


#: A paragraph longer than this (characters) is kept as several units, cut at sentence ends.
LONG_UNIT = 8000
_SENTENCE_END = re.compile(r"[.!?…»][\s\u00a0]+")


def split_long_units(doc: Document, limit: int = LONG_UNIT) -> None:
    """Cut paragraphs and raw lines over ``limit`` characters into units of at most ``limit``, at sentence ends
    (else at a space), so that a text with no paragraph breaks (a 100 MB line) is cited and chunked piece by piece.

    A piece keeps its paragraph's lines; its offsets are its place in the paragraph's text (exact when the
    loader did not fold the paragraph's white space). Messages and transcript sentences are left whole.
    """
    if not any(len(u.text) > limit and u.kind in ("paragraph", "raw") for u in doc.units):
        return
    units: list[Unit] = []
    cut = 0
    for unit in doc.units:
        if len(unit.text) <= limit or unit.kind not in ("paragraph", "raw"):
            units.append(unit)
            continue
        text, pos, part = unit.text, 0, 0
        while pos < len(text):
            end = min(len(text), pos + limit)
            if end < len(text):
                ends = [m.end() for m in _SENTENCE_END.finditer(text, pos + limit // 2, end)]
                end = ends[-1] if ends else (text.rfind(" ", pos + limit // 2, end) + 1 or end)
            piece = text[pos:end].strip()
            if piece:
                units.append(Unit(text=piece, kind=unit.kind, author=unit.author, time=unit.time,
                                  offset=unit.offset, section=unit.section,
                                  start=min(unit.start + pos, unit.end), end=min(unit.start + end, unit.end),
                                  line_start=unit.line_start, line_end=unit.line_end,
                                  meta={**unit.meta, "part": part}))
                part += 1
            pos = end
        cut += 1
        if unit.kind == "raw":  # the report counts raw units: the pieces of a cut raw line, each
            doc.report.raw += part - 1
    doc.units = units
    doc.report.units = len(units)
    doc.report.notes.append(f"{cut} paragraph{'s' if cut > 1 else ''} over {limit:,} characters cut at sentence "
                            "ends into several units")


def _attach_archive(doc: Document, archive: ArchiveText) -> None:
    """Record the archive's other files, and which attachment markers they answer."""
    doc.metadata["archive_member"] = archive.member
    doc.metadata["attachments"] = archive.others
    present = {PurePosixPath(o).name for o in archive.others}
    for unit in doc.units:
        if unit.meta.get("attachment") and unit.meta.get("file"):
            unit.meta["file_in_archive"] = unit.meta["file"] in present
    doc.report.notes.append(f"read {archive.member!r} from the zip archive; {len(archive.others)} other files "
                            "listed as attachments")


_worker_pipeline: Pipeline | None = None


def init_worker(pipeline: Pipeline, parent: int) -> None:
    """Set up an ingest worker process (the pool's initializer): it dies with ``parent``, the ingesting process.

    Ctrl-C reaches every process of the terminal's group: the worker ignores it and lets the parent
    stop the ingest (and its workers) cleanly.
    """
    global _worker_pipeline
    _worker_pipeline = pipeline
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` ends, even by ``kill -9`` (a worker is not left behind, holding memory).

    On Linux the kernel sends SIGKILL when the parent goes (``prctl(PR_SET_PDEATHSIG)``); the parent may
    have gone before the call, so it is checked after. Elsewhere a thread watches the parent's pid.
    """
    if sys.platform.startswith("linux") and _kill_on_parent_death():
        if os.getppid() != parent:  # gone between the fork and prctl: re-parented already
            os._exit(1)
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="veille-parent-watch", daemon=True).start()


_PR_SET_PDEATHSIG = 1


def _kill_on_parent_death() -> bool:
    """Ask Linux to SIGKILL this process when its parent ends; whether it accepted."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def parse_in_worker(data: bytes | ExportFiles, path: Path, fingerprint: str,
                    format: str | None) -> FileResult | list[Parsed]:
    """``parse_file`` in a worker process."""
    assert _worker_pipeline is not None
    return parse_file(_worker_pipeline, data, path, fingerprint, format)


def chunk_in_worker(doc: Document) -> Chunked:
    """``chunk_document_here`` in a worker process."""
    assert _worker_pipeline is not None
    return chunk_document_here(_worker_pipeline, doc)


def worker_result(path: Path, pending: Any) -> FileResult | list[Parsed]:
    """A worker's parse; a crash in a worker fails that file, not the batch."""
    if not isinstance(pending, Future):  # decided without a worker: a result, or a file to stream
        return pending
    try:
        return pending.result()
    except Exception as exc:  # noqa: BLE001 - reported per file, the batch goes on
        return FileResult(str(path), "failed", reason=f"internal error while parsing: {exc!r}")
