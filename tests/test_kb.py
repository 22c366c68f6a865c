"""KnowledgeBase end to end: ingest the seeds and the demo corpus, search in French, re-ingest, remove."""

from __future__ import annotations

import shutil

import pytest

from veille import KnowledgeBase
from veille.chunking import render_chunk

from .conftest import EXAMPLES, SEEDS, rows, seed


@pytest.fixture
def kb(backend):
    """A fresh knowledge base in each store: these tests hold for both."""
    with KnowledgeBase(backend) as base:
        yield base


@pytest.fixture
def sqlite_kb(tmp_path):
    with KnowledgeBase(tmp_path / "kb.db") as base:
        yield base


def test_ingest_seed_corpus(kb):
    report = kb.ingest(SEEDS)
    assert report.ok, [f.reason for f in report.failed]
    formats = {f.path.rsplit("/", 1)[-1][:3]: f.format for f in report.files}
    assert formats == {"000": "webchat", "001": "chunkfile", "002": "article", "003": "article",
                       "004": "transcript"}
    assert all(f.chunks > 0 for f in report.files)
    stats = kb.stats()
    assert stats["documents"] == 5 and stats["chunks"] >= 5


def test_ingest_demo_corpus_and_search(kb):
    report = kb.ingest(EXAMPLES)
    assert report.ok, [f.reason for f in report.failed]
    assert report.count("added") == 6
    hits = kb.search("coût d'un data center de 1 GW", k=5)
    assert hits
    assert any("35 milliards" in h.text for h in hits)
    assert "**" in hits[0].snippet


def test_search_elisions_accents_and_plurals(kb, tmp_path):
    (tmp_path / "a.txt").write_text("Le prix de l’énergie explose.\n\nOn parle de 3 data center.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Les factures d'energie des data centers montent.\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Rien à voir : une recette de cuisine.\n", encoding="utf-8")
    assert kb.ingest(tmp_path).ok
    for query in ("l'énergie", "l’énergie", "energie", "ÉNERGIE"):
        sources = {h.source.rsplit("/", 1)[-1] for h in kb.search(query)}
        assert sources == {"a.txt", "b.txt"}, query
    sources = {h.source.rsplit("/", 1)[-1] for h in kb.search("data centers")}
    assert sources == {"a.txt", "b.txt"}


def test_filters_apply_before_ranking(kb):
    kb.ingest(SEEDS)
    kb.ingest(EXAMPLES)
    hits = kb.search("data center", kind="transcript", k=50)
    assert hits and all(h.kind == "transcript" for h in hits)
    hits = kb.search("supercalculateurs", who="mira")
    assert hits and all(any("Mira" in a for a in h.authors) for h in hits)
    assert kb.search("supercalculateurs", who="personne inconnue") == []
    assert all("002" in h.source for h in kb.search("OpenAI", source="002_"))


def test_citation_points_to_lines_and_units(kb):
    kb.ingest(seed("000"))
    hit = kb.search("supercalculateurs militaires")[0]
    assert hit.lines[0] >= 1 and hit.lines[1] >= hit.lines[0]
    assert "000_" in hit.citation and "unités" in hit.citation
    assert hit.authors


