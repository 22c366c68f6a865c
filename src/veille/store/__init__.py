"""Where veille keeps its data: a protocol, and the default SQLite store."""

from .base import Filters, MissingVector, Store, StoredDocument, StoredHit, StoredUnit
from .sqlite import SQLiteStore

__all__ = ["Filters", "MissingVector", "SQLiteStore", "Store", "StoredDocument", "StoredHit", "StoredUnit"]
