"""Timestamped transcript lines (seed 004: a TV show page; YouTube transcript text), re-flowed into sentences.

The page is read in three parts:

- **before** the first timestamped line with text: the description (lines of
  60 characters or more: a ``paragraph`` unit and ``metadata["description"]``)
  and page chrome (short lines such as "- il y a 2 jours", "Catégorie", "📺");
- **the transcript**: lines led by ``0:00``, ``00:00``, ``1:02:03`` or
  ``[00:00]``, glued to the text (``00:00Bonsoir``) or not, or — as YouTube's
  "Show transcript" copies it — a timestamp on its own line above its words.
  Untimed text lines continue the current sentence; bare timestamps are dropped;
- **after** the last timestamped line with text: recommendations, durations
  and other chrome (short lines); longer lines become ``raw`` units.

The fragments go to the re-flow shared with the subtitles loader
(``reflow.py``): sentences cut at end punctuation, speaker changes (``>>``,
``Prénom Nom :``), repeated fragments and pauses, each keeping the start time
of the fragment it starts in as ``offset``.

Participants: the host and guests named in the description ("X a reçu Y,
role…", "présenté par X"), then guests introduced on air as
"Prénom Nom, <role>" who are not already a close match of a description name.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..types import Document, Unit
from .base import split_lines
from ..text.fold import fold
from .common import PERSON_NAME, Removals, finish, similar_names, sniff_sample, span_unit, title_from_text
from .reflow import FUNCTION_WORDS, Fragment, Reflow, clock

name = "transcript"
kind = "transcript"
reads_json = False

DESCRIPTION_MIN_CHARS = 60

# MM:SS or H:MM:SS (groups: first, second, optional third number), bracketed or not.
_TIMESTAMP = r"\[?(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\]?"
# Every line, once: (what leads it: timestamp and separator), the three numbers, the words.
_LINE = re.compile(rf"(?m)^((?:[ \t]*{_TIMESTAMP})?[ \t]*(?:[-–—|][ \t]+)?)([^\n]*)$")
_STARTS_WITH_TIME = re.compile(rf"(?m)^[ \t]*{_TIMESTAMP}")
# A timestamp alone on its line, then (past blank lines) a line of words; a timestamp before words.
_STAMP_ABOVE = re.compile(rf"(?m)^[ \t]*{_TIMESTAMP}[ \t]*\n(?:[ \t]*\n)*(?![ \t]*\[?\d{{1,3}}:[0-5]\d)[ \t]*\S")
_STAMP_BEFORE = re.compile(rf"(?m)^[ \t]*{_TIMESTAMP}(?![\d:])[ \t]*(?:[-–—|][ \t]+)?\S")
# A subtitle timing line (SRT, WebVTT): the subtitles loader's, not ours.
_CUE_TIMING = re.compile(r"(?m)^[ \t]*[\d:.,]+[ \t]*-->[ \t]*\d")
ROLES = (
    r"président|présidente|vice-président|vice-présidente|directeur|directrice|fondateur|fondatrice"
    r"|co-?fondateur|co-?fondatrice|cofondateur|cofondatrice|co-?créateur|co-?créatrice|créateur"
    r"|créatrice|CEO|CTO|COO|CFO|PDG|DG|DGA|ministre|chercheur|chercheuse|journaliste|professeur"
    r"|professeure|député|députée|sénateur|sénatrice|économiste|patron|patronne|associé|associée"
    r"|responsable|auteur|autrice|consultant|consultante|ingénieur|ingénieure|analyste|avocat"
    r"|avocate|délégué|déléguée|secrétaire|porte-parole|rédacteur|rédactrice|spécialiste|maire"
)
_GUEST = re.compile(rf"({PERSON_NAME}),?\s+(?:{ROLES})\b")
_HOST = re.compile(
    rf"({PERSON_NAME}) (?:a reçu|reçoit|recevait|accueille|a accueilli|interroge|a interrogé)"
    rf"|(?:présentée?|animée?|proposée?) par ({PERSON_NAME})"
)
_RECEIVED = re.compile(
    rf"(?:a reçu|reçoit|recevait|accueille|a accueilli|interroge|a interrogé|invités?\s*:)\s+({PERSON_NAME})"
)

def sniff(text: str, filename: str) -> tuple[float, str]:
    """At least five lines, and 30 % of the non-blank ones, start with a timestamp; subtitle cues do not count."""
    head = sniff_sample(text)
    cues = len(_CUE_TIMING.findall(head))
    timed = len(_STARTS_WITH_TIME.findall(head)) - cues
    total = sum(1 for line in head.split("\n") if line.strip()) or 1
    share = timed / total
    if cues and cues >= timed:
        return 0.0, f"{cues} subtitle timing lines (-->): subtitles, not transcript lines"
    if timed >= 5 and share >= 0.3:
        confidence = 0.7 + 0.25 * share
    elif timed >= 5:
        confidence = 0.3
    else:
        confidence = 0.0
    return confidence, f"{timed} of {total} lines start with a MM:SS timestamp"


def parse(text: str, source: str) -> Document:
    """Sentences with start offsets, description, participants, chrome counted."""
    reader = _Reader(text)
    reader.read()
    if reader.first is None:  # no transcript at all: keep every line, raw
        raw = [span_unit([line], line.text.strip(), "raw") for line in split_lines(text) if line.text.strip()]
        return finish(Document(source=source, kind=kind, format=name, text=text, units=raw))
    doc = Document(source=source, kind=kind, format=name, text=text, units=reader.units)
    description = "\n".join(reader.description)
    if description:
        doc.metadata["description"] = description
        doc.title = title_from_text(description)
    doc.participants = _participants(description, reader.units)
    doc.report.first = clock(reader.first)
    doc.report.last = clock(reader.last)
    return finish(doc, reader.removals)


class _Row(NamedTuple):
    """A line kept for later (pending, held): number, where its words start, timestamp as written and
    in seconds (None for a line of words), words."""

    number: int
    at: int
    stamp: str
    secs: float | None
    body: str


def _stamps_above(text: str) -> bool:
    """Whether timestamps sit on their own line above their words (YouTube's "Show transcript" copy).

    Decided on the head and tail of the page, as ``sniff`` reads it.
    """
    text = sniff_sample(text)
    above = len(_STAMP_ABOVE.findall(text))
    return above > 0 and above > len(_STAMP_BEFORE.findall(text))


class _Reader:
    """One pass over the lines: page chrome, description, fragments handed to the re-flow.

    Lines after the latest timestamped line wait in ``pending``: a later
    timestamped line makes them part of the transcript, the end of the page
    makes them chrome. When timestamps sit above their words, a bare
    timestamp waits in ``held`` for the line it times.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.removals = Removals()
        self.units: list[Unit] = []
        self.reflow = Reflow(text, self.units)
        self.description: list[str] = []
        self.pending: list[_Row] = []
        self.held: _Row | None = None
        self.first: float | None = None
        self.last = 0.0

    def read(self) -> None:
        above = _stamps_above(self.text)
        pos = 0
        number = 0
        for prefix, n1, n2, n3, body in _LINE.findall(self.text):
            number += 1
            at = pos + len(prefix)
            pos = at + len(body) + 1
            if body and body[-1] in " \t":
                body = body.rstrip()
            if not n2:
                if body:
                    self._words(_Row(number, at, "", None, body))
                continue
            secs = float(int(n1) * 3600 + int(n2) * 60 + int(n3) if n3 else int(n1) * 60 + int(n2))
            self._release()
            if body:
                self._timed(number, at, secs, body)
            elif above:
                self.held = _Row(number, at, prefix.strip(), secs, body)
            else:
                self._bare(_Row(number, at, prefix.strip(), secs, body))
        self._release()
        self.reflow.flush()
        for row in self.pending:
            if row.secs is not None:
                self.removals.add(row.stamp, "bare timestamp after the transcript")
            elif len(row.body) < DESCRIPTION_MIN_CHARS:
                self.removals.add(row.body, "page chrome after the transcript")
            else:
                self.units.append(Unit(row.body, "raw", start=row.at, end=row.at + len(row.body),
                                       line_start=row.number, line_end=row.number))

    def _words(self, row: _Row) -> None:
        """A line of words without a timestamp: timed by a held one, or description, chrome, pending."""
        if self.held is not None:
            self.removals.add(self.held.stamp, "timestamp on its own line")
            self._timed(row.number, row.at, self.held.secs, row.body)
            self.held = None
        elif self.first is None:
            self._before(row)
        else:
            self.pending.append(row)

    def _timed(self, number: int, at: int, secs: float | None, body: str) -> None:
        """A line of words with its time: the transcript starts or goes on."""
        if self.first is None:
            self.first = secs
        elif self.pending:
            self._continue_with_pending()
        self.last = secs or 0.0
        self._fragment(number, at, secs, body)

    def _bare(self, row: _Row) -> None:
        """A timestamp without words: chrome above the transcript, pending below."""
        if self.first is None:
            self.removals.add(row.stamp, "bare timestamp before the transcript")
        else:
            self.pending.append(row)

    def _release(self) -> None:
        """A held timestamp no line of words followed: a bare one after all."""
        if self.held is not None:
            self._bare(self.held)
            self.held = None

    def _before(self, row: _Row) -> None:
        """A line above the transcript: description when long, page chrome otherwise."""
        if len(row.body) >= DESCRIPTION_MIN_CHARS:
            self.description.append(row.body)
            self.units.append(Unit(row.body, "paragraph", start=row.at, end=row.at + len(row.body),
                                   line_start=row.number, line_end=row.number, meta={"description": True}))
        else:
            self.removals.add(row.body, "page chrome before the transcript")

    def _continue_with_pending(self) -> None:
        """Untimed lines between two timestamped ones go on with the sentence."""
        for row in self.pending:
            if row.secs is not None:
                self.removals.add(row.stamp, "bare timestamp")
            else:
                self._fragment(row.number, row.at, None, row.body)
        self.pending.clear()

    def _fragment(self, number: int, at: int, secs: float | None, body: str) -> None:
        if not self.reflow.add(Fragment(body, at, number, secs)):
            self.removals.add(body, "speaker mark without words")


def _participants(description: str, units: list[Unit]) -> list[str]:
    """Host, guests of the description, then guests introduced on air with a role."""
    found: list[tuple[int, str]] = []
    host = _HOST.search(description)
    if host:
        found.append((-1, host.group(1) or host.group(2)))
    for pattern in (_GUEST, _RECEIVED):
        found.extend((m.start(1), _trim_name(m.group(1))) for m in pattern.finditer(description))
    people: list[str] = []
    for _, person in sorted(found, key=lambda f: f[0]):
        _add_person(people, person)
    spoken = "\n".join(u.text for u in units if u.kind == "sentence")
    for match in _GUEST.finditer(spoken):
        _add_person(people, _trim_name(match.group(1)))
    return people


def _trim_name(found: str) -> str:
    """A matched name without the capitalised function words that may lead it ("Et", "Avec")."""
    words = found.split()
    while len(words) > 2 and fold(words[0]) in FUNCTION_WORDS:
        words.pop(0)
    return " ".join(words)


def _add_person(people: list[str], person: str) -> None:
    if len(person.split()) < 2 or fold(person.split()[0]) in FUNCTION_WORDS:
        return
    if not any(similar_names(person, known) for known in people):
        people.append(person)
