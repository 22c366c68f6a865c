"""Slack workspace exports (zip or folder, possibly under one top folder).

Read: ``users.json``, the conversation lists (``channels.json``, ``groups.json``,
``mpims.json``, ``dms.json`` whose folders are named by id) and one
``<conversation>/YYYY-MM-DD.json`` list of messages per day.

Each conversation is one Document whose text is built here: one block per message,
``[2024-03-12 14:05] Camille Martin : texte`` and continuation lines; thread replies
follow their parent, indented and marked ``↳``, even from a later day file; system
events read ``[…] — Camille Martin a rejoint le canal``; a blank line between threads.
``meta["file"]``/``meta["ts"]`` point back at the message object. Times are UTC, naive.

A user reads as their real name, else display name, else handle (a citation should
name a person; display names are often handles). A bot reads as its ``username``,
its ``bot_profile`` name, the integration a ``bot_add`` event names, else ``bot B…``.
Unreadable day files and items become ``raw`` units; they, unknown ids, orphan
replies and files not read are counted in the report's notes.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..read import normalise
from ..types import Document, Unit
from .common import finish
from .jsonchat import describe_json_error, listed, word

name = "slack"
kind = "chat"
described = "Slack export"

#: Conversation lists and the kind of conversation each holds.
_LISTS = {"channels.json": "channel", "groups.json": "group", "mpims.json": "mpim", "dms.json": "dm"}
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
# Mentions, channel links, special commands, URLs; a literal < or > is escaped in exports.
_MARKUP = re.compile(r"<([@#!][^<>]*|[A-Za-z][\w+.-]*:[^<>]*)>")
_ENTITY = re.compile(r"&(lt|gt|amp);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&"}
_BOT_SERVICE = re.compile(r"/services/(B\w+)\|([^>]+)>")
_DELETED = "This message was deleted."

#: Channel and group events in words; ``{by}`` is the actor, other fields come from the message.
_EVENTS = {
    "join": "{by} a rejoint le canal",
    "leave": "{by} a quitté le canal",
    "topic": "{by} a changé le sujet : {topic}",
    "purpose": "{by} a changé l'objet du canal : {purpose}",
    "name": "{by} a renommé le canal « {old_name} » en « {name} »",
    "archive": "{by} a archivé le canal",
    "unarchive": "{by} a désarchivé le canal",
}
#: Subtypes read as system units; the others (file_share, bot_message, me_message…) are messages.
_SYSTEM = {f"{p}_{e}" for p in ("channel", "group") for e in _EVENTS} | {
    "pinned_item", "unpinned_item", "bot_add", "bot_remove", "bot_enable", "bot_disable",
    "channel_convert_to_private", "channel_convert_to_public", "tombstone", "message_deleted"}

_DayFile = tuple[str, list[Any] | None, str, str]  # path, items (None: unreadable), problem, text


def is_export(names: Iterable[str]) -> bool:
    """True for the paths of a Slack export: users.json, a conversation list and a day file."""
    return _strict_root({_clean(n) for n in names}) is not None


def in_folder(root: Path, names: list[str]) -> bool:
    """A folder holding users.json, a conversation list and day files (``<conversation>/YYYY-MM-DD.json``)."""
    if "users.json" not in names:
        return False
    days = [p.relative_to(root).as_posix() for p in root.glob("*/*.json")]
    return is_export([*names, *days])


def folder_files(root: Path) -> list[Path]:
    """Every JSON file of the folder and its subfolders."""
    return sorted(root.rglob("*.json"))


def in_archive(names: list[str]) -> bool:
    return is_export(names)


def archive_member(name: str) -> bool:
    return name.lower().endswith(".json")


def parse_files(files: Mapping[str, bytes], source: str, what: str) -> list[tuple[Document, str]]:
    """A document per conversation that holds a message (an empty one has nothing to keep)."""
    docs = [doc for doc in parse_export(files, source) if doc.units]
    if not docs:
        raise InputError(source, "Slack export without any message")
    return [(doc, f"slack ({what}: users.json, channels.json, {len(files)} JSON files)") for doc in docs]


def parse_export(files: Mapping[str, bytes], source: str) -> list[Document]:
    """One Document per conversation with day files, by folder name; InputError when unusable."""
    paths = {_clean(p): data for p, data in files.items() if not p.endswith("/")}
    root = _root(paths)
    rel = {p[len(root):]: d for p, d in paths.items() if p.startswith(root)}
    export = _Export.read(rel, f"{source}/{root}")
    folders: dict[str, dict[str, bytes]] = {}
    for path, data in sorted(rel.items()):
        folder, sep, rest = path.partition("/")
        if sep:
            folders.setdefault(folder, {})[rest] = data
        elif path != "users.json" and path not in _LISTS:
            export.notes.append(f"export file not read (not conversation data): {path}")
    days = {f: {p: d for p, d in fs.items() if _DAY.fullmatch(p)} for f, fs in folders.items()}
    export.notes += [f"folder without day files, not read: {f}/" for f, d in days.items() if not d]
    days = {f: d for f, d in days.items() if d}
    if not days:
        raise InputError(source, "no conversation folder with day files "
                                 "(<conversation>/YYYY-MM-DD.json) in the Slack export")
    read = {f: [(f"{f}/{p}", *_read_day(data)) for p, data in d.items()] for f, d in days.items()}
    for day_files in read.values():
        for _, items, _, _ in day_files:
            export.learn(items or [])
    return [_Conversation(export, folder, set(folders[folder]) - set(days[folder]))
            .document(read[folder], f"{source}#{folder}") for folder in days]


@dataclass
class _Export:
    """What the conversations of one export share: names of users, channels and bots."""

    users: dict[str, str] = field(default_factory=lambda: {"USLACKBOT": "Slackbot"})
    channels: dict[str, str] = field(default_factory=dict)  # id -> name, for <#C…> links
    bots: dict[str, str] = field(default_factory=dict)
    conversations: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)  # folder -> kind, entry
    notes: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, files: Mapping[str, bytes], where: str) -> _Export:
        export = cls()
        if "users.json" not in files:
            export.notes.append("no users.json: user ids left as they are")
        for entry in _read_list(files, "users.json", where):
            if entry.get("id"):
                export.users[str(entry["id"])] = _person(entry)
        for list_name, conv_kind in _LISTS.items():
            for entry in _read_list(files, list_name, where):
                folder = entry.get("id") if conv_kind == "dm" else entry.get("name")
                if folder:
                    export.conversations[str(folder)] = (conv_kind, entry)
                if entry.get("id") and entry.get("name"):
                    export.channels[str(entry["id"])] = str(entry["name"])
        return export

    def learn(self, items: list[Any]) -> None:
        """Bot names and inline user profiles found in messages."""
        for msg in (m for m in items if isinstance(m, dict)):
            profile, bot = msg.get("user_profile"), msg.get("bot_profile")
            if isinstance(profile, dict) and msg.get("user") and str(msg["user"]) not in self.users:
                self.users[str(msg["user"])] = _person(profile) or str(msg["user"])
            if isinstance(bot, dict) and bot.get("id") and bot.get("name"):
                self.bots.setdefault(str(bot["id"]), str(bot["name"]))
            if msg.get("subtype") == "bot_add":
                for bot_id, label in _BOT_SERVICE.findall(str(msg.get("text") or "")):
                    self.bots.setdefault(bot_id, label)


@dataclass
class _Entry:
    """A unit waiting for its place: sort key, the thread it answers, its replies."""

    key: tuple[Decimal, int]
    unit: Unit
    thread: str | None = None
    replies: list[_Entry] = field(default_factory=list)


class _Conversation:
    """Reads the day files of one conversation into a Document."""

    def __init__(self, export: _Export, folder: str, others: set[str]) -> None:
        self.export, self.folder, self.others = export, folder, others
        self.listed = folder in export.conversations
        self.conv_kind, self.info = export.conversations.get(folder, ("channel", {}))
        self.issues: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()

    def document(self, days: list[_DayFile], source: str) -> Document:
        notes: list[str] = []
        entries: list[_Entry] = []
        for path, items, problem, text in days:
            base = _day_start(path)
            if problem:
                kept = normalise(text).strip() if items is None else ""
                notes.append(f"{path}: {problem}" + ("; its text kept as a raw unit" if kept else ""))
                if kept:
                    raw = Unit(text=kept, kind="raw", meta={"file": path})
                    entries.append(_Entry((base, len(entries)), raw))
            for item in items or []:
                entries.append(self.entry(item, path, (base, len(entries))))
        if not entries:
            notes.append("no messages in its day files")
        text, units = _layout(self.threads(sorted(entries, key=lambda e: e.key)))
        doc = Document(source=source, kind=kind, format=name, text=text, units=units, title=self.title(),
                       participants=[self.user(m, count=False) for m in listed(self.info.get("members"))])
        doc.metadata.update(self.metadata(len(days)))
        times = [u.time for u in units if u.time is not None]
        if times:
            doc.date = min(times)
            doc.report.first, doc.report.last = (f"{t:%Y-%m-%d %H:%M}" for t in (min(times), max(times)))
        return finish(doc, notes=notes + self.notes() + self.export.notes)

    def entry(self, item: Any, path: str, key: tuple[Decimal, int]) -> _Entry:
        if not isinstance(item, dict):
            self.issues["items"] += 1
            text = normalise(item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)).strip()
            return _Entry(key, Unit(text=text or "[élément vide]", kind="raw", meta={"file": path}))
        msg, changed = item, item.get("subtype") == "message_changed" and isinstance(item.get("message"), dict)
        if changed:
            msg = {**item["message"], "edited": item["message"].get("edited") or True}
        ts = str(msg["ts"]) if msg.get("ts") is not None else None
        stamp = _decimal(ts)
        if stamp is None:
            self.issues["untimed"] += 1
        unit = self.unit(msg, path, ts)
        if changed:
            unit.meta["subtype"] = "message_changed"
        thread = str(msg["thread_ts"]) if msg.get("thread_ts") else None
        return _Entry((key[0] if stamp is None else stamp, key[1]), unit, thread if thread != ts else None)

    def unit(self, msg: dict[str, Any], path: str, ts: str | None) -> Unit:
        subtype = word(msg.get("subtype"))
        meta: dict[str, Any] = {"file": path, "ts": ts, "subtype": subtype, "edited": bool(msg.get("edited"))}
        meta = {k: v for k, v in meta.items() if v}
        deleted = subtype in ("tombstone", "message_deleted") or msg.get("text") == _DELETED
        if deleted or subtype in _SYSTEM:
            by = self.user(msg["user"]) if msg.get("user") else msg.get("username")
            if by:
                meta["by"] = str(by)
            if deleted:
                meta["deleted"] = True
            text = "message supprimé" if deleted else self.event(msg, str(by or "quelqu'un"))
            return Unit(text=text, kind="system", time=_time(ts), meta=meta)
        reactions = {str(r.get("name")): r.get("count") for r in listed(msg.get("reactions")) if isinstance(r, dict)}
        if reactions:
            meta["reactions"] = reactions
        author = self.author(msg, meta)
        return Unit(text=self.body(msg, meta), kind="message", author=author, time=_time(ts), meta=meta)

    def event(self, msg: dict[str, Any], by: str) -> str:
        """A system event in words: French for channel events, else Slack's text after the actor."""
        subtype = str(msg.get("subtype"))
        template = _EVENTS.get(subtype.partition("_")[2], "") if subtype.startswith(("channel_", "group_")) else ""
        fields = {k: self.render(str(msg[k])) for k in ("topic", "purpose", "name", "old_name") if msg.get(k)}
        try:
            text = template.format_map({**fields, "by": by})
        except KeyError:
            template = text = ""
        if not text:
            text = self.render(str(msg.get("text") or ""))
            text = f"{by} {text}" if text and by not in text and by != "quelqu'un" else text
        if msg.get("inviter") and template:
            text += f" (invitation de {self.user(msg['inviter'])})"
        return text or f"[{subtype}]"

    def author(self, msg: dict[str, Any], meta: dict[str, Any]) -> str:
        bot_id = msg.get("bot_id")
        if msg.get("subtype") == "bot_message" or bot_id:
            meta["bot"] = True
            profile = msg.get("bot_profile") if isinstance(msg.get("bot_profile"), dict) else {}
            for found in (msg.get("username"), profile.get("name"), self.export.bots.get(str(bot_id))):
                if found:
                    return str(found)
        comment = msg.get("comment") if isinstance(msg.get("comment"), dict) else {}
        user = msg.get("user") or comment.get("user")
        if user:
            return self.user(user)
        return str(msg.get("username") or (f"bot {bot_id}" if bot_id else "Inconnu"))

    def body(self, msg: dict[str, Any], meta: dict[str, Any]) -> str:
        """The text, then link unfurls and bot attachments, then a marker per shared file."""
        parts = [self.render(str(msg.get("text") or ""))]
        parts += [self.attachment(a) for a in listed(msg.get("attachments")) if isinstance(a, dict)]
        files = [f for f in [msg.get("file"), *listed(msg.get("files"))] if isinstance(f, dict)]
        if files:
            meta["attachment"] = True
            meta["files"] = [str(f.get("name") or f.get("title") or f.get("id") or "fichier") for f in files]
            parts += [f"[pièce jointe : {n}]" for n in meta["files"]]
        return "\n".join(p for p in parts if p) or "[message vide]"

    def attachment(self, att: dict[str, Any]) -> str:
        """Quoted lines: pretext, author, title (link), text, fields; else the fallback."""
        title, link = att.get("title"), att.get("title_link")
        pieces = [att.get("pretext"), att.get("author_name"),
                  f"{title} ({link})" if title and link and link != title else title, att.get("text")]
        pieces += [f"{f.get('title')} : {f.get('value')}" for f in listed(att.get("fields")) if isinstance(f, dict)]
        lines = [self.render(str(p)) for p in pieces if p] or [self.render(str(att.get("fallback") or ""))]
        return "\n".join("> " + line for text in lines if text for line in text.split("\n"))

    def render(self, text: str) -> str:
        """Slack markup as readable text, then ``&lt; &gt; &amp;`` unescaped."""
        text = _MARKUP.sub(lambda m: self.markup(m.group(1)), text)
        return normalise(_ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)).strip()

    def markup(self, inner: str) -> str:
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or self.user(target[1:]))
        if target.startswith("#"):
            return "#" + (label or self.export.channels.get(target[1:], target[1:]))
        if target.startswith("!"):
            word = target[1:]
            if word in ("here", "channel", "everyone"):
                return "@" + word
            if word.startswith("subteam^"):
                return label if label.startswith("@") else "@" + (label or word[8:])
            return label or word
        address = target.removeprefix("mailto:")
        if not label or label in (address, target) or target.endswith("//" + label):
            return address
        return f"{label} ({address})"

    def user(self, user_id: Any, count: bool = True) -> str:
        """The name of a user id; an unknown id is kept (and counted)."""
        user_id = str(user_id)
        if count and user_id not in self.export.users:
            self.unknown[user_id] += 1
        return self.export.users.get(user_id, user_id)

    def threads(self, entries: list[_Entry]) -> list[_Entry]:
        """Top-level entries in time order, each with its replies; orphan replies stay top-level."""
        parents: dict[str, _Entry] = {}
        for entry in entries:
            if entry.thread is None and entry.unit.meta.get("ts"):
                parents.setdefault(entry.unit.meta["ts"], entry)
        tops = []
        for entry in entries:
            parent = parents.get(entry.thread) if entry.thread else None
            if entry.thread:
                entry.unit.meta["thread"] = entry.thread
            if parent is None:
                if entry.thread:
                    self.issues["orphans"] += 1
                tops.append(entry)
                continue
            parent.replies.append(entry)
            if parent.unit.author:
                entry.unit.meta["reply_to"] = parent.unit.author
        return tops

    def title(self) -> str:
        members = ", ".join(self.user(m, count=False) for m in listed(self.info.get("members")))
        if self.conv_kind in ("dm", "mpim") and members:
            return f"Message direct : {members}" if self.conv_kind == "dm" else f"Groupe : {members}"
        return f"#{self.info.get('name') or self.folder}"

    def metadata(self, day_files: int) -> dict[str, Any]:
        meta: dict[str, Any] = {"slack_channel": str(self.info.get("name") or self.folder),
                                "slack_channel_id": self.info.get("id"), "slack_type": self.conv_kind,
                                "day_files": day_files}
        for key in ("topic", "purpose"):
            value = self.info.get(key)
            value = value.get("value") if isinstance(value, dict) else value
            if value:
                meta[key] = self.render(str(value))
        return meta

    def notes(self) -> list[str]:
        notes = [] if self.listed else [f"{self.folder}/ is in no conversation list (channels, groups, dms, mpims)"]
        if self.others:
            notes.append(f"files in {self.folder}/ not read (not day files): {', '.join(sorted(self.others))}")
        counts = {"items": "day-file items that are not message objects, kept as raw units",
                  "untimed": "messages without a usable ts, placed at the start of their day",
                  "orphans": "thread replies whose parent is not in the export, kept in time order"}
        notes += [f"{self.issues[k]} {words}" for k, words in counts.items() if self.issues[k]]
        if self.unknown:
            notes.append(f"{sum(self.unknown.values())} mentions or authors with a user id not in users.json, "
                         f"left as ids: {', '.join(sorted(self.unknown))}")
        return notes


