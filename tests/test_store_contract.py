"""What every store must do, run on each store (the SQLite file, a PostgreSQL database): the ``store`` fixture.

Tests that compare the two stores (same rankings on the same ingest) open one of each.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from veille import KnowledgeBase
from veille.store import Filters, open_store

from .conftest import DATA, ROOT, SEEDS, seed

WHATSAPP = DATA / "whatsapp"


@pytest.fixture
def kb(backend):
    with KnowledgeBase(backend) as base:
        yield base


def _prepared(kb: KnowledgeBase, path: Path, source: str | None = None):
    """A file parsed, chunked and indexed as ingest does it: (document, chunks, terms)."""
    doc, _ = kb.parse_bytes(path.read_bytes(), str(path))
    doc.source = source or str(path)
    chunks = kb.chunk(doc)
    return doc, chunks, kb.pipeline.index_terms(chunks)


def _write_in_windows(kb: KnowledgeBase, doc, chunks) -> None:
    """Write a document as a stream does: its units and chunks 100 units at a time, then its text."""
    with kb.store.writing(doc, "fp") as writer:
        for start in range(0, len(doc.units), 100):
            window = doc.units[start:start + 100]
            writer.add_units(window)
            own = [c for c in chunks if start <= c.unit_start < start + 100]
            for c in own:  # chunks made from this window only
                c.unit_end = min(c.unit_end, start + len(window))
            writer.add_chunks(window, own, kb.pipeline.index_terms(own), first_unit=start)
        writer.add_text(doc.text)


def _counts(store) -> dict[str, int]:
    stats = store.stats()
    return {k: stats[k] for k in ("documents", "units", "chunks", "vectors")}


def test_a_document_is_stored_read_back_and_removed_whole(kb):
    store = kb.store
    doc, chunks, terms = _prepared(kb, seed("004"))
    store.put_document(doc, chunks, terms, "fp1")
    [listed] = store.documents()
    assert (listed.id, listed.source, listed.kind, listed.chunks, listed.units) == (
        doc.id, doc.source, doc.kind, len(chunks), len(doc.units))
    assert store.find_source(doc.source) == (doc.id, "fp1")
    assert store.has_document(doc.id) == doc.source
    assert store.document_text(doc.id) == doc.text
    units = store.units(doc.id, 0, 3)
    assert [u.text for u in units] == [u.text for u in doc.units[:3]]
    assert store.unit_at_line(doc.id, doc.units[2].line_start) == 2
    read = [c for c, _ in store.chunks(doc.id)]
    assert [(c.text, c.unit_start, c.unit_end, c.period, c.topics) for c in read] == [
        (c.text, c.unit_start, c.unit_end, c.period, c.topics) for c in chunks]
    assert store.check() == []
    assert store.remove(doc.id)
    assert _counts(store) == {"documents": 0, "units": 0, "chunks": 0, "vectors": 0}
    assert store.check() == [] and store.find_source(doc.source) is None and not store.remove(doc.id)


def test_a_document_that_fails_half_written_leaves_nothing_and_the_batch_keeps_the_others(kb):
    store = kb.store
    first = _prepared(kb, seed("002"))
    second_doc, second_chunks, second_terms = _prepared(kb, seed("003"))
    with store.batch():
        store.put_document(*first, "fp")
        with pytest.raises(RuntimeError):
            with store.writing(second_doc, "fp") as writer:
                writer.add_units(second_doc.units)
                writer.add_chunks(second_doc.units, second_chunks, second_terms)
                raise RuntimeError("failed half way")
    assert [d.id for d in store.documents()] == [first[0].id]
    assert store.check() == []
    with pytest.raises(RuntimeError):  # outside a batch: its own transaction, rolled back
        with store.writing(second_doc, "fp") as writer:
            writer.add_units(second_doc.units)
            raise RuntimeError("failed")
    assert [d.id for d in store.documents()] == [first[0].id] and store.check() == []


def test_a_document_replaces_the_one_it_names(kb, tmp_path):
    store = kb.store
    old = tmp_path / "note.txt"
    old.write_text("Première version de la note sur les datacenters.\n", encoding="utf-8")
    doc, chunks, terms = _prepared(kb, old)
    store.put_document(doc, chunks, terms, "v1")
    old.write_text("Seconde version : le coût des supercalculateurs.\n", encoding="utf-8")
    new, new_chunks, new_terms = _prepared(kb, old)
    store.put_document(new, new_chunks, new_terms, "v2", replace_id=doc.id)
    assert [(d.id, d.source) for d in store.documents()] == [(new.id, str(old))]
    assert store.find_source(str(old)) == (new.id, "v2")
    assert not store.rank_lexical(["premi"], Filters(), 5) and store.check() == []


def test_a_long_document_written_in_windows_reads_back_whole(kb):
    store = kb.store
    doc, chunks, _ = _prepared(kb, seed("004"))
    _write_in_windows(kb, doc, chunks)
    assert store.units(doc.id, 0, len(doc.units) + 1)[-1].idx == len(doc.units) - 1
    assert store.check() == []


def test_meta_is_kept(kb):
    assert kb.store.get_meta("nothing") is None
    kb.store.set_meta("colour", "bleu")
    kb.store.set_meta("colour", "rouge")
    assert kb.store.get_meta("colour") == "rouge"


def test_resolve_and_prefixes_take_percent_and_underscore_literally(kb, tmp_path):
    folder = tmp_path / "50%_de_remise"
    folder.mkdir()
    (folder / "a_b.txt").write_text("Un texte sur le calcul intensif.\n", encoding="utf-8")
    (tmp_path / "50xxde_remise.txt").write_text("Un autre texte sur l'énergie.\n", encoding="utf-8")
    assert kb.ingest([folder / "a_b.txt", tmp_path / "50xxde_remise.txt"]).ok
    by_source = {d.source: d.id for d in kb.documents()}
    literal = str(folder / "a_b.txt")
    assert kb.store.resolve(literal) == [by_source[literal]]
    assert kb.store.resolve(str(folder / "a%b.txt")) == []
    some_id = by_source[literal]
    assert kb.store.match_prefix(some_id[:8]) == [some_id]
    assert kb.store.match_prefix(some_id[:7] + "%") == [] and kb.store.match_prefix(some_id[:7] + "_") == []


def test_messages_shared_with_a_longer_export_are_found(kb, tmp_path):
    whole = (WHATSAPP / "android_fr.txt").read_text(encoding="utf-8").splitlines(keepends=True)
    short = tmp_path / "court.txt"
    short.write_text("".join(whole[: len(whole) // 2]), encoding="utf-8")
    assert kb.ingest(short).ok
    [doc] = kb.documents()
    stored = kb.store.count_messages(doc.id)
    assert stored > 3
    from veille.identity import message_keys

    parsed, _ = kb.parse_bytes((WHATSAPP / "android_fr.txt").read_bytes(), "long.txt")
    keys = [k for k in message_keys(parsed) if k]
    shared = kb.store.shared_messages(keys)
    # every message of the short export but perhaps its last (cut in the middle of its lines) is in the long one
    assert list(shared) == [doc.id] and stored - 1 <= len(shared[doc.id]) <= stored
    assert sorted(shared[doc.id].values()) == list(range(len(shared[doc.id])))
    assert kb.store.count_messages(doc.id, 1, 2) == 2


def test_claims_of_missing_vectors_do_not_overlap_and_a_dead_claim_is_let_go(kb, backend):
    assert kb.ingest([seed("002"), seed("003")]).ok
    chunks = kb.stats()["chunks"]
    first = open_store(backend)
    try:
        with first.claim_missing_vectors(4) as claimed:
            mine = [m.rowid for m in claimed]
            first.put_vectors(mine, _unit_vectors(len(mine)))
        assert len(mine) == 4 and first.count_vectors() == (4, chunks - 4)
        # a process that claims and dies: its claim ends with it, nothing of it stored
        held = _claim_in_process(backend, 3)
        assert len(held) == 3 and not set(held) & set(mine)
        # the server ends the dead process's transaction when it sees its connection close (at once, or a few
        # milliseconds later): until then its chunks are skipped, after it they are claimed again
        waited = time.monotonic()
        while True:
            with first.claim_missing_vectors(3) as again:
                claimed = [m.rowid for m in again]
            if claimed == held or time.monotonic() - waited > 10:
                break
            assert not set(claimed) & set(held)
            time.sleep(0.05)
        assert claimed == held  # the chunks the dead claim held, claimed once more
        assert first.count_vectors() == (4, chunks - 4)
    finally:
        first.close()


def test_two_claims_at_once_get_different_chunks(kb, backend):
    assert kb.ingest([seed("002"), seed("003")]).ok
    first, second = open_store(backend), open_store(backend)
    try:
        with first.claim_missing_vectors(3) as claimed:
            mine = [m.rowid for m in claimed]
            if backend.startswith("postgresql"):  # claimed while the first claim is open
                with second.claim_missing_vectors(3) as other:
                    theirs = [m.rowid for m in other]
                    second.put_vectors(theirs, _unit_vectors(3, seed_=1))
            first.put_vectors(mine, _unit_vectors(3))
        if not backend.startswith("postgresql"):  # SQLite: one writer at a time, the claims come in turn
            with second.claim_missing_vectors(3) as other:
                theirs = [m.rowid for m in other]
                second.put_vectors(theirs, _unit_vectors(3, seed_=1))
        assert len(mine) == len(theirs) == 3 and not set(mine) & set(theirs)
        assert first.count_vectors()[0] == 6 and set(first.vectors(mine + theirs)) == set(mine + theirs)
        assert first.check() == []
    finally:
        first.close()
        second.close()


def _unit_vectors(n: int, dims: int = 384, seed_: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed_)
    vectors = rng.standard_normal((n, dims)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def _claim_in_process(target: str, limit: int) -> list[int]:
    """Claim chunks in another process, which is killed while it holds them; the chunks it held."""
    script = textwrap.dedent(f"""
        import sys, time
        from veille.store import open_store
        store = open_store({target!r})
        with store.claim_missing_vectors({limit}) as claimed:
            print(" ".join(str(m.rowid) for m in claimed), flush=True)
            time.sleep(120)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                               env={**__import__("os").environ, "PYTHONPATH": str(ROOT / "src")})
    try:
        line = process.stdout.readline()
    finally:
        process.kill()
        process.wait()
    return [int(x) for x in line.split()]


