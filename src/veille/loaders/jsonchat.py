"""What the JSON chat loaders (Telegram, Messenger/Instagram, Discord) share.

Reading the JSON with an error that says where it broke, finding where each
message object sits in the source (so a citation points at it), and the closing
bookkeeping of a chat document.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from typing import Any

from ..types import Document, Unit
from .common import finish

# JSON strings (escapes included) and the structural characters between them.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\],]')


def sniff_object(text: str) -> tuple[dict[str, Any] | None, str]:
    """The JSON object a sniffer looks at, or None and why not."""
    if not text.lstrip().startswith("{"):
        return None, "does not start with '{'"
    try:
        data = json.loads(text)
    except ValueError:
        return None, "starts with '{' but is not valid JSON"
    if not isinstance(data, dict):
        return None, "JSON but not an object"
    return data, ""


def messages_lacking(data: dict[str, Any], *keys: str) -> str:
    """Why ``data["messages"]`` is not a list of message objects holding ``keys`` ("" when it is)."""
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        return "no 'messages' list"
    fitting = sum(1 for m in messages if isinstance(m, dict) and all(k in m for k in keys))
    if fitting < len(messages):
        return f"{len(messages) - fitting} of {len(messages)} items lack {'/'.join(keys)}"
    return ""


def load(text: str, label: str) -> Any:
    """The parsed JSON; ValueError naming ``label`` and where the JSON broke."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{label}: invalid or truncated JSON "
                         f"(line {error.lineno}, column {error.colno}: {error.msg})") from error


def message_spans(text: str) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Where each object directly inside a ``"messages"`` array sits, by its JSON path.

    Paths are ``("messages", i)`` for a top-level list, or longer ones such as
    ``("chats", "list", c, "messages", i)``; spans run from the object's ``{``
    to just after its ``}``. Strings are skipped whole, so braces inside text
    do not count.
    """
    spans: dict[tuple[Any, ...], tuple[int, int]] = {}
    # Frames: [is_object, path, key or index, expecting_key, start].
    stack: list[list[Any]] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0] == '"':
            if stack and stack[-1][0] and stack[-1][3]:
                stack[-1][2] = json.loads(token)
                stack[-1][3] = False
        elif token in "{[":
            path: tuple[Any, ...] = (*stack[-1][1], stack[-1][2]) if stack else ()
            stack.append([token == "{", path, 0 if token == "[" else None, True, match.start()])
        elif token in "}]":
            if not stack:
                break
            frame = stack.pop()
            if frame[0] and len(frame[1]) >= 2 and frame[1][-2] == "messages":
                spans[frame[1]] = (frame[4], match.end())
        elif stack:  # ","
            if stack[-1][0]:
                stack[-1][3] = True
            else:
                stack[-1][2] += 1
    return spans


class Placer:
    """Gives units the offsets and line numbers of their message objects; counts the ones not found."""

    def __init__(self, text: str) -> None:
        self.spans = message_spans(text)
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self.missing = 0

    def place(self, unit: Unit, path: tuple[Any, ...]) -> Unit:
        span = self.spans.get(path)
        if span is None:
            self.missing += 1
            return unit
        unit.start, unit.end = span
        unit.line_start = bisect_right(self._newlines, unit.start - 1) + 1
        unit.line_end = bisect_right(self._newlines, max(unit.start, unit.end - 1) - 1) + 1
        return unit


def finish_chat(doc: Document, placer: Placer, notes: list[str] | None = None,
                untimed: str | None = None) -> Document:
    """Date and first/last time from the units, notes on what could not be placed or dated."""
    times = [u.time for u in doc.units if u.time is not None]
    if times:
        doc.date = min(times)
        doc.report.first = min(times).strftime("%Y-%m-%d %H:%M")
        doc.report.last = max(times).strftime("%Y-%m-%d %H:%M")
    found: list[str] = []
    if placer.missing:
        found.append(f"{placer.missing} messages whose place in the source was not found (offsets left at 0)")
    if untimed and len(times) < len(doc.units):
        found.append(f"{len(doc.units) - len(times)} messages without a usable {untimed}")
    return finish(doc, notes=found + (notes or []))
