"""HTML pages: the main text found by trafilatura, with title, author, date and site.

trafilatura drops the page chrome (navigation, header, cookie banner, share
buttons, comments, footer, related links) and returns the main text as a
small XML tree. That tree is walked into units:

- ``<head>`` (an ``h1``–``h6`` of the page) → a ``heading`` unit, and the
  ``section`` of what follows it, until the next heading;
- ``<p>`` → a ``paragraph``; ``<br>``-separated lines are one paragraph each,
  unless a line goes on with the sentence of the one before;
- list items, table rows (cells joined with `` | ``), quotes and code →
  ``paragraph`` units, marked in ``meta`` (``item``, ``table``, ``quote``, ``code``);
- a paragraph wholly in bold, short and not a sentence, is a heading
  (``meta["bold"]``); a heading holding a long sentence is a paragraph
  (``meta["lead"]``: a lead set in an ``<h2>``).

The page title (without the site's name: "Titre | Le Site" → "Titre") opens
the document as a ``heading`` unit (``meta["title"]``), the section of the
text before the first heading; an ``<h1>`` repeating it is not repeated.
Author, date, site, URL, description, categories and tags come from
trafilatura's metadata; the authors are the document's participants.

After trafilatura, lines the article loader's boilerplate patterns match
whole (share buttons, "À lire aussi", cookie notices that slipped through,
breadcrumbs) and a byline naming the author are left out and counted in
``report.removed``. What trafilatura itself dropped is not counted line by
line: a note says how much of the page's visible text was kept as main text.

``Document.text`` is that extracted text, rendered (title, then headings and
paragraphs separated by blank lines, a list item behind "- "): unit offsets
and line numbers point into it, not into the HTML, which citations could not
show; each unit's slice of it is exactly its text. The HTML's size stays in
``metadata["html_chars"]`` (and ``html_bytes`` when ingested).

When trafilatura finds no main text, the page's whole visible text (its
``baseline``) is kept, with a note; when there is none either, the document
has no units and ``metadata["no_text"]`` says what the page holds instead
(script and style, huge attributes); ingest then refuses the page with it.
Like every text loader, ``parse`` reads any text without raising.

Attribute values over ``HUGE_VALUE_CHARS`` (an image inlined as a ``data:``
URI, a serialised state in a ``data-*`` attribute) and ``<script>``/``<style>``
blocks as long are emptied before extraction, and counted in a note: libxml2
stops reading a page at a value or text node over 10 MB (measured: the text
after it is lost), and neither holds page text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, NamedTuple

from ..types import Document, Unit
from .chrome_vocabulary import BOILERPLATE
from ..text.fold import fold
from .common import Removals, collapse, finish, title_from_text

name = "html"
kind = "article"
reads_json = False

# trafilatura and its helpers log pages they cannot use; veille reports in the parse report instead
# (a handler here keeps Python's last-resort handler from printing them when the application set none).
for _logger in ("trafilatura", "htmldate", "courlan", "justext"):
    logging.getLogger(_logger).addHandler(logging.NullHandler())

#: How the main text is extracted (chosen on the evaluation in bench/html_eval.py).
EXTRACT_OPTIONS: dict[str, object] = {
    "include_comments": False,
    "include_tables": True,
    "include_formatting": True,
    "favor_precision": True,
    "favor_recall": False,
}

#: Attribute values and script or style blocks longer than this are emptied before extraction: no attribute
#: the extraction reads (href, src, class, alt, content) is near this long, and libxml2 drops the rest of a
#: page after a value or text node of 10 MB.
HUGE_VALUE_CHARS = 65536
# An attribute's quoted value of that length; "<" is not in it, so a run of page text (which holds tags) never is.
_HUGE_ATTRIBUTE = re.compile('(=[ \t\n]*)(?:"[^"<]{%d,}"|\'[^\'<]{%d,}\')' % (HUGE_VALUE_CHARS, HUGE_VALUE_CHARS))
_CODE_OPEN = re.compile(r"<(script|style)\b[^>]*>", re.IGNORECASE)
_CODE_CLOSE = {tag: re.compile(rf"</{tag}\s*>", re.IGNORECASE) for tag in ("script", "style")}

#: A paragraph wholly in bold, this short and not ending a sentence, is a heading.
BOLD_HEADING_MAX_CHARS = 100
BOLD_HEADING_MAX_WORDS = 14

#: Lines of main text under this length that ``chrome_vocabulary.BOILERPLATE`` matches whole are left out.
BOILERPLATE_MAX_CHARS = 200
#: A ``<head>`` ending with a period after more words than this is a lead paragraph styled as a heading.
HEADING_SENTENCE_MAX_WORDS = 20

#: Breadcrumbs ("Accueil > Actualités > …") besides the article loader's patterns.
_BREADCRUMB = r"(?:accueil|home|vous êtes ici\s*:?)\s*[>»›/|].*"
_BYLINE = re.compile(r"^(?:par|by|auteure?|texte|propos recueillis par)\s*:?\s+", re.IGNORECASE)
_BOILERPLATE = re.compile(r"^\s*(?:" + "|".join((*BOILERPLATE, _BREADCRUMB)) + r")\s*$", re.IGNORECASE)
_MARKUP_START = re.compile(
    r"\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])",
    re.IGNORECASE | re.DOTALL,
)
_PAGE_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp")
_TAG = re.compile(r"</?(?:p|div|span|a|h[1-6]|ul|ol|li|table|tr|td|article|section|br|meta|title|body|head)\b[^>]*>",
                  re.IGNORECASE)
_LANG = re.compile(r"<html\b[^>]*?\blang\s*=\s*[\"']?([a-zA-Z]{2,3})\b", re.IGNORECASE)
_TERMINAL_END = re.compile(r"[.!?…:;»\"”)]\s*$")
_NOT_HEADING_END = re.compile(r"[.,;:!…>]\s*$")
_TITLE_SEPARATOR = re.compile(r"(?<!\s)\s+[|–—-]\s+")  # (?<!\s): a blank run entered at its start only (linear)
_AUTHOR_LEAD = re.compile(r"^(?:par|by|auteure?|author|rédigé par|écrit par)\s*:?\s+", re.IGNORECASE)
_DATE_ONLY = re.compile(r"^[\d\s./-]+$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def sniff(text: str, filename: str) -> tuple[float, str]:
    """A doctype, ``<html>``, ``<head>`` or ``<body>`` at the start; or a page's file name over markup."""
    head = text[:4096]
    if _MARKUP_START.match(head):
        return 0.95, "starts with an HTML doctype or <html>/<head>/<body>"
    if filename.lower().endswith(_PAGE_SUFFIXES):
        tags = len(_TAG.findall(head))
        if tags >= 2:
            return 0.9, f"a web page's file name and {tags} HTML tags in the first 4 KB"
        return 0.0, "a web page's file name but no HTML markup"
    return 0.0, "no HTML doctype, <html>, <head> or <body> at the start"


