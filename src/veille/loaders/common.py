"""Small pieces the text loaders share: units from lines, removal bookkeeping, titles, names."""

from __future__ import annotations

import re
from datetime import datetime
from difflib import SequenceMatcher

from ..text.fold import fold
from ..text.sentences import split_sentences
from ..types import Document, ParseReport, Unit, speaker
from .base import Line

#: Upper-case letters of French and its neighbours, for character classes.
UPPER = "A-ZÀ-ÖØ-ÞŒÆ"
#: Lower-case letters, for character classes.
LOWER = "a-zß-öø-ÿœæ"

_NAME_WORD = rf"[{UPPER}][{LOWER}]+(?:[-'’][{UPPER}][{LOWER}]+)*"
_PARTICLE = r"(?:de |du |des |van |von |der |da |di |le |la |d['’])"
#: A person's name as written in running text: "Jean-Baptiste Kempf", "Anne de Vries".
PERSON_NAME = rf"{_NAME_WORD}(?: {_PARTICLE}?{_NAME_WORD}){{1,2}}"

#: Emoji and pictographs (plus their joiners and skin tones) that may lead a line.
PICTOGRAPHS = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u3030\u303d"
    "\ufe0f\u200d\u20e3\U0001f3fb-\U0001f3ff"
)
_LEADING_PICTOGRAPHS = re.compile(rf"^[{PICTOGRAPHS}\s]+")


#: How much of a text the sniffers look at: the head, plus the tail where page chrome sits.
SNIFF_HEAD = 12_000
SNIFF_TAIL = 4_000


def sniff_sample(text: str) -> str:
    """The part of ``text`` a sniffer reads: all of it when short, else its head and tail."""
    if len(text) <= SNIFF_HEAD + SNIFF_TAIL:
        return text
    head = text[:text.rfind("\n", 0, SNIFF_HEAD) + 1 or SNIFF_HEAD]
    tail = text[len(text) - SNIFF_TAIL:]
    return head + tail[tail.find("\n") + 1:]


_LOOSE_SPACE = re.compile(r"\s{2,}|[^\S ]")


def collapse(text: str) -> str:
    """White space folded to single spaces, ends trimmed."""
    if len(text) < 4096:
        return " ".join(text.split())
    # a long text is not cut into a list of words (a one-line file of 100 MB made 15 million of them)
    return _LOOSE_SPACE.sub(" ", text).strip()


def strip_pictographs(text: str) -> str:
    """``text`` without the emoji that lead it."""
    return _LEADING_PICTOGRAPHS.sub("", text)


