"""Errors veille reports to people: each names the file and the reason."""

from __future__ import annotations


class VeilleError(Exception):
    """Base class of veille's own errors."""


class InputError(VeilleError):
    """A file veille cannot ingest, with the reason in words."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class AmbiguousReference(VeilleError):
    """An id prefix that matches several documents, where one was meant (``remove`` refuses it)."""

    def __init__(self, ref: str, ids: list[str]) -> None:
        super().__init__(f"{ref!r} is the start of {len(ids)} document ids ({', '.join(ids[:5])}"
                         f"{', …' if len(ids) > 5 else ''}); give more of the id, or ask for them all")
        self.ref = ref
        self.ids = ids


class BadArgument(VeilleError, ValueError):
    """An argument out of its range or form, named as the caller wrote it (``since``, ``k``)."""

    def __init__(self, argument: str, reason: str) -> None:
        super().__init__(f"{argument}: {reason}")
        self.argument = argument
        self.reason = reason


class StoreFull(VeilleError):
    """The store cannot be written any more: its disk (or the server's) is full. What was committed stays."""

    def __init__(self, where: str, detail: str = "") -> None:
        super().__init__(f"{where}: the disk is full" + (f" ({detail})" if detail else ""))
        self.where = where


class StoreUnavailable(VeilleError):
    """A store that cannot be opened or reached: the reason says what to do."""
