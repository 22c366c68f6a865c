"""The dense graph of the SQLite store (usearch HNSW beside the file): the same answers as brute force,
rows added or removed since the graph was written, filters, a damaged graph file, two processes, and
brute force when the graph is off.

The vectors are synthetic (seeded from each chunk's row id, 16 dimensions, in clusters) and the graph
threshold lowered to a few hundred rows: the store's own code runs, on files a test makes in seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from veille import KnowledgeBase
from veille.store import Filters
from veille.store.sqlite import SQLiteStore
from veille.store.vectors import DenseSettings

pytest.importorskip("usearch", reason="the graph needs the embed extra: pip install 'veille[embed]'")

ROOT = Path(__file__).resolve().parents[1]
DIMS = 16
SMALL = DenseSettings(threshold=200, exact_below=40, refresh_rows=10_000, refresh_share=1.0,
                      expansion_search=256, threads=1)
CENTRES = np.random.default_rng(99).standard_normal((12, DIMS))


def vector_of(rowid: int) -> np.ndarray:
    """The test vector of a chunk row: one of 12 cluster centres plus noise, unit length."""
    rng = np.random.default_rng(rowid)
    v = CENTRES[rowid % len(CENTRES)] + 0.5 * rng.standard_normal(DIMS)
    return (v / np.linalg.norm(v)).astype(np.float32)


def write_docs(folder: Path, names: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{name}.txt").write_text(f"Note {name}.\n\nLe document {name} parle du réseau {name}.\n",
                                            encoding="utf-8")


def give_vectors(store: SQLiteStore) -> int:
    """A vector for every chunk without one; how many."""
    missing = [m.rowid for m in store.missing_vectors(10**6)]
    if missing:
        store.put_vectors(missing, np.stack([vector_of(r) for r in missing]))
    return len(missing)


def ingest(db: Path, folder: Path, settings: DenseSettings = SMALL) -> None:
    with KnowledgeBase(db, embed=False) as kb:
        kb.store.dense_settings = settings
        assert kb.ingest(folder).ok
        give_vectors(kb.store)


@contextmanager
def open_store(db: Path, settings: DenseSettings = SMALL) -> Iterator[SQLiteStore]:
    store = SQLiteStore(db)
    store.dense_settings = settings
    try:
        yield store
    finally:
        store.close()


def top(store: SQLiteStore, query: np.ndarray, k: int = 10, filters: Filters = Filters()) -> list[int]:
    return [r.rowid for r in store.rank_dense(query, filters, k)]


def queries(n: int = 20) -> list[np.ndarray]:
    rng = np.random.default_rng(5)
    found = []
    for i in range(n):
        v = CENTRES[i % len(CENTRES)] + 0.7 * rng.standard_normal(DIMS)
        found.append((v / np.linalg.norm(v)).astype(np.float32))
    return found


def graph_files(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f"{db.name}.*.usearch"))


@pytest.fixture
def big(tmp_path) -> Path:
    """A knowledge base of 300 documents (one chunk each, 150 under alpha/, 150 under beta/), its graph built."""
    write_docs(tmp_path / "src" / "alpha", [f"a{i:03d}" for i in range(150)])
    write_docs(tmp_path / "src" / "beta", [f"b{i:03d}" for i in range(150)])
    db = tmp_path / "kb.db"
    ingest(db, tmp_path / "src")
    with open_store(db) as store:
        assert store.count_vectors() == (300, 0)
        assert store.refresh_dense_graph().startswith("graph built")
    return db


def test_the_graph_answers_as_brute_force_does(big):
    assert len(graph_files(big)) == 1
    with open_store(big) as graph, open_store(big, DenseSettings(approximate=False)) as exact:
        for q in queries():
            assert top(graph, q) == top(exact, q)
        assert graph.stats()["dense_index"].startswith("usearch HNSW")
        assert "over 300 vectors, 0 scored exactly" in graph.stats()["dense_index"]
        assert exact.stats()["dense_index"] == "exact (brute force, 300 vectors): approximate search off"
        scores = [r.score for r in graph.rank_dense(queries()[0], Filters(), 10)]
        wanted = [r.score for r in exact.rank_dense(queries()[0], Filters(), 10)]
        assert np.allclose(scores, wanted, atol=2e-3)  # the graph scores float16 vectors with a float16 query


def test_below_the_threshold_it_stays_brute_force(tmp_path):
    write_docs(tmp_path / "src", [f"d{i}" for i in range(20)])
    ingest(tmp_path / "kb.db", tmp_path / "src")
    with open_store(tmp_path / "kb.db") as store:
        assert store.refresh_dense_graph() == "no graph: 20 vectors, below 200"
        top(store, queries()[0])
        assert store.stats()["dense_index"] == "exact (brute force, 20 vectors): below the graph threshold"
    assert graph_files(tmp_path / "kb.db") == []


def test_rows_added_after_the_graph_are_scored_beside_it(big, tmp_path):
    write_docs(tmp_path / "more", [f"c{i}" for i in range(30)])
    ingest(big, tmp_path / "more")  # refresh_share 1.0: the graph is not extended for 30 rows
    with open_store(big) as store, open_store(big, DenseSettings(approximate=False)) as exact:
        assert "over 300 vectors, 30 scored exactly" in (top(store, queries()[0]) and store.stats()["dense_index"])
        new = [rowid for rowid in range(301, 331)]
        for rowid in new:
            assert top(store, vector_of(rowid), 1) == [rowid]
        for q in queries():
            assert top(store, q) == top(exact, q)
        # folded in by the writer once the tail is past its share
        store.dense_settings = DenseSettings(threshold=200, refresh_rows=10, expansion_search=256, threads=1)
        assert store.refresh_dense_graph().startswith("graph extended: 30 vectors added, 330 in all")
        assert "over 330 vectors, 0 scored exactly" in (top(store, queries()[0]) and store.stats()["dense_index"])
        assert len(graph_files(big)) == 1
        for q in queries():
            assert top(store, q) == top(exact, q)


def test_removed_documents_never_come_back_even_when_their_row_ids_do(big, tmp_path):
    with KnowledgeBase(big, embed=False) as kb:
        [hit] = kb.store.hits(kb.store.rank_dense(vector_of(300), Filters(), 1))
        assert hit.rowid == 300  # the last document's chunk: its row id is the next one given out
        assert len(kb.remove(hit.source)) == 1
    with open_store(big) as store:
        assert 300 not in top(store, vector_of(300), 300)
        assert len(top(store, vector_of(300), 300)) == 299
    # a new document gets row id 300 again, with another vector: the graph's old one must not answer for it
    write_docs(tmp_path / "other", ["nouveau"])
    with KnowledgeBase(big, embed=False) as kb:
        assert kb.ingest(tmp_path / "other").ok
        assert [m.rowid for m in kb.store.missing_vectors(10)] == [300]
        fresh = vector_of(10_000)
        kb.store.put_vectors([300], fresh[None, :])
    with open_store(big) as store, open_store(big, DenseSettings(approximate=False)) as exact:
        assert "over 300 vectors, 1 scored exactly" in (top(store, fresh) and store.stats()["dense_index"])
        assert top(store, fresh, 1) == [300]
        for q in queries() + [vector_of(300)]:
            assert top(store, q) == top(exact, q)


def test_filters_are_honoured_by_the_graph_and_by_the_exact_subset(big):
    with open_store(big) as store, open_store(big, DenseSettings(approximate=False)) as exact:
        alpha = Filters(source="alpha")  # 150 rows: the graph, over-fetching
        narrow = Filters(source="a01")  # 10 rows: below exact_below, scored exactly
        for q in queries():
            found = store.hits(store.rank_dense(q, alpha, 10))
            assert len(found) == 10 and all("/alpha/" in h.source for h in found)
            assert top(store, q, 10, alpha) == top(exact, q, 10, alpha)
            assert top(store, q, 10, narrow) == top(exact, q, 10, narrow)
            assert len(top(store, q, 10, narrow)) == 10
        assert top(store, queries()[0], 10, Filters(source="nowhere")) == []


@pytest.mark.parametrize("damage", ["truncated", "missing", "garbage", "vectors truncated"])
def test_a_damaged_or_missing_graph_file_falls_back_to_brute_force_and_is_rebuilt(big, damage):
    [graph] = graph_files(big)
    vectors = graph.with_suffix(".vectors")
    assert vectors.exists()
    if damage == "vectors truncated":
        vectors.write_bytes(vectors.read_bytes()[:-7])
    elif damage == "truncated":
        graph.write_bytes(graph.read_bytes()[:5000])
    elif damage == "missing":
        graph.unlink()
    else:
        graph.write_bytes(os.urandom(graph.stat().st_size))
    with open_store(big) as store, open_store(big, DenseSettings(approximate=False)) as exact:
        for q in queries(5):
            assert top(store, q) == top(exact, q)
        if damage != "garbage":  # random bytes of the right size may or may not parse: only the rebuild is sure
            assert "unreadable" in store.stats()["dense_index"] and "exact (brute force" in store.stats()["dense_index"]
        assert store.refresh_dense_graph().startswith(
            "graph extended: 0 vectors added" if damage == "vectors truncated" else "graph built: 300 vectors added")
        top(store, queries()[0])
        assert store.stats()["dense_index"].startswith("usearch HNSW")
        assert len(graph_files(big)) == 1 and len(list(big.parent.glob("kb.db.*.vectors"))) == 1
        for q in queries():
            assert top(store, q) == top(exact, q)


def test_without_usearch_it_is_brute_force_and_says_so(big, monkeypatch):
    # usearch cannot be uninstalled for one test: the import is made to fail, as it would without the extra
    monkeypatch.setitem(sys.modules, "usearch.index", None)
    with open_store(big) as store, open_store(big, DenseSettings(approximate=False)) as exact:
        for q in queries(5):
            assert top(store, q) == top(exact, q)
        assert store.stats()["dense_index"] == ("exact (brute force, 300 vectors): usearch is not installed "
                                                "(pip install 'veille[embed]')")
        assert store.refresh_dense_graph() == "no graph: usearch is not installed"


WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from test_dense_index import SMALL, give_vectors, write_docs
    from veille import KnowledgeBase
    from veille.store.vectors import DenseSettings
    db, folder = Path(sys.argv[1]), Path(sys.argv[2])
    settings = DenseSettings(threshold=200, refresh_rows=8, refresh_share=0.0, expansion_search=256, threads=1)
    for n in range(12):  # 12 rounds of 5 documents; the graph is extended after each round
        write_docs(folder / f"round{n}", [f"w{n}_{i}" for i in range(5)])
        with KnowledgeBase(db, embed=False) as kb:
            kb.store.dense_settings = settings
            assert kb.ingest(folder / f"round{n}").ok
            give_vectors(kb.store)
            print(kb.store.refresh_dense_graph(), flush=True)
""")


