"""The line classifier for page chrome: each non-blank line as a ``Row`` with its features (what it says, its shape),
scored with ``chrome_vocabulary.WEIGHTS``, then context rounds (where it sits) until the decisions settle.

``classify`` gives every line's decision: body, chrome (with a reason) or metadata (``datelines.ArticleMeta``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from .base import Line
from .chrome_vocabulary import (
    ANY_CUE,
    may_hold_formula,
    AUTHOR_BOX_LINES,
    COMMENT_AUTHOR,
    CUE_PATTERNS,
    DASH_ITEM,
    DURATION,
    FORMULA_PATTERNS,
    FORMULAS_COUNTED,
    FRAGMENT_CHARS,
    LABEL_PATTERNS,
    LINK,
    LIST_HEADER_PATTERNS,
    NUMBER,
    ROUNDS,
    SEPARATOR,
    THRESHOLD,
    TIMESTAMPED,
    WEIGHTS,
    WRAP_WORDS,
    sentence_end,
    terminal,
)
from .datelines import (
    ArticleMeta,
    byline_names,
    find_date,
    fold_in_place,
    metadata_of,
    only_date,
)


@dataclass
class Row:
    """One non-blank line under classification, with its intrinsic features and the decision on it."""

    line: Line
    text: str
    block: int
    features: dict[str, float] = field(default_factory=dict)  # intrinsic: what the line says, its shape
    context: dict[str, float] = field(default_factory=dict)  # where it sits, recomputed each round
    strong: str | None = None  # category of a label or formula it matches
    covered_cue: str | None = None  # category of chrome words covering it
    cue: str | None = None  # category of the chrome words it holds
    shape: str | None = None  # reason its shape alone gives
    listed: str | None = None  # reason of the list it is in
    title_like: bool = False
    wrapped: bool = False  # inside a hard-wrapped paragraph: body
    meta: ArticleMeta | None = None
    label: str = "body"  # body | chrome | meta
    reason: str | None = None

    @property
    def intrinsic(self) -> float:
        return sum(WEIGHTS[name] * value for name, value in self.features.items())

    @property
    def score(self) -> float:
        return self.intrinsic + sum(WEIGHTS[name] * value for name, value in self.context.items())

    @property
    def fragment(self) -> bool:
        return len(self.text) < FRAGMENT_CHARS

    @property
    def paragraph(self) -> bool:
        """Body that reads as a paragraph: long, or a sentence of six words or more."""
        return self.label == "body" and (
            self.wrapped or len(self.text) >= FRAGMENT_CHARS
            or (terminal(self.text) and len(self.text.split()) >= 6))


def _intrinsic(row: Row) -> None:
    """Features of what the line says and of its shape."""
    folded = fold_in_place(row.text)
    spans: list[tuple[int, int]] = []
    _vocabulary(row, folded, spans)
    if not spans:  # most lines: only whether there is a letter or digit at all matters
        _shape(row, row.text, any(map(str.isalnum, folded)))
        return
    letters = sum(map(str.isalnum, folded))
    marked = bytearray(len(folded))
    for start, end in spans:
        marked[start:end] = b"\x01" * (end - start)
    share = sum(1 for c, on in zip(folded, marked) if on and c.isalnum()) / letters if letters else 0.0
    if share:
        row.features["covered"] = 1.0 if share >= 0.75 else share / 2
        row.covered_cue = row.cue if share >= 0.75 else None
    _shape(row, row.text, letters > 0)


def _vocabulary(row: Row, folded: str, covered: list[tuple[int, int]]) -> None:
    """Formulas, labels and cue words of ``folded``; adds the spans they cover to ``covered``."""
    strongest: tuple[int, int, str] = (0, 0, "")  # (formula 2 / label 1, length, reason)
    formulas = 0
    for reason, pattern in FORMULA_PATTERNS.items() if may_hold_formula(folded) else ():
        for match in pattern.finditer(folded):
            formulas += 1
            covered.append(match.span())
            strongest = max(strongest, (2, match.end() - match.start(), reason))
    labelled = False
    for reason, pattern in LABEL_PATTERNS.items():
        match = pattern.match(folded)
        if match:
            labelled = True
            covered.append(match.span())
            strongest = max(strongest, (1, match.end() - match.start(), reason))
    if COMMENT_AUTHOR.match(row.text):  # "Nadia B. dit :", checked on the original for its capitals
        labelled = True
        strongest = max(strongest, (1, len(row.text), "comments"))
    if formulas:
        row.features["formula"] = float(min(formulas, FORMULAS_COUNTED))
    if labelled:
        row.features["label"] = 1.0
    row.strong = strongest[2] or None
    if not (formulas or labelled) and _body_sentence(row.text):
        return  # cue words could not make it chrome: its best score stays under THRESHOLD (see WEIGHTS)
    cue_chars: dict[str, int] = {}
    for reason, pattern in CUE_PATTERNS.items() if ANY_CUE.search(folded) else ():
        for match in pattern.finditer(folded):
            covered.append(match.span())
            cue_chars[reason] = cue_chars.get(reason, 0) + match.end() - match.start()
    if cue_chars:
        row.features["cue"] = 1.0
        row.cue = max(cue_chars, key=lambda r: cue_chars[r])


def _body_sentence(text: str) -> bool:
    """A long line ending a sentence: "long" and "sentence" weigh -5.5, more than cue, covered, separated and
    links can add (+5.5 at most), so without a formula or a label it stays body whatever its words."""
    return len(text) >= 120 and len(text.split()) >= 8 and sentence_end(text)


#: Longest line read as a date alone ("Publié le mercredi 12 mars 2025 à 14 h 05, mis à jour à 16 h 30").
DATE_LINE_CHARS = 100


def _shape(row: Row, text: str, alnum: bool) -> None:
    """Features of the line's shape, and the reason a telling shape gives."""
    words = text.split()
    if len(words) <= 6:
        row.features["short"] = 1.0
    if not terminal(text):
        row.features["open"] = 1.0
    if len(words) >= 8 and sentence_end(text):
        row.features["sentence"] = 1.0
    if len(text) >= 120:
        row.features["long"] = 1.0
    if SEPARATOR.search(text):
        items = [item for item in SEPARATOR.split(text) if item]
        if len(items) >= 2 and all(len(item.split()) <= 4 for item in items):
            row.features["separated"] = 1.0
            row.shape = "navigation"
    half = max(1, len(words) / 2)
    # every link holds a "." or an "@": fewer of those than half the words, and no word-by-word look is needed
    if (words and text.count(".") + text.count("@") >= half
            and sum(1 for w in words if LINK.match(w.strip("()<>,;"))) >= half):
        row.features["links"] = 1.0
        row.shape = "links"
    if DURATION.match(text):
        row.features["duration"] = 1.0
        row.shape = "durations"
    elif NUMBER.match(text):
        row.features["number"] = 1.0
        row.shape = "counters"
    elif len(text) <= DATE_LINE_CHARS and only_date(text):
        row.features["date"] = 1.0
        row.shape = "dates"
    if not alnum:
        row.features["no_letters"] = 1.0
        row.shape = "separators"
    row.title_like = _title_like(text, words) and row.shape in (None, "navigation")


