"""Social posts copied from LinkedIn, X or Facebook (the content of seed 001).

- **Author header** (the lines above the post: name, "• 2e", headline "Directrice IA
  chez …", "12 345 abonnés", "1 sem. • Modifié • 🌐", "Suivre", "@handle",
  "X a republié ceci") → ``doc.participants`` and ``doc.metadata`` (``author``,
  ``headline``, ``followers``, ``posted``, ``edited``, ``handle``,
  ``reposted_by``), counted as "author header (metadata)". A header is
  recognised only when one of those signature lines sits in the first lines.
- **Date line** ("9:41 AM · 3 mars 2025") → ``doc.date``, "date (metadata)".
- **Reaction and action bars**, French and English: a line is one when nothing
  is left after taking out counter words ("1 234 réactions", "12 commentaires ·
  3 republications", "45 likes", "12,3 k vues"), action words ("J’aime ·
  Commenter · Republier · Envoyer", "Like Comment Repost Send", "Voir la
  traduction", "Suivre"), figures, emoji and separators ("👍❤️ 87"); counted
  as "reactions" (figures or counters) or "actions". A bare figure is a
  counter after the last line of the post or next to another bar. Header
  lines met below the post (a commenter's "• 2e", "3 sem.") are "author
  badges". A trailing "…plus" / "…see more" is cut off ("'… plus' marker").
- **Content**: one ``paragraph`` unit per line, ``hashtag#Mot`` written
  ``#Mot``. A line led by a keycap emoji ("1️⃣" … "🔟") or ``1)`` / ``1.`` is a
  numbered item (``meta["item"] = n``), one led by a bullet (• 👉 ✅ ➡️ ▶ - …)
  a bullet item (``meta["bullet"]``), the marker taken out; keycaps inside a
  line ("1️⃣ 14 équipes 2️⃣ 48 heures") split it into items.
"""

from __future__ import annotations

import re
from itertools import pairwise

from ..types import Document, Unit
from .base import Line, split_lines
from .common import (
    PICTOGRAPHS,
    Removals,
    collapse,
    finish,
    sniff_sample,
    span_unit,
    title_from_text,
)
from .datelines import find_date, fold_in_place, only_date

name = "post"
kind = "post"
reads_json = False

CHROME_MAX_CHARS = 100  # longer lines are never a reaction bar
HEADER_LINES = 8  # an author header sits in the first lines

# -- vocabulary (folded: lower case, no accents, "'" for apostrophes) -------------------------------------------------

#: Words of counters: a figure goes with them.
COUNTER_WORDS = (
    r"reactions?", r"commentaires?", r"comments?", r"republications?", r"reposts?", r"retweets?", r"citations?",
    r"quotes?", r"partages?", r"shares?", r"j'aime", r"likes?", r"vues", r"views", r"impressions", r"signets",
    r"bookmarks?", r"abonnes", r"followers", r"relations", r"connections", r"autres personnes", r"autres",
    r"others", r"other people", r"personnes", r"toutes les reactions", r"all reactions",
)
#: Buttons and links of the reaction bar and the comment box.
ACTION_WORDS = (
    r"j'aime", r"like", r"commenter", r"comment", r"republier", r"repost", r"retweet", r"envoyer", r"send",
    r"partager", r"share", r"repondre", r"reply", r"soutenir", r"support", r"bravo", r"celebrate", r"instructif",
    r"insightful", r"drole", r"funny", r"love", r"solidaire", r"voir la traduction", r"see translation",
    r"afficher la traduction", r"traduire(?: le post| la publication)?", r"translate(?: post)?",
    r"voir plus(?: de commentaires)?", r"see more", r"afficher plus", r"show more", r"view more comments",
    r"charger plus de commentaires", r"load more comments", r"plus pertinents", r"most relevant",
    r"les plus recents", r"newest", r"ecrire un commentaire", r"write a comment", r"ajouter un commentaire",
    r"add a comment", r"signaler", r"report", r"enregistrer", r"save", r"copier le lien", r"copy link",
    r"suivre", r"follow", r"se connecter", r"connect", r"voir le profil", r"view profile", r"citer", r"quote",
)
_FILLER = r"vous|you|et|and|de|of|plus|more"


