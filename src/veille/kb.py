"""The front door: ``KnowledgeBase(path)`` with ingest, search, chunks, documents, remove, stats."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Iterator

from .archive import ArchiveText, archive_names, is_zip, read_archive_files, read_chat_archive
from .chunking import ChunkingConfig, chunk_document
from .detect import detect, get_loader
from .enrich import TopicExtractor
from .errors import InputError
from .exports import folder_kind, parse_files, read_folder
from .identity import Overlap, drop_known, message_keys, same_conversation
from .read import DEFAULT_MAX_BYTES, decode_bytes
from .search import lexical_search
from .store import Filters, SQLiteStore, StoredDocument
from .store.postings import DocumentPostings, build_postings
from .text.analyzer import default_analyzer
from .text.tokens import DEFAULT_COUNTER, TokenCounter, make_counter
from .loaders import slack
from .types import Chunk, Document, Hit, content_id

# Formats veille has no loader for yet: refused by name rather than read as plain text.
_UNSUPPORTED_SUFFIXES = {
    ".json": "JSON", ".jsonl": "JSON lines", ".csv": "CSV", ".tsv": "TSV", ".xml": "XML",
    ".pdf": "PDF", ".docx": "Word", ".doc": "Word", ".odt": "OpenDocument", ".xlsx": "Excel",
    ".pptx": "PowerPoint", ".epub": "EPUB", ".gz": "gzip archive",
    ".sqlite": "SQLite database", ".db": "database",
}
_SKIPPED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


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

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "status": self.status, "reason": self.reason,
            "document_id": self.document_id, "format": self.format, "detection": self.detection,
            "chunks": self.chunks, "report": self.report,
        }


@dataclass
class IngestReport:
    """Per-file results of one ingest call."""

    files: list[FileResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.failed for f in self.files)

    @property
    def failed(self) -> list[FileResult]:
        return [f for f in self.files if f.failed]

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "counts": {s: self.count(s) for s in ("added", "replaced", "unchanged", "duplicate", "failed")},
            "files": [f.as_dict() for f in self.files],
        }


class KnowledgeBase:
    """A knowledge base in one SQLite file.

    Ingest parses in ``workers`` processes (default: the cores, up to 4) when
    there are enough files; the SQLite writes stay in this process.

    >>> kb = KnowledgeBase("veille.db")
    >>> kb.ingest("examples/")
    >>> kb.search("coût d'un data center de 1 GW")
    """

    def __init__(self, path: str | Path = "veille.db", *, token_counter: str | None = None,
                 max_tokens: int | None = None, overlap_tokens: int | None = None,
                 silence_minutes: float | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                 workers: int | None = None) -> None:
        self.store = SQLiteStore(path)
        stored_counter = self.store.get_meta("token_counter")
        self.counter_name = token_counter or stored_counter or DEFAULT_COUNTER
        self.counter = make_counter(self.counter_name)
        if stored_counter is None:
            self.store.set_meta("token_counter", self.counter_name)
        defaults = ChunkingConfig()
        self.config = ChunkingConfig(
            max_tokens=max_tokens or defaults.max_tokens,
            overlap_tokens=defaults.overlap_tokens if overlap_tokens is None else overlap_tokens,
            silence_minutes=silence_minutes or defaults.silence_minutes,
        )
        self.max_bytes = max_bytes
        self.workers = workers
        self.analyzer = default_analyzer()
        self.pipeline = Pipeline(self.counter_name, self.config, self.counter, max_bytes)

    # -- ingest -------------------------------------------------------------
    def ingest(self, paths: str | Path | Iterable[str | Path], format: str | None = None) -> IngestReport:
        """Ingest files and folders; a bad file is reported and the batch goes on."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        if format is not None and format != slack.name:
            get_loader(format)  # an unknown name fails before any file is read
        report = IngestReport()
        own = self._own_files()
        files = [p for p in _expand(paths, report) if p.resolve() not in own]
        workers = self.workers if self.workers is not None else min(os.cpu_count() or 1, 4)
        if workers > 1 and len(files) >= 4 * workers:
            prepared = self._prepare_in_pool(files, format, workers)
        else:
            prepared = (self._prepare(path, format) for path in files)
        with self.store.batch():
            for item in prepared:
                if isinstance(item, FileResult):
                    report.files.append(item)
                else:
                    report.files.extend(self._store(p) for p in item)
        return report

    def _prepare(self, path: Path, format: str | None) -> FileResult | list[Prepared]:
        """Read, parse, chunk and analyse one file or export folder (what can run in another process)."""
        read = self._read(path)
        if isinstance(read, FileResult):
            return read
        data, fingerprint, known = read
        return _prepare_bytes(self.pipeline, data, path, fingerprint, known, format)

    def _read(self, path: Path) -> FileResult | tuple[bytes | dict[str, bytes], str, tuple[str, str] | None]:
        """The file's bytes (an export folder's files) and fingerprint, or its result when unchanged or unreadable."""
        if path.is_dir():
            return self._read_folder(path)
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                return FileResult(str(path), "failed",
                                  reason=f"over the size limit ({size:,} bytes > {self.max_bytes:,})")
            data = path.read_bytes()
        except OSError as exc:
            return FileResult(str(path), "failed", reason=f"cannot read: {exc.strerror or exc}")
        fingerprint = hashlib.sha256(data).hexdigest()
        known = self.store.find_source(str(path.resolve()))
        if known and known[1] == fingerprint:
            return FileResult(str(path), "unchanged", document_id=known[0])
        return data, fingerprint, known

    def _read_folder(self, path: Path) -> FileResult | tuple[dict[str, bytes], str, None]:
        """The files of an export folder (Slack, a Meta thread in parts), and their fingerprint."""
        try:
            files = read_folder(path, folder_kind(path, os.listdir(path)) or slack.name, self.max_bytes)
        except InputError as exc:
            return FileResult(str(path), "failed", reason=exc.reason)
        except OSError as exc:
            return FileResult(str(path), "failed", reason=f"cannot read: {exc.strerror or exc}")
        digest = hashlib.sha256()
        for name, data in files.items():
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return files, digest.hexdigest(), None

    def _prepare_in_pool(self, files: list[Path], format: str | None,
                         workers: int) -> Iterator[FileResult | list[Prepared]]:
        """Parse in worker processes (both cores), store here, in the files' order."""
        context = multiprocessing.get_context("fork")
        window: deque[tuple[Path, Any]] = deque()
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                 initargs=(self.pipeline,)) as pool:
            for path in files:
                read = self._read(path)
                if isinstance(read, FileResult):
                    window.append((path, read))
                else:
                    data, fingerprint, known = read
                    window.append((path, pool.submit(_prepare_in_worker, data, path, fingerprint, known, format)))
                while len(window) > 2 * workers:
                    yield _result(*window.popleft())
            while window:
                yield _result(*window.popleft())

    def _own_files(self) -> set[Path]:
        """The knowledge base's own files, never ingested into itself."""
        if self.store.path == ":memory:":
            return set()
        base = Path(self.store.path).resolve()
        return {base, *(base.with_name(base.name + s) for s in ("-wal", "-shm", "-journal"))}

    def parse_bytes(self, data: bytes, name: str, format: str | None = None) -> tuple[Document, str]:
        """Bytes to a Document (decode, detect, load), and how the format was chosen."""
        return self.pipeline.parse_bytes(data, name, format)

    def _store(self, item: Prepared) -> FileResult:
        doc, chunks, postings, detection = item.doc, item.chunks, item.postings, item.detection
        shown, fingerprint, known = item.shown, item.fingerprint, item.known
        if item.part_of_export:
            known = self.store.find_source(doc.source)
            if known and known[1] == fingerprint:
                return FileResult(shown, "unchanged", document_id=known[0], format=doc.format)
        existing_source = self.store.has_document(doc.id)
        if existing_source and existing_source != doc.source:
            return FileResult(shown, "duplicate", reason=f"same content as {existing_source}",
                              document_id=doc.id, format=doc.format, detection=detection)
        replace = known[0] if known else (doc.id if existing_source else None)
        keys = message_keys(doc)
        skipped, sources = self._drop_stored_messages(doc, keys, replace)
        if skipped and not any(u.kind == "message" for u in doc.units):
            return FileResult(shown, "duplicate", reason=f"all {skipped} messages already stored from "
                              f"{', '.join(sources)}", format=doc.format, detection=detection,
                              report=doc.report.as_dict())
        if skipped:
            chunks = self.pipeline.chunk(doc)
            postings = self.pipeline.index_terms(chunks)
        self.store.put_document(doc, chunks, postings, fingerprint, replace_id=replace, message_keys=keys)
        return FileResult(shown, "replaced" if known else "added", document_id=doc.id, format=doc.format,
                          detection=detection, chunks=len(chunks), report=doc.report.as_dict())

    def _drop_stored_messages(self, doc: Document, keys: list[str | None],
                              replace: str | None) -> tuple[int, list[str]]:
        """Leave out messages another stored export of the same chat holds; how many, and from where."""
        present = [k for k in keys if k]
        if not present:
            return 0, []
        ranks = {k: rank for rank, k in enumerate(present)}
        known: set[str] = set()
        sources: list[str] = []
        for doc_id, shared in self.store.shared_messages(present).items():
            if doc_id == replace:
                continue
            stored_ranks = list(shared.values())
            overlap = Overlap(new_ranks=[ranks[k] for k in shared],
                              new_total=len(present), stored_total=self.store.count_messages(doc_id),
                              stored_in_span=self.store.count_messages(doc_id, min(stored_ranks), max(stored_ranks)))
            if same_conversation(overlap):
                known |= shared.keys()
                sources.append(self.store.has_document(doc_id) or doc_id)
        sources.sort()
        return (drop_known(doc, keys, known, sources) if known else 0), sources

    def chunk(self, doc: Document) -> list[Chunk]:
        """Chunks of a parsed document, with topics (what ingest stores)."""
        return self.pipeline.chunk(doc)

    # -- reading ------------------------------------------------------------
    def search(self, query: str, k: int = 10, *, kind: str | None = None, who: str | None = None,
               since: str | None = None, until: str | None = None, source: str | None = None,
               topic: str | None = None) -> list[Hit]:
        """Chunks ranked by French BM25, filtered before ranking."""
        filters = Filters(kind=kind, who=who, since=since, until=until, source=source, topic=topic)
        return lexical_search(self.store, self.analyzer, query, filters, k)

    def chunks(self, document: str | None = None) -> Iterator[Chunk]:
        """Stored chunks (of one document when given an id, id prefix or source)."""
        if document is None:
            for chunk, _ in self.store.chunks():
                yield chunk
            return
        for doc_id in self._resolve(document):
            for chunk, _ in self.store.chunks(doc_id):
                yield chunk

    def documents(self) -> list[StoredDocument]:
        return self.store.documents()

    def remove(self, document: str) -> list[str]:
        """Delete documents (by id, id prefix or source path) and all derived from them."""
        removed = [d for d in self._resolve(document) if self.store.remove(d)]
        return removed

    def stats(self) -> dict[str, Any]:
        stats = self.store.stats()
        stats["mode"] = "lexical (BM25, French analyser)"
        return stats

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _resolve(self, ref: str) -> list[str]:
        ids = self.store.resolve(ref)
        if not ids and os.path.exists(ref):
            ids = self.store.resolve(str(Path(ref).resolve()))
        return ids


