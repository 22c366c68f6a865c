"""What every loader shares: the loader contract and line bookkeeping."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Iterator, NamedTuple, Protocol

from ..types import Document


class Loader(Protocol):
    """A format: ``sniff`` says how well it fits, ``parse`` reads it."""

    name: str
    kind: str
    reads_json: bool  # a JSON export's loader: offered text that opens like JSON, and only that


    def sniff(self, text: str, filename: str) -> tuple[float, str]:
        """Confidence in [0, 1] that ``text`` is this format, and why."""

    def parse(self, text: str, source: str) -> Document:
        """Read ``text`` (already decoded and normalised) into a Document."""


class ExportLoader(Protocol):
    """A format made of several files, read as one source: a folder (or a zip archive of one) whose files
    together give one or several documents (a Slack workspace, a Messenger thread in ``message_N.json`` parts).

    Ingest finds it by ``in_folder`` (walking) or ``in_archive`` (a zip), reads the files ``folder_files``
    or ``archive_member`` names, and gives them to ``parse_files``.
    """

    name: str
    kind: str
    described: str  # how the export is named in messages ("Slack export")

    def in_folder(self, root: Path, names: list[str]) -> bool:
        """Whether the folder ``root``, holding the files ``names``, is one export of this format."""

    def folder_files(self, root: Path) -> list[Path]:
        """The files of the folder ``root`` the export is made of, in a stable order."""

    def in_archive(self, names: list[str]) -> bool:
        """Whether a zip archive holding the files ``names`` is one export of this format."""

    def archive_member(self, name: str) -> bool:
        """Whether the archive's file ``name`` is part of the export."""

    def parse_files(self, files: Mapping[str, bytes], source: str, what: str) -> list[tuple[Document, str]]:
        """The documents of the export's files (by path relative to the folder), and how their format was
        told (``what``: where the files came from, "export folder" or "… in a zip archive")."""


class Line(NamedTuple):
    """One source line: its text (no newline), 1-based number, character offsets."""

    text: str
    number: int
    start: int
    end: int


def split_lines(text: str) -> list[Line]:
    """Lines of ``text`` with their offsets; ``text[l.start:l.end] == l.text``."""
    lines: list[Line] = []
    pos = 0
    number = 1
    for part in text.split("\n"):
        end = pos + len(part)
        lines.append(Line(part, number, pos, end))
        pos = end + 1
        number += 1
    if lines and lines[-1].text == "" and text.endswith("\n"):
        lines.pop()
    return lines


def blocks(lines: list[Line]) -> Iterator[list[Line]]:
    """Runs of non-blank lines separated by blank lines."""
    run: list[Line] = []
    for line in lines:
        if line.text.strip():
            run.append(line)
        elif run:
            yield run
            run = []
    if run:
        yield run