def _words(patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)")


_COUNTERS = _words(COUNTER_WORDS)
_ACTIONS = _words(ACTION_WORDS)
_FILLERS = re.compile(rf"(?<!\w)(?:{_FILLER})(?!\w)")
_FIGURE = re.compile(r"(?<!\w)\d[\d\s.,]*(?:\s?[km](?!\w))?")
_OTHERS = re.compile(r"(?:et|and) \d[\d\s.,]* ?(?:autres?|others?)(?: personnes?| people)?$")
_BARE_FIGURE = re.compile(r"^\(?\d[\d\s.,]*\s?[kKM]?\)?$")
_SENTENCE_END = re.compile(r"[.!?]\s*$")

# -- the author header ---------------------------------------------------------------------------------------------

_MONTH = (r"(?:janv?(?:ier)?|fevr?(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|aout|sept?(?:embre)?|oct(?:obre)?"
          r"|nov(?:embre)?|dec(?:embre)?|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
          r"|aug(?:ust)?|september|october|november|december)\.?")
_AGE = re.compile(
    r"^(?:il y a )?(\d+ ?(?:min|h|j|sem|mois|ans?|m|d|w|mo|y|yr|hrs?|hours?|days?|weeks?|jours?|heures?)s?\.?)"
    r"(?: ago)?(?:\s*[•·].*)?$"
    rf"|^((?:hier|yesterday|\d{{1,2}}(?:er)? {_MONTH}(?: \d{{4}})?)(?:,| a| at)? \d{{1,2}}[:h]\d{{2}})(?:\s*[•·].*)?$"
)
# One quantifier per blank run ("followers": the spaces before the word are the number's or follow its k/m):
# two in a row backtrack quadratically on a digit followed by a long run of spaces.
SIGNATURES: dict[str, re.Pattern[str]] = {
    "degree": re.compile(r"^[•·]?\s*(?:1er|2e|3e(?:\s*et\s*\+)?|1st|2nd|3rd\+?)$"),
    "followers": re.compile(r"^(\d[\d\s.,]*(?:[km]\s*)?)(?:abonnes|followers)(?:\s*[·•].*)?$"),
    "age": _AGE,
    "edited": re.compile(r"^(?:[•·]\s*)?(?:modifie|edited)\s*[•·]?$"),
    "follow": re.compile(r"^\+?\s*(?:suivre|follow|se connecter|connect|voir le profil|view profile)$"),
    "handle": re.compile(r"^@\w{1,30}$"),
    "repost": re.compile(r"^(.+?) (?:a republie ceci|reposted this|a aime ceci|likes this|a commente ceci"
                         r"|commented on this|a reagi a ceci|celebrates this|loves this|finds this insightful"
                         r"|trouve ceci instructif)$"),
}
#: Signatures that make a header on their own; a "Suivre" button alone does not.
STRONG_SIGNATURES = ("degree", "followers", "age", "handle", "repost")
HEADER_NAME_LINES = 3  # name (perhaps twice) and headline
_X_DATE = re.compile(r"^\d{1,2}[:h]\d{2}\s*(?:[ap]\.?m\.?)?\s*[·•]")

# -- items ---------------------------------------------------------------------------------------------------------

_KEYCAP = r"(?:(\d)\ufe0f?\u20e3|(🔟))"
_KEYCAP_ITEM = re.compile(rf"^\s*{_KEYCAP}\s*")
# A blank run is entered at its start only ((?<!\s)), or the mark is met right after one: from inside a long
# run of spaces a leading \s* was tried at every position (quadratic: 10 s on a 40 KB run).
_KEYCAP_INSIDE = re.compile(rf"(?:(?<!\s)\s*|(?<=\s)){_KEYCAP}")
_NUMBERED = re.compile(r"^\s*(\d{1,2})[).]\s+")
#: Bullets a list item may open with; the typewriter ones need a space after them ("-10 %" is no item).
BULLETS = ("•", "▪", "◦", "‣", "►", "▶", "➤", "➜", "→", "👉", "✅", "✔", "☑", "➡", "🔹", "🔸", "🔷", "🔶", "▫")
TYPED_BULLETS = ("-", "–", "*", "·")
_BULLET = re.compile(r"^\s*(?:(" + "|".join(map(re.escape, BULLETS)) + r")\ufe0f?\s*"
                     r"|(" + "|".join(map(re.escape, TYPED_BULLETS)) + r")\s+)(?=\S)")
