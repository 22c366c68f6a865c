"""Social posts copied from LinkedIn and the like (the content of seed 001).

One unit per non-blank line (kind ``paragraph``). In the unit text
``hashtag#Mot`` becomes ``#Mot``; a line led by a keycap emoji ("1️⃣") or by
``1)`` / ``1.`` is a list item (``meta["item"] = n``, text without the
marker). Reaction bars and counters ("123 réactions", "J'aime", "Commenter",
"Republier", "Voir la traduction"…) are removed and counted, and so is a
trailing "… plus" / "…voir plus" left by a truncated post.
"""

from __future__ import annotations

import re

from ..types import Document, Unit
from .base import Line, split_lines
from .common import PICTOGRAPHS, Removals, collapse, finish, sniff_sample, span_unit, title_from_text

name = "post"
kind = "post"

#: Whole-line patterns of the reaction bar and counters (case-insensitive), French and English.
CHROME = (
    r"\d[\d  .,]*\s*(?:k|M)?\s*(?:réactions?|reactions?|commentaires?|comments?|republications?"
    r"|reposts?|partages?|shares?|j['’]aime|likes?|vues|views|impressions|abonnés|followers)",
    r"j['’]aime|like|commenter|comment|republier|repost|envoyer|send|partager|share|soutenir|support",
    r"bravo|celebrate|instructif|insightful|drôle|funny|voir la traduction|see translation",
    r"(?:…|\.\.\.)\s*(?:voir )?plus|(?:…|\.\.\.)?\s*see more|afficher la traduction|traduire",
    r"\+?\s*suivre|\+?\s*follow|se connecter|connect|(?:il y a )?\d+\s*(?:h|j|sem\.?|mois|ans?|d|w|mo|y)\s*(?:•.*)?",
    r"•\s*(?:1er|2e|3e\+?|1st|2nd|3rd\+?)|modifié\s*•?|edited\s*•?|\(modifié\)|voir le profil",
)
_COUNTER_WORDS = (r"réactions?|reactions?|commentaires?|comments?|republications?|reposts?|partages?|shares?"
                  r"|j['’]aime|likes?|vues|views|impressions|abonnés|followers")
# A reaction bar: emoji, figures, separators and counter words only ("👍❤️ 2 488 · 110 commentaires").
_BAR_PART = rf"(?:[{PICTOGRAPHS}\d\s.,·•|]|{_COUNTER_WORDS})"
_BAR = rf"{_BAR_PART}*(?:[{PICTOGRAPHS}]|{_COUNTER_WORDS}){_BAR_PART}*"
CHROME_MAX_CHARS = 100  # longer lines are never a reaction bar
_CHROME = re.compile(r"^\s*(?:" + "|".join((*CHROME, _BAR)) + r")\s*$", re.IGNORECASE)
_MORE = re.compile(r"\s*(?:…|\.\.\.)\s*(?:voir )?plus\s*$", re.IGNORECASE)
_HASHTAG = re.compile(r"hashtag#(?=\w)", re.IGNORECASE)
_ITEM = re.compile(r"^\s*(?:(\d{1,2})\ufe0f?\u20e3|(🔟)|(\d{1,2})[).]\s)\s*")
_KEYCAP_LINE = re.compile(r"(?m)^\s*(?:\d\ufe0f?\u20e3|🔟)")
_PLAIN_HASHTAG = re.compile(r"#(?<![\w&/]#)[^\W\d_]\w+")
_COUNTER = re.compile(r"(?m)^\s*\d[\d  .,]*\s*(?:réactions?|reactions?|commentaires?|comments?|republications?)\s*$",
                      re.IGNORECASE)


def sniff(text: str, filename: str) -> tuple[float, str]:
    """``hashtag#`` words, hashtags, keycap-numbered lines and reaction counters."""
    head = sniff_sample(text)
    linkedin = head.count("hashtag#")
    tags = linkedin + len(_PLAIN_HASHTAG.findall(head))
    keycaps = len(_KEYCAP_LINE.findall(head))
    counters = len(_COUNTER.findall(head))
    confidence = 0.0
    if linkedin >= 2:
        confidence = 0.65
    elif tags >= 3 and len(head) < 20_000:
        confidence = 0.5
    elif linkedin or tags:
        confidence = 0.25
    if confidence:
        confidence += 0.15 * (keycaps >= 2) + 0.1 * (counters > 0)
    elif keycaps >= 2:
        confidence = 0.4
    reason = (f"{linkedin} 'hashtag#' words, {tags} hashtags, {keycaps} keycap-numbered lines, "
              f"{counters} reaction counters")
    return min(confidence, 0.9), reason


def parse(text: str, source: str) -> Document:
    """One paragraph unit per line; hashtags and numbered items cleaned; reactions removed."""
    removals = Removals()
    units = _units(split_lines(text), removals)
    doc = Document(source=source, kind=kind, format=name, text=text, units=units)
    if units:
        doc.title = title_from_text(units[0].text)
    return finish(doc, removals)


def _units(lines: list[Line], removals: Removals) -> list[Unit]:
    units: list[Unit] = []
    for line in lines:
        stripped = line.text.strip()
        if not stripped:
            continue
        if len(stripped) <= CHROME_MAX_CHARS and _CHROME.match(stripped):
            removals.add(stripped, "reaction bar")
            continue
        content = line.text
        more = _MORE.search(content) if content.rstrip()[-4:].lower() == "plus" else None
        if more and more.start() > 0:
            removals.add(more.group(0), "'… plus' marker")
            content = content[:more.start()]
        meta: dict[str, object] = {}
        item = _ITEM.match(content)
        if item:
            number = item.group(1) or item.group(3)
            meta["item"] = int(number) if number else 10
            content = content[item.end():]
        cleaned = collapse(_HASHTAG.sub("#", content))
        if not cleaned:
            removals.add(stripped, "empty list marker")
            continue
        unit = span_unit([line], cleaned, "paragraph", meta=meta)
        if more and more.start() > 0:
            unit.end = line.start + len(content.rstrip())
        units.append(unit)
    return units
