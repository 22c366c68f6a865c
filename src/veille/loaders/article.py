"""Web articles saved as text (seeds 002, 003), without their share and comment boilerplate.

Each non-blank line is classified:

- **boilerplate**: a line matching ``BOILERPLATE`` (comment forms, share
  buttons, reading time, newsletter and cookie banners, "Lire aussi"…, in
  French and English), or a short line without final punctuation in the
  trailing block after the last body paragraph — removed and counted;
- **title**: the first line when it is short and does not end with a period;
  otherwise the title is the first sentence of the text, cut near 80
  characters;
- **heading**: a short line (at most 120 characters and 20 words, 12 for a
  question) without final period, comma or colon, or one led by a roman
  numeral, a number (``1)``, ``2.``) or "Conclusion :" — a ``heading`` unit
  and the ``section`` of what follows;
- **paragraph**: the rest. A hard-wrapped block is one paragraph; otherwise
  each line is one (web text keeps one paragraph per line). Lines led by a
  dash (embedded tweet credits, "— Name (@handle) date") stay paragraphs.
"""

from __future__ import annotations

import re

from ..types import Document, Unit
from .base import Line, blocks, split_lines
from .common import Removals, collapse, finish, is_hard_wrapped, joined, sniff_sample, span_unit, title_from_text

name = "article"
kind = "article"

#: Whole-line patterns of page boilerplate (case-insensitive), French and English.
BOILERPLATE = (
    # comments
    r"laisser un commentaire|laissez un commentaire|leave a (?:comment|reply)|ajouter un commentaire",
    r"(?:no|\d+) (?:responses?|comments?)(?: yet)?|aucun commentaire(?: à afficher)?\.?",
    r"(?:\d+ )?commentaires?(?: \(\d+\))?|latest comments|derniers commentaires|recent comments",
    r"soyez le premier à (?:commenter|réagir).*|be the first to comment.*|répondre|reply|annuler la réponse",
    r"votre adresse (?:e-?mail|de messagerie|électronique) ne sera pas publiée.*",
    r"your email address will not be published.*|required fields are marked.*",
    r"les champs obligatoires sont (?:indiqués|marqués) (?:avec|par) \*?.*",
    r"(?:nom|name|e-?mail|site web|website|commentaire|comment)\s*\*?",
    r"enregistrer mon nom.*|save my name.*|(?:post|publier le|envoyer le) comment(?:aire)?",
    # sharing
    r"[-–—•]?\s*partager (?:l['’]article|cet article|sur \w+|la publication)\s*:?",
    r"(?:share|partager)(?: (?:this|on|sur)\b.*)?\s*:?|partagez.*|tweet|tweeter|imprimer|print",
    r"facebook|twitter|x|linkedin|whatsapp|telegram|pinterest|reddit|e-?mail|copier le lien|copy link",
    # reading aids and navigation
    r"temps de lecture\s*:?\s*\d+\s*min(?:utes?)?\.?|\d+\s*min(?:utes?)?\s*(?:de lecture|read)",
    r"reading time.*|lecture\s*:\s*\d+\s*min.*",
    r"(?:à )?lire aussi\b.*|sur le même (?:sujet|thème).*|articles? (?:similaires|liés|connexes).*",
    r"related (?:articles|posts|stories).*|you (?:may|might) also like.*|vous aimerez aussi.*",
    r"read more|lire la suite|en savoir plus|voir aussi|see also|retour en haut|back to top",
    r"sommaire|table des matières|menu|accueil|home|rechercher|search|publicité|advertisement",
    # newsletters, cookies, rights
    r".{0,60}newsletter.{0,60}|abonnez-vous.{0,80}|inscrivez-vous.{0,80}|subscribe.{0,80}",
    r"s['’]abonner|je m['’]abonne|recevez nos .{0,80}|follow us.{0,40}|suivez-nous.{0,40}",
    r".{0,80}\bcookies?\b.{0,80}|tout accepter|accept all|refuser|paramétrer|gérer mes choix",
    r"(?:©|copyright|tous droits réservés|all rights reserved).{0,80}",
    r"(?:tags?|étiquettes?|mots-clés|catégories?|categories?)\s*:.{0,120}",
    r"(?:publié|mis à jour|modifié|posted|published|updated) (?:le |on )?.{0,40}\d{4}.{0,20}",
    r"(?:\d+\s*)?(?:j['’]aime|likes?|partages?|shares?)",
)
_BOILERPLATE = re.compile(r"^\s*(?:" + "|".join(BOILERPLATE) + r")\s*$", re.IGNORECASE)

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
BODY_MIN_CHARS = 100


def sniff(text: str, filename: str) -> tuple[float, str]:
    """Paragraphs with a boilerplate tail, or more than three paragraphs of 200+ characters on average."""
    head = sniff_sample(text)
    paragraphs = _paragraph_lengths(head)
    if len(paragraphs) < 2:
        return (0.05 if paragraphs else 0.0), f"{len(paragraphs)} paragraphs of 80+ characters"
    lines = [line.strip() for line in head.split("\n") if 0 < len(line.strip()) < 200]
    boiler = sum(1 for line in lines if _BOILERPLATE.match(line))
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
    """Title, headings with their sections, paragraphs; boilerplate removed and counted."""
    lines = split_lines(text)
    removals = Removals()
    kept = _drop_boilerplate(lines, removals)
    units: list[Unit] = []
    title: str | None = None
    section: str | None = None
    first = True
    for block in blocks(kept):
        if first:
            first = False
            head = block[0].text.strip()
            wrapped = len(block) > 1 and block[1].text.lstrip()[:1].islower()
            if _is_title(head) and not wrapped:
                title = collapse(head)
                units.append(span_unit([block[0]], title, "heading", section=title, meta={"title": True}))
                section = title
                block = block[1:]
                if not block:
                    continue
        section = _add_block(units, block, section)
    doc = Document(source=source, kind=kind, format=name, text=text, units=units)
    doc.title = title or _derived_title(units)
    return finish(doc, removals)


def _drop_boilerplate(lines: list[Line], removals: Removals) -> list[Line]:
    """Lines with boilerplate (patterns, then the short tail after the last body line) blanked."""
    kept: list[Line] = []
    last_body = -1
    for line in lines:
        stripped = line.text.strip()
        if stripped and len(stripped) < 200 and _BOILERPLATE.match(stripped):
            removals.add(stripped, "boilerplate")
            kept.append(Line("", line.number, line.start, line.start))
            continue
        if len(stripped) >= BODY_MIN_CHARS or (_TERMINAL_END.search(stripped) and len(stripped.split()) >= 6):
            last_body = len(kept)
        kept.append(line)
    if last_body < 0:
        return kept  # no body at all: nothing to call a trailing block
    for i in range(last_body + 1, len(kept)):
        stripped = kept[i].text.strip()
        if stripped and not _TERMINAL_END.search(stripped) and len(stripped) < 80:
            removals.add(stripped, "trailing page chrome")
            kept[i] = Line("", kept[i].number, kept[i].start, kept[i].start)
    return kept


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
    return bool(line) and len(line) <= 150 and not _NOT_HEADING_END.search(line) and not _URL.search(line)


def _derived_title(units: list[Unit]) -> str | None:
    for unit in units:
        if unit.kind == "paragraph":
            return title_from_text(unit.text)
    return None