# -- the two stores side by side ------------------------------------------------------------------------

#: Sources both stores ingest: the seed corpus and some of the formats of tests/data.
SIDE_BY_SIDE = [SEEDS, DATA / "whatsapp" / "android_fr.txt", DATA / "whatsapp" / "ios_fr.txt", DATA / "slack",
                DATA / "telegram", DATA / "subtitles", DATA / "mentions", DATA / "figures"]

QUERIES = ["coût d'un data center", "supercalculateur énergie", "GPU H100", "souveraineté numérique", "réunion",
           "électricité nucléaire France", "le la les de", "xyzzy introuvable", "IA"]

FILTERS = [Filters(), Filters(kind="chat"), Filters(kind="transcript"), Filters(who="mira"), Filters(who="É"),
           Filters(since="2024"), Filters(until="2025-07-27"), Filters(since="2023-01", until="2025-12-31"),
           Filters(source="corpus"), Filters(topic="calcul"), Filters(mentions="EDF"), Filters(mentions="France"),
           Filters(kind="article", source="00")]


@pytest.fixture(scope="module")
def both(tmp_path_factory, pg_server):
    """The same sources ingested into a SQLite file and a PostgreSQL database: (sqlite kb, postgres kb)."""
    from veille.devdb import new_database

    sources = [p for p in SIDE_BY_SIDE if p.exists()]
    bases = [KnowledgeBase(tmp_path_factory.mktemp("both") / "kb.db"), KnowledgeBase(new_database(pg_server))]
    reports = []
    for base in bases:
        started = time.perf_counter()
        report = base.ingest(sources)
        print(f"{base.store.path}: {time.perf_counter() - started:.1f} s")
        reports.append([(f.path, f.status, f.chunks, f.document_id) for f in report.files])
    assert reports[0] == reports[1]
    yield bases
    for base in bases:
        base.close()