def test_a_reader_beside_a_writer_sees_every_row_once_and_only_stored_ones(big, tmp_path):
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "tests")])}
    writer = subprocess.Popen([sys.executable, str(script), str(big), str(tmp_path / "w"), str(ROOT / "tests")],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    searches = 0
    with open_store(big) as store:
        while writer.poll() is None or searches < 5:
            for rowid in (5, 150, 299):
                found = top(store, vector_of(rowid), 10)
                assert found[0] == rowid and len(found) == len(set(found)) == 10
                assert len(store.hits(store.rank_dense(vector_of(rowid), Filters(), 10))) == 10
            searches += 1
        out, err = writer.communicate()
        assert writer.returncode == 0, err
        assert out.count("graph extended") >= 5
        assert store.count_vectors() == (360, 0)
        for rowid in range(301, 361):
            assert top(store, vector_of(rowid), 1) == [rowid]
        assert "over 360 vectors, 0 scored exactly" in store.stats()["dense_index"]
    assert len(graph_files(big)) == 1


def test_stats_say_which_dense_index_a_search_would_use_before_loading_it(big, tmp_path):
    with open_store(big) as store:
        assert store.stats()["dense_index"].startswith("usearch HNSW graph kb.db.")
        assert store.stats()["dense_index"].endswith("(300 vectors; not loaded yet)")
    with open_store(big, DenseSettings(threshold=1000)) as store:
        assert store.stats()["dense_index"] == "exact (brute force): 300 vectors, below the graph threshold (1000)"


def test_removals_alone_are_folded_into_the_graph(big):
    with KnowledgeBase(big, embed=False) as kb:
        removed = [kb.store.hits(kb.store.rank_dense(vector_of(r), Filters(), 1))[0].source for r in (10, 20, 30)]
        assert all(kb.remove(source) for source in removed)
    with open_store(big, replace(SMALL, refresh_rows=3)) as store, \
            open_store(big, DenseSettings(approximate=False)) as exact:
        assert store.refresh_dense_graph().startswith("graph extended: 0 vectors added, 297 in all")
        assert "over 297 vectors, 0 scored exactly" in (top(store, queries()[0]) and store.stats()["dense_index"])
        for q in queries() + [vector_of(10), vector_of(20)]:
            assert top(store, q) == top(exact, q)
