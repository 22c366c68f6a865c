"""Stopping an ingest: Ctrl-C and SIGTERM stop it cleanly, ``kill -9`` leaves no worker behind, and running
the same command again stores the rest exactly once. Real ``python -m veille ingest`` processes."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from veille import KnowledgeBase

from .conftest import ROOT, ctrl_c_as_a_terminal_sends_it, load_bench

small_corpus = load_bench("small_corpus")
kill_test = load_bench("kill_test")

FILES = 300


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("interrupt") / "sources"
    small_corpus.write_corpus(folder, FILES, messages=30, seed=3)
    return folder


def ingest_command(db: Path, folder: Path) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), VEILLE_EMBED="0")
    return [sys.executable, "-m", "veille", "--db", str(db), "ingest", str(folder)], env


def stored(db: Path) -> int:
    """Documents committed so far, read from another connection while the ingest writes."""
    if not db.exists():
        return 0
    with sqlite3.connect(db, timeout=5) as conn:
        try:
            return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        except sqlite3.OperationalError:  # the schema is not written yet
            return 0


def start_and_wait(db: Path, folder: Path, documents: int = 20) -> tuple[subprocess.Popen, list[int]]:
    """An ingest in its own process group (as a terminal runs it), once it has stored ``documents``; its workers."""
    command, env = ingest_command(db, folder)
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, preexec_fn=ctrl_c_as_a_terminal_sends_it)
    deadline = time.monotonic() + 60
    while stored(db) < documents:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the ingest stored nothing in 60 s"
        time.sleep(0.05)
    workers = kill_test.children(process.pid)
    assert len(workers) == 2, "the ingest parses in two worker processes"
    return process, workers


def finish_and_count(db: Path, folder: Path) -> re.Match:
    command, env = ingest_command(db, folder)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = re.search(r"^(?:(\d+) added)?(?:, )?(?:(\d+) unchanged)?$", done.stdout, re.M)
    assert summary, done.stdout
    return summary


def assert_stored_once(db: Path) -> None:
    with KnowledgeBase(db) as kb:
        assert kb.check() == []
        docs = kb.documents()
    assert len(docs) == FILES and len({d.source for d in docs}) == FILES


@pytest.mark.parametrize("stop, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_and_sigterm_stop_cleanly_and_the_same_command_finishes(corpus, tmp_path, stop, code):
    db = tmp_path / "kb.db"
    process, workers = start_and_wait(db, corpus)
    if stop == signal.SIGINT:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group, workers included
    else:
        process.send_signal(signal.SIGTERM)  # `kill PID`: the ingest alone
    out, err = process.communicate(timeout=60)
    assert process.returncode == code
    assert "Traceback" not in err and "Traceback" not in out
    said = re.search(r"^interrupted: (\d+) files done, (\d+) not read; run the same command again to finish$",
                     err, re.M)
    assert said, err
    done, not_read = int(said[1]), int(said[2])
    assert done + not_read == FILES and done >= 20
    assert kill_test.wait_gone(workers, 5.0) == []
    with KnowledgeBase(db) as kb:
        assert kb.check() == []
        assert kb.stats()["documents"] == done  # what it says it stored is what the file holds
    again = finish_and_count(db, corpus)
    assert int(again[1] or 0) == not_read and int(again[2] or 0) == done
    assert_stored_once(db)


def test_kill_9_leaves_no_worker_and_loses_nothing(corpus, tmp_path):
    db = tmp_path / "kb.db"
    process, workers = start_and_wait(db, corpus)
    process.kill()
    process.wait(timeout=10)
    process.stdout.close()
    process.stderr.close()
    assert kill_test.wait_gone(workers, 5.0) == []
    with KnowledgeBase(db) as kb:
        assert kb.check() == []
        before = kb.stats()["documents"]
    again = finish_and_count(db, corpus)
    assert int(again[1] or 0) == FILES - before and int(again[2] or 0) == before
    assert_stored_once(db)


def test_kill_9_at_random_moments(tmp_path):
    """The short version of bench/kill_test.py: five kills, each checked, re-ingested and counted."""
    outcomes = kill_test.run(5, seed=1, work=tmp_path)
    for outcome in outcomes:
        assert outcome.runs and not outcome.broken and not outcome.wrong_counts and outcome.orphans == 0


def test_the_library_raises_ingest_interrupted_with_what_was_stored(corpus, tmp_path):
    from veille.kb import IngestInterrupted

    calls = {"n": 0}

    def stop_after_some(progress):
        calls["n"] += 1
        if calls["n"] == 50:
            raise KeyboardInterrupt  # as Ctrl-C would, in the middle of the ingest

    with KnowledgeBase(tmp_path / "kb.db", workers=2) as kb:
        with pytest.raises(IngestInterrupted) as stopped:
            kb.ingest(corpus, progress=stop_after_some)
        report = stopped.value.report
        assert isinstance(stopped.value, KeyboardInterrupt) and report.interrupted
        assert report.count("added") == kb.stats()["documents"] and kb.check() == []
        assert len(report.files) + len(report.not_read) == FILES
        again = kb.ingest(corpus)
        assert again.count("added") == len(report.not_read) and again.count("unchanged") == len(report.files)
        assert not again.interrupted and kb.stats()["documents"] == FILES
