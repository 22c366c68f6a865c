"""Where veille keeps its data: a protocol, and the default SQLite store."""

from .base import Filters, LexicalHit, Store, StoredDocument
from .sqlite import SQLiteStore

__all__ = ["Filters", "LexicalHit", "SQLiteStore", "Store", "StoredDocument"]
