"""Where veille keeps its data: a protocol, and the default SQLite store."""

from .base import Filters, MissingVector, Store, StoredDocument, StoredHit
from .sqlite import SQLiteStore

__all__ = ["Filters", "MissingVector", "SQLiteStore", "Store", "StoredDocument", "StoredHit"]
