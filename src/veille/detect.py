"""Which loader fits a text: every loader sniffs, precedence decides among those that fit.

A loader *fits* when its confidence reaches ``FIT``. Among fitting loaders
the first in ``LOADERS`` order wins (chunk file > transcript > web chat >
post > markdown > article > plain text): a more specific format beats a more
general one even when the general one is also sure of itself. When none
fits, the most confident one wins; plain text always answers 0.1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .loaders import LOADERS, Loader

#: Confidence from which a loader is said to fit.
FIT = 0.5


@dataclass
class Detection:
    """The chosen format, how sure, why, and the answers of the loaders asked (best first)."""

    format: str
    confidence: float
    reason: str
    candidates: list[tuple[str, float, str]] = field(default_factory=list)


def detect(text: str, filename: str = "", explain: bool = False) -> Detection:
    """The loader that fits ``text`` best (see the module docstring for the rule).

    Asking stops at the first loader that fits unless ``explain`` asks for every answer.
    """
    answers: list[tuple[str, float, str]] = []
    for loader_name, loader in LOADERS.items():
        try:
            confidence, reason = loader.sniff(text, filename)
        except Exception as error:  # a sniffer must never sink detection
            confidence, reason = 0.0, f"sniff failed: {error!r}"
        answers.append((loader_name, max(0.0, min(1.0, confidence)), reason))
        if answers[-1][1] >= FIT and not explain:
            break  # loaders come in precedence order: the first that fits wins
    fitting = [a for a in answers if a[1] >= FIT]
    chosen = fitting[0] if fitting else max(answers, key=lambda a: a[1])
    candidates = sorted(answers, key=lambda a: a[1], reverse=True)
    return Detection(chosen[0], chosen[1], chosen[2], candidates)


def get_loader(name: str) -> Loader:
    """The loader called ``name``; KeyError naming the known ones otherwise."""
    try:
        return LOADERS[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r}; known formats: {', '.join(LOADERS)}") from None
