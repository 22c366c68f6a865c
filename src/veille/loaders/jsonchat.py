"""What the JSON chat loaders (Telegram, Messenger/Instagram, Discord) share.

Telling text that starts like JSON, saying why JSON cannot be read (truncated or
invalid, and which export its head names), reading the JSON with that error,
finding where each message object sits in the source (so a citation points at
it), and the closing bookkeeping of a chat document.
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
# The same, a string cut short by the end of the text included ("closed" is None for it).
_TOKEN_TO_END = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:(?P<closed>")|\\?\Z)|[{}\[\],]')
# What a value cut short leaves where the decoder stopped: part of a literal, of a number, of a \u escape.
_PARTIAL_TAIL = re.compile(r"(?:tr?u?|fa?l?s?|nu?l?|-|[.eE][+-]?|\\?u[0-9a-fA-F]{0,3})")
# A JSON object or array at the start: "{" then a key or "}", "[" then a value that is not a bare word
# or number ("[12/03/2024 …" opens a WhatsApp line, "[lien](…)" Markdown), or the text ends there.
_JSON_START = re.compile(r'\s*(?:\{\s*(?:"|\}|\Z)|\[\s*(?:[{\["\]]|\Z))')
# How much of the head names the export it looks like.
_HEAD_CHARS = 65536
#: Exports told by the keys their head holds, tried in this order: (name, keys that must all appear).
_EXPORT_HEADS = (
    ("DiscordChatExporter export", ('"guild"', '"channel"')),
    ("Telegram export", ('"chats"', '"list"')),
    ("Telegram export", ('"messages"', '"date_unixtime"')),
    ("Telegram export", ('"messages"', '"from_id"')),
    ("Messenger/Instagram export", ('"sender_name"',)),
    ("Messenger/Instagram export", ('"participants"',)),
    ("Slack day file", ('"ts"', '"type"')),
    ("Slack users.json", ('"real_name"', '"team_id"')),
    ("Slack conversation list", ('"is_general"',)),
    ("Slack conversation list", ('"members"', '"creator"')),
)


class InvalidJSON(ValueError):
    """JSON that cannot be read; the message says where and why (truncated, or invalid)."""


def looks_like_json(text: str) -> bool:
    """True when ``text`` opens like a JSON object or array (not a WhatsApp ``[date]`` line or a Markdown link)."""
    return _JSON_START.match(text) is not None


def export_named_by_head(text: str) -> str | None:
    """The export a JSON text's head looks like ("DiscordChatExporter export"…), None when it says nothing."""
    head = text[:_HEAD_CHARS]
    for export, keys in _EXPORT_HEADS:
        if all(k in head for k in keys):
            return export
    return None


def json_problem(text: str) -> str | None:
    """Why ``text`` is not one JSON value ("truncated JSON: …", "invalid JSON …"), None when it is."""
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return describe_json_error(text, error)
    except RecursionError:
        return "invalid JSON: nested too deeply to read"
    return None


def describe_json_error(text: str, error: json.JSONDecodeError) -> str:
    """A JSON decoding error in words: where the text ends when it was cut short, else where it broke."""
    end = len(text.rstrip())
    cut_short = (error.msg.startswith("Unterminated string") or error.pos >= end
                 or _PARTIAL_TAIL.fullmatch(text, error.pos, end) is not None)
    if cut_short:
        line = text.count("\n", 0, end) + 1
        column = end - (text.rfind("\n", 0, end) + 1)  # of the last character
        return f"truncated JSON: the text ends inside {_open_at_end(text)} at line {line}, column {column}"
    if error.msg == "Extra data":
        return (f"invalid JSON at line {error.lineno} column {error.colno}: more than one JSON value "
                "(JSON lines has no loader yet)")
    return f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"


def _open_at_end(text: str) -> str:
    """What is still open where the text ends: a string, or the innermost object or array (named by its key)."""
    stack: list[tuple[str, str | None]] = []  # (bracket, the key whose value it is)
    key: str | None = None
    for match in _TOKEN_TO_END.finditer(text):
        token = match.group()
        if token[0] == '"':
            if match.group("closed") is None:
                return "a string"
            key = token
        elif token in "{[":
            stack.append((token, key if stack and stack[-1][0] == "{" else None))
            key = None
        elif token in "}]":
            if stack:
                stack.pop()
            key = None
    if not stack:
        return "a value"
    bracket, named = stack[-1]
    what = "an object" if bracket == "{" else "an array"
    return f"{what} (the value of {named})" if named else what


