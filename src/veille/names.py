"""File names as text: the form stored as a source, and the form printed to a terminal."""

from __future__ import annotations

import os
import re
from pathlib import Path

# C0 and C1 control characters and DEL: a name holding them (a newline, ESC of a terminal escape code) would
# break a report line or drive the terminal; line and paragraph separators and the bidirectional controls
# (U+202E shows "txt.exe" as "exe.txt") would disguise it. Printed, they are shown escaped.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# lone surrogates: os.fsdecode writes a byte that is not UTF-8 as U+DC80..U+DCFF (PEP 383)
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def as_text(name: str | os.PathLike[str]) -> str:
    """A file name as valid Unicode text: bytes that are not UTF-8 written ``\\xNN``.

    SQLite and JSON take only valid text, so this is the form stored as a
    document's source and shown in reports. ``/tmp/caf\\udce9`` (the name
    ``caf`` + byte 0xE9) becomes ``/tmp/caf\\xe9``. A name that really holds
    the four characters ``\\xe9`` maps to the same text: such names are rare
    enough that a readable source beats a reversible one.
    """
    text = os.fspath(name)
    if not _SURROGATE.search(text):
        return text
    return _SURROGATE.sub(_escape_surrogate, text)


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def source_path(path: Path) -> str:
    """The absolute path stored as a document's source: symbolic links resolved, as text.

    ``os.path.realpath`` (unlike ``Path.resolve`` in Python 3.11) does not
    raise on a symbolic link loop; the walk has already left loops out.
    """
    return as_text(os.path.realpath(path))


def printable(text: str | os.PathLike[str]) -> str:
    """A name safe to print on a terminal: control characters and undecodable bytes escaped."""
    text = as_text(text)
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_escape_control, text)


def _escape_control(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _SHORT_ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