def test_reingest_unchanged_does_nothing_and_changed_replaces(kb, tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Premier texte sur le nucléaire.\n", encoding="utf-8")
    first = kb.ingest(path).files[0]
    assert first.status == "added"
    again = kb.ingest(path).files[0]
    assert again.status == "unchanged" and again.document_id == first.document_id
    path.write_text("Second texte sur l’hydrogène.\n", encoding="utf-8")
    changed = kb.ingest(path).files[0]
    assert changed.status == "replaced" and changed.document_id != first.document_id
    assert kb.stats()["documents"] == 1
    assert kb.search("nucléaire") == []
    assert kb.search("hydrogène")


def test_same_content_elsewhere_is_a_duplicate(kb, tmp_path):
    shutil.copy(seed("003"), tmp_path / "copie.txt")
    kb.ingest(seed("003"))
    result = kb.ingest(tmp_path / "copie.txt").files[0]
    assert result.status == "duplicate" and "003_" in result.reason


def test_remove_deletes_everything_derived(kb):
    kb.ingest(SEEDS)
    doc = next(d for d in kb.documents() if d.source.endswith(seed("003").name))
    assert kb.search("semi-conducteurs")
    assert kb.remove(doc.id[:8]) == [doc.id]
    assert all(d.id != doc.id for d in kb.documents())
    assert all(h.document_id != doc.id for h in kb.search("semi-conducteurs", k=50))
    for table in ("units", "chunks"):
        assert rows(kb.store, f"SELECT COUNT(*) FROM {table} WHERE document_id = ?", (doc.id,))[0][0] == 0
    bases = {r[0] for r in rows(kb.store, "SELECT DISTINCT base FROM postings")}
    firsts = {r[0] for r in rows(kb.store, "SELECT MIN(id) FROM chunks GROUP BY document_id")}
    assert bases == firsts  # postings remain exactly for the documents that remain
    assert rows(kb.store, "SELECT COUNT(*) FROM chunk_keys")[0][0] == kb.stats()["chunks"]


def test_bad_files_are_reported_and_the_batch_goes_on(kb, tmp_path):
    (tmp_path / "bon.txt").write_text("Un texte correct sur les GPU souverains.\n", encoding="utf-8")
    (tmp_path / "vide.txt").write_bytes(b"")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "donnees.json").write_text('{"a": 1}', encoding="utf-8")
    (tmp_path / "latin.txt").write_bytes(b"caf\xe9 \x81\x8d\x90 au lait")
    (tmp_path / "page.txt").write_text("<!DOCTYPE html><html><body><p>Le cloud souverain</p></body></html>",
                                       encoding="utf-8")
    (tmp_path / "blanche.html").write_text("<!DOCTYPE html><html><head><title></title></head><body></body></html>",
                                           encoding="utf-8")
    report = kb.ingest(tmp_path)
    by_name = {f.path.rsplit("/", 1)[-1]: f for f in report.files}
    assert by_name["bon.txt"].status == "added"
    assert "empty file" in by_name["vide.txt"].reason
    assert "binary" in by_name["image.png"].reason
    assert "unknown format" in by_name["donnees.json"].reason
    assert "undecodable" in by_name["latin.txt"].reason
    assert by_name["page.txt"].status == "added" and by_name["page.txt"].format == "html"  # read by its markup
    assert by_name["blanche.html"].reason == "html: no text found: the page's 69 characters hold no visible text"
    assert not report.ok and len(report.failed) == 5
    assert kb.stats()["documents"] == 2


def test_a_document_is_stored_whole_or_not_at_all(sqlite_kb, monkeypatch):  # PostgreSQL: test_store_contract.py
    kb = sqlite_kb
    calls = {"n": 0}
    original = kb.store.db

    class FailingCursor:
        """Let the document row in, then fail on the chunk rows: nothing may remain."""

        def __init__(self, db):
            self._db = db

        def __getattr__(self, name):
            return getattr(self._db, name)

        def executemany(self, sql, rows):
            if "INSERT INTO chunks" in sql:
                calls["n"] += 1
                raise RuntimeError("disk full (simulated)")
            return self._db.executemany(sql, rows)

    kb.store.db = FailingCursor(original)
    with pytest.raises(RuntimeError):
        kb.ingest(seed("003"))
    kb.store.db = original
    assert calls["n"] == 1
    for table in ("documents", "units", "chunks", "chunk_keys", "postings"):
        assert original.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0


def test_chunks_of_the_seed_transcript(kb):
    kb.ingest(seed("004"))
    chunks = list(kb.chunks())
    assert chunks[0].period[0] == "00:00:00"
    assert max(c.period[1] for c in chunks) == "00:50:35"
    text = "\n".join(render_chunk(c) for c in chunks)
    for chrome in ("Recommandations", "TVTranscription", "il y a 2 jours", "1:17:57"):
        assert chrome not in text


def test_seed_001_reads_back_with_its_metadata(kb):
    kb.ingest(seed("001"))
    (chunk,) = list(kb.chunks())
    assert (chunk.tokens, chunk.messages) == (557, 9)
    original = seed("001").read_text(encoding="utf-8")
    assert render_chunk(chunk).split("\n")[:8] == original.split("\n")[:8]


