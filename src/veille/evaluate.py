"""Retrieval evaluation on BEIR-layout sets: ingest the corpus, run the queries, score the documents found.

A set is a folder with ``corpus.jsonl`` (``{"_id", "title", "text"}``), ``queries.jsonl`` (``{"_id", "text"}``)
and ``qrels.tsv`` (query id, corpus id, grade; header line optional; BEIR's own ``qrels/test.tsv`` is read
too). The corpus goes through the normal pipeline, chunking included; chunk hits are mapped back to corpus
documents, each ranked where its best chunk is, as BEIR scores documents.

>>> report = evaluate("veille.db", load_beir("piaf/"), sample=300, seed=1)
>>> print(report.table())
"""

from __future__ import annotations

import json
import math
import random
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError, VeilleError
from .types import MODES

#: Cut-offs of the reported metrics.
TOP = 10
DEEP = 100


# -- the data set -----------------------------------------------------------------------------------------


@dataclass
class BeirSet:
    """A retrieval test set: documents, queries and graded relevance judgements."""

    name: str
    corpus: dict[str, tuple[str, str]]  # corpus id -> (title, text)
    queries: dict[str, str]  # query id -> text
    qrels: dict[str, dict[str, int]]  # query id -> {corpus id: grade}; grade > 0 is relevant
    notes: list[str] = field(default_factory=list)  # what loading noticed (judgements left out, …)

    def judged_queries(self) -> list[str]:
        """Query ids that have text and at least one relevant document, sorted."""
        return sorted(q for q, rels in self.qrels.items() if q in self.queries and any(g > 0 for g in rels.values()))

    def sample(self, n: int | None, seed: int = 0) -> list[str]:
        """``n`` judged query ids drawn with ``seed`` (all of them when ``n`` is None or larger), sorted."""
        judged = self.judged_queries()
        if n is None or n >= len(judged):
            return judged
        if n < 1:
            raise ValueError("a sample needs at least one query")
        return sorted(random.Random(seed).sample(judged, n))

    def restricted(self, query_ids: Iterable[str], doc_ids: Iterable[str]) -> BeirSet:
        """Only these queries (with their judgements) over only these documents: a quicker, easier set."""
        queries, docs = set(query_ids), set(doc_ids)
        corpus = {i: doc for i, doc in self.corpus.items() if i in docs}
        return BeirSet(f"{self.name} ({len(queries):,} queries over {len(corpus):,} documents)", corpus,
                       {q: t for q, t in self.queries.items() if q in queries},
                       {q: rels for q, rels in self.qrels.items() if q in queries}, list(self.notes))


    def with_distractors(self, query_ids: list[str], distractors: int, seed: int) -> BeirSet:
        """These queries over their relevant documents and ``distractors`` others drawn with ``seed``."""
        relevant = {d for q in query_ids for d, g in self.qrels[q].items() if g > 0 and d in self.corpus}
        others = sorted(set(self.corpus) - relevant)
        drawn = random.Random(seed).sample(others, min(distractors, len(others)))
        return self.restricted(query_ids, relevant | set(drawn))


