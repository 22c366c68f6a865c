"""A chunk file read back stays one chunk, with the metadata its header gave."""

from __future__ import annotations

from ..types import Chunk, Document, Unit
from .base import BaseChunker, period_of


class StoredChunker(BaseChunker):
    """Keeps a chunk text file whole: its content, Tokens, Messages, Période, Participants, Topics."""

    def chunk(self, doc: Document, previous: Unit | None = None) -> list[Chunk]:
        header = doc.metadata.get("chunk")
        if not header:
            return super().chunk(doc)
        content = header.get("content")
        if content is None:
            content = "\n".join(u.text for u in doc.units)
        period = tuple(header.get("period") or (None, None))
        if period == (None, None):
            period = period_of(doc.units, doc.kind)
        tokens = header.get("tokens")
        if tokens is None:
            tokens = self.counter.count_many([content])[0]
        return [Chunk(
            text=content,
            unit_start=0,
            unit_end=len(doc.units),
            tokens=tokens,
            messages=header.get("messages") if header.get("messages") is not None else len(doc.units),
            period=period,  # type: ignore[arg-type]
            participants=list(header.get("participants") or []),
            topics=list(header.get("topics") or []),
            context=header.get("context", ""),
            index=0,
            document_id=doc.id,
        )]
