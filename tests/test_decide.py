"""The one decision of an ingest (``decide.py``), against a real knowledge base: unchanged, duplicate, replaces a
stored document, or only some messages are new — and the ingest stage takes it before chunking."""

from __future__ import annotations

import hashlib
import shutil

from veille import KnowledgeBase
from veille.decide import decide_document, unchanged
from veille.identity import message_keys
from veille.names import source_path

from .conftest import DATA

IDENTITY = DATA / "identity"


def parsed(kb: KnowledgeBase, path):
    """A file parsed as ingest parses it (its source set), its fingerprint and its messages' keys."""
    data = path.read_bytes()
    doc, _ = kb.parse_bytes(data, str(path))
    doc.source = source_path(path)
    return doc, hashlib.sha256(data).hexdigest(), message_keys(doc)


def test_a_file_stored_with_the_same_bytes_is_unchanged(tmp_path):
    path = IDENTITY / "groupe_veille_android.txt"
    with KnowledgeBase(tmp_path / "kb.db", embed=False) as kb:
        stored = kb.ingest(path).files[0]
        doc, fingerprint, keys = parsed(kb, path)
        decision = decide_document(kb.store, doc, fingerprint, keys)
        before = unchanged(kb.store, doc.source, fingerprint)
    assert decision.action == "unchanged" and decision.document_id == stored.document_id
    assert before is not None and before.document_id == stored.document_id  # told before parsing, the same


def test_the_same_content_from_another_file_is_a_duplicate_of_it(tmp_path):
    copy = tmp_path / "copie.txt"
    shutil.copy(IDENTITY / "groupe_veille_android.txt", copy)
    with KnowledgeBase(tmp_path / "kb.db", embed=False) as kb:
        kb.ingest(IDENTITY / "groupe_veille_android.txt")
        doc, fingerprint, keys = parsed(kb, copy)
        assert unchanged(kb.store, doc.source, fingerprint) is None
        decision = decide_document(kb.store, doc, fingerprint, keys)
    assert decision.action == "duplicate" and decision.document_id == doc.id
    assert decision.reason == f"same content as {source_path(IDENTITY / 'groupe_veille_android.txt')}"


def test_a_new_version_of_a_stored_file_replaces_its_document(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# Notes\n\nLe coût d'un data center de 1 GW.\n", encoding="utf-8")
    with KnowledgeBase(tmp_path / "kb.db", embed=False) as kb:
        first = kb.ingest(path).files[0]
        path.write_text("# Notes\n\nLe coût d'un data center de 2 GW.\n", encoding="utf-8")
        doc, fingerprint, keys = parsed(kb, path)
        decision = decide_document(kb.store, doc, fingerprint, keys)
    assert decision.action == "store" and decision.replaced and decision.replace == first.document_id
    assert decision.skipped == 0


def test_a_longer_export_of_a_stored_chat_keeps_only_its_new_messages(tmp_path):
    with KnowledgeBase(tmp_path / "kb.db", embed=False) as kb:
        kb.ingest(IDENTITY / "groupe_veille_android.txt")
        doc, fingerprint, keys = parsed(kb, IDENTITY / "groupe_veille_prolonge.txt")
        units = len(doc.units)
        decision = decide_document(kb.store, doc, fingerprint, keys)
    assert decision.action == "store" and not decision.replaced and decision.replace is None
    assert decision.skipped == units - len(doc.units) == 11  # left out of it, as the ingest reports (test_streamed)
    assert decision.sources == [source_path(IDENTITY / "groupe_veille_android.txt")]
    assert len(keys) == len(doc.units)  # the keys follow the units left


def test_an_export_whose_every_message_is_stored_is_a_duplicate(tmp_path):
    with KnowledgeBase(tmp_path / "kb.db", embed=False) as kb:
        kb.ingest([IDENTITY / "groupe_veille_android.txt", IDENTITY / "groupe_veille_prolonge.txt"])
        doc, fingerprint, keys = parsed(kb, IDENTITY / "groupe_veille_ios.txt")
        decision = decide_document(kb.store, doc, fingerprint, keys)
        result = kb.ingest(IDENTITY / "groupe_veille_ios.txt").files[0]
    assert decision.action == "duplicate" and decision.skipped > 0 and decision.document_id is None
    assert decision.reason.startswith(f"all {decision.skipped} messages already stored from ")
    assert (result.status, result.reason) == ("duplicate", decision.reason)


def test_exports_of_one_chat_in_one_ingest_decide_as_one_by_one(tmp_path):
    """Decided ahead while the exports before them are still being chunked, each is confirmed when stored: the
    same results as ingesting them one call at a time, with and without worker processes."""
    names = ["groupe_veille_android.txt", "groupe_veille_prolonge.txt", "groupe_veille_suite.txt",
             "groupe_veille_ios.txt", "autre_groupe.txt"]
    folder = tmp_path / "exports"
    folder.mkdir()
    files = []
    for n, name in enumerate(names * 2):  # each twice, under two names: ten files, enough for 2 workers
        files.append(folder / f"{n:02d}_{name}")
        shutil.copy(IDENTITY / name, files[-1])
    with KnowledgeBase(tmp_path / "one.db", embed=False) as kb:
        expected = [(f.status, f.reason, f.report.get("skipped")) for path in files for f in kb.ingest(path).files]
    assert [s for s, _, _ in expected] == ["added", "added", "duplicate", "duplicate", "added"] + ["duplicate"] * 5
    for workers in (1, 2):
        with KnowledgeBase(tmp_path / f"all{workers}.db", embed=False, workers=workers) as kb:
            report = kb.ingest(folder)
        assert [(f.status, f.reason, f.report.get("skipped")) for f in report.files] == expected, workers
