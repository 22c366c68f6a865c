"""Ingest and search speed of veille on a generated French corpus, with chunking peers on the same text.

    python bench/ingest_speed.py [--mb 50] [--chunks 100000] [--out bench/out]

Prints numbers, never a verdict: reading + parsing + chunking (cl100k counts),
LangChain and chonkie splitters on the same raw text, the whole lexical ingest
into SQLite, and search latency on a knowledge base of ``--chunks`` chunks.
The final Markdown table is also written to ``<out>/results.md``.
See bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing
import os
import platform
import pstats
import random
import resource
import shutil
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

# Nothing may be fetched: a peer that needs a hub tokenizer is skipped, not downloaded.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("LANGCHAIN_TRACING_V2", "false")

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_corpus as gen  # noqa: E402
from machine import cpu_model, version  # noqa: E402

import veille  # noqa: E402
from veille import KnowledgeBase  # noqa: E402
from veille.chunking import ChunkingConfig, chunk_document  # noqa: E402
from veille.detect import detect, get_loader  # noqa: E402
from veille.errors import InputError  # noqa: E402
from veille.read import decode_bytes, normalise  # noqa: E402
from veille.text.tokens import DEFAULT_COUNTER, make_counter  # noqa: E402

MB = 1e6
STAGES = ("read", "decode", "detect", "parse", "chunk")


@dataclass
class Rate:
    """Throughput of one chunker or pipeline over some bytes."""

    name: str
    megabytes: float
    seconds: float
    chunks: int
    note: str = ""
    skipped: str = ""  # why it did not run, when it did not

    @property
    def mb_per_s(self) -> float:
        return self.megabytes / self.seconds if self.seconds else 0.0

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.seconds if self.seconds else 0.0


@dataclass
class PipelineRun:
    """veille's read → detect → parse → chunk pass, with time per stage and per format."""

    rate: Rate
    stages: dict[str, float]
    by_format: dict[str, tuple[float, float]]  # format → (MB, seconds)
    formats: Counter[str]
    failed: list[str] = field(default_factory=list)


@dataclass
class SearchRun:
    """Latencies of one batch of queries."""

    chunks: int
    latencies_ms: list[float]
    by_group: dict[str, list[float]]
    by_share: dict[str, list[float]]  # latencies by how common the query's most common term is
    hits: float  # mean results per query


# -- environment -------------------------------------------------------------------
def environment() -> str:
    """One line: CPUs, Python, veille and peer versions."""
    return (f"{os.cpu_count()} CPU ({cpu_model()}) · Python {platform.python_version()} · "
            f"veille {veille.__version__} · SQLite {sqlite3.sqlite_version} · "
            f"toktok-rs {version('toktok-rs')} · langchain-text-splitters {version('langchain-text-splitters')} · "
            f"chonkie {version('chonkie')}")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- 2. veille: read + detect + parse + chunk ------------------------------------------
def run_pipeline(paths: list[Path], config: ChunkingConfig | None = None) -> PipelineRun:
    """decode_bytes → detect → loader.parse → chunk_document for every file, timed per stage."""
    counter = make_counter(DEFAULT_COUNTER)
    config = config or ChunkingConfig()
    stages = dict.fromkeys(STAGES, 0.0)
    by_format: dict[str, list[float]] = {}
    formats: Counter[str] = Counter()
    failed: list[str] = []
    total_bytes = chunks = 0
    clock = time.perf_counter
    start = clock()
    for path in paths:
        t0 = clock()
        data = path.read_bytes()
        t1 = clock()
        try:
            text = decode_bytes(data, path.name).text
            t2 = clock()
            found = detect(text, path.name)
            t3 = clock()
            doc = get_loader(found.format).parse(text, str(path))
            t4 = clock()
            chunks += len(chunk_document(doc, counter, config))
            t5 = clock()
        except (InputError, ValueError) as exc:
            failed.append(f"{path.name}: {exc}")
            continue
        total_bytes += len(data)
        for stage, seconds in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4), strict=True):
            stages[stage] += seconds
        formats[found.format] += 1
        acc = by_format.setdefault(found.format, [0.0, 0.0])
        acc[0] += len(data) / MB
        acc[1] += t5 - t0
    elapsed = clock() - start
    rate = Rate(f"veille read+detect+parse+chunk ({counter.name}, {config.max_tokens} tokens)",
                total_bytes / MB, elapsed, chunks, note="one process")
    return PipelineRun(rate, stages, {k: (v[0], v[1]) for k, v in by_format.items()}, formats, failed)