def load_beir(folder: str | Path) -> BeirSet:
    """Read a BEIR-layout folder; malformed input raises InputError naming the file and line."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), "no such folder (a BEIR set is a folder with corpus.jsonl, queries.jsonl "
                                      "and qrels.tsv)")
    corpus_path, queries_path = folder / "corpus.jsonl", folder / "queries.jsonl"
    qrels_path = next((p for p in (folder / "qrels.tsv", folder / "qrels" / "test.tsv") if p.is_file()),
                      folder / "qrels.tsv")
    corpus: dict[str, tuple[str, str]] = {}
    for where, record in _json_lines(corpus_path):
        doc_id = _record_id(record, where)
        title, text = record.get("title") or "", record.get("text")
        if not isinstance(text, str) or not isinstance(title, str):
            raise InputError(where, "'text' (and 'title', when given) must be strings")
        if doc_id in corpus:
            raise InputError(where, f"corpus id {doc_id!r} appears twice")
        corpus[doc_id] = (title, text)
    queries: dict[str, str] = {}
    for where, record in _json_lines(queries_path):
        query_id, text = _record_id(record, where), record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise InputError(where, "a query needs a non-empty 'text'")
        if query_id in queries:
            raise InputError(where, f"query id {query_id!r} appears twice")
        queries[query_id] = text
    qrels = _read_qrels(qrels_path)
    set_ = BeirSet(folder.resolve().name, corpus, queries, qrels)
    unknown_queries = sorted(q for q in qrels if q not in queries)
    if unknown_queries:
        set_.notes.append(f"{len(unknown_queries)} judged query ids are not in queries.jsonl (left out), "
                          f"e.g. {unknown_queries[0]!r}")
    missing = sorted({d for rels in qrels.values() for d, g in rels.items() if g > 0 and d not in corpus})
    if missing:
        set_.notes.append(f"{len(missing)} relevant corpus ids are not in corpus.jsonl (they count in the ideal "
                          f"ranking but cannot be found), e.g. {missing[0]!r}")
    return set_


def _json_lines(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(``file:line``, object) for each non-blank line of a JSON-lines file."""
    for where, line in _lines(path):
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise InputError(where, f"not JSON ({exc})") from exc
        if not isinstance(record, dict):
            raise InputError(where, "each line must be a JSON object")
        yield where, record


def _lines(path: Path) -> Iterator[tuple[str, str]]:
    """(``file:line``, text) for each non-blank line, decoded line by line so that a bad byte has its line."""
    try:
        handle = path.open("rb")
    except FileNotFoundError as exc:
        raise InputError(str(path), "missing (a BEIR set has corpus.jsonl, queries.jsonl and qrels.tsv)") from exc
    with handle:
        for n, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"{path}:{n}", f"not UTF-8 (byte {exc.start + 1} of the line)") from exc
            if line.strip():
                yield f"{path}:{n}", line.rstrip("\r\n")


def _record_id(record: dict[str, Any], where: str) -> str:
    value = record.get("_id")
    if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value) == "":
        raise InputError(where, "each line needs an '_id' (a string or a number)")
    return str(value)


def _read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    first = True
    for where, line in _lines(path):
        fields = line.split("\t")
        if len(fields) != 3:
            fields = line.split()
        if len(fields) != 3:
            raise InputError(where, f"expected 3 tab-separated columns (query id, corpus id, grade), "
                                    f"found {len(fields)}")
        query_id, doc_id, grade = (f.strip() for f in fields)
        try:
            value = int(grade)
        except ValueError:
            if first:  # the header line ("query-id corpus-id score")
                first = False
                continue
            raise InputError(where, f"the grade {grade!r} is not a whole number") from None
        first = False
        qrels.setdefault(query_id, {})[doc_id] = value
    if not qrels:
        raise InputError(str(path), "no relevance judgements")
    return qrels


# -- metrics ------------------------------------------------------------------------------------------------


