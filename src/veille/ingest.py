"""The ingest stage, top to bottom: find the files → read and parse (workers) → decide → chunk, analyse and
index (workers) → embed (workers) → store.

``Ingest.run`` reads in that order. Each step is a generator over the files, in their order, pulling from the
one before: a few files are parsed, and a few documents chunked and embedded, ahead of the one being stored.
The decision (``decide.py``: unchanged, duplicate, replaces a stored document, or only some messages are new)
is taken once a document is parsed, before any chunking: a file already stored is never chunked nor
embedded. Documents are stored one at a time, in order, and since storing one can change what the next is
(two exports of the same chat in one ingest) — or another process can store meanwhile — the decision is
confirmed under the write lock: taken again, by the same function, when the knowledge base moved since.

A chat export too large to hold (``streamed.py``) passes through as a ``StreamedFile`` and is read, decided
and stored a window at a time when its turn comes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from .decide import Decision, decide_document, unchanged
from .embed import Embedder, chunk_passages, passage_text
from .errors import InputError, StoreFull, VeilleError
from .exports import ExportFiles, folder_export, read_export_folder
from .file_bytes import read_regular_file
from .identity import message_keys
from .ingest_embedding import EMBED_BATCH, EmbedAhead, PendingVectors, ProgressCallback, Tracker
from .loaders import slack
from .names import as_text, source_path
from .pipeline import (
    Chunked,
    FileResult,
    Parsed,
    Pipeline,
    chunk_document_here,
    chunk_in_worker,
    init_worker,
    parse_file,
    parse_in_worker,
    worker_result,
)
from .store import Store, is_server
from .store.postings import DocumentTerms
from .streamed import StreamedChat, StreamedFile, file_fingerprint, streamable
from .types import Chunk, Document, ParseReport, Unit
from .walk import walk

__all__ = ["Ingest", "IngestInterrupted", "IngestReport", "IngestStopped"]

#: How long the write lock may stay held while waiting for a worker's next result (short waits are the
#: usual case, and committing before each would write the same index pages again and again).
_SHORT_WAIT = 0.05


@dataclass
class IngestReport:
    """Per-file results of one ingest call."""

    files: list[FileResult] = field(default_factory=list)
    mode: str = ""  # the knowledge base's search mode, as stats()["mode"] says it
    embedded: int = 0  # chunks embedded by this ingest (older chunks without a vector included)
    excluded: int = 0  # files and folders left out by an exclude pattern
    interrupted: bool = False  # stopped by Ctrl-C or SIGTERM: ``files`` holds what was committed
    not_read: list[str] = field(default_factory=list)  # files named and not stored (interrupted ingest)
    stopped: str = ""  # why the knowledge base could not be written any more (the disk is full), if it stopped

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
            "counts": {s: self.count(s) for s in ("added", "replaced", "unchanged", "duplicate", "skipped",
                                                  "failed")},
            "excluded": self.excluded,
            "files": [f.as_dict() for f in self.files],
            "interrupted": self.interrupted,
            "not_read": self.not_read,
            "stopped": self.stopped,
        }


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM, where the caller turns it into KeyboardInterrupt) stopped an ingest.

    What was committed before stays stored, whole documents only; the document being stored and
    those not yet committed are rolled back. ``report`` says what was stored (``report.files``) and
    what was not (``report.not_read``); ingesting the same paths again stores the rest, once.
    It is a KeyboardInterrupt: code that does not look for it stops as it would on Ctrl-C.
    """

    def __init__(self, report: IngestReport) -> None:
        super().__init__(f"interrupted: {len(report.files)} files done, {len(report.not_read)} not read")
        self.report = report


class IngestStopped(VeilleError):
    """The knowledge base cannot be written any more (its disk is full): the ingest stopped.

    As after Ctrl-C, what was committed stays (whole documents) and ``report`` says what was stored and
    what was not; once there is room, ingesting the same paths again stores the rest, once.
    """

    def __init__(self, path: str, report: IngestReport) -> None:
        super().__init__(f"{path}: {report.stopped}: {len(report.files)} files done, {len(report.not_read)} not "
                         "read; free some space and run the same command again")
        self.report = report