def _title_like(text: str, words: list[str]) -> bool:
    """Could be a title: a few words with letters, opening with a capital, a digit or a quote, no final period."""
    return (len(words) <= 16 and len(text) < 120 and sum(map(str.isalpha, text)) >= 3
            and not text.endswith((".", ",", ";")) and (text[0].isupper() or text[0].isdigit() or text[0] in "«\"“'"))


def _rows(lines: list[Line]) -> list[Row]:
    """Non-blank lines with their block number; hard-wrapped blocks marked as body."""
    rows: list[Row] = []
    block = 0
    previous_blank = True
    for line in lines:
        text = line.text.strip()
        if not text:
            previous_blank = True
            continue
        if previous_blank and rows:
            block += 1
        previous_blank = False
        rows.append(Row(line=line, text=text, block=block))
    for group in _grouped(rows):
        if wrapped_paragraph([r.text for r in group]):
            for row in group:
                row.wrapped = True
    return rows


def _grouped(rows: list[Row]) -> list[list[Row]]:
    groups: list[list[Row]] = []
    for row in rows:
        if groups and groups[-1][-1].block == row.block:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def wrapped_paragraph(texts: list[str]) -> bool:
    """Lines of one paragraph wrapped at a fixed width: similar widths, and most breaks cut a sentence."""
    if len(texts) < 2:
        return False
    lengths = [len(t) for t in texts[:-1]]
    widest = max(lengths)
    if widest < 40 or widest > 140 or any(n < 0.6 * widest for n in lengths):
        return False
    cuts = 0
    for text, nxt in pairwise(texts):
        last = fold_in_place(text.split()[-1])
        if nxt[:1].islower() or text.endswith((",", ";", "-", "(")) or last in WRAP_WORDS or last.endswith("'"):
            cuts += 1
    return cuts >= 0.5 * (len(texts) - 1)


