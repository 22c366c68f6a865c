"""Packing units into chunks under a token budget; what every chunker shares.

A chunker decides three things about the units of a document: where a chunk
*must* start (``must_break``), where a cut is *preferred* when the budget is
reached (``cut_preference``), and how much of the previous chunk to carry as
context (``overlap_tokens``). Packing, over-long units, metadata and token
counts are the same for all, and live here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..text.sentences import split_sentences
from ..text.tokens import TokenCounter
from ..types import Chunk, Document, Unit, authors_in_order

SEPARATOR = "\n"


@dataclass
class ChunkingConfig:
    """Budgets shared by every chunker."""

    max_tokens: int = 400
    overlap_tokens: int = 60
    silence_minutes: float = 120.0  # conversations: a longer gap starts a new chunk
    min_fill: float = 0.5  # a preferred cut is taken only past this share of the budget


@dataclass
class _Piece:
    """A unit, or a part of an over-long one, ready to be packed."""

    unit: int
    text: str
    tokens: int
    part: bool = False


class BaseChunker:
    """Greedy packing with preferred cut points; subclasses set the policy."""

    overlap = True

    def __init__(self, counter: TokenCounter, config: ChunkingConfig | None = None) -> None:
        self.counter = counter
        self.config = config or ChunkingConfig()

    # -- policy hooks -------------------------------------------------------
    def must_break(self, prev: Unit, unit: Unit) -> bool:
        """True when ``unit`` must start a new chunk."""
        return False

    def cut_preference(self, prev: Unit, unit: Unit) -> int:
        """How good a cut between ``prev`` and ``unit`` is (0 = no better than any)."""
        return 0

    def render(self, unit: Unit, prev: Unit | None = None) -> str:
        """The unit as a line of chunk text."""
        return render_unit(unit, prev)

    # -- packing ------------------------------------------------------------
    def chunk(self, doc: Document, previous: Unit | None = None) -> list[Chunk]:
        """Chunks of ``doc``; ``previous`` is the unit before its first when it is a part of a longer document."""
        units = doc.units
        if not units:
            return []
        rendered = [self.render(u, units[i - 1] if i else previous) for i, u in enumerate(units)]
        counts = self.counter.count_many(rendered)
        budget = self.config.max_tokens
        groups: list[list[_Piece]] = []
        current: list[_Piece] = []
        size = 0
        for i, unit in enumerate(units):
            cost = counts[i] + 1
            if current and self.must_break(units[current[-1].unit], unit):
                groups.append(current)
                current, size = [], 0
            if counts[i] > budget:
                if current:
                    groups.append(current)
                    current, size = [], 0
                groups.extend([piece] for piece in self._split_unit(i, rendered[i]))
                continue
            if current and size + cost > budget:
                cut = self._best_cut(units, current)
                groups.append(current[:cut])
                current = current[cut:]
                size = sum(p.tokens + 1 for p in current)
                if current and size + cost > budget:
                    groups.append(current)
                    current, size = [], 0
            current.append(_Piece(i, rendered[i], counts[i]))
            size += cost
        if current:
            groups.append(current)
        return self._finish(doc, groups, rendered, counts)

    def _best_cut(self, units: list[Unit], current: list[_Piece]) -> int:
        """Index in ``current`` to cut at: the best preferred boundary past min_fill."""
        floor = self.config.min_fill * self.config.max_tokens
        best, best_score = len(current), 0
        size = 0
        for k in range(1, len(current)):
            size += current[k - 1].tokens + 1
            if size < floor or current[k].part:
                continue
            score = self.cut_preference(units[current[k - 1].unit], units[current[k].unit])
            if score > best_score or (score == best_score and score > 0):
                best, best_score = k, score
        return best if best_score > 0 else len(current)

    def _split_unit(self, index: int, text: str) -> list[_Piece]:
        """An over-long unit cut at sentence ends (at words when a sentence is too long)."""
        budget = self.config.max_tokens
        spans = split_sentences(text) or [(0, len(text))]
        sentences = [text[a:b] for a, b in spans]
        counts = self.counter.count_many(sentences)
        pieces: list[_Piece] = []
        buf: list[str] = []
        size = 0
        for sentence, count in zip(sentences, counts):
            if count > budget:
                if buf:
                    pieces.append(_Piece(index, " ".join(buf), size, part=True))
                    buf, size = [], 0
                pieces.extend(_Piece(index, w, c, part=True) for w, c in self._split_words(sentence))
                continue
            if buf and size + count + 1 > budget:
                pieces.append(_Piece(index, " ".join(buf), size, part=True))
                buf, size = [], 0
            buf.append(sentence)
            size += count + 1
        if buf:
            pieces.append(_Piece(index, " ".join(buf), size, part=True))
        return pieces

    def _split_words(self, sentence: str) -> list[tuple[str, int]]:
        words = sentence.split(" ")
        budget = self.config.max_tokens
        out: list[tuple[str, int]] = []
        step = max(1, budget // 2)
        start = 0
        while start < len(words):
            end = min(len(words), start + step)
            piece = " ".join(words[start:end])
            count = self.counter.count_many([piece])[0]
            while count > budget and end - start > 1:
                end = start + max(1, (end - start) // 2)
                piece = " ".join(words[start:end])
                count = self.counter.count_many([piece])[0]
            out.append((piece, count))
            start = end
        return out

    def _finish(self, doc: Document, groups: list[list[_Piece]], rendered: list[str],
                counts: list[int]) -> list[Chunk]:
        units = doc.units
        texts = [SEPARATOR.join(p.text for p in g) for g in groups]
        exact = self.counter.count_many(texts)
        declared = doc.participants if not any(u.author for u in units) else []
        doc_id = doc.id
        chunks: list[Chunk] = []
        for n, (group, text, tokens) in enumerate(zip(groups, texts, exact)):
            first, last = group[0].unit, group[-1].unit + 1
            own = units[first:last]
            context_lines, context_start = self._context(doc, groups, n, rendered, counts)
            chunks.append(Chunk(
                text=text,
                unit_start=first,
                unit_end=last,
                tokens=tokens,
                messages=len(own),
                period=period_of(own, doc.kind, doc.date),
                participants=authors_in_order(own) or list(declared),
                context=SEPARATOR.join(context_lines),
                context_start=context_start,
                section=own[0].section or (own[0].text if own[0].kind == "heading" else None),
                index=n,
                document_id=doc_id,
            ))
        return chunks

    def _context(self, doc: Document, groups: list[list[_Piece]], n: int, rendered: list[str],
                 counts: list[int]) -> tuple[list[str], int | None]:
        """Whole units before chunk ``n`` to carry as context, and the first one's index."""
        if n == 0 or not self.overlap or self.config.overlap_tokens <= 0:
            return [], None
        first = groups[n][0].unit
        prev_group = groups[n - 1]
        if groups[n][0].part and prev_group[-1].unit == first:
            return [], None  # a continuation of the same long unit
        units = doc.units
        if self.must_break(units[prev_group[-1].unit], units[first]):
            return [], None  # a new conversation does not need the old one
        taken: list[int] = []
        size = 0
        for piece in reversed(prev_group):
            if piece.part or piece.unit in taken:
                break
            cost = counts[piece.unit] + 1
            if size + cost > self.config.overlap_tokens:
                break
            taken.append(piece.unit)
            size += cost
        taken.reverse()
        return [rendered[i] for i in taken], (taken[0] if taken else None)


