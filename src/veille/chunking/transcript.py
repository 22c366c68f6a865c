"""Recordings: sentences packed with their start times; cuts prefer a new speaker or a pause."""

from __future__ import annotations

from ..types import Unit
from .base import BaseChunker


class TranscriptChunker(BaseChunker):
    """Transcript sentences (already re-flowed by the loader) packed under the budget."""

    def cut_preference(self, prev: Unit, unit: Unit) -> int:
        if prev.author != unit.author and unit.author:
            return 2
        if prev.offset is not None and unit.offset is not None and unit.offset - prev.offset > 5:
            return 1
        return 0
