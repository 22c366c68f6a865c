"""WhatsApp ``.txt`` exports (Android and iOS, French and other locales).

A message starts with a header line holding a date and a time:

- Android: ``12/03/2024, 14:05 - Nom: message`` (French: ``12/03/2024 à 14:05 - …``);
- iOS: ``[12/03/2024 14:05:33] Nom: message`` or ``[3/6/18, 1:55:00 PM] …``.

Dates are d/m/y, m/d/y or y/m/d with ``/``, ``.`` or ``-`` and 2- or 4-digit
years; clocks are 24-hour or 12-hour (``AM``, ``a.m.``, ``a. m.``), with
optional seconds and ``.`` as separator (``21.25.15``). Lines without a
header continue the previous message. A header without ``Author:`` is a
``system`` unit (group created, member added, encryption notice…).

Day/month order is decided for the whole file: a first field above 12 means
d/m, a second field above 12 means m/d; otherwise the order under which the
dates run forward wins, and on a tie d/m (French exports).
"""

from __future__ import annotations

import re
from datetime import datetime
from itertools import pairwise

from ..types import Document, Unit
from .base import Line, split_lines
from .common import finish, sniff_sample, span_unit

name = "whatsapp"
kind = "chat"

_HEADER = re.compile(
    r"^\s*(?P<open>\[)?\s*"
    r"(?P<d1>\d{1,4})(?P<sep>[/.\-])(?P<d2>\d{1,2})(?P=sep)(?P<d3>\d{1,4})"
    r"(?:,?\s*(?:à|a las|um|klo|at|kl\.)\s+|,\s*|\s+)"
    r"(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?\.?"
    r"(?:[\s_]*(?P<ampm>[aApP]\.?\s?[mM]\.?))?"
    r"(?(open)\s*\]\s?|\s*(?:-|–|:)\s)"
    r"(?P<rest>.*)$"
)
_AUTHOR = re.compile(r"^(?P<author>[^:\n]{1,80}?):(?!\d)(?!//)\s?(?P<body>.*)$", re.DOTALL)

# Phrases of system lines (checked on the part before a colon, and at the start of a body).
_SYSTEM = re.compile(
    r"chiffrés de bout en bout|end-to-end encrypt|a créé le groupe|created group|created this group"
    r"|\ba ajouté\b|\badded\b|\bwere added\b|\best parti\b|\bleft\b|\ba retiré\b|\bremoved\b"
    r"|changed the subject|a changé le sujet|a modifié le sujet|changed this group|a changé l['’]icône"
    r"|a modifié|a changé|changed (?:the|their|your|this)|security code|code de sécurité"
    r"|joined using|a rejoint|s['’]est joint|disappearing messages|messages éphémères",
    re.IGNORECASE,
)
_SYSTEM_BODY = re.compile(
    r"^(?:Les messages et les appels sont chiffrés|Messages and calls are end-to-end|"
    r"Messages to this group are now secured|.{0,60}(?:a créé le groupe|created group))",
    re.IGNORECASE,
)
_DELETED = re.compile(
    r"^\s*(?:Ce message a été supprimé|Vous avez supprimé ce message|This message was deleted"
    r"|You deleted this message|Message supprimé)\.?\s*$",
    re.IGNORECASE,
)
_ATTACHMENT = re.compile(
    r"<\s*(?:Médias? omis|Media omitted|Fichier omis)\s*>"
    r"|<\s*(?:attached|pièce jointe)\s*:\s*(?P<file1>[^>]+?)\s*>"
    r"|(?P<file2>\S+\.\w{2,5}) \((?:fichier joint|file attached|pièce jointe)\)"
    r"|^\s*(?:image|vidéo|video|audio|sticker|GIF|document|photo|contact|carte)s? (?:absente?|omis(?:e)?|omitted)\s*$",
    re.IGNORECASE,
)
AUTHOR_MAX_WORDS = 8


def _headers(lines: list[str]) -> list[tuple[int, re.Match[str]]]:
    return [(i, m) for i, line in enumerate(lines) if (m := _HEADER.match(line))]


def sniff(text: str, filename: str) -> tuple[float, str]:
    """Share of non-blank lines that start with a WhatsApp date-time header."""
    lines = [line for line in sniff_sample(text).split("\n") if line.strip()]
    found = _headers(lines)
    share = len(found) / len(lines) if lines else 0.0
    order, _ = _date_order([m for _, m in found])
    if len(found) >= 3 and share >= 0.3:
        confidence = 0.9
    elif found and share >= 0.3:
        confidence = 0.45
    else:
        confidence = 0.0
    reason = (f"{len(found)} of {len(lines)} non-blank lines ({share:.0%}) are WhatsApp headers; "
              f"date order {order}")
    return confidence, reason