# -- 3. peers on the raw text ------------------------------------------------------------
def _time_splitter(name: str, split: Callable[[str], list], paths: list[Path], note: str = "") -> Rate:
    """Read, decode and split every file; chunks = pieces returned."""
    total = chunks = 0
    start = time.perf_counter()
    for path in paths:
        data = path.read_bytes()
        chunks += len(split(data.decode("utf-8")))
        total += len(data)
    return Rate(name, total / MB, time.perf_counter() - start, chunks, note)


def _first_megabytes(paths: list[Path], megabytes: float) -> list[Path]:
    out: list[Path] = []
    size = 0
    for path in paths:
        if size >= megabytes * MB:
            break
        out.append(path)
        size += path.stat().st_size
    return out


def run_peers(paths: list[Path], chars: int, overlap_chars: int, tokens: int,
              sentence_mb: float) -> list[Rate]:
    """LangChain and chonkie splitters on the same files, offline only."""
    rates: list[Rate] = []
    try:
        from langchain_text_splitters import RecursiveCharacterTextSplitter
    except ImportError:
        rates.append(Rate("LangChain RecursiveCharacterTextSplitter", 0, 0, 0,
                          skipped="langchain-text-splitters not installed (pip install 'veille[bench]')"))
    else:
        splitter = RecursiveCharacterTextSplitter(chunk_size=chars, chunk_overlap=overlap_chars)
        rates.append(_time_splitter(
            f"LangChain RecursiveCharacterTextSplitter ({chars} chars, overlap {overlap_chars})",
            splitter.split_text, paths))
    try:
        from chonkie import RecursiveChunker, SentenceChunker, TokenChunker
    except ImportError:
        rates.append(Rate("chonkie", 0, 0, 0, skipped="chonkie not installed (pip install 'veille[bench]')"))
        return rates
    rates.append(_time_splitter(
        f"chonkie RecursiveChunker (character tokenizer, {chars} chars)",
        RecursiveChunker(tokenizer="character", chunk_size=chars).chunk, paths))
    rates.append(_time_splitter(
        f"chonkie TokenChunker (character tokenizer, {chars} chars, overlap {overlap_chars})",
        TokenChunker(tokenizer="character", chunk_size=chars, chunk_overlap=overlap_chars).chunk, paths))
    rates.append(_chonkie_cl100k_recursive(RecursiveChunker, paths, tokens))
    rates.append(Rate(
        "chonkie TokenChunker (cl100k_base)", 0, 0, 0,
        skipped="chonkie ≥1.0 loads 'cl100k_base' through tokie as the Hugging Face repo 'Xenova/gpt-4' "
                "(a hub download) and tiktoken is not installed; TokenChunker needs encode/decode, which "
                "toktok-rs (count-only) cannot give"))
    sample = _first_megabytes(paths, sentence_mb)
    rate = _time_splitter(
        f"chonkie SentenceChunker (character tokenizer, {chars} chars, overlap {overlap_chars})",
        SentenceChunker(tokenizer="character", chunk_size=chars, chunk_overlap=overlap_chars).chunk, sample)
    full = sum(p.stat().st_size for p in paths) / MB
    rate.note = (f"sample: first {rate.megabytes:.1f} MB only; whole corpus ≈ {full / rate.mb_per_s:.0f} s "
                 "extrapolated" if rate.mb_per_s else "sample")
    rates.append(rate)
    return rates


def _chonkie_cl100k_recursive(chunker_class: type, paths: list[Path], tokens: int) -> Rate:
    """chonkie's RecursiveChunker counting cl100k tokens offline (a toktok-rs callable): veille's budget."""
    try:
        import toktok
    except ImportError:
        return Rate("chonkie RecursiveChunker (cl100k)", 0, 0, 0, skipped="toktok-rs not installed")

    def count(text: str) -> int:
        return toktok.batch_count([text], "cl100k_base")[0]

    chunker = chunker_class(tokenizer=count, chunk_size=tokens)
    return _time_splitter(f"chonkie RecursiveChunker (cl100k via a toktok-rs callable, {tokens} tokens)",
                          chunker.chunk, paths, note="same token budget as veille")


