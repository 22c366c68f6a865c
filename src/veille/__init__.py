"""veille: a French-first, local-first knowledge base.

>>> from veille import KnowledgeBase
>>> kb = KnowledgeBase("veille.db")
>>> kb.ingest("examples/")
>>> for hit in kb.search("coût d'un data center de 1 GW"):
...     print(hit.snippet, hit.citation)
"""

from __future__ import annotations

from typing import Any

from .types import Chunk, Document, Hit, Unit

__version__ = "0.1.0"

__all__ = ["Chunk", "Document", "Hit", "IngestInterrupted", "IngestReport", "KnowledgeBase", "Unit", "__version__"]


def __getattr__(name: str) -> Any:
    # The front door is imported on first use, so `veille.read` & co. stay light.
    if name in ("KnowledgeBase", "IngestReport", "IngestInterrupted"):
        from . import kb

        return getattr(kb, name)
    raise AttributeError(f"module 'veille' has no attribute {name!r}")
