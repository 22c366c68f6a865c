"""Embedding the stored chunks that have no vector yet, as a worker of a queue the database itself holds.

Each worker claims a small batch of chunks without a vector (``Store.claim_missing_vectors``: on
PostgreSQL ``FOR UPDATE SKIP LOCKED``, so workers on one machine or many get different chunks), embeds
them, and stores their vectors in the claim's transaction. A worker stopped by Ctrl-C rolls its open
claim back; a killed one loses its connection, and the server lets its claim go: nothing is lost, and no
chunk gets two vectors. On SQLite a claim holds the file's write lock, so one worker embeds at a time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

from .embed import Embedder, passage_text
from .ingest_embedding import EMBED_BATCH
from .store import Store

#: Seconds between two looks for new chunks, when following an ingest or waiting for other workers' claims.
POLL_SECONDS = 3.0


@dataclass
class EmbedReport:
    """What one worker did: chunks it embedded, in how long, and how many chunks still have no vector."""

    embedded: int
    seconds: float
    left: int  # chunks without a vector when the worker stopped (others' open claims included)
    interrupted: bool = False

    @property
    def rate(self) -> float:
        """Chunks this worker embedded per second."""
        return self.embedded / self.seconds if self.seconds > 0 else 0.0


class EmbedInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) stopped a worker: its open claim was rolled back, what it stored before stays."""

    def __init__(self, report: EmbedReport) -> None:
        super().__init__(f"interrupted after {report.embedded} chunks embedded")
        self.report = report


def embed_missing(store: Store, embedder: Embedder, *, batch: int = EMBED_BATCH, follow: bool = False,
                  poll: float = POLL_SECONDS, progress: Callable[[EmbedReport], None] | None = None) -> EmbedReport:
    """Claim, embed and store batches of chunks without a vector until none is left (with ``follow``, keep
    looking every ``poll`` seconds until interrupted); ``progress`` after each batch.

    Chunks claimed by other workers are waited for: when this returns (without ``follow``), every chunk has
    a vector, unless another worker is still embedding its last batch. Raises ``EmbedInterrupted`` on Ctrl-C.
    """
    started = time.monotonic()
    report = EmbedReport(0, 0.0, 0)
    try:
        while True:
            with store.claim_missing_vectors(batch) as claimed:
                if claimed:
                    vectors = embedder.passages([passage_text(m.text, m.title, m.section) for m in claimed])
                    store.put_vectors([m.rowid for m in claimed], vectors)
            report.seconds = time.monotonic() - started
            if claimed:
                report.embedded += len(claimed)
                if progress is not None:
                    progress(report)
                continue
            report.left = store.count_vectors()[1]
            if not report.left and not follow:
                return report
            # nothing to claim: chunks others hold (a killed worker's are let go when the server sees its
            # connection gone), or, with ``follow``, chunks an ingest has not stored yet
            time.sleep(poll)
    except KeyboardInterrupt:
        report.seconds = time.monotonic() - started
        report.left = store.count_vectors()[1]
        report.interrupted = True
        raise EmbedInterrupted(report) from None
