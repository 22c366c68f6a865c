"""Timed fragments (transcript lines, subtitle cues) re-flowed into sentences.

The one re-flow engine of the ``transcript`` and ``subtitles`` loaders.
Fragments are joined into sentences cut at ``.``, ``!``, ``?``, ``…``
(inside a fragment too), at a speaker change (``>>``, a ``Prénom Nom :`` or
``NOM :`` label, or a change the loader announces with ``Reflow.turn``) and
before a fragment that repeats the previous one word for word (jingles, stuck
captions). Speech without punctuation is cut at pauses: the silence before a
fragment is its start minus the end of the previous one (the fragment's
``until`` when known, else its start plus its words said at
``WORDS_PER_SECOND``); a silence of ``LONG_PAUSE`` seconds cuts, one of
``SHORT_PAUSE`` cuts a sentence of ``SOFT_WORDS`` words, and ``MAX_WORDS``
words cut in any case.

Each sentence keeps the start time of the fragment it starts in as
``offset`` — or of its first word, when the fragment times its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from ..text.sentences import TERMINAL, ends_sentence, split_sentences
from ..types import Unit
from ..text.fold import fold
from .common import PERSON_NAME, UPPER

MAX_WORDS = 60
SOFT_WORDS = 30
WORDS_PER_SECOND = 3.0
LONG_PAUSE = 3.0
SHORT_PAUSE = 1.0

#: Capitalised words that start a sentence rather than a name ("Et Marc Dupont", "Bonsoir Clément").
FUNCTION_WORDS = frozenset(
    "et avec merci bonsoir bonjour salut alors donc mais le la les un une ce cette chez pour par "
    "voila voici oui non moi nous vous il elle on tu je puis enfin aussi ici la-bas tiens ecoute "
    "bienvenue bravo madame monsieur cher chere".split()
)

_END_CHARS = frozenset(".!?…»\"”’)]")
_INNER_END = re.compile(rf"{TERMINAL}[\"”»)]*\s+\S")
# "Prénom Nom :" or "NOM :" (capitals only), then the words or nothing.
_LABEL = re.compile(rf"({PERSON_NAME}|[{UPPER}][{UPPER}'’ .-]{{1,30}}[{UPPER}])[ \t]?:(?:[ \t]+|$)")


class Turn(NamedTuple):
    """A speaker mark leading a fragment: who speaks (None when unnamed) and where the words start."""

    author: str | None
    at: int


def speaker_turn(text: str) -> Turn | None:
    """The ``>>``, ``>> NOM :`` or ``Prénom Nom :`` mark leading ``text``, if any."""
    if text.startswith(">>"):
        words = len(text) - len(text[2:].lstrip())
        label = _label(text, words)
        return Turn(label.group(1).strip(), label.end()) if label else Turn(None, words)
    if ":" in text:
        label = _label(text, 0)
        if label:
            return Turn(label.group(1).strip(), label.end())
    return None


def _label(text: str, at: int) -> re.Match[str] | None:
    label = _LABEL.match(text, at)
    if label and fold(label.group(1).split()[0]) not in FUNCTION_WORDS:
        return label
    return None


@dataclass(slots=True)
class Fragment:
    """Words said at one time, and where they sit in the source text.

    ``text[i]`` is ``source[start + i]`` (a verbatim slice of one line), unless
    ``where`` gives the source offset of each character (text cleaned of
    markup, possibly over several lines). ``line`` is the source line of
    ``text[0]``; ``secs`` when it is said (None: it goes on from the previous
    fragment); ``until`` when the speech ends, if known; ``times`` the (index
    in ``text``, seconds) of words timed on their own, in order.
    """

    text: str
    start: int
    line: int
    secs: float | None = None
    until: float | None = None
    where: list[int] | None = None
    times: list[tuple[int, float]] | None = None

    def at(self, i: int) -> int:
        """Source offset of ``text[i]``."""
        return self.start + i if self.where is None else self.where[i]

    def time_at(self, i: int) -> float | None:
        """When the word at ``text[i]`` is said: its own time, else the fragment's."""
        found = self.secs
        for index, secs in self.times or ():
            if index > i:
                break
            found = secs
        return found


