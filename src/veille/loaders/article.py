"""Web articles saved as text (seeds 002, 003): title, headings, paragraphs; page chrome removed.

Copying a web page keeps its chrome: menus, breadcrumbs, share buttons,
newsletter boxes, cookie banners, "À lire aussi" lists, comment forms. Each
non-blank line is scored by a small linear classifier (``chrome.classify``,
with the weights and vocabulary of ``chrome_vocabulary``: ``WEIGHTS``) on

- **what it says**: chrome vocabulary in French and English (``CUES``: words
  anywhere, ``LABELS``: how a chrome line opens, ``FORMULAS``: phrases only
  page chrome writes), and how much of the line that vocabulary covers;
- **its shape**: length, final punctuation, separators (``Accueil > Tech``),
  links and handles, a lone duration, date or figure;
- **where it sits**: before the first or after the last body paragraph,
  among other chrome lines of its block, in a run of one-to-three-word lines
  (a menu), in a list opened by "Lire aussi" / "Related" / "Sommaire" /
  "À propos de l'auteur" or between durations; or, lowering the score, just
  above a paragraph (a heading) or a byline (the title).

The context features are recomputed from the previous round's decisions
until they settle (at most ``ROUNDS``). A line scoring ``THRESHOLD`` or more
is chrome: removed and counted by reason (``doc.metadata["removed"]`` and the
parse report). The reason is, first found: the category of a label or formula
it matches, of chrome words filling it, its shape ("durations", "dates",
"counters", "separators", "links"), the list it is in, the category of chrome
words in it, else its place ("navigation" in a menu run or before the body,
"trailing page chrome" after it).

A long line ending like a sentence is body whatever words it contains; only
formulas can outweigh that. A hard-wrapped paragraph is body as a whole.
Bylines ("Par Léa Moreau", "Written by … on January 9, 2025") and dates
("Publié le … | Mis à jour le …", a lone date before the body), read by
``datelines.metadata_of``, become ``doc.participants``, ``doc.date`` and
``doc.metadata`` and are counted as "byline (metadata)" / "date (metadata)";
"Tags : …" lists go to ``doc.metadata["tags"]``. Paragraphs after a
comment-section header ("3 commentaires") are kept with ``meta["comment"]`` and
the author named on the "X dit :" line above them.

What is left becomes units as before: the title (first line, short, no final
period, possibly wrapped on two or three lines), headings (short lines
without final period, or led by a roman numeral, ``1)``, "Conclusion :") as
``heading`` units and the ``section`` of what follows, and paragraphs (a
hard-wrapped block is one paragraph, otherwise one per line).
"""

from __future__ import annotations

import re
from datetime import datetime

from ..types import Document, Unit
from .base import Line, blocks, split_lines
from .chrome import Row, classify, is_boilerplate, wrapped_paragraph
from .chrome_vocabulary import COMMENT_AUTHOR, COMMENTS_HEADER
from .common import (
    Removals,
    collapse,
    finish,
    is_hard_wrapped,
    joined,
    sniff_sample,
    span_unit,
    title_from_text,
)
from .datelines import (
    fold_in_place,
    metadata_of,  # noqa: F401  (re-exported: tests call ``article.metadata_of``)
)

name = "article"
kind = "article"
reads_json = False

_NUMBERED = re.compile(
    r"^(?:[IVXLC]{1,6}[.)]|\d{1,2}[.)]|[A-Z][.)]|conclusion\s*:|introduction\s*:|chapitre \d+|partie \d+)\s*\S",
    re.IGNORECASE,
)
_NOT_HEADING_END = re.compile(r"[.,;:…]\s*$")
_NOT_HEADING_START = re.compile(r"^[-–—•*«\"“(\[]|https?://|www\.")
_URL = re.compile(r"https?://|www\.")
_BLANK = re.compile(r"\n[ \t]*\n")
_TERMINAL_END = re.compile(r"[.!?…»\"”)]\s*$")