@dataclass
class Decided:
    """A parsed document and how it is to be stored (or why not); its chunks once made (none when it is not
    stored, nor for a long document: chunked a window at a time as it is stored)."""

    parsed: Parsed
    keys: list[str | None]  # its messages' keys (None for units without one)
    decision: Decision
    seen: tuple[int, int]  # the knowledge base's version when decided (``Ingest._version``)
    chunks: list[Chunk] | None = None
    postings: DocumentTerms | None = None
    whole: _AsParsed | None = None  # a chat as parsed: messages may be left out of it, and then others

    @property
    def doc(self) -> Document:
        return self.parsed.doc

    def decide_again(self, store: Store) -> Decision:
        """The decision taken afresh, from the document as parsed (with every message)."""
        if self.whole is not None:
            self.whole.restore(self.doc, self.keys)
        decision = decide_document(store, self.doc, self.parsed.fingerprint, self.keys)
        self.decision = decision
        return decision


@dataclass
class _AsParsed:
    """What leaving messages out of a document changes in it, as it was before."""

    units: list[Unit]
    keys: list[str | None]
    report: ParseReport
    participants: list[str]

    @classmethod
    def of(cls, doc: Document, keys: list[str | None]) -> "_AsParsed":
        report = replace(doc.report, authors=list(doc.report.authors), raw_examples=list(doc.report.raw_examples),
                         notes=list(doc.report.notes))
        return cls(doc.units, list(keys), report, list(doc.participants))

    def restore(self, doc: Document, keys: list[str | None]) -> None:
        doc.units, keys[:], doc.participants = self.units, self.keys, list(self.participants)
        doc.report = replace(self.report, authors=list(self.report.authors),
                             raw_examples=list(self.report.raw_examples), notes=list(self.report.notes))


#: What one file gives each step: its result when it is done with (failed, unchanged), a large chat export
#: to stream, or its documents (parsed, then each decided).
Parsing = FileResult | StreamedFile | list[Parsed]
FileDecisions = FileResult | StreamedFile | list["FileResult | Decided"]