def title_from_text(text: str, limit: int = 80) -> str | None:
    """The first sentence of ``text``, cut at a word boundary near ``limit`` characters."""
    head = strip_pictographs(text[: limit * 6].strip())
    spans = split_sentences(head)
    if not spans:
        return None
    first = collapse(head[spans[0][0]:spans[0][1]])
    if len(first) <= limit:
        return first.rstrip(" .")
    cut = first.rfind(" ", 0, limit)
    return first[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + "…"


def span_unit(lines: list[Line], text: str, kind: str = "paragraph", **fields: object) -> Unit:
    """A unit whose source is ``lines`` (first to last), trimmed of outer white space and blank lines."""
    filled = [line for line in (lines[0], lines[-1]) if line.text.strip()]
    if len(filled) < 2 and any(line.text.strip() for line in lines):
        lines = [line for line in lines if line.text.strip()]
    first, last = lines[0], lines[-1]
    lead = len(first.text) - len(first.text.lstrip())
    trail = len(last.text) - len(last.text.rstrip())
    return Unit(
        text=text,
        kind=kind,
        start=first.start + lead,
        end=last.end - trail,
        line_start=first.number,
        line_end=last.number,
        **fields,  # type: ignore[arg-type]
    )


def joined(lines: list[Line]) -> str:
    """Lines of one paragraph joined with single spaces."""
    return collapse(" ".join(line.text for line in lines))


_WRAP_END = re.compile(r"[.!?…:;»\"”)]\s*$")


def is_hard_wrapped(lines: list[Line]) -> bool:
    """Whether a block's lines are one paragraph wrapped at a fixed width.

    True when most lines but the last are long, of similar length and do not
    end a sentence or the next line goes on in lower case.
    """
    if len(lines) < 2:
        return False
    body = lines[:-1]
    lengths = [len(line.text.rstrip()) for line in body]
    widest = max(lengths)
    if widest < 40 or widest > 140:
        return False
    similar = sum(1 for n in lengths if n >= 0.6 * widest)
    open_ended = sum(
        1 for line, nxt in zip(body, lines[1:], strict=True)
        if not _WRAP_END.search(line.text) or nxt.text.lstrip()[:1].islower()
    )
    return similar >= 0.7 * len(body) and open_ended >= 0.5 * len(body)


class Removals:
    """Lines dropped on purpose, counted by reason, with a few examples for the report."""

    examples_per_reason = 3

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.examples: dict[str, list[str]] = {}

    def add(self, line: str, reason: str) -> None:
        self.counts[reason] = self.counts.get(reason, 0) + 1
        seen = self.examples.setdefault(reason, [])
        if len(seen) < self.examples_per_reason:
            seen.append(collapse(line)[:60])

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def notes(self) -> list[str]:
        return [
            f"removed {n} line{'s' if n > 1 else ''} ({reason}), e.g. "
            + ", ".join(f"'{e}'" for e in self.examples[reason])
            for reason, n in self.counts.items()
        ]


#: How many raw units the parse report quotes.
RAW_EXAMPLES = 5


class ReportTally:
    """Fills a parse report's counts, authors and first/last times one unit at a time (a document read as a
    stream is never held whole); ``close`` writes what needs every unit seen."""

    def __init__(self, report: ParseReport) -> None:
        self.report = report
        report.units = report.messages = report.system = report.attachments = report.raw = 0
        report.raw_examples = []
        self._authors: dict[str, None] = {}
        self._first: datetime | None = None
        self._last: datetime | None = None

    def add(self, unit: Unit) -> None:
        report = self.report
        report.units += 1
        if unit.kind == "message":
            report.messages += 1
        elif unit.kind == "system":
            report.system += 1
        elif unit.kind == "raw":
            report.raw += 1
            if len(report.raw_examples) < RAW_EXAMPLES:
                report.raw_examples.append(f"line {unit.line_start}: {collapse(unit.text)[:80]}")
        if unit.meta.get("attachment"):
            report.attachments += 1
        if unit.time is not None:
            if self._first is None or unit.time < self._first:
                self._first = unit.time
            if self._last is None or unit.time > self._last:
                self._last = unit.time
        author = speaker(unit)
        if author:
            self._authors.setdefault(author, None)

    def close(self) -> ParseReport:
        report = self.report
        report.authors = list(self._authors)
        if self._first is not None and self._last is not None and report.first is None:
            report.first = self._first.strftime("%Y-%m-%d %H:%M")
            report.last = self._last.strftime("%Y-%m-%d %H:%M")
        return report


def finish(doc: Document, removals: Removals | None = None, notes: list[str] | None = None) -> Document:
    """Fill ``doc.report`` from its units (and participants when none were declared)."""
    tally = ReportTally(doc.report)
    for unit in doc.units:
        tally.add(unit)
    report = tally.close()
    if not doc.participants:
        doc.participants = list(report.authors)
    if removals is not None:
        report.removed += removals.total
        report.notes.extend(removals.notes())
    if notes:
        report.notes.extend(notes)
    return doc


def similar_names(a: str, b: str) -> bool:
    """Same person written two ways: same first name and a close surname."""
    fa, fb = fold(a).split(), fold(b).split()
    if len(fa) < 2 or len(fb) < 2 or fa[0] != fb[0]:
        return False
    sa, sb = " ".join(fa[1:]), " ".join(fb[1:])
    return sa.startswith(sb) or sb.startswith(sa) or SequenceMatcher(None, sa, sb).ratio() >= 0.75