def ndcg_at(ranking: Sequence[str], qrels: Mapping[str, int], k: int = TOP) -> float:
    """nDCG@k with graded gains and a log2 discount; the ideal ranking is built from the judgements."""
    dcg = sum(qrels.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranking[:k])
              if qrels.get(doc, 0) > 0)
    ideal = sorted((g for g in qrels.values() if g > 0), reverse=True)[:k]
    best = sum(g / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall_at(ranking: Sequence[str], qrels: Mapping[str, int], k: int = DEEP) -> float:
    """Share of the relevant documents found in the top k."""
    relevant = {doc for doc, g in qrels.items() if g > 0}
    return len(relevant.intersection(ranking[:k])) / len(relevant) if relevant else 0.0


def mrr_at(ranking: Sequence[str], qrels: Mapping[str, int], k: int = TOP) -> float:
    """1 / rank of the first relevant document in the top k, else 0."""
    for rank, doc in enumerate(ranking[:k], 1):
        if qrels.get(doc, 0) > 0:
            return 1 / rank
    return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


@dataclass
class Scores:
    """One system's figures over a set of queries (a mode of veille, or a baseline)."""

    name: str
    queries: int = 0
    ndcg10: float = 0.0
    recall10: float = 0.0
    recall100: float = 0.0
    mrr10: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    unavailable: str = ""  # why this system could not run, when it could not

    @property
    def available(self) -> bool:
        return not self.unavailable

    def as_dict(self) -> dict[str, Any]:
        if self.unavailable:
            return {"name": self.name, "available": False, "reason": self.unavailable}
        return {"name": self.name, "available": True, "queries": self.queries,
                "ndcg@10": round(self.ndcg10, 4), "recall@10": round(self.recall10, 4),
                "recall@100": round(self.recall100, 4), "mrr@10": round(self.mrr10, 4),
                "p50_ms": round(self.p50_ms, 2), "p95_ms": round(self.p95_ms, 2)}


def score_rankings(name: str, rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]],
                   seconds: Sequence[float]) -> Scores:
    """Mean metrics of ranked corpus ids per query, with the per-query latencies (seconds)."""
    if not rankings:
        raise ValueError("no query to score")
    n = len(rankings)
    return Scores(
        name, queries=n,
        ndcg10=sum(ndcg_at(r, qrels[q], TOP) for q, r in rankings.items()) / n,
        recall10=sum(recall_at(r, qrels[q], TOP) for q, r in rankings.items()) / n,
        recall100=sum(recall_at(r, qrels[q], DEEP) for q, r in rankings.items()) / n,
        mrr10=sum(mrr_at(r, qrels[q], TOP) for q, r in rankings.items()) / n,
        p50_ms=percentile(seconds, 50) * 1000, p95_ms=percentile(seconds, 95) * 1000,
    )


def markdown_table(rows: Sequence[Scores]) -> str:
    """The figures as a Markdown table; a system that could not run says so in its row."""
    lines = ["| system | nDCG@10 | R@10 | R@100 | MRR@10 | p50 ms | p95 ms |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if r.unavailable:
            lines.append(f"| {r.name} | unavailable: {r.unavailable} | | | | | |")
        else:
            lines.append(f"| {r.name} | {r.ndcg10:.3f} | {r.recall10:.3f} | {r.recall100:.3f} | {r.mrr10:.3f} | "
                         f"{_ms(r.p50_ms)} | {_ms(r.p95_ms)} |")
    return "\n".join(lines)


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


# -- evaluating veille --------------------------------------------------------------------------------------


@dataclass
class EvalReport:
    """Figures per search mode on one set, and what the run was."""

    dataset: str
    documents: int  # corpus documents
    chunks: int  # chunks in the knowledge base after the ingest
    queries: int  # queries scored
    judged: int  # judged queries in the set
    sample: int | None
    seed: int
    depth: int  # chunks asked of each search, to rank documents down to 100
    ingest_seconds: float
    reused: int = 0  # documents the knowledge base held already (not parsed nor embedded again)
    results: list[Scores] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rankings: dict[str, dict[str, list[str]]] = field(default_factory=dict, repr=False)  # mode -> query -> ids
    qrels: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)  # of the queries scored

    def result(self, mode: str) -> Scores:
        return next(r for r in self.results if r.name == mode)

    def summary(self) -> str:
        drawn = (f"{self.queries:,} of {self.judged:,} queries (seed {self.seed})" if self.queries < self.judged
                 else f"all {self.queries:,} queries")
        reused = f", {self.reused:,} of them already stored" if self.reused else ""
        return (f"{self.dataset}: {drawn}; {self.documents:,} documents{reused}, ingested as {self.chunks:,} chunks "
                f"in {self.ingest_seconds:.1f} s; documents ranked by their best chunk among the top {self.depth}")

    def hybrid_gain(self) -> str | None:
        """Hybrid against the better single mode, nDCG@10 per query, with a paired bootstrap 95 % interval
        (None unless all three modes ran)."""
        scores = {r.name: r for r in self.results if r.available}
        if not set(MODES) <= scores.keys():
            return None
        best = max(("lexical", "dense"), key=lambda m: scores[m].ndcg10)
        hybrid, single = self.rankings["hybrid"], self.rankings[best]
        gaps = np.array([ndcg_at(hybrid[q], self.qrels[q]) - ndcg_at(single[q], self.qrels[q]) for q in hybrid])
        draws = np.random.default_rng(0).integers(0, len(gaps), size=(2000, len(gaps)))
        low, high = np.percentile(gaps[draws].mean(axis=1), [2.5, 97.5])
        gap = float(gaps.mean())
        h, b = scores["hybrid"], scores[best]
        verdict = "beats" if low > 0 else "does not beat" if high < 0 or gap <= 0 else "is level with"
        return (f"hybrid {verdict} the better single mode ({best}): nDCG@10 {h.ndcg10:.3f} vs {b.ndcg10:.3f}, "
                f"{gap:+.3f} (paired bootstrap 95 % interval {low:+.3f} … {high:+.3f}); R@10 "
                f"{h.recall10 - b.recall10:+.3f}, R@100 {h.recall100 - b.recall100:+.3f}, MRR@10 "
                f"{h.mrr10 - b.mrr10:+.3f}")

    def table(self) -> str:
        lines = [self.summary(), "", markdown_table(self.results)]
        gain = self.hybrid_gain()
        if gain:
            lines += ["", gain]
        if self.notes:
            lines += ["", *(f"- {n}" for n in self.notes)]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "documents": self.documents, "chunks": self.chunks,
                "queries": self.queries, "judged_queries": self.judged, "sample": self.sample, "seed": self.seed,
                "search_depth": self.depth, "ingest_seconds": round(self.ingest_seconds, 2), "reused": self.reused,
                "modes": [r.as_dict() for r in self.results], "hybrid_gain": self.hybrid_gain(),
                "notes": list(self.notes)}


