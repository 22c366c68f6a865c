"""WhatsApp ``.txt`` exports (Android and iOS, French and other locales).

A message starts with a header line holding a date and a time:

- Android: ``12/03/2024, 14:05 - Nom: message`` (French: ``12/03/2024 à 14:05 - …``);
- iOS: ``[12/03/2024 14:05:33] Nom: message`` or ``[3/6/18, 1:55:00 PM] …``.

Dates are d/m/y, m/d/y or y/m/d with ``/``, ``.`` or ``-`` and 2- or 4-digit
years (also ``13. 6. 2018.`` and the rare m/y/d); clocks are 24-hour or
12-hour (``AM``, ``a.m.``, ``a. m.``), with optional seconds and ``.`` as
separator (``21.25.15``). Lines without a header continue the previous
message. A header without ``Author:`` is a ``system`` unit (group created,
member added, encryption notice…). Edit markers (``<Ce message a été
modifié>``) leave the text and set ``meta["edited"]``; media placeholders set
``meta["attachment"]``.

Day/month order is decided for the whole file: a first field above 12 means
d/m, a second field above 12 means m/d; otherwise the order under which the
dates run forward wins, then the order whose day field changes most from one
message to the next, and on a tie d/m (French exports).

``parse`` reads decoded text; ``iter_messages`` streams a file in two passes
(date evidence, then units) with memory that does not grow with the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from ..errors import InputError
from ..read import encoding_from_head, normalise, repair_mojibake
from ..types import Document, Unit
from .base import Line, split_lines
from .common import finish, sniff_sample, span_unit

name = "whatsapp"
kind = "chat"
reads_json = False

# Never two blank runs in a row that can share characters (as "\s*\[?\s*" did): on a line of
# spaces the match backtracked quadratically (6 s for 16 000 spaces).
_HEADER = re.compile(
    r"""
    ^[\u200e\u200f]*(?:\s*(?P<open>\[))?\s*             # iOS opens with "["; a direction mark may lead
    (?P<d1>\d{1,4})(?P<sep>[/.\-])(?P<spaced>\s)?       # "12/", "12.", "12-", or "13. " (spaced dots)
    (?P<d2>\d{1,4})(?P=sep)(?(spaced)\s)               # four digits here: m/y/d ("06/2018/13")
    (?P<d3>\d{1,4})(?(spaced)\.)                        # spaced dates end with a dot: "13. 6. 2018."
    (?:,?\s*(?:à|a\ las|um|klo|at|kl\.)\s+|[,;]\s*|\s+)    # between date and time
    (?P<h>\d{1,2})[:.](?P<m>\d{2})(?:[:.](?P<s>\d{2}))?\.?
    (?:[\s_]*(?P<ampm>[aApP]\.?\s?[mM]\.?))?
    (?(open)\s*\]\s?                                    # iOS closes with "] "
      |\s*(?:[-–:;]\s|(?(spaced)(?<=\s)(?=\S)|(?!))))    # Android " - "; spaced dates may have nothing
    (?P<rest>.*)$
    """,
    re.VERBOSE,
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
    r"^[\u200e\u200f]?(?:Les messages et les appels sont chiffrés|Messages and calls are end-to-end|"
    r"Messages to this group are now secured|.{0,60}(?:a créé le groupe|created group))",
    re.IGNORECASE,
)
_DELETED = re.compile(
    r"^\s*(?:Ce message a été supprimé|Vous avez supprimé ce message|This message was deleted"
    r"|You deleted this message|Message supprimé)\.?\s*$",
    re.IGNORECASE,
)
# Appended by WhatsApp (2023 on) to a message that was edited, after a space.
_EDITED = re.compile(
    r"\s*[\u200e\u200f]?<[\u200e\u200f]?(?:Ce message a été modifié|This message was edited"
    r"|Este mensaje fue editado|Se editó este mensaje|Diese Nachricht wurde bearbeitet"
    r"|Questo messaggio è stato modificato|Esta mensagem foi editada|Mensagem editada"
    r"|Dit bericht is bewerkt)\.?>\s*$",
    re.IGNORECASE,
)
_ATTACHMENT = re.compile(
    r"<\s*(?:Médias? omis|Media omitted|Fichier omis|Medien ausgeschlossen|Multimedia omitido"
    r"|Media omessi|Mídia oculta|Arquivo de mídia oculto|Media weggelaten)\s*>"
    r"|<\s*(?:attached|pièce jointe)\s*:\s*(?P<file1>[^>]+?)\s*>"
    r"|(?<!\S)(?P<file2>\S+\.\w{2,5})\s?(?:\((?:fichier joint|file attached|pièce jointe|Datei angehängt"
    r"|archivo adjunto|file allegato|arquivo anexado|bestand bijgevoegd)\)|<[\u200e\u200f]?attached>)"
    r"|^\s*[\u200e\u200f]?(?:image|vidéo|video|audio|sticker|autocollant|GIF|document|photo|contact"
    r"|carte de contact|contact card|carte)s? (?:absente?|omis(?:e)?|omitted|retirée?)\s*$",
    re.IGNORECASE,
)
AUTHOR_MAX_WORDS = 8

_AMBIGUOUS = "day/month order ambiguous (no field above 12)"


def sniff(text: str, filename: str) -> tuple[float, str]:
    """Share of non-blank lines that start with a WhatsApp date-time header."""
    lines = [line for line in sniff_sample(text).split("\n") if line.strip()]
    tally = _tally(_HEADER.match(line) for line in lines)
    share = tally.headers / len(lines) if lines else 0.0
    order, _ = tally.decide()
    if tally.headers >= 3 and share >= 0.3:
        confidence = 0.9
    elif tally.headers and share >= 0.3:
        confidence = 0.45
    else:
        confidence = 0.0
    reason = (f"{tally.headers} of {len(lines)} non-blank lines ({share:.0%}) are WhatsApp headers; "
              f"date order {order}")
    return confidence, reason


def parse(text: str, source: str) -> Document:
    """Messages, system lines and continuation lines of a WhatsApp export."""
    matched = list(_matched(split_lines(text)))
    tally = _tally(match for _, match in matched)
    order, note = tally.decide()
    doc = Document(source=source, kind=kind, format=name, text=text, units=list(_units(matched, order)))
    doc.metadata["date_order"] = order
    times = [u.time for u in doc.units if u.time is not None]
    if times:
        doc.date = min(times)
        doc.report.first = min(times).strftime("%Y-%m-%d %H:%M")
        doc.report.last = max(times).strftime("%Y-%m-%d %H:%M")
    notes = [note] if note else []
    if tally.impossible:
        notes.append(f"{tally.impossible} header-like lines with an impossible date kept as message text")
    edited = sum(1 for u in doc.units if u.meta.get("edited"))
    if edited:
        notes.append(f"{edited} message{'s' if edited > 1 else ''} edited")
    return finish(doc, notes=notes)


def iter_messages(path: str | os.PathLike, encoding: str | None = None) -> Iterator[Unit]:
    """Units (message / system / raw) of a WhatsApp .txt export read as a stream: memory does not grow with the file.

    The file is read twice: once for the day/month order, once for the units.
    Text is decoded and normalised line by line as ``read_file`` does for the
    whole file, so the units equal ``parse(read_file(path).text, …).units``.
    """
    yield from stream_plan(path, encoding).units()


@dataclass
class StreamPlan:
    """What the first streamed read of an export decides for the whole file: its codec and date order."""

    path: str | os.PathLike
    codec: str
    order: str
    notes: list[str]

    def lines(self) -> Iterator[Line]:
        """The file's lines, decoded and normalised one at a time."""
        return _stream_lines(self.path, self.codec)

    def units(self, lines: Iterable[Line] | None = None) -> Iterator[Unit]:
        """Units of ``lines`` (default: the file's), as ``parse`` gives them."""
        return _units(_matched(self.lines() if lines is None else lines), self.order)


