"""Chat exports too large to hold whole, read as a stream and stored in bounded batches.

A WhatsApp export of a million messages is 130 MB of text; held whole with its
units, chunks and index terms it took 8 GB. Here it never is: a first read
decides the codec and the date order, a second computes each message's identity
(to find a chat already stored, see ``identity.py``) and the text's content id,
and a third parses, chunks, indexes and stores the messages a window at a time.
A window closes at the first long silence (a gap that starts a new chunk anyway)
after ``WINDOW`` messages, so the chunks are those of the whole document; only a
chat without such a silence for ``MAX_WINDOW`` messages is cut mid-conversation (the
first chunk after that cut carries no context).
Topics are scored against the window's chunks instead of the whole document's.
The document is still stored whole or not at all: one transaction.
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from .archive import is_zip
from .chunking import ChunkingConfig
from .chunking.conversation import ConversationChunker
from .decide import decide
from .detect import detect
from .errors import InputError
from .identity import MessageKeyer, same_stored_conversation
from .loaders import whatsapp
from .loaders.base import Line
from .loaders.common import ReportTally
from .names import as_text, source_path
from .pipeline import FileResult, Pipeline
from .read import decode_bytes
from .store import DocumentWriter, Store
from .types import Document, ParseReport, Unit

#: Files at least this large are streamed when they are chat exports veille can stream (WhatsApp .txt).
STREAM_BYTES = 32 * 1024 * 1024
#: Messages per window (a window closes at the next silence after this many).
WINDOW = 20_000
#: A window closes at this many messages whatever follows (a chat with no long silence).
MAX_WINDOW = 100_000
#: How much of the head is read to tell the format.
_HEAD_BYTES = 64 * 1024
#: Message keys looked up in the store at a time.
_LOOKUP = 2000


@dataclass
class StreamedFile:
    """A file that ``ingest`` reads as a stream instead of whole."""

    path: Path
    fingerprint: str
    known: tuple[str, str] | None  # (id, fingerprint) stored for the same source
    detection: str


def streamable(path: Path, format: str | None) -> str | None:
    """How a large file was recognised as a chat export that can be streamed, or None."""
    if format not in (None, whatsapp.name):
        return None
    with open(path, "rb") as handle:
        head = handle.read(_HEAD_BYTES)
    if is_zip(head):
        return None  # a zip archive: read through its chat file
    if format == whatsapp.name:
        return f"{whatsapp.name} (forced; streamed)"
    cut = head.rfind(b"\n")
    try:
        text = decode_bytes(head[:cut + 1] if cut > 0 else head, str(path)).text
    except InputError:
        return None  # not told from its head (e.g. UTF-16 cut mid-character): read whole
    found = detect(text, path.name)
    if found.format != whatsapp.name:
        return None
    return f"{found.format} ({found.confidence:.2f}: {found.reason} in the first {len(head) // 1024} KB; streamed)"


def file_fingerprint(path: Path) -> str:
    """SHA-256 of the file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Shared:
    """What the new export shares with one stored document: its ranks here, the stored positions' span."""

    ranks: array = field(default_factory=lambda: array("q"))
    low: int = 1 << 62
    high: int = -1


@dataclass
class _FirstRead:
    """What the identity read learned: content id, dates, keyed messages, and the stored documents sharing any."""

    doc_id: str
    first: datetime | None
    keyed: int
    shared: dict[str, _Shared]

    def stored_messages(self, store: Store, replace: str | None) -> tuple[np.ndarray, list[str]]:
        """Which keyed messages (a bool each) a stored document of the same conversation holds, and its sources;
        the document this one replaces (an earlier version of the same file) does not count."""
        known = np.zeros(self.keyed, dtype=bool)
        sources = []
        for doc_id, entry in self.shared.items():
            if doc_id != replace and same_stored_conversation(store, doc_id, entry.ranks, self.keyed, entry.low,
                                                               entry.high):
                known[np.frombuffer(entry.ranks, dtype=np.int64)] = True
                sources.append(store.has_document(doc_id) or doc_id)
        return known, sorted(sources)


