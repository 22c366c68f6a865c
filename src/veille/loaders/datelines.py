"""Dates, bylines and metadata lines of web pages: ``fold_in_place``, ``find_date`` / ``only_date`` (French and
English dates, with their time), the person names of a byline, and ``metadata_of`` for a whole line (``ArticleMeta``:
date, update, authors).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from .chrome_vocabulary import LABEL_PATTERNS, sentence_end, terminal
from ..text.fold import fold_in_place
from .common import PERSON_NAME

_MONTHS = {
    "jan": 1, "fev": 2, "feb": 2, "mar": 3, "avr": 4, "apr": 4, "mai": 5, "may": 5, "juin": 6, "jun": 6,
    "juil": 7, "jul": 7, "aou": 8, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (r"(janv(?:ier)?|fevr?(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|aout|sept?(?:embre)?|oct(?:obre)?"
          r"|nov(?:embre)?|dec(?:embre)?|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
          r"|aug(?:ust)?|september|october|november|december)\.?")
_DATE_FORMS = (
    ("dmy", re.compile(rf"(?<!\d)(\d{{1,2}})(?:er|st|nd|rd|th)? {_MONTH},? (\d{{4}})(?!\d)")),
    ("mdy", re.compile(rf"(?<!\w){_MONTH} (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})(?!\d)")),
    ("iso", re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")),
    ("num", re.compile(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?!\d)")),
)
_TIME = re.compile(r"(?<![\d:])(\d{1,2}) ?(?:h|:) ?(\d{2})?(?: ?(a\.?m\.?|p\.?m\.?))?(?!\d)")
_DATE_FILLER = re.compile(
    r"(?<!\w)(?:le|on|at|a|et|ct|pt|gmt|utc|cet|cest|min|h|am|pm|lundi|mardi|mercredi|jeudi|vendredi|samedi"
    r"|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday)(?!\w)|[\s,.·•|:–—-]"
)
_DATE_PREFIX = re.compile(
    r"^(?:(mis a jour|mise a jour|modifie|actualise|updated|last updated|date de mise a jour)|publie|diffuse|poste"
    r"|posted|published|first published|cree|date de (?:publication|mise en ligne)|mis en ligne|date ?:)\b"
)
_DATELINE = re.compile(r"^[a-z][\w' -]{1,30}, le ")
_BYLINE = re.compile(r"^(?:par|by|written by|redige par|ecrit par|posted by|auteur ?:|author ?:|texte ?:) ")
_NAME_SPLIT = re.compile(r"(?:(?<!\s)\s*|(?<=\s))(?:,|\bet\b|\band\b|&)\s*")  # (?<!\s): linear on blank runs
_NAME = re.compile(rf"^(?:{PERSON_NAME}|[A-ZÀ-Ý][\w’'-]+ [A-ZÀ-Ý]\.)$")


def find_date(text: str) -> tuple[datetime | None, list[tuple[int, int]]]:
    """The first date written in ``text`` (French or English, with its time when given) and the spans of all."""
    folded = fold_in_place(text)
    found: list[tuple[int, int, datetime]] = []
    for form, pattern in _DATE_FORMS:
        for match in pattern.finditer(folded):
            when = _date_of(form, match.groups())
            if when and not any(s < match.end() and match.start() < e for s, e, _ in found):
                found.append((match.start(), match.end(), when))
    if not found:
        return None, []
    found.sort()
    start, end, when = found[0]
    spans = [(s, e) for s, e, _ in found]
    time = _TIME.search(folded, end)
    if time is None or time.start() - end > 12:
        time = next((t for t in _TIME.finditer(folded[:start]) if start - t.end() <= 12), None)
    if time and (time.group(2) or time.group(3)):
        hour, minute = int(time.group(1)), int(time.group(2) or 0)
        if time.group(3) and time.group(3).startswith("p") and hour < 12:
            hour += 12
        if hour < 24 and minute < 60:
            when = when.replace(hour=hour, minute=minute)
            spans.append(time.span())
    return when, spans


def _date_of(form: str, groups: tuple[str, ...]) -> datetime | None:
    if form == "dmy":
        day, month, year = int(groups[0]), _month(groups[1]), int(groups[2])
    elif form == "mdy":
        month, day, year = _month(groups[0]), int(groups[1]), int(groups[2])
    elif form == "iso":
        year, month, day = map(int, groups)
    else:
        day, month, year = map(int, groups)
        if month > 12:
            day, month = month, day
    try:
        return datetime(year, month, day) if 1900 < year < 2200 else None
    except ValueError:
        return None


def _month(word: str) -> int:
    word = word.rstrip(".")
    return _MONTHS.get(word[:4], 0) or _MONTHS.get(word[:3], 0)


def only_date(text: str) -> bool:
    """Whether ``text`` says nothing but a date (with weekday and time)."""
    when, spans = find_date(text)
    if when is None:
        return False
    folded = fold_in_place(text)
    for start, end in spans:
        folded = folded[:start] + " " * (end - start) + folded[end:]
    return not any(c.isalnum() for c in _DATE_FILLER.sub(" ", folded))


def byline_names(text: str) -> list[str]:
    """Person names of a byline remainder ("Léa Moreau et Yanis Haddad"), or none when something else is there."""
    names = [part.strip(" .") for part in _NAME_SPLIT.split(text.strip()) if part.strip()]
    return names if names and all(_NAME.match(n) for n in names) else []


@dataclass
class ArticleMeta:
    """What a metadata line says: when, and who wrote."""

    date: datetime | None = None
    updated: datetime | None = None
    authors: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "byline (metadata)" if self.authors else "date (metadata)"


def metadata_of(text: str) -> ArticleMeta | None:
    """The date and authors a byline or date line gives ("Publié le … par …", "By … and …", "Name · date · …")."""
    if len(text) > 160:
        return None
    folded = fold_in_place(text)
    prefix = _DATE_PREFIX.match(folded)
    if prefix or _DATELINE.match(folded):
        meta = ArticleMeta(authors=_byline_tail(text, folded))
        for part in re.split(r"\s*[|·•]\s*|\s+[–—-]\s+", text):
            when, _ = find_date(part)
            if when is None:
                continue
            update = _DATE_PREFIX.match(fold_in_place(part))
            if update and update.group(1):
                meta.updated = meta.updated or when
            else:
                meta.date = meta.date or when
        return meta if meta.date or meta.updated else None
    if _BYLINE.match(folded):
        rest = text[_BYLINE.match(folded).end():]
        head = re.split(r"\s+(?:le|on|[|·•–—-])\s+|,\s*(?:le|on)?\s*(?=\d)|\s+(?:le|on)\s+(?=\d)", rest, maxsplit=1)
        names = byline_names(head[0])
        if not names or (sentence_end(text) and len(text.split()) > 8):
            return None
        when, _ = find_date(rest)
        return ArticleMeta(date=when, authors=names)
    return _segmented_byline(text)


def _byline_tail(text: str, folded: str) -> list[str]:
    """Names after "par" / "by" in a date line."""
    match = re.search(r"(?<!\w)(?:par|by) ", folded)
    if not match:
        return []
    return byline_names(re.split(r"\s*[|·•]\s*", text[match.end():])[0])


def _segmented_byline(text: str) -> ArticleMeta | None:
    """ "Julien Carpentier · 18 janvier 2025 · 6 min de lecture", "March 18, 2025 · 4 min read · Product".

    Parts between separators: a date, and names, a reading time or a short rubric.
    """
    parts = [p for p in re.split(r"\s+[·•|–—]\s+", text) if p]
    if len(parts) < 2:
        return None
    when, authors, extras = None, [], 0
    for part in parts:
        if only_date(part):
            when = when or find_date(part)[0]
        elif not authors and byline_names(part):
            authors = byline_names(part)
        elif (LABEL_PATTERNS["reading time"].match(fold_in_place(part))
              or (len(part.split()) <= 3 and not terminal(part))):
            extras += 1
        else:
            return None
    return ArticleMeta(date=when, authors=authors) if when and (authors or extras) else None
