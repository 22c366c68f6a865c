"""A thread copied out of a web chat page (seed 000).

Such a copy is a run of message paragraphs, author names alone on their
lines, UI words left over from the page ("Rechercher", "Vente", "Copier"…)
and now and then a channel title.

Lines are classified as:

- **UI residue**: a known button / navigation / status word in French or
  English (see ``UI_RESIDUE``) — removed and counted;
- **author name**: a short line of capitalised words (2–4, or 1 repeated at
  least three times) without final punctuation that occurs at least twice in
  the file, or a ``X a dit :`` label — never part of a message;
- **channel title**: a short capitalised line without final punctuation that
  starts with white space or ``#`` (the page's icon became a space), like
  " Sécurité intérieure" — a ``heading`` unit and the ``section`` of the
  following units;
- **message text**: everything else. Consecutive text lines and paragraphs
  not separated by a name, a title or UI residue form one message; wrapped
  lines are joined with spaces, paragraphs with a newline.

Attribution rule. A copy puts each author's name either after every message
(seed 000: the name sits under the bubble) or before it. With names after:

1. a message takes the first name that follows it (UI residue may sit
   between); that name is used up;
2. a name left unused by rule 1 (typically the second of two names in a
   row: a message whose body was collapsed in the page) is *dangling*: it
   goes to the next message if that message has no name of its own (it is
   followed by a channel title, by another message or by the end of the
   copy), otherwise it is kept as a ``system`` unit (a collapsed message by
   that author);
3. a message with no name either way keeps ``author=None``.

With names before, the same rule runs mirrored. The direction is the one
under which fewer messages name their own author ("Parfait, Sam." is not
written by Sam); on a tie, names come after when the copy starts with message
text rather than a name. On seed 000 this gives Sylvia, Brad, Mira, Sam, Mira
(dangling), Sam, Sylvia, Sam, Mira, Brad (dangling): no message addresses
its own author, while names-before would have Sam answer "Parfait, Sam.".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..types import Document, Unit
from .base import Line, split_lines
from .common import LOWER, UPPER, Removals, collapse, finish, sniff_sample, span_unit

name = "webchat"
kind = "chat"
reads_json = False

#: Buttons, navigation, status and date-separator words of chat pages (full lines, any case).
UI_RESIDUE = (
    r"rechercher|recherche|search|nouveau chat|nouvelle discussion|nouvelle conversation|new chat",
    r"partager|share|copier|copy|copié|copied|copier le lien|copy link|envoyer|send|répondre|reply",
    r"modifier|edit|supprimer|delete|transférer|forward|épingler|pin|signaler|report|réagir|react",
    r"j['’]aime|like|voir plus|afficher plus|show more|see more|voir moins|show less|menu|accueil|home",
    r"vente|ventes|sales|support|général|general|random|paramètres|settings|notifications",
    r"fichiers|files|membres|members|canaux|channels|discussions|messages|chats|contacts",
    r"régénérer|regenerate|réessayer|retry|lire à voix haute|read aloud|bonne réponse|mauvaise réponse",
    r"good response|bad response|joindre un fichier|attach file|dicter|voice|micro|mode vocal",
    r"(?:écrire|envoyer|écrivez|saisir) (?:un|votre) message.*|type a message.*|message #.*",
    r"aujourd['’]hui|hier|today|yesterday|\(?modifié\)?|\(?edited\)?|envoyé|sent|delivered|distribué",
    r"\d+ (?:réponses?|replies|reply)|voir le fil|view thread|afficher le fil|répondre dans le fil",
    r"reply in thread|en ligne|online|hors ligne|offline|en train d['’]écrire.*|.{1,30} is typing.*",
    r"\d{1,2}[:h]\d{2}(?: ?[ap]\.?m\.?)?|[•·|/\\>»-]+",
)
_UI = re.compile(r"^\s*(?:" + "|".join(UI_RESIDUE) + r")\s*$", re.IGNORECASE)

_NAME_WORD = rf"[{UPPER}][{LOWER}{UPPER}]*(?:[-'’.][{UPPER}]?[{LOWER}{UPPER}]*)*"
_NAME_LINE = re.compile(
    rf"^\s*({_NAME_WORD}(?: (?:de |du |van |von |le |la |d['’])?{_NAME_WORD}){{0,3}})\s*$"
)
_WRAPPED_END = re.compile(rf"[{LOWER}]{{2}}\.\s*$")
# Short replies that repeat without being anyone's name.
_NOT_NAMES = frozenset(
    "merci oui non ok okay super parfait top bonjour salut coucou exactement bien génial bravo "
    "absolument d'accord d’accord entendu noté vu cool yes no thanks hello hi great sure".split()
)
_SAID = re.compile(r"^\s*(.{1,40}?) (?:a|avez|as) dit\s*:?\s*$")
_TITLE = re.compile(rf"^(?:[ \t\u00a0]+|#[ \t]?)([{UPPER}#][^.!?…:;,]{{1,58}})$")
_END_PUNCT = re.compile(r"[.!?…:;,]\s*$")
UI_MAX_CHARS = 60  # longer lines are never UI residue
DIRECTION_SAMPLE = 400  # messages looked at to choose the direction of names


@dataclass
class _Item:
    """One element of the copy in order: a name, a message, a channel title or UI residue."""

    kind: str  # "name" | "body" | "title" | "ui"
    lines: list[Line]
    paragraphs: list[list[Line]] = field(default_factory=list)
    name: str = ""
    author: str | None = None
    used: bool = False


def sniff(text: str, filename: str) -> tuple[float, str]:
    """Repeated short name lines between message paragraphs, plus UI words."""
    lines = sniff_sample(text).split("\n")
    names = _author_names(lines)
    name_lines = sum(1 for line in lines if _name_of(line, names))
    ui = sum(1 for line in lines if line.strip() and _is_ui(line.strip())) if len(names) >= 2 else 0
    bodies = sum(1 for line in lines if len(line) > 60)
    if len(names) >= 2 and name_lines >= 4 and bodies >= 2:
        confidence = min(0.9, 0.6 + 0.1 * (ui > 0) + 0.02 * min(len(names), 5) + 0.01 * min(name_lines, 10))
    elif names and name_lines >= 3 and bodies >= 2:
        confidence = 0.35
    else:
        confidence = 0.02 if names else 0.0
    shown = ", ".join(list(names)[:4])
    reason = (f"{name_lines} lines are one of {len(names)} repeated names ({shown}) "
              f"between message paragraphs; {ui} UI residue lines")
    return confidence, reason


def parse(text: str, source: str) -> Document:
    """Messages with the authors recovered by the rule in the module docstring."""
    lines = split_lines(text)
    names = _author_names([line.text for line in lines])
    removals = Removals()
    items = _items(lines, names, removals)
    direction = _choose_direction(items)
    _attribute(items if direction == "after" else items[::-1])
    units = _units(items)
    doc = Document(source=source, kind=kind, format=name, text=text, units=units)
    doc.metadata["names"] = direction
    return finish(doc, removals, [f"author names come {direction} their messages"])


def _author_names(lines: list[str]) -> dict[str, str]:
    """Lines that are author names, mapped to the name: shape plus repetition."""
    # A name stands alone: a blank line (or the start) before it, no indent (an indented
    # line is a channel title), no final period (the last word of a wrapped message).
    counts = Counter(
        line.strip() for i, line in enumerate(lines)
        if 0 < len(line) <= 48 and line[0] not in " \t#" and (i == 0 or not lines[i - 1].strip())
        and not _WRAPPED_END.search(line)
    )
    names: dict[str, str] = {}
    for stripped, n in counts.items():
        if n < 2 and " dit" not in stripped:
            continue
        said = _SAID.match(stripped)
        if said and _NAME_LINE.match(said.group(1)):
            names[stripped] = said.group(1).strip()
            continue
        if _UI.match(stripped) or not _NAME_LINE.match(stripped):
            continue
        if stripped.split()[0].casefold() in _NOT_NAMES:
            continue
        size = len(stripped.split())
        if (2 <= size <= 4 and n >= 2) or (size == 1 and n >= 3):
            names[stripped] = stripped
    return names


def _name_of(line: str, names: dict[str, str]) -> str | None:
    return names.get(line.strip()) if line and len(line) <= 48 else None


def _items(lines: list[Line], names: dict[str, str], removals: Removals) -> list[_Item]:
    """The copy as a sequence of names, message bodies, titles and UI residue."""
    items: list[_Item] = []
    body: _Item | None = None
    paragraph: list[Line] = []

    def close_paragraph() -> None:
        nonlocal paragraph
        if paragraph and body is not None:
            body.paragraphs.append(paragraph)
            body.lines.extend(paragraph)
        paragraph = []

    for line in lines:
        stripped = line.text.strip()
        if not stripped:
            close_paragraph()
            continue
        author = _name_of(line.text, names)
        title = None if author else _title_of(line.text, paragraph)
        if author is None and title is None and not _is_ui(stripped):
            if body is None:
                body = _Item("body", [])
                items.append(body)
            paragraph.append(line)
            continue
        close_paragraph()
        body = None
        if author:
            items.append(_Item("name", [line], name=author))
        elif title:
            items.append(_Item("title", [line], name=title))
        else:
            removals.add(stripped, "UI residue")
            items.append(_Item("ui", [line]))
    close_paragraph()
    return [item for item in items if item.kind != "body" or item.paragraphs]


def _is_ui(stripped: str) -> bool:
    return len(stripped) <= UI_MAX_CHARS and _UI.match(stripped) is not None


def _title_of(text: str, paragraph: list[Line]) -> str | None:
    """A channel title: indented or ``#``-led short capitalised line, after any sentence end."""
    match = _TITLE.match(text) if text[:1] in " \t\u00a0#" else None
    if not match or len(match.group(1).split()) > 6 or not any(c.isalpha() for c in match.group(1)):
        return None
    if paragraph and not _END_PUNCT.search(paragraph[-1].text):
        return None  # a wrapped line inside a sentence
    return match.group(1).strip(" #")


