"""SRT and WebVTT subtitles, YouTube auto-captions included, re-flowed into sentences.

- **SRT**: cues of an optional number, a timing line ``00:01:02,500 --> 00:01:04,000``
  (``.`` before the milliseconds and position suffixes accepted) and text lines.
- **WebVTT**: a ``WEBVTT`` header (the text after it is the title, its ``Key: value``
  lines metadata), NOTE/STYLE/REGION blocks (skipped, counted), cue identifiers,
  ``00:01.000`` short times, cue settings (``align:start position:0%``).
- **YouTube auto-captions**: WebVTT whose cues time each word inline
  (``mot<00:00:01.520><c> suivant</c>``) and repeat the previous cue's last line
  before the new words ("rolling" captions, plus 10 ms cues repeating the text).
  Repeated lines are dropped (counted); every word is kept once, with its own time.

Timing lines are the anchors: blank lines between cues may be missing and blank
lines inside a cue are tolerated. A line of digits just above a timing line is a
cue number; in WebVTT, a line above it after a blank line is its identifier. A
cue whose timing line cannot be read keeps its text, timed like the cue before
(noted in the report). Lines above the first cue that are no header become raw units.

Cue text loses its styling (``<i>``, ``<b>``, ``<u>``, ``<c.classe>``, ``<ruby>``,
``<lang>``, ``<font>``, ``{\\an8}``) and its entities are unescaped (``&amp;``,
``&nbsp;``, ``&lrm;``…); each character remembers where it came from, so units
point at the source. Speakers: ``<v Nom>`` voices, ``Prénom Nom :``/``NOM :``
labels, ``>>`` (also ``>> NOM :``) and dialogue dashes (``- ``: a new speaker,
unnamed unless labelled) end the sentence; names become the units' authors.
Cue texts are fragments for the re-flow shared with the transcript loader
(``reflow.py``): each sentence keeps the start time of its first fragment (of
its first word in YouTube captions) as ``offset``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from ..types import Document, Unit
from .base import Line, blocks, split_lines
from .common import Removals, collapse, finish, joined, sniff_sample, span_unit
from .reflow import WORDS_PER_SECOND, Fragment, Reflow, clock

name = "subtitles"
kind = "transcript"
reads_json = False

# [H:]MM:SS[,mmm] (groups: hours, minutes, seconds, milliseconds).
_TIME = r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})(?:[,.](\d{1,3}))?"
_TIMING_LINE = rf"[ \t]*{_TIME}[ \t]*-->[ \t]*{_TIME}(?:[ \t]+[^\n]*)?"
_TIMING = re.compile(_TIMING_LINE)
_TIMING_LINES = re.compile(rf"(?m)^{_TIMING_LINE}$")
# A timing line gone wrong: still an arrow after a number.
_BROKEN_TIMING = re.compile(r"[^\n]*\d[^\n]*-->[^\n]*")
_WEBVTT = re.compile(r"[\ufeff \t\n]*WEBVTT(?![^ \t\n])")
_CUE_NUMBER = re.compile(r"[\ufeff \t]*\d+[ \t]*")
_BLOCK = re.compile(r"(NOTE|STYLE|REGION)(?![^ \t])")
_HEADER_FIELD = re.compile(r"([A-Za-z][\w-]*)[ \t]*:[ \t]*(.+)")
_INLINE_TIME = re.compile(r"<(?:\d{1,3}:)?\d{2}:\d{2}[.,]\d{3}>")
# Markup in cue text: an inline word time, a voice, ruby text, any other tag, an ASS override, an entity.
_MARKUP = re.compile(
    r"<(?P<stamp>(?:\d{1,3}:)?\d{1,2}:\d{2}[.,]\d{3})>"
    r"|<v(?:\.[\w.-]*)?[ \t]+(?P<voice>[^<>\n]+?)[ \t]*>"
    r"|<rt>[^<]*</rt>"
    r"|</?[A-Za-z][\w.-]*(?:[ \t][^<>\n]*)?>"
    r"|\{\\[^{}\n]*\}"
    r"|(?P<entity>&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#[xX][0-9A-Fa-f]+);)"
)
_INVISIBLE_MARKS = "\u00ad\u200b\u200c\u200e\u200f\u2060\ufeff"  # &shy;, &lrm;, &rlm;, BOM…
_INVISIBLE = frozenset(_INVISIBLE_MARKS)
# What _put folds or drops: white space other than single spaces, invisible marks.
_FOLDED = re.compile(f"[^\\S ]|  |[{_INVISIBLE_MARKS}]")
# A line that needs more than a strip: markup, entities, tabs, double spaces, invisible marks.
_NEEDS_CLEANING = re.compile(f"[<&{{\t{_INVISIBLE_MARKS}]|  ")
_LANGUAGE_TAG = re.compile(r"\.[a-z]{2}(?:-[A-Za-z]{2,4})?$")
# A dialogue dash: a new speaker (not a minus sign: no digit follows).
_DASH = re.compile(r"[-–—][ \t]*(?=[^\s\d-])")


def sniff(text: str, filename: str) -> tuple[float, str]:
    """A ``WEBVTT`` first line, or SRT timing lines (``00:00:01,000 --> …``) among the lines."""
    if _WEBVTT.match(text):
        return 0.95, "WEBVTT header"
    head = sniff_sample(text)
    timings = len(_TIMING_LINES.findall(head))
    filled = sum(1 for line in head.split("\n") if line.strip()) or 1
    suffix = Path(filename).suffix.lower()
    if timings >= 2 and timings >= 0.12 * filled:
        return 0.95, f"{timings} of {filled} lines are subtitle timing lines (00:00:01,000 --> …)"
    if timings and suffix in (".srt", ".vtt"):
        return 0.9, f"{suffix} file with {timings} subtitle timing line{'s' if timings > 1 else ''}"
    if suffix in (".srt", ".vtt"):
        return 0.3, f"{suffix} file name, but no subtitle timing line"
    return 0.0, f"no WEBVTT header; {timings} of {filled} lines are subtitle timing lines"


def parse(text: str, source: str) -> Document:
    """Sentences with start offsets and authors; format, duration and dropped lines reported."""
    reader = _Reader(text)
    reader.read()
    doc = Document(source=source, kind=kind, format=name, text=text, units=reader.units)
    doc.title = reader.title or _title_from_name(source)
    doc.metadata = {"subtitle_format": reader.format, "duration": reader.duration, "cues": len(reader.cues)}
    if reader.header:
        doc.metadata["header"] = reader.header
        language = reader.header.get("Language", "")[:2].lower()
        if language.isalpha() and len(language) == 2:
            doc.language = language
    offsets = [u.offset for u in reader.units if u.offset is not None]
    if offsets:
        doc.report.first, doc.report.last = clock(min(offsets)), clock(max(offsets))
    doc.report.removed += reader.repeated
    return finish(doc, reader.removals, reader.notes())


@dataclass(slots=True)
class _Cue:
    """One cue: its times (None when its timing line is unreadable) and text lines (blank ones included)."""

    start: float | None
    end: float | None
    lines: list[Line] = field(default_factory=list)


@dataclass(slots=True)
class _Clean:
    """A cue line without markup, and where each of its characters comes from.

    ``where`` is None when the text is a verbatim slice of the source from
    ``start``; ``times`` holds inline word times, ``voices`` ``<v>`` names,
    both as (index in ``text``, value).
    """

    text: str
    start: int
    line: int
    where: list[int] | None = None
    times: list[tuple[int, float]] = field(default_factory=list)
    voices: list[tuple[int, str]] = field(default_factory=list)

    def at(self, i: int) -> int:
        return self.start + i if self.where is None else self.where[i]

    def cut(self, i: int, j: int) -> _Clean:
        """``text[i:j]`` without outer spaces; the time in force at ``i`` is kept at index 0."""
        while i < j and self.text[i] == " ":
            i += 1
        while j > i and self.text[j - 1] == " ":
            j -= 1
        before = [secs for index, secs in self.times if index <= i]
        times = ([(0, before[-1])] if before else []) + [(k - i, s) for k, s in self.times if i < k < j]
        return _Clean(self.text[i:j], self.at(i) if i < j else self.start, self.line,
                      None if self.where is None else self.where[i:j], times)


class _Reader:
    """Cues found, cleaned, de-duplicated (rolling captions) and handed to the re-flow."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = split_lines(text)
        signature = _WEBVTT.match(text)
        self.vtt = signature is not None
        # the line of the WEBVTT signature (-1 in SRT)
        self.signature = text.count("\n", 0, signature.end()) if signature else -1
        self.youtube = self.vtt and _INLINE_TIME.search(text) is not None
        self.format = "youtube-vtt" if self.youtube else "vtt" if self.vtt else "srt"
        self.units: list[Unit] = []
        self.reflow = Reflow(text, self.units)
        self.removals = Removals()
        self.title: str | None = None
        self.header: dict[str, str] = {}
        self.cues: list[_Cue] = []
        self.duration = 0.0
        self.repeated = 0  # rolling caption lines dropped
        self.broken: list[Line] = []  # unreadable timing lines
        self.shown: list[str] = []  # the lines of the previous cue, as shown

    def read(self) -> None:
        """Header, loose lines, then the cues (timing lines and what follows them) into sentences."""
        anchors = [k for k, line in enumerate(self.lines) if "-->" in line.text and _is_timing(line.text)]
        anchored = set(anchors)
        heads = [self._head(k, anchored) for k in anchors] + [len(self.lines)]
        body = self._read_header(heads[0])
        self._loose(self.lines[body:heads[0]])
        for n, k in enumerate(anchors):
            self.cues.append(self._cue(self.lines[k], self.lines[k + 1:heads[n + 1]]))
        ends = [cue.end for cue in self.cues if cue.end is not None]
        self.duration = max(ends, default=0.0)
        for cue in self.cues:
            self._feed_cue(cue)
        self.reflow.flush()

    def notes(self) -> list[str]:
        """Report notes: rolling caption lines dropped, unreadable timing lines."""
        notes = []
        if self.repeated:
            notes.append(f"{self.repeated} repeated caption line{'s' if self.repeated > 1 else ''} dropped "
                         "(YouTube rolling captions)")
        if self.broken:
            examples = ", ".join(f"line {line.number}: '{collapse(line.text)[:40]}'" for line in self.broken[:3])
            notes.append(f"{len(self.broken)} cue{'s' if len(self.broken) > 1 else ''} with an unreadable timing "
                         f"line kept, timed like the cue before ({examples})")
        return notes

    # -- structure --------------------------------------------------------------

    def _head(self, k: int, anchors: set[int]) -> int:
        """Where the cue timed at line ``k`` starts: its number or identifier line, else ``k``."""
        if k == 0 or k - 1 in anchors or not self.lines[k - 1].text.strip():
            return k
        above = self.lines[k - 1].text
        if _CUE_NUMBER.fullmatch(above):
            return k - 1
        if self.vtt and k - 1 > self.signature and not self.lines[k - 2].text.strip():
            if " " in above.strip():
                self.removals.add(above, "cue identifier")
            return k - 1
        return k

    def _read_header(self, stop: int) -> int:
        """The WebVTT header block (title, ``Key: value`` fields); returns the first line after it."""
        if not self.vtt:
            return 0
        k = self.signature
        self.title = self.lines[k].text.split("WEBVTT", 1)[1].strip(" \t-–—:") or None
        k += 1
        while k < stop and self.lines[k].text.strip():
            found = _HEADER_FIELD.fullmatch(self.lines[k].text.strip())
            if found:
                self.header[found.group(1)] = found.group(2).strip()
            else:
                self.removals.add(self.lines[k].text, "WebVTT header line")
            k += 1
        return k

    def _loose(self, lines: list[Line]) -> None:
        """Lines above the first cue: WebVTT blocks are skipped, anything else kept raw."""
        for block in blocks(lines):
            keyword = _BLOCK.match(block[0].text) if self.vtt else None
            if keyword:
                for line in block:
                    self.removals.add(line.text, f"WebVTT {keyword.group(1)} block")
            else:
                self.units.append(span_unit(block, joined(block), "raw"))

    def _cue(self, timing: Line, lines: list[Line]) -> _Cue:
        found = _TIMING.fullmatch(timing.text)
        if found is None:
            self.broken.append(timing)
            return _Cue(None, None, self._without_notes(lines))
        start, end = _seconds(*found.groups()[:4]), _seconds(*found.groups()[4:])
        return _Cue(start, end, self._without_notes(lines))

    def _without_notes(self, lines: list[Line]) -> list[Line]:
        """A cue's lines, less the WebVTT NOTE blocks that follow a blank line among them."""
        if not self.vtt:
            return lines
        kept: list[Line] = []
        skipping = False
        for n, line in enumerate(lines):
            if not line.text.strip():
                skipping = False
            elif skipping or (n and not lines[n - 1].text.strip() and _BLOCK.match(line.text)):
                skipping = True
                self.removals.add(line.text, "WebVTT NOTE block")
                continue
            kept.append(line)
        return kept

    # -- text -------------------------------------------------------------------

    def _feed_cue(self, cue: _Cue) -> None:
        """The cue's new lines, cut at speaker marks, go to the re-flow; the first carries the cue's time."""
        cleaned = [clean for clean in (_clean(line) for line in cue.lines if line.text.strip()) if clean.text]
        if self.youtube:
            cleaned = self._new_lines(cleaned)
        secs = cue.start
        voice: str | None = None
        for clean in cleaned:
            pieces, voice = _pieces(clean, voice)
            for piece, who, dash in pieces:
                timed = piece.times[0][1] if piece.times and piece.times[0][0] == 0 else secs
                self._feed(piece, who, dash, timed, self._until(piece, timed, cue))
                secs = None

    def _feed(self, piece: _Clean, voice: str | None, dash: bool, secs: float | None, until: float | None) -> None:
        if dash or (voice is not None and voice != self.reflow.author):
            self.reflow.turn(voice)
        times = [t for t in piece.times if t[0] > 0] or None
        fragment = Fragment(piece.text, piece.start, piece.line, secs, until, piece.where, times)
        if not self.reflow.add(fragment):
            self.removals.add(piece.text, "speaker mark without words")

    def _until(self, piece: _Clean, secs: float | None, cue: _Cue) -> float | None:
        """When the piece's speech ends: the cue's end, or in YouTube captions its last timed word's."""
        if secs is None:
            return None
        if not self.youtube:
            return cue.end if cue.end is not None and cue.end >= secs else None
        index, last = piece.times[-1] if piece.times else (0, secs)
        return last + len(piece.text[index:].split()) / WORDS_PER_SECOND

    def _new_lines(self, cleaned: list[_Clean]) -> list[_Clean]:
        """A rolling caption's lines less those repeated from the previous cue (never a timed one)."""
        texts = [clean.text for clean in cleaned]
        shown, self.shown = self.shown, texts
        for k in range(1, min(len(texts), len(shown)) + 1):
            if cleaned[k - 1].times:
                break
            if texts[:k] == shown[-k:]:
                self.repeated += k
                return cleaned[k:]
        return cleaned