_MORE = re.compile(r"(?:(?<!\s)\s*|(?<=\s))(?:…|\.\.\.)\s*(?:voir plus|plus|see more|more|afficher la suite|lire la suite)\s*$",
                   re.IGNORECASE)
_HASHTAG = re.compile(r"hashtag#(?=\w)", re.IGNORECASE)
# Each run of blanks is matched by one repeat only, never by two in a row nor by \s* at a line start (which runs
# over every following empty line): either made the scan quadratic (5 s for 20 000 empty lines or for
# "1" and 16 000 spaces).
_KEYCAP_LINE = re.compile(r"(?m)^[^\S\n]*(?:\d\ufe0f?\u20e3|🔟)")
_PLAIN_HASHTAG = re.compile(r"#(?<![\w&/]#)[^\W\d_]\w+")
_COUNTER_LINE = re.compile(
    r"(?m)^[^\S\n]*\d[\d .,]*(?:[^\S\n ][^\S\n]*)?"
    r"(?:réactions?|reactions?|commentaires?|comments?|republications?)[^\S\n]*$",
    re.IGNORECASE)
_PICTOGRAPH = re.compile(f"[{PICTOGRAPHS}]")


def sniff(text: str, filename: str) -> tuple[float, str]:
    """``hashtag#`` words, hashtags, keycap-numbered lines, reaction counters; an author header with bars.

    Posts come before articles in detection order: bars alone ("Partager", "J'aime") never make a post fit,
    they only beat plain text.
    """
    head = sniff_sample(text)
    linkedin = head.count("hashtag#")
    tags = linkedin + len(_PLAIN_HASHTAG.findall(head))
    keycaps = len(_KEYCAP_LINE.findall(head))
    counters = len(_COUNTER_LINE.findall(head))
    lines = [line for line in split_lines(head) if line.text.strip()]
    header = _header(lines, Document(source="", kind=kind, format=name, text="")) > 0
    bars = sum(1 for line in lines if chrome_reason(line.text))
    confidence = 0.6 if header and bars else 0.45 if header else 0.3 if bars >= 2 else 0.0
    if linkedin >= 2:
        confidence = max(confidence, 0.65)
    elif tags >= 3 and len(head) < 20_000:
        confidence = max(confidence, 0.5)
    elif linkedin or tags:
        confidence = max(confidence, 0.25)
    if confidence:
        confidence += 0.15 * (keycaps >= 2) + 0.1 * (counters > 0)
    elif keycaps >= 2:
        confidence = 0.4
    reason = (f"{linkedin} 'hashtag#' words, {tags} hashtags, {keycaps} keycap-numbered lines, "
              f"{counters} reaction counters, {'an' if header else 'no'} author header, {bars} reaction bars")
    return min(confidence, 0.9), reason


def parse(text: str, source: str) -> Document:
    """Author header and date to metadata; reactions removed; one unit per line, items marked, hashtags cleaned."""
    lines = [line for line in split_lines(text) if line.text.strip()]
    removals = Removals()
    doc = Document(source=source, kind=kind, format=name, text=text)
    header = _header(lines, doc)
    for line in lines[:header]:
        removals.add(line.text, "author header (metadata)")
    chrome = _chrome(lines[header:])
    for line in lines[header:]:
        if line.number in chrome:
            removals.add(line.text, chrome[line.number])
        elif _date_line(line.text, doc):
            chrome[line.number] = "date (metadata)"
            removals.add(line.text, "date (metadata)")
    for line in lines[header:]:
        if line.number not in chrome:
            doc.units.extend(_units(line, removals))
    if doc.units:
        doc.title = title_from_text(doc.units[0].text)
    if removals.counts:
        doc.metadata["removed"] = dict(removals.counts)
    return finish(doc, removals)