class Reflow:
    """Sentence units built from fragments, appended to ``units`` as they are completed."""

    def __init__(self, text: str, units: list[Unit] | None = None) -> None:
        self.text = text
        self.units: list[Unit] = [] if units is None else units
        self.author: str | None = None
        self.meta: dict[str, object] = {}
        # the sentence being built
        self.parts: list[str] = []
        self.start = self.end = self.line_start = self.line_end = 0
        self.offset = 0.0
        self.words = 0
        # the previous fragment: when it started, how long it lasted, its words
        self.now = 0.0
        self.spoken = 0.0
        self.previous = ""

    def turn(self, author: str | None) -> None:
        """A new speaker: the sentence ends; an unnamed speaker is marked ``speaker_change``."""
        self.flush()
        self.author = author
        if author is None:
            self.meta = {"speaker_change": True}

    def add(self, piece: Fragment) -> bool:
        """Re-flow one fragment; False when it held nothing but a speaker mark."""
        text = piece.text
        if text[0] == ">" or ":" in text:
            turn = speaker_turn(text)
            if turn:
                self.turn(turn.author)
                if turn.at >= len(text):
                    return False
                piece = self._tail(piece, turn.at)
                text = piece.text
        if self.parts and text == self.previous:
            self.flush()
        self.previous = text
        count = text.count(" ") + 1
        secs = piece.secs
        if secs is not None:
            silence = secs - self.now - self.spoken
            if self.parts and (silence >= LONG_PAUSE or (silence >= SHORT_PAUSE and self.words >= SOFT_WORDS)):
                self.flush()
            self.now = secs
            self.spoken = count / WORDS_PER_SECOND if piece.until is None else piece.until - secs
        marked = "." in text or "?" in text or "!" in text or "…" in text
        if marked and _INNER_END.search(text):
            spans = split_sentences(text)
            for k, (x, y) in enumerate(spans):
                self._append(piece, x, y, text.count(" ", x, y) + 1)
                if k < len(spans) - 1 or ends_sentence(text):
                    self.flush()
        else:
            self._append(piece, 0, len(text), count)
            if marked and text[-1] in _END_CHARS and ends_sentence(text):
                self.flush()
        if self.words >= MAX_WORDS:
            self.flush()
        return True

    def flush(self) -> None:
        """End the sentence being built, if any."""
        if not self.parts:
            return
        self.units.append(Unit(" ".join(self.parts), "sentence", author=self.author, offset=self.offset,
                               start=self.start, end=self.end, line_start=self.line_start,
                               line_end=self.line_end, meta=self.meta))
        self.parts = []
        self.words = 0
        self.meta = {}

    def _append(self, piece: Fragment, x: int, y: int, count: int) -> None:
        """``piece.text[x:y]`` joins the sentence (and starts it, with its time, when empty)."""
        where = piece.where
        if not self.parts:
            self.start = piece.start + x if where is None else where[x]
            self.line_start = piece.line if where is None else self._line(piece, self.start)
            timed = piece.time_at(x) if x else None
            self.offset = self.now if timed is None else timed
        self.parts.append(piece.text if x == 0 and y == len(piece.text) else piece.text[x:y])
        if where is None:
            self.end, self.line_end = piece.start + y, piece.line
        else:
            self.end = where[y - 1] + 1
            self.line_end = self._line(piece, self.end - 1)
        self.words += count

    def _line(self, piece: Fragment, at: int) -> int:
        """The source line of offset ``at`` inside ``piece``."""
        if piece.where is None or at == piece.start:
            return piece.line
        return piece.line + self.text.count("\n", piece.start, at)

    def _tail(self, piece: Fragment, i: int) -> Fragment:
        """``piece`` from ``text[i]`` on (past a speaker mark)."""
        times = [(index - i, secs) for index, secs in piece.times or () if index > i]
        at = piece.at(i)
        return Fragment(piece.text[i:], at, self._line(piece, at), piece.time_at(i), piece.until,
                        None if piece.where is None else piece.where[i:], times or None)


def clock(seconds: float) -> str:
    """``HH:MM:SS`` of an offset in seconds."""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