# -- 4. whole ingest --------------------------------------------------------------------
def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def remove_db(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


def ingest(kb: KnowledgeBase, folder: Path, name: str) -> tuple[Rate, list[str]]:
    """``kb.ingest(folder)`` timed; the failed files with their reasons."""
    size = sum(p.stat().st_size for p in folder.glob("*.txt"))
    start = time.perf_counter()
    report = kb.ingest(folder)
    elapsed = time.perf_counter() - start
    chunks = sum(f.chunks for f in report.files)
    failed = [f"{Path(f.path).name}: {f.reason}" for f in report.failed]
    return Rate(name, size / MB, elapsed, chunks), failed


def checkpoint(kb: KnowledgeBase) -> None:
    """Fold the WAL into the main file so the size on disk is the size of the knowledge base."""
    kb.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# -- 5. search latency --------------------------------------------------------------------
QUERY_WORDS = sorted({w.strip("’").lower() for phrase in gen.OBJECTS + [s for s, _ in gen.SUBJECTS]
                      for w in phrase.replace("’", "’ ").split(" ")
                      if len(w) > 3 and w.isalpha() and w.lower() not in {"dans", "pour", "chaque", "notre"}})
ELIDED_PHRASES = [o for o in gen.OBJECTS if "’" in o] + [
    "l’IA", "d’énergie", "l’énergie nucléaire", "coût d’entraînement", "l’inférence", "qu’EDF", "l’État",
    "d’électricité", "l’empreinte carbone", "s’appuie sur le cloud",
]
FIGURE_QUERIES = ["100 000 GPU", "1 GW", "12 %", "data center 1 GW", "3,5 M€", "millions d’euros",
                  "milliards de dollars", "grammes de CO2", "TWh par an", "puces H100"]
KINDS = ("chat", "transcript", "article", "post")


def make_queries(n: int, seed: int) -> list[tuple[str, str, dict[str, str]]]:
    """``n`` French queries as (group, text, filters): 1–4 words, elisions, figures, kind= and who= filters."""
    rng = random.Random(f"{seed}:queries")
    queries: list[tuple[str, str, dict[str, str]]] = []
    for _ in range(n):
        r = rng.random()
        words = " ".join(rng.sample(QUERY_WORDS, rng.randint(1, 4)))
        if r < 0.35:
            queries.append(("words", words, {}))
        elif r < 0.55:
            queries.append(("elision", rng.choice(ELIDED_PHRASES), {}))
        elif r < 0.65:
            queries.append(("figure", rng.choice(FIGURE_QUERIES), {}))
        elif r < 0.82:
            short = " ".join(rng.sample(QUERY_WORDS, rng.randint(1, 3)))
            queries.append(("kind=", short, {"kind": rng.choice(KINDS)}))
        else:
            short = " ".join(rng.sample(QUERY_WORDS, rng.randint(1, 3)))
            who = rng.choice(gen.FIRST_NAMES)
            if rng.random() < 0.5:
                who += " " + rng.choice(gen.LAST_NAMES)
            queries.append(("who=", short, {"who": who}))
    return queries


SHARE_BUCKETS = ((0.01, "< 1 %"), (0.10, "1–10 %"), (0.30, "10–30 %"), (1.01, "≥ 30 %"))


def common_term_share(kb: KnowledgeBase, text: str, total: int) -> float:
    """Share of the KB's chunks holding the query's most common term (every one of them is scored)."""
    db = kb.store.db
    most = 0
    for term in set(kb.analyzer.terms(normalise(text))):
        # each posting stores one 4-byte chunk index per chunk holding the term
        row = db.execute("SELECT COALESCE(SUM(length(chunks)), 0) / 4 FROM postings WHERE term = ?",
                         (term,)).fetchone()
        most = max(most, row[0])
    return most / max(1, total)


def run_search(kb: KnowledgeBase, queries: list[tuple[str, str, dict[str, str]]],
               warmup: list[tuple[str, str, dict[str, str]]], k: int = 10) -> SearchRun:
    """Warm up with other queries, then time each query (top ``k``, snippets included)."""
    for _, text, filters in warmup:
        kb.search(text, k=k, **filters)
    total = kb.store.stats()["chunks"]
    latencies: list[float] = []
    by_group: dict[str, list[float]] = {}
    by_share: dict[str, list[float]] = {label: [] for _, label in SHARE_BUCKETS}
    hits = 0
    for group, text, filters in queries:
        start = time.perf_counter()
        found = kb.search(text, k=k, **filters)
        ms = (time.perf_counter() - start) * 1000
        hits += len(found)
        latencies.append(ms)
        by_group.setdefault(group, []).append(ms)
        share = common_term_share(kb, text, total)
        by_share[next(label for bound, label in SHARE_BUCKETS if share < bound)].append(ms)
    return SearchRun(total, latencies, by_group, by_share, hits / max(1, len(queries)))


def search_in_fresh_process(db_path: str, queries: int, seed: int) -> SearchRun:
    """``run_search`` on a newly opened knowledge base (run in a child process)."""
    with KnowledgeBase(db_path, embed=False) as kb:
        return run_search(kb, make_queries(queries, seed), make_queries(50, seed + 99))


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0–100)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


