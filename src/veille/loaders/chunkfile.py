"""A chunk text file read back (seed 001): its header becomes the document's chunk metadata.

The content is kept exactly as written. Each non-blank content line is one
unit, as the chunker writes one unit per line: a ``[time] Author : text``
line (author among the header's participants) gives a message with its time
or offset back; other lines are paragraphs with their text unchanged, keycap
or ``1)`` led lines marked ``meta["item"]``. The header values go to
``doc.metadata["chunk"]`` so the chunker keeps them for the single chunk it
makes from the file.
"""

from __future__ import annotations

import re
from datetime import datetime

from ..chunking.textformat import looks_like_chunk_file, parse_chunk_file
from ..types import Document, Unit
from .base import Line, split_lines
from .common import finish, span_unit, title_from_text

name = "chunkfile"
kind = "chunk"
reads_json = False

_STAMP = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d|\d\d:\d\d:\d\d)\] ")
_ITEM = re.compile(r"^\s*(?:(\d{1,2})\ufe0f?\u20e3|(\d{1,2})[).]\s)")


def sniff(text: str, filename: str) -> tuple[float, str]:
    """Starts with the ``=== MÉTADONNÉES CHUNK ===`` header and has a content section."""
    if looks_like_chunk_file(text):
        return 0.99, "starts with the '=== MÉTADONNÉES CHUNK ===' header"
    return 0.0, "no chunk header"


def parse(text: str, source: str) -> Document:
    """Units from the content lines; header values in ``metadata["chunk"]``."""
    chunk = parse_chunk_file(text)
    participants = set(chunk.participants)
    units: list[Unit] = []
    for line in split_lines(text):
        if line.start < chunk.content_start or not line.text.strip():
            continue
        units.append(_unit(line, participants))
    doc = Document(source=source, kind=kind, format=name, text=text, units=units,
                   participants=list(chunk.participants))
    doc.metadata["chunk"] = {
        "period": list(chunk.period),
        "participants": list(chunk.participants),
        "topics": list(chunk.topics),
        "tokens": chunk.tokens,
        "messages": chunk.messages,
        "content": chunk.content,
        "context": chunk.context,
        **({"extra": dict(chunk.extra)} if chunk.extra else {}),
    }
    if units:
        doc.title = title_from_text(units[0].text)
    doc.report.first, doc.report.last = chunk.period
    notes = [f"chunk header: Tokens {chunk.tokens}, Messages {chunk.messages}"]
    if chunk.context:
        notes.append("context section kept in metadata, not as units")
    return finish(doc, notes=notes)


def _unit(line: Line, participants: set[str]) -> Unit:
    """One content line: a message when it carries a participant's label, else a paragraph."""
    body = line.text
    meta: dict[str, object] = {}
    time: datetime | None = None
    offset: float | None = None
    stamp = _STAMP.match(body)
    if stamp:
        value = stamp.group(1)
        if "-" in value:
            time = datetime.strptime(value, "%Y-%m-%d %H:%M")
        else:
            h, m, s = (int(x) for x in value.split(":"))
            offset = float(h * 3600 + m * 60 + s)
        body = body[stamp.end():]
    author = next((p for p in participants if body.startswith(f"{p} : ")), None)
    if author:
        body = body[len(author) + 3:]
    if not body.strip():  # a label with nothing after it: keep the line as written
        return span_unit([line], line.text.strip(), "paragraph")
    item = _ITEM.match(body)
    if item:
        meta["item"] = int(item.group(1) or item.group(2))
    return span_unit([line], body.strip(), "message" if author else "paragraph",
                     author=author, time=time, offset=offset, meta=meta)
