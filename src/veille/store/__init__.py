"""Where veille keeps its data: a protocol, the default SQLite store, and PostgreSQL for teams."""

from __future__ import annotations

from pathlib import Path

from .base import DocumentWriter, Filters, MissingVector, Store, StoredDocument, StoredHit, StoredUnit
from .postings import DocumentTerms
from .sqlite import SQLiteStore

__all__ = ["DocumentTerms", "DocumentWriter", "Filters", "MissingVector", "SQLiteStore", "Store", "StoredDocument",
           "StoredHit", "StoredUnit", "is_server", "open_store"]

_SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server(target: str | Path) -> bool:
    """Whether ``target`` names a PostgreSQL server (a ``postgresql://`` or ``postgres://`` URI), not a file."""
    return isinstance(target, str) and target.lower().startswith(_SERVER_SCHEMES)


def open_store(target: str | Path) -> Store:
    """The store ``target`` names: a PostgreSQL database for a ``postgresql://…`` URI, else a SQLite file."""
    if is_server(target):
        from .postgres import PostgresStore  # psycopg is an extra: imported only when a server is named

        return PostgresStore(str(target))
    return SQLiteStore(target)