# -- profiling ------------------------------------------------------------------------------
def profile(label: str, call: Callable[[], object], out: Path, top: int = 25) -> None:
    """Run ``call`` under cProfile; print the top functions by own time, save the stats."""
    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    profiler.dump_stats(str(out))
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)
    print(f"\n--- profile: {label} (top {top} by own time; full stats in {out}) ---")
    body = stream.getvalue()
    print(body[body.find("   ncalls"):].rstrip())


# -- report -----------------------------------------------------------------------------------
def n(value: float) -> str:
    """An integer with thin-space thousands: ``100 000``."""
    return f"{value:,.0f}".replace(",", "\u202f")


def fmt_rate(rate: Rate) -> str:
    if rate.skipped:
        return f"| {rate.name} | – | – | – | – | – | skipped: {rate.skipped} |"
    return (f"| {rate.name} | {rate.megabytes:.1f} | {rate.seconds:.1f} | **{rate.mb_per_s:.1f}** | "
            f"{n(rate.chunks)} | {n(rate.chunks_per_s)} | {rate.note} |")


def markdown(env: str, corpus: str, pipeline: PipelineRun, peers: list[Rate], ingests: list[Rate],
             db_size: int, search: SearchRun | None, growth_note: str) -> str:
    lines = [
        f"Environment: {env}",
        "",
        f"Corpus: {corpus}",
        "",
        "| step | MB | s | MB/s | chunks | chunks/s | note |",
        "|---|---:|---:|---:|---:|---:|---|",
        fmt_rate(pipeline.rate),
        *[fmt_rate(r) for r in peers],
        *[fmt_rate(r) for r in ingests],
        "",
        f"SQLite knowledge base after the first ingest: {db_size / MB:.1f} MB on disk "
        f"({db_size / MB / ingests[0].megabytes:.2f}× the corpus).",
    ]
    if search is not None:
        lat = search.latencies_ms
        lines += [
            "",
            f"Search ({growth_note}):",
            "",
            "| chunks in KB | queries | p50 ms | p95 ms | p99 ms | mean ms | max ms | results/query |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {n(search.chunks)} | {len(lat)} | {percentile(lat, 50):.1f} | **{percentile(lat, 95):.1f}** | "
            f"{percentile(lat, 99):.1f} | {statistics.fmean(lat):.1f} | {max(lat):.1f} | {search.hits:.1f} |",
            "",
            "| query group | n | p50 ms | p95 ms | max ms |",
            "|---|---:|---:|---:|---:|",
            *[f"| {g} | {len(v)} | {percentile(v, 50):.1f} | {percentile(v, 95):.1f} | {max(v):.1f} |"
              for g, v in sorted(search.by_group.items())],
            "",
            "| most common query term is in | n | p50 ms | p95 ms | max ms |",
            "|---|---:|---:|---:|---:|",
            *[f"| {label} of the chunks | {len(v)} | {percentile(v, 50):.1f} | {percentile(v, 95):.1f} | "
              f"{max(v):.1f} |" for label, v in search.by_share.items() if v],
        ]
    return "\n".join(lines) + "\n"


