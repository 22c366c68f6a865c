"""What every store derives from veille's records the same way: the folded filter keys of a chunk, its
sortable period, the filters over those keys in memory, and records read back from rows by column name."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..enrich.mentions import matches_mention, mention_key
from ..text.fold import fold
from ..text.sentences import split_sentences
from ..types import Chunk, CitedFigure, Document, Figure, Unit
from .base import CopiedDocument, Filters, date_bound
from .postings import BM25Ranker, DocumentTerms, Ranked


def sortable_period(units: list[Unit], chunk: Chunk) -> tuple[str, str] | None:
    """Wall-clock period of a chunk (of its ``units``) as sortable text (recording offsets are not dates)."""
    times = [u.time for u in units if u.time is not None]
    if times:
        return min(times).strftime("%Y-%m-%d %H:%M"), max(times).strftime("%Y-%m-%d %H:%M")
    if all(p and _DATE.match(p) for p in chunk.period):  # a chunk file's Période
        return chunk.period[0][:16], chunk.period[1][:16]  # type: ignore[index]
    return None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?")


class ChunkKeys:
    """Every chunk's filter columns in memory: filters become one numpy mask."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self.ids = np.array([r[0] for r in rows], dtype=np.int64)
        self.lengths = np.array([r[1] for r in rows], dtype=np.float32)
        # fixed-width strings: comparisons run in C over the whole column
        self.kinds = np.array([r[2] for r in rows], dtype="<U12")
        self.starts = np.array([r[3] or "" for r in rows], dtype="<U16")
        self.ends = np.array([r[4] or "" for r in rows], dtype="<U16")
        # tuples of strings: the garbage collector stops tracking them, where a list of 100 000 strings
        # would be walked by every full collection (milliseconds each, in the middle of a query)
        self._columns = {"who": tuple(r[5] for r in rows), "topic": tuple(r[6] for r in rows),
                         "source": tuple(r[7] for r in rows), "mentions": tuple(r[8] for r in rows)}
        self._inverted: dict[str, dict[str, np.ndarray]] = {}

    def extended(self, rows: list[tuple[Any, ...]]) -> "ChunkKeys":
        """These keys followed by those of ``rows`` (chunks added since, their ids above these)."""
        added, joined = ChunkKeys(rows), ChunkKeys([])
        for name in ("ids", "lengths", "kinds", "starts", "ends"):
            setattr(joined, name, np.concatenate([getattr(self, name), getattr(added, name)]))
        joined._columns = {name: values + added._columns[name] for name, values in self._columns.items()}
        return joined

    def allowed(self, filters: Filters) -> np.ndarray | None:
        """Row ids passing the filters, or None when there are no filters."""
        mask: np.ndarray | None = None

        def narrow(condition: np.ndarray) -> None:
            nonlocal mask
            mask = condition if mask is None else mask & condition

        n = len(self.ids)
        if filters.kind:
            narrow(self.kinds == filters.kind)
        if filters.since:
            bound = date_bound(filters.since, end=False)
            narrow((self.ends != "") & (self.ends >= bound))
        if filters.until:
            bound = date_bound(filters.until, end=True)
            narrow((self.starts != "") & (self.starts <= bound))
        for column, needle in (("who", filters.who), ("topic", filters.topic), ("source", filters.source)):
            if needle:
                wanted = needle if column == "source" else fold(needle)
                rows = [r for value, r in self._values(column).items() if wanted in value]
                hit = np.zeros(n, dtype=bool)
                if rows:
                    hit[np.concatenate(rows)] = True
                narrow(hit)
        if filters.mentions:
            rows = [r for value, r in self._values("mentions").items() if matches_mention(filters.mentions, value)]
            hit = np.zeros(n, dtype=bool)
            if rows:
                hit[np.concatenate(rows)] = True
            narrow(hit)
        return None if mask is None else self.ids[mask]

    def undated(self, filters: Filters) -> int:
        """Rows the other filters keep but the date filters leave out, having no date."""
        if not filters.dated:
            return 0
        missing = np.zeros(len(self.ids), dtype=bool)
        if filters.since is not None:
            missing |= self.ends == ""
        if filters.until is not None:
            missing |= self.starts == ""
        others = self.allowed(replace(filters, since=None, until=None))
        if others is None:
            return int(missing.sum())
        return int(np.isin(self.ids[missing], others, assume_unique=True).sum())

    def _values(self, column: str) -> dict[str, np.ndarray]:
        """Each distinct value of a column (a participant, a topic, a source) → the rows that have it."""
        if column not in self._inverted:
            rows: dict[str, list[int]] = {}
            for i, value in enumerate(self._columns[column]):
                parts = value.strip("|").split("|") if column != "source" else [value]
                for part in parts:
                    if part:
                        rows.setdefault(part, []).append(i)
            self._inverted[column] = {v: np.array(r, dtype=np.int64) for v, r in rows.items()}
        return self._inverted[column]


