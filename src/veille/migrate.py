"""Copying a knowledge base to another store (SQLite file ↔ PostgreSQL database), vectors included: nothing
parsed, chunked or embedded again. Each document goes over whole, in one transaction of the target."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import VeilleError
from .store import is_server, open_store
from .store.postgres import shown_uri

#: The settings a knowledge base records (``KnowledgeBase._record_settings``): copied with the documents.
COPIED_META = ("token_counter", "embedding_model", "embedding_dims")


@dataclass
class MigrateReport:
    """What a migration copied, and how long it took."""

    source: str
    target: str
    documents: int = 0
    chunks: int = 0
    vectors: int = 0
    seconds: float = 0.0


def migrate(source: str | Path, target: str | Path,
            progress: Callable[[MigrateReport, int], None] | None = None) -> MigrateReport:
    """Copy every document of ``source`` (a SQLite file or a ``postgresql://`` URI) into ``target``, which must be
    empty, with its units, chunks, index terms, vectors, figures, message keys and text, and the knowledge
    base's settings (token counter, embedding model). ``progress(report, documents in all)`` after each
    document. A VeilleError says why when the source is missing, the target is the source, or not empty."""
    source, target = str(source), str(target)
    if _same(source, target):
        raise VeilleError(f"{_shown(source)} and {_shown(target)} are the same knowledge base: nothing to copy")
    if not is_server(source) and not os.path.isfile(source):
        raise VeilleError(f"{source}: no knowledge base there")
    started = time.monotonic()
    src = open_store(source)
    try:
        dst = open_store(target)
        try:
            report = MigrateReport(src.path, dst.path)
            held = len(dst.documents())
            if held:
                raise VeilleError(f"{dst.path} is not empty ({held} documents): veille migrate copies into an empty "
                                  "knowledge base only (a new file, or a new database)")
            for key in COPIED_META:
                value = src.get_meta(key)
                if value is not None:
                    dst.set_meta(key, value)
            order = src.copy_order()
            for doc_id in order:
                record = src.export_document(doc_id)
                if record is None:  # removed by another process since the list was read
                    continue
                dst.put_copied(record)
                report.documents += 1
                report.chunks += len(record.chunks)
                report.vectors += len(record.vectors)
                report.seconds = time.monotonic() - started
                if progress is not None:
                    progress(report, len(order))
            report.seconds = time.monotonic() - started
            return report
        finally:
            dst.close()
    finally:
        src.close()


def _same(source: str, target: str) -> bool:
    if is_server(source) or is_server(target):
        return is_server(source) and is_server(target) and _shown(source).rstrip("/") == _shown(target).rstrip("/")
    try:
        return os.path.samefile(source, target)
    except OSError:
        return os.path.abspath(source) == os.path.abspath(target)


def _shown(target: str) -> str:
    return shown_uri(target) if is_server(target) else target
