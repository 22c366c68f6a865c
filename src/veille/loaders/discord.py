"""DiscordChatExporter JSON exports (one channel).

Shape: ``{"guild": {"name"}, "channel": {"name", "category", "topic"},
"messages": [{"id", "type", "timestamp", "timestampEdited", "content",
"author": {"id", "name", "nickname"}, "attachments", "embeds", "reactions",
"mentions", "reference"}], "messageCount"}``.

Messages of type ``Default`` and ``Reply`` are ``message`` units whose author is
the nickname, or else the name; a reply sets ``meta["reply_to"]`` (the
referenced message id). Every other type (``GuildMemberJoin``,
``ChannelPinnedMessage``, ``ThreadCreated``…) is a ``system`` unit with no
author, ``meta["by"]`` = the author and ``meta["type"]`` = the type.

Times: ``timestamp`` is read as written, a **naive local** datetime (the offset
dropped, kept as ``meta["utc_offset"]``, e.g. ``"+01:00"``).
``timestampEdited`` is kept as ``meta["edited"]`` (the ISO string).

Attachments set ``meta["attachment"]`` and ``meta["file"]`` (the first file
name; ``meta["files"]`` when more), and a message with no content reads
``[fichier: name]``. Mentions ``<@123>`` / ``<@!123>`` read ``@Name`` when the
message's ``mentions`` list has that id. Reactions are ``meta["reactions"]``: a
list of ``(emoji, count)``. The first embed's URL is ``meta["link"]``.

Unit offsets span the message's JSON object in the source, from its ``{`` to
its matching ``}``, found by a scan of the JSON structure (strings skipped).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from ..types import Document, Unit
from .jsonchat import Placer, finish_chat, listed, load, messages_lacking, raw_unit, sniff_object, word

name = "discord"
kind = "chat"
reads_json = True

_MENTION = re.compile(r"<@!?(\d+)>")
_MESSAGE_TYPES = {"Default", "Reply", None}
_SYSTEM_MARKERS = {
    "GuildMemberJoin": "a rejoint le serveur",
    "ChannelPinnedMessage": "a épinglé un message",
    "ThreadCreated": "a créé un fil",
    "RecipientAdd": "a ajouté un membre",
    "RecipientRemove": "a retiré un membre",
    "Call": "a lancé un appel",
    "ChannelNameChange": "a renommé le salon",
    "ChannelIconChange": "a changé l'icône du salon",
    "GuildBoost": "a boosté le serveur",
}
# The exporter's own English wording of some system messages: replaced by our marker.
_ENGLISH_SYSTEM = {"joined the server.", "pinned a message.", "started a thread."}


def sniff(text: str, filename: str) -> tuple[float, str]:
    """0.95 for a DiscordChatExporter JSON export, else 0."""
    data, why = sniff_object(text)
    if data is None:
        return 0.0, why
    if not isinstance(data.get("guild"), dict) or not isinstance(data.get("channel"), dict):
        return 0.0, "no 'guild' and 'channel' objects"
    lacking = messages_lacking(data, "author", "timestamp")
    if lacking:
        return 0.0, lacking
    return 0.95, (f"DiscordChatExporter JSON export: guild, channel, {len(data['messages'])} messages "
                  "with author and timestamp")


def parse(text: str, source: str) -> Document:
    """Messages and events of a DiscordChatExporter JSON export, in file order."""
    data = load(text, "DiscordChatExporter export")
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise ValueError(f"not a Discord export ({source}): no top-level 'messages' list")  # noqa: TRY004 - loader contract: ValueError
    guild = data.get("guild") if isinstance(data.get("guild"), dict) else {}
    channel = data.get("channel") if isinstance(data.get("channel"), dict) else {}
    if not guild and not channel:
        raise ValueError(f"not a Discord export ({source}): no 'guild' nor 'channel' object")

    placer = Placer(text)
    units = [placer.place(_unit(message) if isinstance(message, dict) else raw_unit(message), ("messages", index))
             for index, message in enumerate(data["messages"])]

    guild_name = word(guild.get("name"))
    channel_name = word(channel.get("name"))
    if guild_name and channel_name:
        title = f"{guild_name} / #{channel_name}"
    else:
        title = guild_name or (f"#{channel_name}" if channel_name else "Discord export")
    doc = Document(source=source, kind=kind, format=name, text=text, units=units, title=title)
    if guild_name:
        doc.metadata["guild"] = guild_name
    if channel_name:
        doc.metadata["channel"] = channel_name
    for key in ("category", "topic"):
        if channel.get(key):
            doc.metadata[key] = channel[key]
    count = data.get("messageCount")
    notes = [f"messageCount says {count}, {len(units)} messages read"] if (
        isinstance(count, int) and count != len(units)) else []
    return finish_chat(doc, placer, notes, untimed="timestamp")


def _offset(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _time(value: Any) -> tuple[datetime | None, str | None]:
    """A timestamp as written (naive) and its UTC offset (``"+01:00"``), or Nones."""
    if not isinstance(value, str):
        return None, None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None, None
    delta = when.utcoffset()
    return when.replace(tzinfo=None), (_offset(delta) if delta is not None else None)


def _who(person: Any) -> str | None:
    if not isinstance(person, dict):
        return None
    who = person.get("nickname") or person.get("name")
    return str(who) if who else None


def _content(message: dict[str, Any]) -> str:
    content = message.get("content")
    content = "" if content is None else str(content)
    names = {str(m.get("id")): _who(m) for m in listed(message.get("mentions"))
             if isinstance(m, dict) and m.get("id") is not None and _who(m)}
    if names:
        content = _MENTION.sub(lambda m: f"@{names[m.group(1)]}" if m.group(1) in names else m.group(0), content)
    return content.strip()


def _unit(message: dict[str, Any]) -> Unit:
    meta: dict[str, Any] = {}
    if "id" in message:
        meta["id"] = message["id"]
    when, offset = _time(message.get("timestamp"))
    if offset is not None:
        meta["utc_offset"] = offset
    if message.get("timestampEdited"):
        meta["edited"] = message["timestampEdited"]
    author = _who(message.get("author"))
    content = _content(message)
    type_ = word(message.get("type"))

    reactions = message.get("reactions")
    if isinstance(reactions, list):
        pairs = [((r.get("emoji") or {}).get("name"), r.get("count")) for r in reactions
                 if isinstance(r, dict) and isinstance(r.get("emoji"), dict)]
        if pairs:
            meta["reactions"] = pairs

    if type_ not in _MESSAGE_TYPES:
        if author:
            meta["by"] = author
        meta["type"] = type_
        marker = _SYSTEM_MARKERS.get(str(type_), f"[{type_}]")
        body = f"{author} {marker}" if author else marker
        if content and content.casefold() not in _ENGLISH_SYSTEM:
            body = f"{body} : {content}"
        return Unit(text=body, kind="system", author=None, time=when, meta=meta)

    reference = message.get("reference")
    if type_ == "Reply" and isinstance(reference, dict) and reference.get("messageId") is not None:
        meta["reply_to"] = reference["messageId"]
    files = [str(a.get("fileName")) for a in listed(message.get("attachments"))
             if isinstance(a, dict) and a.get("fileName")]
    if files:
        meta["attachment"] = True
        meta["file"] = files[0]
        if len(files) > 1:
            meta["files"] = files
    embeds = [e for e in listed(message.get("embeds")) if isinstance(e, dict) and e.get("url")]
    if embeds:
        meta["link"] = embeds[0]["url"]
    body = content
    if not body:
        if files:
            body = f"[fichier: {files[0]}]"
        elif embeds:
            body = f"[lien] {embeds[0]['url']}"
        else:
            body = "[message vide]"
    return Unit(text=body, kind="message", author=author or "Inconnu", time=when, meta=meta)