def classify(lines: list[Line]) -> list[Row]:
    """Every non-blank line with its decision: body, chrome (with a reason) or metadata."""
    rows = _rows(lines)
    first_long = next((i for i, r in enumerate(rows) if len(r.text) >= FRAGMENT_CHARS), len(rows))
    for i, row in enumerate(rows):
        if row.wrapped:
            continue
        _intrinsic(row)
        row.meta = metadata_of(row.text)
        if row.meta is None and i < first_long and row.shape == "dates":
            row.meta = ArticleMeta(date=find_date(row.text)[0])
    _pair_name_and_date(rows, first_long)
    for row in rows:
        row.label = _decide(row)
    for _ in range(ROUNDS):
        _context(rows)
        labels = [_decide(row) for row in rows]
        if labels == [row.label for row in rows]:
            break
        for row, label in zip(rows, labels):
            row.label = label
    for row in rows:
        row.reason = _reason(row) if row.label == "chrome" else row.meta.reason if row.meta else None
    return rows


def is_boilerplate(line: str) -> bool:
    """Whether a line is chrome on what it says alone (a label, a formula, or chrome words filling it)."""
    row = Row(line=Line(line, 0, 0, len(line)), text=line, block=0)
    _intrinsic(row)
    return bool(row.strong or row.covered_cue) and row.intrinsic >= THRESHOLD


def _pair_name_and_date(rows: list[Row], first_long: int) -> None:
    """A lone name above a lone date before the body, perhaps with buttons between ("Follow", "7 min read"): a byline."""
    for i, row in enumerate(rows[:first_long]):
        if row.meta is not None or len(row.text.split()) > 4 or not byline_names(row.text):
            continue
        for nxt in rows[i + 1:min(i + 5, first_long)]:
            if nxt.block != row.block:
                break
            if nxt.meta is not None:
                if not nxt.meta.authors:
                    row.meta = ArticleMeta(authors=byline_names(row.text))
                break
            if nxt.intrinsic < THRESHOLD:
                break


def _decide(row: Row) -> str:
    if row.wrapped:
        return "body"
    if row.meta is not None:
        return "meta"
    return "chrome" if row.score >= THRESHOLD else "body"


def _context(rows: list[Row]) -> None:
    """Features of where each line sits, from the current decisions."""
    body = [i for i, r in enumerate(rows) if r.paragraph]
    first, last = (body[0], body[-1]) if body else (len(rows), -1)
    menu = _menu_rows(rows)
    _mark_lists(rows, menu, first)
    for i, row in enumerate(rows):
        row.context = {}
        if row.wrapped:
            continue
        if row.listed == "author box":
            row.context["author_box"] = 1.0
        elif row.listed and row.fragment:
            row.context["listed"] = 1.0
        if not row.fragment:
            continue
        if body and i < first:  # without a paragraph there is no head nor tail to speak of
            row.context["head"] = 1.0
        if body and i > last and "open" in row.features:
            row.context["tail"] = 1.0
        near = [r for r in rows[max(0, i - 2):i] + rows[i + 1:i + 3] if r.block == row.block]
        chrome = sum(1 for r in near if r.label == "chrome")
        if chrome:
            row.context["neighbour"] = float(chrome)
        if i in menu:
            row.context["menu"] = 1.0
        if row.title_like and row.strong is None and not row.listed:  # chrome labels and list items are no titles
            if i + 1 < len(rows) and rows[i + 1].label == "meta":
                row.context["titled"] = 1.0
            elif _followed_by_paragraph(rows, i):
                row.context["heading"] = 1.0