def _is_timing(line: str) -> bool:
    return _TIMING.fullmatch(line) is not None or _BROKEN_TIMING.fullmatch(line) is not None


def _seconds(hours: str | None, minutes: str, seconds: str, millis: str | None) -> float:
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return (total * 1000 + int((millis or "0").ljust(3, "0"))) / 1000


def _inline_seconds(stamp: str) -> float:
    found = re.fullmatch(_TIME, stamp)
    assert found is not None  # _MARKUP only lets times through
    return _seconds(*found.groups())


def _clean(line: Line) -> _Clean:
    """``line`` without markup or entities, white space folded, with its inline times and voices."""
    text = line.text
    if not _NEEDS_CLEANING.search(text.strip()):
        return _Clean(text.strip(), line.start + len(text) - len(text.lstrip()), line.number)
    chars: list[str] = []
    where: list[int] = []
    times: list[tuple[int, float]] = []
    voices: list[tuple[int, str]] = []
    pos = 0
    for found in _MARKUP.finditer(text):
        _put(chars, where, text[pos:found.start()], line.start + pos, spread=True)
        if found["stamp"]:
            times.append((len(chars), _inline_seconds(found["stamp"])))
        elif found["voice"]:
            voices.append((len(chars), collapse(found["voice"])))
        elif found["entity"]:
            _put(chars, where, html.unescape(found["entity"]), line.start + found.start(), spread=False)
        pos = found.end()
    _put(chars, where, text[pos:], line.start + pos, spread=True)
    while chars and chars[-1] == " ":
        chars.pop()
        where.pop()
    size = len(chars)
    return _Clean("".join(chars), where[0] if where else line.start, line.number, where,
                  [(min(i, size), s) for i, s in times], [(min(i, size), v) for i, v in voices])