def parse(text: str, source: str) -> Document:
    """Main text as heading and paragraph units; title, author, date and site as metadata."""
    import trafilatura  # heavy: imported where used

    page, emptied, emptied_chars = _empty_huge_values(text)
    notes: list[str] = []
    if emptied:
        notes.append(f"{emptied} attribute values or script/style blocks over {_thousands(HUGE_VALUE_CHARS)} "
                     f"characters ({_thousands(emptied_chars)} characters in all) left out before extraction")
    extracted = trafilatura.bare_extraction(page, with_metadata=True, **EXTRACT_OPTIONS)
    body = extracted.body if extracted is not None else None
    if body is None or not collapse(" ".join(body.itertext())):
        body, _, length = trafilatura.baseline(page)
        notes.append("trafilatura found no main text: the page's whole visible text is kept" if length
                     else "no main text found, and no visible text either")
    meta = _Metadata.of(extracted)
    rendered = _Renderer(meta.title, meta.authors)
    for block in _blocks(body):
        rendered.add(block)
    doc = Document(source=source, kind=kind, format=name, text=rendered.text(), units=rendered.units)
    doc.title = meta.title or _first_paragraph(rendered.units)
    doc.date = meta.date
    doc.participants = list(meta.authors)
    declared = _LANG.search(text[:4096])
    if declared:
        doc.metadata["html_lang"] = declared.group(1).lower()  # as the page says: often wrong, not trusted
    doc.metadata.update(meta.fields())
    doc.metadata["html_chars"] = len(text)
    doc.metadata["extractor"] = f"trafilatura {trafilatura.__version__}"
    visible = len(collapse(trafilatura.html2txt(page)))
    kept = sum(len(u.text) for u in rendered.units if not u.meta.get("title"))
    notes.append(f"main text: {_thousands(kept)} of {_thousands(visible)} characters of page text kept")
    if not rendered.units:
        doc.metadata["no_text"] = _what_instead_of_text(text)
    return finish(doc, rendered.removals, notes)