def _layout(tops: list[_Entry]) -> tuple[str, list[Unit]]:
    """The document text (one block per unit, a blank line between threads) and the units in its order."""
    parts: list[str] = []
    units: list[Unit] = []
    length = lines = 0
    for top in tops:
        for entry in (top, *sorted(top.replies, key=lambda e: e.key)):
            unit, reply = entry.unit, entry is not top
            lead, indent = ("  ↳ ", "    ") if reply else ("", "")
            first, *rest = unit.text.split("\n")
            block = "\n".join([lead + _head(unit) + first, *(indent + r if r.strip() else "" for r in rest)])
            sep = "" if not parts else "\n" if reply else "\n\n"
            unit.start, unit.line_start = length + len(sep) + len(lead), lines + sep.count("\n") + 1
            parts += [sep, block]
            length += len(sep) + len(block)
            lines += sep.count("\n") + block.count("\n")
            unit.end, unit.line_end = length, lines + 1
            units.append(unit)
    return "".join(parts), units


def _head(unit: Unit) -> str:
    if unit.kind == "raw":
        return f"[illisible : {unit.meta['file']}] "
    stamp = f"[{unit.time:%Y-%m-%d %H:%M}]" if unit.time else "[sans date]"
    return f"{stamp} — " if unit.kind == "system" else f"{stamp} {unit.author} : "