def evaluate(kb: Any, dataset: BeirSet | str | Path, modes: Sequence[str] = MODES, *,
             sample: int | None = None, seed: int = 0, k: int = DEEP,
             progress: Callable[[str], None] | None = None, embed: bool | None = None) -> EvalReport:
    """Ingest ``dataset``'s corpus into ``kb`` (a KnowledgeBase, a file path, or None for a temporary file),
    run its queries in each mode and score the documents found.

    A mode the knowledge base cannot run (no embedding model, or ``embed=False``) is reported as unavailable
    with the reason, not left out.
    """
    from .kb import KnowledgeBase

    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise ValueError(f"modes are among {', '.join(MODES)}; got {', '.join(unknown) or 'none'}")
    data = dataset if isinstance(dataset, BeirSet) else load_beir(dataset)
    say = progress or (lambda _: None)
    query_ids = data.sample(sample, seed)
    if not query_ids:
        raise InputError(data.name, "no query has a relevant document in the judgements")
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="veille-eval-")))
        unavailable: dict[str, str] = {}
        path = None if isinstance(kb, KnowledgeBase) else scratch / "eval.db" if kb is None else kb
        if path is not None:
            kb = stack.enter_context(_open_kb(path, modes, unavailable, embed))
        say(f"ingesting {len(data.corpus):,} documents of {data.name}…")
        started = time.perf_counter()
        owners, reused, notes = _ingest_corpus(kb, data, scratch / "corpus", say)
        ingest_seconds = time.perf_counter() - started
        stats = kb.stats()
        per_doc = math.ceil(stats["chunks"] / stats["documents"]) if stats.get("documents") else 1
        depth = k * max(1, per_doc)
        reopen = path is not None and str(path) != ":memory:"
        if not reopen and sum(m != "lexical" for m in modes) > 1:
            notes.append("latency: the knowledge base was not reopened between modes, so a query embedded in an "
                         "earlier mode may come from the embedder's cache")
        results, rankings = [], {}
        for n, mode in enumerate(modes):
            say(f"{mode}: {len(query_ids):,} queries…")
            searcher = kb
            if reopen and n:  # a fresh embedder: no query vector cached by an earlier mode
                searcher = stack.enter_context(_open_kb(path, modes, {}, embed))  # type: ignore[arg-type]
            reason = unavailable.get(mode) or _unavailable(searcher, mode, depth)
            if reason:
                results.append(Scores(mode, unavailable=reason))
                continue
            rankings[mode], seconds = _run_queries(searcher, mode, [(q, data.queries[q]) for q in query_ids],
                                                   owners, depth, say)
            results.append(score_rankings(mode, rankings[mode], data.qrels, seconds))
    return EvalReport(data.name, len(data.corpus), stats["chunks"], len(query_ids), len(data.judged_queries()),
                      sample, seed, depth, ingest_seconds, reused, results, data.notes + notes, rankings,
                      {q: data.qrels[q] for q in query_ids})


