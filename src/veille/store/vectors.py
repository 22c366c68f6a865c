"""The dense index: every chunk vector in one float32 matrix, scored by brute force.

Vectors are stored as float16 BLOBs keyed by chunk row id and loaded once into
memory (until the store changes). A query is one matrix-vector product and an
``argpartition``: at 100 000 chunks × 384 dimensions that is a few milliseconds
(bench/search_latency.py), so no approximate index is needed at that size.
"""

from __future__ import annotations

import numpy as np

from .postings import Ranked

_SUBSET = 0.25  # below this share of allowed rows, score only those rows


class DenseIndex:
    """Chunk row ids (ascending) and their unit vectors, cached until invalidated."""

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


def _present(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions in ``ids`` (sorted) of the ``wanted`` row ids it holds."""
    pos = np.searchsorted(ids, wanted)
    inside = pos < len(ids)
    pos, wanted = pos[inside], wanted[inside]
    return pos[ids[pos] == wanted]