def stream_plan(path: str | os.PathLike, encoding: str | None = None) -> StreamPlan:
    """Read ``path`` once for its codec and day/month order (memory does not grow with the file)."""
    codec, tally = _first_pass(path, encoding)
    order, note = tally.decide()
    notes = [note] if note else []
    if tally.impossible:
        notes.append(f"{tally.impossible} header-like lines with an impossible date kept as message text")
    return StreamPlan(path, codec, order, notes)


# --- day/month order -----------------------------------------------------------------------


@dataclass
class _DateOrderTally:
    """Evidence for the file's day/month order, gathered one header at a time."""

    headers: int = 0  # header-like lines
    open_dates: int = 0  # of them, dates whose day/month order is open (year not first)
    impossible: int = 0  # header-like lines whose date or time does not exist
    first_big: int = 0  # open dates whose first field is above 12
    second_big: int = 0
    backward: dict[str, int] = field(default_factory=lambda: {"dmy": 0, "mdy": 0})
    first_change: int = 0  # sum of the moves of the first field between consecutive open dates
    second_change: int = 0
    _last: dict[str, datetime] = field(default_factory=dict)
    _last_pair: tuple[int, int] | None = None

    def add(self, match: re.Match[str]) -> None:
        """Count one header."""
        self.headers += 1
        parts = _date_parts(match)
        clock = _clock(match)
        stamps = {order: _stamp(parts, clock, order) for order in ("dmy", "mdy")}
        if stamps["dmy"] is None:
            self.impossible += 1
        if parts is None or not parts[3]:
            return
        _, a, b, _ = parts
        self.open_dates += 1
        self.first_big += a > 12
        self.second_big += b > 12
        if stamps["dmy"] is None:
            return
        for order, stamp in stamps.items():
            assert stamp is not None  # both orders are tried, so both or neither exist
            last = self._last.get(order)
            if last is not None and stamp < last:
                self.backward[order] += 1
            self._last[order] = stamp
        if self._last_pair is not None:
            self.first_change += abs(a - self._last_pair[0])
            self.second_change += abs(b - self._last_pair[1])
        self._last_pair = (a, b)

    def decide(self) -> tuple[str, str]:
        """'dmy', 'mdy' or 'ymd' for the file, and a note when it was a guess."""
        if self.first_big or self.second_big:
            return ("dmy" if self.first_big >= self.second_big else "mdy"), ""
        if not self.open_dates:
            return ("ymd" if self.headers else "dmy"), ""
        dmy, mdy = self.backward["dmy"], self.backward["mdy"]
        if dmy != mdy:
            order = "dmy" if dmy < mdy else "mdy"
            return order, f"{_AMBIGUOUS}: chose {order}, under which the dates run forward"
        if self.first_change != self.second_change:
            order = "dmy" if self.first_change > self.second_change else "mdy"
            return order, f"{_AMBIGUOUS}: chose {order}, whose day field changes most between messages"
        return "dmy", f"{_AMBIGUOUS}: chose d/m, the French order"