def refusal(text: str, loaders_said: str = "") -> str:
    """Why JSON ``text`` is not read: its JSON problem, or that no loader reads its shape (``loaders_said``
    why not), with the export its head looks like."""
    problem = json_problem(text)
    looks = export_named_by_head(text)
    if problem is not None:
        return f"{problem} (looks like a {looks})" if looks else problem
    what = f"JSON that looks like a {looks}" if looks else "JSON"
    if looks and looks.startswith("Slack"):
        return f"unknown format: {what}; a Slack export is read whole, as a folder or a zip archive"
    return f"unknown format: {what}, which no loader reads" + (f" ({loaders_said})" if loaders_said else "")


def sniff_object(text: str) -> tuple[dict[str, Any] | None, str]:
    """The JSON object a sniffer looks at, or None and why not."""
    if not text.lstrip().startswith("{"):
        return None, "does not start with '{'"
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None, "starts with '{' but is not valid JSON"
    if not isinstance(data, dict):
        return None, "JSON but not an object"
    return data, ""


def messages_lacking(data: dict[str, Any], *keys: str) -> str:
    """Why ``data["messages"]`` is not a list of message objects holding ``keys`` ("" when it is).

    Most items must hold them, not all: an export with a few odd messages is still that export (the loader
    reads what those hold and counts what they lack), not an unknown format refused whole.
    """
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        return "no 'messages' list"
    fitting = sum(1 for m in messages if isinstance(m, dict) and all(k in m for k in keys))
    if not most(fitting, len(messages)):
        return f"{len(messages) - fitting} of {len(messages)} items lack {'/'.join(keys)}"
    return ""


def listed(value: Any) -> list[Any]:
    """A JSON value that should be a list of items: itself when it is one, else [] (a string or a number
    holds no items)."""
    return value if isinstance(value, list) else []


def word(value: Any) -> str | None:
    """A JSON value read as a type or a name: None stays None, a string stays, anything else is its JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def raw_unit(item: Any) -> Unit:
    """An item of a messages list that is no message object, kept as a raw unit holding its JSON."""
    text = item.strip() if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
    return Unit(text=text or "[élément vide]", kind="raw")


def most(fitting: int, items: int) -> bool:
    """True when more than half the items fit (and one does)."""
    return fitting > 0 and 2 * fitting > items


def load(text: str, label: str) -> Any:
    """The parsed JSON; InvalidJSON saying where it broke and that it was read as ``label``."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidJSON(f"{describe_json_error(text, error)} (read as a {label})") from error
    except RecursionError as error:
        raise InvalidJSON(f"invalid JSON: nested too deeply to read (read as a {label})") from error


def message_spans(text: str) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Where each item directly inside a ``"messages"`` array sits, by its JSON path.

    Paths are ``("messages", i)`` for a top-level list, or longer ones such as
    ``("chats", "list", c, "messages", i)``; an object's span runs from its ``{``
    to just after its ``}``, any other item's (a string, a number, a list) over its
    JSON text between the commas. Strings are skipped whole, so braces inside text
    do not count.
    """
    spans: dict[tuple[Any, ...], tuple[int, int]] = {}
    # Frames: [is_object, path, key or index, expecting_key, start, where the array's current item starts].
    stack: list[list[Any]] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token[0] == '"':
            if stack and stack[-1][0] and stack[-1][3]:
                stack[-1][2] = json.loads(token)
                stack[-1][3] = False
        elif token in "{[":
            path: tuple[Any, ...] = (*stack[-1][1], stack[-1][2]) if stack else ()
            stack.append([token == "{", path, 0 if token == "[" else None, True, match.start(), match.end()])
        elif token in "}]":
            if not stack:
                break
            frame = stack.pop()
            if not frame[0]:
                _item_span(text, frame, match.start(), spans)
            if len(frame[1]) >= 2 and frame[1][-2] == "messages":
                spans[frame[1]] = (frame[4], match.end())
        elif stack:  # ","
            if stack[-1][0]:
                stack[-1][3] = True
            else:
                _item_span(text, stack[-1], match.start(), spans)
                stack[-1][2] += 1
                stack[-1][5] = match.end()
    return spans


def _item_span(text: str, frame: list[Any], end: int, spans: dict[tuple[Any, ...], tuple[int, int]]) -> None:
    """The span of a ``messages`` array's current item that no object or array of its own gave."""
    if not frame[1] or frame[1][-1] != "messages":
        return  # the common case, checked first: most arrays are not a messages list
    path = (*frame[1], frame[2])
    if path in spans:
        return
    start = frame[5]
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans[path] = (start, end)


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