def cited_figure(row: Mapping[str, Any]) -> CitedFigure:
    figure = Figure(value=row["value"], unit=row["unit"], kind=row["kind"], text=row["text"], start=row["start"],
                    end=row["end"], high=row["high"], approx=row["approx"])
    text = row["unit_text"]
    sentence = next((text[a:b] for a, b in split_sentences(text) if a <= figure.start < b), text)
    if row["time"]:
        when = row["time"][:16]
    elif row["offset"] is not None:
        seconds = int(row["offset"])
        when = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    else:
        when = row["date"][:16] if row["date"] else None
    return CitedFigure(figure=figure, sentence=sentence, document_id=row["document_id"], unit=row["idx"],
                       source=row["source"], title=row["title"], kind=row["document_kind"], author=row["author"],
                       time=when, lines=(row["line_start"], row["line_end"]))


def chunk_from_row(row: Mapping[str, Any]) -> Chunk:
    mentions = json.loads(row["mentions"])
    return Chunk(
        mentions=list(mentions), mention_kinds={m: kind for m, kind in mentions.items() if kind},
        text=row["text"], unit_start=row["unit_start"], unit_end=row["unit_end"], tokens=row["tokens"],
        messages=row["messages"], period=(row["period_start"], row["period_end"]),
        participants=json.loads(row["participants"]), topics=json.loads(row["topics"]),
        context=row["context"], context_start=row["context_start"], section=row["section"],
        index=row["idx"], document_id=row["document_id"], source=row["source"],
    )


#: The columns of a stored chunk, as ``chunk_records`` names them.
CHUNK_COLUMNS = ("id", "document_id", "idx", "text", "context", "unit_start", "unit_end", "context_start", "tokens",
                 "messages", "period_start", "period_end", "time_start", "time_end", "participants", "who",
                 "topics", "topics_folded", "section", "kind", "source", "line_start", "line_end", "mentions")
#: The filter keys of a stored chunk (what search filters on, and its length for BM25).
KEY_COLUMNS = ("id", "length", "kind", "time_start", "time_end", "who", "topics", "source", "mentions")
#: The columns of a stored figure.
FIGURE_COLUMNS = ("document_id", "idx", "value", "high", "unit", "kind", "text", "approx", "start", "end")