def _empty_huge_values(text: str) -> tuple[str, int, int]:
    """The page with attribute values and script or style blocks over ``HUGE_VALUE_CHARS`` emptied, how many
    were, and their length."""
    if len(text) <= HUGE_VALUE_CHARS:
        return text, 0, 0
    count = chars = 0

    def empty_attribute(match: re.Match[str]) -> str:
        nonlocal count, chars
        count += 1
        chars += match.end() - match.end(1) - 2
        return match.group(1) + '""'

    text = _HUGE_ATTRIBUTE.sub(empty_attribute, text)
    parts: list[str] = []
    done = 0
    for _, start, end, _ in _code_blocks(text):
        if end - start > HUGE_VALUE_CHARS:
            parts.append(text[done:start])
            done = end
            count += 1
            chars += end - start
    parts.append(text[done:])
    return "".join(parts), count, chars


def _code_blocks(text: str) -> list[tuple[int, int, int, int]]:
    """The page's ``<script>`` and ``<style>`` blocks: where each opening tag starts, its content starts and
    ends, and its closing tag ends.

    Each closing tag is looked for once from its opening tag: a lazy ``<script>(.*?)</script>`` scans to
    the end of the page from every opening tag that is never closed (quadratic).
    """
    blocks = []
    unclosed: set[str] = set()  # no closing tag after an opening one: none after a later one either
    position = 0
    while opening := _CODE_OPEN.search(text, position):
        tag = opening.group(1).lower()
        closing = None if tag in unclosed else _CODE_CLOSE[tag].search(text, opening.end())
        if closing is None:
            unclosed.add(tag)
            if len(unclosed) == len(_CODE_CLOSE):
                break
            position = opening.end()
            continue
        blocks.append((opening.start(), opening.end(), closing.start(), closing.end()))
        position = closing.end()
    return blocks


def _what_instead_of_text(text: str) -> str:
    """What a page without visible text is made of, in words."""
    code = sum(end - start for start, _, _, end in _code_blocks(text))
    attributes = sum(m.end() - m.end(1) - 2 for m in _HUGE_ATTRIBUTE.finditer(text))  # the values, quotes left out
    parts = [f"{_thousands(code)} in <script> and <style>"] if code else []
    if attributes:
        parts.append(f"{_thousands(attributes)} in attribute values over {_thousands(HUGE_VALUE_CHARS)} characters")
    held = f" ({', '.join(parts)})" if parts else ""
    return f"the page's {_thousands(len(text))} characters hold no visible text{held}"


# -- metadata ---------------------------------------------------------------
class _Metadata(NamedTuple):
    title: str | None
    authors: list[str]
    date: datetime | None
    site: str | None
    extra: dict[str, object]

    @classmethod
    def of(cls, extracted: object | None) -> _Metadata:
        if extracted is None:
            return cls(None, [], None, None, {})

        def get(key: str) -> Any:
            return getattr(extracted, key, None)

        site = collapse(get("sitename") or "") or None
        hostname = get("hostname") or None
        site_keys = _site_keys(site, hostname)
        date = None
        if get("date") and _ISO_DATE.match(get("date")):
            date = datetime.fromisoformat(get("date")[:10])
        extra: dict[str, object] = {
            "url": get("url"), "hostname": hostname, "description": collapse(get("description") or "") or None,
            "categories": _listed(get("categories")), "tags": _listed(get("tags")),
            "page_type": get("pagetype"),
        }
        return cls(_clean_title(get("title"), site_keys), _clean_authors(get("author")),
                   date, site, {k: v for k, v in extra.items() if v})

    def fields(self) -> dict[str, object]:
        found: dict[str, object] = {}
        if self.authors:
            found["author"] = "; ".join(self.authors)
        if self.site:
            found["site"] = self.site
        found.update(self.extra)
        return found


def _key(text: str) -> str:
    return re.sub(r"\W+", "", fold(text))


def _site_keys(site: str | None, hostname: str | None) -> set[str]:
    """Ways the site's name is written: its name, its host without ``www.`` and TLD."""
    keys = {_key(site)} if site else set()
    if hostname:
        host = hostname.lower().removeprefix("www.")
        keys.add(_key(host))
        keys.add(_key(host.rsplit(".", 1)[0]))
    return {k for k in keys if len(k) >= 2}


