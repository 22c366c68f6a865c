"""Figures: the quantities of a text (money, power, energy, counts, percentages…) as data.

``extract_figures("Un cluster de 100 000 GPU coûte ~3,5 M€.")`` gives two ``Figure``s, 100 000 GPU and
3 500 000 EUR (approximately). A figure is a number written in digits (or a small number word before a
measure: "un gigawatt") followed by a unit or a counted noun; the value is normalised to a base unit
(EUR, USD, GBP, W, Wh, g, m, B, FLOP/s; a percentage stays in %, a multiplier in x) and ``unit`` says what
it counts. A bare number is not a figure, which leaves out years, dates, times, ordinals, list numbers,
phone numbers, ages and durations; a number glued to letters (H100, GPT-4, CO2) is a name, not a quantity.

French first: "3,5" and "100 000" (space, no-break space or narrow no-break space), "1.000.000",
"d'euros"/"d’euros", "milliard(s)", "Md€"; English too: "1,000.5", "$12M", "2 billion dollars".
A number whose only separator is one comma or one dot before three digits ("1,500") is read the English
way (thousands) next to English words or a $/£ sign, else the French way (1,5 is one and a half).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.fold import fold_case_like_regex
from ..types import Figure

_SPACES = " \u00a0\u202f"

# -- numbers ------------------------------------------------------------------------------------------------
_NUMBER = (r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?(?![.,]\d)"  # 100 000 / 1 000,5 (French)
           r"|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?(?![.,]\d)"  # 1.000.000 (French)
           r"|\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?(?![.,]\d)"  # 1,000,000.5 (English)
           r"|\d{1,3},\d{3}\.\d+"  # 1,000.5 (English)
           r"|\d+(?:[.,]\d+)?(?![.,]\d)")  # 12 / 3,5 / 1.5 / 1,500 (read by the text's language)
# A figure's number is not glued to a word, a path, a time or a date, and is not one part of a version
# (what comes before it is checked in ``_numbers``: a pattern that starts with a digit is scanned fast).
_NUMBER_AT = re.compile(rf"(?:{_NUMBER})(?![:/]\d|\.\d|\w-\d)")
_GLUED_BEFORE = frozenset(".,:/#@+_")
_NUMBER_HERE = re.compile(rf"(?:{_NUMBER})(?![:/]\d|\.\d)")

_WORD_NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
                 "huit": 8, "neuf": 9, "dix": 10, "cent": 100, "mille": 1000,
                 "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}
# Number words count only before a measure or a scale: a text without one of these is not scanned for them.
# Only power, energy, money and tonnes: "un mètre", "une livre" are rarely data, and each stem is a scan.
_MEASURE_STEMS = ("watt", "illi", "euro", "dollar", "tonne")  # "mille euros", "un mégawatt": found by what follows
_DIGITS = re.compile(r"\d+")

# -- scales (million, Md, k…) ---------------------------------------------------------------------------------
_SCALE_WORDS = {"mille": 1e3, "thousand": 1e3, "thousands": 1e3, "million": 1e6, "millions": 1e6,
                "milliard": 1e9, "milliards": 1e9, "trillion": 1e12, "trillions": 1e12,
                "méga": 1e6, "mega": 1e6}
_SCALE_SYMBOLS = {"k": 1e3, "K": 1e3, "M": 1e6, "MM": 1e6, "Mn": 1e6, "mn": 1e6, "Md": 1e9, "Mds": 1e9,
                  "Mrd": 1e9, "Mrds": 1e9, "md": 1e9, "mds": 1e9, "bn": 1e9, "Bn": 1e9}
# after a currency sign only ($5m, $2B): lower-case m and B are too common otherwise
_SCALE_AFTER_SIGN = {"m": 1e6, "B": 1e9, "b": 1e9}
_BILLION = re.compile(r"billions?", re.I)  # 10^9 in English, 10^12 in French ("billion d'euros")
_BILLION_OF = re.compile(r"[ \u00a0\u202f]+d(?:e|['’])")
_SCALE = re.compile(  # words in any case, symbols as written (mm is not MM)
    r"[ \u00a0\u202f]?(?:(?P<word>(?i:" + "|".join(sorted(_SCALE_WORDS, key=len, reverse=True)) + r"|billions?))"
    r"(?![\w-])|(?P<symbol>" + "|".join(sorted(_SCALE_SYMBOLS, key=len, reverse=True)) + r")(?![^\W\d_]))")
_SIGN_SCALE = re.compile(r"[ \u00a0\u202f]?(?P<symbol>[mBb])(?![^\W\d_])")
_AND_A_HALF = re.compile(r"[ \u00a0\u202f]+et[ \u00a0\u202f]+demie?\b", re.I)
_OF = re.compile(r"[ \u00a0\u202f]*(?:de[ \u00a0\u202f]+|d['’][ \u00a0\u202f]*|of[ \u00a0\u202f]+)?", re.I)


@dataclass(frozen=True)
class _Unit:
    canonical: str
    kind: str
    factor: float = 1.0


def _forms(table: dict[str, _Unit], unit: _Unit, *forms: str) -> None:
    for form in forms:
        table[form] = unit


# Symbols are matched as written (MW is not mW); words in any case.
_SYMBOLS: dict[str, _Unit] = {}
_WORDS: dict[str, _Unit] = {}

for _sym, _name in (("€", "EUR"), ("EUR", "EUR"), ("$", "USD"), ("US$", "USD"), ("USD", "USD"),
                    ("£", "GBP"), ("GBP", "GBP")):
    _SYMBOLS[_sym] = _Unit(_name, "money")
_forms(_WORDS, _Unit("EUR", "money"), "euro", "euros")
_forms(_WORDS, _Unit("USD", "money"), "dollar", "dollars", "dollars américains", "dollars us")
_forms(_WORDS, _Unit("GBP", "money"), "livre sterling", "livres sterling", "pound", "pounds", "pounds sterling")

_PREFIXES = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
_WORD_PREFIXES = {"": 1.0, "kilo": 1e3, "méga": 1e6, "mega": 1e6, "giga": 1e9, "téra": 1e12, "tera": 1e12}
for _p, _f in _PREFIXES.items():
    _SYMBOLS[f"{_p}W"] = _Unit("W", "power", _f)
    _SYMBOLS[f"{_p}Wh"] = _Unit("Wh", "energy", _f)
for _p, _f in _WORD_PREFIXES.items():
    _forms(_WORDS, _Unit("W", "power", _f), f"{_p}watt", f"{_p}watts")
    _forms(_WORDS, _Unit("Wh", "energy", _f), *(f"{_p}watt{s}{sep}{h}" for s in ("", "s") for sep in ("", "-", " ")
                                              for h in ("heure", "heures", "hour", "hours")))
_SYMBOLS["%"] = _Unit("%", "percent")
_forms(_WORDS, _Unit("%", "percent"), "pour cent", "pourcent", "pourcents", "percent", "per cent")
for _sym, _f in (("g", 1.0), ("kg", 1e3), ("Mt", 1e12), ("Gt", 1e15), ("tCO2", 1e6), ("tCO2e", 1e6),
                 ("MtCO2", 1e12), ("MtCO2e", 1e12)):
    _SYMBOLS[_sym] = _Unit("g", "mass", _f)
_forms(_WORDS, _Unit("g", "mass"), "gramme", "grammes", "gram", "grams")
_forms(_WORDS, _Unit("g", "mass", 1e3), "kilogramme", "kilogrammes", "kilo", "kilos", "kilogram", "kilograms")
_forms(_WORDS, _Unit("g", "mass", 1e6), "tonne", "tonnes", "ton", "tons")
_forms(_WORDS, _Unit("g", "mass", 1e12), "mégatonne", "mégatonnes", "megatonne", "megatonnes")
for _sym, _f in (("km", 1e3), ("cm", 1e-2), ("mm", 1e-3)):
    _SYMBOLS[_sym] = _Unit("m", "length", _f)
_forms(_WORDS, _Unit("m", "length"), "mètre", "mètres", "metre", "metres", "meter", "meters")
_forms(_WORDS, _Unit("m", "length", 1e3), "kilomètre", "kilomètres", "kilometre", "kilometres", "kilometer",
       "kilometers")
for _sym, _f in (("o", 1.0), ("Ko", 1e3), ("ko", 1e3), ("Mo", 1e6), ("Go", 1e9), ("To", 1e12), ("Po", 1e15),
                 ("kB", 1e3), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("PB", 1e15)):
    _SYMBOLS[_sym] = _Unit("B", "data", _f)
_forms(_WORDS, _Unit("B", "data"), "octet", "octets", "byte", "bytes")
for _p, _f in {"": 1.0, "téra": 1e12, "tera": 1e12, "péta": 1e15, "peta": 1e15, "exa": 1e18}.items():
    _forms(_WORDS, _Unit("FLOP/s", "compute", _f), f"{_p}flops", f"{_p}flop/s")
_SYMBOLS["FLOPS"] = _Unit("FLOP/s", "compute")
_SYMBOLS["FLOP/s"] = _Unit("FLOP/s", "compute")

#: Counted things: the noun as written (singular, plural, English) → the normalised noun.
COUNTED = {
    "GPU": ("GPU", "GPUs"), "CPU": ("CPU", "CPUs"), "TPU": ("TPU", "TPUs"),
    "puce": ("puce", "puces", "chip", "chips"), "carte graphique": ("carte graphique", "cartes graphiques"),
    "serveur": ("serveur", "serveurs", "server", "servers"), "rack": ("rack", "racks"),
    "processeur": ("processeur", "processeurs", "processor", "processors"),
    "cœur": ("cœur", "cœurs", "coeur", "coeurs", "core", "cores"),
    "token": ("token", "tokens", "jeton", "jetons"),
    "paramètre": ("paramètre", "paramètres", "parameter", "parameters"),
    "emploi": ("emploi", "emplois", "job", "jobs"), "salarié": ("salarié", "salariés", "employee", "employees"),
    "employé": ("employé", "employés"), "ingénieur": ("ingénieur", "ingénieurs", "engineer", "engineers"),
    "chercheur": ("chercheur", "chercheurs", "researcher", "researchers"),
    "utilisateur": ("utilisateur", "utilisateurs", "user", "users"), "abonné": ("abonné", "abonnés"),
    "client": ("client", "clients", "customer", "customers"), "habitant": ("habitant", "habitants"),
    "personne": ("personne", "personnes", "people"),
    "data center": ("data center", "data centers", "data centre", "data centres", "datacenter", "datacenters",
                    "centre de données", "centres de données"),
    "réacteur": ("réacteur", "réacteurs", "reactor", "reactors"), "centrale": ("centrale", "centrales"),
    "supercalculateur": ("supercalculateur", "supercalculateurs", "supercomputer", "supercomputers"),
    "cluster": ("cluster", "clusters"), "modèle": ("modèle", "modèles", "model", "models"),
    "entreprise": ("entreprise", "entreprises", "company", "companies"), "startup": ("startup", "startups",
                                                                                     "start-up", "start-ups"),
    "pays": ("pays", "countries", "country"),
}
for _noun, _written in COUNTED.items():
    _forms(_WORDS, _Unit(_noun, "count"), *(w.lower() for w in _written))

#: Words a count may have between its number and its noun ("10 gros réacteurs").
_ADJECTIVE = re.compile(r"[ \u00a0\u202f]+(?:gros|grosses|grande?s?|petite?s?|nouveaux|nouvelles?|big|large|new)"
                        r"[ \u00a0\u202f]+", re.I)


def _prefix_tree(forms: list[str]) -> str:
    """An alternation of ``forms`` (a space in one matches any run of spaces) that matches the longest one, built
    as a tree of their shared prefixes: a flat alternation of two hundred words is tried word by word at each
    figure, the tree one character at a time. Of two forms that match at one place one is a prefix of the other,
    and the tree tries the longer first, as the flat alternation sorted longest first does."""
    tree: dict[str, dict] = {}
    for form in forms:
        node = tree
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}  # a form ends here

    def pattern(node: dict[str, dict]) -> str:
        branches = [("[ \u00a0\u202f]+" if char == " " else re.escape(char)) + pattern(child)
                    for char, child in node.items() if char]
        if "" in node:
            branches.append("")  # last: a longer form first
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return pattern(tree)


def _alternation(forms: list[str]) -> str:
    return "|".join(re.escape(f).replace(r"\ ", "[ \u00a0\u202f]+") for f in sorted(forms, key=len, reverse=True))


_SYMBOL_RE = re.compile(r"[ \u00a0\u202f]?(" + _alternation(list(_SYMBOLS)) + r")(?!\w)")  # not cm3, not GWe
_WORD_RE = re.compile(r"[ \u00a0\u202f]*(" + _prefix_tree(list(_WORDS)) + r")(?![\w-])", re.I)
_SIGN_BEFORE = re.compile(r"(US\$|[$€£])[ \u00a0\u202f]?$")
_MULTIPLIER_BEFORE = re.compile(r"(?:^|(?<=[\s(\[]))[x×][ \u00a0\u202f]?$")
_MULTIPLIER_AFTER = re.compile(r"[ \u00a0\u202f]?(?:[x×](?![\w])|fois[ \u00a0\u202f]+(?:plus|moins)\b)", re.I)
_CENTIMETRES = re.compile(r"[ \u00a0\u202f]+(\d\d)(?=\s*(?:[,.;)]|$))")

#: Hedges written just before a figure, longest first ("pas moins de" before "moins de").
_HEDGES = tuple(sorted((
    "~", "≈", "±", "env.", "environ", "près de", "presque", "à peu près", "quasiment", "plus de", "moins de",
    "au moins", "au plus", "pas moins de", "jusqu'à", "jusqu’à", "autour de", "de l'ordre de", "de l’ordre de",
    "about", "around", "approximately", "roughly", "nearly", "almost", "over", "more than", "less than", "up to",
    "at least"), key=len, reverse=True))


_HEDGES_ENDING: dict[str, tuple[str, ...]] = {}  # by last character: a figure's text is rarely after one
for _h in _HEDGES:
    _HEDGES_ENDING[_h[-1]] = _HEDGES_ENDING.get(_h[-1], ()) + (_h,)
_HEDGE_LONGEST = max(map(len, _HEDGES))
_ONE_SPACE = str.maketrans({"\u00a0": " ", "\u202f": " "})


def _hedge(before: str) -> str | None:
    """The hedge that ends ``before`` (the text just before a figure), as written in lower case, or None."""
    tail = before.rstrip(_SPACES)[-_HEDGE_LONGEST - 1:].lower().translate(_ONE_SPACE)
    hedges = _HEDGES_ENDING.get(tail[-1:], ())
    if not tail.endswith(hedges):  # most figures follow no hedge: one test for them all
        return None
    for hedge in hedges:
        if tail.endswith(hedge):
            ahead = tail[-len(hedge) - 1:-len(hedge)]
            if hedge[0].isalnum() and (ahead.isalnum() or ahead in ("-", "_")):
                continue  # "surplus de" is no "plus de"
            return hedge
    return None


_RANGE_OPEN = re.compile(r"(?:^|(?<=[\s(\['’]))(entre|between|from|de)[ \u00a0\u202f]+$", re.I)
_RANGE_WORD_LONGEST = len("between")


def _range_open(before: str) -> re.Match[str] | None:
    """The word that opens a range at the end of ``before`` ("entre", "de"…), or None. Searched from where the
    word may start: a search tries every offset, and most figures come after "de"."""
    word_end = len(before.rstrip(" \u00a0\u202f\n"))  # ``$`` also matches before a final newline
    return _RANGE_OPEN.search(before, max(0, word_end - _RANGE_WORD_LONGEST))


_CONNECTOR = re.compile(r"[ \u00a0\u202f]*(et|à|and|to|ou|or|,|-|–|—)[ \u00a0\u202f]*", re.I)

_ENGLISH = {"billion", "billions", "million", "millions", "thousand", "bn", "dollars", "dollar", "pounds",
            "percent", "people", "chips", "servers", "jobs", "users", "parameters", "employees", "reactors",
            "engineers", "researchers", "customers", "companies", "models", "cores", "processors", "trillion"}


_MULTIPLIER = _Unit("x", "multiplier")
_MEGA = ("méga", "mega")


@dataclass(slots=True)
class _Quantity:
    """A number with what follows it, before it is known to be a figure."""

    value: float
    start: int
    end: int
    scaled: bool  # a scale word gave the magnitude (million, Md…)
    unit: _Unit | None
    english: bool


class FigureExtractor:
    """Finds the figures of one unit's text; see the module's docstring for what is and is not one."""

    def extract(self, text: str) -> list[Figure]:
        figures: list[Figure] = []
        taken = 0  # text before this offset belongs to a figure already found
        for start, number, spelled in self._numbers(text):
            if start < taken:
                continue
            found = self._figure_at(text, start, number, spelled)
            if found is not None:
                figures.append(found)
                taken = found.end
        return figures

    def _numbers(self, text: str) -> list[tuple[int, str, bool]]:
        """Where numbers start: (offset, number as written, whether it is a number word)."""
        found = []
        consumed = 0  # end of the last number read: a digit run before it is part of it ("000" of "100 000")
        for run in _DIGITS.finditer(text):  # a pattern that starts with a digit: the regex engine skips ahead fast
            start = run.start()
            if start < consumed:
                continue
            match = _NUMBER_AT.match(text, start)
            if match is None:
                continue
            consumed = match.end()
            before = text[start - 1] if start else " "
            if before.isalnum() or before in _GLUED_BEFORE:  # H100, CO2, v1.2, 12/11, #IA2030…
                if before != "x" or (start > 1 and (text[start - 2].isalnum() or text[start - 2] == "_")):
                    continue  # but x2, x10 are multipliers
            elif before == "-" and start > 1 and (text[start - 2].isalnum() or text[start - 2] == "_"):
                continue  # GPT-4, 2024-11-13
            found.append((start, match.group(), False))
        spelled = self._number_words(text)
        if spelled:
            found = sorted(found + spelled)
        return found

    def _number_words(self, text: str) -> list[tuple[int, str, bool]]:
        """Number words right before a measure or a scale ("un gigawatt", "deux milliards d'euros"): found from
        the measures, which are rare, rather than from every "un" and "une" of the text."""
        lowered = fold_case_like_regex(text)
        found = []
        for stem in _MEASURE_STEMS:
            at = lowered.find(stem)
            while at >= 0:
                word = at
                while word > 0 and (lowered[word - 1].isalpha() or lowered[word - 1] == "-"):
                    word -= 1
                head = lowered[max(0, word - 12):word]
                if head[-1:].isspace():
                    previous = head.split()[-1:]
                    begin = word - len(head) + len(head.rstrip()) - len(previous[0]) if previous else 0
                    if previous and previous[0] in _WORD_NUMBERS and (
                            begin == 0 or not (text[begin - 1].isalnum() or text[begin - 1] in "'’-_")):
                        found.append((begin, text[begin:begin + len(previous[0])], True))
                at = lowered.find(stem, at + len(stem))
        return list(set(found))

    def _figure_at(self, text: str, start: int, number: str, spelled: bool) -> Figure | None:
        before = text[max(0, start - 30):start]
        last = before.rstrip(_SPACES)[-1:]
        sign = _SIGN_BEFORE.search(before) if not spelled and last in ("$", "€", "£") else None
        times = _MULTIPLIER_BEFORE.search(before) if not spelled and last in ("x", "×") else None
        if times:  # x2, ×10
            end = start + len(number)
            if text[end:end + 1].isalnum():
                return None
            return self._make(text, start - len(times.group()), end, _value(number, False), None, _MULTIPLIER)
        quantity = self._quantity(text, start, number, spelled, sign)
        if quantity is None:
            return None
        first = start - (len(sign.group()) if sign else 0)
        if quantity.unit is None:
            return self._range_or_list(text, first, quantity, before)
        if spelled and quantity.unit.kind in ("count", "percent"):
            return None  # "une carte", "un pour cent": words, not data
        figure = self._make(text, first, quantity.end, quantity.value, None, quantity.unit)
        return self._closed_range(text, figure, quantity, before) or figure

    def _quantity(self, text: str, start: int, number: str, spelled: bool,
                  sign: re.Match[str] | None) -> _Quantity | None:
        """The number at ``start`` with its scale and unit (unit None when it has none)."""
        pos = start + len(number)
        times = None if spelled else _MULTIPLIER_AFTER.match(text, pos)
        if times:  # 2x, 3 fois plus
            return _Quantity(_value(number, False), start, times.end(), False, _MULTIPLIER, False)
        scale, extra, english, scaled = 1.0, 0.0, sign is not None and sign.group(1) != "€", False
        after = _SCALE.match(text, pos) or (_SIGN_SCALE.match(text, pos) if sign else None)
        if after:
            word = fold_case_like_regex(after.groupdict().get("word") or "")  # none in _SIGN_SCALE ($5m)
            symbol = after.group("symbol")
            if word and _BILLION.fullmatch(word):
                english = english or not _BILLION_OF.match(text, after.end())
                scale = 1e9 if english else 1e12
            elif word:
                scale = _SCALE_WORDS[word]
                english = english or word in _ENGLISH
            else:
                scale = _SCALE_SYMBOLS.get(symbol) or _SCALE_AFTER_SIGN[symbol]
            pos, scaled = after.end(), True
            half = _AND_A_HALF.match(text, pos)
            if half:
                extra, pos = scale / 2, half.end()  # "5 milliards et demi": half a milliard more
        unit, unit_end = None, pos
        if sign:
            unit = _SYMBOLS[sign.group(1)]
        else:
            of = _OF.match(text, pos)
            at = of.end() if scaled else pos
            symbol = _SYMBOL_RE.match(text, at)
            if symbol:
                unit, unit_end = _SYMBOLS[symbol.group(1)], symbol.end()
            else:
                adjective = None if scaled else _ADJECTIVE.match(text, at)
                word = (_WORD_RE.match(text, of.end()) or
                        (_WORD_RE.match(text, adjective.end()) if adjective else None))
                if word:
                    key = " ".join(fold_case_like_regex(word.group(1)).split())
                    unit, unit_end = _WORDS[key], word.end()
                    english = english or key in _ENGLISH
        if unit is not None and unit.kind != "money" and after and fold_case_like_regex(after.group("word") or "") in _MEGA:
            return None  # "7 méga euros" is money; "un méga data center" is no number of data centers
        centimetres = _CENTIMETRES.match(text, unit_end) if unit is not None and unit.canonical == "m" else None
        if centimetres and not scaled:  # "2 mètres 40"
            value = _value(number, english) + int(centimetres.group(1)) / 100
            return _Quantity(value, start, centimetres.end(), False, unit, english)
        if unit is None and not scaled:
            unit_end = pos
        if spelled:
            value = _WORD_NUMBERS[fold_case_like_regex(number)]
        else:
            value = _value(number, english)
        return _Quantity(value * scale + extra, start, unit_end, scaled, unit, english)

    def _range_or_list(self, text: str, first: int, quantity: _Quantity, before: str) -> Figure | None:
        """A number without a unit that takes the unit of the next one: "entre 5 000 et 7 000 milliards de
        dollars" (a range), "200, 400, 500 mégawatts" (each its own figure, sharing the unit)."""
        connector = _CONNECTOR.match(text, quantity.end)
        if not connector or (connector.group(1) in (",", "-", "–", "—")
                             and _YEAR.fullmatch(text[quantity.start:quantity.end].strip())):
            return None
        nxt = _NUMBER_HERE.match(text, connector.end())
        if not nxt or (connector.group(1) == "," and not connector.group().endswith(" ")):
            return None
        other = self._quantity(text, nxt.start(), nxt.group(), False, None)
        if other is None:
            return None
        raw = _value(nxt.group(), other.english) or 1.0
        word = connector.group(1).lower()
        if other.unit is None:  # "200, 400, 500 mégawatts": the next one takes it from the one after
            shared = self._range_or_list(text, nxt.start(), other, text[max(0, nxt.start() - 30):nxt.start()])
            if shared is None or shared.high is not None or word not in (",", "et", "ou", "and", "or"):
                return None
            ratio = shared.value / (other.value or 1.0)  # the scale and unit factor of the next one
            value = (quantity.value if quantity.scaled else _value(_number_text(text, quantity), other.english))
            return self._make(text, first, quantity.end, value * ratio, None, _Unit(shared.unit, shared.kind))
        scale = 1.0 if quantity.scaled else other.value / raw  # "5 000 et 7 000 milliards": both in milliards
        value = quantity.value if quantity.scaled else _value(_number_text(text, quantity), other.english) * scale
        opened = _range_open(before)
        between = opened is not None and opened.group(1).lower() in ("entre", "between")
        if other.unit.kind == "multiplier":
            return None
        if word in ("-", "–", "—", "à", "to") or (word in ("et", "and") and between):
            return self._make(text, first, other.end, value, other.value, other.unit)
        if word in (",", "et", "ou", "and", "or"):
            return self._make(text, first, quantity.end, value, None, other.unit)
        return None

    def _closed_range(self, text: str, figure: Figure, quantity: _Quantity, before: str) -> Figure | None:
        """"entre 5 € et 7 €", "de 10 GW à 20 GW": one figure with its upper bound."""
        opened = _range_open(before)
        if not opened:
            return None
        connector = _CONNECTOR.match(text, quantity.end)
        word = connector.group(1).lower() if connector else ""
        wanted = ("et", "and") if opened.group(1).lower() in ("entre", "between") else ("à", "to", "-", "–")
        if word not in wanted:
            return None
        nxt = _NUMBER_HERE.match(text, connector.end())
        if not nxt:
            return None
        sign = _SIGN_BEFORE.search(text[max(0, nxt.start() - 4):nxt.start()])
        other = self._quantity(text, nxt.start(), nxt.group(), False, sign)
        if other is None or other.unit is None or other.unit.canonical != figure.unit:
            return None
        return Figure(value=figure.value, unit=figure.unit, kind=figure.kind, text=text[figure.start:other.end],
                      start=figure.start, end=other.end, high=_clean(other.value * other.unit.factor),
                      approx=figure.approx)

    def _make(self, text: str, start: int, end: int, value: float, high: float | None, unit: _Unit) -> Figure:
        approx = _hedge(text[max(0, start - 30):start])
        return Figure(value=_clean(value * unit.factor), unit=unit.canonical, kind=unit.kind,
                      text=text[start:end], start=start, end=end,
                      high=None if high is None else _clean(high * unit.factor),
                      approx=approx)


