"""What every loader shares: the loader contract and line bookkeeping."""

from __future__ import annotations

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
