"""A knowledge base on a disk that fills up: the ingest stops cleanly, says what was stored, and a run once
there is room stores the rest exactly once. The disk is a real size-capped tmpfs (mounting needs root)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from veille import KnowledgeBase

from .conftest import DATA, EXAMPLES, SEEDS

SOURCES = [str(EXAMPLES), str(DATA / "whatsapp"), str(SEEDS)]


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a size-capped tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def _ingest(db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "veille", "--no-embed", "--db", str(db), "ingest", *SOURCES],
                          capture_output=True, text=True, timeout=300)


def test_a_full_disk_stops_the_ingest_and_a_later_run_stores_the_rest_once(small_disk, tmp_path):
    db = small_disk / "kb.db"
    first = _ingest(db)
    assert first.returncode == 1
    assert "Traceback" not in first.stderr
    assert "the disk is full:" in first.stderr and "run the same command again" in first.stderr
    done = int(first.stderr.split("the disk is full: ")[1].split(" files done")[0])
    with KnowledgeBase(db, embed=False) as kb:
        stored = len(kb.documents())
        assert kb.check() == []
    assert stored == first.stdout.count("\n+ ") + first.stdout.startswith("+ ")  # what it said it stored
    assert stored <= done
    subprocess.run(["mount", "-o", "remount,size=16m", str(small_disk)], check=True)
    second = _ingest(db)
    assert second.returncode == 0, second.stderr
    added = second.stdout.count("\n+ ") + second.stdout.startswith("+ ")
    with KnowledgeBase(tmp_path / "reference.db", embed=False) as reference:
        reference.ingest(SOURCES)
        expected = sorted(d.id for d in reference.documents())
    with KnowledgeBase(db, embed=False) as kb:
        assert sorted(d.id for d in kb.documents()) == expected  # every document, once
        assert kb.check() == []
    assert stored + added == len(expected)
