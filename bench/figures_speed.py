"""What figure extraction adds to parse+chunk time, on the seed corpus, PIAF's passages and a generated French corpus.

    python bench/figures_speed.py [--mb 10] [--repeat 3] [--out bench/out/figures]

Each corpus is read into memory, then parsed and chunked (decode, detect, load, chunk with exact cl100k
counts, topics: ``Pipeline.parse_bytes`` + ``Pipeline.chunk``, as an ingest worker does) with figure
extraction off and on, the two runs interleaved ``--repeat`` times; the best time of each is kept. Also
printed: extraction alone over the same units, and how many figures it found. Prints numbers, never a
verdict (the target is at most 10 % more).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_corpus as gen  # noqa: E402
from machine import cpu_model, version  # noqa: E402

from veille.chunking import ChunkingConfig  # noqa: E402
from veille.enrich.figures import extract_figures  # noqa: E402
from veille.pipeline import Pipeline  # noqa: E402
from veille.text.tokens import DEFAULT_COUNTER, make_counter  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "corpus"
PIAF = ROOT.parent / "shared" / "realdata" / "piaf" / "corpus.jsonl"


def parse_and_chunk(pipeline: Pipeline, files: list[tuple[str, bytes]]) -> tuple[float, int, int]:
    """Seconds to parse and chunk every file; units and figures found."""
    units = figures = 0
    started = time.perf_counter()
    for name, data in files:
        doc, _ = pipeline.parse_bytes(data, name)
        pipeline.chunk(doc)
        units += len(doc.units)
        figures += sum(len(u.figures or ()) for u in doc.units)
    return time.perf_counter() - started, units, figures


def extraction_alone(pipeline: Pipeline, files: list[tuple[str, bytes]]) -> float:
    """Seconds of ``extract_figures`` over every unit of the files (parsed beforehand, not timed)."""
    texts = [u.text for name, data in files for u in pipeline.parse_bytes(data, name)[0].units]
    started = time.perf_counter()
    for text in texts:
        extract_figures(text)
    return time.perf_counter() - started


def measure(label: str, files: list[tuple[str, bytes]], repeat: int) -> list[str]:
    counter = make_counter(DEFAULT_COUNTER)
    without = Pipeline(DEFAULT_COUNTER, ChunkingConfig(), counter=counter, figures=False)
    with_figures = Pipeline(DEFAULT_COUNTER, ChunkingConfig(), counter=counter, figures=True)
    parse_and_chunk(with_figures, files[:20])  # warm-up: regexes compiled, tokenizer loaded
    off, on = [], []
    units = found = 0
    for _ in range(repeat):
        off.append(parse_and_chunk(without, files)[0])
        seconds, units, found = parse_and_chunk(with_figures, files)
        on.append(seconds)
    alone = min(extraction_alone(without, files) for _ in range(repeat))
    megabytes = sum(len(d) for _, d in files) / 1e6
    best_off, best_on = min(off), min(on)
    return [label, f"{len(files)}", f"{megabytes:.2f}", f"{units}", f"{found}", f"{best_off:.2f} s",
            f"{best_on:.2f} s", f"{100 * (best_on - best_off) / best_off:+.1f} %",
            f"{alone:.2f} s ({100 * alone / best_off:.1f} %)", f"{megabytes / alone:.1f}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=10, help="size of the generated corpus in MB (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved runs of each setting (default 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "figures",
                        help="where the generated corpus goes (default bench/out/figures)")
    args = parser.parse_args(argv)
    corpus = gen.generate_corpus(args.out, args.mb)
    generated = [(str(args.out / f.path), (args.out / f.path).read_bytes()) for f in corpus]
    seeds = [(str(p), p.read_bytes()) for p in sorted(SEEDS.glob("*.txt"))]
    print(f"veille {version('veille')} · {cpu_model()} · best of {args.repeat} interleaved runs, one process")
    header = ["corpus", "files", "MB", "units", "figures", "parse+chunk without", "with figures", "added",
              "extraction alone", "extraction MB/s"]
    rows = [measure("seed corpus", seeds, max(args.repeat, 5))]
    if PIAF.is_file():  # real French prose (Wikipedia), where figures are far sparser than in the generated corpus
        passages = [json.loads(line) for line in PIAF.open(encoding="utf-8")]
        piaf = [(f"piaf_{p['_id']}.txt", f"{p['title']}\n\n{p['text']}\n".encode()) for p in passages]
        rows.append(measure("PIAF passages", piaf, args.repeat))
    rows.append(measure(f"generated ({args.mb:g} MB)", generated, args.repeat))
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if n == 0 else "---:" for n in range(len(header))) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
