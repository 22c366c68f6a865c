"""Pages per second and subtitle MB per second: veille beside trafilatura alone, and subtitle parsers.

Web pages: the 26 French pages of ``../shared/realdata/trafilatura-eval-fr/html/`` (read where they are,
never copied), each decoded once by ``veille.read.decode_bytes``; then, on the same text, in one process:

- ``trafilatura.extract(text)`` with its defaults (the reference: extraction alone);
- ``trafilatura.bare_extraction`` with the options veille uses (``veille.loaders.html.EXTRACT_OPTIONS``);
- ``veille.loaders.html.parse`` (extraction, metadata, units);
- veille's per-file pipeline: ``Pipeline.parse_bytes`` + chunks + topics + index terms (what ingest does
  before SQLite);
- ``KnowledgeBase.ingest`` of the folder of pages into an empty file (with SQLite).

Subtitles: generated French SRT, WebVTT and YouTube auto-caption VTT (``generate_subtitles.py``), parsed
by ``veille.loaders.subtitles.parse`` alone and with chunking, and by the ``srt`` and ``webvtt-py``
packages (parse only: they return cues, not sentences).

``python bench/page_speed.py`` (about a minute); ``--rounds`` repeats the page set, ``--mb`` sizes the
subtitle files.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_subtitles  # noqa: E402
from machine import cpu_model, version  # noqa: E402

HERE = Path(__file__).resolve().parent
PAGES = HERE.parent.parent / "shared" / "realdata" / "trafilatura-eval-fr" / "html"
MB = 1e6


def timed(run: Callable[[], object], rounds: int = 1) -> tuple[float, object]:
    """Best wall time of ``rounds`` runs (the machine is noisy), and the last result."""
    best, result = float("inf"), None
    for _ in range(rounds):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def page_rows(rounds: int) -> tuple[list[dict], str]:
    import trafilatura

    from veille.pipeline import Pipeline
    from veille.chunking import ChunkingConfig
    from veille.loaders import html
    from veille.read import decode_bytes
    from veille.text.tokens import DEFAULT_COUNTER, make_counter

    files = sorted(PAGES.glob("*.html"))
    if not files:
        raise SystemExit(f"no pages under {PAGES}: the benchmark needs ../shared beside the project")
    raw = [(f.name, f.read_bytes()) for f in files]
    texts = [(name, decode_bytes(data, name).text) for name, data in raw]
    size = sum(len(data) for _, data in raw) / MB
    pipeline = Pipeline(DEFAULT_COUNTER, ChunkingConfig(), make_counter(DEFAULT_COUNTER))

    def each(work: Callable[[str, str], object]) -> Callable[[], list]:
        return lambda: [work(name, text) for name, text in texts]

    def pipeline_work(name: str, data: bytes) -> int:
        doc, _ = pipeline.parse_bytes(data, name)
        chunks = pipeline.chunk(doc)
        pipeline.index_terms(chunks)
        return len(chunks)

    runs = [
        ("trafilatura.extract (defaults), extraction alone", each(lambda n, t: trafilatura.extract(t))),
        ("trafilatura.bare_extraction with veille's options",
         each(lambda n, t: trafilatura.bare_extraction(t, with_metadata=True, **html.EXTRACT_OPTIONS))),
        ("veille html.parse (extraction + metadata + units)", each(lambda n, t: html.parse(t, n))),
        ("veille pipeline: decode + detect + parse + chunk + topics + index terms",
         lambda: [pipeline_work(name, data) for name, data in raw]),
    ]
    rows = []
    base = None
    for label, run in runs:
        run()  # warm: imports, caches, the tokenizer
        seconds, _ = timed(lambda: [run() for _ in range(rounds)])
        pages = len(texts) * rounds
        base = base or seconds
        rows.append({"step": label, "pages": pages, "s": seconds, "pages_s": pages / seconds,
                     "mb_s": size * rounds / seconds, "x": seconds / base})
    rows.append(ingest_row(files, size))
    rows[-1]["x"] = rows[-1]["s"] / (base / rounds)
    return rows, f"{len(files)} pages, {size:.2f} MB of HTML, {rounds} rounds"


def ingest_row(files: list[Path], size: float) -> dict:
    from veille import KnowledgeBase

    with tempfile.TemporaryDirectory() as tmp, KnowledgeBase(Path(tmp) / "kb.db", embed=False) as kb:
        seconds, report = timed(lambda: kb.ingest(files))
    ok = report.count("added")
    return {"step": "veille KnowledgeBase.ingest of the pages (SQLite included)", "pages": ok, "s": seconds,
            "pages_s": ok / seconds, "mb_s": size / seconds}


def subtitle_rows(megabytes: float, out: Path) -> list[dict]:
    import srt
    import webvtt

    from veille.chunking import ChunkingConfig, chunk_document
    from veille.loaders import subtitles
    from veille.read import decode_bytes
    from veille.text.tokens import DEFAULT_COUNTER, make_counter

    counter = make_counter(DEFAULT_COUNTER)
    rows = []
    for layout in generate_subtitles.LAYOUTS:
        suffix = "srt" if layout == "srt" else "vtt"
        path = generate_subtitles.generate(out / f"{layout}_{megabytes:g}MB.{suffix}", layout, megabytes)
        data = path.read_bytes()
        size = len(data) / MB
        text = decode_bytes(data, path.name).text
        runs: list[tuple[str, Callable[[], int]]] = [
            ("veille subtitles.parse (sentences)", lambda: len(subtitles.parse(text, path.name).units)),
            ("veille parse + chunk (cl100k, 400 tokens)",
             lambda: len(chunk_document(subtitles.parse(text, path.name), counter, ChunkingConfig()))),
        ]
        if layout == "srt":
            runs.append(("srt.parse (cues only)", lambda: len(list(srt.parse(text)))))
        else:
            runs.append(("webvtt-py from_buffer (cues only)",
                         lambda: len(webvtt.from_buffer(io.StringIO(text)).captions)))
        for label, run in runs:
            try:
                seconds, count = timed(run, rounds=2)
            except Exception as exc:  # noqa: BLE001 - a peer that cannot read the layout is a result
                rows.append({"layout": layout, "step": label, "MB": size, "error": f"{type(exc).__name__}: {exc}"[:120]})
                continue
            rows.append({"layout": layout, "step": label, "MB": size, "s": seconds, "mb_s": size / seconds,
                         "units": count})
    return rows


def environment() -> str:
    packages = ("veille", "trafilatura", "lxml", "srt", "webvtt-py")
    return (f"{os.cpu_count()} CPU ({cpu_model()}) · Python {platform.python_version()} · "
            + " · ".join(f"{p} {version(p)}" for p in packages))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="times the page set is processed per timing")
    parser.add_argument("--mb", type=float, default=10, help="size of each generated subtitle file")
    parser.add_argument("--out", default=str(HERE / "out"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    print(environment(), "\n")
    pages, described = page_rows(args.rounds)
    print(f"Web pages ({described}); ×: time relative to trafilatura.extract alone\n")
    print("| step | pages | s | pages/s | MB/s | × |\n|---|---:|---:|---:|---:|---:|")
    for r in pages:
        print(f"| {r['step']} | {r['pages']} | {r['s']:.2f} | **{r['pages_s']:.1f}** | {r['mb_s']:.2f} | "
              f"{r['x']:.2f} |")
    subs = subtitle_rows(args.mb, out / "subtitles")
    print(f"\nSubtitles (generated French, about {args.mb:g} MB per layout; best of 2)\n")
    print("| layout | step | MB | s | MB/s | units |\n|---|---|---:|---:|---:|---:|")
    for r in subs:
        if "error" in r:
            print(f"| {r['layout']} | {r['step']} | {r['MB']:.1f} | – | – | could not read: {r['error']} |")
        else:
            print(f"| {r['layout']} | {r['step']} | {r['MB']:.1f} | {r['s']:.2f} | **{r['mb_s']:.1f}** | "
                  f"{r['units']:,} |")
    out.mkdir(parents=True, exist_ok=True)
    (out / "page_speed.json").write_text(json.dumps({"environment": environment(), "pages": pages,
                                                     "subtitles": subs}, indent=2, ensure_ascii=False))
    print(f"\n(written to {out / 'page_speed.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
