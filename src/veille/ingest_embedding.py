"""Embedding during an ingest: batches for the worker processes, the next documents' chunks embedded while
the current one is stored, and the progress told to the caller."""

from __future__ import annotations

import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterator

import numpy as np

from .embed import chunk_passages, embed_in_worker

if TYPE_CHECKING:
    from .ingest import FileDecisions


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


class PendingVectors:
    """A document's passages being embedded in the worker processes, batch by batch."""

    def __init__(self, futures: list[Future], sizes: list[int]) -> None:
        self.futures = futures
        self.sizes = sizes

    @classmethod
    def submit(cls, pool: ProcessPoolExecutor, texts: list[str]) -> "PendingVectors":
        batches = [texts[i:i + EMBED_BATCH] for i in range(0, len(texts), EMBED_BATCH)]
        return cls([pool.submit(embed_in_worker, b) for b in batches], [len(b) for b in batches])

    def __len__(self) -> int:
        return sum(self.sizes)

    def wait(self, tracker: "Tracker | None" = None) -> np.ndarray:
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


class EmbedAhead:
    """Hands the worker processes the chunks of the documents after the one being stored.

    Documents are stored one at a time, in order (whether one is new depends on
    those before it), but their chunks can be embedded ahead: both workers stay
    busy even when every document is a single chunk. Without a pool, documents
    pass through and are embedded as they are stored.
    """

    def __init__(self, pool: ProcessPoolExecutor | None, ahead: int) -> None:
        self.pool = pool
        self.ahead = ahead  # chunks submitted and not yet stored

    def run(self, items: Iterator["FileDecisions"]) -> Iterator[tuple["FileDecisions", list["PendingVectors | None"]]]:
        """Each file's item, with its documents' vectors being made (None for a document without chunks yet)."""
        if self.pool is None:
            for item in items:
                yield item, ([None] * len(item) if isinstance(item, list) else [])
            return
        window: deque[tuple[FileDecisions, list[PendingVectors | None]]] = deque()
        queued = 0
        for item in items:
            pending: list[PendingVectors | None] = []
            for entry in item if isinstance(item, list) else []:
                # a result (not stored) has nothing to embed; a long document is embedded after it is stored
                chunks = getattr(entry, "chunks", None)
                pending.append(None if chunks is None else
                               PendingVectors.submit(self.pool, chunk_passages(entry.doc.title, chunks)))
            window.append((item, pending))
            queued += sum(len(v) for v in pending if v is not None)
            while window and queued > self.ahead:
                done = window.popleft()
                queued -= sum(len(v) for v in done[1] if v is not None)
                yield done
        while window:
            yield window.popleft()


class Tracker:
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
