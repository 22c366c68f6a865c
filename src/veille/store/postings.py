"""The lexical index: BM25 over postings kept in the store, scored with numpy.

Each document contributes, per term, the chunks that hold it (as indexes into
the document's chunks, added to the document's first chunk row id) and the
term's frequency in each. A query reads the postings of its few terms, scores
every matching chunk at once, and ranks chunks holding more of the query terms
first, BM25 second — "all terms, then some" in one pass, whatever the number of
matches. SQLite's FTS5 scored every match one callback at a time (≈1.4 µs a row),
which made common words slow.

Reading one row per (term, document) costs ≈ 0.2 µs a row in SQLite: at a million chunks a common term has
tens of thousands of rows. So the rows of the documents stored up to some chunk are also kept merged into
one row per term (``merged_row``, store/compact.py): its base is ``-upto`` (zero or less, never a chunk row
id), its chunk indexes are row ids, and a read takes it with the documents' rows stored after ``upto``. A
removed document's chunks stay in the merged rows until the next merge; ranking skips them (no length).
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

K1 = 1.2
B = 0.75

_IDX = np.dtype("<u4")
IDX_BYTES = _IDX.itemsize  # one chunk index in a postings blob
_TF = np.dtype("<u2")


@dataclass
class DocumentTerms:
    """What the lexical index holds of one document, before its chunks have row ids: for each term, the
    indexes of the chunks that hold it (ascending) and how often each holds it; and each chunk's length
    in terms, in chunk order. How a store lays this out is its own affair."""

    postings: dict[str, tuple[np.ndarray, np.ndarray]]  # term → (chunk indexes, uint32; frequencies, uint16)
    lengths: list[int]  # terms per chunk, in chunk order

    def encoded(self) -> list[tuple[str, bytes, bytes]]:
        """(term, chunk indexes, frequencies) rows, by term, the arrays as little-endian bytes: what
        ``BM25Ranker.rank`` reads back."""
        return [(term, idx.astype(_IDX).tobytes(), tfs.astype(_TF).tobytes())
                for term, (idx, tfs) in sorted(self.postings.items())]


def document_terms(chunk_terms: Iterable[list[str]]) -> DocumentTerms:
    """The index terms of one document from the terms of each of its chunks (a list, or a generator: one
    chunk's terms held at a time, the postings in machine-word arrays)."""
    by_term: dict[str, tuple[array, array]] = defaultdict(lambda: (array("I"), array("H")))
    lengths = []
    for index, terms in enumerate(chunk_terms):
        lengths.append(len(terms))
        for term, tf in Counter(terms).items():
            entry = by_term[term]
            entry[0].append(index)
            entry[1].append(min(tf, 65535))
    return DocumentTerms({term: (np.frombuffer(idx, dtype=np.uint32), np.frombuffer(tfs, dtype=np.uint16))
                          for term, (idx, tfs) in by_term.items()}, lengths)


@dataclass
class Ranked:
    """A chunk row id, its BM25 score and how many distinct query terms it holds."""

    rowid: int
    score: float
    matched: int


class BM25Ranker:
    """Scores chunks from their postings; chunk lengths are cached until the store changes."""

    def __init__(self) -> None:
        self._lengths: np.ndarray | None = None
        self._count = 0
        self._average = 1.0

    def invalidate(self) -> None:
        self._lengths = None

    def load_lengths(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        table = np.zeros(int(ids.max()) + 1 if len(ids) else 1, dtype=np.float32)
        table[ids] = lengths
        self._lengths = table
        self._count = len(ids)
        self._average = float(lengths.mean()) if len(lengths) else 1.0

    @property
    def loaded(self) -> bool:
        return self._lengths is not None

    def rank(self, postings: dict[str, list[tuple[int, bytes, bytes]]], k: int,
             allowed: np.ndarray | None = None) -> list[Ranked]:
        """Top ``k`` chunks: most query terms held first, then BM25 score."""
        assert self._lengths is not None, "load_lengths first"
        lengths, n, average = self._lengths, self._count, self._average
        size = len(lengths)
        all_ids, all_weights = [], []
        for rows in postings.values():
            ids, tfs = decode_rows(rows)
            inside = ids < size  # rows another connection wrote after the lengths were read
            if not inside.all():
                ids, tfs = ids[inside], tfs[inside]
            chunk_lengths = lengths[ids]
            live = chunk_lengths > 0  # a chunk removed since the merged rows were written has no length
            if not live.all():
                ids, tfs, chunk_lengths = ids[live], tfs[live], chunk_lengths[live]
            df = len(ids)
            if not df:
                continue
            idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
            norm = K1 * (1.0 - B + B * chunk_lengths / average)
            all_ids.append(ids)
            all_weights.append(idf * tfs * (K1 + 1.0) / (tfs + norm))
        if not all_ids:
            return []
        # one pass over every posting: a chunk appears once per term, so its count is the terms it holds
        ids = np.concatenate(all_ids)
        scores = np.bincount(ids, weights=np.concatenate(all_weights), minlength=size)
        matched = np.bincount(ids, minlength=size)
        if allowed is not None:
            keep = np.zeros(size, dtype=bool)
            keep[allowed[allowed < size]] = True
            matched[~keep] = 0
        candidates = np.flatnonzero(matched)
        if not len(candidates):
            return []
        key = matched[candidates] * (scores.max() + 1.0) + scores[candidates]
        if len(key) > k:
            top = np.argpartition(-key, k - 1)[:k]
        else:
            top = np.arange(len(key))
        top = top[np.argsort(-key[top], kind="stable")]
        return [Ranked(int(candidates[i]), float(scores[candidates[i]]), int(matched[candidates[i]])) for i in top]


def decode_rows(rows: list[tuple[int, bytes, bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """One term's postings rows (base, chunk indexes, frequencies) as chunk row ids (int64) and frequencies
    (float32), in the rows' order. A merged row (base zero or less) holds row ids already."""
    bases, blobs, tf_blobs = zip(*rows)
    counts = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // _IDX.itemsize
    ids = np.frombuffer(b"".join(blobs), _IDX).astype(np.int64) + np.repeat(np.maximum(np.array(bases), 0), counts)
    return ids, np.frombuffer(b"".join(tf_blobs), _TF).astype(np.float32)


def merged_row(rows: list[tuple[int, bytes, bytes]], live: np.ndarray) -> tuple[bytes, bytes]:
    """A term's rows (its merged row, if any, then documents' rows by base) as one merged row's chunk row ids
    and frequencies, leaving out the chunks ``live`` (a boolean per row id) does not hold."""
    ids, tfs = decode_rows(rows)
    keep = live[np.minimum(ids, len(live) - 1)] & (ids < len(live))
    return ids[keep].astype(_IDX).tobytes(), tfs[keep].astype(_TF).tobytes()
