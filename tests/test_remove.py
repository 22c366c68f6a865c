"""remove: ids matched exactly or by a plain-text prefix, never as a pattern; a shared prefix asks first."""

from __future__ import annotations

import json
import shutil

import pytest

from veille import KnowledgeBase
from veille.cli import main
from veille.errors import AmbiguousReference
from veille.types import content_id

from .conftest import EXAMPLES


@pytest.fixture
def demo_db(backend):
    """The demo corpus in each store (a SQLite file, a PostgreSQL database)."""
    db = backend
    with KnowledgeBase(db) as kb:
        assert kb.ingest(EXAMPLES).ok
    return db


def _ids(db: str) -> list[str]:
    with KnowledgeBase(db) as kb:
        return sorted(d.id for d in kb.documents())


@pytest.mark.parametrize("pattern", ["%%%%%%", "______", "%", "_" * 16, "%a%%%%", "*" * 6, "[0-9]*"])
def test_like_wildcards_remove_nothing(demo_db, pattern, capsys):
    before = _ids(demo_db)
    assert len(before) == 6
    assert main(["--db", demo_db, "remove", pattern]) == 1
    assert "no such document" in capsys.readouterr().err
    assert _ids(demo_db) == before
    with KnowledgeBase(demo_db) as kb:
        assert kb.remove(pattern) == [] and kb.resolve(pattern).documents == []


def test_a_six_character_prefix_removes_exactly_that_document(demo_db, capsys):
    before = _ids(demo_db)
    target = before[2]
    assert main(["--db", demo_db, "remove", target[:6]]) == 0
    assert capsys.readouterr().out.strip() == f"removed {target}"
    assert _ids(demo_db) == [i for i in before if i != target]
    assert main(["--db", demo_db, "remove", before[0][:5]]) == 1  # too short to be a prefix
    assert len(_ids(demo_db)) == 5


def test_a_source_path_removes_its_document(demo_db, capsys):
    with KnowledgeBase(demo_db) as kb:
        removed = kb.remove(str(EXAMPLES / "post_linkedin.txt"))
        assert len(removed) == 1 and all("post_linkedin" not in d.source for d in kb.documents())
    relative = "examples/emission_tech.txt"
    assert main(["--db", demo_db, "remove", str(EXAMPLES.parent / relative)]) == 0
    assert len(_ids(demo_db)) == 4


def _colliding_texts() -> tuple[str, str]:
    """Two texts whose ids start with the same 6 characters (a birthday search: a few thousand tries)."""
    seen: dict[str, str] = {}
    for n in range(200_000):
        text = f"Note {n} : le comité parle du data center et du nucléaire.\n"
        prefix = content_id(text)[:6]
        if prefix in seen:
            return seen[prefix], text
        seen[prefix] = text
    raise AssertionError("no shared prefix found")


def test_a_prefix_shared_by_several_documents_asks_for_yes(tmp_path, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    first, second = _colliding_texts()
    (folder / "un.txt").write_text(first, encoding="utf-8")
    (folder / "deux.txt").write_text(second, encoding="utf-8")
    shutil.copy(EXAMPLES / "post_linkedin.txt", folder)
    db = str(tmp_path / "kb.db")
    assert main(["--db", db, "ingest", str(folder)]) == 0
    shared = content_id(first)[:6]
    assert content_id(second).startswith(shared)
    capsys.readouterr()

    assert main(["--db", db, "remove", shared]) == 1  # stdin is not a terminal: refused, both listed
    err = capsys.readouterr().err
    assert f"'{shared}' is the start of 2 document ids" in err and "un.txt" in err and "deux.txt" in err
    assert "--yes" in err and len(_ids(db)) == 3
    with KnowledgeBase(db) as kb:
        found = kb.resolve(shared)
        assert found.ambiguous and sorted(found.ids) == sorted([content_id(first), content_id(second)])
        with pytest.raises(AmbiguousReference, match="start of 2 document ids"):
            kb.remove(shared)
        assert len(kb.documents()) == 3
        assert not kb.resolve(content_id(first)).ambiguous  # the whole id is exact

    assert main(["--db", db, "remove", "--yes", shared]) == 0
    assert sorted(capsys.readouterr().out.split()) == sorted(
        ["removed", content_id(first), "removed", content_id(second)])
    assert main(["--db", db, "documents", "--json"]) == 0
    assert [d["source"].rsplit("/", 1)[1] for d in json.loads(capsys.readouterr().out)] == ["post_linkedin.txt"]