def _ranked(store, terms, filters, k=20):
    by_row = {h.rowid: h for h in store.hits(store.rank_lexical(terms, filters, k))}
    return [(h.chunk.document_id, h.chunk.index, round(h.score, 9), h.matched) for h in by_row.values()]


def test_the_same_ingest_gives_the_same_documents_and_stats(both):
    sqlite, postgres = both
    assert [(d.id, d.source, d.chunks, d.units, d.participants) for d in sqlite.documents()] == [
        (d.id, d.source, d.chunks, d.units, d.participants) for d in postgres.documents()]
    left, right = sqlite.stats(), postgres.stats()
    for key in ("documents", "units", "chunks", "tokens", "kinds", "vectors"):
        assert left[key] == right[key], key
    assert sqlite.check() == [] and postgres.check() == []
    assert sqlite.store.participants() == postgres.store.participants()


def test_lexical_rankings_are_identical_under_every_filter(both):
    sqlite, postgres = both
    compared = 0
    for query in QUERIES:
        terms = sqlite.analyzer.terms(query)
        for filters in FILTERS:
            expected = _ranked(sqlite.store, terms, filters)
            assert _ranked(postgres.store, terms, filters) == expected, (query, filters)
            compared += bool(expected)
            assert sqlite.store.count_undated(filters) == postgres.store.count_undated(filters)
    assert compared > 30  # most queries find something under most filters
    assert sqlite.store.chunk_frequencies(["gpu", "energ"]) == postgres.store.chunk_frequencies(["gpu", "energ"])


