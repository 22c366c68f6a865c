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

_NOT_ABBREVIATION = "".join(rf"(?<!\b{re.escape(word)})" for word in ABBREVIATIONS)
# A period after a one-letter word (M., D.C., J.-C., p.) does not end a sentence.
_NOT_INITIAL = r"(?<!\b[^\W\d_])"
_PERIOD = rf"{_NOT_ABBREVIATION}{_NOT_INITIAL}(?<!\.)\.(?!\.)"
TERMINAL = rf"(?:\.{{3,}}|…+|[!?]+[.…]*|{_PERIOD})"
CLOSERS = r"(?:[ \u00a0\u202f]?»)?[\"”’)\]]*"
_UPPER = "A-ZÀ-ÖØ-ÞŒÆ"
_NEXT = rf"(?=\s+[«\"“‘(\[—–-]?[ \u00a0\u202f]?[{_UPPER}0-9]|\s*\Z)"

_BOUNDARY = re.compile(rf"(?P<end>{TERMINAL}{CLOSERS}){_NEXT}|(?P<gap>\n[ \t]*\n)")
_ENDS = re.compile(rf"{TERMINAL}{CLOSERS}\s*\Z")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``, in order, without surrounding space."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end("end") if match.group("end") is not None else match.start()
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
    segment = text[start:end]
    stripped = segment.strip()
    if not stripped:
        return
    lead = len(segment) - len(segment.lstrip())
    spans.append((start + lead, start + lead + len(stripped)))
