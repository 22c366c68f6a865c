"""Many small French files for the kill and concurrency tests: WhatsApp group chats and Markdown notes.

Each file is its own conversation or note (its own people, times and sentences), so every one is a
separate document; the same seed gives the same bytes.

    python bench/small_corpus.py OUT --files 200 [--messages 40] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_corpus as corpus  # noqa: E402  (the French sentence vocabulary)

_FIRST = ["Léa", "Karim", "Julie", "Thomas", "Sarah", "Paul", "Camille", "Inès", "Hugo", "Nadia", "Yanis", "Emma"]
_LAST = ["Fontaine", "Benali", "Marchand", "Girard", "Cohen", "Moreau", "Laurent", "Haddad", "Petit", "Roux"]


def write_corpus(folder: str | Path, files: int, messages: int = 40, seed: int = 1, prefix: str = "") -> list[Path]:
    """``files`` small files in ``folder`` (two WhatsApp chats for each Markdown note); their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n in range(files):
        rng = random.Random(f"{seed}-{prefix}-{n}")
        text = corpus.FrenchText(rng)
        if n % 3 == 2:
            path = folder / f"{prefix}note_{n:04d}.md"
            paragraphs = [" ".join(text.sentence() for _ in range(rng.randint(2, 5))) for _ in range(messages // 4 + 1)]
            path.write_text(f"# Note {prefix}{n} sur {text.obj()}\n\n" + "\n\n".join(paragraphs) + "\n",
                            encoding="utf-8")
        else:
            path = folder / f"{prefix}chat_{n:04d}.txt"
            people = [f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(4)]
            when = datetime(2024, 1, 1) + timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440))
            lines = []
            for _ in range(messages):
                when += timedelta(minutes=rng.randint(1, 30))
                lines.append(f"{when:%d/%m/%Y %H:%M} - {rng.choice(people)}: {text.sentence('chat')}")
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="folder to write into")
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--messages", type=int, default=40, help="messages per chat (a note has about a quarter "
                                                                  "as many paragraphs)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    paths = write_corpus(args.out, args.files, args.messages, args.seed)
    print(f"{len(paths)} files, {sum(p.stat().st_size for p in paths):,} bytes in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
