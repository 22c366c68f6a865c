"""Large chat exports read as a stream and stored a window at a time give what a whole read gives."""

from __future__ import annotations

import pytest

from veille import KnowledgeBase, streamed

from .conftest import DATA, load_bench


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A generated French WhatsApp export of 3 000 messages (multi-line messages, media, system lines)."""
    generate = load_bench("generate_whatsapp")
    path = tmp_path_factory.mktemp("export") / "groupe.txt"
    generate.generate(path, "fr-android", messages=3000)
    return path


def _snapshot(kb: KnowledgeBase) -> dict:
    db = kb.store.db
    doc = db.execute("SELECT id, kind, format, participants, date FROM documents").fetchall()
    units = db.execute("SELECT idx, kind, author, time, start, end, line_start, line_end, text, meta "
                       "FROM units ORDER BY idx").fetchall()
    chunks = db.execute("SELECT idx, text, context, unit_start, unit_end, context_start, tokens, messages, "
                        "period_start, period_end, participants, line_start, line_end FROM chunks ORDER BY idx").fetchall()
    keys = db.execute("SELECT key, pos FROM message_keys ORDER BY pos").fetchall()
    return {"doc": [tuple(r) for r in doc], "units": [tuple(r) for r in units],
            "chunks": [tuple(r) for r in chunks], "keys": [tuple(r) for r in keys]}


def test_streamed_export_is_stored_as_a_whole_read_stores_it(export, tmp_path, monkeypatch):
    monkeypatch.setattr(streamed, "WINDOW", 400)  # many windows over 3 000 messages
    with KnowledgeBase(tmp_path / "whole.db") as whole:
        whole_report = whole.ingest(export)
        expected = _snapshot(whole)
        expected_text = whole.store.document_text(expected["doc"][0][0])
    with KnowledgeBase(tmp_path / "streamed.db", stream_bytes=0) as kb:
        report = kb.ingest(export)
        got = _snapshot(kb)
        assert "streamed" in report.files[0].detection
        assert kb.store.document_text(got["doc"][0][0]) == expected_text
    assert report.files[0].status == whole_report.files[0].status == "added"
    assert got["doc"] == expected["doc"]  # same content id, participants and date
    assert got["units"] == expected["units"]
    assert got["keys"] == expected["keys"]
    for field in ("messages", "authors", "first", "last", "system", "attachments", "raw"):
        assert report.files[0].report[field] == whole_report.files[0].report[field], field
    # chunks: the same, but topics, which a window scores against its own chunks
    for a, b in zip(got["chunks"], expected["chunks"]):
        assert a == b, (a[0], [(n, x, y) for n, (x, y) in enumerate(zip(a, b)) if x != y])
    assert len(got["chunks"]) == len(expected["chunks"])


def test_streamed_window_cuts_only_at_silences(export, tmp_path):
    with KnowledgeBase(tmp_path / "whole.db") as whole:
        whole.ingest(export)
        expected = whole.store.db.execute("SELECT unit_start, unit_end, context_start FROM chunks ORDER BY idx").fetchall()
    with KnowledgeBase(tmp_path / "kb.db", stream_bytes=0) as kb:
        chat = streamed.StreamedChat(kb.store, kb.pipeline, kb.config, window=100)
        item = kb._read(export)
        assert isinstance(item, streamed.StreamedFile)
        result = chat.ingest(item)
        assert result.status == "added", result.reason
        rows = kb.store.db.execute("SELECT unit_start, unit_end, context_start FROM chunks ORDER BY idx").fetchall()
    assert len(rows) == result.chunks > 10
    assert [tuple(r) for r in rows] == [tuple(r) for r in expected]  # windows of 100 messages, same chunks


def test_a_second_export_of_a_streamed_chat_keeps_only_its_new_messages(tmp_path):
    files = [DATA / "identity" / name for name in
             ("groupe_veille_android.txt", "groupe_veille_prolonge.txt", "groupe_veille_ios.txt")]
    with KnowledgeBase(tmp_path / "whole.db") as whole:
        expected = [(f.status, f.report.get("skipped"), f.report.get("messages")) for f in whole.ingest(files).files]
        expected_units = whole.store.db.execute("SELECT COUNT(*) FROM units").fetchone()[0]
    with KnowledgeBase(tmp_path / "kb.db", stream_bytes=0) as kb:
        report = kb.ingest(files)
        units = kb.store.db.execute("SELECT COUNT(*) FROM units").fetchone()[0]
    assert all("streamed" in f.detection for f in report.files[:2])
    assert [(f.status, f.report.get("skipped"), f.report.get("messages")) for f in report.files] == expected
    assert expected[1][1] == 11 and expected[2][0] == "duplicate"
    assert units == expected_units


def test_streamed_export_without_final_newline_has_the_whole_read_id(tmp_path):
    text = "\n".join(f"0{d}/03/2024 10:0{m} - Alice: message {d}{m} sur l'IA" for d in range(1, 6) for m in range(5))
    path = tmp_path / "chat.txt"
    path.write_text(text, encoding="utf-8")
    with KnowledgeBase(tmp_path / "a.db") as whole, KnowledgeBase(tmp_path / "b.db", stream_bytes=0) as kb:
        whole.ingest(path)
        kb.ingest(path)
        assert [d.id for d in kb.documents()] == [d.id for d in whole.documents()]
        assert kb.documents()[0].participants == ["Alice"]


def test_removing_a_streamed_document_removes_every_window(export, tmp_path, monkeypatch):
    monkeypatch.setattr(streamed, "WINDOW", 300)
    with KnowledgeBase(tmp_path / "kb.db", stream_bytes=0) as kb:
        kb.ingest(export)
        assert kb.search("data center", k=3, mode="lexical")
        (doc,) = kb.documents()
        assert kb.remove(doc.id) == [doc.id]
        db = kb.store.db
        for table in ("units", "chunks", "chunk_keys", "postings", "message_keys", "document_parts"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
        assert kb.search("data center", k=3, mode="lexical") == []


def test_a_large_file_that_is_not_a_chat_is_read_whole(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# Titre\n\n" + "Le data center consomme 1 GW. " * 200, encoding="utf-8")
    with KnowledgeBase(tmp_path / "kb.db", stream_bytes=0) as kb:
        report = kb.ingest(path)
    assert report.files[0].status == "added"
    assert "streamed" not in report.files[0].detection


_INGEST = """
import sys
from veille import KnowledgeBase
with KnowledgeBase(sys.argv[1], embed=False, stream_bytes=0) as kb:
    print(kb.ingest(sys.argv[2]).files[0].status)