def test_token_counter_is_recorded(backend):
    with KnowledgeBase(backend, token_counter="chars4") as kb:
        kb.ingest(seed("003"))
        assert kb.stats()["token_counter"] == "chars4"
    with KnowledgeBase(backend) as kb:
        assert kb.counter_name == "chars4"


def test_parallel_ingest_stores_what_a_single_process_stores(tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    for n, path in enumerate(sorted(EXAMPLES.glob("*.txt")) * 3):
        (folder / f"{n:02d}_{path.name}").write_text(path.read_text(encoding="utf-8") + f"\nCopie {n}\n",
                                                    encoding="utf-8")
    (folder / "zz_vide.txt").write_bytes(b"")
    results = []
    for workers in (1, 2):
        with KnowledgeBase(tmp_path / f"w{workers}.db", workers=workers) as kb:
            report = kb.ingest(folder)
            results.append(([(f.path, f.status, f.chunks, f.reason) for f in report.files],
                             [(c.document_id, c.index, c.text, c.topics, c.tokens) for c in kb.chunks()]))
    assert results[0] == results[1]
    assert results[0][0][-1][1] == "failed"


def _chunk_file(period: str, who: str, text: str) -> str:
    return (f"=== MÉTADONNÉES CHUNK ===\nPériode: {period}\nParticipants: {who}\nTopics: \nTokens: 12\n"
            f"Messages: 1\n\n=== CONTENU ===\n{text}\n")


def test_period_filters(kb, tmp_path):
    folder = tmp_path / "chunks"
    folder.mkdir()
    (folder / "juillet.txt").write_text(_chunk_file("2025-07-27 19:41 → 2025-07-27 21:03", "Mira Miruta",
                                                    "Le coût des supercalculateurs militaires."), encoding="utf-8")
    (folder / "mars.txt").write_text(_chunk_file("2026-03-02 09:00 → 2026-03-02 10:15", "Sam Altwoman",
                                                 "Les supercalculateurs coûtent cher en énergie."), encoding="utf-8")
    (folder / "sans_date.txt").write_text(_chunk_file("null → null", "", "Des supercalculateurs partout."),
                                          encoding="utf-8")
    assert kb.ingest(folder).ok

    def names(**filters):
        return sorted(h.source.rsplit("/", 1)[-1] for h in kb.search("supercalculateurs", **filters))

    assert names() == ["juillet.txt", "mars.txt", "sans_date.txt"]
    assert names(since="2026-01-01") == ["mars.txt"]
    assert names(until="2025-07-27") == ["juillet.txt"]
    assert names(since="2025-07", until="2025-12") == ["juillet.txt"]
    assert names(since="2025-07-27 21:00", until="2026-03-02 09:30") == ["juillet.txt", "mars.txt"]
    assert names(since="2027") == []
    assert names(who="sam") == ["mars.txt"]


def test_chunks_with_every_query_term_come_first(kb, tmp_path):
    folder = tmp_path / "rang"
    folder.mkdir()
    (folder / "un_terme.txt").write_text("Le nucléaire, le nucléaire, encore le nucléaire partout.\n", encoding="utf-8")
    (folder / "deux_termes.txt").write_text("Un réacteur nucléaire alimente le data center.\n", encoding="utf-8")
    (folder / "rien.txt").write_text("Une recette de cuisine.\n", encoding="utf-8")
    kb.ingest(folder)
    hits = kb.search("nucléaire data center")
    assert [h.source.rsplit("/", 1)[-1] for h in hits] == ["deux_termes.txt", "un_terme.txt"]
    assert hits[0].score > 0


def test_another_connection_sees_new_documents(backend, tmp_path):
    path = backend
    reader = KnowledgeBase(path)
    assert reader.search("hydrogène") == []
    with KnowledgeBase(path) as writer:
        (tmp_path / "h.txt").write_text("L’hydrogène vert coûte cher.\n", encoding="utf-8")
        writer.ingest(tmp_path / "h.txt")
    assert [h.source.rsplit("/", 1)[-1] for h in reader.search("hydrogène")] == ["h.txt"]
    reader.close()


def test_a_file_from_another_schema_is_refused_clearly(tmp_path):
    import sqlite3

    from veille.errors import VeilleError

    path = tmp_path / "vieux.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("INSERT INTO meta VALUES ('schema', '0')")
    with pytest.raises(VeilleError, match="another version of veille"):
        KnowledgeBase(path)
