"""Merged postings: one row per term for the documents stored up to some chunk, written by either store.

A document's postings are one row per (term, document), which keeps a write, a removal and a copy to one
document's rows. A query reads every row of its terms: at a million chunks a common term has tens of
thousands of them, and reading them is most of a lexical search (bench/store_scale.py). So, once enough
chunks have been stored since, ``merge_postings`` folds each term's rows into one merged row (base
``-upto``: the last chunk row id it covers, negated; see store/postings.py). The documents' rows stay as they
are; a read takes a term's merged row and its documents' rows stored after that row's ``upto``, in one
statement (``POSTINGS_READ``), so a merge committed meanwhile never counts a chunk twice.

Each term is rewritten in its own short transaction (other writers wait seconds, not the whole merge) and
carries its own ``upto``; ``meta.merged_upto`` keeps the highest, below which no chunk row id is given again
(``next_chunk_id``): a merged row never holds an id that a later chunk could take. Chunks removed since a
merged row was written stay in it until that term is merged again; the ranker skips them (they have no length
any more), and a merge rewrites every term once removals have left ``dead_share`` of the merged chunks dead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .postings import decode_rows, merged_row

#: A term's postings rows as a search reads them: its merged row (base ≤ 0), then the documents' rows stored
#: after it (by base), in one statement; two index ranges, not a filter over every row of the term. ``?`` is
#: the term, given three times.
POSTINGS_READ = ("SELECT base, chunks, tfs FROM postings WHERE term = ? AND base <= 0 UNION ALL "
                 "SELECT base, chunks, tfs FROM postings WHERE term = ? AND base > "
                 "COALESCE((SELECT -base FROM postings WHERE term = ? AND base <= 0), 0)")


@dataclass(frozen=True)
class MergeSettings:
    """When the merged rows are brought up to date (at the end of an ingest, ``Store.batch``).

    Below ``min_chunks`` chunks stored since the last merge nothing is merged: at 100 000 chunks a lexical
    search reads per-document rows in ≈ 15 ms (bench/store_scale.py), and small knowledge bases never merge.
    """
    min_chunks: int = 20_000  # chunks stored since the last merge before the next one…
    share: float = 0.05  # …and at least this share of the chunks merged already (a merge rewrites common terms)
    dead_share: float = 0.2  # chunks removed since, as a share of those merged: every term rewritten
    terms_per_transaction: int = 500


class MergeTables(Protocol):
    """What a merge needs of a store's tables, inside the store's own write transactions."""

    def rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of a query written with ``?`` placeholders."""

    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        """A statement written with ``?`` placeholders."""


def merge_state(tables: MergeTables) -> tuple[int, int]:
    """(highest chunk row id merged, chunks alive among those when it was merged); (0, 0) before any merge."""
    found = dict(tables.rows("SELECT key, value FROM meta WHERE key IN ('merged_upto', 'merged_live')"))
    return int(found.get("merged_upto", 0)), int(found.get("merged_live", 0))


def _removals(tables: MergeTables) -> tuple[str | None, str | None]:
    """(documents removed so far, as counted when the last merge ended): equal when nothing was removed since."""
    found = dict(tables.rows("SELECT key, value FROM meta WHERE key IN ('chunk_removals', 'merged_removals')"))
    return found.get("chunk_removals"), found.get("merged_removals")


def merge_postings(tables: MergeTables, transaction: Any, settings: MergeSettings = MergeSettings(),
                   force: bool = False) -> str:
    """Bring the merged rows up to the last stored chunk when the settings say it is time (or ``force``);
    what was done, in words. ``transaction()`` is a context manager: one write transaction of the store."""
    upto, live_then = merge_state(tables)
    top = tables.rows("SELECT COALESCE(MAX(id), 0) FROM chunks")[0][0]
    since = top - upto
    removals, merged_removals = _removals(tables)
    purge = False
    if live_then and removals != merged_removals:  # counting the merged chunks alive takes ≈ 0.1 s at 1 000 000
        live_now = tables.rows("SELECT COUNT(*) FROM chunk_keys WHERE id <= ?", (upto,))[0][0]
        purge = live_then - live_now > settings.dead_share * live_then
    if not force and not purge and (since <= 0 or since < max(settings.min_chunks, settings.share * upto)):
        return f"merged up to chunk {upto}; {since} chunks after it are read per document"
    with transaction():  # first: no chunk row id up to ``top`` is given again, whatever happens next
        tables.execute("INSERT INTO meta VALUES ('merged_upto', ?) ON CONFLICT (key) DO UPDATE SET value = "
                       "excluded.value", (str(max(top, upto)),))
    ids = np.array([r[0] for r in tables.rows("SELECT id FROM chunk_keys WHERE id <= ?", (top,))], dtype=np.int64)
    live = np.zeros(top + 1, dtype=bool)
    live[ids] = True
    if purge or force:
        terms = [r[0] for r in tables.rows("SELECT DISTINCT term FROM postings")]
    else:
        terms = [r[0] for r in tables.rows("SELECT DISTINCT term FROM postings WHERE base > ?", (upto,))]
    for start in range(0, len(terms), settings.terms_per_transaction):
        with transaction():
            for term in terms[start:start + settings.terms_per_transaction]:
                _merge_term(tables, term, top, live)
    with transaction():
        for key, value in (("merged_live", str(int(live.sum()))), ("merged_removals", removals)):
            if value is not None:
                tables.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
                               "excluded.value", (key, value))
    return f"merged {len(terms)} terms up to chunk {top}"