def _expand(paths: Iterable[str | Path], report: IngestReport) -> Iterator[Path]:
    """Files named, and the files of folders named (hidden ones skipped), in a stable order.

    A folder holding a Slack export, or a Messenger/Instagram conversation in
    parts, is one item: the export is read as a whole. The assets folder a
    browser saves beside a page (``page_files/`` next to ``page.html``) is not
    a source: its scripts, styles and images are left out.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not _page_assets(d, files))
                if folder_kind(Path(root), files):
                    dirs[:] = []
                    yield Path(root)
                    continue
                for name in sorted(files):
                    if not name.startswith(".") and name not in _SKIPPED_NAMES:
                        yield Path(root) / name
        elif path.exists():
            yield path
        else:
            report.files.append(FileResult(str(path), "failed", reason="no such file or folder"))


_PAGE_ASSETS = re.compile(r"(.+)_(?:files|fichiers)$")


def _page_assets(folder: str, files: list[str]) -> bool:
    """Whether ``folder`` is the assets folder a browser saved beside a page of ``files``."""
    match = _PAGE_ASSETS.match(folder)
    return bool(match) and any(f"{match.group(1)}{suffix}" in files for suffix in (".html", ".htm", ".xhtml"))


def _refuse_unsupported(name: str, text: str) -> None:
    """Text that only plain text would take, but is a format veille does not read yet."""
    suffix = Path(name).suffix.lower()
    if suffix in _UNSUPPORTED_SUFFIXES:
        raise InputError(name, f"unknown format: {_UNSUPPORTED_SUFFIXES[suffix]} has no loader yet "
                               "(use --format to force one)")
    head = text.lstrip()[:1]
    if head in "{[":
        try:
            json.loads(text)
        except ValueError:
            return
        raise InputError(name, "unknown format: JSON has no loader yet (use --format to force one)")
    if text.lstrip().startswith("<?xml"):
        raise InputError(name, "unknown format: XML has no loader yet (use --format to force one)")


class Pipeline:
    """Decode, detect, load, chunk, topics and index terms: the per-file work of ingest."""

    def __init__(self, counter_name: str, config: ChunkingConfig, counter: TokenCounter | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.counter_name = counter_name
        self.config = config
        self.max_bytes = max_bytes
        self._counter = counter
        self._topics: TopicExtractor | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"counter_name": self.counter_name, "config": self.config, "max_bytes": self.max_bytes,
                "_counter": None, "_topics": None}

    @property
    def counter(self) -> TokenCounter:
        if self._counter is None:
            self._counter = make_counter(self.counter_name)
        return self._counter

    def parse_source(self, data: bytes | dict[str, bytes], name: str,
                     format: str | None = None) -> list[tuple[Document, str]]:
        """A file's bytes, or an export folder's files, to Documents and how their format was chosen.

        A Slack export (a folder, or a zip of one) gives a document per conversation;
        a Meta conversation in parts, or anything else, one document.
        """
        if isinstance(data, dict):
            return parse_files(data, name, "export folder")
        if is_zip(data) and format in (None, slack.name):
            names = archive_names(data, name, self.max_bytes)
            if format == slack.name or slack.is_export(names):
                files = read_archive_files(data, name, self.max_bytes, ".json")
                return parse_files(files, name, "Slack export in a zip archive")
        if format == slack.name:
            raise InputError(name, "a Slack export is a folder or a zip archive of one")
        return [self.parse_bytes(data, name, format)]

    def parse_bytes(self, data: bytes, name: str, format: str | None = None) -> tuple[Document, str]:
        """Bytes to a Document (decode, detect, load), and how the format was chosen.

        A zip archive (a chat exported with its media) is read through its chat text file.
        """
        archive = read_chat_archive(data, name, self.max_bytes) if is_zip(data) else None
        decoded = decode_bytes(archive.data if archive else data, name)
        text = decoded.text
        if format:
            loader = get_loader(format)
            detection = f"{loader.name} (forced)"
        else:
            found = detect(text, Path(name).name)
            if found.format == "plaintext":
                _refuse_unsupported(name, text)
            loader = get_loader(found.format)
            detection = f"{found.format} ({found.confidence:.2f}: {found.reason})"
        try:
            doc = loader.parse(text, name)
        except (ValueError, KeyError, IndexError) as exc:
            raise InputError(name, f"{loader.name}: cannot parse: {exc}") from exc
        if not doc.units:
            raise InputError(name, f"{loader.name}: no text found")
        if decoded.repaired:
            doc.report.notes.append(f"{decoded.repaired} mojibake sequences repaired")
        doc.metadata.setdefault("encoding", decoded.encoding)
        if doc.format == "html":
            doc.metadata["html_bytes"] = len(data)
        if archive:
            _attach_archive(doc, archive)
            detection += f"; {archive.member!r} inside the zip archive"
        return doc, detection

    def chunk(self, doc: Document) -> list[Chunk]:
        """Chunks with topics (a chunk file keeps the topics its header gave)."""
        chunks = chunk_document(doc, self.counter, self.config)
        keeps_header = doc.kind == "chunk" and "chunk" in doc.metadata
        if not keeps_header:
            if self._topics is None:
                self._topics = TopicExtractor(default_analyzer())
            for chunk, topics in zip(chunks, self._topics.for_texts([c.text for c in chunks])):
                chunk.topics = chunk.topics or topics
        for chunk in chunks:
            chunk.source = doc.source
        return chunks

    def index_terms(self, chunks: list[Chunk]) -> DocumentPostings:
        """What the lexical index stores: the terms of each chunk's own text (not its context)."""
        analyzer = default_analyzer()
        return build_postings([analyzer.index_terms(c.text) for c in chunks])


