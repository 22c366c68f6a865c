"""Telegram Desktop ``result.json`` exports (one chat, or a full export of many).

Two shapes:

- one chat: ``{"name", "type", "id", "messages": [...]}``;
- a full export: ``{"chats": {"list": [{...chat...}, ...]}}``; the chats are read
  in order and every unit carries ``meta["chat"]``, the chat's name.

A message's ``text`` is a string or a list of strings and entity dicts
(``{"type": "bold", "text": "…"}``), joined into plain text; a ``text_link``
reads ``text (href)``. ``text_entities`` is used when ``text`` is missing.
``"type": "service"`` messages (group created, members invited…) are
``system`` units. Media (``photo``, ``file``, ``media_type``, ``sticker_emoji``)
set ``meta["attachment"]`` and ``meta["file"]``, and a message with no text
reads as a marker such as ``[photo]``.

``date`` is the exporter's local time (ISO); when only ``date_unixtime`` is
there it is read as UTC. Unit offsets span the message's JSON object in the
source, from its ``{`` to its matching ``}``, found by a scan of the JSON
structure (strings skipped) rather than by searching for ids, which older
exports lack.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..types import Document, Unit
from .jsonchat import Placer, finish_chat, listed, load, most, raw_unit, sniff_object, word

name = "telegram"
kind = "chat"
reads_json = True

_MEDIA_MARKERS = {
    "voice_message": "message vocal",
    "video_message": "message vidéo",
    "video_file": "vidéo",
    "audio_file": "audio",
    "animation": "GIF",
    "sticker": "sticker",
}


def sniff(text: str, filename: str) -> tuple[float, str]:
    """0.95 when the text is a Telegram export (``messages`` or ``chats.list``), else 0."""
    data, why = sniff_object(text)
    if data is None:
        return 0.0, why
    try:
        chats, shape = _chats(data)
    except ValueError as error:
        return 0.0, str(error)
    messages = [m for chat in chats for m in listed(chat.get("messages"))]
    if not messages:
        return 0.0, f"Telegram {shape} shape but no messages"
    fitting = sum(1 for m in messages if _looks_like_message(m))
    if not most(fitting, len(messages)):
        return 0.0, f"{len(messages) - fitting} of {len(messages)} items lack type/date"
    return 0.95, f"Telegram JSON export, {shape}: {len(chats)} chat(s), {len(messages)} messages with type and date"


def parse(text: str, source: str) -> Document:
    """Messages and service events of a Telegram Desktop JSON export."""
    data = load(text, "Telegram export")
    chats, shape = _chats(data)
    placer = Placer(text)
    full = shape == "full export"
    units: list[Unit] = []
    for ci, chat in enumerate(chats):
        chat_name = word(chat.get("name"))
        prefix: tuple[Any, ...] = ("chats", "list", ci, "messages") if full else ("messages",)
        for mi, message in enumerate(listed(chat.get("messages"))):
            unit = placer.place(_unit(message) if isinstance(message, dict) else raw_unit(message), (*prefix, mi))
            if full and chat_name is not None:
                unit.meta["chat"] = chat_name
            units.append(unit)

    if full:
        title = f"Telegram export ({len(chats)} chats)" if len(chats) != 1 else word(chats[0].get("name"))
    else:
        title = word(data.get("name"))
    doc = Document(source=source, kind=kind, format=name, text=text, units=units,
                   title=title or f"Telegram export ({len(chats)} chats)")
    doc.metadata["shape"] = shape
    doc.metadata["chats"] = [{"name": c.get("name"), "type": c.get("type"), "id": c.get("id"),
                              "messages": len(listed(c.get("messages")))} for c in chats]
    return finish_chat(doc, placer)


def _chats(data: Any) -> tuple[list[dict[str, Any]], str]:
    """The chats of an export and the shape's name; ValueError when neither shape fits."""
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        return [data], "single chat"
    chats = data.get("chats") if isinstance(data, dict) else None
    if isinstance(chats, dict) and isinstance(chats.get("list"), list):
        return [c for c in chats["list"] if isinstance(c, dict)], "full export"
    raise ValueError("not a Telegram export: no 'messages' list nor 'chats.list'")


def _looks_like_message(message: Any) -> bool:
    return (isinstance(message, dict) and "type" in message
            and ("date" in message or "date_unixtime" in message))


def _plain(value: Any) -> str:
    """A message's ``text``: a string, or strings and entities joined."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return str(value)
    parts = []
    for part in value:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict):
            shown = str(part.get("text", ""))
            href = part.get("href")
            if part.get("type") == "text_link" and href and href != shown:
                shown = f"{shown} ({href})"
            parts.append(shown)
    return "".join(parts)


def _time(message: dict[str, Any]) -> datetime | None:
    date = message.get("date")
    if isinstance(date, str):
        try:
            return datetime.fromisoformat(date)
        except ValueError:
            pass
    stamp = message.get("date_unixtime")
    if stamp is not None:
        try:
            return datetime.fromtimestamp(int(stamp), UTC).replace(tzinfo=None)
        except (ValueError, TypeError, OverflowError, OSError):
            pass
    return None


def _service_text(message: dict[str, Any]) -> str:
    action = message.get("action") or "service"
    words = [str(action)]
    actor = message.get("actor")
    if actor:
        words.append(f"par {actor}")
    title = message.get("title")
    if title:
        words.append(f"« {title} »")
    members = listed(message.get("members"))
    if members:
        words.append("membres : " + ", ".join(str(m) for m in members if m))
    body = _plain(message.get("text", message.get("text_entities"))).strip()
    if body:
        words.append(f": {body}")
    return " ".join(words)


def _unit(message: dict[str, Any]) -> Unit:
    meta: dict[str, Any] = {}
    if "id" in message:
        meta["id"] = message["id"]
    if message.get("edited"):
        meta["edited"] = message["edited"]
    if message.get("reply_to_message_id") is not None:
        meta["reply_to"] = message["reply_to_message_id"]
    if message.get("forwarded_from"):
        meta["forwarded_from"] = message["forwarded_from"]
    when = _time(message)

    if message.get("type") == "service":
        meta["action"] = word(message.get("action"))
        if message.get("actor"):
            meta["actor"] = message["actor"]
        return Unit(text=_service_text(message), kind="system", author=None, time=when, meta=meta)

    body = _plain(message["text"] if "text" in message else message.get("text_entities")).strip()
    marker = None
    file = None
    if message.get("photo"):
        marker, file = "photo", message["photo"]
    elif message.get("file") or message.get("media_type"):
        file = message.get("file")
        media = word(message.get("media_type"))
        marker = _MEDIA_MARKERS.get(media, media) if media else "fichier"
        if media == "sticker" and message.get("sticker_emoji"):
            marker = f"sticker {message['sticker_emoji']}"
    elif message.get("sticker_emoji"):
        marker = f"sticker {message['sticker_emoji']}"
    if marker:
        meta["attachment"] = True
        if file:
            meta["file"] = file
    if not body:
        if marker:
            body = f"[{marker}]"
        elif message.get("poll"):
            body = "[sondage]"
        elif message.get("location_information"):
            body = "[position]"
        elif message.get("contact_information"):
            body = "[contact]"
        else:
            body = "[message vide]"
    author = message.get("from") or message.get("actor") or "Inconnu"
    return Unit(text=body, kind="message", author=str(author), time=when, meta=meta)