_YEAR = re.compile(r"1[89]\d\d|20\d\d|21\d\d")


def _number_text(text: str, quantity: _Quantity) -> str:
    """The digits of a quantity without a unit (its text, less any trailing space)."""
    return _NUMBER_HERE.match(text, quantity.start).group()  # type: ignore[union-attr]


_NO_SPACE = str.maketrans(dict.fromkeys(_SPACES))


def _value(number: str, english: bool) -> float:
    """The value of a number as written (French or English writing)."""
    if number.isdecimal():  # most are digits alone
        return float(number)
    digits = number.translate(_NO_SPACE)
    if "," in digits and "." in digits:  # 1,000.5 (English) or 1.000,5 (French)
        if digits.rfind(",") < digits.rfind("."):
            return float(digits.replace(",", ""))
        return float(digits.replace(".", "").replace(",", "."))
    for sep in (",", "."):
        if digits.count(sep) > 1:
            return float(digits.replace(sep, ""))
    if "," in digits:
        whole, part = digits.split(",")
        if english and len(part) == 3:
            return float(whole + part)
        return float(f"{whole}.{part}")
    if "." in digits:
        whole, part = digits.split(".")
        if not english and len(part) == 3:
            return float(whole + part)
        return float(digits)
    return float(digits)


def _clean(value: float) -> float:
    """Drop binary noise of a product (3.5 × 10^6 is 3 500 000, not 3 499 999.9999)."""
    return float(f"{value:.15g}")