HEADING_MAX_CHARS = 120
HEADING_MAX_WORDS = 20
QUESTION_HEADING_MAX_WORDS = 12
TITLE_MAX_CHARS = 150


def sniff(text: str, filename: str) -> tuple[float, str]:
    """Paragraphs with boilerplate lines, or more than three paragraphs of 200+ characters on average."""
    head = sniff_sample(text)
    paragraphs = _paragraph_lengths(head)
    if len(paragraphs) < 2:
        return (0.05 if paragraphs else 0.0), f"{len(paragraphs)} paragraphs of 80+ characters"
    lines = [line.strip() for line in head.split("\n") if 0 < len(line.strip()) < 200]
    boiler = sum(1 for line in lines if is_boilerplate(line))
    headings = sum(1 for line in lines if _looks_like_heading(line))
    average = sum(paragraphs) / len(paragraphs) if paragraphs else 0.0
    if boiler and len(paragraphs) >= 2:
        confidence = 0.55 + 0.1 * (headings > 0) + 0.1 * (average > 200)
    elif len(paragraphs) > 3 and average > 200:
        confidence = 0.5 + 0.1 * (headings > 0)
    else:
        confidence = 0.05 if paragraphs else 0.0
    reason = (f"{len(paragraphs)} paragraphs of 80+ characters (average {average:.0f}), "
              f"{headings} heading lines, {boiler} boilerplate lines")
    return confidence, reason


def _paragraph_lengths(text: str) -> list[int]:
    """Lengths of the paragraphs of 80+ characters: long lines, or whole wrapped blocks."""
    lengths: list[int] = []
    for block in _BLANK.split(text):
        rows = block.split("\n")
        if max(map(len, rows)) >= 150:
            lengths.extend(n for n in map(len, rows) if n >= 80)
        elif len(block) >= 80:
            lengths.append(len(block))
    return lengths


def parse(text: str, source: str) -> Document:
    """Title, headings with their sections, paragraphs; chrome removed and counted, metadata kept aside."""
    lines = split_lines(text)
    rows = classify(lines)
    removals = Removals()
    doc = Document(source=source, kind=kind, format=name, text=text)
    dropped = {row.line.number for row in rows if row.label != "body"}
    for row in rows:
        if row.reason:
            removals.add(row.text, row.reason)
    _apply_metadata(doc, rows)
    kept = [Line("", ln.number, ln.start, ln.start) if ln.number in dropped else ln for ln in lines]
    doc.units, title = _units(kept)
    _mark_comments(doc.units, rows)
    doc.title = title or _derived_title(doc.units)
    if removals.counts:
        doc.metadata["removed"] = dict(removals.counts)
    return finish(doc, removals)


def _apply_metadata(doc: Document, rows: list[Row]) -> None:
    """Dates, authors and tags from the metadata and tag lines."""
    authors: dict[str, None] = {}
    for row in rows:
        if row.label == "meta" and row.meta:
            doc.date = doc.date or row.meta.date
            if row.meta.updated and "updated" not in doc.metadata:
                doc.metadata["updated"] = row.meta.updated.isoformat(sep=" ", timespec="minutes")
            authors.update(dict.fromkeys(row.meta.authors))
        elif row.reason == "tags" and "tags" not in doc.metadata:
            tags = [t.strip() for t in re.split(r"[,;|#]", row.text.split(":", 1)[-1]) if t.strip()]
            if tags and ":" in row.text:
                doc.metadata["tags"] = tags
    if doc.date is None and "updated" in doc.metadata:
        doc.date = datetime.fromisoformat(doc.metadata["updated"])
    if authors:
        doc.participants = list(authors)
        doc.metadata["authors"] = list(authors)