# -- header and date ----------------------------------------------------------------------------------------------------


def signature(text: str) -> tuple[str, re.Match[str]] | None:
    """Which kind of author-header line ``text`` is ("followers", "age", …), if any."""
    folded = fold_in_place(collapse(text)).replace("🌐", "").strip()
    for kind_, pattern in SIGNATURES.items():
        match = pattern.match(folded)
        if match:
            return kind_, match
    return None


def _header(lines: list[Line], doc: Document) -> int:
    """How many first lines are the author header; fills ``doc`` from them."""
    head = lines[:HEADER_LINES]
    marks = [signature(line.text) for line in head]
    last = max((i for i, mark in enumerate(marks) if mark and mark[0] in STRONG_SIGNATURES), default=-1)
    while 0 <= last < len(head) - 1 and marks[last + 1]:  # buttons and badges right after ("Suivre", "Modifié")
        last += 1
    others = [collapse(line.text) for line, mark in zip(head[:last + 1], marks) if not mark]
    if last < 0 or len(others) > HEADER_NAME_LINES or any(_not_header(text) for text in others):
        return 0
    names = list(dict.fromkeys(others))
    if names:
        doc.participants = [names[0]]
        doc.metadata["author"] = names[0]
    if len(names) > 1:
        doc.metadata["headline"] = names[1]
    for line, mark in zip(head[:last + 1], marks):
        if mark:
            _header_fact(mark, line.text, doc)
    return last + 1


def _not_header(text: str) -> bool:
    """Content rather than a name or headline: long, a sentence, an item or hashtags."""
    stripped = text.strip()
    return (len(stripped) > 150 or bool(_SENTENCE_END.search(stripped)) or "hashtag#" in stripped
            or bool(_KEYCAP_ITEM.match(stripped)))


def _header_fact(mark: tuple[str, re.Match[str]], text: str, doc: Document) -> None:
    kind_, match = mark
    folded = fold_in_place(text)
    if kind_ == "followers":
        doc.metadata["followers"] = count_of(match.group(1))
    elif kind_ == "age":
        posted = collapse(text.split("•")[0].split("·")[0]).strip()
        doc.metadata["posted"] = posted
        when, _ = find_date(text)
        doc.date = doc.date or when
    elif kind_ == "handle":
        doc.metadata["handle"] = collapse(text)
    elif kind_ == "repost":
        doc.metadata["reposted_by"] = collapse(text)[:len(match.group(1))]
    if "modifie" in folded or "edited" in folded:
        doc.metadata["edited"] = True


def count_of(figure: str) -> int:
    """The number a counter writes: "12 345", "8,412", "1,2 k", "1.2K", "3 M"."""
    figure = figure.strip().lower()
    scale = {"k": 1000, "m": 1_000_000}.get(figure[-1:], 1)
    if scale > 1:  # a decimal before the suffix
        return round(float(re.sub(r"\s", "", figure[:-1]).replace(",", ".")) * scale)
    return int(re.sub(r"\D", "", figure) or 0)


def _date_line(text: str, doc: Document) -> bool:
    """An X/Twitter time and date line ("9:41 AM · 3 mars 2025"): the post's date."""
    stripped = collapse(text)
    if len(stripped) > 60 or not only_date(stripped):
        return False
    if not _X_DATE.match(fold_in_place(stripped)) and doc.date is not None:
        return False
    doc.date = doc.date or find_date(stripped)[0]
    return True


# -- reaction and action bars ---------------------------------------------------------------------------------------------


