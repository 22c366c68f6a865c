"""Which loader fits a text: every loader sniffs, precedence decides among those that fit.

A loader *fits* when its confidence reaches ``FIT``. Among fitting loaders
the first in ``LOADERS`` order wins (chunk file > transcript > web chat >
post > markdown > article > plain text): a more specific format beats a more
general one even when the general one is also sure of itself. When none
fits, the most confident one wins; plain text always answers 0.1.

Text that opens like JSON (``{"…`` or ``[{…``) is offered to the JSON export
loaders only: when none fits, no loader gets it and the detection says why
(truncated or invalid JSON, naming the export its head looks like, or JSON of
a shape no loader reads), so a cut export is never read as a post or an article.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .loaders import LOADERS, Loader
from .loaders.jsonchat import looks_like_json, refusal

#: Confidence from which a loader is said to fit.
FIT = 0.5


@dataclass
class Detection:
    """The chosen format, how sure, why, and the answers of the loaders asked (best first).

    ``refused`` says why no loader may read the text (``format`` is then ""): JSON that no JSON loader reads.
    """

    format: str
    confidence: float
    reason: str
    candidates: list[tuple[str, float, str]] = field(default_factory=list)
    refused: str = ""


def detect(text: str, filename: str = "", explain: bool = False) -> Detection:
    """The loader that fits ``text`` best (see the module docstring for the rule).

    Asking stops at the first loader that fits unless ``explain`` asks for every answer.
    """
    answers: list[tuple[str, float, str]] = []
    json_text = looks_like_json(text)
    for loader_name, loader in LOADERS.items():
        if loader.reads_json != json_text:
            if explain:
                answers.append((loader_name, 0.0, "opens like JSON, which only a JSON export's loader reads"
                                if json_text else "does not open like JSON"))
            continue
        try:
            confidence, reason = loader.sniff(text, filename)
        except Exception as error:  # a sniffer must never sink detection
            confidence, reason = 0.0, f"sniff failed: {error!r}"
        answers.append((loader_name, max(0.0, min(1.0, confidence)), reason))
        if answers[-1][1] >= FIT and not explain:
            break  # loaders come in precedence order: the first that fits wins
    fitting = [a for a in answers if a[1] >= FIT]
    candidates = sorted(answers, key=lambda a: a[1], reverse=True)
    if json_text and not fitting:
        why = refusal(text, "; ".join(f"{name}: {reason}" for name, _, reason in answers
                                      if LOADERS[name].reads_json))
        return Detection("", 0.0, why, candidates, refused=why)
    chosen = fitting[0] if fitting else max(answers, key=lambda a: a[1])
    return Detection(chosen[0], chosen[1], chosen[2], candidates)


def get_loader(name: str) -> Loader:
    """The loader called ``name``; KeyError naming the known ones otherwise."""
    try:
        return LOADERS[name]
    except KeyError:
        raise KeyError(f"unknown format {name!r}; known formats: {', '.join(LOADERS)}") from None