@contextmanager
def _open_kb(path: str | Path, modes: Sequence[str], unavailable: dict[str, str],
             embed: bool | None = None) -> Iterator[Any]:
    """A KnowledgeBase for the evaluation: embeddings asked for only when a dense mode is (and not refused)."""
    from .kb import KnowledgeBase

    try:
        kb = KnowledgeBase(path, embed=embed is not False and any(m != "lexical" for m in modes))
    except VeilleError as exc:
        unavailable.update({m: f"no embeddings: {exc}" for m in modes if m != "lexical"})
        kb = KnowledgeBase(path, embed=False)
    with kb:
        yield kb


def corpus_file_name(n: int, doc_id: str) -> str:
    """A file name for the ``n``-th corpus document: unique by its number, readable by its id."""
    return f"{n:06d}_{urllib.parse.quote(doc_id, safe='-_.')[:80]}.txt"


def _ingest_corpus(kb: Any, data: BeirSet, folder: Path,
                   say: Callable[[str], None]) -> tuple[dict[str, list[str]], int, list[str]]:
    """Write each document as a text file (title on the first line) and ingest the folder.

    Returns the corpus ids of each stored document id (several when documents have the same text), how many
    documents the knowledge base held already, and notes.
    """
    folder.mkdir(parents=True)
    by_name: dict[str, str] = {}
    for n, (doc_id, (title, text)) in enumerate(data.corpus.items()):
        name = corpus_file_name(n, doc_id)
        by_name[name] = doc_id
        body = f"{title.strip()}\n\n{text.strip()}\n" if title.strip() else f"{text.strip()}\n"
        (folder / name).write_text(body, encoding="utf-8")
    # A BEIR corpus is plain text: the loader is named so that no passage is read as a chat or a page.
    report = kb.ingest(folder, format="plaintext", progress=_every(30.0, say))
    owners: dict[str, list[str]] = {}
    failed: list[str] = []
    for result in report.files:
        doc_id = by_name[Path(result.path).name]
        if result.document_id is None:
            failed.append(f"{doc_id} ({result.reason})")
            continue
        owners.setdefault(result.document_id, []).append(doc_id)
    notes = []
    if failed:
        notes.append(f"{len(failed)} corpus documents could not be ingested (never found): {'; '.join(failed[:5])}")
    shared = sum(len(ids) - 1 for ids in owners.values())
    if shared:
        notes.append(f"{shared} corpus documents repeat another one's text: stored once, and ranked side by side")
    reused = report.count("unchanged") + report.count("duplicate") - shared
    return owners, reused, notes


def _every(seconds: float, say: Callable[[str], None]) -> Callable[[Any], None]:
    """An ingest progress callback that speaks at most once per ``seconds``."""
    last = time.perf_counter()

    def tell(progress: Any) -> None:
        nonlocal last
        if time.perf_counter() - last >= seconds:
            last = time.perf_counter()
            say(f"  {progress.files_done:,}/{progress.files_total:,} files, {progress.chunks_embedded:,} chunks "
                f"embedded ({progress.seconds:.0f} s)")

    return tell


#: Searched once per mode before the timed queries (loads the model and the vectors); not one of the set's.
WARM_UP = "requête d'échauffement"