def test_search_answers_the_same_on_both(both):
    sqlite, postgres = both
    for query in QUERIES:
        for options in ({}, {"kind": "chat"}, {"who": "mira"}, {"since": "2025"}):
            left = [(h.chunk_id, h.score, h.snippet) for h in sqlite.search(query, k=8, **options)]
            right = [(h.chunk_id, h.score, h.snippet) for h in postgres.search(query, k=8, **options)]
            assert left == right, (query, options)


def test_figures_are_the_same_on_both(both):
    sqlite, postgres = both
    for options in ({}, {"unit": "GW"}, {"unit": "money", "min": 1_000_000}, {"who": "mira"}, {"since": "2025"},
                    {"query": "coût énergie", "k": 5}):
        left = [(f.document_id, f.unit, f.figure.value, f.sentence, f.time) for f in sqlite.figures(**options)]
        right = [(f.document_id, f.unit, f.figure.value, f.sentence, f.time) for f in postgres.figures(**options)]
        assert left == right, options
    assert sqlite.figures()  # the corpus has figures


def test_dense_ranking_by_the_index_finds_what_exact_search_finds(both, monkeypatch):
    """Random unit vectors for every chunk on both stores: PostgreSQL's HNSW index against SQLite's exact scan.

    The table is small: the planner would scan it whole, and filtered queries would compare every kept
    row; both are turned off here so that the index answers the unfiltered queries (the planner may still
    answer a filtered one from the primary key, exactly, when the filters keep few rows)."""
    from veille.store import postgres as pg_module

    sqlite, postgres = both
    monkeypatch.setattr(pg_module, "EXACT_BELOW", 0)
    postgres.store.db.execute("SET enable_seqscan = off")
    ids = list(range(1, sqlite.stats()["chunks"] + 1))  # row ids from 1, one per chunk (check() holds it)
    vectors = _unit_vectors(len(ids), seed_=7)
    for base in both:
        base.store.put_vectors(ids, vectors)
    queries = _unit_vectors(20, seed_=8)
    overlap = []
    filtered = [Filters(), Filters(kind="chat"), Filters(who="mira"), Filters(since="2024"), Filters(topic="calcul")]
    assert all(sqlite.store.rank_dense(queries[0], f, 10) for f in filtered)
    for filters in filtered:
        for query in queries:
            exact = sqlite.store.rank_dense(query, filters, 10)
            found = postgres.store.rank_dense(query, filters, 10)
            assert len(found) == len(exact)
            if not exact:
                continue
            assert found[0].rowid == exact[0].rowid and abs(found[0].score - exact[0].score) < 1e-5
            overlap.append(len({r.rowid for r in exact} & {r.rowid for r in found}) / len(exact))
    assert np.mean(overlap) >= 0.95
    plan = " ".join(r["QUERY PLAN"] for r in postgres.store.db.execute(
        "EXPLAIN SELECT id FROM vectors ORDER BY embedding <=> %s::halfvec LIMIT 10",
        ("[" + ",".join(["0.05"] * 384) + "]",)))
    assert "vectors_hnsw" in plan
    postgres.store.db.execute("RESET enable_seqscan")
    assert sqlite.store.vectors(ids[:3]).keys() == postgres.store.vectors(ids[:3]).keys()
    for rowid, vector in sqlite.store.vectors(ids[:3]).items():
        assert np.array_equal(vector, postgres.store.vectors([rowid])[rowid])


