"""Merged postings (store/compact.py): one row per term for the documents stored up to some chunk, on both stores.

Merging changes how a term's postings are read, never what a search finds: every test compares rankings with
and without merged rows, after more ingest, after removals, and halfway through a merge.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from veille import KnowledgeBase
from veille.store import Filters
from veille.store.compact import MergeSettings, merge_state
from veille.store.postings import decode_rows, merged_row, pack_merged, unpack_merged

from .conftest import DATA, SEEDS, rows

QUERIES = ["énergie nucléaire", "l'IA générative", "data center", "GPU", "réunion budget", "France électricité",
           "modèle de langage", "Mistral", "prix du MWh", "souveraineté numérique"]
FILTER_SETS = [Filters(), Filters(kind="chat"), Filters(kind="transcript"), Filters(since="2024"),
               Filters(kind="article")]
NEVER = MergeSettings(min_chunks=10**12, share=1.0, dead_share=1.0)


def _sources():
    return sorted(SEEDS.glob("*.txt")) + [DATA / "whatsapp", DATA / "telegram", DATA / "slack", DATA / "transcript"]


def _rankings(kb: KnowledgeBase) -> list[list[tuple[str, int, int, float]]]:
    """Each query's top 20 under each filter set: (document, chunk index, terms held, score)."""
    store = kb.store
    out = []
    for query in QUERIES:
        terms = kb.analyzer.terms(query)
        for filters in FILTER_SETS:
            ranked = store.rank_lexical(terms, filters, 20)
            where = {r[0]: (r[1], r[2]) for r in rows(
                store, f"SELECT id, document_id, idx FROM chunks WHERE id IN ({','.join('?' * len(ranked))})",
                tuple(r.rowid for r in ranked))} if ranked else {}
            out.append([(*where[r.rowid], r.matched, round(r.score, 9)) for r in ranked])
    return out


def _tables(store):
    """The store's tables as a merge reads and writes them."""
    if hasattr(store, "uri"):
        from veille.store.postgres import PostgresTables

        return PostgresTables(store)
    from veille.store.sqlite import SQLiteTables

    return SQLiteTables(store.db)


def _open(target: str, settings: MergeSettings = NEVER) -> KnowledgeBase:
    kb = KnowledgeBase(target)
    kb.store.merge_settings = settings
    return kb


@pytest.fixture
def reference(tmp_path):
    """The sources in a SQLite file that never merges: the rankings every merged store must give."""
    with _open(str(tmp_path / "reference.db")) as kb:
        kb.ingest(_sources())
        yield kb


def test_a_merge_changes_no_ranking_and_check_agrees(backend, reference):
    with _open(backend) as kb:
        kb.ingest(_sources())
        before = _rankings(kb)
        assert before == _rankings(reference) and any(before)
        assert "per document" in kb.store.stats()["lexical_index"]
        said = kb.store.merge_postings(force=True)
        upto, live = merge_state(_tables(kb.store))
        assert said.startswith("merged ") and upto == live == kb.store.stats()["chunks"]
        assert "merged up to chunk" in kb.store.stats()["lexical_index"]
        assert _rankings(kb) == before
        assert kb.store.check() == []
        merged = rows(kb.store, "SELECT COUNT(*) FROM postings WHERE base <= 0")[0][0]
        assert merged == rows(kb.store, "SELECT COUNT(DISTINCT term) FROM postings WHERE base > 0")[0][0]


def test_documents_stored_after_a_merge_are_read_beside_it(backend, reference, tmp_path):
    first, later = _sources()[:3], _sources()[3:]
    with _open(backend) as kb:
        kb.ingest(first)
        kb.store.merge_postings(force=True)
        kb.ingest(later)
        with _open(str(tmp_path / "same_order.db")) as plain:
            plain.ingest(first)
            plain.ingest(later)
            assert _rankings(kb) == _rankings(plain)
        assert kb.store.check() == []


