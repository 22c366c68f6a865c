"""Sources made of several files: a Slack export (folder or zip) and a Meta thread split in parts.

A Slack export gives one document per conversation. Messenger and Instagram
split a long conversation into ``message_1.json``, ``message_2.json``… in one
folder (``message_1`` holds the newest messages): the parts are read as one
document, their texts laid end to end and their messages in time order.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import InputError
from .file_bytes import read_regular_file
from .loaders import meta, slack
from .loaders.common import finish
from .names import as_text
from .loaders.jsonchat import InvalidJSON
from .read import decode_bytes
from .types import Document

_META_PART = re.compile(r"message_(\d+)\.json")


def folder_kind(root: Path, files: list[str]) -> str | None:
    """"slack" or "meta" when the folder ``root`` (holding ``files``) is one export, else None."""
    if "users.json" in files:
        days = [p.relative_to(root).as_posix() for p in root.glob("*/*.json")]
        if slack.is_export([*files, *days]):
            return slack.name
    if sum(1 for f in files if _META_PART.fullmatch(f)) >= 2:
        return meta.name
    return None


def read_folder(root: Path, kind: str, max_bytes: int) -> dict[str, bytes]:
    """The files of an export folder the export is made of, by path relative to the folder."""
    pattern = "*.json" if kind == slack.name else "message_*.json"
    found = sorted(root.rglob(pattern)) if kind == slack.name else sorted(root.glob(pattern))
    files: dict[str, bytes] = {}
    total = 0
    for file in found:
        total += file.stat().st_size
        if total > max_bytes:
            raise InputError(str(root), f"over the size limit ({total:,} bytes > {max_bytes:,})")
        name = file.relative_to(root).as_posix()
        try:
            files[name] = read_regular_file(file, max_bytes)  # a FIFO among the files fails the export, never hangs it
        except InputError as exc:
            raise InputError(str(root), f"{as_text(name)}: {exc.reason}") from None
    return files


def parse_files(files: dict[str, bytes], name: str, what: str) -> list[tuple[Document, str]]:
    """Documents of an export's files, and how the format was chosen."""
    if all(_META_PART.fullmatch(f) for f in files):
        doc = merge_meta_parts(files, name)
        return [(doc, f"meta ({what}: {len(files)} parts message_N.json of one conversation)")]
    docs = [doc for doc in slack.parse_export(files, name) if doc.units]  # empty conversations: nothing to keep
    if not docs:
        raise InputError(name, "Slack export without any message")
    return [(doc, f"slack ({what}: users.json, channels.json, {len(files)} JSON files)") for doc in docs]


def merge_meta_parts(files: dict[str, bytes], source: str) -> Document:
    """One Messenger/Instagram conversation from its parts, oldest part first in the text."""
    order = sorted(files, key=lambda f: -int(_META_PART.fullmatch(f)[1]))  # type: ignore[index]
    parts: list[Document] = []
    for part in order:
        text = decode_bytes(files[part], f"{source}/{part}").text
        try:
            parts.append(meta.parse(text, f"{source}/{part}"))
        except InvalidJSON as exc:
            raise InputError(f"{source}/{part}", str(exc)) from exc
        except (ValueError, KeyError, IndexError) as exc:
            raise InputError(f"{source}/{part}", f"meta: cannot parse: {exc}") from exc
    text, units, shift, lines = [], [], 0, 0
    for part, doc in zip(order, parts, strict=True):
        for unit in doc.units:
            unit.start, unit.end = unit.start + shift, unit.end + shift
            unit.line_start, unit.line_end = unit.line_start + lines, unit.line_end + lines
            unit.meta["part"] = part
            units.append(unit)
        text.append(doc.text)
        shift += len(doc.text) + 1
        lines += doc.text.count("\n") + 1
    units.sort(key=lambda u: (u.time is None, u.time))
    first = parts[-1]  # message_1: the newest part names the conversation as it is now
    merged = Document(source=source, kind=first.kind, format=first.format, text="\n".join(text), units=units,
                      title=first.title, participants=list(dict.fromkeys(p for d in parts for p in d.participants)),
                      metadata={**first.metadata, "parts": order})
    times = [u.time for u in units if u.time is not None]
    merged.date = min(times) if times else None
    notes = [f"{part}: {note}" for part, doc in zip(order, parts, strict=True) for note in doc.report.notes]
    return finish(merged, notes=[f"{len(order)} parts read as one conversation: {', '.join(order)}", *notes])
