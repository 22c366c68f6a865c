"""Timestamped transcript lines (seed 004: a TV show page), re-flowed into sentences.

The page is read in three parts:

- **before** the first timestamped line with text: the description (lines of
  60 characters or more: a ``paragraph`` unit and ``metadata["description"]``)
  and page chrome (short lines such as "- il y a 2 jours", "Catégorie", "📺");
- **the transcript**: lines led by ``MM:SS``, ``H:MM:SS`` or ``[00:00]``,
  glued to the text or not. Untimed text lines continue the current sentence;
  bare timestamps are dropped;
- **after** the last timestamped line with text: recommendations, durations
  and other chrome (short lines); longer lines become ``raw`` units.

Fragments are joined into sentences cut at ``.``, ``!``, ``?``, ``…`` (inside
a fragment too), before a speaker change (``>>`` or a ``Prénom Nom :``
label) and before a fragment that repeats the previous one word for word
(jingles, stuck captions). Speech without punctuation is cut at pauses: the
silence after a fragment is the gap to the next one minus its speaking time
(``WORDS_PER_SECOND``); a silence of ``LONG_PAUSE`` seconds cuts, one of
``SHORT_PAUSE`` cuts a sentence of ``SOFT_WORDS`` words, and ``MAX_WORDS``
words cut in any case. Each sentence keeps the start time of its first
fragment as ``offset``.

Participants: the host and guests named in the description ("X a reçu Y,
role…", "présenté par X"), then guests introduced on air as
"Prénom Nom, <role>" who are not already a close match of a description name.
"""

from __future__ import annotations

import re

from ..text.sentences import TERMINAL, ends_sentence, split_sentences
from ..types import Document, Unit
from .base import split_lines
from .common import PERSON_NAME, Removals, finish, fold, similar_names, sniff_sample, span_unit, title_from_text

name = "transcript"
kind = "transcript"

MAX_WORDS = 60
SOFT_WORDS = 30
WORDS_PER_SECOND = 3.0
LONG_PAUSE = 3.0
SHORT_PAUSE = 1.0
DESCRIPTION_MIN_CHARS = 60

# MM:SS or H:MM:SS (groups: first, second, optional third number), bracketed or not.
_TIMESTAMP = r"\[?(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\]?"
# Every line, once: (what leads it: timestamp and separator), the three numbers, the words.
_LINE = re.compile(rf"(?m)^((?:[ \t]*{_TIMESTAMP})?[ \t]*(?:[-–—|][ \t]+)?)([^\n]*)$")
_STARTS_WITH_TIME = re.compile(rf"(?m)^[ \t]*{_TIMESTAMP}")
_END_CHARS = frozenset(".!?…»\"”’)]")
_INNER_END = re.compile(rf"{TERMINAL}[\"”»)]*\s+\S")
_LABEL = re.compile(rf"^({PERSON_NAME}|[A-Z][A-Z'’ .-]{{1,30}}[A-Z])[ \t]?:[ \t]+")

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

#: A line waiting in ``pending``: 1-based number, where its text starts, the text, and
#: its seconds when it is a bare timestamp (None for a line of words).
_Row = tuple[int, int, str, "float | None"]


def sniff(text: str, filename: str) -> tuple[float, str]:
    """At least five lines, and 30 % of the non-blank ones, start with a timestamp."""
    head = sniff_sample(text)
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
    doc.report.first = _clock(reader.first)
    doc.report.last = _clock(reader.last)
    return finish(doc, reader.removals)


