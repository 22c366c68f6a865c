"""Extractive answers: the sentences (or chat messages) of the best passages that answer a question, each
cited to the unit it was read from — offline, nothing generated.

A question is searched like any query; the own units of the best chunks are cut into sentences (a short
chat message stays whole), and each sentence is scored against the question itself, not only by the rank of
its chunk: the share of the question's words it holds (weighted by their rarity in the knowledge base),
its closeness to the question under the embedding model when there is one, and whether it holds the kind of
thing asked for (a number for "combien", a date for "quand"). Near repeats are dropped; the best few make the
answer. When no sentence holds enough of the question, the answer says so and shows the closest passages.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from .embed import Embedder
from .enrich.figures import extract_figures
from .text.fold import fold_name
from .llm import GeneratedAnswer, LLMConfig, LLMUnavailable, Source, figures_in, generate_answer
from .read import normalise
from .store import StoredDocument, StoredUnit
from .store.base import Store
from .text.analyzer import FrenchAnalyzer
from .text.sentences import split_sentences
from .types import Figure, Hit

#: Sentences in an answer, by default.
ANSWER_SENTENCES = 3
#: Chunks whose sentences are candidates (the search's best).
CANDIDATE_CHUNKS = 8
#: Candidates scored by the embedding model at most (the best by words first): bounds the time of an answer
#: (about 50 ms a sentence on 2 cores; on PIAF's dev questions 4 to 12 score alike).
EMBEDDED_CANDIDATES = 4
#: A candidate is embedded by its first this many characters (the model's time grows with the length).
EMBEDDED_CHARS = 240
#: Units sent to a language model as numbered sources (``ask --llm``).
LLM_SOURCES = 8
#: A chat message up to this many characters is one candidate, whatever its punctuation.
WHOLE_MESSAGE_CHARS = 400
#: Below both, nothing answers: the best sentence holds under this share of the question's weighted words …
MIN_COVERAGE = 0.25
#: … and (with the model) is less close to the question than this cosine.
MIN_COSINE = 0.82
#: Two sentences sharing this share of their words are repeats: the lower one is left out.
REPEAT = 0.7

# Weights of the score (set on PIAF's questions with bench/answer_eval.py; see bench/README.md).
_DENSE_WEIGHT = 12.0
_DENSE_FROM = 0.8  # cosines of French sentences under e5 rarely fall below 0.75: the part above this counts
_TYPE_BONUS = 0.1
_RANK_WEIGHT = 0.05
_QUESTION_PENALTY = 1.0  # a sentence that asks (ends with "?") rarely answers: it echoes the question
_HEADING_PENALTY = 0.5  # a title names the subject more than it answers
_SHORT_PENALTY = 0.2  # a sentence of fewer than 4 words says little
_NAME_BONUS = 0.2  # "qui …", "où …": a sentence naming someone or somewhere the question does not
_SPEAKER_BONUS = 0.3  # "qu'a dit Sylvia …": her messages first

_NUMBER_QUESTION = re.compile(r"\b(combien|quel(?:le)?s? (?:est |sont |était |fut )?(?:le |la |les )?"
                              r"(?:nombre|montant|co[uû]t|prix|puissance|taille|part|pourcentage|budget|"
                              r"consommation|capacit[ée]|superficie|population|somme|chiffre|dur[ée]e|âge|"
                              r"hauteur|longueur|distance|vitesse))\b", re.I)
_DATE_QUESTION = re.compile(r"\b(quand|en quelle ann[ée]e|(?:à|a) quelle (?:date|époque|période)|"
                            r"depuis quand|quel(?:le)? (?:ann[ée]e|date|siècle|jour|mois))\b", re.I)
_DURATION_QUESTION = re.compile(r"\b(combien de temps|en combien de (?:temps|jours|mois|ann[ée]es)|quel(?:s)? d[ée]lais?|"
                                r"quelle dur[ée]e|pendant combien)\b", re.I)
_HAS_DURATION = re.compile(r"\b(\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|quinze|vingt|trente|"
                           r"dix-huit|quelques|plusieurs)(?:[ -]\w+)? (?:ans|années|mois|semaines|jours|heures|"
                           r"minutes)\b", re.I)
_NAME_QUESTION = re.compile(r"^\W*(?:qui|par qui|de qui|à qui|avec qui|où|d'où)\b|\boù\b|"
                            r"\bdans quel(?:le)? (?:pays|ville|région|lieu|département)\b", re.I)
_NAME = re.compile(r"(?<!^)\b[A-ZÀ-ÖØ-Þ][\wÀ-ÿ'’-]+")
_HAS_NUMBER = re.compile(r"\d")
_LINE_BREAK = re.compile(r"[ \t]*\n\s*")
_HAS_DATE = re.compile(r"\b(1\d{3}|20\d{2}|\d{1,2}(?:er)? (?:janvier|février|mars|avril|mai|juin|juillet|août|"
                       r"septembre|octobre|novembre|décembre)|[IVXL]+e siècle)\b", re.I)


@dataclass
class Citation:
    """Where one sentence of an answer was read: a unit of a stored document."""

    document_id: str
    unit: int
    source: str
    kind: str  # the document's kind: chat, transcript, article, …
    title: str | None
    author: str | None
    time: str | None
    offset: float | None
    section: str | None
    lines: tuple[int, int]

    @property
    def ref(self) -> str:
        """What ``veille show`` and ``kb.show`` take."""
        return f"{self.document_id}#{self.unit}"

    @property
    def label(self) -> str:
        """The citation as a reader wants it: who and when for a message, the second for a transcript,
        the title and section for a page — then the file and line."""
        parts = []
        if self.author:
            parts.append(self.author)
        if self.time:
            parts.append(self.time)
        if self.offset is not None:
            parts.append(clock(self.offset) or "")
        if not self.author and self.offset is None:
            if self.title:
                parts.append(f"« {self.title} »")
            if self.section and self.section != self.title:
                parts.append(f"§ {self.section}")
        where = f"{self.source}:{self.lines[0]}" + (f"-{self.lines[1]}" if self.lines[1] != self.lines[0] else "")
        return " · ".join(parts + [where])

    def as_dict(self) -> dict[str, Any]:
        return {"ref": self.ref, "label": self.label, "document_id": self.document_id, "unit": self.unit,
                "source": self.source, "kind": self.kind, "title": self.title, "author": self.author,
                "time": self.time, "offset": self.offset, "section": self.section, "lines": list(self.lines)}


@dataclass
class AnswerSentence:
    """One sentence of an answer, as written in its source, with its citation."""

    text: str
    citation: Citation
    score: float
    source: int = 0  # its number among the answer's sources ([1], [2], …)

    @property
    def figures(self) -> list[Figure]:
        """The figures the sentence holds (money, power, counts…), as ingest finds them."""
        return extract_figures(self.text)

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "source": self.source, "score": round(self.score, 4),
                "citation": self.citation.as_dict(), "figures": [f.as_dict() for f in self.figures]}


@dataclass
class Answer:
    """What ``ask`` gives: cited sentences, or (``answered`` false) why not and the closest passages."""

    question: str
    sentences: list[AnswerSentence]
    answered: bool
    mode: str
    passages: list[Hit] = field(default_factory=list)
    reason: str = ""
    evidence: list[tuple[Citation, str]] = field(default_factory=list)  # the best units, for a language model
    generated: GeneratedAnswer | None = None  # the model's answer, checked (``ask --llm``)
    llm_error: str = ""  # why the model's answer is not there when it was asked for

    @property
    def sources(self) -> list[Citation]:
        """The cited units, numbered in the order the answer first cites them."""
        seen: dict[int, Citation] = {}
        for sentence in self.sentences:
            seen.setdefault(sentence.source, sentence.citation)
        return [seen[n] for n in sorted(seen)]

    @property
    def text(self) -> str:
        return " ".join(f"{s.text} [{s.source}]" for s in self.sentences)

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.question, "answered": self.answered, "mode": self.mode, "reason": self.reason,
                "text": self.text, "sentences": [s.as_dict() for s in self.sentences],
                "sources": [{"n": n, **c.as_dict()} for n, c in enumerate(self.sources, 1)],
                "passages": [h.as_dict() for h in self.passages],
                "generated": None if self.generated is None else {
                    **self.generated.as_dict(),
                    "citations": {n: c.as_dict() for n, (c, _) in enumerate(self.evidence, 1)}},
                "llm_error": self.llm_error or None}

    def generate(self, config: LLMConfig, on_text: Callable[[str], None] | None = None,
                 figures_of: Callable[[str], list[tuple[float, str]]] | None = None) -> None:
        """Ask a language model for an answer from the best units as numbered sources, and check it
        (``generated``); when the model cannot answer, ``llm_error`` says why and the extractive answer stays."""
        if not self.answered:
            self.llm_error = "not sent to the model: nothing in the knowledge base answers the question"
            return
        sources = [Source(n, text, cited.label) for n, (cited, text) in enumerate(self.evidence, 1)]
        try:
            self.generated = generate_answer(self.question, sources, config, on_text,
                                             figures_of=figures_of or figure_values)
        except LLMUnavailable as exc:
            self.llm_error = str(exc)


@dataclass
class Shown:
    """A cited unit in its context: the document, the unit's index, and the units around it."""

    document: StoredDocument
    unit: int
    units: list[StoredUnit]

    def as_dict(self) -> dict[str, Any]:
        doc = self.document
        return {"document": {"id": doc.id, "source": doc.source, "kind": doc.kind, "title": doc.title},
                "unit": self.unit,
                "units": [{**u.as_dict(), "cited": u.idx == self.unit} for u in self.units]}