_DEFAULT = FigureExtractor()


def extract_figures(text: str) -> list[Figure]:
    """The figures of one unit's text, in order."""
    return _DEFAULT.extract(text)


#: Kinds of quantity a figure may be.
FIGURE_KINDS = ("money", "power", "energy", "mass", "length", "data", "compute", "percent", "multiplier", "count")

#: Units a query may name beside the stored ones: a scaled currency (M€ is EUR × 10^6).
_SCALED_MONEY = {f"{scale}{sign}": (_SYMBOLS[sign].canonical, factor)
                 for scale, factor in (("k", 1e3), ("M", 1e6), ("Md", 1e9), ("Mds", 1e9)) for sign in "€$£"}


def query_unit(name: str) -> tuple[str, float] | None:
    """The stored unit and the factor to it of a unit named in a query (GW → W × 10^9, M€, euros, GPU), or None."""
    if name in _SYMBOLS:
        return _SYMBOLS[name].canonical, _SYMBOLS[name].factor
    if name in _SCALED_MONEY:
        return _SCALED_MONEY[name]
    key = " ".join(name.lower().split())
    if key in _WORDS:
        return _WORDS[key].canonical, _WORDS[key].factor
    for canonical in ("EUR", "USD", "GBP", "W", "Wh", "g", "m", "B", "FLOP/s", "x", *COUNTED):
        if key == canonical.lower():
            return canonical, 1.0
    return None