def _tally(matches: Iterable[re.Match[str] | None]) -> _DateOrderTally:
    """The date-order evidence of a run of header matches (None for lines that are not headers)."""
    tally = _DateOrderTally()
    for match in matches:
        if match:
            tally.add(match)
    return tally


def _date_parts(match: re.Match[str]) -> tuple[int, int, int, bool] | None:
    """(year, a, b, open) of a header's date; None when no field can be the year.

    Year-first dates give (year, month, day, False); the others (year, a, b, True)
    where a, b are day and month in the file's order, as written.
    """
    d1, d2, d3 = match["d1"], match["d2"], match["d3"]
    if len(d1) > 2:
        return int(d1), int(d2), int(d3), False
    if len(d2) == 4 and len(d3) <= 2:  # m/y/d, seen in one locale
        return int(d2), int(d1), int(d3), True
    if len(d2) > 2 or len(d3) not in (2, 4):
        return None
    year = int(d3) + 2000 if len(d3) == 2 else int(d3)
    return year, int(d1), int(d2), True


def _datetime(match: re.Match[str], order: str) -> datetime | None:
    """The header's date and time read in ``order`` (or the other order when impossible)."""
    return _stamp(_date_parts(match), _clock(match), order)


def _clock(match: re.Match[str]) -> tuple[int, int, int]:
    """Hour (0-23, or as written when out of range), minute and second of a header."""
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    ampm = (match["ampm"] or "")[:1].lower()
    if ampm == "p" and hour < 12:
        hour += 12
    elif ampm == "a" and hour == 12:
        hour = 0
    return hour, minute, second


