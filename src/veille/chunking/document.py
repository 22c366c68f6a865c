"""Articles, posts and text: paragraphs packed; a heading opens a chunk and travels with it."""

from __future__ import annotations

from ..types import Chunk, Document, Unit
from .base import SEPARATOR, BaseChunker


class DocumentChunker(BaseChunker):
    """Paragraph packing; the section heading is carried as context where a chunk starts mid-section."""

    overlap = False

    def must_break(self, prev: Unit, unit: Unit) -> bool:
        return unit.kind == "heading" and prev.kind != "heading"

    def cut_preference(self, prev: Unit, unit: Unit) -> int:
        return 1 if unit.section != prev.section else 0

    def chunk(self, doc: Document, previous: Unit | None = None) -> list[Chunk]:
        chunks = super().chunk(doc, previous)
        for chunk in chunks:
            first = doc.units[chunk.unit_start]
            if first.kind != "heading" and first.section:
                chunk.context = SEPARATOR.join(filter(None, [first.section, chunk.context]))
        return chunks
