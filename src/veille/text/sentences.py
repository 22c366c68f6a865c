"""French sentence boundaries, found in one regular-expression pass.

A sentence ends at ``.``, ``!``, ``?``, ``…`` or ``...`` (closing quotes and
brackets included) when followed by white space and a capital, an opening
quote or a digit, or by the end of the text. A blank line always ends one.
Not boundaries: abbreviations (``M.``, ``Dr.``, ``etc.``, ``p. ex.``), single
letters (``D.C.``, initials), decimals (``3.5``), URLs (no space follows) and
the two-dot ellipsis of informal writing (``..Hmm..``).
"""

from __future__ import annotations

import re

#: Words that end with a period without ending the sentence.
ABBREVIATIONS = (
    "MM", "Mme", "Mmes", "Mlle", "Mlles", "Mgr", "Dr", "Dre", "Drs", "Pr", "Me", "St", "Ste",
    "Mr", "Mrs", "Ms", "Jr", "Sr", "Prof", "etc", "ex", "cf", "env", "vol", "chap", "art",
    "fig", "éd", "av", "apr", "resp", "vs", "coll", "dir", "trad", "hab", "tél", "nb",
)

# A run of end marks, then checks that look back at it: the run is not an
# informal two-dot ellipsis, an abbreviation or an initial (M., D.C., p.).
_NOT_ABBREVIATION = "".join(rf"(?<!\b{re.escape(word)}\.)" for word in ABBREVIATIONS)
_NOT_INITIAL = r"(?<!\b[^\W\d_]\.)"
_CHECKS = rf"(?<![^.]\.\.){_NOT_ABBREVIATION}{_NOT_INITIAL}"
TERMINAL = rf"[.!?…]+{_CHECKS}"
CLOSERS = r"(?:[ \u00a0\u202f]?»)?[\"”’)\]]*"
_UPPER = "A-ZÀ-ÖØ-ÞŒÆ"
_NEXT = rf"(?=\s+[«\"“‘(\[—–-]?[ \u00a0\u202f]?[{_UPPER}0-9]|\s*\Z)"

# One leading character class lets the regex engine skip ahead fast; what
# follows tells a blank line (paragraph break) from an end of sentence.
_BOUNDARY = re.compile(rf"[.!?…\n](?:(?<=\n)[ \t]*\n|(?<=[.!?…])[.!?…]*{_CHECKS}{CLOSERS}{_NEXT})")
_ENDS = re.compile(rf"{TERMINAL}{CLOSERS}\s*\Z")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``, in order, without surrounding space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.start()
        if text[end] != "\n":
            end = match.end()
        _add_span(spans, text, start, end)
        start = end
    _add_span(spans, text, start, len(text))
    return spans


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings."""
    return [text[a:b] for a, b in split_sentences(text)]


def ends_sentence(fragment: str) -> bool:
    """Whether ``fragment`` ends with sentence-final punctuation (not an abbreviation)."""
    tail = fragment[-40:]
    return _ENDS.search(tail) is not None


def _add_span(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))
