"""Bytes to clean text: encoding detection, mojibake repair, normalisation."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .file_bytes import read_regular_file

#: Files larger than this are refused (bytes); KnowledgeBase can change it.
DEFAULT_MAX_BYTES = 256 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Bytes cp1252 leaves undefined: text that holds them is neither UTF-8 nor cp1252.
_CP1252_HOLES = frozenset(b"\x81\x8d\x8f\x90\x9d")

# Invisible marks that carry no text: direction marks and embeddings, zero-width
# space and non-joiner, word joiner, soft hyphen, stray BOMs. U+200D (zero-width
# joiner) is kept: emoji sequences need it.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]")
_SPACES = re.compile("[\u00a0\u2007\u202f]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ANY_SPECIAL = re.compile("[\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00a0\u00ad\u2007\u200b\u200c\u200e\u200f\u202a-\u202f\u2060\u2066-\u2069\ufeff]")

# A run of characters that UTF-8 bytes become when read as cp1252/latin-1:
# a lead byte (Â-ô) followed by one to three continuation bytes (0x80-0xBF seen
# through cp1252).
_CONT = "\u0080-\u00bf\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
_MOJIBAKE = re.compile(f"[\u00c2\u00c3\u00c5][{_CONT}]|\u00e2[{_CONT}]{{2}}|\u00f0[{_CONT}]{{3}}")
_MOJIBAKE_HINT = re.compile("[\u00c2\u00c3\u00c5\u00e2\u00f0][" + _CONT + "]")


@dataclass
class DecodedText:
    """Text ready for the loaders, and how it was obtained."""

    text: str
    encoding: str
    repaired: int = 0  # mojibake sequences fixed


def read_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> DecodedText:
    """Read a file into normalised text; InputError names the file and the reason."""
    path = Path(path)
    return decode_bytes(read_regular_file(path, max_bytes), str(path))


def decode_bytes(data: bytes, name: str = "<bytes>") -> DecodedText:
    """Decode bytes (UTF-8/16/32 with or without BOM, cp1252) and normalise them."""
    if not data or data.isspace():  # not data.strip(): that copies a large file
        raise InputError(name, "empty file")
    text, encoding = _decode(data, name)
    text, repaired = repair_mojibake(text)
    return DecodedText(normalise(text), encoding, repaired)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding + " (BOM)"
            except UnicodeDecodeError as exc:
                raise InputError(name, f"undecodable bytes for {encoding} at byte {exc.start + len(bom)}") from exc
    utf16 = _sniff_utf16(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:65536]:
        raise InputError(name, "binary file (NUL bytes, not a text encoding)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    cut_short = utf8_error.end == len(data) and utf8_error.reason == "unexpected end of data"
    if cut_short and not data[:utf8_error.start].isascii():
        # UTF-8 (its other non-ASCII characters decoded) cut inside its last character, not cp1252
        # (which would garble every accent); a lone final byte after ASCII stays ambiguous: cp1252 below
        try:
            return data[:utf8_error.start].decode("utf-8") + "\ufffd", "utf-8 (cut inside its last character)"
        except UnicodeDecodeError as exc:
            utf8_error = exc
    declared = _declared_charset(data)
    if declared:
        try:
            return data.decode(declared), f"{declared} (declared)"
        except (UnicodeDecodeError, LookupError):
            pass
    if _looks_binary(data):
        raise InputError(name, "binary file (control bytes, not text)")
    holes = _CP1252_HOLES.intersection(data)
    if holes:
        at = min(data.index(bytes([b])) for b in holes)
        raise InputError(
            name,
            f"undecodable bytes: not UTF-8 (byte {utf8_error.start}) and not cp1252 (byte 0x{data[at]:02x} at {at})",
        )
    return data.decode("cp1252"), "cp1252"


_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_-]{2,30})|<\?xml[^>]{0,100}encoding=["']([A-Za-z0-9_-]{2,30})""", re.I)


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML or XML page declares in its first bytes (``<meta charset>``), when not UTF-8."""
    found = _CHARSET.search(data[:4096])
    if not found:
        return None
    name = (found.group(1) or found.group(2)).decode("ascii").lower()
    return None if name.replace("-", "").replace("_", "") == "utf8" else name


def encoding_from_head(head: bytes) -> str | None:
    """The codec a file's first bytes name: its BOM's, or UTF-16 told by its NUL bytes; None otherwise."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    return _sniff_utf16(head)


def _sniff_utf16(data: bytes) -> str | None:
    """UTF-16 without BOM: most ASCII characters leave a NUL on one side."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    if odd > 0.4 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.4 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > 0.02 * len(sample)


def repair_mojibake(text: str) -> tuple[str, int]:
    """Undo UTF-8 read as cp1252/latin-1 ("Ã©" → "é"), sequence by sequence."""
    if not _MOJIBAKE_HINT.search(text):
        return text, 0
    count = 0

    def fix(match: re.Match[str]) -> str:
        nonlocal count
        chunk = match.group(0)
        for codec in ("cp1252", "latin-1"):
            try:
                fixed = chunk.encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            count += 1
            return fixed
        return chunk

    return _MOJIBAKE.sub(fix, text), count


def normalise(text: str) -> str:
    """Newlines to \\n, NFC, invisible marks out, no-break spaces to spaces."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if not _ANY_SPECIAL.search(text):
        return text  # the common case: one scan, no rewriting
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    return _CONTROL.sub("", text)