def print_pipeline(run: PipelineRun) -> None:
    total = sum(run.stages.values())
    shares = " · ".join(f"{s} {run.stages[s]:.1f} s ({run.stages[s] / total:.0%})" for s in STAGES)
    print(f"  {run.rate.mb_per_s:.1f} MB/s, {run.rate.chunks_per_s:,.0f} chunks/s "
          f"({run.rate.chunks:,} chunks in {run.rate.seconds:.1f} s)")
    print(f"  stages: {shares}")
    for fmt, (mb, seconds) in sorted(run.by_format.items()):
        print(f"  {fmt:<11} {run.formats[fmt]:4d} files {mb:6.1f} MB  {mb / seconds:6.1f} MB/s")
    for line in run.failed[:10]:
        print(f"  failed: {line}")


# -- main ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50, help="corpus size in MB (10^6 bytes), default 50")
    parser.add_argument("--chunks", type=int, default=100_000,
                        help="chunks in the knowledge base searched (more corpus is generated), default 100000")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "out"), help="output folder")
    parser.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--sentence-mb", type=float, default=5, help="sample for chonkie's SentenceChunker")
    parser.add_argument("--workers", type=int, default=None,
                        help="KnowledgeBase(workers=…) for the ingest; default: veille's own (min(CPUs, 4))")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="also profile read+parse+chunk and ingest on --profile-mb of the corpus")
    parser.add_argument("--profile-mb", type=float, default=10)
    args = parser.parse_args(argv)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = environment()
    print(f"environment: {env}")

    # 1. corpus
    start = time.perf_counter()
    corpus_dir = out / "corpus"
    files = gen.generate_corpus(corpus_dir, args.mb, args.seed)
    paths = [corpus_dir / f.path for f in files]
    corpus_mb = sum(f.bytes for f in files) / MB
    kinds = Counter(f.kind for f in files)
    corpus_line = (f"{len(files)} generated files, {corpus_mb:.1f} MB (seed {args.seed}: "
                   + ", ".join(f"{n} {k}" for k, n in kinds.items()) + ")")
    print(f"\n1. corpus: {corpus_line}, ready in {time.perf_counter() - start:.1f} s")
    print(gen.describe(files))

    # 2. veille read + parse + chunk
    print("\n2. veille: read + decode + detect + parse + chunk")
    pipeline = run_pipeline(paths)
    print_pipeline(pipeline)

    # 3. peers
    peers: list[Rate] = []
    if not args.skip_peers:
        print("\n3. peers on the same raw text (read + UTF-8 decode + split)")
        config = ChunkingConfig()
        peers = run_peers(paths, chars=config.max_tokens * 4, overlap_chars=200, tokens=config.max_tokens,
                          sentence_mb=args.sentence_mb)
        for rate in peers:
            if rate.skipped:
                print(f"  {rate.name}: skipped — {rate.skipped}")
            else:
                print(f"  {rate.name}: {rate.mb_per_s:.1f} MB/s, {rate.chunks_per_s:,.0f} chunks/s "
                      f"({rate.chunks:,} chunks, {rate.seconds:.1f} s) {rate.note}")

    # 4. whole ingest
    print("\n4. veille: KnowledgeBase.ingest (decode, detect, parse, chunk, topics, analysis, SQLite + BM25 postings)")
    db_path = out / "bench.db"
    remove_db(db_path)
    kb = KnowledgeBase(db_path, workers=args.workers, embed=False)
    workers = args.workers or min(os.cpu_count() or 1, 4)
    first, failed = ingest(kb, corpus_dir, f"veille KnowledgeBase.ingest ({corpus_mb:.0f} MB into an empty KB)")
    first.note = f"{workers} parse process{'es' if workers > 1 else ''}"
    checkpoint(kb)
    db_size = db_bytes(db_path)
    print(f"  {first.mb_per_s:.1f} MB/s, {first.chunks_per_s:,.0f} chunks/s ({first.chunks:,} chunks in "
          f"{first.seconds:.1f} s); database {db_size / MB:.1f} MB")
    for line in failed[:10]:
        print(f"  failed: {line}")
    ingests = [first]

    # 5. grow to --chunks, then search
    chunks = kb.store.stats()["chunks"]
    extra_mb = 0.0
    batch = 0
    while chunks < args.chunks:
        batch += 1
        per_mb = chunks / max(corpus_mb + extra_mb, 1e-9)
        need = (args.chunks - chunks) / max(per_mb, 1.0) * 1.05 + 1
        more_dir = out / "corpus_more" / f"batch{batch}"
        print(f"\n5. growing the KB: {chunks:,} chunks < {args.chunks:,}; generating {need:.0f} MB more "
              f"(seed {args.seed + batch}) in {more_dir}")
        more = gen.generate_corpus(more_dir, round(need, 1), args.seed + batch, tag=f"_b{batch}")
        extra_mb += sum(f.bytes for f in more) / MB
        rate, failed = ingest(kb, more_dir, f"veille ingest continued (batch {batch}) into a KB of "
                                            f"{n(chunks)} chunks")
        rate.note = first.note
        ingests.append(rate)
        print(f"  {rate.mb_per_s:.1f} MB/s, {rate.chunks_per_s:,.0f} chunks/s ({rate.chunks:,} chunks in "
              f"{rate.seconds:.1f} s)")
        for line in failed[:10]:
            print(f"  failed: {line}")
        chunks = kb.store.stats()["chunks"]
    checkpoint(kb)
    growth = (f"the KB grown with {extra_mb:.1f} MB more generated text (other seeds) to "
              f"{n(chunks)} chunks, {db_bytes(db_path) / MB:.0f} MB on disk" if batch
              else f"the {corpus_mb:.0f} MB KB, {n(chunks)} chunks")
    print(f"\n5. search: {args.queries} queries after 50 warm-up queries; {growth}")
    # Searched from a fresh process, as `veille search` or a server would: this one has loaded the peers
    # (chonkie's and toktok's thread pools) and ingested; here its p95 came out ≈ 40 ms against ≈ 19 ms.
    kb.close()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        search = pool.submit(search_in_fresh_process, str(db_path), args.queries, args.seed).result()
    kb = KnowledgeBase(db_path, embed=False)
    lat = search.latencies_ms
    print(f"  p50 {percentile(lat, 50):.1f} ms · p95 {percentile(lat, 95):.1f} ms · p99 {percentile(lat, 99):.1f} ms"
          f" · max {max(lat):.1f} ms · {search.hits:.1f} results/query")
    for group, values in [*sorted(search.by_group.items()), *search.by_share.items()]:
        if values:
            print(f"  {group:<8} n={len(values):3d} p50 {percentile(values, 50):6.1f} ms  "
                  f"p95 {percentile(values, 95):6.1f} ms  max {max(values):6.1f} ms")
    kb.close()

    if args.profile:
        sample = _first_megabytes(paths, args.profile_mb)
        profile(f"read+detect+parse+chunk on {len(sample)} files", lambda: run_pipeline(sample),
                out / "pipeline.prof")
        sample_dir = out / "profile_sample"
        shutil.rmtree(sample_dir, ignore_errors=True)
        sample_dir.mkdir()
        for path in sample:
            shutil.copy(path, sample_dir / path.name)
        remove_db(out / "profile.db")
        with KnowledgeBase(out / "profile.db", workers=1, embed=False) as pkb:  # one process: cProfile sees all the work
            profile(f"KnowledgeBase.ingest(workers=1) on {len(sample)} files", lambda: pkb.ingest(sample_dir),
                    out / "ingest.prof")
        shutil.rmtree(sample_dir, ignore_errors=True)
        remove_db(out / "profile.db")

    table = markdown(env, corpus_line, pipeline, peers, ingests, db_size, search, growth)
    (out / "results.md").write_text(table, "utf-8")
    print(f"\npeak memory {peak_rss_mb():.0f} MB\n\n{table}")
    print(f"(written to {out / 'results.md'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
