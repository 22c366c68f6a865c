"""Topics: French key phrases of each chunk.

Three kinds of candidate, all found with regular expressions and counted per
chunk (the per-word work is done once per distinct word, not per occurrence):

- content words, grouped on their stem (the lemma key), so "supercalculateur"
  and "supercalculateurs" are one topic shown in its most frequent written form;
- "X de Y" phrases ("puissance de calcul", "coûts d'entraînement");
- two-word phrases ("sécurité intérieure", "cloud souverain") and names
  ("Mira Miruta"), kept when they recur in the document.

A candidate scores by its frequency in the chunk, its length, and how specific
it is to that chunk among the document's chunks (tf × idf over the document).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from typing import Iterable

from ..text.analyzer import FrenchAnalyzer, default_analyzer
from ..text.fold import fold
from ..text.stopwords import FRENCH_STOP_WORDS

# Words that are frequent in talk but name no topic: common verbs, adverbs,
# fillers. Matched accent-folded and lower-cased.
_NOT_TOPICS = frozenset(
    """
    alors bah ben bien bref euh hein oui non ok voila ouais bon beaucoup vraiment clairement juste
    toujours jamais souvent deja encore aussi trop tres moins plus tant autant assez plutot quand meme
    faire fait faites font faut falloir peut peuvent pouvoir pourrait pourraient doit doivent devoir devrait
    devraient veut veulent vouloir dire dit disent parle parler parlent pense penser crois croire sais savoir
    voir vois voit va vont aller allez etre avoir ete propose proposer permet permettre passe passer mettre
    met prend prendre donne donner vient venir rester reste chose choses truc trucs gens fois facon maniere
    exemple question point sujet part cas niveau moment temps jour jours annee annees ans an coup tour
    la ca cela ceci celui celle ceux celles tout tous toute toutes rien personne quelque quelques chacun
    premier premiere deuxieme autre autres meme memes tel telle tels telles certain certaine certains
    grand grande grands grandes gros petit petite petits bonne bon bons nouveau nouvelle nouveaux
    ici maintenant aujourd hui demain hier ainsi ensuite enfin puis cependant toutefois pourtant
    notamment egalement surtout seulement simplement totalement completement absolument evidemment
    top super parfait merci bonsoir bonjour salut voici complet complete rapidement directement fortement
    vite mieux pire besoin avance avancer gagne gagner agir viendra restera privilegie contre partie
    compter parlons deux trois quatre cinq six sept huit neuf dix cent mille autour environ pres
    """.split()
)

_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LINKS = frozenset({"de", "du", "des", "d"})

_VERB_END = re.compile(r"(?<!m)ent$|aient$|ait$|ront$|rait$|ons$|ez$|issent$|er$|ir$")

Key = tuple[str, ...]


class TopicExtractor:
    """Key phrases per chunk, scored against the other chunks of the same document."""

    def __init__(self, analyzer: FrenchAnalyzer | None = None, top: int = 5) -> None:
        self.analyzer = analyzer or default_analyzer()
        self.top = top
        self._word_keys: dict[str, str] = {}
        self._verb_like: dict[str, bool] = {}

    def for_texts(self, texts: list[str], people: Iterable[str] = ()) -> list[list[str]]:
        """Topics of each text; the texts are one document's chunks.

        ``people``: the document's participants. Their names are never topics, whole or in part
        ("Mira Miruta", "Mira", "miruta"), in any case or accent form.
        """
        names = _name_words(people)
        words = [_WORDS.findall(t) for t in texts]
        pairs = [Counter(zip(w, w[1:])) for w in words]
        pair_df: Counter[tuple[str, str]] = Counter()
        for counted in pairs:
            pair_df.update(counted.keys())
        found = [self._candidates(t, w, p, pair_df) for t, w, p in zip(texts, words, pairs)]
        df: Counter[Key] = Counter()
        for counts, _ in found:
            df.update(counts.keys())
        n = len(texts)
        idf = [0.0] + [math.log(1 + n / d) for d in range(1, n + 1)]  # by document frequency (1 … n)
        return [self._pick(counts, surfaces, df, idf, names) for counts, surfaces in found]

    def _key(self, word: str) -> str:
        """Stem key of a word that can be a topic, "" for one that cannot."""
        key = self._word_keys.get(word)
        if key is None:
            folded = fold(word)
            if (folded in FRENCH_STOP_WORDS or folded in _NOT_TOPICS
                    or (len(word) < 3 and not word.isupper())):
                key = ""
            else:
                key = self.analyzer.term(word)
            if len(self._word_keys) < 300_000:
                self._word_keys[word] = key
        return key

    def _verb(self, word: str) -> bool:
        """Whether a word ends like a French verb form (a phrase holding one is rarely a topic)."""
        verb = self._verb_like.get(word)
        if verb is None:
            verb = bool(_VERB_END.search(word.lower()))
            if len(self._verb_like) < 300_000:
                self._verb_like[word] = verb
        return verb

    def _candidates(self, text: str, words: list[str], pairs: Counter[tuple[str, str]],
                    pair_df: Counter[tuple[str, str]]) -> tuple[Counter[Key], dict[Key, dict[str, int]]]:
        counts: Counter[Key] = Counter()
        surfaces: dict[Key, dict[str, int]] = {}

        def add(key: Key, surface: str, n: int) -> None:
            counts[key] += n
            forms = surfaces.setdefault(key, {})
            forms[surface] = forms.get(surface, 0) + n

        keys = {w: self._key(w) for w in set(words)}
        for word, n in Counter(words).items():  # the hot loop: ``add`` written out
            key = keys[word]
            if key:
                single = (key,)
                counts[single] += n
                forms = surfaces.get(single)
                if forms is None:
                    surfaces[single] = {word: n}
                else:
                    forms[word] = forms.get(word, 0) + n
        for (a, b), n in pairs.items():
            ka = keys[a]
            kb = keys[b] if ka else ""
            if not kb:
                continue  # not two content words (most pairs hold a stop word: the cheapest test first)
            name = a[:1].isupper() and b[:1].isupper() and not a.isupper()
            if n < 2 and not name and pair_df[(a, b)] < 2:
                continue  # a two-word sequence seen once in the document is rarely a phrase
            if f"{a} {b}" not in text:
                continue  # not side by side ("Amazon, Microsoft")
            if name:
                add(("@", a, b), f"{a} {b}", n)  # "Mira Miruta"
            elif not self._verb(a) and not self._verb(b):
                add((ka, kb), f"{a} {b}", n)
        links = [i for i, w in enumerate(words[1:-1], 1) if w in _LINKS]
        for (a, link, b), n in Counter((words[i - 1], words[i], words[i + 1]) for i in links).items():
            ka, kb = keys[a], keys[b]
            if ka and kb and not self._verb(a) and not self._verb(b):
                add((ka, "de", kb), f"{a} {link} {b}" if link != "d" else f"{a} d’{b}", n)
        return counts, surfaces

    def _pick(self, counts: Counter[Key], surfaces: dict[Key, dict[str, int]], df: Counter[Key],
              idf: list[float], names: frozenset[str] = frozenset()) -> list[str]:
        scored = []
        for key, tf in counts.items():
            size = len(key) - (1 if key[0] == "@" or "de" in key[1:-1] else 0)
            weight = 1.0 + 0.8 * (size - 1)
            if size == 1 and tf < 2:
                weight *= 0.5
            scored.append((tf * weight * idf[df[key]], key))
        best = heapq.nsmallest(self.top * 6, scored, key=lambda item: (-item[0], item[1]))
        chosen: list[tuple[set[str], str]] = []
        for _, key in best:
            if len(chosen) >= self.top:
                break
            forms = surfaces[key]
            shown = max(forms, key=forms.__getitem__) if key[0] == "@" else _display(forms)
            if names and any(fold(w) in names for w in _NAME_PARTS.findall(shown)):
                continue  # a participant's name, or a phrase holding one ("kempf co-créateur")
            words = {self._key(w) for w in _WORDS.findall(shown)} - {""}
            if any(words <= seen or seen <= words for seen, _ in chosen):
                continue  # "calcul" when "puissance de calcul" is there, or the reverse
            chosen.append((words, shown))
        return [shown for _, shown in chosen]


_NAME_PARTS = re.compile(r"[^\W\d_]+")


def _name_words(people: Iterable[str]) -> frozenset[str]:
    """The words of participants' names that could be taken for topics, folded ("mira", "miruta")."""
    words = set()
    for name in people:
        for word in _NAME_PARTS.findall(fold(name)):
            if len(word) > 2 and word not in FRENCH_STOP_WORDS:
                words.add(word)
    return frozenset(words)


def _display(surfaces: dict[str, int]) -> str:
    """The most frequent written form; lower-case unless a name or an acronym."""
    form = max(surfaces, key=surfaces.__getitem__)
    always_capital = all(s[:1].isupper() for s in surfaces)
    words = form.split(" ")
    out = []
    for i, word in enumerate(words):
        keep = (word.isupper() and len(word) > 1) or (word[:1].isupper() and (i > 0 or always_capital and
                                                                                sum(surfaces.values()) > 1))
        out.append(word if keep else word.lower())
    return " ".join(out)
