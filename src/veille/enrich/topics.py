"""Topics: French key phrases of each chunk.

Candidates are runs of up to three content words, allowing ``de``/``d'``/``du``
/``des`` between two of them ("puissance de calcul", "coûts d'entraînement").
Variants meet on their stems (the lemma key), so "supercalculateur" and
"supercalculateurs" are one topic, shown in their most frequent written form.
A phrase scores by its frequency in the chunk, its length, and how specific it
is to that chunk among the document's chunks (tf × idf over the document).
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict

from ..text.analyzer import FrenchAnalyzer, default_analyzer, fold_accents
from ..text.stopwords import FRENCH_STOP_WORDS

_CONNECTORS = frozenset({"de", "d", "du", "des"})

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
    ici la-bas maintenant aujourd hui demain hier ainsi ensuite enfin puis cependant toutefois pourtant
    notamment egalement surtout seulement simplement totalement completement absolument evidemment
    top super parfait merci bonsoir bonjour salut voici complet complete rapidement directement fortement
    vite mieux pire besoin avance avancer gagne gagner agir viendra restera privilegie
    """.split()
)

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*|[.!?;:,()«»\"“”\n]|\d+")
_FINDALL = _WORD.findall
_PUNCT, _CONNECTOR, _SUBJECT, _CLITIC, _STOP, _CONTENT = range(1, 7)
_SUBJECTS = frozenset({"il", "elle", "ils", "elles", "on", "nous", "vous", "je", "j", "tu", "qui"})
_CLITICS = frozenset({"ne", "n", "se", "s", "me", "m", "te", "t", "le", "la", "les", "lui", "leur", "y", "en", "l"})
_ELIDED = re.compile(r"(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’](?=\w)", re.I)


class TopicExtractor:
    """Key phrases per chunk, scored against the other chunks of the same document."""

    def __init__(self, analyzer: FrenchAnalyzer | None = None, top: int = 5, max_words: int = 3) -> None:
        self.analyzer = analyzer or default_analyzer()
        self.top = top
        self.max_words = max_words
        self._token_cache: dict[str, tuple[int, int, str, str]] = {}

    def for_texts(self, texts: list[str]) -> list[list[str]]:
        """Topics of each text; texts are one document's chunks."""
        phrase_sets = [self._candidates(t) for t in texts]
        df: Counter[tuple[str, ...]] = Counter()
        for phrases in phrase_sets:
            df.update(set(phrases))
        n = len(texts)
        return [self._pick(phrases, df, n) for phrases in phrase_sets]

    def _pick(self, phrases: dict[tuple[str, ...], list[str]], df: Counter[tuple[str, ...]],
              n: int) -> list[str]:
        scored = []
        for key, surfaces in phrases.items():
            tf = len(surfaces)
            idf = math.log(1 + n / df[key])
            weight = 1.0 + 0.7 * (len(key) - 1)
            if len(key) == 1 and len(key[0]) < 3:
                weight *= 0.5
            scored.append((tf * weight * idf, key, surfaces))
        scored = heapq.nsmallest(self.top * 6, scored, key=lambda item: (-item[0], item[1]))
        chosen: list[tuple[tuple[str, ...], str]] = []
        for score, key, surfaces in scored:
            if len(chosen) >= self.top:
                break
            once = len(surfaces) < 2
            if once and len(key) == 1 and chosen and not surfaces[0][:1].isupper():
                continue  # a word said once is rarely a topic
            if len(key) > 2 and once:
                continue
            if len(key) > 1 and (_verb_like(surfaces[0]) or (once and not _CONNECTED.search(surfaces[0]))):
                continue  # "puces raccourcissent": a clause, not a phrase
            if any(_contains(k, key) or _contains(key, k) for k, _ in chosen):
                continue
            chosen.append((key, _display(surfaces)))
        return [text for _, text in chosen]

    def _candidates(self, text: str) -> dict[tuple[str, ...], list[str]]:
        """Candidate phrases (stem keys) with every surface form seen."""
        found: dict[tuple[str, ...], list[str]] = defaultdict(list)
        run: list[tuple[str, str]] = []  # (surface, stem) of content words and connectors ("" stem)

        def flush() -> None:
            while run and run[-1][1] == "":
                run.pop()
            if len(run) == 1:
                found[(run[0][1],)].append(run[0][0])
            elif run:
                _emit(run, found, self.max_words)
            run.clear()

        cache = self._token_cache
        after_subject = False  # the next content word after "il", "elle", "on"… is a verb
        for token in _FINDALL(text):
            info = cache.get(token)
            if info is None:
                info = self._classify(token)
            kind, clitic, word, stem = info
            if kind == _PUNCT:
                if run:
                    flush()
                after_subject = False
                continue
            if clitic:
                if clitic == _SUBJECT:
                    after_subject = True
                if clitic == _CONNECTOR and run and run[-1][1]:
                    run.append((token[: len(token) - len(word)], ""))
                else:
                    if run:
                        flush()
            if kind == _CONNECTOR:
                if run and run[-1][1]:
                    run.append((word, ""))
                else:
                    if run:
                        flush()
                continue
            if kind == _SUBJECT:
                if run:
                    flush()
                after_subject = True
                continue
            if after_subject:
                if kind != _CLITIC:
                    after_subject = False
                    if run:
                        flush()
                continue
            if kind != _CONTENT:
                if run:
                    flush()
                continue
            run.append((word, stem))
        flush()
        return found

    def _classify(self, token: str) -> tuple[int, int, str, str]:
        """(kind, elided clitic kind, word without clitic, stem) of a token, cached."""
        if not token[0].isalpha():
            info = (_PUNCT, 0, token, "")
        else:
            clitic = 0
            word = token
            elided = _ELIDED.match(token) if ("'" in token or "’" in token) else None
            if elided:
                word = token[elided.end():]
                lead = fold_accents(elided.group(0)[:-1].lower())
                clitic = _SUBJECT if lead in _SUBJECTS else (_CONNECTOR if lead == "d" else _CLITIC)
            folded = fold_accents(word.lower())
            if folded in _CONNECTORS:
                kind = _CONNECTOR
            elif folded in _SUBJECTS:
                kind = _SUBJECT
            elif folded in _CLITICS:
                kind = _CLITIC
            elif (folded in FRENCH_STOP_WORDS or folded in _NOT_TOPICS
                  or (len(word) < 3 and not word.isupper())):
                kind = _STOP
            else:
                stem = self.analyzer.term(word)
                kind = _CONTENT if stem else _STOP
                info = (kind, clitic, word, stem)
                if len(self._token_cache) < 200_000:
                    self._token_cache[token] = info
                return info
            info = (kind, clitic, word, "")
        if len(self._token_cache) < 200_000:
            self._token_cache[token] = info
        return info