def _stamp(parts: tuple[int, int, int, bool] | None, clock: tuple[int, int, int], order: str) -> datetime | None:
    """A datetime from date parts and a clock, day/month read in ``order`` first; None when impossible."""
    if parts is None:
        return None
    year, a, b, open_order = parts
    if not open_order:
        fields = [(a, b)]
    else:
        fields = [(b, a), (a, b)] if order == "dmy" else [(a, b), (b, a)]  # (month, day)
    for month, day in fields:
        try:
            return datetime(year, month, day, *clock)
        except ValueError:
            continue
    return None


# --- lines to units ------------------------------------------------------------------------


def _matched(lines: Iterable[Line]) -> Iterator[tuple[Line, re.Match[str] | None]]:
    """Each line with its header match, if it looks like one."""
    for line in lines:
        yield line, _HEADER.match(line.text)


def _units(matched: Iterable[tuple[Line, re.Match[str] | None]], order: str) -> Iterator[Unit]:
    """Units in source order; on iOS, lines "written" by the group itself are system lines.

    iOS writes group events as ``[…] Groupe Veille: Camille a ajouté Karim``, the
    group's name where an author goes; the encryption notice names the group first.
    """
    group: str | None = None
    for unit in _header_units(matched, order):
        if unit.kind == "system" and group is None and unit.meta.get("by"):
            group = str(unit.meta["by"])
        elif group is not None and unit.author == group:
            unit.kind, unit.author = "system", None
            unit.meta["by"] = group
        yield unit


def _header_units(matched: Iterable[tuple[Line, re.Match[str] | None]], order: str) -> Iterator[Unit]:
    """Units in source order, each yielded as soon as the next header closes it.

    Lines before the first header are ``raw`` units, one per non-blank line.
    """
    current: tuple[re.Match[str], datetime, list[Line]] | None = None
    for line, match in matched:
        when = _datetime(match, order) if match else None
        if match and when is not None:
            if current is not None:
                yield _unit(*current)
            current = (match, when, [line])
        elif current is not None:
            current[2].append(line)
        elif line.text.strip():
            yield span_unit([line], line.text.strip(), "raw")
    if current is not None:
        yield _unit(*current)


def _unit(match: re.Match[str], when: datetime, lines: list[Line]) -> Unit:
    """The message or system line a header opens, with its continuation lines."""
    first = lines[0]
    rest = match["rest"]
    author, body, body_at, by = _split_author(rest)
    more = [line.text for line in lines[1:]]
    while more and not more[-1].strip():
        more.pop()
    message = "\n".join([body, *more]).strip()
    meta: dict[str, object] = {"by": by} if by is not None else {}
    if not message:
        message = rest.strip() or first.text.strip()
    message, edited = _without_edit_marker(message)
    if edited:
        meta["edited"] = True
    if author and _DELETED.match(message):
        meta["deleted"] = True
    meta.update(_attachment(message))
    unit = span_unit(lines, message, "message" if author else "system", author=author, time=when, meta=meta)
    if author and body.strip():
        lead = len(body) - len(body.lstrip())
        unit.start = max(unit.start, first.start + match.start("rest") + body_at + lead)
    if edited:
        unit.end = _end_before_edit_marker(lines, unit.end)
    return unit


