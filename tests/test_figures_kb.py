"""Figures stored at ingest: every path that stores units stores their figures; kb.figures, its filters, the
``veille figures`` command, search hits' figures; real exports."""

from __future__ import annotations

import csv
import io
import json

import pytest

from veille import KnowledgeBase, streamed
from veille.cli import main
from veille.enrich.figures import extract_figures
from veille.errors import BadArgument

from .conftest import EXAMPLES, SEEDS, SHARED, load_bench, seed

REALDATA = SHARED / "realdata"


def _stored(kb: KnowledgeBase) -> list[tuple]:
    return [tuple(r) for r in kb.store.db.execute(
        "SELECT idx, value, high, unit, kind, text, approx, start, end FROM figures ORDER BY document_id, idx, start")]


def _expected(kb: KnowledgeBase) -> list[tuple]:
    """What extraction finds in every stored unit, in the figures table's order."""
    rows = []
    for _, idx, text in kb.store.db.execute("SELECT document_id, idx, text FROM units ORDER BY document_id, idx"):
        rows += [(idx, f.value, f.high, f.unit, f.kind, f.text, f.approx, f.start, f.end)
                 for f in extract_figures(text)]
    return rows


@pytest.fixture(scope="module")
def corpus_kb(tmp_path_factory):
    with KnowledgeBase(tmp_path_factory.mktemp("figures") / "kb.db") as kb:
        report = kb.ingest([SEEDS, EXAMPLES])
        assert report.ok, report.failed
        yield kb


def test_every_unit_s_figures_are_stored(corpus_kb):
    stored = _stored(corpus_kb)
    assert len(stored) > 100
    assert stored == _expected(corpus_kb)
    assert corpus_kb.check() == []


def test_removing_a_document_removes_its_figures(tmp_path):
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        kb.ingest([seed("002"), seed("004")])
        doc_id = kb.resolve(str(seed("004"))).ids[0]
        count = "SELECT COUNT(*) FROM figures WHERE document_id = ?"
        assert kb.store.db.execute(count, (doc_id,)).fetchone()[0] == 45  # as labelled by hand
        kb.remove(doc_id)
        assert kb.store.db.execute(count, (doc_id,)).fetchone()[0] == 0
        assert [f.figure.text for f in kb.figures()] == [
            "10 milliards de dollars", "5 000 et 7 000 milliards de dollars", "1 000 milliards de dollars"]
        assert kb.check() == []


def test_check_finds_a_figure_out_of_place(tmp_path):
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        kb.ingest(seed("002"))
        kb.store.db.execute("UPDATE figures SET start = start + 1 WHERE rowid = (SELECT MIN(rowid) FROM figures)")
        kb.store.db.execute("INSERT INTO figures VALUES ('nowhere', 0, 1, NULL, 'W', 'power', '1 W', NULL, 0, 3)")
        assert sorted(kb.check()) == ["1 figures of no unit",
                                      "1 figures whose text is not at their place in their unit"]


def test_a_windowed_document_stores_the_figures_a_whole_read_stores(tmp_path):
    with KnowledgeBase(tmp_path / "whole.db") as whole:
        whole.ingest(seed("004"))
        expected = _stored(whole)
    with KnowledgeBase(tmp_path / "windowed.db") as kb:
        kb.pipeline.window_chars = 6000
        kb.ingest(seed("004"))
        assert len(kb.store.db.execute("SELECT DISTINCT base FROM postings").fetchall()) > 5  # stored in windows
        assert _stored(kb) == expected
        assert kb.check() == []


def test_a_streamed_chat_stores_the_figures_a_whole_read_stores(tmp_path, monkeypatch):
    path = tmp_path / "groupe.txt"
    load_bench("generate_whatsapp").generate(path, "fr-android", messages=1500)
    monkeypatch.setattr(streamed, "WINDOW", 300)
    with KnowledgeBase(tmp_path / "whole.db") as whole:
        whole.ingest(path)
        expected = _stored(whole)
    with KnowledgeBase(tmp_path / "streamed.db", stream_bytes=0) as kb:
        report = kb.ingest(path)
        assert "streamed" in report.files[0].detection
        assert _stored(kb) == expected
        assert kb.check() == []
    assert len(expected) > 50


