"""Zip exports (WhatsApp "export with media"): the chat file inside, and what came with it."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .errors import InputError

ZIP_MAGIC = b"PK\x03\x04"
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
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise InputError(name, f"truncated or damaged zip archive ({exc})") from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        for member in members:
            path = PurePosixPath(member.filename.replace("\\", "/"))
            if path.is_absolute() or ".." in path.parts or ":" in member.filename:
                raise InputError(name, f"unsafe archive path {member.filename!r}")
        total = sum(m.file_size for m in members)
        if total > max_bytes:
            raise InputError(name, f"over the size limit once unpacked ({total:,} bytes > {max_bytes:,})")
        texts = [m for m in members if m.filename.lower().endswith(TEXT_SUFFIXES)
                 and not PurePosixPath(m.filename).name.startswith(("._", "."))]
        if not texts:
            raise InputError(name, "unknown format: no chat text file (.txt) inside the zip archive")
        # WhatsApp names its file "_chat.txt" (iOS) or "WhatsApp Chat with …txt" (Android); else the largest.
        texts.sort(key=lambda m: (not _looks_like_chat_name(m.filename), -m.file_size))
        chosen = texts[0]
        try:
            content = archive.read(chosen)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise InputError(name, f"cannot read {chosen.filename!r} from the zip archive ({exc})") from exc
        others = [m.filename for m in members if m is not chosen]
    return ArchiveText(chosen.filename, content, others)


def _looks_like_chat_name(filename: str) -> bool:
    base = PurePosixPath(filename).name.lower()
    return base == "_chat.txt" or "whatsapp" in base or base.startswith(("discussion", "chat"))