def _read_day(data: bytes) -> tuple[list[Any] | None, str, str]:
    """A day file's items (None when unreadable), what went wrong, and its text (a BOM is fine)."""
    try:
        text, problem = data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        text, problem = data.decode("utf-8-sig", errors="replace"), "not valid UTF-8 (bad bytes replaced)"
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        return None, describe_json_error(text, error), text
    except RecursionError:
        return None, "invalid JSON: nested too deeply to read", text
    if not isinstance(items, list):
        return None, f"expected a JSON list, found {json.dumps(items, ensure_ascii=False)[:40]}", text
    return items, problem, text


def _read_list(files: Mapping[str, bytes], list_name: str, where: str) -> list[dict[str, Any]]:
    """The objects of users.json or a conversation list ([] when absent); InputError when malformed."""
    items, problem, _ = _read_day(files.get(list_name, b"[]"))
    if items is None or problem:
        raise InputError(where + list_name, problem.replace(" (bad bytes replaced)", ""))
    if not all(isinstance(e, dict) for e in items):
        raise InputError(where + list_name, "not a list of objects")
    return items


def _person(entry: dict[str, Any]) -> str:
    """Real name, else display name, else handle."""
    profile = entry.get("profile") if isinstance(entry.get("profile"), dict) else {}
    for found in (profile.get("real_name"), entry.get("real_name"), profile.get("display_name"),
                  entry.get("display_name"), entry.get("name")):
        if isinstance(found, str) and found.strip():
            return found.strip()
    return str(entry.get("id") or "")