def test_figures_in_a_unit_range_are_converted_from_the_unit_asked(corpus_kb):
    found = corpus_kb.figures(unit="GW", min=1, max=5)
    assert found and all(f.figure.unit == "W" for f in found)
    assert all(f.figure.value <= 5e9 and (f.figure.high or f.figure.value) >= 1e9 for f in found)
    assert "10GW" not in [f.figure.text for f in found] and "1 gigawatt" in [f.figure.text for f in found]
    in_mw = corpus_kb.figures(unit="MW", min=1000, max=5000)
    assert [f.as_dict() for f in in_mw] == [f.as_dict() for f in found]
    millions = corpus_kb.figures(unit="M€", min=100)
    assert {f.figure.unit for f in millions} == {"EUR"} and all(f.figure.value >= 1e8 for f in millions)
    assert {f.figure.kind for f in corpus_kb.figures(unit="money")} == {"money"}
    assert {f.figure.unit for f in corpus_kb.figures(unit="GPU")} == {"GPU"}


def test_bad_figure_arguments_are_named(corpus_kb):
    with pytest.raises(BadArgument) as bad:
        corpus_kb.figures(unit="parsecs")
    assert bad.value.argument == "unit" and "GW" in bad.value.reason and "money" in bad.value.reason
    with pytest.raises(BadArgument) as bad:
        corpus_kb.figures(unit="GW", min=5, max=1)
    assert bad.value.argument == "min"
    with pytest.raises(BadArgument) as bad:
        corpus_kb.figures(kind="tweet")
    assert bad.value.argument == "kind"


def test_figures_carry_their_sentence_and_citation(corpus_kb):
    found = [f for f in corpus_kb.figures(source="004_") if f.figure.text == "200 millions d'euros"]
    assert len(found) == 1
    cited = found[0]
    assert cited.sentence == "Donc, tu te dis, 30 mégawatts, ça fait 200 millions d'euros."
    assert cited.time == "00:10:13"  # the sentence starts at line "10:13Donc, tu te dis,"
    assert cited.kind == "transcript"
    lines = seed("004").read_text(encoding="utf-8").splitlines()[cited.lines[0] - 1:cited.lines[1]]
    assert "ça fait 200 millions d'euros." in " ".join(lines)
    assert cited.source.endswith(seed("004").name)
    assert cited.citation == f"{cited.source}:{cited.lines[0]}-{cited.lines[1]} · unité {cited.unit} · 00:10:13"


def test_figures_of_a_query_are_those_of_the_best_chunks(corpus_kb):
    hits = corpus_kb.search("mégawatts data center", k=3)
    found = corpus_kb.figures("mégawatts data center", k=3)
    assert found
    spans = [(h.document_id, h.unit_start, h.unit_end) for h in hits]
    assert all(any(d == f.document_id and a <= f.unit < b for d, a, b in spans) for f in found)
    assert [f.figure.text for f in found] == [f.text for h in hits for f in h.figures]


def test_search_hits_list_the_figures_of_their_own_units(corpus_kb):
    hits = corpus_kb.search("gigawatt", k=5)
    assert any(h.figures for h in hits)
    for hit in hits:
        units = corpus_kb.store.db.execute("SELECT text FROM units WHERE document_id = ? AND idx >= ? AND idx < ? "
                                           "ORDER BY idx", (hit.document_id, hit.unit_start, hit.unit_end))
        assert [f.text for f in hit.figures] == [f.text for (text,) in units for f in extract_figures(text)]
        assert hit.as_dict()["figures"] == [f.as_dict() for f in hit.figures]