_MEANWHILE = "stored meanwhile by another ingest"


class _StoredMeanwhile(Exception):
    """The document was stored by another process between the decision and the write lock."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class StreamedChat:
    """Reads, decides, chunks, indexes, embeds and stores one large WhatsApp export."""

    def __init__(self, store: Store, pipeline: Pipeline, config: ChunkingConfig,
                 embed: Callable[[Document, list], np.ndarray] | None = None, window: int | None = None) -> None:
        self.store = store
        self.pipeline = pipeline
        self.breaks = ConversationChunker(pipeline.counter, config)
        self.embed = embed
        self.window = window or WINDOW

    def ingest(self, item: StreamedFile) -> FileResult:
        shown, source = as_text(item.path), source_path(item.path)
        try:
            plan = whatsapp.stream_plan(item.path)
            first = self._first_read(plan)
        except InputError as exc:
            return FileResult(shown, "failed", reason=exc.reason)
        except OSError as exc:
            return FileResult(shown, "failed", reason=f"cannot read: {exc.strerror or exc}")
        known = np.zeros(first.keyed, dtype=bool)

        def stored_messages(replace: str | None) -> tuple[int, int, list[str]]:
            nonlocal known
            known, sources = first.stored_messages(self.store, replace)
            skipped = int(known.sum())
            return skipped, first.keyed - skipped, sources

        decision = decide(self.store, source, item.fingerprint, first.doc_id, stored_messages)
        notes = list(plan.notes)
        if decision.skipped:
            notes.append(f"{decision.skipped} messages already stored from {', '.join(decision.sources)} left out")
        if decision.action == "unchanged":  # stored meanwhile by another ingest, with the same bytes
            return FileResult(shown, "unchanged", reason=_MEANWHILE, document_id=decision.document_id,
                              format=whatsapp.name, detection=item.detection)
        if decision.action == "duplicate":
            left_out = ParseReport(skipped=decision.skipped, notes=notes).as_dict() if decision.skipped else {}
            return FileResult(shown, "duplicate", reason=decision.reason, document_id=decision.document_id,
                              format=whatsapp.name, detection=item.detection, report=left_out)
        doc = Document(source=source, kind=whatsapp.kind, format=whatsapp.name, text="", date=first.first)
        doc.__dict__["id"] = first.doc_id  # the content id of the whole text, computed while streaming
        doc.metadata.update(date_order=plan.order, streamed=True, window=self.window)
        try:
            chunks = self._store(plan, doc, known, item.fingerprint, decision.replace, notes)
        except _StoredMeanwhile as exc:  # another ingest stored it while this one read the file
            return FileResult(shown, exc.status, reason=exc.reason, document_id=first.doc_id, format=whatsapp.name,
                              detection=item.detection)
        except InputError as exc:
            return FileResult(shown, "failed", reason=exc.reason)
        except OSError as exc:
            return FileResult(shown, "failed", reason=f"cannot read: {exc.strerror or exc}")
        doc.report.skipped = decision.skipped
        return FileResult(shown, "replaced" if decision.replaced else "added", document_id=doc.id, format=doc.format,
                          detection=item.detection, chunks=chunks, report=doc.report.as_dict())

    # -- the identity read ----------------------------------------------------
    def _first_read(self, plan: whatsapp.StreamPlan) -> _FirstRead:
        """Content id, first time and message keys of the export; the stored documents holding any of them."""
        text_hash = hashlib.sha256()
        keyer = MessageKeyer()
        shared: dict[str, _Shared] = {}
        batch: list[tuple[int, str]] = []
        keyed, first = 0, None

        def lines() -> Iterator[Line]:
            for line in plan.lines():
                text_hash.update((b"\n" if line.number > 1 else b"") + line.text.encode("utf-8", "surrogatepass"))
                yield line

        def look_up() -> None:
            found = self.store.shared_messages([k for _, k in batch])
            rank_of = {k: r for r, k in batch}
            for doc_id, positions in found.items():
                entry = shared.setdefault(doc_id, _Shared())
                entry.ranks.extend(rank_of[k] for k in positions)
                entry.low = min(entry.low, *positions.values())
                entry.high = max(entry.high, *positions.values())
            batch.clear()

        for unit in plan.units(lines()):
            if unit.time is not None and (first is None or unit.time < first):
                first = unit.time
            key = keyer.key(unit)
            if key is None:
                continue
            batch.append((keyed, key))
            keyed += 1
            if len(batch) >= _LOOKUP:
                look_up()
        if batch:
            look_up()
        if _ends_with_newline(Path(plan.path), plan.codec):
            text_hash.update(b"\n")
        return _FirstRead(text_hash.hexdigest()[:16], first, keyed, shared)

    # -- the storing read -----------------------------------------------------
    def _store(self, plan: whatsapp.StreamPlan, doc: Document, known: np.ndarray, fingerprint: str,
               replace: str | None, notes: list[str]) -> int:
        """Parse again, leave out the ``known`` messages (stored already), and store the rest a window at a time;
        chunks stored."""
        tally = ReportTally(ParseReport())
        edited = 0
        keyer = MessageKeyer()
        stored_chunks = 0
        with self.store.writing(doc, fingerprint, replace) as writer:
            # decided before the write lock was taken: what another ingest stored meanwhile is looked at again
            decision = decide(self.store, doc.source, fingerprint, doc.id)
            if not decision.stored:
                raise _StoredMeanwhile(decision.action, decision.reason or _MEANWHILE)
            def lines() -> Iterator[Line]:
                for line in plan.lines():
                    writer.add_text(("\n" if line.number > 1 else "") + line.text)
                    yield line

            window: list[Unit] = []
            keys: list[str | None] = []
            keyed = 0
            previous: Unit | None = None

            def flush() -> None:
                nonlocal stored_chunks
                nonlocal previous
                stored_chunks += self._store_window(writer, doc, window, keys, stored_chunks, previous)
                previous = window[-1]
                window.clear()
                keys.clear()

            for unit in plan.units(lines()):
                key = keyer.key(unit)
                if key is not None:
                    keyed += 1
                    if known[keyed - 1]:
                        continue
                if window and len(window) >= self.window and (
                        self.breaks.must_break(window[-1], unit) or len(window) >= max(MAX_WINDOW, self.window)):
                    flush()
                window.append(unit)
                keys.append(key)
                tally.add(unit)
                edited += bool(unit.meta.get("edited"))
            if window:
                flush()
            if _ends_with_newline(Path(plan.path), plan.codec):
                writer.add_text("\n")
            if edited:
                notes.append(f"{edited} message{'s' if edited > 1 else ''} edited")
            doc.report = tally.close()
            doc.report.notes.extend(notes)
            doc.participants = list(doc.report.authors)
            if not doc.report.units:
                raise InputError(doc.source, f"{whatsapp.name}: no text found")
        return stored_chunks

    def _store_window(self, writer: DocumentWriter, doc: Document, units: list[Unit], keys: list[str | None],
                      chunks_before: int, previous: Unit | None) -> int:
        """Chunk, index, embed and write one window of units; how many chunks."""
        first_unit = writer.units
        chunks = self.pipeline.chunk_window(doc, units, first_unit, chunks_before, previous)
        postings = self.pipeline.index_terms(chunks)
        vectors = self.embed(doc, chunks) if self.embed is not None else None
        writer.add_units(units)
        writer.add_chunks(units, chunks, postings, vectors, first_unit=first_unit)
        writer.add_message_keys(keys)
        return len(chunks)


def _ends_with_newline(path: Path, codec: str) -> bool:
    """Whether the file's last character is a line end (the decoded text then ends with a newline)."""
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - 8))
        tail = handle.read()
    return tail.endswith(("\n".encode(codec.replace("-sig", "")), "\r".encode(codec.replace("-sig", ""))))
