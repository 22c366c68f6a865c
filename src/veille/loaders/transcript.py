"""Timestamped transcript lines (seed 004: a TV show page), re-flowed into sentences.

The page is read in three parts:

- **before** the first timestamped line: the description (lines of 60
  characters or more: a ``paragraph`` unit and ``metadata["description"]``)
  and page chrome (short lines such as "- il y a 2 jours", "Catégorie", "📺");
- **the transcript**: lines led by ``MM:SS``, ``H:MM:SS`` or ``[00:00]``,
  glued to the text or not. Untimed text lines continue the current sentence;
  bare timestamps are dropped;
- **after** the last timestamped line with text: recommendations, durations
  and other chrome (short lines); longer lines become ``raw`` units.

Fragments are joined into sentences cut at ``.``, ``!``, ``?``, ``…`` (inside
a fragment too), at a speaker change (``>>`` or a ``Prénom Nom :`` label) and
when a fragment repeats the previous one word for word (jingles, stuck
captions). Unpunctuated speech is cut at pauses: the silence after a fragment
is the gap to the next one minus its speaking time (``WORDS_PER_SECOND``); a
silence of ``LONG_PAUSE`` seconds always cuts, one of ``SHORT_PAUSE`` cuts a
sentence of ``SOFT_WORDS`` words, and ``MAX_WORDS`` words cut in any case.
Each sentence keeps the start time of its first fragment as ``offset``.

Participants: the host and guests named in the description ("X a reçu Y,
role…", "présenté par X"), then guests introduced on air as
"Prénom Nom, <role>" who are not already a close match of a description name.
"""

from __future__ import annotations

import re

from ..text.sentences import TERMINAL, ends_sentence, split_sentences
from ..types import Document, Unit
from .common import PERSON_NAME, Removals, finish, fold, similar_names, title_from_text

name = "transcript"
kind = "transcript"

MAX_WORDS = 60
SOFT_WORDS = 30
WORDS_PER_SECOND = 3.0
LONG_PAUSE = 3.0
SHORT_PAUSE = 1.0
DESCRIPTION_MIN_CHARS = 60

_TIMESTAMP = r"\[?(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)\]?"
# Every line, once: optional timestamp, optional separator, then the text.
_LINE = re.compile(rf"(?m)^[ \t]*(?:{_TIMESTAMP})?[ \t]*(?:[-–—|][ \t]+)?([^\n]*)$")
_STARTS_WITH_TIME = re.compile(rf"(?m)^[ \t]*{_TIMESTAMP}")
_INNER_END = re.compile(rf"{TERMINAL}[\"”»)]*\s+\S")

_FUNCTION_WORDS = frozenset(
    "et avec merci bonsoir bonjour salut alors donc mais le la les un une ce cette chez pour par "
    "voila voici oui non moi nous vous il elle on tu je puis enfin aussi ici la-bas tiens ecoute "
    "bienvenue bravo madame monsieur cher chere".split()
)
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
_LABEL = re.compile(rf"^({PERSON_NAME}|[A-Z][A-Z'’ .-]{{1,30}}[A-Z])\s?:\s+")


def sniff(text: str, filename: str) -> tuple[float, str]:
    """At least five lines, and 30 % of the non-blank ones, start with a timestamp."""
    head = text[:300_000]
    timed = len(_STARTS_WITH_TIME.findall(head))
    total = sum(1 for line in head.split("\n") if line.strip()) or 1
    share = timed / total
    if timed >= 5 and share >= 0.3:
        confidence = 0.7 + 0.25 * share
    elif timed >= 5:
        confidence = 0.3
    else:
        confidence = 0.0
    return confidence, f"{timed} of {total} lines start with a MM:SS timestamp"


def parse(text: str, source: str) -> Document:
    """Sentences with start offsets, description, participants, chrome counted."""
    rows = _rows(text)
    timed = [i for i, r in enumerate(rows) if r[0] is not None and r[1] < r[2]]
    first, last = (timed[0], timed[-1]) if timed else (len(rows), -1)
    removals = Removals()
    units: list[Unit] = []
    description: list[str] = []
    for secs, a, b, number in rows[:first] if timed else []:
        line = text[a:b]
        if a == b:
            if secs is not None:
                removals.add(_line_at(text, a), "bare timestamp before the transcript")
        elif len(line) >= DESCRIPTION_MIN_CHARS:
            description.append(line)
            units.append(Unit(line, "paragraph", start=a, end=b, line_start=number,
                              line_end=number, meta={"description": True}))
        else:
            removals.add(line, "page chrome before the transcript")
    units.extend(_Reflow(text, removals).run(rows[first:last + 1]))
    for secs, a, b, number in rows[last + 1:] if timed else rows:
        line = text[a:b]
        if a == b:
            if secs is not None:
                removals.add(_line_at(text, a), "bare timestamp after the transcript")
        elif timed and len(line) < DESCRIPTION_MIN_CHARS:
            removals.add(line, "page chrome after the transcript")
        else:
            units.append(Unit(line, "raw", start=a, end=b, line_start=number, line_end=number))
    doc = Document(source=source, kind=kind, format=name, text=text, units=units)
    desc = "\n".join(description)
    if desc:
        doc.metadata["description"] = desc
        doc.title = title_from_text(desc)
    doc.participants = _participants(desc, units)
    if timed:
        doc.report.first = _clock(rows[first][0] or 0.0)
        doc.report.last = _clock(rows[last][0] or 0.0)
    return finish(doc, removals)