def _followed_by_paragraph(rows: list[Row], i: int) -> bool:
    """Whether the next line (past metadata) is a paragraph with no chrome label or formula in it."""
    for row in rows[i + 1:]:
        if row.label == "meta":
            continue
        return row.paragraph and row.strong is None
    return False


def _menu_rows(rows: list[Row]) -> set[int]:
    """Indexes of lines in runs of three or more consecutive lines of one to three words, in one block."""
    found: set[int] = set()
    run: list[int] = []
    for i, row in enumerate(rows):
        fits = (len(row.text.split()) <= 3 and "open" in row.features and not DASH_ITEM.match(row.text)
                and row.shape in (None, "navigation") and not TIMESTAMPED.match(row.text))
        if fits and run and rows[run[-1]].block == row.block:
            run.append(i)
            continue
        if len(run) >= 3:
            found.update(run)
        run = [i] if fits else []
    if len(run) >= 3:
        found.update(run)
    return found


def _mark_lists(rows: list[Row], menu: set[int], first: int) -> None:
    """Set ``listed`` on the items under a list header, and on title lines between durations.

    An author box opens only after the first paragraph ("Written by …" above the body is a byline).
    """
    for row in rows:
        row.listed = None
    i = 0
    while i < len(rows):
        reason = _list_header(rows[i])
        if reason is None or (reason == "author box" and i < first):
            i += 1
            continue
        i = _mark_items(rows, i, reason, menu)
    for i, row in enumerate(rows):
        if row.listed is None and row.title_like and row.fragment and "duration" not in row.features:
            near = [r for r in (rows[i - 1] if i else None, rows[i + 1] if i + 1 < len(rows) else None)
                    if r is not None and r.block == row.block]
            if any("duration" in r.features for r in near):
                row.listed = "related articles"


def _list_header(row: Row) -> str | None:
    if row.wrapped or len(row.text.split()) > 6:
        return None
    folded = fold_in_place(row.text)
    return next((reason for pattern, reason in LIST_HEADER_PATTERNS if pattern.match(folded)), None)


def _mark_items(rows: list[Row], i: int, reason: str, menu: set[int]) -> int:
    """Mark the items after the header at ``i``, up to a menu run; return the index after the list."""
    header = rows[i]
    j = i + 1
    alone = j < len(rows) and rows[j].block != header.block  # the header ends its block: the list is the next one
    block = rows[j].block if alone else header.block
    if alone and not all(_item_like(r, reason) for r in rows[j:] if r.block == block):
        return j
    count = 0
    if alone or (j < len(rows) and rows[j].block == block and _item_like(rows[j], reason)):
        header.listed = reason
    while j < len(rows) and rows[j].block == block:
        row = rows[j]
        nested = _list_header(row)
        if nested and nested != reason:
            return j
        if (not _item_like(row, reason) or (reason == "author box" and count >= AUTHOR_BOX_LINES)
                or (j in menu and j - 1 not in menu and reason != "author box")):  # a footer menu begins
            break
        row.listed = reason
        count += 1
        j += 1
    return j


def _item_like(row: Row, reason: str) -> bool:
    if row.wrapped:
        return False
    if reason == "author box":
        return len(row.text) < 300
    return (row.title_like or row.shape in ("dates", "durations", "separators") or bool(TIMESTAMPED.match(row.text))
            or row.intrinsic >= THRESHOLD)


def _reason(row: Row) -> str:
    """Why a chrome line is chrome: its label or formula, its chrome words, its shape, its list, or its place."""
    if row.strong:
        return row.strong
    if row.covered_cue:
        return row.covered_cue
    if row.shape:
        return row.shape
    if row.listed:
        return row.listed
    if row.cue:
        return row.cue
    return "trailing page chrome" if "tail" in row.context and "menu" not in row.context else "navigation"