@dataclass
class Candidate:
    """A sentence of a found chunk, and how well it answers."""

    text: str
    unit: StoredUnit
    hit: Hit
    rank: int  # of its chunk in the search
    terms: set[str]
    coverage: float = 0.0
    cosine: float | None = None
    score: float = 0.0


def candidates(store: Store, analyzer: FrenchAnalyzer, hits: Sequence[Hit]) -> list[Candidate]:
    """The sentences of the hits' own units (not their overlap), in the hits' order."""
    found: list[Candidate] = []
    for rank, hit in enumerate(hits):
        for unit in store.units(hit.document_id, hit.unit_start, hit.unit_end):
            for text in unit_sentences(unit):
                terms = set(analyzer.terms(text))
                if terms:
                    found.append(Candidate(text, unit, hit, rank, terms))
    return found


def unit_sentences(unit: StoredUnit) -> list[str]:
    """A unit's sentences; a short chat message is one, whatever its punctuation."""
    text = unit.text.strip()
    if unit.kind == "message" and len(text) <= WHOLE_MESSAGE_CHARS:
        return [_one_line(text)] if text else []
    return [_one_line(text[a:b]) for a, b in split_sentences(text)]


def _one_line(text: str) -> str:
    """A sentence on one line (a hard-wrapped one joined); its other spaces, no-break ones included, as written."""
    return _LINE_BREAK.sub(" ", text.strip())


