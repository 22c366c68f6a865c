"""What only the PostgreSQL store has to say: how it is reached, what the server must allow, its settings."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from veille import KnowledgeBase
from veille.errors import StoreUnavailable
from veille.store import Filters, is_server, open_store

from .conftest import ROOT, seed


def test_a_uri_names_a_server_and_anything_else_a_file():
    assert is_server("postgresql://u@h/db") and is_server("postgres://u@h/db") and is_server("POSTGRESQL://h/db")
    assert not is_server("veille.db") and not is_server("./postgresql:/x.db")


def test_the_password_is_never_shown(pg_uri):
    uri = pg_uri.replace("postgres:@", "postgres:s3cret@")
    store = open_store(uri)
    try:
        assert "s3cret" not in store.path and store.stats()["path"] == store.path
    finally:
        store.close()


def test_a_user_who_may_not_create_the_extension_is_told_what_to_run(pg_server):
    import psycopg

    with psycopg.connect(pg_server.get_uri(), autocommit=True) as admin:
        admin.execute("DROP ROLE IF EXISTS veille_lecteur")
        admin.execute("CREATE ROLE veille_lecteur LOGIN")
        admin.execute("DROP DATABASE IF EXISTS sans_vector")
        admin.execute("CREATE DATABASE sans_vector OWNER veille_lecteur")
    uri = pg_server.get_uri("sans_vector").replace("postgres:@", "veille_lecteur@").replace("postgres@", "veille_lecteur@")
    with pytest.raises(StoreUnavailable, match="CREATE EXTENSION vector"):
        KnowledgeBase(uri)
    with psycopg.connect(pg_server.get_uri("sans_vector"), autocommit=True) as admin:
        admin.execute("CREATE EXTENSION vector")  # what the message says to run: then it opens
    with KnowledgeBase(uri) as kb:
        assert kb.ingest(seed("003")).ok


def test_without_psycopg_the_error_names_the_extra(pg_uri):
    script = ("import sys; sys.modules['psycopg'] = None\n"
              "from veille.store import open_store\n"
              f"open_store({pg_uri!r})\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode != 0 and "pip install 'veille[postgres]'" in done.stderr


def test_ef_search_is_a_setting_and_k_above_it_still_gets_k(pg_uri):
    store = open_store(pg_uri)
    try:
        assert store.db.execute("SHOW hnsw.ef_search").fetchone()["hnsw.ef_search"] == "400"
    finally:
        store.close()
    with KnowledgeBase(pg_uri) as kb:
        assert kb.ingest([seed("002"), seed("003"), seed("004")]).ok
        chunks = kb.stats()["chunks"]
    from veille.store.postgres import PostgresStore

    store = PostgresStore(pg_uri, ef_search=5)
    try:
        assert store.db.execute("SHOW hnsw.ef_search").fetchone()["hnsw.ef_search"] == "5"
        rng = np.random.default_rng(3)
        vectors = rng.standard_normal((chunks, 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.put_vectors(list(range(1, chunks + 1)), vectors)
        store.db.execute("SET enable_seqscan = off")  # the index answers, even on this small table
        assert len(store.rank_dense(vectors[0], Filters(), 30)) == 30  # ef_search raised to k for the query
        assert store.db.execute("SHOW hnsw.ef_search").fetchone()["hnsw.ef_search"] == "5"
    finally:
        store.close()


def test_a_lost_connection_stops_a_batch_with_a_clear_error_and_keeps_what_was_committed(pg_uri, tmp_path):
    import psycopg

    from veille.errors import StoreUnavailable

    with KnowledgeBase(pg_uri) as kb:
        assert kb.ingest(seed("002")).ok
        (tmp_path / "note.txt").write_text("Une note sur le réseau électrique.\n", encoding="utf-8")
        doc, _ = kb.parse_bytes((tmp_path / "note.txt").read_bytes(), str(tmp_path / "note.txt"))
        chunks = kb.chunk(doc)
        with psycopg.connect(pg_uri, autocommit=True) as admin:  # the server ends veille's session
            admin.execute("SELECT pg_terminate_backend(%s)", (kb.store.db.info.backend_pid,))
        with pytest.raises(StoreUnavailable, match="connection to the server was lost"):
            with kb.store.batch():
                kb.store.put_document(doc, chunks, kb.pipeline.index_terms(chunks), "fp")
    with KnowledgeBase(pg_uri) as kb:
        assert [d.source.rsplit("/", 1)[-1] for d in kb.documents()] == [seed("002").name] and kb.check() == []


def test_searching_needs_only_a_read_only_session(pg_uri):
    """What a read replica (a hot standby) allows: every read of a search, of show and of stats, and no write."""
    with KnowledgeBase(pg_uri) as kb:
        assert kb.ingest([seed("002"), seed("003")]).ok
        chunks = kb.stats()["chunks"]
        vectors = np.random.default_rng(5).standard_normal((chunks, 384)).astype(np.float32)
        kb.store.put_vectors(list(range(1, chunks + 1)), vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
        hits = kb.search("énergie nucléaire", k=5)
        expected, kind = [h.chunk_id for h in hits], hits[-1].kind
        filtered = [h.chunk_id for h in kb.search("énergie nucléaire", k=5, kind=kind)]
        query = vectors[0] / np.linalg.norm(vectors[0])
        nearest = [r.rowid for r in kb.store.rank_dense(query, Filters(), 5)]
    separator = "&" if "?" in pg_uri else "?"
    readonly = f"{pg_uri}{separator}options=-c%20default_transaction_read_only%3Don"
    with KnowledgeBase(readonly) as kb:
        assert kb.store.db.execute("SHOW default_transaction_read_only").fetchone()["default_transaction_read_only"] == "on"
        assert expected and [h.chunk_id for h in kb.search("énergie nucléaire", k=5)] == expected
        assert filtered and [h.chunk_id for h in kb.search("énergie nucléaire", k=5, kind=kind)] == filtered
        assert [r.rowid for r in kb.store.rank_dense(query, Filters(), 5)] == nearest
        assert kb.stats()["chunks"] == chunks
        doc = kb.store.documents()[0]
        assert kb.store.document_text(doc.id)
        with pytest.raises(StoreUnavailable, match="takes reads only.*primary"):  # a write is refused, clearly
            kb.remove(doc.id)
        assert kb.store.document(doc.id) is not None


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_developer_server_stops_and_deletes_its_data(stop):
    """`python -m veille.devdb` started in the background (SIGINT ignored by the shell) or stopped with kill."""
    import psycopg

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen([sys.executable, "-m", "veille.devdb"], stdout=subprocess.PIPE, text=True, env=env,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        uri = ""
        for line in process.stdout:
            if "VEILLE_DB=" in line:
                uri = line.split("'")[1]
                break
        folder = Path(uri.split("host=")[1])
        with psycopg.connect(uri) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
        assert folder.is_dir()
        process.send_signal(stop)
        assert process.wait(timeout=60) == 0
        assert not folder.exists()
    finally:
        if process.poll() is None:
            process.kill()
