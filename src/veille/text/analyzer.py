"""The French analyser: the same terms for indexing and for querying.

Lower-case; words split at hyphens and apostrophes; elisions dropped (``l'IA`` → ``ia``, ``d’énergie`` → ``énergie``);
French numbers kept whole (``100 000`` → ``100000``, ``3,5`` → ``3.5``);
stop words out; plural folded then Snowball French stemming; accents folded
last, so ``énergie``, ``energie`` and ``énergies`` meet.
"""

from __future__ import annotations

import re
from typing import Iterator

import Stemmer

from .fold import fold_accents
from .stopwords import FRENCH_STOP_WORDS

# Elided clitics: l' d' j' m' n' s' t' c' qu' and the longer ones, before a letter.
_ELISION = r"(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’](?=[^\W\d_])"

#: Words and numbers with their offsets: group "num" for numbers, "word" for words.
TOKEN = re.compile(
    r"(?i:" + _ELISION + r")"
    r"|(?P<num>\b\d{1,3}(?:[  ]\d{3})+(?:,\d+)?\b|\d+(?:[.,]\d+)?)"
    r"|(?P<word>[^\W\d_]+)"
)

_FINDALL = TOKEN.findall
# For the bag of terms: elided clitics (l, d, qu…) are stop words, so plain letter runs give the same terms.
_WORDS = re.compile(r"[^\W\d_]+").findall
_NUMBER_RE = re.compile(r"\b\d{1,3}(?:[  ]\d{3})+(?:,\d+)?\b|\d+(?:[.,]\d+)?")
_NUMBERS = _NUMBER_RE.findall

class FrenchAnalyzer:
    """Turns text into search terms; keeps a cache because words repeat a lot."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("french")
        self._cache: dict[str, str] = {}

    def term(self, word: str) -> str:
        """The term of one word (lower-cased already or not); "" for a stop word."""
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        lower = word.lower()
        folded = fold_accents(lower)
        if folded in FRENCH_STOP_WORDS and not _is_letter_name(word):
            result = ""
        else:
            result = self._stem(lower)
        if len(self._cache) < 500_000:
            self._cache[word] = result
        return result

    def _stem(self, word: str) -> str:
        # Snowball French leaves "centers"/"center" apart (center → cent): drop a
        # plural s/x first so singular and plural always meet.
        if len(word) > 3 and word[-1] in "sx" and word[-2] not in "sxz":
            word = word[:-1]
        return fold_accents(self._stemmer.stemWord(word))

    def terms(self, text: str) -> list[str]:
        """Search terms of ``text`` in order (stop words and elisions removed)."""
        out: list[str] = []
        append = out.append
        cache = self._cache
        for num, word in _FINDALL(text):  # hot path: one findall, cache hits inline
            if word:
                t = cache.get(word)
                if t is None:
                    t = self.term(word)
                if t:
                    append(t)
            elif num:
                append(normalise_number(num))
        return out

    def index_terms(self, text: str) -> list[str]:
        """The same terms as ``terms`` as a bag (words, then numbers): faster, for indexing."""
        cache = self._cache
        words = _WORDS(text)
        found = list(map(cache.get, words))
        if None in found:
            term = self.term
            found = [t if t is not None else term(w) for t, w in zip(found, words)]
        out = [t for t in found if t]
        out += [normalise_number(n) for n in _NUMBERS(text)]
        return out

    def match_spans(self, text: str, terms: set[str]) -> list[tuple[int, int]]:
        """Where in ``text`` the words (and numbers) whose term is in ``terms`` stand, in order."""
        term = self.term
        surfaces = {w for w in set(_WORDS(text)) if term(w) in terms}
        spans: list[tuple[int, int]] = []
        if surfaces:
            alternatives = "|".join(map(re.escape, sorted(surfaces, key=len, reverse=True)))
            spans = [m.span() for m in re.finditer(rf"(?<![^\W\d_])(?:{alternatives})(?![^\W\d_])", text)]
        if any(t[:1].isdigit() for t in terms):
            spans += [m.span() for m in _NUMBER_RE.finditer(text) if normalise_number(m.group(0)) in terms]
            spans.sort()
        return spans

    def spans(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, term) for every term of ``text``, for highlighting."""
        for match in TOKEN.finditer(text):
            word = match.group("word")
            if word is not None:
                t = self.term(word)
                if t:
                    yield match.start(), match.end(), t
            elif match.group("num") is not None:
                yield match.start(), match.end(), normalise_number(match.group("num"))


def _is_letter_name(word: str) -> bool:
    """A capital letter standing alone is a content word ("série A"), not "a"/"y"."""
    return len(word) == 1 and word.isupper() and word not in "ÀY"


def normalise_number(num: str) -> str:
    """``100 000`` → ``100000``; ``3,5`` → ``3.5``."""
    return num.replace(" ", "").replace(" ", "").replace(",", ".")


_default: FrenchAnalyzer | None = None


def default_analyzer() -> FrenchAnalyzer:
    """A process-wide analyser (its cache is shared)."""
    global _default
    if _default is None:
        _default = FrenchAnalyzer()
    return _default
