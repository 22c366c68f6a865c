"""Zip exports: a WhatsApp chat file and the media that came with it, or the files of a Slack export."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Callable

from .errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
# What zipfile raises on a damaged archive besides BadZipFile: a negative seek (ValueError), a short read,
# a corrupt deflate stream, an unpackable header, an unknown compression method, an encrypted member.
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, zlib.error, struct.error,
            NotImplementedError, RuntimeError)
TEXT_SUFFIXES = (".txt",)


@dataclass
class ArchiveText:
    """The text member chosen from an archive, and the other members' names."""

    member: str
    data: bytes
    others: list[str] = field(default_factory=list)


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def read_chat_archive(data: bytes, name: str, max_bytes: int) -> ArchiveText:
    """The chat text of a zip export; InputError for unsafe paths, bombs or no text inside."""
    with _open(data, name, max_bytes) as archive:
        members = _members(archive)
        texts = [m for m in members if m.filename.lower().endswith(TEXT_SUFFIXES)
                 and not PurePosixPath(m.filename).name.startswith(("._", "."))]
        if not texts:
            raise InputError(name, "unknown format: no chat text file (.txt) inside the zip archive")
        # WhatsApp names its file "_chat.txt" (iOS) or "WhatsApp Chat with …txt" (Android); else the largest.
        texts.sort(key=lambda m: (not _looks_like_chat_name(m.filename), -m.file_size))
        chosen = texts[0]
        content = _read(archive, chosen, name)
        others = [m.filename for m in members if m is not chosen]
    return ArchiveText(chosen.filename, content, others)


def archive_names(data: bytes, name: str, max_bytes: int) -> list[str]:
    """The files of a zip archive (checked: no unsafe path, not over the size limit once unpacked)."""
    with _open(data, name, max_bytes) as archive:
        return [m.filename for m in _members(archive)]


def read_archive_files(data: bytes, name: str, max_bytes: int, wanted: Callable[[str], bool]) -> dict[str, bytes]:
    """The files of a zip archive whose name is ``wanted``, by name."""
    with _open(data, name, max_bytes) as archive:
        return {m.filename: _read(archive, m, name) for m in _members(archive) if wanted(m.filename)}


def _open(data: bytes, name: str, max_bytes: int) -> zipfile.ZipFile:
    """The archive, once its paths are known safe and its unpacked size within the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _DAMAGED as exc:
        raise InputError(name, f"truncated or damaged zip archive ({exc})") from exc
    members = _members(archive)
    for member in members:
        if not member.filename:
            archive.close()
            raise InputError(name, "truncated or damaged zip archive (a file without a name)")
        path = PurePosixPath(member.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in member.filename:
            archive.close()
            raise InputError(name, f"unsafe archive path {member.filename!r}")
    total = sum(m.file_size for m in members)
    if total > max_bytes:
        archive.close()
        raise InputError(name, f"over the size limit once unpacked ({total:,} bytes > {max_bytes:,})")
    return archive


def _members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    return [m for m in archive.infolist() if not m.filename.endswith("/")]  # is_dir() fails on an empty name


def _read(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> bytes:
    try:
        return archive.read(member)
    except _DAMAGED as exc:
        raise InputError(name, f"cannot read {member.filename!r} from the zip archive ({exc})") from exc


def _looks_like_chat_name(filename: str) -> bool:
    base = PurePosixPath(filename).name.lower()
    return base == "_chat.txt" or "whatsapp" in base or base.startswith(("discussion", "chat"))
