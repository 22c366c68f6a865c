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