def _put(chars: list[str], where: list[int], piece: str, at: int, spread: bool) -> None:
    """Append ``piece`` found at source offset ``at`` (each character at its own offset when ``spread``)."""
    if spread and not _FOLDED.search(piece) and not (piece[:1] == " " and (not chars or chars[-1] == " ")):
        chars.extend(piece)  # nothing to fold: the common case
        where.extend(range(at, at + len(piece)))
        return
    for k, char in enumerate(piece):
        if char.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                where.append(at + k if spread else at)
        elif char not in _INVISIBLE:
            chars.append(char)
            where.append(at + k if spread else at)


def _pieces(clean: _Clean, voice: str | None) -> tuple[list[tuple[_Clean, str | None, bool]], str | None]:
    """``clean`` cut before each voice and mid-line ``>>``.

    Returns the pieces as (piece, voice in force, opens with a dash) and the
    voice in force at the end of the line.
    """
    if clean.text[0] not in "-–—" and ">>" not in clean.text[1:] and all(i == 0 for i, _ in clean.voices):
        voice = clean.voices[-1][1] if clean.voices else voice
        return [(clean, voice, False)], voice  # the common case: one piece, no mark to cut
    cuts = {i for i, _ in clean.voices if 0 < i < len(clean.text)}
    at = clean.text.find(">>", 1)
    while at > 0:
        cuts.add(at)
        at = clean.text.find(">>", at + 2)
    bounds = [0, *sorted(cuts), len(clean.text)]
    pieces = []
    for i, j in pairwise(bounds):
        voice = next((who for index, who in reversed(clean.voices) if index <= i), voice)
        piece = clean.cut(i, j)
        if not piece.text:
            continue
        dash = _DASH.match(piece.text)
        if dash:
            piece = piece.cut(dash.end(), len(piece.text))
        pieces.append((piece, voice, dash is not None))
    if clean.voices:
        voice = clean.voices[-1][1]
    return pieces, voice


def _title_from_name(source: str) -> str | None:
    """The file name without its suffix nor a language tag ("episode_12.fr.vtt" → "episode 12")."""
    stem = _LANGUAGE_TAG.sub("", Path(source).stem).replace("_", " ").strip()
    return stem or None