def _names_site(segment: str, site_keys: set[str]) -> bool:
    key = _key(segment)
    return bool(key) and any(key == k or (len(key) >= 3 and k.startswith(key)) for k in site_keys)


def _clean_title(title: str | None, site_keys: set[str]) -> str | None:
    """The title without the site's name (and what follows it): "Titre - Le Site" → "Titre"."""
    title = collapse(title or "")
    if not title:
        return None
    parts = _TITLE_SEPARATOR.split(title)
    for i, part in enumerate(parts[1:], 1):
        if _names_site(part, site_keys) or _DATE_ONLY.match(part):
            cut = [m.start() for m in _TITLE_SEPARATOR.finditer(title)][i - 1]
            return title[:cut]
    return title


def _clean_authors(author: str | None) -> list[str]:
    """Author names (trafilatura separates them with ";"), without a leading "Par"."""
    names: list[str] = []
    for part in (author or "").split(";"):
        part = _AUTHOR_LEAD.sub("", collapse(part))
        if part and part not in names:
            names.append(part)
    return names


def _listed(value: object) -> list[str]:
    """trafilatura's categories or tags (comma-separated strings in a list) as one list."""
    if not value:
        return []
    items = value if isinstance(value, list) else [value]
    seen: dict[str, None] = {}
    for item in items:
        for part in str(item).split(","):
            if collapse(part):
                seen.setdefault(collapse(part), None)
    return list(seen)


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")


# -- walking trafilatura's tree ----------------------------------------------
class _Block(NamedTuple):
    """A run of lines that belong together (a paragraph's lines, a list, a table)."""

    kind: str  # heading | paragraph
    lines: list[str]
    meta: dict[str, object]


def _blocks(element: object) -> Iterator[_Block]:
    """Blocks of trafilatura's output tree, in document order."""
    for child in element:  # type: ignore[attr-defined]
        tag = child.tag
        if tag == "head":
            text = collapse(_inline(child))
            level = (child.get("rend") or "h2").lstrip("h")
            if _lead_not_heading(text):
                yield _Block("paragraph", [text], {"lead": True})
            elif text:
                yield _Block("heading", [text], {"level": int(level) if level.isdigit() else 2})
        elif tag == "list":
            items = list(_items(child))
            if items:
                yield _Block("paragraph", items, {"item": True})
        elif tag == "table":
            rows = [collapse(" | ".join(collapse(_inline(cell)) for cell in row.iter("cell")).strip(" |"))
                    for row in child.iter("row")]
            rows = [row for row in rows if row.strip(" |")]
            if rows:
                yield _Block("paragraph", rows, {"table": True})
        elif tag == "quote" and len(child):
            if collapse(child.text or ""):
                yield _Block("paragraph", _lines(child.text or ""), {"quote": True})
            for block in _blocks(child):
                yield block._replace(meta={**block.meta, "quote": True})
        elif tag in ("div", "body", "cell", "item") and len(child):
            if collapse(child.text or ""):
                yield _Block("paragraph", _lines(child.text or ""), {})
            yield from _blocks(child)
        elif tag == "code":
            lines = [line.rstrip() for line in "".join(child.itertext()).split("\n") if line.strip()]
            if lines:
                yield _Block("paragraph", ["\n".join(lines)], {"code": True})
        elif tag == "p" and _bold_heading(child):
            yield _Block("heading", [collapse(_inline(child))], {"level": None, "bold": True})
        elif tag != "graphic":
            lines = _lines(_inline(child))
            if lines:
                yield _Block("paragraph", lines, {"quote": True} if tag == "quote" else {})
        if child.tail and collapse(child.tail):
            yield _Block("paragraph", _lines(child.tail), {})


def _lead_not_heading(text: str) -> bool:
    """A heading element holding a long sentence (a lead paragraph set in a heading)."""
    return text.endswith(".") and len(text.split()) > HEADING_SENTENCE_MAX_WORDS


def _bold_heading(paragraph: object) -> bool:
    """A paragraph all in bold, short, that does not end a sentence: a heading written without ``<h2>``."""
    if len(paragraph) != 1 or collapse(paragraph.text or ""):  # type: ignore[arg-type, attr-defined]
        return False
    bold = paragraph[0]  # type: ignore[index]
    if bold.tag != "hi" or bold.get("rend") not in ("#b", "#strong") or collapse(bold.tail or ""):
        return False
    text = collapse("".join(bold.itertext()))
    return (0 < len(text) <= BOLD_HEADING_MAX_CHARS and len(text.split()) <= BOLD_HEADING_MAX_WORDS
            and not _NOT_HEADING_END.search(text) and (text[0].isupper() or text[0].isdigit()))


