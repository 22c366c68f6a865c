"""The dense index: chunk vectors scored by brute force, or by an HNSW graph beside the file when many.

Vectors are stored as float16 BLOBs keyed by chunk row id. Below ``DenseSettings.threshold`` they are
loaded once into one float32 matrix (until the store changes) and a query is one matrix-vector product and
an ``argpartition``: ≈ 4 ms at 100 000 × 384, but ≈ 70 ms at 1 000 000 (bench/dense_scale.py). Above it, a
usearch graph saved beside the SQLite file answers for the rows it covers, and the rows added or changed
since (the "tail") are scored exactly beside it: the graph is never trusted beyond what it records.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from .postings import Ranked

_SUBSET = 0.25  # below this share of allowed rows, score only those rows


class DenseIndex:
    """Chunk row ids (ascending) and their unit vectors, cached until invalidated: exact search."""

    description = "exact (brute force)"

    def __init__(self) -> None:
        self.ids: np.ndarray | None = None
        self.matrix: np.ndarray | None = None

    @property
    def loaded(self) -> bool:
        return self.ids is not None

    def invalidate(self) -> None:
        self.ids = self.matrix = None

    def load(self, ids: np.ndarray, blob: bytes, dims: int, dtype: np.dtype) -> None:
        """Row ids in ascending order and their vectors, concatenated in the same order."""
        self.ids = ids
        self.matrix = np.frombuffer(blob, dtype=dtype).astype(np.float32).reshape(len(ids), dims)

    def __len__(self) -> int:
        return 0 if self.ids is None else len(self.ids)

    def vectors(self, rowids: list[int]) -> dict[int, np.ndarray]:
        """The vectors of these chunk rows that have one."""
        assert self.ids is not None and self.matrix is not None, "load first"
        return {int(self.ids[p]): self.matrix[p] for p in _present(self.ids, np.asarray(rowids, dtype=np.int64))}

    def rank(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[Ranked]:
        """Top ``k`` chunks by cosine similarity (vectors are unit length), among ``allowed`` row ids."""
        assert self.ids is not None and self.matrix is not None, "load first"
        ids, matrix = self.ids, self.matrix
        if not len(ids) or k <= 0:
            return []
        query = np.asarray(query, dtype=np.float32)
        if allowed is None:
            rows = None
            scores = matrix @ query
        else:
            pos = _present(ids, allowed)  # chunks without a vector yet drop out here
            if not len(pos):
                return []
            if len(pos) < _SUBSET * len(ids):
                rows = pos
                scores = matrix[pos] @ query
            else:
                rows = None
                full = matrix @ query
                scores = np.full(len(ids), -np.inf, dtype=np.float32)
                scores[pos] = full[pos]
        if len(scores) > k:
            top = np.argpartition(-scores, k - 1)[:k]
        else:
            top = np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[np.isfinite(scores[top])]
        positions = top if rows is None else rows[top]
        return [Ranked(int(ids[p]), float(scores[t]), 0) for p, t in zip(positions, top)]


@dataclass(frozen=True)
class DenseSettings:
    """When and how the dense index goes approximate (usearch HNSW) instead of brute force.

    Defaults measured in bench/dense_scale.py (bench/README.md, "The approximate dense index"): brute force
    scores 100 000 vectors in ≈ 4 ms and 1 000 000 in ≈ 70 ms (p95), so it stays below ``threshold``;
    HNSW needs M = 32 and an ``ef`` growing with the size to keep recall@10 ≥ 0.95 on e5-like vectors.
    """
    approximate: bool = True  # False: brute force always (as without usearch installed)
    threshold: int = 200_000  # vectors from which a graph is built and searched
    exact_below: int = 20_000  # filters leaving fewer chunks than this: score those exactly
    connectivity: int = 32  # HNSW links per node (M)
    expansion_add: int = 128  # ef at build
    expansion_search: int | None = None  # ef at search; None: by size, see ``expansion``
    refresh_share: float = 0.02  # the writer folds the tail in once it exceeds this share of the graph…
    refresh_rows: int = 20_000  # …or this many rows
    overfetch_cap: int = 4096  # filtered search asks the graph for at most this many before scoring exactly
    threads: int = 2  # threads building the graph

    def expansion(self, size: int) -> int:
        """ef for a graph of ``size`` vectors: 512 up to 167 000, then growing with it (3 072 at 1 000 000)."""
        if self.expansion_search is not None:
            return self.expansion_search
        return int(min(4096, max(512, 3072 * size / 1_000_000)))


def usearch_index() -> Any | None:
    """usearch's ``Index`` class, or None when usearch is not installed (the ``embed`` extra installs it)."""
    try:
        from usearch.index import Index
    except ImportError:
        return None
    return Index