def chunk_records(doc: Document, units: list[Unit], chunks: list[Chunk], lengths: list[int], first_unit: int,
                  first_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of ``chunks`` (over ``units``, the document's units from ``first_unit`` on), numbered from
    ``first_id``, and their filter keys: participants and topics folded between bars (``|ana|bruno|``)."""
    doc_time = doc.date.strftime("%Y-%m-%d %H:%M") if doc.date else None
    rows, keys = [], []
    for n, chunk in enumerate(chunks):
        own = units[chunk.unit_start - first_unit:chunk.unit_end - first_unit]
        times = sortable_period(own, chunk) or (doc_time, doc_time)
        who = "|" + "|".join(fold(p) for p in chunk.participants) + "|"
        topics = "|" + "|".join(fold(t) for t in chunk.topics) + "|"
        rows.append({
            "id": first_id + n, "document_id": doc.id, "idx": chunk.index, "text": chunk.text,
            "context": chunk.context, "unit_start": chunk.unit_start, "unit_end": chunk.unit_end,
            "context_start": chunk.context_start, "tokens": chunk.tokens, "messages": chunk.messages,
            "period_start": chunk.period[0], "period_end": chunk.period[1],
            "time_start": times[0], "time_end": times[1],
            "participants": json.dumps(chunk.participants, ensure_ascii=False), "who": who,
            "topics": json.dumps(chunk.topics, ensure_ascii=False), "topics_folded": topics,
            "section": chunk.section, "kind": doc.kind, "source": doc.source,
            "line_start": own[0].line_start if own else 0, "line_end": own[-1].line_end if own else 0,
            "mentions": json.dumps({m: chunk.mention_kinds.get(m) for m in chunk.mentions}, ensure_ascii=False),
        })
        keys.append({"id": first_id + n, "length": lengths[n], "kind": doc.kind, "time_start": times[0],
                     "time_end": times[1], "who": who, "topics": topics, "source": doc.source,
                     "mentions": mention_key(chunk.mentions)})
    return rows, keys


def unit_records(doc_id: str, first: int, units: list[Unit]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of a document's units numbered from ``first``, and of their figures."""
    rows = [{"document_id": doc_id, "idx": first + i, "kind": u.kind, "author": u.author,
             "time": u.time.isoformat(sep=" ") if u.time else None, "offset": u.offset, "section": u.section,
             "start": u.start, "end": u.end, "line_start": u.line_start, "line_end": u.line_end, "text": u.text,
             "meta": json.dumps(u.meta, ensure_ascii=False, default=str) if u.meta else None}
            for i, u in enumerate(units)]
    figures = [{"document_id": doc_id, "idx": first + i, "value": f.value, "high": f.high, "unit": f.unit,
                "kind": f.kind, "text": f.text, "approx": f.approx, "start": f.start, "end": f.end}
               for i, u in enumerate(units) for f in u.figures or ()]
    return rows, figures


def document_record(doc: Document, fingerprint: str, text: str, ingested_at: str) -> dict[str, Any]:
    """The row of a document (its text inline, or empty when it is kept in parts)."""
    return {"id": doc.id, "source": doc.source, "kind": doc.kind, "format": doc.format, "title": doc.title,
            "language": doc.language, "date": doc.date.isoformat(sep=" ") if doc.date else None,
            "participants": json.dumps(doc.participants, ensure_ascii=False),
            "metadata": json.dumps(doc.metadata, ensure_ascii=False, default=str),
            "report": json.dumps(doc.report.as_dict(), ensure_ascii=False), "fingerprint": fingerprint,
            "text": text, "ingested_at": ingested_at}


def figures_by_author(rows: list[Any], who: str | None) -> list[Any]:
    """Figure rows whose unit's author matches ``who`` (folded, as a part of the name), all when None."""
    if not who:
        return rows
    wanted = fold(who)
    return [r for r in rows if r["author"] and wanted in fold(r["author"])]


#: Every stored document's id, by its first chunk's row id (the order ``Store.copy_order`` gives).
COPY_ORDER_SQL = """SELECT d.id FROM documents d
    LEFT JOIN (SELECT document_id, MIN(id) AS first FROM chunks GROUP BY document_id) c ON c.document_id = d.id
    ORDER BY c.first IS NULL, c.first, d.id"""


def copied_document(doc_id: str, query: Callable[[str, tuple], Sequence[Mapping[str, Any]]],
                    vectors: Callable[[list[int]], dict[int, np.ndarray]]) -> CopiedDocument | None:
    """A stored document read back as a ``CopiedDocument``: ``query(sql, args)`` runs SQL written with ``?``
    placeholders on the store's connection (the tables and columns are the same in every store), ``vectors``
    gives the float16 vectors of chunk row ids."""
    found = query("SELECT * FROM documents WHERE id = ?", (doc_id,))
    if not found:
        return None
    chunks = [dict(r) for r in query("SELECT * FROM chunks WHERE document_id = ? ORDER BY idx", (doc_id,))]
    ids = [c.pop("id") for c in chunks]
    position = {rowid: n for n, rowid in enumerate(ids)}
    keys = {r["id"]: dict(r) for r in query(
        "SELECT * FROM chunk_keys WHERE id IN (SELECT id FROM chunks WHERE document_id = ?)", (doc_id,))}
    by_term: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for row in query("SELECT term, base, chunks, tfs FROM postings "
                     "WHERE base IN (SELECT id FROM chunks WHERE document_id = ?)", (doc_id,)):
        rows = np.frombuffer(bytes(row["chunks"]), dtype="<u4").astype(np.int64) + int(row["base"])
        by_term.setdefault(row["term"], []).append(
            (np.array([position[int(r)] for r in rows], dtype=np.uint32),
             np.frombuffer(bytes(row["tfs"]), dtype="<u2").astype(np.uint16)))
    postings = {}
    for term, parts in by_term.items():
        where, tfs = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        order = np.argsort(where, kind="stable")
        postings[term] = (where[order], tfs[order])
    key_rows = [keys[rowid] for rowid in ids]
    for row in key_rows:
        del row["id"]
    return CopiedDocument(
        document=dict(found[0]),
        text_parts=[r["text"] for r in query(
            "SELECT text FROM document_parts WHERE document_id = ? ORDER BY part", (doc_id,))],
        units=[dict(r) for r in query("SELECT * FROM units WHERE document_id = ? ORDER BY idx", (doc_id,))],
        figures=[dict(r) for r in query(
            'SELECT * FROM figures WHERE document_id = ? ORDER BY idx, start, "end", unit, value', (doc_id,))],
        chunks=chunks, keys=key_rows, terms=DocumentTerms(postings, [r["length"] for r in key_rows]),
        message_keys=[(r["key"], r["pos"]) for r in query(
            "SELECT key, pos FROM message_keys WHERE document_id = ? ORDER BY pos", (doc_id,))],
        vectors={position[rowid]: vector for rowid, vector in vectors(ids).items()})


#: What ``check`` counts in every store: each query counts rows that break one invariant (the one on vectors
#: wants their table, which a PostgreSQL store makes at its first vector).
STORE_CHECKS = {
    "units of no document": "SELECT COUNT(*) FROM units WHERE document_id NOT IN (SELECT id FROM documents)",
    "documents without units":
        "SELECT COUNT(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.document_id = d.id)",
    "documents without chunks":
        "SELECT COUNT(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.document_id = d.id)",
    "units not numbered 0, 1, 2… in their document":
        "SELECT COUNT(*) FROM (SELECT document_id FROM units GROUP BY document_id HAVING MAX(idx) + 1 != COUNT(*)) t",
    "chunks of no document": "SELECT COUNT(*) FROM chunks WHERE document_id NOT IN (SELECT id FROM documents)",
    "chunks whose units are not stored":
        """SELECT COUNT(*) FROM chunks c WHERE c.unit_start < 0 OR c.unit_start >= c.unit_end
           OR c.unit_end > (SELECT COUNT(*) FROM units u WHERE u.document_id = c.document_id)""",
    "chunks not numbered from their document's first row id":
        """SELECT COUNT(*) FROM chunks c JOIN (SELECT document_id, MIN(id) AS first FROM chunks GROUP BY document_id)
           f ON f.document_id = c.document_id WHERE c.id != f.first + c.idx""",
    "chunks without filter keys": "SELECT COUNT(*) FROM chunks WHERE id NOT IN (SELECT id FROM chunk_keys)",
    "filter keys of no chunk": "SELECT COUNT(*) FROM chunk_keys WHERE id NOT IN (SELECT id FROM chunks)",
    "postings rows of no document":
        "SELECT COUNT(*) FROM postings WHERE base > 0 AND base NOT IN (SELECT id FROM chunks)",
    "vectors of no chunk": "SELECT COUNT(*) FROM vectors WHERE id NOT IN (SELECT id FROM chunks)",
    "text parts of no document":
        "SELECT COUNT(*) FROM document_parts WHERE document_id NOT IN (SELECT id FROM documents)",
    "message keys of no document":
        "SELECT COUNT(*) FROM message_keys WHERE document_id NOT IN (SELECT id FROM documents)",
    "figures of no unit":
        """SELECT COUNT(*) FROM figures f WHERE NOT EXISTS
           (SELECT 1 FROM units u WHERE u.document_id = f.document_id AND u.idx = f.idx)""",
    "figures whose text is not at their place in their unit":
        """SELECT COUNT(*) FROM figures f JOIN units u ON u.document_id = f.document_id AND u.idx = f.idx
           WHERE substr(u.text, f.start + 1, f."end" - f.start) != f.text""",
}


def rank_postings(ranker: BM25Ranker, keys: Callable[[], ChunkKeys], terms: list[str], filters: Filters, k: int,
                  read: Callable[[list[str]], dict[str, list[tuple[int, bytes, bytes]]]]) -> list[Ranked]:
    """Row ids of the top ``k`` chunks for ``terms`` (most query terms first, BM25 second), filtered before the
    top k; ``read`` gives each distinct term's postings rows, however a store keeps them."""
    unique = list(dict.fromkeys(terms))
    if not unique:
        return []
    allowed = keys().allowed(filters)
    if allowed is not None and not len(allowed):
        return []
    return ranker.rank(read(unique), k, allowed)