def _day_start(path: str) -> Decimal:
    """Epoch seconds of a day file's midnight (UTC): where its untimed items sort."""
    try:
        return Decimal(int(datetime.strptime(path[-15:-5], "%Y-%m-%d").replace(tzinfo=UTC).timestamp()))
    except ValueError:
        return Decimal(0)


def _decimal(ts: str | None) -> Decimal | None:
    """A Slack ts as a number (seconds since 1970), None when unusable."""
    try:
        value = Decimal(ts)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError):
        return None
    return value if value.is_finite() and 0 <= value < 2**33 else None


def _time(ts: str | None) -> datetime | None:
    value = _decimal(ts)
    return None if value is None else datetime.fromtimestamp(float(value), UTC).replace(tzinfo=None)


def _clean(path: str) -> str:
    return path.replace("\\", "/").removeprefix("./")


def _is_day(path: str) -> bool:
    folder, _, base = path.partition("/")
    return bool(folder) and "/" not in base and _DAY.fullmatch(base) is not None


def _strict_root(paths: set[str]) -> str | None:
    """The folder ("" or "top/") holding users.json, a conversation list and a day file."""
    for users in sorted(p for p in paths if p.rpartition("/")[2] == "users.json" and p.count("/") <= 1):
        root = users[: -len("users.json")]
        if any(root + f in paths for f in _LISTS) and any(_is_day(p[len(root):]) for p in paths if p.startswith(root)):
            return root
    return None


def _root(paths: Mapping[str, bytes]) -> str:
    """Where the export starts: the strict root, else the first folder ("" first) holding day files."""
    found = _strict_root(set(paths))
    if found is not None:
        return found
    for root in ["", *sorted({p.split("/", 1)[0] + "/" for p in paths if "/" in p})]:
        if any(_is_day(p[len(root):]) for p in paths if p.startswith(root)):
            return root
    return ""