class Ingest:
    """One ingest into ``store``: the files given, parsed and chunked by ``pipeline`` (in ``workers``
    processes when there are enough files), embedded by ``embedder`` when there is one."""

    def __init__(self, store: Store, pipeline: Pipeline, embedder: Embedder | None, *, mode: str,
                 workers: int | None, max_bytes: int, stream_bytes: int, format: str | None = None,
                 progress: ProgressCallback | None = None, on_start: Callable[[], None] = lambda: None) -> None:
        self.store = store
        self.pipeline = pipeline
        self.embedder = embedder
        self.mode = mode
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
        self.max_bytes = max_bytes
        self.stream_bytes = stream_bytes
        self.format = format
        self.progress = progress
        self.on_start = on_start  # the first write (settings recorded in the file), inside the disk-full guard
        self.parse_pool: ProcessPoolExecutor | None = None  # parses and chunks, when there are enough files
        self.embed_pool: ProcessPoolExecutor | None = None  # embeds, when the model can run in a fork
        self.tracker = Tracker(0, None)
        self.stored = 0  # documents this ingest wrote: a decision taken before one of them is looked at again

    def run(self, paths: Iterable[str | Path], exclude: Iterable[str] = ()) -> IngestReport:
        """Find, parse, decide, chunk, embed and store; what happened to each file."""
        found = walk(paths, [exclude] if isinstance(exclude, str) else list(exclude))
        report = IngestReport(mode=self.mode, files=found.problems, excluded=found.excluded)
        own = own_files(self.store)
        files = [p for p in found.items if Path(os.path.realpath(p)) not in own]
        self.tracker = tracker = Tracker(len(files) + len(report.files), self.progress)
        tracker.files_done = len(report.files)
        workers = self.workers
        parse_in_pool = workers > 1 and len(files) >= 4 * workers
        embed_in_pool = workers > 1 and bool(files) and getattr(self.embedder, "forkable", False)
        uncommitted: list[tuple[Path, FileResult]] = []  # results since the last commit, and their files
        finished: set[Path] = set()  # files whose every document has a result

        def committed() -> None:
            report.files.extend(result for _, result in uncommitted)
            uncommitted.clear()

        try:
            self.on_start()
            with self._pool(workers if parse_in_pool or embed_in_pool else 0) as pool:
                self.parse_pool = pool if parse_in_pool else None
                self.embed_pool = pool if embed_in_pool else None
                parsed = self._parse(files)
                decided = self._decide(parsed)
                chunked = self._chunk(decided)
                embedding = EmbedAhead(self.embed_pool, EMBED_BATCH * 4 * workers).run(chunked)
                with self.store.batch(on_commit=committed):
                    for path, (item, pending) in zip(files, embedding):
                        uncommitted.extend((path, result) for result in self._store(item, pending))
                        finished.add(path)
                        tracker.file_done()
                    if self.embedder is not None:
                        self._embed_missing()
        except (KeyboardInterrupt, StoreFull) as exc:
            # rolled back: the files whose documents were written in the open transaction; those that
            # needed no write (unchanged, duplicates, failures) are done all the same
            for path, result in uncommitted:
                if result.status in ("added", "replaced"):
                    finished.discard(path)
                else:
                    report.files.append(result)
            report.embedded = tracker.chunks_embedded
            report.not_read = [as_text(p) for p in files if p not in finished]
            if isinstance(exc, KeyboardInterrupt):
                report.interrupted = True
                raise IngestInterrupted(report) from None
            report.stopped = "the disk is full"
            raise IngestStopped(self.store.path, report) from None
        report.embedded = tracker.chunks_embedded
        return report

    # -- read and parse -------------------------------------------------------------------------------
    def _parse(self, files: list[Path]) -> Iterator[Parsing]:
        """Each file read and parsed (in the workers when there is a pool), in the files' order."""
        window: deque[tuple[Path, Any]] = deque()
        for path in files:
            if self.parse_pool is None:
                self.store.flush()  # no write lock held while parsing
            read = self.read(path)
            if isinstance(read, (FileResult, StreamedFile)):
                window.append((path, read))
            else:
                data, fingerprint = read
                if self.parse_pool is None or isinstance(data, bytearray):
                    # a large file is parsed here: its document is not copied between processes
                    window.append((path, parse_file(self.pipeline, data, path, fingerprint, self.format)))
                else:
                    window.append((path, self.parse_pool.submit(parse_in_worker, data, path, fingerprint,
                                                                self.format)))
            while len(window) > self._ahead():
                path, pending = window.popleft()
                yield worker_result(path, self._wait(pending))
        while window:
            path, pending = window.popleft()
            yield worker_result(path, self._wait(pending))

    def read(self, path: Path) -> FileResult | StreamedFile | tuple[bytes | ExportFiles, str]:
        """The file's bytes (an export folder's files) and fingerprint; its result when it is stored with these
        very bytes or cannot be read; a large chat export that can be read as a stream is not read here."""
        if path.is_dir():
            return self._read_folder(path)
        try:
            size = os.stat(path).st_size
        except OSError:
            size = 0
        stream = (streamable(path, self.format) if self.stream_bytes <= size <= self.max_bytes and path.is_file()
                  else None)
        data: bytes | bytearray | None = None
        if stream is not None:
            fingerprint = file_fingerprint(path)
        else:
            try:
                data = read_regular_file(path, self.max_bytes, buffer=size >= self.stream_bytes)
            except InputError as exc:
                return FileResult(exc.path, "failed", reason=exc.reason)
            fingerprint = hashlib.sha256(data).hexdigest()
        stored = unchanged(self.store, source_path(path), fingerprint)
        if stored is not None:
            return FileResult(as_text(path), "unchanged", document_id=stored.document_id)
        if stream is not None:
            known = self.store.find_source(source_path(path))
            return StreamedFile(path, fingerprint, known, stream)
        assert data is not None
        return data, fingerprint

    def _read_folder(self, path: Path) -> FileResult | tuple[ExportFiles, str]:
        """The files of an export folder (``loaders.EXPORT_LOADERS``), and their fingerprint."""
        try:
            # a folder comes here only when the walk found it an export (read as Slack had it changed since)
            export = read_export_folder(path, folder_export(path, os.listdir(path)) or slack, self.max_bytes)
        except InputError as exc:
            return FileResult(str(path), "failed", reason=exc.reason)
        except OSError as exc:
            return FileResult(str(path), "failed", reason=f"cannot read: {exc.strerror or exc}")
        digest = hashlib.sha256()
        for name, data in export.files.items():
            digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
        return export, digest.hexdigest()

    # -- decide ---------------------------------------------------------------------------------------
    def _decide(self, parsed: Iterator[Parsing]) -> Iterator[FileDecisions]:
        """Each parsed document with its decision (``decide.py``), taken before any chunking."""
        for item in parsed:
            if not isinstance(item, list):
                yield item
                continue
            decided: list[FileResult | Decided] = []
            for p in item:
                seen = self._version()
                keys = message_keys(p.doc)
                whole = _AsParsed.of(p.doc, keys) if any(keys) else None  # a chat: messages may be left out
                decided.append(Decided(p, keys, decide_document(self.store, p.doc, p.fingerprint, keys), seen,
                                       whole=whole))
            yield decided

    def _version(self) -> tuple[int, int]:
        """Moves when the knowledge base changed: another process committed, or this ingest stored a document."""
        return self.store.data_version(), self.stored

    # -- chunk, analyse, index ------------------------------------------------------------------------
    def _chunk(self, decided: Iterator[FileDecisions]) -> Iterator[FileDecisions]:
        """The chunks and index terms of each document to store (in the workers when there is a pool)."""
        window: deque[tuple[FileDecisions, list[tuple[Decided, Any]]]] = deque()
        for item in decided:
            pending: list[tuple[Decided, Any]] = []
            for entry in item if isinstance(item, list) else []:
                if not isinstance(entry, Decided) or not entry.decision.stored or self.pipeline.windowed(entry.doc):
                    continue  # not stored; or a long document, chunked a window at a time as it is stored
                if self.parse_pool is None:
                    self.store.flush()  # no write lock held while chunking
                    try:
                        pending.append((entry, chunk_document_here(self.pipeline, entry.doc)))
                    except Exception as exc:  # noqa: BLE001 - a chunker's bug fails this file, not the batch
                        pending.append((entry, exc))
                else:
                    pending.append((entry, self.parse_pool.submit(chunk_in_worker, entry.doc)))
            window.append((item, pending))
            while len(window) > self._ahead():
                yield self._chunked(*window.popleft())
        while window:
            yield self._chunked(*window.popleft())

    def _chunked(self, item: FileDecisions, pending: list[tuple[Decided, Any]]) -> FileDecisions:
        """``item`` with its documents' chunks in place; a document whose chunking failed fails."""
        failed: dict[int, FileResult] = {}
        for entry, result in pending:
            self._wait(result)  # outside the try: a write that fails (disk full) stops the ingest
            try:
                if isinstance(result, Exception):
                    raise result
                chunked: Chunked = result.result() if isinstance(result, Future) else result
            except Exception as exc:  # noqa: BLE001 - a crash in a worker fails that file, not the batch
                failed[id(entry)] = FileResult(str(entry.parsed.shown), "failed",
                                               reason=f"internal error while parsing: {exc!r}")
                continue
            if isinstance(result, Future):  # chunked in a worker: its copy of the units got the figures
                chunked.attach_figures(entry.doc)
            entry.chunks, entry.postings = chunked.chunks, chunked.postings
        if failed and isinstance(item, list):
            return [failed.get(id(r), r) for r in item]
        return item

    def _ahead(self) -> int:
        """Files a step may have under way ahead of the next: enough to keep the workers busy; none without
        them (a document is then parsed and chunked when its turn to be stored comes, never held waiting)."""
        return 2 * self.workers if self.parse_pool is not None else 0

    def _wait(self, pending: Any) -> Any:
        """``pending`` as it is; a worker's future once done, the write lock let go first if it is long in coming."""
        if isinstance(pending, Future):
            try:
                pending.exception(timeout=_SHORT_WAIT)
            except TimeoutError:
                self.store.flush()
        return pending

    # -- store ----------------------------------------------------------------------------------------
    def _store(self, item: FileDecisions, pending: list[PendingVectors | None]) -> list[FileResult]:
        """Store a file's documents (or stream it); the result of each."""
        if isinstance(item, FileResult):
            return [item]
        if isinstance(item, StreamedFile):
            return [self._store_streamed(item)]
        return [self._store_document(r, v) if isinstance(r, Decided) else r for r, v in zip(item, pending)]

    def _store_document(self, entry: Decided, pending: PendingVectors | None) -> FileResult:
        """Store one document as decided, once the decision is confirmed under the write lock.

        If the knowledge base moved since it was decided, it is decided again (other processes store the
        same files and chats too: each document is stored once); if messages are now left out of it, it is
        chunked again. The lock is let go while the document is embedded, then the decision checked again.
        """
        doc, parsed = entry.doc, entry.parsed
        vectors = None  # the vectors of entry.chunks as they are now
        while True:
            self.store.start_write()
            if self._version() != entry.seen:
                chunked_units = doc.units
                entry.decide_again(self.store)
                entry.seen = self._version()
                if entry.chunks is not None and not _same_units(doc.units, chunked_units):
                    entry.chunks = entry.postings = None  # other messages left out than when it was chunked
            if not entry.decision.stored:
                if pending is not None:
                    pending.cancel()
                return _not_stored(parsed, entry.decision)
            if entry.chunks is None and not self.pipeline.windowed(doc):  # decided otherwise since: chunked here
                chunked = chunk_document_here(self.pipeline, doc)
                entry.chunks, entry.postings = chunked.chunks, chunked.postings
                vectors = None
                if pending is not None:
                    pending.cancel()
                    pending = None
            if self.embedder is None or vectors is not None or entry.chunks is None:
                break  # a long document's vectors are made after it is stored, with the chunks missing one
            self.store.flush()  # no write lock held while embedding
            try:
                vectors = self._chunk_vectors(doc, entry.chunks, pending)
            except Exception as exc:  # noqa: BLE001 - this file fails, the batch goes on
                return FileResult(parsed.shown, "failed", reason=f"cannot embed: {exc!r}", format=doc.format,
                                  detection=parsed.detection)
            pending = None
        decision = entry.decision
        if entry.chunks is None:
            stored = self._store_windows(doc, parsed.fingerprint, decision.replace, entry.keys)
        else:
            assert entry.postings is not None
            self.store.put_document(doc, entry.chunks, entry.postings, parsed.fingerprint,
                                    replace_id=decision.replace, message_keys=entry.keys, vectors=vectors)
            stored = len(entry.chunks)
        self.stored += 1
        return FileResult(parsed.shown, "replaced" if decision.replaced else "added", document_id=doc.id,
                          format=doc.format, detection=parsed.detection, chunks=stored, report=doc.report.as_dict())

    def _store_windows(self, doc: Document, fingerprint: str, replace: str | None, keys: list[str | None]) -> int:
        """Store a long document whole, its chunks made, indexed and written a window of units at a time (never
        all in memory at once); how many chunks. Their vectors are made after, with any chunk stored without one
        (the write lock is not held while embedding)."""
        stored = 0
        with self.store.writing(doc, fingerprint, replace) as writer:
            for first, units, chunks, postings in self.pipeline.windows(doc):
                writer.add_units(units)
                writer.add_chunks(units, chunks, postings, first_unit=first)
                stored += len(chunks)
            writer.add_message_keys(keys)
            writer.add_text(doc.text)
        return stored

    def _store_streamed(self, item: StreamedFile) -> FileResult:
        """Store a large chat export read as a stream, a window of messages at a time."""
        def embed(doc: Document, chunks: list[Chunk]) -> np.ndarray:
            return self._embed(chunk_passages(doc.title, chunks))

        result = StreamedChat(self.store, self.pipeline, self.pipeline.config,
                              embed if self.embedder is not None else None).ingest(item)
        self.stored += result.status in ("added", "replaced")
        return result

    # -- embed ----------------------------------------------------------------------------------------
    def _embed(self, texts: list[str], in_workers: bool = True) -> np.ndarray:
        """Vectors of passages, in batches (in the worker processes when there are), progress after each."""
        assert self.embedder is not None
        if self.embed_pool is not None and in_workers:
            return PendingVectors.submit(self.embed_pool, texts).wait(self.tracker)
        parts = []
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start:start + EMBED_BATCH]
            parts.append(self.embedder.passages(batch))
            self.tracker.embedded(len(batch))
        if not parts:
            return np.zeros((0, self.embedder.dims), dtype=np.float32)
        return np.concatenate(parts)

    def _chunk_vectors(self, doc: Document, chunks: list[Chunk], pending: PendingVectors | None) -> np.ndarray:
        """The chunks' vectors: those embedded ahead in the workers, else (or when a worker died) embedded here."""
        if pending is not None:
            try:
                return pending.wait(self.tracker)
            except Exception:  # noqa: BLE001 - a worker died: embed here instead
                pass
        return self._embed(chunk_passages(doc.title, chunks), in_workers=False)

    def _embed_missing(self) -> int:
        """Embed the chunks stored without a vector (ingested without the model); how many."""
        done = 0
        while True:
            missing = self.store.missing_vectors(16 * EMBED_BATCH)
            if not missing:
                return done
            self.store.flush()  # no write lock held while embedding
            vectors = self._embed([passage_text(m.text, m.title, m.section) for m in missing])
            self.store.put_vectors([m.rowid for m in missing], vectors)
            done += len(missing)

    # -- worker processes -----------------------------------------------------------------------------
    @contextmanager
    def _pool(self, workers: int) -> Iterator[ProcessPoolExecutor | None]:
        """Worker processes that parse, chunk and embed (forked: they start at once and share the parent's pages)."""
        if workers < 2:
            yield None
            return
        # With fork, the pool starts its processes from the thread of the first submit (this one, which
        # outlives them): their parent-death signal (init_worker) fires when this ingest's process ends.
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=init_worker, initargs=(self.pipeline, os.getpid()))
        try:
            yield pool
        except BaseException:  # interrupted or failed: what the workers are doing is not wanted any more
            _stop_workers(pool)
            raise
        finally:  # work queued ahead for documents that will not be stored is dropped
            pool.shutdown(wait=True, cancel_futures=True)