def test_figures_said_by_someone_in_a_chat(corpus_kb):
    said = corpus_kb.figures(who="thomas", kind="chat")
    assert said and {f.author for f in said} == {"Thomas Girard"}
    everyone = corpus_kb.figures(source="discussion_equipe")
    assert len({f.author for f in everyone}) > 1
    assert corpus_kb.figures(kind="chat", since="2099") == []


def test_real_chat_figures_carry_their_author(tmp_path):
    export = REALDATA / "langchain-chat" / "facebook_chat.json"
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        assert kb.ingest(export).ok
        found = kb.figures(unit="USD")
        by_author = {(f.author, f.sentence) for f in found}
        assert ("User 1", "Im offering $50.") in by_author
        assert ("User 2", "Goodmorning! $50 is too low.") in by_author
        for f in found:  # each figure's author is the author of the message holding it
            author, text = kb.store.db.execute("SELECT author, text FROM units WHERE document_id = ? AND idx = ?",
                                               (f.document_id, f.unit)).fetchone()
            assert f.author == author and f.figure.text in text


def test_extraction_runs_over_every_unit_of_the_real_exports(tmp_path):
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest([REALDATA / "chat-miner", REALDATA / "langchain-chat", REALDATA / "slack-export",
                            REALDATA / "whatsapp-chat-parser", REALDATA / "trafilatura-eval-fr" / "html"])
        assert report.count("added") > 40
        assert not [f for f in report.failed if "internal error" in f.reason]
        assert _stored(kb) == _expected(kb)
        assert kb.check() == []


def test_extraction_over_the_piaf_passages():
    rows = [json.loads(line) for line in (REALDATA / "piaf" / "corpus.jsonl").open(encoding="utf-8")]
    found = 0
    for row in rows:
        for figure in extract_figures(row["text"]):
            assert row["text"][figure.start:figure.end] == figure.text
            found += 1
    assert found > 300


def test_the_figures_command(corpus_kb, capsys):
    db = corpus_kb.store.path
    assert main(["--db", db, "figures", "--unit", "GW", "--min", "1", "--max", "5"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{len(corpus_kb.figures(unit='GW', min=1, max=5))} chiffre(s)\n")
    assert "1 GW  [power] « 1 gigawatt »" in out and "↳ " in out
    assert main(["--db", db, "figures", "data center", "--json", "-k", "2"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [f.as_dict() for f in corpus_kb.figures("data center", k=2)]
    assert main(["--db", db, "figures", "--unit", "%", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and {r["unit"] for r in rows} == {"%"} and all(r["sentence"] for r in rows)
    with pytest.raises(SystemExit) as stopped:
        main(["--db", db, "figures", "--unit", "parsecs"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--unit: 'parsecs' is not a unit" in err and "GW" in err


def test_search_on_screen_lists_each_hit_s_figures(corpus_kb, capsys):
    assert main(["--db", corpus_kb.store.path, "search", "coût data center gigawatt", "-k", "3"]) == 0
    out = capsys.readouterr().out
    hits = corpus_kb.search("coût data center gigawatt", k=3)
    shown = [line for line in out.splitlines() if line.startswith("   # chiffres : ")]
    assert len(shown) == sum(1 for h in hits if h.figures) > 0
    assert "1 GW" in "".join(shown)


def test_a_file_made_before_figures_gets_them_once(tmp_path):
    path = tmp_path / "old.db"
    with KnowledgeBase(path) as kb:
        kb.ingest([seed("001"), seed("002")])
        expected = _stored(kb)
        kb.store.db.execute("DROP TABLE figures")  # as an earlier veille left it
        kb.store.db.execute("DELETE FROM meta WHERE key = 'figures'")
    with KnowledgeBase(path) as kb:
        assert _stored(kb) == expected and len(expected) == 6
        assert kb.check() == []
        assert kb.store.add_missing_figures(extract_figures) == 0  # done once