class VectorGraph:
    """An HNSW graph of chunk vectors (usearch, float16, inner product), keyed by chunk row id.

    ``covers`` is the highest row id it was built or extended up to; rows above it, and rows in
    ``stale`` ranges (removed or re-written since), are not trusted from it: the store scores them exactly.
    """

    def __init__(self, index: Any, covers: int, stale: list[tuple[int, int]]) -> None:
        self.index = index
        self.covers = covers
        self.stale = stale  # [first, end) row id ranges, merged and sorted

    def __len__(self) -> int:
        return len(self.index)

    @staticmethod
    def build(dims: int, settings: DenseSettings) -> Any:
        """A new empty usearch index with these settings."""
        Index = usearch_index()
        assert Index is not None, "usearch is not installed"
        return Index(ndim=dims, metric="ip", dtype="f16", connectivity=settings.connectivity,
                     expansion_add=settings.expansion_add)

    def usable(self, keys: np.ndarray) -> np.ndarray:
        """Which of these keys the graph answers for: within ``covers`` and not in a stale range."""
        ok = keys <= self.covers
        for first, end in self.stale:
            ok &= (keys < first) | (keys >= end)
        return ok

    def search(self, query: np.ndarray, count: int, ef: int) -> tuple[np.ndarray, np.ndarray]:
        """Row ids and cosine scores of the ``count`` nearest vectors found (unchecked: see ``usable``)."""
        self.index.expansion_search = max(ef, count)
        found = self.index.search(query, min(count, len(self.index)), threads=1)
        return found.keys.astype(np.int64), (1.0 - found.distances).astype(np.float32)


