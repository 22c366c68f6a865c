"""How well ``ask`` answers, on a question set whose questions come with the text that answers them (PIAF,
French SQuAD: ``queries.jsonl`` records carry ``answers``).

For each question: does the answer's first sentence contain a gold answer, does the whole answer, and is the
first sentence's citation in the gold passage. Three baselines are scored on the same search results in the
same run: the first sentence of the top chunk, the best BM25 sentence of the top chunks, the sentence of the
top chunks closest to the question under the embedding model.

>>> report = evaluate_answers("piaf/", sample=150, seed=1, distractors=350)
"""

from __future__ import annotations

import json
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .answer import (ANSWER_SENTENCES, CANDIDATE_CHUNKS, Candidate, answered, candidates, idf_weights, score,
                     select)
from .errors import InputError
from .evaluate import BeirSet, _ingest_corpus, load_beir, percentile
from .read import normalise

#: The rows of the report, veille's first.
ROWS = ("veille: first sentence", "veille: whole answer", "top chunk: first sentence", "best BM25 sentence",
        "best e5 sentence")
_K1, _B = 1.2, 0.75


@dataclass
class AnswerScores:
    """One row: how often its sentence(s) contain a gold answer, and its citation lies in the gold passage."""

    name: str
    contains: float
    cited: float | None = None  # share whose cited unit is in the gold passage (veille's rows)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "contains": round(self.contains, 4),
                "cited_in_gold_passage": None if self.cited is None else round(self.cited, 4)}


@dataclass
class AnswerEvalReport:
    name: str
    questions: int
    documents: int
    mode: str
    rows: list[AnswerScores]
    unanswered: int  # questions veille said nothing answers
    p50_ms: float
    p95_ms: float
    notes: list[str] = field(default_factory=list)

    def row(self, name: str) -> AnswerScores:
        return next(r for r in self.rows if r.name == name)

    @property
    def margin(self) -> float:
        """veille's first sentence against the best baseline, in points (a share × 100)."""
        baselines = [r.contains for r in self.rows if not r.name.startswith("veille")]
        return 100 * (self.row(ROWS[0]).contains - max(baselines))

    def table(self) -> str:
        lines = [f"{self.name}: {self.questions} questions over {self.documents} passages; mode {self.mode}",
                 "", "| answer | contains a gold answer | cited in the gold passage |", "|---|---:|---:|"]
        for r in self.rows:
            cited = "" if r.cited is None else f"{r.cited:.3f}"
            lines.append(f"| {r.name} | {r.contains:.3f} | {cited} |")
        lines += ["", f"veille's first sentence against the best baseline: {self.margin:+.1f} points; "
                      f"{self.unanswered} question(s) answered 'nothing answers'; "
                      f"answer time p50 {self.p50_ms:.0f} ms, p95 {self.p95_ms:.0f} ms"]
        return "\n".join(lines + [f"note: {n}" for n in self.notes])

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "questions": self.questions, "documents": self.documents, "mode": self.mode,
                "rows": [r.as_dict() for r in self.rows], "margin_points": round(self.margin, 2),
                "unanswered": self.unanswered, "p50_ms": round(self.p50_ms, 1), "p95_ms": round(self.p95_ms, 1),
                "notes": self.notes}


def load_answers(folder: str | Path) -> dict[str, list[str]]:
    """The gold answer texts of each query of a BEIR folder's ``queries.jsonl`` (``answers``: [{"text"}])."""
    path = Path(folder) / "queries.jsonl"
    found: dict[str, list[str]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n}", f"not JSON: {exc.msg}") from None
        texts = [a.get("text") for a in record.get("answers") or [] if isinstance(a, dict)]
        texts = [t for t in texts if isinstance(t, str) and t.strip()]
        if texts:
            found[str(record.get("_id"))] = texts
    if not found:
        raise InputError(str(path), "no query has 'answers' with a 'text': an answer evaluation needs them")
    return found


def subset(data: BeirSet, sample: int, seed: int, distractors: int | None) -> tuple[BeirSet, list[str]]:
    """``sample`` questions drawn with ``seed`` over their relevant passages and ``distractors`` others
    (None: the whole corpus)."""
    queries = data.sample(sample, seed)
    return (data if distractors is None else data.with_distractors(queries, distractors, seed)), queries


def contains(sentence: str, golds: Sequence[str]) -> bool:
    """Whether ``sentence`` holds one of the gold answers (case, apostrophes and spacing aside)."""
    text = _plain(sentence)
    return any(g and g in text for g in (_plain(g).strip(" .,;:!?«»\"'") for g in golds))


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFC", normalise(text)).lower().replace("’", "'").replace("‘", "'")
    return " ".join(text.split())