def _merge_term(tables: MergeTables, term: str, top: int, live: np.ndarray) -> None:
    """One term's merged row rewritten to cover its documents' rows up to chunk ``top``, or further when another
    process's merge took it further meanwhile (its rows are read under the write lock)."""
    rows = tables.rows(POSTINGS_READ, (term, term, term))
    upto = max([top] + [-base for base, _, _ in rows if base <= 0])
    rows = [r for r in rows if r[0] <= upto]
    tables.execute("DELETE FROM postings WHERE term = ? AND base <= 0", (term,))
    if not rows:
        return
    chunks, tfs = merged_row([(int(b), bytes(c), bytes(t)) for b, c, t in rows], live)
    if chunks:
        tables.execute("INSERT INTO postings (term, base, chunks, tfs) VALUES (?, ?, ?, ?)", (term, -upto, chunks, tfs))


def lexical_index(tables: MergeTables) -> str:
    """How the lexical index is read, in words (``stats()``)."""
    upto, _ = merge_state(tables)
    if not upto:
        return "BM25 over postings per document"
    after = tables.rows("SELECT COUNT(*) FROM chunks WHERE id > ?", (upto,))[0][0]
    return f"BM25 over postings merged up to chunk {upto}, and per document for the {after} chunks after it"


def check_merged(tables: MergeTables) -> list[str]:
    """Merged rows that do not hold, among the chunks still stored, exactly what the documents' rows they cover
    hold (or that hold a chunk past the ``upto`` they say)."""
    ids = np.array([r[0] for r in tables.rows("SELECT id FROM chunk_keys")], dtype=np.int64)
    live = np.zeros(int(ids.max()) + 1 if len(ids) else 1, dtype=bool)
    live[ids] = True
    wrong = 0
    for term, base, chunks, tfs in tables.rows("SELECT term, base, chunks, tfs FROM postings WHERE base <= 0"):
        merged_ids, merged_tfs = decode_rows([(0, bytes(chunks), bytes(tfs))])
        rows = tables.rows("SELECT base, chunks, tfs FROM postings WHERE term = ? AND base > 0 AND base <= ? "
                           "ORDER BY base", (term, -base))
        doc_ids, doc_tfs = decode_rows([(b, bytes(c), bytes(t)) for b, c, t in rows]) if rows else (
            np.zeros(0, np.int64), np.zeros(0, np.float32))
        kept = (merged_ids < len(live)) & live[np.minimum(merged_ids, len(live) - 1)]
        doc_kept = (doc_ids < len(live)) & live[np.minimum(doc_ids, len(live) - 1)]
        if ((len(merged_ids) and int(merged_ids.max()) > -base)
                or not np.array_equal(merged_ids[kept], doc_ids[doc_kept])
                or not np.array_equal(merged_tfs[kept], doc_tfs[doc_kept])):
            wrong += 1
    return [f"{wrong} merged postings rows that disagree with their documents' rows"] if wrong else []


def check_postings(tables: MergeTables) -> list[str]:
    """Documents' postings rows that point outside their document's chunks, chunks whose term counts disagree
    with their length, and merged rows that disagree with the documents' rows (``check_merged``)."""
    # a postings row's base is a chunk of its document (its first, or a window's first for a document
    # stored in windows): its chunk indexes must stay within that document's chunks
    spans = dict(tables.rows(
        """SELECT c.id, f.first + f.n - c.id FROM chunks c JOIN (SELECT document_id, MIN(id) AS first,
           COUNT(*) AS n FROM chunks GROUP BY document_id) f ON f.document_id = c.document_id
           WHERE c.id IN (SELECT DISTINCT base FROM postings)"""))
    top = tables.rows("SELECT COALESCE(MAX(id), 0) FROM chunks")[0][0]
    counted = np.zeros(top + 1, dtype=np.int64)
    outside = 0
    for base, chunks, tfs in tables.rows("SELECT base, chunks, tfs FROM postings WHERE base > 0"):
        idx = np.frombuffer(chunks, dtype="<u4")
        if base not in spans or (len(idx) and int(idx.max()) >= spans[base]):
            outside += 1
            continue
        np.add.at(counted, base + idx.astype(np.int64), np.frombuffer(tfs, dtype="<u2"))
    problems = [f"{outside} postings rows outside their document's chunks"] if outside else []
    wrong = sum(1 for rowid, length in tables.rows("SELECT id, length FROM chunk_keys")
                if rowid > top or counted[rowid] != length)
    if wrong:
        problems.append(f"{wrong} chunks whose postings do not add up to their length")
    return problems + check_merged(tables)