def _units(kept: list[Line]) -> tuple[list[Unit], str | None]:
    units: list[Unit] = []
    title: str | None = None
    section: str | None = None
    first = True
    for block in blocks(kept):
        if first:
            first = False
            title_lines = _title_lines(block)
            if title_lines:
                title = joined(title_lines)
                units.append(span_unit(title_lines, title, "heading", section=title, meta={"title": True}))
                section = title
                block = block[len(title_lines):]
                if not block:
                    continue
        section = _add_block(units, block, section)
    return units, title


def _title_lines(block: list[Line]) -> list[Line]:
    """The lines of the title at the head of the first block: its first line, or the whole block when wrapped."""
    head = block[0].text.strip()
    if 1 < len(block) <= 3 and is_hard_wrapped(block) and wrapped_paragraph([ln.text.strip() for ln in block]):
        whole = joined(block)
        if len(whole) <= TITLE_MAX_CHARS and not _NOT_HEADING_END.search(whole):
            return block
    wrapped = len(block) > 1 and block[1].text.lstrip()[:1].islower()
    return [block[0]] if _is_title(head) and not wrapped else []


def _mark_comments(units: list[Unit], rows: list[Row]) -> None:
    """Paragraphs after a comment-section header are comments, by the author of the "X dit :" line above."""
    events: list[tuple[int, str, str | None]] = []
    for row in rows:
        header = COMMENTS_HEADER.match(fold_in_place(row.text)) if row.label == "chrome" else None
        if header:
            count = next((g for g in header.groups() if g), None)
            if count not in ("0", "zero"):
                events.append((row.line.number, "start", None))
        author = COMMENT_AUTHOR.match(row.text) if row.label == "chrome" else None
        if author and events:
            events.append((row.line.number, "author", author.group(1)))
    if not events:
        return
    started, author, k = False, None, 0
    for unit in units:
        while k < len(events) and events[k][0] < unit.line_start:
            started = True
            if events[k][1] == "author":
                author = events[k][2]
            k += 1
        if started and unit.kind in ("paragraph", "heading"):
            unit.kind = "paragraph"
            unit.meta["comment"] = True
            if author:
                unit.author = author


def _add_block(units: list[Unit], block: list[Line], section: str | None) -> str | None:
    """Units of one block: headings alone, then one paragraph (wrapped) or one per line.

    Returns the section in force after the block.
    """
    rest: list[Line] = []

    def flush_rest() -> None:
        if not rest:
            return
        if is_hard_wrapped(rest):
            units.append(span_unit(rest, joined(rest), "paragraph", section=section))
        else:
            units.extend(span_unit([ln], collapse(ln.text), "paragraph", section=section) for ln in rest)
        rest.clear()

    for line in block:
        if _looks_like_heading(line.text.strip()) and not (rest and _continues(rest[-1], line)):
            flush_rest()
            section = collapse(line.text)
            units.append(span_unit([line], section, "heading", section=section))
        else:
            rest.append(line)
    flush_rest()
    return section


def _continues(previous: Line, line: Line) -> bool:
    """Whether ``line`` goes on with the sentence of ``previous`` (a wrapped line)."""
    return not _TERMINAL_END.search(previous.text) and len(previous.text) >= 40


def _looks_like_heading(line: str) -> bool:
    if not line or len(line) > HEADING_MAX_CHARS or _NOT_HEADING_START.search(line):
        return False
    if _NUMBERED.match(line):
        return len(line.split()) <= HEADING_MAX_WORDS
    if _NOT_HEADING_END.search(line) or _URL.search(line):
        return False
    first = line[0]
    size = len(line.split())
    if line.endswith(("?", "!")) and size > QUESTION_HEADING_MAX_WORDS:
        return False
    return (first.isupper() or first.isdigit()) and size <= HEADING_MAX_WORDS


def _is_title(line: str) -> bool:
    return bool(line) and len(line) <= TITLE_MAX_CHARS and not _NOT_HEADING_END.search(line) and not _URL.search(line)


def _derived_title(units: list[Unit]) -> str | None:
    for unit in units:
        if unit.kind == "paragraph":
            return title_from_text(unit.text)
    return None
