"""One batch of hostile inputs: every bad file reported with its reason, every good file stored, exit code 1,
no traceback (the whole command, as a user runs it)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

from .hostile_corpus import make_hostile_corpus


def test_a_hostile_folder_is_ingested_in_one_batch(tmp_path):
    corpus = tmp_path / "corpus"
    expect = make_hostile_corpus(corpus)
    db = tmp_path / "kb.db"
    run = subprocess.run([sys.executable, "-m", "veille", "--no-embed", "--db", str(db), "ingest", "--json",
                          str(corpus)], capture_output=True, timeout=300)
    assert run.returncode == 1, run.stderr.decode(errors="replace")
    assert b"Traceback" not in run.stderr
    report = json.loads(run.stdout)
    by_name = {os.path.relpath(f["path"], os.fsdecode(corpus)): f for f in report["files"]}
    for name, what in expect.items():
        shown = name.replace("\udce9", "\\xe9")  # a name that is not UTF-8 is reported with \xNN
        entry = by_name.get(shown)
        assert entry is not None, (name, sorted(by_name))
        if what == "added":
            assert entry["status"] == "added", (name, entry)
        else:
            assert entry["status"] in ("failed", "skipped"), (name, entry)
            assert what.lower() in entry["reason"].lower(), (name, entry["reason"])
    stored = sqlite3.connect(db).execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    assert stored == sum(1 for what in expect.values() if what == "added") == report["counts"]["added"]


def test_the_printed_report_escapes_names_and_says_every_reason(tmp_path):
    corpus = tmp_path / "corpus"
    expect = make_hostile_corpus(corpus)
    run = subprocess.run([sys.executable, "-m", "veille", "--no-embed", "--db", str(tmp_path / "kb.db"), "ingest",
                          str(corpus)], capture_output=True, timeout=300)
    out = run.stdout.decode() + run.stderr.decode()
    assert run.returncode == 1 and "Traceback" not in out
    assert "\x1b" not in out and "deux\\nlignes.txt" in out and "\\x1b[31mrouge.txt" in out
    assert "caf\\xe9_latin1.txt" in out
    for what in set(expect.values()) - {"added"}:
        assert what.lower() in out.lower(), what