def _emit(run: list[tuple[str, str]], found: dict[tuple[str, ...], list[str]], max_words: int) -> None:
    """Every sub-phrase of a run that starts and ends with a content word."""
    if not run:
        return
    positions = [i for i, (_, stem) in enumerate(run) if stem]
    for a_idx, a in enumerate(positions):
        for b in positions[a_idx: a_idx + max_words]:
            words = run[a: b + 1]
            key = tuple(stem for _, stem in words if stem)
            surface = _join(words)
            found[key].append(surface)


def _join(words: list[tuple[str, str]]) -> str:
    out = ""
    for surface, _ in words:
        if out and not out.endswith(("'", "’")):
            out += " "
        out += surface
    return out


_CONNECTED = re.compile(r"\b(?:de|du|des|d['’])", re.I)
_VERB_END = re.compile(r"(?<!m)ent$|aient$|ait$|ront$|rait$|ons$|ez$|erons$|issent$")


_INFINITIVE = re.compile(r"(?:er|ir)$")


def _verb_like(phrase: str) -> bool:
    """A conjugated word ("marchent", "serait") or an infinitive beside "de" ("forte de louer"): a clause."""
    words = phrase.replace("’", " ").replace("'", " ").split()
    if any(_VERB_END.search(w.lower()) for w in words):
        return True
    for i, word in enumerate(words):
        near_connector = (i + 1 < len(words) and words[i + 1].lower() in _CONNECTORS) or (
            i > 0 and words[i - 1].lower() in _CONNECTORS)
        if near_connector and word.islower() and len(word) > 4 and _INFINITIVE.search(word):
            return True
    return False


def _contains(big: tuple[str, ...], small: tuple[str, ...]) -> bool:
    if len(small) > len(big):
        return False
    return any(big[i: i + len(small)] == small for i in range(len(big) - len(small) + 1))


def _display(surfaces: list[str]) -> str:
    """The most frequent written form; lower-case unless always capitalised (names, acronyms)."""
    form, _ = Counter(surfaces).most_common(1)[0]
    if all(s[:1].isupper() for s in surfaces) and (len(surfaces) > 1 or any(c.isupper() for c in form[1:])):
        return form
    if form.isupper() and len(form) <= 6:
        return form
    # a capital inside a phrase marks a name ("près de Lyon"); at its start it may only open a sentence
    return " ".join(w if (i > 0 and w[:1].isupper()) or (w.isupper() and len(w) > 1) else w.lower()
                    for i, w in enumerate(form.split(" ")))