"""


def test_two_ingests_of_one_streamed_export_at_once_store_it_once(export, tmp_path):
    import subprocess
    import sys

    db = tmp_path / "kb.db"
    KnowledgeBase(db, embed=False).close()  # the file exists before both start
    runs = [subprocess.Popen([sys.executable, "-c", _INGEST, str(db), str(export)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [r.communicate(timeout=300) for r in runs]
    assert all(r.returncode == 0 for r in runs), [err for _, err in results]
    assert sorted(out.strip() for out, _ in results) == ["added", "unchanged"]
    with KnowledgeBase(db, embed=False) as kb:
        assert len(kb.documents()) == 1
        assert kb.check() == []


def test_a_streamed_export_among_files_parsed_in_worker_processes(export, tmp_path):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "groupe.txt").write_bytes(export.read_bytes())
    for n in range(10):  # enough files for the parse workers
        (folder / f"note_{n}.md").write_text(f"# Note {n}\n\nLe data center de {n} GW coûte cher.\n", "utf-8")
    with KnowledgeBase(tmp_path / "kb.db", workers=2, stream_bytes=100_000) as kb:
        report = kb.ingest(folder)
        assert kb.check() == []
    streamed_files = [f for f in report.files if "streamed" in f.detection]
    assert [f.path.rsplit("/", 1)[-1] for f in streamed_files] == ["groupe.txt"]
    assert report.count("added") == 11 and report.ok


def test_a_changed_streamed_export_replaces_its_earlier_version_whole(export, tmp_path):
    path = tmp_path / "groupe.txt"
    lines = export.read_text("utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[: len(lines) // 2]), "utf-8")
    with KnowledgeBase(tmp_path / "kb.db", stream_bytes=0) as kb:
        assert kb.ingest(path).files[0].status == "added"
        path.write_text("".join(lines), "utf-8")  # the same chat, exported again later: more messages
        again = kb.ingest(path).files[0]
        assert again.status == "replaced", again.reason
        assert again.report["skipped"] == 0  # the version it replaces does not count as another export
        (doc,) = kb.documents()
        whole = KnowledgeBase(tmp_path / "whole.db")
        whole.ingest(path)
        assert doc.units == whole.documents()[0].units
        whole.close()