def _same_units(now: list[Unit], before: list[Unit]) -> bool:
    return len(now) == len(before) and all(a is b for a, b in zip(now, before))


def _not_stored(parsed: Parsed, decision: Decision) -> FileResult:
    """The result of a document decided not to be stored."""
    doc = parsed.doc
    if decision.action == "unchanged":
        return FileResult(parsed.shown, "unchanged", document_id=decision.document_id, format=doc.format)
    if decision.skipped:  # every message held by another export: what was left out is reported
        return FileResult(parsed.shown, "duplicate", reason=decision.reason, format=doc.format,
                          detection=parsed.detection, report=doc.report.as_dict())
    return FileResult(parsed.shown, "duplicate", reason=decision.reason, document_id=decision.document_id,
                      format=doc.format, detection=parsed.detection)


def own_files(store: Store) -> set[Path]:
    """The knowledge base's own files, never ingested into itself."""
    if store.path == ":memory:" or is_server(store.path):
        return set()
    base = Path(store.path).resolve()
    return {base, *(base.with_name(base.name + s) for s in ("-wal", "-shm", "-journal"))}


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool's worker processes now, rather than after the task each is running."""
    # concurrent.futures has no public way to do this; its process table and result queue are private
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
    # A worker killed while sending its result leaves half a message in the result pipe, and the pool's
    # manager thread would wait for the rest forever: once our copy of the pipe's write end is closed
    # (the workers' copies close as they die), that wait ends as end-of-file, handled as a broken pool.
    queue = getattr(pool, "_result_queue", None)
    if queue is not None:
        queue._writer.close()
