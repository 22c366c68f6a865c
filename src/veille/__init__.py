"""veille: a French-first, local-first knowledge base.

>>> from veille import KnowledgeBase
>>> kb = KnowledgeBase("veille.db")
>>> kb.ingest("examples/")
>>> for hit in kb.search("coût d'un data center de 1 GW"):
...     print(hit.snippet, hit.citation)
"""

__version__ = "0.1.0"

from .kb import IngestReport, KnowledgeBase  # noqa: E402
from .types import Chunk, Document, Hit, Unit  # noqa: E402

__all__ = ["Chunk", "Document", "Hit", "IngestReport", "KnowledgeBase", "Unit", "__version__"]
