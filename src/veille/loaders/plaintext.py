"""Plain text, the fallback: blank-line separated paragraphs.

A hard-wrapped paragraph is joined with spaces; other blocks keep their line
breaks. The first line is the title when it is short and does not end with a
period; alone in its block it is a ``heading`` unit.
"""

from __future__ import annotations

from ..types import Document, Unit
from .base import blocks, split_lines
from .common import collapse, finish, is_hard_wrapped, joined, span_unit, title_from_text

name = "plaintext"
kind = "text"
reads_json = False

TITLE_MAX_CHARS = 100


def sniff(text: str, filename: str) -> tuple[float, str]:
    """Always fits a little, so that something always fits."""
    return 0.1, "plain text fallback: any text is paragraphs"


def parse(text: str, source: str) -> Document:
    """One unit per paragraph."""
    units: list[Unit] = []
    title: str | None = None
    for n, block in enumerate(blocks(split_lines(text))):
        first = block[0].text
        head = first.strip() if len(first) <= 4 * TITLE_MAX_CHARS else first[:4 * TITLE_MAX_CHARS]  # no copy
        if n == 0 and len(head) <= TITLE_MAX_CHARS and not head.endswith((".", ",", ";", ":")):
            title = collapse(head)
            if len(block) == 1:
                units.append(span_unit(block, title, "heading", section=title))
                continue
        if is_hard_wrapped(block):
            body = joined(block)
        else:
            body = "\n".join(collapse(line.text) for line in block)
        units.append(span_unit(block, body, "paragraph", section=title))
    doc = Document(source=source, kind=kind, format=name, text=text, units=units)
    doc.title = title or (title_from_text(units[0].text) if units else None)
    return finish(doc)
