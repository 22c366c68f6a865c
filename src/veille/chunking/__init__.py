"""Chunkers by kind of document, and the chunk text format."""

from __future__ import annotations

from ..text.tokens import TokenCounter
from ..types import Chunk, Document, Unit
from .base import BaseChunker, ChunkingConfig, render_unit
from .conversation import ConversationChunker
from .document import DocumentChunker
from .stored import StoredChunker
from .textformat import parse_chunk_file, render_chunk
from .transcript import TranscriptChunker

_BY_KIND: dict[str, type[BaseChunker]] = {
    "chat": ConversationChunker,
    "transcript": TranscriptChunker,
    "chunk": StoredChunker,
}


def chunker_for(doc: Document, counter: TokenCounter, config: ChunkingConfig | None = None) -> BaseChunker:
    """The chunker that fits the document's kind (documents for the rest)."""
    return _BY_KIND.get(doc.kind, DocumentChunker)(counter, config)


def chunk_document(doc: Document, counter: TokenCounter, config: ChunkingConfig | None = None,
                   previous: Unit | None = None) -> list[Chunk]:
    return chunker_for(doc, counter, config).chunk(doc, previous)


__all__ = [
    "BaseChunker", "ChunkingConfig", "ConversationChunker", "DocumentChunker", "StoredChunker",
    "TranscriptChunker", "chunk_document", "chunker_for", "parse_chunk_file", "render_chunk", "render_unit",
]