def render_unit(unit: Unit, prev: Unit | None = None) -> str:
    """Messages as ``[time] Author : text``, transcript sentences as ``[hh:mm:ss] text``.

    The date is written when it changes from the previous unit's; the time alone otherwise.
    """
    prefix = ""
    if unit.time is not None:
        same_day = prev is not None and prev.time is not None and prev.time.date() == unit.time.date()
        prefix = f"[{unit.time.strftime('%H:%M') if same_day else format_time(unit.time)}] "
    elif unit.offset is not None:
        prefix = f"[{format_offset(unit.offset)}] "
    if unit.kind == "system":
        return f"{prefix}({unit.text})" if prefix else f"({unit.text})"
    if unit.author:
        return f"{prefix}{unit.author} : {unit.text}"
    return f"{prefix}{unit.text}" if prefix else unit.text  # no copy of a long paragraph


def format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def format_offset(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def period_of(units: list[Unit], kind: str, dated: datetime | None = None) -> tuple[str | None, str | None]:
    """First → last known time of the units (wall-clock, or offset for recordings); else the document's date
    (an article's publication), when known."""
    times = [u.time for u in units if u.time is not None]
    if times:
        return format_time(min(times)), format_time(max(times))
    offsets = [u.offset for u in units if u.offset is not None]
    if offsets:
        return format_offset(min(offsets)), format_offset(max(offsets))
    if dated is not None:
        return (format_time(dated),) * 2
    return None, None