def _unavailable(kb: Any, mode: str, depth: int) -> str:
    """Why ``kb`` cannot search in ``mode`` ("" when it can); the trial search also warms it up."""
    try:
        kb.search(WARM_UP, k=depth, mode=mode)
    except VeilleError as exc:
        return str(exc)
    return ""


def _run_queries(kb: Any, mode: str, queries: list[tuple[str, str]], owners: Mapping[str, list[str]],
                 depth: int, say: Callable[[str], None]) -> tuple[dict[str, list[str]], list[float]]:
    """Ranked corpus ids per query, and the time of each search (the search call alone)."""
    rankings: dict[str, list[str]] = {}
    seconds: list[float] = []
    last = time.perf_counter()
    for n, (query_id, text) in enumerate(queries):
        if time.perf_counter() - last >= 30:
            last = time.perf_counter()
            say(f"  {n:,}/{len(queries):,} queries, p50 so far {percentile(seconds, 50) * 1000:.0f} ms")
        started = time.perf_counter()
        hits = kb.search(text, k=depth, mode=mode)
        seconds.append(time.perf_counter() - started)
        rankings[query_id] = documents_ranked(hits, owners)
    return rankings, seconds


def documents_ranked(hits: Iterable[Any], owners: Mapping[str, list[str]]) -> list[str]:
    """Corpus ids in the order of their first chunk among ``hits``; later chunks of a document are dropped.

    A hit on a document that is not from the corpus keeps its place (it pushes the others down).
    """
    ranking: list[str] = []
    seen: set[str] = set()
    for hit in hits:
        if hit.document_id in seen:
            continue
        seen.add(hit.document_id)
        ranking.extend(owners.get(hit.document_id, [f"(not in the corpus) {hit.source}"]))
    return ranking


# -- the command ------------------------------------------------------------------------------------------


def add_eval_arguments(parser: Any) -> None:
    """The options of ``veille eval`` (its own ``--db``: the global one would name the user's own base)."""
    parser.add_argument("dataset", help="folder with corpus.jsonl, queries.jsonl and qrels.tsv (BEIR layout)")
    parser.add_argument("--mode", action="append", choices=MODES, dest="modes",
                        help="search mode to evaluate (repeat for several; default: all three)")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="evaluate N judged queries drawn at random (default: all of them)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the query sample (default 0)")
    parser.add_argument("--db", dest="eval_db", metavar="PATH",
                        help="knowledge base to ingest the corpus into (default: a temporary file, removed after; "
                             "the global --db is not used)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--answers", action="store_true",
                        help="score the answers of `ask` instead of the search modes: how often the first sentence, "
                             "and the whole answer, hold a gold answer (queries.jsonl 'answers'), and cite the gold "
                             "passage; beside three baselines (default --sample 150 --distractors 350)")
    parser.add_argument("--distractors", type=int, metavar="N",
                        help="with --answers: the drawn questions' passages and N others, not the whole corpus")


def run_eval_command(args: Any) -> int:
    """``veille eval``: 0 when at least one mode ran, 1 when none could."""
    if args.sample is not None and args.sample < 1:
        raise InputError("--sample", "must be at least 1")
    if args.answers:
        from .answer_eval import evaluate_answers

        if args.distractors is not None and args.distractors < 0:
            raise InputError("--distractors", "must be 0 or more")
        answers = evaluate_answers(args.dataset, sample=args.sample or 150, seed=args.seed,
                                   distractors=350 if args.distractors is None else args.distractors,
                                   embed=getattr(args, "embed", None), db=args.eval_db,
                                   progress=lambda line: print(line, file=sys.stderr))
        print(json.dumps(answers.as_dict(), ensure_ascii=False, indent=2) if args.json else answers.table())
        return 0
    report = evaluate(args.eval_db, args.dataset, tuple(dict.fromkeys(args.modes or MODES)), sample=args.sample,
                      seed=args.seed, progress=lambda line: print(line, file=sys.stderr),
                      embed=getattr(args, "embed", None))
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.table())
    return 0 if any(r.available for r in report.results) else 1