def _split_author(rest: str) -> tuple[str | None, str, int, str | None]:
    """(author, body, offset of body in ``rest``, by): no author on system lines, where ``by`` may
    name who acted ("Camille: a créé le groupe…")."""
    found = _AUTHOR.match(rest)
    if not found:
        return None, rest, 0, None
    candidate = found["author"].strip().lstrip("~").strip()
    if _SYSTEM_BODY.match(found["body"]):
        return None, rest, 0, candidate
    if candidate and len(candidate.split()) <= AUTHOR_MAX_WORDS and not _SYSTEM.search(candidate):
        return candidate, found["body"], found.start("body"), None
    return None, rest, 0, None


def _without_edit_marker(message: str) -> tuple[str, bool]:
    """``message`` without a trailing edit marker, and whether it had one."""
    marker = _EDITED.search(message) if message.endswith(">") else None
    kept = message[:marker.start()].rstrip() if marker else ""
    return (kept, True) if kept else (message, False)


def _end_before_edit_marker(lines: list[Line], end: int) -> int:
    """Where a unit ends once its edit marker is left out (``end`` when the marker has a line of its own)."""
    last = next(line for line in reversed(lines) if line.text.strip())
    marker = _EDITED.search(last.text)
    kept = last.text[:marker.start()].rstrip() if marker else ""
    return last.start + len(kept) if kept else end


def _attachment(message: str) -> dict[str, object]:
    """``{"attachment": True}`` (and ``"file"`` when named) for media placeholders, else empty."""
    found = _ATTACHMENT.search(message)
    if found is None:
        return {}
    file = found["file1"] or found["file2"]
    return {"attachment": True, "file": file} if file else {"attachment": True}


# --- streaming -------------------------------------------------------------------------------


def _first_pass(path: str | os.PathLike, encoding: str | None) -> tuple[str, _DateOrderTally]:
    """The codec to read ``path`` with and its date-order evidence, from one streamed read.

    Without ``encoding``, as ``read_file`` does: a BOM, else UTF-16 by its NUL
    bytes, else UTF-8, else (on a bad byte anywhere) cp1252.
    """
    codec = encoding or _codec_from_head(path)
    try:
        return codec, _tally(match for _, match in _matched(_stream_lines(path, codec)))
    except UnicodeDecodeError as exc:
        if encoding is not None or codec != "utf-8":
            raise InputError(str(path), f"undecodable bytes for {codec}: {exc.reason}") from exc
    try:
        return "cp1252", _tally(match for _, match in _matched(_stream_lines(path, "cp1252")))
    except UnicodeDecodeError as exc:
        raise InputError(str(path), "undecodable bytes: neither UTF-8 nor cp1252") from exc


def _codec_from_head(path: str | os.PathLike) -> str:
    """The codec ``read_file`` would pick from the file's first bytes (UTF-8 when nothing says otherwise)."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    return encoding_from_head(head) or "utf-8"  # a BOM decodes to U+FEFF, which normalise() removes


def _stream_lines(path: str | os.PathLike, codec: str) -> Iterator[Line]:
    """Lines of the file, normalised one by one as ``read_file`` normalises the whole text.

    Universal newlines turn ``\\r\\n`` and ``\\r`` into line ends, as ``normalise`` does.
    """
    start = 0
    with open(path, encoding=codec, newline=None) as handle:
        for number, raw in enumerate(handle, 1):
            text = normalise(repair_mojibake(raw.removesuffix("\n"))[0])
            yield Line(text, number, start, start + len(text))
            start += len(text) + 1