def evaluate_answers(dataset: str | Path, *, sample: int = 150, seed: int = 1, distractors: int | None = 350,
                     embed: bool | None = None, progress: Callable[[str], None] | None = None,
                     db: str | Path | None = None) -> AnswerEvalReport:
    """Ingest the set's passages into a knowledge base (``db``, kept; default a temporary one), ask each drawn
    question and score the answers and the baselines (see the module's docstring)."""
    from .kb import KnowledgeBase

    say = progress or (lambda _: None)
    data = load_beir(dataset)
    golds = load_answers(dataset)
    data, query_ids = subset(data, sample, seed, distractors)
    query_ids = [q for q in query_ids if q in golds]
    if not query_ids:
        raise InputError(str(dataset), "no drawn question has a gold answer")
    with tempfile.TemporaryDirectory(prefix="veille-answers-") as scratch, \
            KnowledgeBase(db or Path(scratch) / "kb.db", embed=embed) as kb:
        say(f"ingesting {len(data.corpus):,} passages…")
        owners, _, notes = _ingest_corpus(kb, data, Path(scratch) / "corpus", say)
        embedder = _Remembering(kb.embedder) if kb.embedder is not None else None
        wins = Counter()
        seconds: list[float] = []
        unanswered = 0
        say(f"asking {len(query_ids):,} questions…")
        for done, qid in enumerate(query_ids):
            if done and done % 50 == 0:
                say(f"{done:,} questions asked…")
            question, gold = data.queries[qid], golds[qid]
            passages = {d for d, g in data.qrels[qid].items() if g > 0}
            started = time.perf_counter()
            hits = kb.search(question, k=CANDIDATE_CHUNKS)
            found = candidates(kb.store, kb.analyzer, hits)
            score(question, found, kb.store, kb.analyzer, embedder)
            best = max(found, key=lambda c: c.score, default=None)
            chosen = select(found, ANSWER_SENTENCES) if answered(best) else []
            seconds.append(time.perf_counter() - started)
            if not chosen:
                unanswered += 1
            else:
                wins["first"] += contains(chosen[0].text, gold)
                wins["whole"] += contains(" ".join(c.text for c in chosen), gold)
                wins["cited"] += bool(passages & set(owners.get(chosen[0].hit.document_id, [])))
                wins["whole_cited"] += any(passages & set(owners.get(c.hit.document_id, [])) for c in chosen)
            first = next((c for c in found if c.rank == 0 and c.unit.kind != "heading"), None)
            wins["top"] += bool(first and contains(first.text, gold))
            bm25 = _best_bm25(question, found, kb)
            wins["bm25"] += bool(bm25 and contains(bm25.text, gold))
            if embedder is not None:
                closest = _closest(question, found, embedder)
                wins["e5"] += bool(closest and contains(closest.text, gold))
        mode = kb.describe_mode()
    n = len(query_ids)
    rows = [AnswerScores(ROWS[0], wins["first"] / n, wins["cited"] / n),
            AnswerScores(ROWS[1], wins["whole"] / n, wins["whole_cited"] / n),
            AnswerScores(ROWS[2], wins["top"] / n), AnswerScores(ROWS[3], wins["bm25"] / n)]
    if embedder is not None:
        rows.append(AnswerScores(ROWS[4], wins["e5"] / n))
    else:
        notes.append("no embedding model: the e5 baseline and the model's part of veille's score did not run")
    name = f"{Path(dataset).resolve().name} (seed {seed}" + (f", {distractors} distractors)" if distractors
                                                              is not None else ", whole corpus)")
    ms = [s * 1000 for s in seconds]
    return AnswerEvalReport(name, n, len(data.corpus), mode, rows, unanswered,
                            percentile(ms, 50), percentile(ms, 95), notes)


class _Remembering:
    """An embedder that embeds a sentence once: veille's score and the e5 baseline share the vectors."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder
        self.vectors: dict[str, np.ndarray] = {}

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        new = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if new:
            self.vectors.update(zip(new, self.embedder.passages(new)))
        if len(self.vectors) > 20_000:  # one question's sentences at a time are enough
            self.vectors = {t: self.vectors[t] for t in texts}
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, self.embedder.dims))

    def query(self, text: str) -> np.ndarray:
        return self.embedder.query(text)


def _best_bm25(question: str, found: list[Candidate], kb: Any) -> Candidate | None:
    """The candidate sentence with the best BM25 score for the question (sentences as the documents)."""
    if not found:
        return None
    idf = idf_weights(kb.store, kb.analyzer.terms(normalise(question)))
    terms = list(idf)
    counts = [Counter(kb.analyzer.terms(c.text)) for c in found]
    average = sum(sum(c.values()) for c in counts) / len(counts) or 1.0

    def bm25(tf: Counter) -> float:
        length = sum(tf.values())
        return sum(idf[t] * tf[t] * (_K1 + 1) / (tf[t] + _K1 * (1 - _B + _B * length / average))
                   for t in terms if tf[t])

    scores = [bm25(tf) for tf in counts]
    return found[int(np.argmax(scores))]


def _closest(question: str, found: list[Candidate], embedder: Any) -> Candidate | None:
    """The candidate sentence closest to the question under the embedding model."""
    if not found:
        return None
    vectors = embedder.passages([c.text for c in found])
    return found[int(np.argmax(vectors @ embedder.query(normalise(question))))]
