"""Where veille keeps its data: a protocol, and the default SQLite store."""

from .base import Filters, LexicalHit, MissingVector, Store, StoredDocument, StoredHit
from .sqlite import SQLiteStore

__all__ = ["Filters", "LexicalHit", "MissingVector", "SQLiteStore", "Store", "StoredDocument", "StoredHit"]
