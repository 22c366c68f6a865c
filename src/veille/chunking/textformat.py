"""The chunk text format (seed 001): a metadata header, then the content.

::

    === MÉTADONNÉES CHUNK ===
    Période: 2025-07-27 19:41 → 2025-07-27 21:03
    Participants: Mira Miruta, Sam Altwoman
    Topics: supercalculateurs, coûts d'entraînement
    Mentions: OpenAI, Sam Altman
    Tokens: 412
    Messages: 7

    === CONTENU ===
    <text>

``Mentions`` (people, organisations and places the content names) is printed
only when there are any, so seed 001 reads and prints back as it was.
When a chunk carries overlap from the previous one, it is printed in a
``=== CONTEXTE ===`` section between the header and the content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..types import Chunk

HEADER = "=== MÉTADONNÉES CHUNK ==="
CONTEXT = "=== CONTEXTE ==="
CONTENT = "=== CONTENU ==="
ARROW = "→"


def render_chunk(chunk: Chunk) -> str:
    """The chunk in the chunk text format, header line for line as in seed 001."""
    start, end = chunk.period
    lines = [
        HEADER,
        f"Période: {start or 'null'} {ARROW} {end or 'null'}",
        f"Participants: {', '.join(chunk.participants)}",
        f"Topics: {', '.join(chunk.topics)}",
        *([f"Mentions: {', '.join(chunk.mentions)}"] if chunk.mentions else []),  # not in seed 001: when any
        f"Tokens: {chunk.tokens}",
        f"Messages: {chunk.messages}",
        "",
    ]
    if chunk.context:
        lines += [CONTEXT, chunk.context, ""]
    lines += [CONTENT, chunk.text]
    return "\n".join(lines)


@dataclass
class ChunkFile:
    """A chunk text file read back: its header values, context and content."""

    period: tuple[str | None, str | None]
    participants: list[str]
    topics: list[str]
    tokens: int | None
    messages: int | None
    content: str
    content_start: int
    context: str = ""
    extra: dict[str, str] = field(default_factory=dict)


_FIELD = re.compile(r"^([^:\n]+):[ \t]?(.*)$")


def looks_like_chunk_file(text: str) -> bool:
    head = text.lstrip("\ufeff \n")[:200]
    return head.startswith(HEADER) and f"\n{CONTENT}" in text


def parse_chunk_file(text: str) -> ChunkFile:
    """Read a chunk text file; raises ValueError when the layout is not there."""
    lead = len(text) - len(text.lstrip("\ufeff \n"))
    if not text.startswith(HEADER, lead):
        raise ValueError(f"does not start with '{HEADER}'")
    marker = text.find(f"\n{CONTENT}", lead)
    if marker < 0:
        raise ValueError(f"no '{CONTENT}' line")
    header = text[lead + len(HEADER):marker]
    context = ""
    context_at = header.find(f"\n{CONTEXT}")
    if context_at >= 0:
        context = header[context_at + len(CONTEXT) + 1:].strip("\n")
        header = header[:context_at]
    values: dict[str, str] = {}
    for line in header.splitlines():
        match = _FIELD.match(line.strip())
        if match:
            values[match.group(1).strip()] = match.group(2).strip()
    content_start = marker + len(CONTENT) + 1
    if text.startswith("\n", content_start):
        content_start += 1
    period = _parse_period(values.pop("Période", ""))
    return ChunkFile(
        period=period,
        participants=_split_list(values.pop("Participants", "")),
        topics=_split_list(values.pop("Topics", "")),
        tokens=_int_or_none(values.pop("Tokens", "")),
        messages=_int_or_none(values.pop("Messages", "")),
        content=text[content_start:],
        content_start=content_start,
        context=context,
        extra=values,
    )


def _parse_period(value: str) -> tuple[str | None, str | None]:
    parts = [p.strip() for p in re.split(r"\s*(?:→|->)\s*", value, maxsplit=1)]
    if len(parts) != 2:
        return (None, None)
    return tuple(None if p in ("", "null", "None") else p for p in parts)  # type: ignore[return-value]


def _split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _int_or_none(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() else None