def parse(text: str, source: str) -> Document:
    """Messages, system lines and continuation lines of a WhatsApp export."""
    lines = split_lines(text)
    candidates = _headers([line.text for line in lines])
    order, note = _date_order([m for _, m in candidates])
    headers: dict[int, tuple[re.Match[str], datetime]] = {}
    for i, match in candidates:
        when = _datetime(match, order)
        if when is not None:
            headers[i] = (match, when)

    units: list[Unit] = []
    pending: list[Line] = []  # lines before the first header
    current: tuple[re.Match[str], datetime, list[Line]] | None = None

    def close() -> None:
        if current is not None:
            units.append(_unit(*current))

    for i, line in enumerate(lines):
        if i in headers:
            close()
            match, when = headers[i]
            current = (match, when, [line])
        elif current is not None:
            current[2].append(line)
        elif line.text.strip():
            pending.append(line)
    close()
    raw = [span_unit([line], line.text.strip(), "raw") for line in pending]
    doc = Document(source=source, kind=kind, format=name, text=text, units=raw + units)
    doc.metadata["date_order"] = order
    times = [u.time for u in units if u.time is not None]
    if times:
        doc.date = min(times)
        doc.report.first = min(times).strftime("%Y-%m-%d %H:%M")
        doc.report.last = max(times).strftime("%Y-%m-%d %H:%M")
    notes = [note] if note else []
    bad = len(candidates) - len(headers)
    if bad:
        notes.append(f"{bad} header-like lines with an impossible date kept as message text")
    return finish(doc, notes=notes)


def _date_order(matches: list[re.Match[str]]) -> tuple[str, str]:
    """'dmy' or 'mdy' for the file's non-year-first dates, and a note when it was a guess."""
    pairs = [(int(m["d1"]), int(m["d2"])) for m in matches if len(m["d1"]) <= 2]
    first_big = sum(1 for a, _ in pairs if a > 12)
    second_big = sum(1 for _, b in pairs if b > 12)
    if first_big or second_big:
        return ("dmy" if first_big >= second_big else "mdy"), ""
    if not pairs:
        return ("ymd" if matches else "dmy"), ""
    backwards = {}
    for order in ("dmy", "mdy"):
        stamps = [t for m in matches if len(m["d1"]) <= 2 and (t := _datetime(m, order))]
        backwards[order] = sum(1 for a, b in pairwise(stamps) if b < a)
    if backwards["dmy"] != backwards["mdy"]:
        order = min(backwards, key=backwards.__getitem__)
        return order, (f"day/month order ambiguous (no field above 12): chose {order}, "
                       f"under which the dates run forward")
    return "dmy", "day/month order ambiguous (no field above 12): chose d/m, the French order"


def _datetime(match: re.Match[str], order: str) -> datetime | None:
    a, b, c = int(match["d1"]), int(match["d2"]), int(match["d3"])
    if len(match["d1"]) > 2:
        fields = [(a, b, c)]
    elif len(match["d3"]) not in (2, 4):
        return None
    else:
        year = c + 2000 if len(match["d3"]) <= 2 else c
        dmy, mdy = (year, b, a), (year, a, b)
        fields = [dmy, mdy] if order == "dmy" else [mdy, dmy]
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    ampm = (match["ampm"] or "")[:1].lower()
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    for year, month, day in fields:
        try:
            return datetime(year, month, day, hour, minute, second)
        except ValueError:
            continue
    return None


def _unit(match: re.Match[str], when: datetime, lines: list[Line]) -> Unit:
    rest = match["rest"]
    first = lines[0]
    body_start = first.start + match.start("rest")
    author: str | None = None
    body = rest
    found = _AUTHOR.match(rest)
    if found:
        candidate = found["author"].strip().lstrip("~").strip()
        if (candidate and len(candidate.split()) <= AUTHOR_MAX_WORDS and not _SYSTEM.search(candidate)
                and not _SYSTEM_BODY.match(found["body"])):
            author = candidate
            body = found["body"]
            body_start = first.start + match.start("rest") + found.start("body")
    more = [line.text for line in lines[1:]]
    while more and not more[-1].strip():
        more.pop()
    message = "\n".join([body, *more]).strip()
    meta: dict[str, object] = {}
    if author is None and found and _SYSTEM_BODY.match(found["body"]):
        meta["by"] = found["author"].strip().lstrip("~").strip()
    kind_ = "message" if author else "system"
    if not message:
        message = rest.strip() or first.text.strip()
        body_start = first.start
    if author and _DELETED.match(message):
        meta["deleted"] = True
    attached = _ATTACHMENT.search(message)
    if attached:
        meta["attachment"] = True
        file = attached["file1"] or attached["file2"]
        if file:
            meta["file"] = file
    unit = span_unit(lines, message, kind_, author=author, time=when, meta=meta)
    if body.strip():
        lead = len(body) - len(body.lstrip())
        unit.start = max(unit.start, body_start + lead) if author else unit.start
    return unit
