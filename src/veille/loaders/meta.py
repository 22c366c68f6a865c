"""Facebook Messenger and Instagram JSON exports (Meta's "Download your information").

Shape: ``{"participants": [{"name"}], "messages": [{"sender_name", "timestamp_ms",
"content", …}], "title", "thread_path"/"thread_type", …}``.

Meta writes every string as its UTF-8 bytes escaped as latin-1 code points
(``"\\u00c3\\u00a9"`` for "é", an emoji as four such escapes). Each string read
(sender, content, title, participant, reaction, actor) is repaired with
``s.encode("latin-1").decode("utf-8")`` when that succeeds, and kept as is
otherwise (already-correct text with non-ASCII letters fails that round trip).

Meta lists messages newest first; units come oldest first: the list is reversed,
then stably sorted by ``timestamp_ms``, so messages sharing a timestamp keep
their chronological (reversed file) order.

Times: ``timestamp_ms`` is read as UTC and kept as a **naive UTC** datetime (the
export says nothing of the writer's time zone).

Unsent messages (``is_unsent``) and typed events (``type`` other than
``Generic``/``Share``: ``Subscribe``, ``Unsubscribe``, ``Call``…) are ``system``
units with no author and ``meta["by"]`` = the sender. Media (``photos``,
``videos``, ``files``, ``audio_files``, ``gifs``, ``sticker``) set
``meta["attachment"]`` and ``meta["file"]`` (the first URI's basename), and a
message with no content reads as a marker such as ``[photo]``. A ``share``
sets ``meta["link"]``. Reactions are ``meta["reactions"]``: a list of
``(reaction, actor)``, both repaired.

Unit offsets span the message's JSON object in the source, from its ``{`` to
its matching ``}``, found by a scan of the JSON structure (strings skipped).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from ..types import Document, Unit
from .jsonchat import Placer, finish_chat, load, messages_lacking, raw_unit, sniff_object, word

name = "meta"
kind = "chat"
reads_json = True

# Media keys, in the order looked at, and their marker.
_MEDIA = (("photos", "photo"), ("videos", "vidéo"), ("audio_files", "audio"),
          ("gifs", "GIF"), ("files", "fichier"), ("sticker", "sticker"))
_MESSAGE_TYPES = {"Generic", "Share", None}
_SYSTEM_MARKERS = {"Call": "appel", "Subscribe": "arrivée dans la conversation",
                   "Unsubscribe": "départ de la conversation", "Payment": "paiement",
                   "Plan": "événement prévu"}


def repair(value: Any) -> str:
    """A Meta string with its UTF-8-as-latin-1 escapes undone (unchanged when that fails)."""
    text = "" if value is None else str(value)
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def sniff(text: str, filename: str) -> tuple[float, str]:
    """0.95 for a Messenger/Instagram export (0.8 without its participants list), else 0."""
    data, why = sniff_object(text)
    if data is None:
        return 0.0, why
    lacking = messages_lacking(data, "sender_name", "timestamp_ms")
    if lacking:
        return 0.0, lacking
    messages = data["messages"]
    participants = data.get("participants")
    listed = isinstance(participants, list) and all(isinstance(p, dict) and "name" in p for p in participants)
    # a trimmed export may lack the participants list; the messages' shape is still Meta's own
    return (0.95 if listed else 0.8), (
        f"Messenger/Instagram JSON export: {len(participants) if listed else 'no'} participants listed, "
        f"{len(messages)} messages with sender_name and timestamp_ms")


def parse(text: str, source: str) -> Document:
    """Messages and events of a Messenger/Instagram JSON export, oldest first."""
    data = load(text, "Messenger/Instagram export")
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ValueError(f"not a Messenger/Instagram export ({source}): no top-level 'messages' list")  # noqa: TRY004 - loader contract: ValueError
    participants = data.get("participants") or []
    if not isinstance(participants, list):
        raise ValueError(f"not a Messenger/Instagram export ({source}): 'participants' is not a list")  # noqa: TRY004

    placer = Placer(text)
    indexed = list(enumerate(data["messages"]))
    indexed.reverse()
    indexed.sort(key=lambda pair: _stamp(pair[1]) if _stamp(pair[1]) is not None else float("-inf"))

    units = [placer.place(_unit(message) if isinstance(message, dict) else raw_unit(message), ("messages", index))
             for index, message in indexed]

    title = repair(data["title"]) if data.get("title") else None
    doc = Document(source=source, kind=kind, format=name, text=text, units=units,
                   title=title or "Conversation Messenger/Instagram")
    doc.participants = [repair(p["name"]) for p in participants if isinstance(p, dict) and p.get("name")]
    for key in ("thread_path", "thread_type"):
        if data.get(key):
            doc.metadata[key] = data[key]
    return finish_chat(doc, placer, untimed="timestamp_ms")


def _stamp(message: Any) -> int | None:
    value = message.get("timestamp_ms") if isinstance(message, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None  # JSON's NaN and Infinity, which Python reads, are no time either
    return int(value)


def _time(message: dict[str, Any]) -> datetime | None:
    stamp = _stamp(message)
    if stamp is None:
        return None
    try:
        return datetime.fromtimestamp(stamp / 1000, UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        return None


def _basename(uri: Any) -> str | None:
    if not uri:
        return None
    return repair(str(uri).rstrip("/").rsplit("/", 1)[-1]) or None


def _media(message: dict[str, Any]) -> tuple[str | None, list[str]]:
    """The first media marker and the basenames of all media files."""
    marker = None
    files: list[str] = []
    for key, label in _MEDIA:
        value = message.get(key)
        if not value:
            continue
        marker = marker or label
        items = value if isinstance(value, list) else [value]
        for item in items:
            uri = item.get("uri") if isinstance(item, dict) else item
            base = _basename(uri)
            if base:
                files.append(base)
    return marker, files


def _unit(message: dict[str, Any]) -> Unit:
    meta: dict[str, Any] = {}
    when = _time(message)
    sender = repair(message["sender_name"]) if message.get("sender_name") else None
    content = repair(message.get("content")).strip()
    kind_ = word(message.get("type"))

    reactions = message.get("reactions")
    if isinstance(reactions, list):
        pairs = [(repair(r.get("reaction")), repair(r.get("actor"))) for r in reactions if isinstance(r, dict)]
        if pairs:
            meta["reactions"] = pairs

    if message.get("is_unsent") or kind_ not in _MESSAGE_TYPES:
        if sender:
            meta["by"] = sender
        if message.get("is_unsent"):
            meta["unsent"] = True
            body = content or "[message retiré]"
        else:
            meta["type"] = kind_
            body = content or f"[{_SYSTEM_MARKERS.get(kind_, str(kind_))}]"
        if message.get("call_duration") is not None:
            meta["call_duration"] = message["call_duration"]
        return Unit(text=body, kind="system", author=None, time=when, meta=meta)

    marker, files = _media(message)
    if marker:
        meta["attachment"] = True
        if files:
            meta["file"] = files[0]
        if len(files) > 1:
            meta["files"] = files
    share = message.get("share")
    if isinstance(share, dict) and share.get("link"):
        meta["link"] = share["link"]
    body = content
    if not body:
        if marker:
            body = f"[{marker}]"
        elif isinstance(share, dict) and (share.get("link") or share.get("share_text")):
            body = repair(share.get("share_text")).strip() or f"[lien] {share['link']}"
        else:
            body = "[message vide]"
    return Unit(text=body, kind="message", author=sender or "Inconnu", time=when, meta=meta)
