"""MB/s of each text loader on the generated corpus (``generate_corpus.py``), best of two, one process.

``python bench/loader_speed.py`` measures this checkout; ``--src OTHER/src`` measures another checkout's
loaders on the same files (e.g. ``git worktree add /tmp/old <commit>`` then ``--src /tmp/old/src``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

KINDS = (("post", "posts_*.txt"), ("transcript", "emission_*.txt"), ("article", "article_*.txt"),
         ("webchat", "chat_*.txt"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=str(Path(__file__).parent / "out" / "corpus"))
    parser.add_argument("--files", type=int, default=20, help="files per kind")
    parser.add_argument("--src", help="the src/ folder of another checkout to measure instead")
    args = parser.parse_args(argv)
    if args.src:
        sys.path.insert(0, args.src)
    from veille.read import decode_bytes

    corpus = Path(args.corpus)
    if not any(corpus.glob("*.txt")):
        raise SystemExit(f"no corpus in {corpus}: run python bench/generate_corpus.py --out {corpus}")
    print(f"loaders from {Path(decode_bytes.__code__.co_filename).parents[1]}")
    for name, pattern in KINDS:
        loader = importlib.import_module(f"veille.loaders.{name}")
        texts = [decode_bytes(f.read_bytes(), f.name).text for f in sorted(corpus.glob(pattern))[:args.files]]
        size = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            for text in texts:
                loader.parse(text, name)
            best = min(best, time.perf_counter() - start)
        print(f"  {name:11s} {size:5.1f} MB  {size / best:6.2f} MB/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