@dataclass
class Prepared:
    """One parsed document ready to store, and what decides how it is stored."""

    doc: Document
    chunks: list[Chunk]
    postings: DocumentPostings
    fingerprint: str
    known: tuple[str, str] | None  # (id, fingerprint) stored for the same source
    shown: str  # the path as the user gave it (with "#conversation" for a part of an export)
    detection: str
    part_of_export: bool = False  # one conversation of a Slack export: unchanged-ness decided per part


def _prepare_bytes(pipeline: Pipeline, data: bytes | dict[str, bytes], path: Path, fingerprint: str,
                   known: tuple[str, str] | None, format: str | None) -> FileResult | list[Prepared]:
    try:
        parsed = pipeline.parse_source(data, str(path.resolve()), format)
        prepared = []
        for doc, detection in parsed:
            part = len(parsed) > 1 or isinstance(data, dict) or "#" in doc.source
            if not part:
                doc.source = str(path.resolve())
            chunks = pipeline.chunk(doc)
            postings = pipeline.index_terms(chunks)
            shown = str(path) + doc.source[len(str(path.resolve())):] if part else str(path)
            prepared.append(Prepared(doc, chunks, postings, content_id(doc.text) if part else fingerprint,
                                     None if part else known, shown, detection, part_of_export=part))
    except InputError as exc:
        return FileResult(str(path), "failed", reason=exc.reason)
    except Exception as exc:  # noqa: BLE001 - a loader's bug fails this file, not the batch
        return FileResult(str(path), "failed", reason=f"internal error while parsing: {exc!r}")
    return prepared


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


def _init_worker(pipeline: Pipeline) -> None:
    global _worker_pipeline
    _worker_pipeline = pipeline


def _prepare_in_worker(data: bytes | dict[str, bytes], path: Path, fingerprint: str,
                       known: tuple[str, str] | None, format: str | None) -> FileResult | list[Prepared]:
    assert _worker_pipeline is not None
    return _prepare_bytes(_worker_pipeline, data, path, fingerprint, known, format)


def _result(path: Path, pending: Any) -> FileResult | list[Prepared]:
    """A worker's answer; a crash in a worker fails that file, not the batch."""
    if isinstance(pending, FileResult):
        return pending
    try:
        return pending.result()
    except Exception as exc:  # noqa: BLE001 - reported per file, the batch goes on
        return FileResult(str(path), "failed", reason=f"internal error while parsing: {exc!r}")