def test_removed_documents_leave_no_trace_in_results_and_their_ids_are_not_given_again(backend, tmp_path):
    with _open(backend) as kb, _open(str(tmp_path / "plain.db")) as plain:
        for base in (kb, plain):
            base.ingest(_sources())
        kb.store.merge_postings(force=True)
        upto, _ = merge_state(_tables(kb.store))
        # the last documents stored hold the highest row ids: after their removal, SQLite would number from them
        last = [r[0] for r in rows(kb.store, "SELECT DISTINCT document_id FROM chunks WHERE id > ?", (upto - 40,))]
        sources = {d.id: d.source for d in kb.store.documents()}
        for base in (kb, plain):
            for doc_id in last:
                assert base.store.remove(doc_id)
        assert _rankings(kb) == _rankings(plain)
        assert kb.store.check() == []
        kb.ingest([sources[d] for d in last])
        plain.ingest([sources[d] for d in last])
        lowest_new = rows(kb.store, "SELECT MIN(id) FROM chunks WHERE document_id IN "
                                    f"({','.join('?' * len(last))})", tuple(last))[0][0]
        assert lowest_new > upto  # a merged row's removed ids are never another chunk's
        assert _rankings(kb) == _rankings(plain)
        assert kb.store.check() == []


def test_removals_past_the_dead_share_rewrite_every_term(backend):
    settings = MergeSettings(min_chunks=10**12, share=1.0, dead_share=0.2)
    with _open(backend, settings) as kb:
        kb.ingest(_sources())
        kb.store.merge_postings(force=True)
        docs = sorted(kb.store.documents(), key=lambda d: -d.chunks)
        chunks = kb.store.stats()["chunks"]
        removed = 0
        for doc in docs:
            if removed > 0.3 * chunks:
                break
            kb.store.remove(doc.id)
            removed += doc.chunks
        expected = _rankings(kb)
        said = kb.store.merge_postings()
        assert said.startswith("merged ")
        merged = rows(kb.store, "SELECT chunks, tfs FROM postings WHERE base <= 0")
        live = {r[0] for r in rows(kb.store, "SELECT id FROM chunk_keys")}
        held = set(np.concatenate([unpack_merged(bytes(c), bytes(t))[0] for c, t in merged]).tolist())
        assert held <= live  # every removed chunk is gone from the merged rows
        assert _rankings(kb) == expected and kb.store.check() == []


def test_a_merge_stopped_halfway_leaves_every_ranking_as_it_was(backend, reference, monkeypatch):
    import veille.store.compact as compact

    with _open(backend, MergeSettings(min_chunks=10**12, share=1.0, terms_per_transaction=50)) as kb:
        kb.ingest(_sources())
        expected = _rankings(kb)
        merged_terms = []
        real = compact._merge_term

        def merge_some(tables, term, top, live):
            if len(merged_terms) >= 120:
                raise KeyboardInterrupt  # stopped by the user in the third transaction
            merged_terms.append(term)
            real(tables, term, top, live)

        monkeypatch.setattr(compact, "_merge_term", merge_some)
        with pytest.raises(KeyboardInterrupt):
            kb.store.merge_postings(force=True)
        assert rows(kb.store, "SELECT COUNT(*) FROM postings WHERE base <= 0")[0][0] == 100  # two transactions
        assert _rankings(kb) == expected == _rankings(reference)
        assert kb.store.check() == []


def test_ingest_merges_by_itself_once_enough_chunks_are_stored(backend):
    with _open(backend, MergeSettings(min_chunks=3, share=0.05)) as kb:
        kb.ingest(_sources()[:2])
        first, _ = merge_state(_tables(kb.store))
        assert first == kb.store.stats()["chunks"] > 3
        kb.ingest(_sources()[2:])
        upto, _ = merge_state(_tables(kb.store))
        assert upto == rows(kb.store, "SELECT MAX(id) FROM chunks")[0][0] > first
        assert kb.store.check() == []


