"""A Messenger or Instagram conversation in parts: ``message_1.json``, ``message_2.json``… in one folder.

Meta splits a long conversation into several files (``message_1`` holds the newest messages): the parts are
read as one document, their texts laid end to end (oldest part first) and their messages in time order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from ..errors import InputError
from ..read import decode_bytes
from ..types import Document
from . import meta
from .common import finish
from .jsonchat import InvalidJSON

name = meta.name
kind = meta.kind
described = "Messenger or Instagram conversation in parts"

_PART = re.compile(r"message_(\d+)\.json")


def in_folder(root: Path, names: list[str]) -> bool:
    """At least two ``message_N.json`` files side by side."""
    return sum(1 for f in names if _PART.fullmatch(f)) >= 2


def folder_files(root: Path) -> list[Path]:
    return sorted(root.glob("message_*.json"))


def in_archive(names: list[str]) -> bool:
    return False  # a zip of a conversation's parts is not read as one (yet)


def archive_member(name: str) -> bool:
    return bool(_PART.fullmatch(name))


def parse_files(files: Mapping[str, bytes], source: str, what: str) -> list[tuple[Document, str]]:
    doc = merge_meta_parts(files, source)
    return [(doc, f"meta ({what}: {len(files)} parts message_N.json of one conversation)")]


def merge_meta_parts(files: Mapping[str, bytes], source: str) -> Document:
    """One Messenger/Instagram conversation from its parts, oldest part first in the text."""
    order = sorted(files, key=lambda f: -int(_PART.fullmatch(f)[1]))  # type: ignore[index]
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
