"""Message-level identity: the same chat exported twice, or twice in part, is stored once.

A message's key is made of what every export of it shows alike: who wrote it,
the minute it was sent (Android exports have no seconds), its text with white
space folded, and how many times the same author already said the same thing
that minute (two "ok" in a row are two messages). Media placeholders differ
between phones (``<Médias omis>``, ``<attached: photo.jpg>``) and all count as
one kind of text.

Keys alone do not say that two files are the same conversation: the same link
forwarded to two groups in the same minute gives one key in both. A stored
document is taken for the same conversation when it shares a dense run of
messages with the new one (:func:`same_conversation`); only then are the
shared messages left out of the new document.

Limits: an export that begins inside a minute in which one author repeats the
same text cannot say which of the repeats it holds (they are matched from the
first); exports made in different time zones, or showing a
contact's phone number in one and their name in the other, do not match.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .loaders.common import collapse, finish
from .types import Document, Unit

#: Unit kinds that have an identity (raw text and paragraphs do not).
KEYED_KINDS = ("message", "system")
#: Fewest shared messages that make two documents one conversation (fewer when a document is smaller).
MIN_SHARED = 3
#: Share of the messages between the first and last shared ones that must be shared, in both documents.
MIN_DENSITY = 0.8


def message_keys(doc: Document) -> list[str | None]:
    """A key per unit of a chat document; None for units without a time or of other kinds."""
    if doc.kind != "chat":
        return [None] * len(doc.units)
    keyer = MessageKeyer()
    return [keyer.key(unit) for unit in doc.units]


class MessageKeyer:
    """Keys of a chat's units, given one at a time in the document's order.

    The rank among identical messages is counted per minute, for the last
    ``minutes`` distinct minutes seen: messages come in time order (give or
    take a late delivery), so memory stays flat however long the chat is.
    """

    def __init__(self, minutes: int = 256) -> None:
        self.minutes = minutes
        self._seen: dict[str, Counter[tuple[str, str]]] = {}

    def key(self, unit: Unit) -> str | None:
        if unit.kind not in KEYED_KINDS or unit.time is None:
            return None
        minute = unit.time.strftime("%Y-%m-%d %H:%M")
        seen = self._seen.get(minute)
        if seen is None:
            if len(self._seen) >= self.minutes:
                del self._seen[next(iter(self._seen))]  # the oldest minute held
            seen = self._seen[minute] = Counter()
        who_what = (_who(unit), _what(unit))
        occurrence = seen[who_what]
        seen[who_what] += 1
        parts = (who_what[0], minute, who_what[1], str(occurrence))
        return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=12).hexdigest()


def _who(unit: Unit) -> str:
    author = unit.author if unit.kind == "message" else ""
    return collapse((author or "").lstrip("~")).casefold()


def _what(unit: Unit) -> str:
    if unit.meta.get("attachment"):
        return "\x00attachment"
    return collapse(unit.text).casefold()


@dataclass
class Overlap:
    """What a new document shares with one stored document, by rank among each one's keyed messages."""

    new_ranks: Sequence[int]
    new_total: int
    stored_total: int
    stored_in_span: int  # stored keyed messages between the first and the last shared one


def same_stored_conversation(store: Any, doc_id: str, new_ranks: Sequence[int], new_total: int,
                             stored_low: int, stored_high: int) -> bool:
    """Whether the stored document ``doc_id`` is the same chat: it shares the messages ranked ``new_ranks`` of
    the new one's ``new_total`` keyed messages, at its positions ``stored_low`` to ``stored_high``."""
    return same_conversation(Overlap(
        new_ranks=new_ranks, new_total=new_total, stored_total=store.count_messages(doc_id),
        stored_in_span=store.count_messages(doc_id, stored_low, stored_high)))


def same_conversation(overlap: Overlap) -> bool:
    """Whether the shared messages make the two documents one chat.

    Two exports of one chat share a run of messages: enough of them, and
    densely, in both documents (a few messages may differ: deleted or edited
    since). A message forwarded to two groups, or "ok" said in both the same
    minute, shares a few scattered keys, which is not enough.
    """
    shared = len(overlap.new_ranks)
    if shared < min(MIN_SHARED, overlap.new_total, overlap.stored_total):
        return False
    new_span = max(overlap.new_ranks) - min(overlap.new_ranks) + 1
    return shared >= MIN_DENSITY * new_span and shared >= MIN_DENSITY * overlap.stored_in_span


def drop_known(doc: Document, keys: list[str | None], known: set[str], sources: list[str]) -> int:
    """Leave out of ``doc`` the units whose key is ``known``; their count, noted in the report."""
    kept = [(u, k) for u, k in zip(doc.units, keys, strict=True) if k is None or k not in known]
    skipped = len(doc.units) - len(kept)
    if not skipped:
        return 0
    doc.units = [u for u, _ in kept]
    keys[:] = [k for _, k in kept]
    doc.report.skipped += skipped
    finish(doc, notes=[f"{skipped} messages already stored from {', '.join(sources)} left out"])
    return skipped
