"""Four `veille ingest` processes at once, on exports of the same chats that overlap (a chat exported three
times as it grew), into each store: every message ends stored exactly once, no ingest fails, and searches
run meanwhile are all answered. Real processes, real locks, a real PostgreSQL."""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from veille import KnowledgeBase

from .conftest import ROOT, rows

ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
CHATS = 8
MESSAGES = 60
EXPORTS = {"court": 30, "moyen": 45, "long": MESSAGES}  # each export holds the first N messages of the chat
_WORDS = ("coût", "énergie", "data center", "GPU", "réseau", "souveraineté", "nucléaire", "calcul", "budget")


def _write_exports(root: Path) -> None:
    """Each chat exported three times as it grew (the first 30, 45 and 60 messages), one folder per export."""
    for c in range(CHATS):
        rng = random.Random(c)
        people = [f"Personne{c}{p}" for p in "ABC"]
        when = datetime(2025, 1, 1) + timedelta(days=7 * c)
        lines = []
        for m in range(MESSAGES):
            when += timedelta(minutes=rng.randint(1, 40))
            words = " ".join(rng.sample(_WORDS, 3))
            lines.append(f"{when:%d/%m/%Y %H:%M} - {rng.choice(people)}: Message {m} du fil {c} sur {words}.")
        for name, count in EXPORTS.items():
            folder = root / name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"fil_{c}.txt").write_text("\n".join(lines[:count]) + "\n", encoding="utf-8")


def _veille(db: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "veille", "--db", db, "--no-embed", *args]


def test_four_ingests_of_overlapping_exports_store_every_message_once(backend, tmp_path):
    root = tmp_path / "exports"
    _write_exports(root)
    runs = [[root / "court"], [root / "long"], [root / "moyen", root / "court"], [root / "long", root / "moyen"]]
    ingests = [subprocess.Popen(_veille(backend, "ingest", *map(str, paths)), env=ENV, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for paths in runs]
    searches: list[subprocess.CompletedProcess] = []
    started = time.monotonic()
    while backend.endswith(".db") and not Path(backend).exists() and time.monotonic() - started < 60:
        time.sleep(0.05)  # a search before the first ingest made the file is refused ("no knowledge base at")
    while any(p.poll() is None for p in ingests) or len(searches) < 3:
        searches.append(subprocess.run(_veille(backend, "search", "coût du réseau", "-k", "3"), env=ENV,
                                       capture_output=True, text=True, timeout=120))
    outputs = [p.communicate(timeout=300) for p in ingests]
    for process, (out, err) in zip(ingests, outputs):
        assert process.returncode == 0, err
        assert "Traceback" not in err and "failed" not in out, out + err
    assert not [s.stderr for s in searches if s.returncode != 0]
    with KnowledgeBase(backend) as kb:
        assert kb.check() == []
        texts = [r[0] for r in rows(kb.store, "SELECT text FROM units WHERE kind = 'message'")]
        assert kb.search("Message du fil", k=3)
    found = Counter(re.match(r"Message (\d+) du fil (\d+)", t).groups() for t in texts)
    assert len(found) == CHATS * MESSAGES  # every message of every chat is stored…
    assert set(found.values()) == {1}  # …once