def test_check_names_a_merged_row_that_disagrees_with_its_documents(backend):
    with _open(backend) as kb:
        kb.ingest(_sources()[:3])
        kb.store.merge_postings(force=True)
        term, base, chunks, tfs = rows(kb.store, "SELECT term, base, chunks, tfs FROM postings WHERE base <= 0 "
                                                 "AND length(tfs) > 8 ORDER BY term LIMIT 1")[0]
        ids, freqs = unpack_merged(bytes(chunks), bytes(tfs))
        tables = _tables(kb.store)
        with kb.store._transaction():  # one chunk left out of the merged row
            tables.execute("UPDATE postings SET chunks = ?, tfs = ? WHERE term = ? AND base = ?",
                           (*pack_merged(ids[1:], freqs[1:]), term, base))
        assert kb.store.check() == ["1 merged postings rows that disagree with their documents' rows"]


rows_strategy = st.lists(st.tuples(st.integers(1, 20), st.lists(st.integers(0, 30), min_size=1, max_size=8,
                                                                  unique=True)), max_size=6)


@given(rows_strategy, st.lists(st.booleans(), min_size=1, max_size=400), st.integers(0, 150))
def test_a_merged_row_holds_the_rows_it_covers_less_the_removed_chunks(spec, alive, merged_upto):
    """Rows as stores hold them: a merged row up to ``merged_upto``, then documents' rows, each after the last."""
    rows_in = []
    expected_ids, expected_tfs = [], []
    live = np.array(alive, dtype=bool)

    def kept(rowid: int) -> bool:
        return rowid >= len(live) or bool(live[rowid])

    if merged_upto:
        old_ids = np.array(range(1, merged_upto + 1, 7), dtype=np.uint32)
        rows_in.append((-merged_upto, *pack_merged(old_ids, np.full(len(old_ids), 3, np.uint16))))
        expected_ids += [int(i) for i in old_ids if kept(int(i))]
        expected_tfs += [3 for i in old_ids if kept(int(i))]
    base = merged_upto + 1
    for gap, idx in spec:
        base += gap
        idx = sorted(idx)
        rows_in.append((base, np.array(idx, "<u4").tobytes(), np.array([i + 1 for i in idx], "<u2").tobytes()))
        expected_ids += [base + i for i in idx if kept(base + i)]
        expected_tfs += [i + 1 for i in idx if kept(base + i)]
        base += max(idx) + 1
    if not rows_in:
        return
    chunks, tfs = merged_row(rows_in, live)
    if not expected_ids:
        assert (chunks, tfs) == (b"", b"")
        return
    ids, freqs = decode_rows([(-merged_upto, chunks, tfs)])
    assert ids.tolist() == expected_ids and freqs.tolist() == expected_tfs
    assert len(chunks) < 5 * len(expected_ids) + 8  # packed: a byte per chunk, plus the wide gaps


@given(st.lists(st.integers(1, 2**32 - 1), unique=True, max_size=300),
       st.lists(st.integers(1, 65535), min_size=300, max_size=300))
def test_a_packed_merged_row_gives_back_its_row_ids_and_frequencies(ids, tfs):
    ids = np.array(sorted(ids), dtype=np.uint32)
    tfs = np.array(tfs[:len(ids)], dtype=np.uint16)
    back_ids, back_tfs = unpack_merged(*pack_merged(ids, tfs))
    assert back_ids.tolist() == ids.tolist() and back_tfs.tolist() == tfs.tolist()


def test_a_merge_that_read_an_older_state_never_takes_back_what_another_merged(backend):
    """Two processes merging at once: the one that read fewer chunks rewrites terms the other already took
    further; it must keep what they hold (their upto, their chunks), not cut them down to its own view."""
    import veille.store.compact as compact

    with _open(backend) as kb:
        kb.ingest(_sources())
        expected = _rankings(kb)
        kb.store.merge_postings(force=True)
        upto, _ = merge_state(_tables(kb.store))
        stale_top = upto // 2
        stale_live = np.ones(stale_top + 1, dtype=bool)
        terms = [r[0] for r in rows(kb.store, "SELECT term FROM postings WHERE base <= 0 ORDER BY term")][:300]
        tables = _tables(kb.store)
        with kb.store._transaction():
            for term in terms:
                compact._merge_term(tables, term, stale_top, stale_live)
        assert {r[0] for r in rows(kb.store, "SELECT DISTINCT base FROM postings WHERE base <= 0")} == {-upto}
        assert _rankings(kb) == expected and kb.store.check() == []
