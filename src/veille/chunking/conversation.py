"""Chats: a long silence starts a new chunk; cuts prefer a change of speaker."""

from __future__ import annotations

from ..types import Unit
from .base import BaseChunker


class ConversationChunker(BaseChunker):
    """Messages packed whole; overlap of whole previous messages as context."""

    def must_break(self, prev: Unit, unit: Unit) -> bool:
        if prev.time is None or unit.time is None:
            return False
        gap = (unit.time - prev.time).total_seconds() / 60
        return gap > self.config.silence_minutes

    def cut_preference(self, prev: Unit, unit: Unit) -> int:
        if prev.time is not None and unit.time is not None:
            gap = (unit.time - prev.time).total_seconds()
            if gap > 15 * 60:
                return 3  # a pause in the conversation
        return 2 if prev.author != unit.author else 0
