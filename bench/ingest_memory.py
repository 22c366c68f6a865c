"""Peak memory and time of ``veille ingest`` on big inputs, this checkout beside another, in one run.

Each ingest runs as its own process (``python -m veille --no-embed --db … ingest …``, parse workers
included) and its peak resident memory is read from ``wait4`` (the largest of the process and the
workers it waited for). Inputs, generated once under ``bench/out/memory/``:

- ``whatsapp``: a French WhatsApp export of ``--messages`` messages (default 1 000 000, about 134 MB),
  written by ``generate_whatsapp.py``;
- ``one-line``: ``--one-line-mb`` MB (default 100) of French prose on a single line;
- ``folder``: ``--files`` small chat and article files (default 5 000) in one folder.

    python bench/ingest_memory.py                      # this checkout
    python bench/ingest_memory.py --before /tmp/old    # and another checkout (git worktree add /tmp/old <commit>)
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate_corpus as corpus  # noqa: E402  (the French sentence vocabulary)
from machine import cpu_model, git_head  # noqa: E402

OUT = HERE / "out" / "memory"


def whatsapp_export(messages: int) -> Path:
    target = OUT / f"whatsapp_fr-android_{messages}msg.txt"
    if not target.exists():
        subprocess.run([sys.executable, str(HERE / "generate_whatsapp.py"), "--messages", str(messages),
                        "--out", str(OUT)], check=True, stdout=subprocess.DEVNULL)
    return target


def one_line_file(mb: float) -> Path:
    """French sentences on one line, no newline anywhere: the worst case of a text with no structure."""
    target = OUT / f"one_line_{mb:g}MB.txt"
    if target.exists():
        return target
    text = corpus.FrenchText(random.Random(7))
    size, limit = 0, int(mb * 1_000_000)
    with open(target, "w", encoding="utf-8") as out:
        while size < limit:
            sentence = text.sentence() + " "
            out.write(sentence)
            size += len(sentence.encode("utf-8"))
    return target


def many_files(count: int) -> Path:
    """``count`` small files (chats, articles, notes) in one folder."""
    target = OUT / f"folder_{count}"
    if target.exists() and sum(1 for _ in target.iterdir()) == count:
        return target
    target.mkdir(parents=True, exist_ok=True)
    text = corpus.FrenchText(random.Random(11))
    for n in range(count):
        if n % 2:
            lines = [f"{1 + m % 28:02d}/03/2024 {9 + m // 60 % 10:02d}:{m % 60:02d} - Personne {m % 5} : "
                     f"{text.sentence()}" for m in range(20)]
            (target / f"chat_{n:05d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            paragraphs = [" ".join(text.sentence() for _ in range(4)) for _ in range(5)]
            (target / f"note_{n:05d}.md").write_text(f"# Note {n}\n\n" + "\n\n".join(paragraphs) + "\n",
                                                      encoding="utf-8")
    return target


def measure(src: Path, source: Path) -> tuple[float, float, int, str]:
    """(peak RSS in MB, seconds, exit code, last line of output) of one ingest into a new file."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "PYTHONPATH": str(src), "VEILLE_EMBED": "0"}
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "veille", "--no-embed", "--db", f"{scratch}/kb.db", "ingest",
                                 "--no-progress", str(source)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        lines = proc.stdout.read().splitlines()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    summary = next((ln for ln in reversed(lines) if ln and not ln.startswith("mode:")), "")
    return usage.ru_maxrss / 1024, seconds, os.waitstatus_to_exitcode(status), summary[:100]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout to measure beside this one")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--one-line-mb", type=float, default=100)
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--only", choices=["whatsapp", "one-line", "folder"], action="append")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    inputs = {
        "whatsapp": lambda: whatsapp_export(args.messages),
        "one-line": lambda: one_line_file(args.one_line_mb),
        "folder": lambda: many_files(args.files),
    }
    checkouts = [("this checkout", HERE.parent)] + ([("before", args.before)] if args.before else [])
    print(f"veille ingest --no-embed: peak RSS and time · {cpu_model()} · {os.cpu_count()} cores · "
          f"this checkout {git_head()}")
    print(f"{'input':<44} {'checkout':<14} {'peak RSS':>10} {'time':>9}  exit  summary")
    for name, make in inputs.items():
        if args.only and name not in args.only:
            continue
        source = make()
        size = sum(f.stat().st_size for f in source.rglob("*")) if source.is_dir() else source.stat().st_size
        label = f"{name}: {source.name} ({size / 1e6:.0f} MB)"
        for who, root in checkouts:
            peak, seconds, code, summary = measure(root / "src", source)
            print(f"{label:<44} {who:<14} {peak:>7.0f} MB {seconds:>7.1f} s  {code:>4}  {summary}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
