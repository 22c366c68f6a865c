"""Whether, and how, a parsed document is stored: the one decision of an ingest, taken before any chunking.

A document is **unchanged** (its file is stored with the same bytes), a **duplicate** (the same content is
stored from another file, or every message of the chat is held by another stored export of it), or it is
stored — new, **replacing** the document stored for the same file, and with the messages another export
of the same chat holds left out. ``decide`` answers for a document parsed whole and for a chat export read
as a stream (``streamed.py``) alike; ingest takes it before chunking, and confirms it under the write
lock when the knowledge base moved since (another process, or this ingest, stored something).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from .identity import drop_known, same_stored_conversation
from .types import Document

#: What a decision can say.
Action = Literal["unchanged", "duplicate", "store"]

#: Given the id of the document a new one replaces (None when it replaces none): how many of its messages
#: another stored export holds, how many messages are left, and the sources holding them.
StoredMessages = Callable[[str | None], tuple[int, int, list[str]]]


@dataclass
class Decision:
    """How a document is stored, or why it is not."""

    action: Action
    document_id: str | None = None  # unchanged: the stored document; duplicate of its content: its id
    reason: str = ""  # why a duplicate is one
    replace: str | None = None  # the stored document it takes the place of (same file, or same content)
    replaced: bool = False  # a new version of a file stored before
    skipped: int = 0  # messages left out, held by another stored export of the same chat
    sources: list[str] = field(default_factory=list)  # where those messages are stored

    @property
    def stored(self) -> bool:
        return self.action == "store"


def unchanged(store: Any, source: str, fingerprint: str) -> Decision | None:
    """The decision when the file ``source`` is stored with these very bytes, else None (told before parsing)."""
    known = store.find_source(source)
    if known and known[1] == fingerprint:
        return Decision("unchanged", known[0])
    return None


def decide(store: Any, source: str, fingerprint: str, doc_id: str,
           stored_messages: StoredMessages | None = None) -> Decision:
    """How the document ``doc_id`` read from ``source`` (bytes ``fingerprint``) is stored, if at all.

    ``stored_messages`` (for a chat) leaves out the messages another stored export holds and says how many.
    """
    known = store.find_source(source)
    if known and known[1] == fingerprint:
        return Decision("unchanged", known[0])
    existing = store.has_document(doc_id)
    if existing and existing != source:
        return Decision("duplicate", doc_id, reason=f"same content as {existing}")
    replace = known[0] if known else (doc_id if existing else None)
    skipped, left, sources = stored_messages(replace) if stored_messages is not None else (0, 1, [])
    if skipped and not left:
        return Decision("duplicate", reason=f"all {skipped} messages already stored from {', '.join(sources)}",
                        skipped=skipped, sources=sources)
    return Decision("store", doc_id, replace=replace, replaced=known is not None, skipped=skipped, sources=sources)


def decide_document(store: Any, doc: Document, fingerprint: str, keys: list[str | None]) -> Decision:
    """``decide`` for a parsed document; the messages another export holds are taken out of ``doc`` (and
    ``keys``, its messages' keys) when it is to be stored without them."""

    def stored_messages(replace: str | None) -> tuple[int, int, list[str]]:
        skipped, sources = drop_stored_messages(store, doc, keys, replace)
        return skipped, sum(1 for u in doc.units if u.kind == "message") if skipped else 1, sources

    return decide(store, doc.source, fingerprint, doc.id, stored_messages)


def drop_stored_messages(store: Any, doc: Document, keys: list[str | None],
                         replace: str | None) -> tuple[int, list[str]]:
    """Leave out messages another stored export of the same chat holds; how many, and from where."""
    present = [k for k in keys if k]
    if not present:
        return 0, []
    ranks = {k: rank for rank, k in enumerate(present)}
    known: set[str] = set()
    sources: list[str] = []
    for doc_id, shared in store.shared_messages(present).items():
        if doc_id == replace:
            continue
        if same_stored_conversation(store, doc_id, [ranks[k] for k in shared], len(present),
                                    min(shared.values()), max(shared.values())):
            known |= shared.keys()
            sources.append(store.has_document(doc_id) or doc_id)
    sources.sort()
    return (drop_known(doc, keys, known, sources) if known else 0), sources