def score(question: str, found: list[Candidate], store: Store, analyzer: FrenchAnalyzer,
          embedder: Embedder | None) -> None:
    """Score each candidate against the question (in place)."""
    weight = idf_weights(store, analyzer.terms(normalise(question)))
    whole = sum(weight.values()) or 1.0
    wants = [pattern for question_form, pattern in ((_DURATION_QUESTION, _HAS_DURATION),
                                                    (_NUMBER_QUESTION, _HAS_NUMBER), (_DATE_QUESTION, _HAS_DATE))
             if question_form.search(question)][:1]  # "combien de temps" asks for a duration, not any number
    speakers = named_speakers(question, store)
    asks_name, asked = bool(_NAME_QUESTION.search(question)), question.casefold()
    for c in found:
        c.coverage = sum(w for t, w in weight.items() if t in c.terms) / whole
        if c.unit.author and fold_name(c.unit.author) in speakers:
            c.score += _SPEAKER_BONUS
        c.score += c.coverage + _RANK_WEIGHT / (1 + c.rank)
        if wants and wants[0].search(c.text):
            c.score += _TYPE_BONUS
        if c.text.rstrip(" »\"”)").endswith("?"):
            c.score -= _QUESTION_PENALTY
        if c.unit.kind == "heading":
            c.score -= _HEADING_PENALTY
        if len(c.terms) < 4:
            c.score -= _SHORT_PENALTY
        if asks_name and any(name.casefold() not in asked for name in _NAME.findall(c.text)):
            c.score += _NAME_BONUS
    if embedder is None or not found:
        return
    best = sorted(found, key=lambda c: -c.score)[:EMBEDDED_CANDIDATES]
    vectors = embedder.passages([c.text[:EMBEDDED_CHARS] for c in best])
    query = embedder.query(normalise(question))
    for c, cosine in zip(best, vectors @ query):
        c.cosine = float(cosine)
        c.score += _DENSE_WEIGHT * max(0.0, c.cosine - _DENSE_FROM)