Row = tuple[float | None, int, int, int]  # seconds, text start, text end, line number


def _rows(text: str) -> list[Row]:
    """Every line: its timestamp in seconds (or None) and the span of its stripped text."""
    rows: list[Row] = []
    number = 0
    for match in _LINE.finditer(text):
        number += 1
        a, b = match.span(4)
        while b > a and text[b - 1] in " \t":
            b -= 1
        seconds = None
        if match.group(3) is not None:
            seconds = int(match.group(2)) * 60 + int(match.group(3))
            if match.group(1):
                seconds += int(match.group(1)) * 3600
            seconds = float(seconds)
        rows.append((seconds, a, b, number))
    if text.endswith("\n") and rows and rows[-1][1] == len(text):
        rows.pop()
    return rows


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start:end if end >= 0 else len(text)]


class _Reflow:
    """Fragments in, sentence units out."""

    def __init__(self, text: str, removals: Removals) -> None:
        self.text = text
        self.removals = removals
        self.units: list[Unit] = []
        self.parts: list[str] = []
        self.start = self.end = self.line_start = self.line_end = 0
        self.offset = 0.0
        self.words = 0
        self.author: str | None = None
        self.meta: dict[str, object] = {}

    def run(self, rows: list[Row]) -> list[Unit]:
        now = 0.0
        spoken = 0.0  # speaking time of the previous fragment
        previous = ""
        for secs, a, b, number in rows:
            if a == b:
                if secs is not None:
                    self.removals.add(_line_at(self.text, a), "bare timestamp")
                continue
            if secs is not None:
                silence = secs - now - spoken
                if self.parts and (silence >= LONG_PAUSE or (silence >= SHORT_PAUSE and self.words >= SOFT_WORDS)):
                    self.flush()
                now = secs
            fragment = self.text[a:b]
            a = self._speaker(fragment, a)
            fragment = self.text[a:b]
            if not fragment:
                continue
            if self.parts and fragment == previous:
                self.flush()
            previous = fragment
            spoken = (fragment.count(" ") + 1) / WORDS_PER_SECOND
            self._add(fragment, a, b, number, now)
        self.flush()
        return self.units

    def _speaker(self, fragment: str, a: int) -> int:
        """Handle a leading ``>>`` or ``Name :`` label; returns where the words start."""
        if fragment.startswith(">>"):
            self.flush()
            self.author = None
            self.meta = {"speaker_change": True}
            return a + len(fragment) - len(fragment[2:].lstrip())
        label = _LABEL.match(fragment)
        if label and fold(label.group(1).split()[0]) not in _FUNCTION_WORDS:
            self.flush()
            self.author = label.group(1).strip()
            return a + label.end()
        return a

    def _add(self, fragment: str, a: int, b: int, number: int, secs: float) -> None:
        if _INNER_END.search(fragment):
            spans = split_sentences(fragment)
            for k, (x, y) in enumerate(spans):
                self._append(fragment[x:y], a + x, a + y, number, secs)
                if k < len(spans) - 1 or ends_sentence(fragment):
                    self.flush()
        else:
            self._append(fragment, a, b, number, secs)
            if ends_sentence(fragment):
                self.flush()
        if self.words >= MAX_WORDS:
            self.flush()

    def _append(self, part: str, a: int, b: int, number: int, secs: float) -> None:
        if not self.parts:
            self.start, self.line_start, self.offset = a, number, secs
        self.parts.append(part)
        self.end, self.line_end = b, number
        self.words += part.count(" ") + 1

    def flush(self) -> None:
        if not self.parts:
            return
        self.units.append(Unit(
            text=" ".join(self.parts),
            kind="sentence",
            author=self.author,
            offset=self.offset,
            start=self.start,
            end=self.end,
            line_start=self.line_start,
            line_end=self.line_end,
            meta=self.meta,
        ))
        self.parts = []
        self.words = 0
        self.meta = {}


def _participants(description: str, units: list[Unit]) -> list[str]:
    """Host, guests of the description, then guests introduced on air with a role."""
    found: list[tuple[int, str]] = []
    for match in _HOST.finditer(description):
        found.append((-1, match.group(1) or match.group(2)))
        break
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
    while len(words) > 2 and fold(words[0]) in _FUNCTION_WORDS:
        words.pop(0)
    return " ".join(words)


def _add_person(people: list[str], person: str) -> None:
    if len(person.split()) < 2 or fold(person.split()[0]) in _FUNCTION_WORDS:
        return
    if not any(similar_names(person, known) for known in people):
        people.append(person)


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
