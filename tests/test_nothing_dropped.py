"""Nothing dropped silently: every word of every input line is in a unit, or its line is counted.

For the line-based chat and transcript formats, each non-blank source line is
either inside a unit whose text (with its author and section) holds the line's
words, or counted in the report as removed page chrome. The JSON chat formats
are checked message by message in their own test files (each message object is
exactly one unit: ``loader_checks.check_json_spans``, Slack's counts per day file).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from veille.loaders import LOADERS, whatsapp
from veille.loaders.common import collapse
from veille.read import decode_bytes

from .conftest import DATA, SEEDS, SHARED

REAL = SHARED / "realdata"
_MARKUP = re.compile(r"<[^>]*>|\{\\[^}]*\}|&\w+;|^WEBVTT\b|^(?:Kind|Language):.*$")
_WORD = re.compile(r"[^\W\d_]+")  # words of letters: dates, clocks and separators are the header's

#: (format, glob under the project's tests/data or ../shared) of every line-based input the tests know.
INPUTS = [
    ("whatsapp", DATA / "whatsapp", "*.txt"),
    ("whatsapp", DATA / "identity", "*.txt"),
    ("whatsapp", REAL / "chat-miner", "**/whatsapp/*.txt"),
    ("whatsapp", REAL / "langchain-chat", "whatsapp_chat.txt"),
    ("whatsapp", REAL / "whatsapp-chat-parser", "samples_*/samples/*.txt"),
    ("webchat", DATA / "webchat", "*.txt"),
    ("webchat", SEEDS, "000_*.txt"),
    ("transcript", DATA / "transcript", "*.txt"),
    ("transcript", SEEDS, "004_*.txt"),
    ("subtitles", DATA / "subtitles", "*"),
]

#: Words a loader turns into metadata rather than text (an edit marker, a media placeholder's wording).
METADATA_WORDS = {"ce", "message", "a", "été", "modifié", "this", "was", "edited"}


def content(fmt: str, line: str) -> str:
    """The part of a line that is text: a WhatsApp line without its date-time header."""
    if fmt == "whatsapp":
        header = whatsapp._HEADER.match(line)
        return header["rest"] if header else line
    if fmt == "subtitles":  # styling tags, voice tags and positions are markup; a timing line has no words
        return "" if "-->" in line else _MARKUP.sub(" ", line)
    return line


def subtitle_structure(doc, lines: list[str], number: int) -> bool:
    """A cue identifier (the line above a timing line) or the WebVTT header, kept as the document's title."""
    if number < len(lines) and "-->" in lines[number]:
        return True
    header = " ".join(str(doc.metadata.get(k, "")) for k in ("header", "title")) + f" {doc.title or ''}"
    return number == 1 and lines[0].startswith("WEBVTT") and all(w in header for w in _WORD.findall(lines[0][6:]))


def names_an_author(line: str, authors: set[str]) -> bool:
    """A web chat's line of its own naming who speaks next or spoke ("Karim Benali", "Vous avez dit :")."""
    return any(line == a or (line.startswith(a + " ") and len(line[len(a):].split()) <= 3) for a in authors)


def inputs() -> list[tuple[str, Path]]:
    found = [(fmt, path) for fmt, root, pattern in INPUTS for path in sorted(root.glob(pattern))]
    return found


def test_every_known_input_is_checked():
    if not (REAL / "chat-miner").exists():
        pytest.fail(f"{REAL} is missing: the tests need ../shared beside the project")
    counts = {}
    for fmt, _ in inputs():
        counts[fmt] = counts.get(fmt, 0) + 1
    assert counts["whatsapp"] >= 12 and counts["webchat"] >= 3 and counts["transcript"] >= 2, counts
    assert counts["subtitles"] >= 5, counts


@pytest.mark.parametrize(("fmt", "path"), inputs(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_every_line_is_in_a_unit_or_counted(fmt, path):
    text = decode_bytes(path.read_bytes(), str(path)).text
    doc = LOADERS[fmt].parse(text, str(path))
    lines = text.split("\n")
    owners: dict[int, list] = {}
    for unit in doc.units:
        for number in range(unit.line_start, unit.line_end + 1):
            owners.setdefault(number, []).append(unit)
    uncovered, missing = 0, []
    authors = {u.author for u in doc.units if u.author}
    for number, line in enumerate(lines, 1):
        words = {w.casefold() for w in _WORD.findall(content(fmt, line))}
        if not words or (fmt == "subtitles" and subtitle_structure(doc, lines, number)):
            continue
        units = owners.get(number)
        if not units:
            uncovered += not names_an_author(collapse(line), authors)
            continue
        held = " ".join(f"{u.text} {u.author or ''} {u.section or ''} {u.meta.get('by', '')}" for u in units)
        held_words = {w.casefold() for w in _WORD.findall(held)}
        lost = words - held_words - METADATA_WORDS
        if lost:
            missing.append((number, line, sorted(lost)))
    assert not missing, missing[:5]
    assert uncovered <= doc.report.removed, (uncovered, doc.report.as_dict())