class _Reader:
    """One pass over the lines: page chrome, description, fragments re-flowed into sentences.

    Lines after the latest timestamped line wait in ``pending``: a later
    timestamped line makes them part of the transcript, the end of the page
    makes them chrome.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.removals = Removals()
        self.units: list[Unit] = []
        self.description: list[str] = []
        self.pending: list[_Row] = []
        self.first: float | None = None
        self.last = 0.0
        # the sentence being built
        self.parts: list[str] = []
        self.start = self.end = self.line_start = self.line_end = 0
        self.offset = 0.0
        self.words = 0
        self.author: str | None = None
        self.meta: dict[str, object] = {}
        # the previous fragment
        self.now = 0.0
        self.spoken = 0.0
        self.previous = ""

    def read(self) -> None:
        pos = 0
        number = 0
        for prefix, n1, n2, n3, body in _LINE.findall(self.text):
            number += 1
            at = pos + len(prefix)
            pos = at + len(body) + 1
            if body and body[-1] in " \t":
                body = body.rstrip()
            if not n2:
                if body and self.first is None:
                    self._before(number, at, body)
                elif body:
                    self.pending.append((number, at, body, None))
                continue
            secs = float(int(n1) * 3600 + int(n2) * 60 + int(n3) if n3 else int(n1) * 60 + int(n2))
            if not body:
                if self.first is None:
                    self.removals.add(prefix.strip(), "bare timestamp before the transcript")
                else:
                    self.pending.append((number, at - len(prefix), prefix.strip(), secs))
                continue
            if self.first is None:
                self.first = secs
            elif self.pending:
                self._continue_with_pending()
            self.last = secs
            self._fragment(body, at, at + len(body), number, secs)
        self._flush()
        for number, at, body, bare in self.pending:
            if bare is not None:
                self.removals.add(body, "bare timestamp after the transcript")
            elif len(body) < DESCRIPTION_MIN_CHARS:
                self.removals.add(body, "page chrome after the transcript")
            else:
                self.units.append(Unit(body, "raw", start=at, end=at + len(body),
                                       line_start=number, line_end=number))

    def _before(self, number: int, at: int, body: str) -> None:
        """A line above the transcript: description when long, page chrome otherwise."""
        if len(body) >= DESCRIPTION_MIN_CHARS:
            self.description.append(body)
            self.units.append(Unit(body, "paragraph", start=at, end=at + len(body), line_start=number,
                                   line_end=number, meta={"description": True}))
        else:
            self.removals.add(body, "page chrome before the transcript")

    def _continue_with_pending(self) -> None:
        """Untimed lines between two timestamped ones go on with the sentence."""
        for number, at, body, bare in self.pending:
            if bare is not None:
                self.removals.add(body, "bare timestamp")
            else:
                self._fragment(body, at, at + len(body), number, None)
        self.pending.clear()

    def _fragment(self, fragment: str, a: int, b: int, number: int, secs: float | None) -> None:
        if fragment[0] == ">" or ":" in fragment:
            words_at = self._speaker(fragment, a)
            if words_at >= b:
                self.removals.add(fragment, "speaker mark without words")
                return
            a, fragment = words_at, self.text[words_at:b]
        if self.parts and fragment == self.previous:
            self._flush()
        self.previous = fragment
        count = fragment.count(" ") + 1
        if secs is not None:
            silence = secs - self.now - self.spoken
            if self.parts and (silence >= LONG_PAUSE or (silence >= SHORT_PAUSE and self.words >= SOFT_WORDS)):
                self._flush()
            self.now = secs
            self.spoken = count / WORDS_PER_SECOND
        marked = "." in fragment or "?" in fragment or "!" in fragment or "…" in fragment
        if marked and _INNER_END.search(fragment):
            spans = split_sentences(fragment)
            for k, (x, y) in enumerate(spans):
                part = fragment[x:y]
                self._append(part, a + x, a + y, number, part.count(" ") + 1)
                if k < len(spans) - 1 or ends_sentence(fragment):
                    self._flush()
        else:
            self._append(fragment, a, b, number, count)
            if marked and fragment[-1] in _END_CHARS and ends_sentence(fragment):
                self._flush()
        if self.words >= MAX_WORDS:
            self._flush()

    def _speaker(self, fragment: str, a: int) -> int:
        """A leading ``>>`` or ``Name :`` starts a new speaker; returns where the words start."""
        if fragment.startswith(">>"):
            self._flush()
            self.author = None
            self.meta = {"speaker_change": True}
            return a + len(fragment) - len(fragment[2:].lstrip())
        label = _LABEL.match(fragment)
        if label and fold(label.group(1).split()[0]) not in _FUNCTION_WORDS:
            self._flush()
            self.author = label.group(1).strip()
            return a + label.end()
        return a

    def _append(self, part: str, a: int, b: int, number: int, count: int) -> None:
        if not self.parts:
            self.start, self.line_start, self.offset = a, number, self.now
        self.parts.append(part)
        self.end, self.line_end = b, number
        self.words += count

    def _flush(self) -> None:
        if not self.parts:
            return
        self.units.append(Unit(" ".join(self.parts), "sentence", author=self.author, offset=self.offset,
                               start=self.start, end=self.end, line_start=self.line_start,
                               line_end=self.line_end, meta=self.meta))
        self.parts = []
        self.words = 0
        self.meta = {}


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