class KeyedMatrix:
    """Row ids (ascending) and their float16 vectors in one file, memory-mapped: the rows the graph holds,
    for scoring a few of them exactly (a narrow filter) without SQLite (≈ 20 ms per 10 000 rows there).

    Layout: count and dimensions (two little-endian uint64), the ids (int64), the vectors (float16, row major).
    """

    HEADER = 16

    def __init__(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self.ids = ids
        self.vectors = vectors

    @staticmethod
    def size(count: int, dims: int) -> int:
        return KeyedMatrix.HEADER + count * 8 + count * dims * 2

    @classmethod
    def open(cls, path: str) -> "KeyedMatrix":
        """Map a matrix file; ValueError when it is not one, or not whole."""
        head = np.fromfile(path, dtype="<u8", count=2)
        if len(head) != 2:
            raise ValueError("no header")
        count, dims = int(head[0]), int(head[1])
        found = os.path.getsize(path)
        if found != cls.size(count, dims):
            raise ValueError(f"{found} bytes for {count} vectors of {dims} dimensions")
        if not count:
            return cls(np.zeros(0, dtype=np.int64), np.zeros((0, dims), dtype="<f2"))
        ids = np.memmap(path, dtype="<i8", mode="r", offset=cls.HEADER, shape=(count,))
        vectors = np.memmap(path, dtype="<f2", mode="r", offset=cls.HEADER + 8 * count, shape=(count, dims))
        return cls(ids, vectors)

    def rank(self, query: np.ndarray, k: int, wanted: np.ndarray) -> list[Ranked]:
        """Top ``k`` of the ``wanted`` row ids (ascending) held here, scored exactly.

        By usearch's exact search over the float16 rows: numpy would first convert them to float32,
        which costs ten times the product (15 against 1.4 ms for 11 714 rows).
        """
        from usearch.index import MetricKind, search
        pos = _present(self.ids, wanted)
        if not len(pos) or k <= 0:
            return []
        found = search(np.ascontiguousarray(self.vectors[pos]), query.astype(np.float16), min(k, len(pos)),
                       MetricKind.IP, exact=True, threads=1)
        return [Ranked(int(self.ids[pos[int(row)]]), float(1.0 - distance), 0)
                for row, distance in zip(found.keys, found.distances)]


class ApproximateDense:
    """Dense ranking over a graph plus an exact tail (rows the graph does not answer for).

    ``matrix`` holds the graph's vectors by row id, for filters that leave few rows (scored exactly).
    """

    def __init__(self, graph: VectorGraph, matrix: KeyedMatrix, tail: DenseIndex, settings: DenseSettings) -> None:
        self.graph = graph
        self.matrix = matrix
        self.tail = tail
        self.settings = settings
        self.ef = settings.expansion(len(graph))

    @property
    def description(self) -> str:
        return (f"usearch HNSW (f16, M={self.settings.connectivity}, ef={self.ef}) over {len(self.graph)} "
                f"vectors, {len(self.tail)} scored exactly beside it")

    def rank(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[Ranked]:
        """Top ``k`` chunks by cosine similarity among ``allowed`` row ids (sorted), approximately."""
        if k <= 0:
            return []
        query = np.asarray(query, dtype=np.float32)
        found = None
        if allowed is None or len(allowed) >= self.settings.exact_below:
            found = self._search_graph(query, k, allowed)
        if found is None:  # few rows allowed (or too few of them near the query in the graph): score them all
            assert allowed is not None
            found = self.matrix.rank(query, k, allowed[self.graph.usable(allowed)])
        merged = {r.rowid: r for r in found}
        for r in self.tail.rank(query, k, allowed) if len(self.tail) else []:
            merged[r.rowid] = r  # the tail's vector is the current one
        return sorted(merged.values(), key=lambda r: -r.score)[:k]

    def _search_graph(self, query: np.ndarray, k: int, allowed: np.ndarray | None) -> list[Ranked] | None:
        """The graph's top ``k`` usable (and allowed) rows; None when over-fetching up to the cap finds too few."""
        size = len(self.graph)
        share = 1.0 if allowed is None else max(len(allowed) / max(size, 1), 1e-6)
        count = min(size, max(k, int(np.ceil(2 * k / share))))
        while True:
            keys, scores = self.graph.search(query, count, self.ef)
            keep = self.graph.usable(keys)
            if allowed is not None:
                pos = np.minimum(np.searchsorted(allowed, keys), len(allowed) - 1)
                keep &= allowed[pos] == keys
            if keep.sum() >= k or count >= size:
                keys, scores = keys[keep][:k], scores[keep][:k]
                return [Ranked(int(key), float(score), 0) for key, score in zip(keys, scores)]
            if count >= self.settings.overfetch_cap:
                if allowed is not None:
                    return None
                keys, scores = keys[keep], scores[keep]  # what is not usable is in the tail
                return [Ranked(int(key), float(score), 0) for key, score in zip(keys, scores)]
            count = min(size, self.settings.overfetch_cap, count * 2)


def _present(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions in ``ids`` (sorted) of the ``wanted`` row ids it holds."""
    pos = np.searchsorted(ids, wanted)
    inside = pos < len(ids)
    pos, wanted = pos[inside], wanted[inside]
    return pos[ids[pos] == wanted]
