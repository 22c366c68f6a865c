"""This checkout's ingest beside another checkout's, in one run: time, reports and search results.

Each measurement runs in a fresh process with the checkout's ``src`` first on ``sys.path``, the two
checkouts interleaved (A, B, A, B…) so that both see the same machine state; the best of ``--repeat`` runs
is kept (other jobs share the cores). Embeddings are off: this compares parsing, deciding, chunking,
indexing and storing. For each set of files it also ingests the same files a second time into the same
knowledge base (every file unchanged), and compares, between the checkouts: the ingest reports (as
``veille ingest --json`` prints them, made of the same paths), and the top 10 chunk ids and scores of a few
French queries.

    python bench/ingest_stage.py --before ../main/src /path/to/files …
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "src"

QUERIES = ["coût d'un data center", "souveraineté numérique européenne", "énergie nucléaire et IA",
           "qui a parlé du budget ?", "GPU", "réunion demain"]

# Runs in the measured process: ingest (timed), ingest again (timed), then the report and the searches.
_RUN = r"""
import json, sys, time
from veille import KnowledgeBase
db, workers, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
queries = json.loads(sys.stdin.read())
with KnowledgeBase(db, embed=False, workers=workers) as kb:
    start = time.perf_counter()
    report = kb.ingest(paths)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = kb.ingest(paths)
    second = time.perf_counter() - start
    hits = {q: [(h.chunk_id, round(h.score, 6)) for h in kb.search(q, k=10)] for q in queries}
    print(json.dumps({"first": first, "second": second, "report": report.as_dict(), "again": again.as_dict(),
                      "hits": hits, "stats": {k: v for k, v in kb.stats().items() if isinstance(v, int)}}))
"""


def measure(src: Path, paths: list[str], workers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-c", _RUN, str(Path(tmp) / "kb.db"), str(workers), *paths],
                              input=json.dumps(QUERIES), capture_output=True, text=True,
                              env={"PYTHONPATH": str(src), "VEILLE_EMBED": "0", "PATH": "/usr/bin:/bin"})
    if done.returncode:
        raise SystemExit(f"{src}: {done.stderr}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="the other checkout's src folder")
    parser.add_argument("--after", type=Path, default=HERE, help="this checkout's src folder (default)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--set", action="append", nargs="+", metavar=("NAME", "PATH"), required=True,
                        help="a named set of files and folders to ingest (repeat the option for several sets)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print("| files | workers | before: ingest s | after: ingest s | before: again s | after: again s | reports "
          "| searches |")
    print("|---|---|---|---|---|---|---|---|")
    for name, *paths in args.set:
        for workers in args.workers:
            runs: dict[str, list[dict]] = {"before": [], "after": []}
            for _ in range(args.repeat):
                runs["before"].append(measure(args.before, paths, workers))
                runs["after"].append(measure(args.after, paths, workers))
            best = {side: min(r["first"] for r in rs) for side, rs in runs.items()}
            again = {side: min(r["second"] for r in rs) for side, rs in runs.items()}
            b, a = runs["before"][0], runs["after"][0]
            same_report = b["report"] == a["report"] and b["again"] == a["again"]
            same_hits = b["hits"] == a["hits"] and {**b["stats"], "bytes": 0} == {**a["stats"], "bytes": 0}
            if not same_report:
                for fb, fa in zip(b["report"]["files"], a["report"]["files"]):
                    if fb != fa:
                        print(f"  report differs: {json.dumps(fb)[:300]}\n               {json.dumps(fa)[:300]}",
                              file=sys.stderr)
            print(f"| {name} | {workers} | {best['before']:.2f} | {best['after']:.2f} | {again['before']:.2f} "
                  f"| {again['after']:.2f} | {'same' if same_report else 'DIFFER'} "
                  f"| {'same' if same_hits else 'DIFFER'} |", flush=True)


if __name__ == "__main__":
    main()