def _choose_direction(items: list[_Item]) -> str:
    """"after" or "before": the direction under which fewer messages name their own author."""
    scores = {}
    sample = items[: 3 * DIRECTION_SAMPLE]
    for direction in ("after", "before"):
        trial = [_Item(i.kind, i.lines, i.paragraphs, i.name) for i in sample]
        _attribute(trial if direction == "after" else trial[::-1])
        scores[direction] = sum(_names_self(i) for i in trial if i.kind == "body")
    if scores["after"] != scores["before"]:
        return min(scores, key=scores.__getitem__)
    first = next((i.kind for i in sample if i.kind in ("name", "body")), "body")
    return "after" if first == "body" else "before"


def _names_self(item: _Item) -> bool:
    if not item.author:
        return False
    first = item.author.split()[0]
    text = " ".join(line.text for line in item.lines)
    return first in text and re.search(rf"\b{re.escape(first)}\b", text) is not None


def _attribute(items: list[_Item]) -> None:
    """Give each body the name that follows it (``items`` in reading order for that rule)."""
    for i, item in enumerate(items):
        if item.kind != "body":
            continue
        nxt = _next(items, i)
        if nxt is not None and nxt.kind == "name" and not nxt.used:
            item.author, nxt.used = nxt.name, True
    for i, item in enumerate(items):
        if item.kind != "name" or item.used:
            continue
        nxt = _next(items, i)
        if nxt is not None and nxt.kind == "body" and nxt.author is None:
            nxt.author, item.used = item.name, True


def _next(items: list[_Item], i: int) -> _Item | None:
    for j in range(i + 1, len(items)):
        if items[j].kind != "ui":
            return items[j]
    return None


def _units(items: list[_Item]) -> list[Unit]:
    units: list[Unit] = []
    section: str | None = None
    for item in items:
        if item.kind == "title":
            section = item.name
            units.append(span_unit(item.lines, item.name, "heading", section=section))
        elif item.kind == "body":
            text = "\n".join(collapse(" ".join(line.text for line in p)) for p in item.paragraphs)
            units.append(span_unit(item.lines, text, "message", author=item.author, section=section))
        elif item.kind == "name" and not item.used:
            units.append(span_unit(item.lines, item.name, "system", author=item.name,
                                   section=section, meta={"collapsed": True}))
    return units
