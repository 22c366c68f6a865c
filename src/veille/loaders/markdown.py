"""Markdown: headings give sections; paragraphs, list items and code blocks are units.

ATX (``#``…``######``) and setext (underlined) headings are ``heading``
units and the ``section`` of what follows. Paragraph lines are joined with
spaces, list items and block quotes lose their markers, links and images
keep their text, emphasis marks are dropped. A fenced code block is one unit
(``meta["code"]`` = its language) kept line for line. Front matter and
horizontal rules are removed and counted.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from ..types import Document, Unit
from .base import Line, split_lines
from .common import Removals, collapse, finish, sniff_sample, span_unit, title_from_text

name = "markdown"
kind = "text"
reads_json = False

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)")
_RULE = re.compile(r"^\s{0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
_ITEM = re.compile(r"^\s*(?:[-*+]|(\d{1,3})[.)])\s+(?:\[[ xX]\]\s+)?")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
# Brackets and parentheses are not inside a link's parts: "[[[[…" or "](](…" would be scanned to the end of
# the text from each of their characters (quadratic).
_IMAGE_OR_LINK = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
# Emphasis: an opener (no word character before it, no blank after) and the nearest closer on the same line
# (no blank before it, no word character after), as the regular expression
# ``(?<!\w)(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1(?!\w)`` reads it; ``_strip_emphasis`` finds the closers with a
# sorted list instead, since that expression scans to the end of the line from each opener that has no closer
# (quadratic: 4 s for a 30 KB line of "# *").
_EMPHASIS_MARKS = ("**", "__", "*", "_", "~~", "`")
_OPENER = re.compile(r"(?<!\w)(?=(?:\*\*|__|\*|_|~~|`)\S)")  # zero-width: "**" failing, "*" is tried at its place
_WORD_CHAR = re.compile(r"\w")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def sniff(text: str, filename: str) -> tuple[float, str]:
    """``#`` headings, fences, links, emphasis and list markers; a ``.md`` name."""
    head = sniff_sample(text)
    headings = len(re.findall(r"(?m)^#{1,6} \S", head))
    fences = len(re.findall(r"(?m)^\s{0,3}```", head)) // 2
    links = len(re.findall(r"\[[^\[\]\n]+\]\([^()\s]+\)", head))
    bold = len(re.findall(r"\*\*[^*\n]+\*\*", head))
    items = len(re.findall(r"(?m)^[^\S\n]*[-*+] \S", head))  # not ^\s*: quadratic over empty lines
    signals = 2 * headings + 2 * fences + links + bold + items // 3
    confidence = min(0.8, 0.1 * signals) if headings or fences else min(0.4, 0.05 * signals)
    if filename.lower().endswith((".md", ".markdown", ".mdx")):
        confidence = max(confidence, 0.75)
    reason = f"{headings} '#' headings, {fences} code fences, {links} links, {bold} bold spans, {items} list items"
    return confidence, reason


def parse(text: str, source: str) -> Document:
    """Headings, paragraphs, list items and code blocks as units."""
    lines = split_lines(text)
    removals = Removals()
    units: list[Unit] = []
    section: str | None = None
    paragraph: list[Line] = []
    i = _skip_front_matter(lines, removals)

    def add(source_lines: list[Line], body: str, kind_: str = "paragraph", **meta: object) -> None:
        if body.strip():
            units.append(span_unit(source_lines, body, kind_, section=section, meta=meta))
        else:
            for line in source_lines:
                if line.text.strip():
                    removals.add(line.text, "markup without text")

    def flush() -> None:
        if paragraph:
            add(list(paragraph), _inline(" ".join(_strip_quote(ln.text) for ln in paragraph)))
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.text.strip()
        fence = _FENCE.match(line.text)
        atx = _ATX.match(line.text)
        setext = len(paragraph) == 1 and _SETEXT.match(line.text)
        item = _ITEM.match(line.text)
        if fence:
            flush()
            end = _fence_end(lines, i, fence.group(1))
            block = lines[i:min(end + 1, len(lines))]
            add(block, "\n".join(ln.text for ln in lines[i + 1:end]).strip("\n"), code=fence.group(2) or "")
            i = end + 1
            continue
        if atx or setext:
            title = _inline(atx.group(2) if atx else paragraph[0].text)
            source_lines = [line] if atx else [paragraph[0], line]
            if setext:
                paragraph.clear()
            else:
                flush()
            section = title or section
            add(source_lines, title, "heading", level=len(atx.group(1)) if atx else (1 if "=" in stripped else 2))
        elif not stripped:
            flush()
        elif _RULE.match(line.text):
            flush()
            removals.add(stripped, "horizontal rule")
        elif item:
            flush()
            add([line], _inline(line.text[item.end():]), item=int(item.group(1)) if item.group(1) else True)
        else:
            paragraph.append(line)
        i += 1
    flush()
    doc = Document(source=source, kind=kind, format=name, text=text, units=units)
    heading = next((u.text for u in units if u.kind == "heading"), None)
    doc.title = heading or (title_from_text(units[0].text) if units else None)
    return finish(doc, removals)


def _skip_front_matter(lines: list[Line], removals: Removals) -> int:
    if not lines or lines[0].text.strip() != "---":
        return 0
    for j in range(1, min(len(lines), 60)):
        if lines[j].text.strip() in ("---", "..."):
            for line in lines[:j + 1]:
                if line.text.strip():
                    removals.add(line.text, "front matter")
            return j + 1
    return 0


def _fence_end(lines: list[Line], start: int, marker: str) -> int:
    for j in range(start + 1, len(lines)):
        if lines[j].text.strip().startswith(marker[0] * len(marker)):
            return j
    return len(lines)


def _strip_quote(line: str) -> str:
    return _QUOTE.sub("", line)


def _inline(text: str) -> str:
    """Markdown inline syntax reduced to its words."""
    text = _IMAGE_OR_LINK.sub(r"\1", text)
    text = _strip_emphasis(text)
    text = _HTML_TAG.sub("", text)
    return collapse(text)


def _strip_emphasis(text: str) -> str:
    """Emphasis markers taken out, the text between kept (see ``_OPENER``)."""
    if not _OPENER.search(text):
        return text
    closers = {mark: _closers(text, mark) for mark in _EMPHASIS_MARKS}
    parts: list[str] = []
    done = 0  # text[:done] is in parts
    position = 0
    for opener in _OPENER.finditer(text):
        start = opener.start()
        if start < position:
            continue  # inside an emphasis already taken out
        for mark in _EMPHASIS_MARKS:
            if not text.startswith(mark, start):
                continue
            inner = start + len(mark)
            if inner >= len(text) or text[inner].isspace():
                continue
            found = closers[mark]
            at = bisect_left(found, inner + 1)  # one character at least between the marks
            line_end = text.find("\n", inner)
            if at < len(found) and (line_end < 0 or found[at] < line_end):
                close = found[at]
                parts += [text[done:start], text[inner:close]]
                done = position = close + len(mark)
                break
    parts.append(text[done:])
    return "".join(parts)


def _closers(text: str, mark: str) -> list[int]:
    """Where ``mark`` may close an emphasis: no blank before it, no word character after it."""
    found = []
    at = text.find(mark, 1)
    while at >= 0:
        after = at + len(mark)
        if not text[at - 1].isspace() and not (after < len(text) and _WORD_CHAR.match(text, after)):
            found.append(at)
        at = text.find(mark, at + 1)
    return found
