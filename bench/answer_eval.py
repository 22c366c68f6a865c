"""How well ``veille ask`` answers PIAF's questions, beside three baselines, in one run; and the test suite's
answer gate (a smaller sample) with ``--pin`` to measure and pin its floors.

    python bench/answer_eval.py [--sample 150] [--seed 1] [--distractors 350]   # the full table
    python bench/answer_eval.py --pin                                             # re-pin the gate's floors

Each question is searched in hybrid mode over its gold passage and the distractors; the rows say how often
the sentence(s) shown hold one of the question's gold answers (``queries.jsonl``: ``answers``), and for
veille how often the first sentence's citation lies in the gold passage. Baselines, on the same search
results: the first sentence of the top chunk, the best BM25 sentence of the top chunks, the sentence of the
top chunks closest to the question under multilingual-e5-small.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from veille import __version__  # noqa: E402
from veille.answer_eval import ROWS, AnswerEvalReport, evaluate_answers  # noqa: E402

PIAF = ROOT.parent / "shared" / "realdata" / "piaf"
BASELINE = ROOT / "tests" / "eval" / "answer_baseline.json"
#: The test suite's gate: 60 questions over their passages and 140 others (a minute of embedding on 2 cores).
GATE = {"sample": 60, "seed": 1, "distractors": 140}


def gate_report() -> AnswerEvalReport:
    return evaluate_answers(PIAF, embed=True, **GATE)


def floor_of(value: float) -> float:
    """The value rounded down to two decimals, less 0.01: room for noise, not for a regression."""
    return round(math.floor(value * 100) / 100 - 0.01, 2)


def pin() -> None:
    started = time.perf_counter()
    report = gate_report()
    seconds = time.perf_counter() - started
    print(report.table())
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    measured = {r.name: round(r.contains, 4) for r in report.rows}
    cited = report.row(ROWS[0]).cited or 0.0
    baseline = {
        "note": "Floors of the answer gate (tests/test_answer_eval.py), pinned by bench/answer_eval.py --pin on "
                "../shared/realdata/piaf with 'settings': each floor is the value measured then, rounded down to "
                "two decimals less 0.01. The test fails when a figure falls below its floor, and when a floor is "
                "more than 0.03 under its measured value: lowering one means re-measuring, which shows in the diff.",
        "measured_on": {"date": datetime.date.today().isoformat(), "commit": commit, "veille": __version__,
                        "gate_seconds": round(seconds, 1), "mode": report.mode},
        "settings": {**GATE, "sample": report.questions},
        "measured": {**measured, "cited": round(cited, 4)},
        "floors": {name: floor_of(value) for name, value in measured.items() if name in ROWS[:2]},
        "cited_floor": floor_of(cited),
    }
    BASELINE.write_text(json.dumps(baseline, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"pinned in {BASELINE.relative_to(ROOT)} ({seconds:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--distractors", type=int, default=350)
    parser.add_argument("--db", help="keep the ingested knowledge base here (a second run skips the embedding)")
    parser.add_argument("--pin", action="store_true", help="measure the gate's sample and pin its floors")
    args = parser.parse_args(argv)
    if args.pin:
        pin()
        return 0
    print(f"veille {__version__} · {os.cpu_count()} cores · load {os.getloadavg()[0]:.1f}", flush=True)
    started = time.perf_counter()
    report = evaluate_answers(PIAF, sample=args.sample, seed=args.seed, distractors=args.distractors, db=args.db,
                              progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(report.table())
    print(f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
