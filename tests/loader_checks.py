"""Invariants every text loader keeps, shared by the ``test_loaders_*`` files."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from veille.loaders.common import collapse  # noqa: F401 - re-exported for the loader tests
from veille.types import Document

CORPUS = Path(__file__).parents[2] / "shared" / "corpus"
DATA = Path(__file__).parent / "data"

_WORD = re.compile(r"\w+")


def read(path: Path) -> str:
    """A seed or sample as the loaders receive it (``\\r\\n`` already turned into ``\\n``)."""
    return path.read_text(encoding="utf-8").replace("\r\n", "\n")


def seed(prefix: str) -> tuple[Path, str]:
    """The seed whose name starts with ``prefix`` and its text; fails when the corpus is absent."""
    found = sorted(CORPUS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.fail(f"seed {prefix} not found under {CORPUS}: the tests need ../shared beside the project")
    return found[0], read(found[0])


def words_in_order(needle: str, haystack: str) -> bool:
    """Every word of ``needle`` occurs in ``haystack``, in the same order."""
    pos = 0
    for word in _WORD.findall(needle):
        found = haystack.find(word, pos)
        if found < 0:
            return False
        pos = found + len(word)
    return True


def check_units(doc: Document) -> None:
    """Offsets and line numbers point at the source, and hold the unit's words in order."""
    text = doc.text
    for unit in doc.units:
        assert 0 <= unit.start <= unit.end <= len(text), unit
        assert unit.text.strip(), unit
        assert words_in_order(unit.text, text[unit.start:unit.end]), (unit.text, text[unit.start:unit.end])
        assert 1 <= unit.line_start <= unit.line_end, unit
        assert text.count("\n", 0, unit.start) + 1 == unit.line_start, unit
        assert text.count("\n", 0, max(unit.start, unit.end - 1)) + 1 == unit.line_end, unit
    assert doc.report.units == len(doc.units)
    assert doc.report.raw == sum(1 for u in doc.units if u.kind == "raw")


def line_precision_recall(samples: Iterable[tuple[Counter[str], Counter[str]]]) -> tuple[float, float, int]:
    """Precision and recall of lines left out against the lines that should be, over (found, gold) pairs;
    and how many gold lines there were."""
    found = truth = hits = 0
    for out, gold in samples:
        found, truth, hits = found + out.total(), truth + gold.total(), hits + (out & gold).total()
    return hits / found, hits / truth, truth


def uncovered_lines(doc: Document) -> list[tuple[int, str]]:
    """Non-blank source lines no unit spans."""
    covered: set[int] = set()
    for unit in doc.units:
        covered.update(range(unit.line_start, unit.line_end + 1))
    return [(n, line) for n, line in enumerate(doc.text.split("\n"), 1)
            if line.strip() and n not in covered]


def check_nothing_dropped(doc: Document, structure: Callable[[str], bool] = lambda line: False) -> None:
    """Every non-blank line is in a unit, counted as removed, or known structure (e.g. author names).

    Removed lines may also sit inside a unit's line range (a bare timestamp
    between two fragments of one sentence), hence ``<=``; the tests pin the
    exact counts where they are known.
    """
    left = [line for _, line in uncovered_lines(doc) if not structure(line)]
    assert len(left) <= doc.report.removed, (left, doc.report.as_dict())


def check_json_spans(doc: Document, messages: list[dict], ordered: bool = True) -> list[str]:
    """Each unit's slice is exactly one message object of the JSON source; lines agree with offsets.

    ``check_units`` does not apply to JSON chats: the source holds escapes (``\\n``,
    ``\\u00e9``) and system units describe their event in words not in the source.
    Returns the slices, in unit order. With ``ordered`` the units follow ``messages``.
    """
    import json

    text = doc.text
    assert len(doc.units) == len(messages)
    pieces = []
    for unit in doc.units:
        assert 0 <= unit.start < unit.end <= len(text), unit
        piece = text[unit.start:unit.end]
        assert piece.startswith("{") and piece.endswith("}"), piece
        assert unit.text.strip(), unit
        assert text.count("\n", 0, unit.start) + 1 == unit.line_start, unit
        assert text.count("\n", 0, max(unit.start, unit.end - 1)) + 1 == unit.line_end, unit
        pieces.append(piece)
    seen = [json.loads(p) for p in pieces]
    if ordered:
        assert seen == messages
    else:
        assert sorted(map(json.dumps, seen)) == sorted(map(json.dumps, messages))
    assert doc.report.units == len(doc.units) and doc.report.raw == 0
    return pieces