def _another(backend: str, request, tmp_path: Path) -> str:
    """A second, empty knowledge base of the same kind as ``backend``."""
    if backend.startswith("postgresql"):
        from veille.devdb import new_database

        return new_database(request.getfixturevalue("pg_server"), "copy")
    return str(tmp_path / "copy.db")


def test_documents_exported_and_put_back_are_the_same(kb, backend, request, tmp_path):
    """export_document / put_copied / copy_order (what veille migrate uses): a long document written in windows
    (several postings rows per term), a chat with message keys, vectors on some chunks."""
    store = kb.store
    doc, chunks, _ = _prepared(kb, seed("004"))
    _write_in_windows(kb, doc, chunks)
    assert kb.ingest(WHATSAPP).ok
    missing = store.missing_vectors(7)
    store.put_vectors([m.rowid for m in missing], _unit_vectors(len(missing)))
    order = store.copy_order()
    assert order[0] == doc.id and len(order) == len(store.documents())
    records = [store.export_document(doc_id) for doc_id in order]
    assert store.export_document("no such document") is None
    assert sum(len(r.vectors) for r in records) == 7 and any(r.message_keys for r in records)
    copy = open_store(_another(backend, request, tmp_path))
    try:
        for record in records:
            copy.put_copied(record)
        with pytest.raises(Exception):  # the same document again: refused whole, nothing of it written
            copy.put_copied(records[-1])
        assert _counts(copy) == _counts(store) and copy.check() == []
        again = [copy.export_document(doc_id) for doc_id in copy.copy_order()]
        for a, b in zip(again, records, strict=True):
            assert (a.document, a.text_parts, a.units, a.figures, a.chunks, a.keys, a.message_keys) == (
                b.document, b.text_parts, b.units, b.figures, b.chunks, b.keys, b.message_keys)
            assert a.terms.encoded() == b.terms.encoded() and a.terms.lengths == b.terms.lengths
            assert {n: v.tobytes() for n, v in a.vectors.items()} == {n: v.tobytes() for n, v in b.vectors.items()}
        terms = kb.analyzer.terms("électricité centrale message")
        ranked = [(r.score, r.matched) for r in store.rank_lexical(terms, Filters(), 10)]
        assert ranked and [(r.score, r.matched) for r in copy.rank_lexical(terms, Filters(), 10)] == ranked
    finally:
        copy.close()
