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
        self._absent = np.zeros(0, dtype=np.int64)
        self._count = 0
        self._average = 1.0

    def invalidate(self) -> None:
        self._lengths = None

    def load_lengths(self, ids: np.ndarray, lengths: np.ndarray) -> None:
        table = np.zeros(int(ids.max()) + 1 if len(ids) else 1, dtype=np.float32)
        table[ids] = lengths
        self._lengths = table
        # row ids without a chunk (removed, or never used): merged postings may still name them
        self._absent = np.flatnonzero(table == 0)
        self._count = len(ids)
        self._average = float(lengths.mean()) if len(lengths) else 1.0

    @property
    def loaded(self) -> bool:
        return self._lengths is not None

    def rank(self, postings: dict[str, list[tuple[int, bytes, bytes]]], k: int,
             allowed: np.ndarray | None = None) -> list[Ranked]:
        """Top ``k`` chunks: most query terms held first, then BM25 score.

        Two passes over the postings, neither of which scores them all: the first counts the query terms each
        chunk holds, which says the fewest a chunk of the top ``k`` holds; the second scores only the chunks
        holding that many (at a million chunks a query of four common words has 2 million postings, and the
        chunks holding all four are a few percent of them). Scores and order are those of scoring every chunk.
        """
        assert self._lengths is not None, "load_lengths first"
        lengths, n, average, absent = self._lengths, self._count, self._average, self._absent
        size = len(lengths)
        terms = []
        for rows in postings.values():
            ids, tfs = decode_rows(rows)
            if len(ids) and int(ids.max()) >= size:  # rows another connection wrote after the lengths were read
                inside = ids < size
                ids, tfs = ids[inside], tfs[inside]
            if len(ids):
                terms.append((ids, tfs))
        if not terms:
            return []
        # pass 1: the terms each chunk holds (a chunk appears at most once in a term's postings)
        matched = np.zeros(size, dtype=np.uint8 if len(terms) < 256 else np.uint16)
        for ids, _ in terms:
            matched[ids] += 1
        matched[absent] = 0
        if allowed is not None:
            keep = np.zeros(size, dtype=bool)
            keep[allowed[allowed < size]] = True
            matched[~keep] = 0
        held = np.bincount(matched)
        at_least = np.cumsum(held[::-1])[::-1]  # at_least[m]: chunks holding m terms or more
        level = max((m for m in range(1, len(held)) if at_least[m] >= k), default=1)
        candidates = np.flatnonzero(matched >= level)
        if not len(candidates):
            return []
        # pass 2: BM25 of the candidates, term by term in the query's order (the sums of scoring them all)
        scores = np.zeros(len(candidates), dtype=np.float64)
        norm = K1 * (1.0 - B + B * lengths[candidates] / average)
        frequency = np.zeros(size, dtype=np.uint16)
        for ids, tfs in terms:
            frequency[ids] = tfs
            df = len(ids) - (np.count_nonzero(frequency[absent]) if len(absent) else 0)
            idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
            tf = frequency[candidates].astype(np.float32)
            scores += idf * tf * (K1 + 1.0) / (tf + norm)  # a chunk without the term adds 0.0: its sum unchanged
            frequency.fill(0)  # a memset: cheaper than writing zeros back at the term's postings
        terms_held = matched[candidates]
        key = terms_held * (scores.max() + 1.0) + scores
        if len(key) > k:  # the k best keys and every key tied with the last of them
            top = np.flatnonzero(key >= np.partition(key, len(key) - k)[len(key) - k])
        else:
            top = np.arange(len(key))
        # most terms held, then score, then the chunk stored first: the same order every time
        top = top[np.lexsort((candidates[top], -scores[top], -terms_held[top].astype(np.int64)))][:k]
        return [Ranked(int(candidates[i]), float(scores[i]), int(terms_held[i])) for i in top]


def decode_rows(rows: list[tuple[int, bytes, bytes]]) -> tuple[np.ndarray, np.ndarray]:
    """One term's postings rows (base, chunk indexes, frequencies) as chunk row ids (uint32) and frequencies
    (uint16), in the rows' order. A merged row (base zero or less) is packed (``pack_merged``)."""
    merged = [unpack_merged(chunks, tfs) for base, chunks, tfs in rows if base <= 0]
    rows = [row for row in rows if row[0] > 0]
    if not rows:
        return merged[0] if len(merged) == 1 else (np.zeros(0, _IDX), np.zeros(0, _TF))
    bases, blobs, tf_blobs = zip(*rows)
    counts = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs)) // _IDX.itemsize
    offsets = np.repeat(np.array(bases, dtype=np.int64).astype(_IDX), counts)
    ids, tfs = np.frombuffer(b"".join(blobs), _IDX) + offsets, np.frombuffer(b"".join(tf_blobs), _TF)
    if merged:  # a merged row's chunks come before the documents' rows stored after it
        ids, tfs = np.concatenate([merged[0][0], ids]), np.concatenate([merged[0][1], tfs])
    return ids, tfs


def merged_row(rows: list[tuple[int, bytes, bytes]], live: np.ndarray) -> tuple[bytes, bytes]:
    """A term's rows (its merged row, if any, then documents' rows by base) as one merged row's chunk row ids
    and frequencies (packed), leaving out the chunks ``live`` (a boolean per row id) says are gone; row ids past
    its end (stored after it was read) are kept."""
    ids, tfs = decode_rows(sorted(rows, key=lambda row: row[0]))  # by base: the row ids ascending
    keep = live[np.minimum(ids, len(live) - 1)] | (ids >= len(live))
    return pack_merged(ids[keep], tfs[keep]) if keep.any() else (b"", b"")


# A merged row is read whole by every query of its term (megabytes for a common one): it is packed to about
# a third. Its row ids ascend, so their gaps are small; frequencies are small too. Each array is stored as one
# byte per value, the values that do not fit (255 or more) apart with their positions:
# [count of wide values, uint32][their positions, uint32][their values, uint32 or uint16][a byte per value]
_WIDE = 255


def _pack(values: np.ndarray, wide: np.dtype) -> bytes:
    positions = np.flatnonzero(values >= _WIDE)
    return b"".join([np.array([len(positions)], "<u4").tobytes(), positions.astype("<u4").tobytes(),
                     values[positions].astype(wide).tobytes(), np.minimum(values, _WIDE).astype(np.uint8).tobytes()])


def _unpack(blob: bytes, wide: np.dtype, out: np.dtype) -> np.ndarray:
    count = int(np.frombuffer(blob, "<u4", count=1)[0])
    positions = np.frombuffer(blob, "<u4", count=count, offset=4)
    large = np.frombuffer(blob, wide, count=count, offset=4 + 4 * count)
    values = np.frombuffer(blob, np.uint8, offset=4 + 4 * count + count * wide.itemsize).astype(out)
    values[positions] = large
    return values


def pack_merged(ids: np.ndarray, tfs: np.ndarray) -> tuple[bytes, bytes]:
    """Ascending chunk row ids and their frequencies as a merged row's two blobs (ids by their gaps)."""
    gaps = np.diff(ids.astype(np.int64), prepend=0)
    return _pack(gaps, _IDX), _pack(tfs.astype(np.int64), _TF)


def unpack_merged(chunks: bytes, tfs: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A merged row's blobs as chunk row ids (uint32) and frequencies (uint16)."""
    return (np.cumsum(_unpack(chunks, _IDX, np.uint32), dtype=np.uint32),
            _unpack(tfs, _TF, np.uint16))