def chrome_reason(text: str) -> str | None:
    """"reactions" or "actions" when ``text`` is a reaction or action bar, else None."""
    stripped = collapse(text)
    if not stripped or len(stripped) > CHROME_MAX_CHARS:
        return None
    if _SENTENCE_END.search(stripped.removesuffix("...").rstrip("…")):
        return None  # a sentence ("Bravo !"), not a bar; "Écrire un commentaire…" is one
    folded = fold_in_place(stripped)
    if _OTHERS.search(folded):
        return "reactions"
    if _BARE_FIGURE.match(stripped):
        return None  # decided by its neighbours
    if not _only_chrome(folded):
        return None
    words = bool(_COUNTERS.search(folded) or _ACTIONS.search(folded))
    figures = bool(re.search(r"\d", folded))
    if not words and not (figures and _PICTOGRAPH.search(stripped)):
        return None
    return "reactions" if figures or (_COUNTERS.search(folded) and not _ACTIONS.search(folded)) else "actions"


def _only_chrome(folded: str) -> bool:
    rest = _ACTIONS.sub(" ", folded)  # phrases first: "écrire un commentaire" holds a counter word
    rest = _COUNTERS.sub(" ", rest)
    rest = _FIGURE.sub(" ", rest)
    rest = _FILLERS.sub(" ", rest)
    return not any(c.isalnum() for c in rest)


def _chrome(lines: list[Line]) -> dict[int, str]:
    """Line number → reason, for reaction and action bars (bare figures next to one, or after the post)."""
    found = {line.number: reason for line in lines if (reason := chrome_reason(line.text))}
    for line in lines:  # a commenter's "• 2e", "3 sem.", "Modifié" below the post
        mark = None if line.number in found else signature(line.text)
        if mark and mark[0] in ("degree", "age", "edited", "followers", "follow"):
            found[line.number] = "author badges"
    last_content = max((i for i, line in enumerate(lines) if line.number not in found
                        and not _BARE_FIGURE.match(line.text.strip())), default=-1)
    for i, line in enumerate(lines):
        if line.number in found or not _BARE_FIGURE.match(line.text.strip()):
            continue
        near = [lines[j].number for j in (i - 1, i + 1) if 0 <= j < len(lines)]
        if i > last_content or any(n in found for n in near):
            found[line.number] = "reactions"
    return found


# -- content units ----------------------------------------------------------------------------------------------------------


def _units(line: Line, removals: Removals) -> list[Unit]:
    """The line's units: one, or one per keycap item when keycaps sit inside it."""
    content = line.text
    more = _MORE.search(content)
    if more and more.start() > 0:
        removals.add(more.group(0), "'… plus' marker")
        content = content[:more.start()]
    elif more:
        removals.add(content, "'… plus' marker")
        return []
    units = []
    for start, end in _pieces(content):
        piece = Line(content[start:end], line.number, line.start + start, line.start + end)
        unit = _unit(piece, removals)
        if unit:
            units.append(unit)
    return units


def _pieces(content: str) -> list[tuple[int, int]]:
    """Spans of ``content`` cut before each keycap that does not open it."""
    if "\u20e3" not in content and "🔟" not in content:  # no keycap at all: one piece
        return [(0, len(content))] if content.strip() else []
    cuts = [m.start() for m in _KEYCAP_INSIDE.finditer(content) if content[:m.start()].strip()]
    bounds = [0, *cuts, len(content)]
    return [(a, b) for a, b in pairwise(bounds) if content[a:b].strip()]


def _unit(piece: Line, removals: Removals) -> Unit | None:
    """One unit: list markers taken out into ``meta``, hashtags cleaned."""
    content = piece.text
    meta: dict[str, object] = {}
    keycap = _KEYCAP_ITEM.match(content)
    numbered = None if keycap else _NUMBERED.match(content)
    bullet = None if keycap or numbered else _BULLET.match(content)
    if keycap:
        meta["item"] = int(keycap.group(1)) if keycap.group(1) else 10
    elif numbered:
        meta["item"] = int(numbered.group(1))
    elif bullet:
        meta["bullet"] = bullet.group(1) or bullet.group(2)
    marker = keycap or numbered or bullet
    cleaned = collapse(_HASHTAG.sub("#", content[marker.end():] if marker else content))
    if not cleaned:
        removals.add(piece.text, "empty list marker")
        return None
    unit = span_unit([piece], cleaned, "paragraph", meta=meta)
    unit.end = piece.start + len(content.rstrip())
    return unit