def unit_names() -> list[str]:
    """The short unit names a query may use (words and plurals work too)."""
    return ["EUR", "€", "k€", "M€", "Md€", "USD", "$", "M$", "GBP", "£", "W", "kW", "MW", "GW", "TW", "Wh",
            "kWh", "MWh", "GWh", "TWh", "g", "kg", "tonne", "m", "km", "Go", "To", "FLOP/s", "%", "x", *COUNTED]


_SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))
_MONEY_SCALES = ((1e12, "000 Md"), (1e9, "Md"), (1e6, "M"), (1e3, "k"))


def format_quantity(value: float, unit: str, high: float | None = None) -> str:
    """A normalised value written the French way with a readable scale: 1.4e9 W → "1,4 GW",
    3.5e6 EUR → "3,5 M EUR", 100000 GPU → "100 000 GPU", a range "5 000–7 000 Md USD"."""
    top = max(abs(value), abs(high or 0.0))
    divisor, prefix = 1.0, ""
    if unit in ("W", "Wh", "B", "FLOP/s", "m") or unit == "g":
        for size, name in _SI:
            if top >= size:
                divisor, prefix = size, name
                break
        if unit == "g" and divisor >= 1e6:
            divisor, prefix, unit = divisor, {1e6: "", 1e9: "k", 1e12: "M"}[divisor], "t"
        if unit == "m" and prefix not in ("", "k"):
            divisor, prefix = 1e3, "k"
        shown = f"{prefix}{unit}"
    elif unit in ("EUR", "USD", "GBP") or (unit not in ("%", "x") and top >= 1e6):  # money, or a large count
        for size, name in _MONEY_SCALES[1:]:
            if top >= size and size >= 1e6:  # 50 000 EUR stays so
                divisor, prefix = size, name
                break
        shown = f"{prefix} {unit}" if prefix else unit
    else:
        shown = unit
    number = _french_number(value / divisor)
    if high is not None:
        number += "–" + _french_number(high / divisor)
    if unit == "x":
        return "x" + number
    return number + ("\u202f" if unit == "%" else " ") + shown


def _french_number(value: float) -> str:
    """3.5 → "3,5"; 100000 → "100 000" (narrow no-break spaces); at most three decimals."""
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")