def _items(element: object) -> Iterator[str]:
    """List items as lines; a nested list's items follow their parent's."""
    for item in element.iter("item"):  # type: ignore[attr-defined]
        if item.getparent() is not element:
            continue
        own = collapse(_inline(item, skip={"list"}))
        if own:
            yield own
        for nested in item.iter("list"):
            if nested.getparent() is item:
                yield from _items(nested)


def _inline(element: object, skip: frozenset[str] | set[str] = frozenset()) -> str:
    """The text of an element and its inline children; ``<lb/>`` becomes a newline."""
    parts: list[str] = [element.text or ""]  # type: ignore[attr-defined]
    for child in element:  # type: ignore[attr-defined]
        if child.tag in skip:
            pass
        elif child.tag == "lb":
            parts.append("\n")
        elif child.tag in ("p", "list", "item", "head", "quote", "row", "table"):
            parts.append("\n" + _inline(child, skip) + "\n")
        elif child.tag != "graphic":
            parts.append(_inline(child, skip))
        parts.append(child.tail or "")
    return "".join(parts)


def _lines(text: str) -> list[str]:
    """The lines of a ``<br>``-separated paragraph; a line that goes on a sentence joins the one before."""
    lines: list[str] = []
    for raw in text.split("\n"):
        line = collapse(raw)
        if not line:
            continue
        if lines and not _TERMINAL_END.search(lines[-1]) and line[:1].islower():
            lines[-1] = f"{lines[-1]} {line}"
        else:
            lines.append(line)
    return lines


class _Renderer:
    """Builds ``Document.text`` block by block, and the units pointing into it.

    Lines the article loader's boilerplate patterns match whole (share buttons,
    "À lire aussi", cookie notices trafilatura let through), and a byline
    ("Par Claire Dumoulin, publié le…") naming the author, are left out and counted.
    """

    def __init__(self, title: str | None, authors: list[str]) -> None:
        self.parts: list[str] = []
        self.units: list[Unit] = []
        self.removals = Removals()
        self.length = 0
        self.line = 1
        self.title = title
        self.authors = [fold(a) for a in authors]
        self.section = title
        self.before_body = True  # no paragraph yet: a heading repeating the title is dropped
        if title:
            self._add_line_block([title], "heading", {"title": True})

    def add(self, block: _Block) -> None:
        lines = [line for line in block.lines if not self._boilerplate(line)]
        if not lines:
            return
        if self.before_body and self.title and len(lines) == 1 and _key(lines[0]) == _key(self.title):
            return  # the page's h1 repeats the title that already opens the document
        self.before_body = self.before_body and block.kind == "heading"
        self._add_line_block(lines, block.kind, block.meta)

    def _boilerplate(self, line: str) -> bool:
        if len(line) >= BOILERPLATE_MAX_CHARS:
            return False
        if _BOILERPLATE.match(line):
            self.removals.add(line, "boilerplate")
            return True
        lead = _BYLINE.match(line)
        if lead and any(fold(line[lead.end():]).startswith(a) for a in self.authors):
            self.removals.add(line, "byline: the author is in the metadata")
            return True
        return False

    def _add_line_block(self, lines: list[str], unit_kind: str, meta: dict[str, object]) -> None:
        if self.parts:
            self._write("\n\n")
        if unit_kind == "heading":
            self.section = lines[0]
        for i, line in enumerate(lines):
            if i:
                self._write("\n")
            if meta.get("item"):
                self._write("- ")
            start, line_start = self.length, self.line
            self._write(line)
            self.units.append(Unit(text=line, kind=unit_kind, section=self.section, start=start, end=self.length,
                                   line_start=line_start, line_end=self.line, meta=dict(meta)))

    def _write(self, piece: str) -> None:
        self.parts.append(piece)
        self.length += len(piece)
        self.line += piece.count("\n")

    def text(self) -> str:
        return "".join(self.parts) + "\n" if self.parts else ""


def _first_paragraph(units: list[Unit]) -> str | None:
    for unit in units:
        if unit.kind == "paragraph":
            return title_from_text(unit.text)
    return None
