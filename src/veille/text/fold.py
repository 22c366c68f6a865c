"""Folding text for comparison: the one place where veille says how two spellings are made to meet.

Each function is a genuinely different behaviour, kept for a reason its docstring gives:

- ``fold_accents``: accents off, ligatures opened, case kept — the analyser folds stemmed terms with it.
- ``fold``: ``fold_accents`` of the lower case — what filters compare (participants, topics, authors; stored
  in the knowledge base, so it never changes for a file already written) and what loaders compare words with.
- ``fold_name``: ``fold`` cut into words joined by one space — names as mentions and answers compare them
  ("Jean-Baptiste" and "jean baptiste" meet).
- ``fold_in_place``: one character for one, apostrophes made plain — the web page loaders match patterns on
  the folded text and use the match's offsets in the original.
- ``fold_case_like_regex``: the lower case with the few letters a case-insensitive regex matches beyond it made
  plain, one character for one, accents kept — figures look a matched word up in their tables.
- ``fold_case_and_space``: case folded and white space collapsed, accents kept — what embedding compares to
  tell whether a title is already in a chunk's first line (an accent is a different word there).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "fold_accents", "fold_case_and_space", "fold_case_like_regex", "fold_in_place", "fold_name"]

_LIGATURES = {"œ": "oe", "Œ": "Oe", "æ": "ae", "Æ": "Ae", "ß": "ss"}


def fold_accents(text: str) -> str:
    """``énergétique`` → ``energetique``; ligatures opened (``cœur`` → ``coeur``); case kept."""
    if text.isascii():
        return text
    for src, dst in _LIGATURES.items():
        text = text.replace(src, dst)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents, ligatures opened: ``Éléonore Lœb`` → ``eleonore loeb``."""
    return fold_accents(text.lower())


_NAME_WORDS = re.compile(r"[^\W_]+")


@lru_cache(maxsize=65536)
def fold_name(text: str) -> str:
    """``fold``, words separated by one space (punctuation and hyphens dropped): the form names compare in."""
    return " ".join(_NAME_WORDS.findall(fold(text)))


class _InPlaceTable(dict):
    """``str.translate`` table filled on first sight of each character: its folded form."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0].lower()[:1] or char
        self[code] = folded = "'" if base in "’‘`" else base
        return folded


_IN_PLACE = _InPlaceTable()


def fold_in_place(text: str) -> str:
    """Lower case without accents, typographic apostrophes as ``'``, one character for one (offsets kept)."""
    return text.translate(_IN_PLACE)


# The letters a case-insensitive pattern matches beyond their lower case ("milliardſ" matches "milliards"):
# made plain before a matched word is looked up, one character for one (offsets hold).
_REGEX_CASE = str.maketrans({"ſ": "s", "ı": "i", "İ": "i", "\u212a": "k"})
_REGEX_CASE_APART = re.compile("[ſıİ\u212a]")


def fold_case_like_regex(text: str) -> str:
    """The lower case as ``re.I`` sees it, accents kept: a word a case-insensitive pattern matched, ready to
    be looked up among the pattern's own words."""
    return text.translate(_REGEX_CASE).lower() if _REGEX_CASE_APART.search(text) else text.lower()


def fold_case_and_space(text: str) -> str:
    """Case folded, white space runs as one space, accents kept."""
    return " ".join(text.split()).casefold()