def idf_weights(store: Store, terms: list[str]) -> dict[str, float]:
    """Each distinct term's rarity among the stored chunks (BM25's idf), in the terms' order."""
    distinct = list(dict.fromkeys(terms))
    total, frequency = store.chunk_frequencies(distinct)
    return {t: math.log(1.0 + (total - frequency[t] + 0.5) / (frequency[t] + 0.5)) for t in distinct}


def named_speakers(question: str, store: Store) -> set[str]:
    """The participants of the knowledge base that the question names, by full name or first name (folded)."""
    words = set(fold_name(question).split())
    named = set()
    for name in store.participants():
        folded = fold_name(name)
        parts = folded.split()
        if parts and (all(p in words for p in parts) or (len(parts[0]) > 2 and parts[0] in words)):
            named.add(folded)
    return named


def select(found: list[Candidate], n: int) -> list[Candidate]:
    """The best ``n`` candidates without near repeats: the best first, the others in reading order."""
    chosen: list[Candidate] = []
    for c in sorted(found, key=lambda c: -c.score):
        if len(chosen) == n:
            break
        if any(_overlap(c.terms, other.terms) >= REPEAT for other in chosen):
            continue
        chosen.append(c)
    if len(chosen) < 2:
        return chosen
    first = chosen[0]
    documents = list(dict.fromkeys(c.hit.document_id for c in chosen))
    rest = sorted(chosen[1:], key=lambda c: (documents.index(c.hit.document_id), c.unit.idx))
    return [first, *rest]


def answered(best: Candidate | None) -> bool:
    """Whether the best candidate is evidence enough."""
    if best is None:
        return False
    return best.coverage >= MIN_COVERAGE or (best.cosine is not None and best.cosine >= MIN_COSINE)


def extractive_answer(question: str, hits: Sequence[Hit], store: Store, analyzer: FrenchAnalyzer,
                      embedder: Embedder | None, mode: str, n: int = ANSWER_SENTENCES,
                      who: str | None = None) -> Answer:
    """Compose an answer to ``question`` from the sentences of ``hits`` (a search's results); with ``who``,
    from that participant's messages only (a chunk where they speak holds others' messages too)."""
    found = candidates(store, analyzer, hits[:CANDIDATE_CHUNKS])
    if who is not None:
        found = [c for c in found if c.unit.author and fold_name(c.unit.author) == fold_name(who)]
    score(question, found, store, analyzer, embedder)
    best = max(found, key=lambda c: c.score, default=None)
    if not answered(best):
        reason = ("rien dans la base ne répond à cette question" if best is None else
                  "rien dans la base ne répond clairement à cette question : les passages les plus proches "
                  "ne contiennent pas assez de ses termes")
        return Answer(question, [], False, mode, list(hits[:CANDIDATE_CHUNKS // 2 or 1]), reason)
    evidence: dict[tuple[str, int], tuple[Citation, str]] = {}
    for c in sorted(found, key=lambda c: -c.score):
        if len(evidence) == LLM_SOURCES:
            break
        evidence.setdefault((c.unit.document_id, c.unit.idx), (citation(c.unit, c.hit), c.unit.text))
    chosen = select(found, n)
    numbers: dict[tuple[str, int], int] = {}
    sentences = []
    for c in chosen:
        cite = citation(c.unit, c.hit)
        number = numbers.setdefault((cite.document_id, cite.unit), len(numbers) + 1)
        sentences.append(AnswerSentence(c.text, cite, c.score, number))
    return Answer(question, sentences, True, mode, list(hits[:CANDIDATE_CHUNKS]), evidence=list(evidence.values()))


def citation(unit: StoredUnit, hit: Hit) -> Citation:
    return Citation(document_id=unit.document_id, unit=unit.idx, source=hit.source, kind=hit.kind,
                    title=hit.title, author=unit.author, time=unit.time, offset=unit.offset,
                    section=unit.section, lines=(unit.line_start, unit.line_end))


def figure_values(text: str) -> list[tuple[float, str]]:
    """(value, unit) of each figure of ``text``: what a generated sentence's figures are checked by — those
    ingest extracts (a range gives both its ends) and every number the simple reader of ``veille.llm`` sees,
    bare amounts ("99 milliards") included: a number the sources do not hold is flagged, whatever its unit."""
    values = figures_in(text)
    for figure in extract_figures(text):
        values.append((figure.value, figure.unit))
        if figure.high is not None:
            values.append((figure.high, figure.unit))
    return values


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def clock(seconds: float | None) -> str | None:
    """Seconds from the start of a recording as HH:MM:SS (None stays None)."""
    if seconds is None:
        return None
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}"
