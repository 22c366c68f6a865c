"""Retrieval evaluation: the metrics by hand, BEIR folders read (and refused) right, and the PIAF gate.

The gate runs ``bench/retrieval_eval.py``'s ``GATE`` (the one definition, shared with ``--pin``) on
``../shared/realdata/piaf/`` and holds the floors pinned in ``tests/eval/retrieval_baseline.json``; its
"note" says how, and why a floor cannot be lowered silently.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import pytest

from veille.errors import InputError
from veille.evaluate import (
    MODES,
    BeirSet,
    Scores,
    add_eval_arguments,
    corpus_file_name,
    documents_ranked,
    evaluate,
    load_beir,
    markdown_table,
    mrr_at,
    ndcg_at,
    recall_at,
    run_eval_command,
    score_rankings,
)

from .conftest import load_bench

ROOT = Path(__file__).resolve().parents[1]
BEIR = Path(__file__).resolve().parent / "data" / "beir"
BASELINE = ROOT / "tests" / "eval" / "retrieval_baseline.json"


retrieval_eval = load_bench("retrieval_eval")


# -- metrics, computed by hand ------------------------------------------------------------------------------


def test_one_relevant_document_at_rank_three():
    ranking, qrels = ["a", "b", "c", "d"], {"c": 1}
    assert mrr_at(ranking, qrels) == pytest.approx(1 / 3)
    assert ndcg_at(ranking, qrels) == pytest.approx(1 / math.log2(4))  # = 0.5: the ideal puts c first (DCG 1)
    assert recall_at(ranking, qrels, 10) == 1.0
    assert recall_at(ranking, qrels, 2) == 0.0


def test_graded_judgements_use_the_grade_as_gain_and_the_ideal_order():
    # c (grade 2) at rank 3, b (grade 1) at rank 1: DCG = 1/log2(2) + 2/log2(4) = 2;
    # ideal = c then b: 2/log2(2) + 1/log2(3)
    ranking, qrels = ["b", "x", "c"], {"c": 2, "b": 1, "z": 0}
    assert ndcg_at(ranking, qrels) == pytest.approx(2 / (2 + 1 / math.log2(3)))
    assert mrr_at(ranking, qrels) == 1.0
    assert recall_at(ranking, qrels, 2) == 0.5  # z, graded 0, is not relevant


def test_nothing_relevant_found_scores_zero():
    assert ndcg_at(["a", "b"], {"z": 1}) == 0.0
    assert mrr_at(["a", "b"], {"z": 1}) == 0.0
    assert recall_at(["a", "b"], {"z": 1}) == 0.0
    assert ndcg_at([], {"z": 1}) == 0.0


def test_the_cut_offs_leave_out_what_lies_below_them():
    ranking = [f"d{i}" for i in range(1, 101)]
    qrels = {"d11": 1}
    assert ndcg_at(ranking, qrels, 10) == 0.0
    assert mrr_at(ranking, qrels, 10) == 0.0
    assert recall_at(ranking, qrels, 10) == 0.0
    assert recall_at(ranking, qrels, 100) == 1.0


def test_a_perfect_ranking_scores_one():
    qrels = {"a": 3, "b": 2, "c": 1}
    assert ndcg_at(["a", "b", "c", "x"], qrels) == pytest.approx(1.0)
    assert ndcg_at(["c", "b", "a"], qrels) < 1.0


def test_scores_average_over_queries_and_give_latency_percentiles():
    rankings = {"q1": ["a", "b"], "q2": ["x", "y", "c"]}
    qrels = {"q1": {"a": 1}, "q2": {"c": 1}}
    scores = score_rankings("test", rankings, qrels, [0.010, 0.020])
    assert scores.queries == 2
    assert scores.mrr10 == pytest.approx((1 + 1 / 3) / 2)
    assert scores.ndcg10 == pytest.approx((1 + 0.5) / 2)
    assert scores.recall10 == scores.recall100 == 1.0
    assert scores.p50_ms == pytest.approx(15.0)
    assert scores.p95_ms == pytest.approx(19.5)
    assert "| test | 0.750 | 1.000 | 1.000 | 0.667 | 15.0 | 19.5 |" in markdown_table([scores])


def test_chunk_hits_become_documents_ranked_by_their_best_chunk():
    def hit(doc: str) -> SimpleNamespace:
        return SimpleNamespace(document_id=doc, source=f"/tmp/{doc}.txt")

    owners = {"h1": ["p1"], "h2": ["p2", "p2bis"], "h3": ["p3"]}
    hits = [hit("h2"), hit("h1"), hit("h2"), hit("other"), hit("h3"), hit("h1")]
    assert documents_ranked(hits, owners) == ["p2", "p2bis", "p1", "(not in the corpus) /tmp/other.txt", "p3"]


def test_corpus_file_names_are_safe_and_unique():
    names = [corpus_file_name(n, doc_id) for n, doc_id in enumerate(["a/b", "../x", "A", "a", "é" * 200, ".cache"])]
    assert len({n.lower() for n in names}) == len(names)
    assert all("/" not in n and not n.startswith(".") and len(n) < 120 for n in names)


# -- reading BEIR folders -----------------------------------------------------------------------------------


def test_a_beir_folder_with_a_header_line():
    data = load_beir(BEIR / "mini")
    assert data.name == "mini"
    assert len(data.corpus) == 6 and len(data.queries) == 5
    assert data.corpus["comte"][0] == "Le comté"
    assert data.qrels["q3"] == {"comte": 2, "vin-jaune": 1, "baguette": 0}
    assert data.judged_queries() == ["q1", "q2", "q3", "q4", "q5"]
    assert not data.notes


def test_a_beir_folder_as_beir_ships_it_without_header_and_with_number_ids():
    data = load_beir(BEIR / "sans-entete")
    assert set(data.corpus) == {"101", "102", "103"}
    assert data.corpus["101"][0] == ""  # no title
    assert data.qrels == {"1": {"101": 1}, "2": {"102": 1}}


def test_samples_are_fixed_by_their_seed():
    data = load_beir(BEIR / "mini")
    assert data.sample(3, seed=7) == data.sample(3, seed=7)
    assert len(data.sample(3, seed=7)) == 3
    assert data.sample(None) == data.sample(50) == data.judged_queries()


def _broken(tmp_path: Path, name: str, content: str) -> Path:
    folder = tmp_path / "set"
    shutil.copytree(BEIR / "mini", folder)
    (folder / name).write_text(content, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("name", "content", "where", "reason"), [
    ("corpus.jsonl", '{"_id": "a", "text": "Un."}\n\n{"_id": "b", "text": "Deux.",\n', "corpus.jsonl:3", "not JSON"),
    ("corpus.jsonl", '{"title": "Sans identifiant", "text": "Texte."}\n', "corpus.jsonl:1", "'_id'"),
    ("corpus.jsonl", '{"_id": "a", "text": "Un."}\n{"_id": "a", "text": "Deux."}\n', "corpus.jsonl:2", "twice"),
    ("corpus.jsonl", '{"_id": "a", "text": 3}\n', "corpus.jsonl:1", "'text'"),
    ("corpus.jsonl", '["a", "b"]\n', "corpus.jsonl:1", "JSON object"),
    ("queries.jsonl", '{"_id": "q1", "text": ""}\n', "queries.jsonl:1", "non-empty 'text'"),
    ("qrels.tsv", "query-id\tcorpus-id\tscore\nq1\tbaguette\n", "qrels.tsv:2", "3 tab-separated columns"),
    ("qrels.tsv", "q1\tbaguette\t1\nq2\ttour\tpertinent\n", "qrels.tsv:2", "not a whole number"),
    ("qrels.tsv", "query-id\tcorpus-id\tscore\n", "qrels.tsv", "no relevance judgements"),
])
def test_malformed_input_names_the_file_and_the_line(tmp_path, name, content, where, reason):
    folder = _broken(tmp_path, name, content)
    with pytest.raises(InputError) as error:
        load_beir(folder)
    assert error.value.path.endswith(where)
    assert reason in error.value.reason


def test_a_missing_file_or_folder_is_named(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        load_beir(tmp_path / "absent")
    folder = _broken(tmp_path, "queries.jsonl", "")
    (folder / "queries.jsonl").unlink()
    with pytest.raises(InputError, match=r"queries\.jsonl: missing"):
        load_beir(folder)


def test_undecodable_bytes_are_refused_with_their_line(tmp_path):
    folder = _broken(tmp_path, "queries.jsonl", "")
    (folder / "queries.jsonl").write_bytes(b'{"_id": "q1", "text": "ok"}\n{"_id": "q2", "text": "\xe9t\xe9"}\n')
    with pytest.raises(InputError, match=r"queries\.jsonl:2: not UTF-8"):
        load_beir(folder)


def test_judgements_naming_unknown_ids_are_noted_not_hidden(tmp_path):
    folder = _broken(tmp_path, "qrels.tsv", "q1\tbaguette\t1\nq9\tbaguette\t1\nq2\tabsent\t1\n")
    data = load_beir(folder)
    assert data.judged_queries() == ["q1", "q2"]  # q9 has no text
    assert any("not in queries.jsonl" in n for n in data.notes)
    assert any("not in corpus.jsonl" in n for n in data.notes)


# -- evaluating veille on a small set -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def mini_report():
    return evaluate(None, BEIR / "mini", MODES)


def test_the_small_french_set_is_answered_through_the_pipeline(mini_report):
    lexical = mini_report.result("lexical")
    assert lexical.available and lexical.queries == 5
    ranked = mini_report.rankings["lexical"]
    assert ranked["q1"][0] == "baguette"
    assert ranked["q2"][0] == "tour"
    assert ranked["q4"][0] == "flamanville"
    assert set(ranked["q3"][:2]) == {"comte", "vin-jaune"}
    assert lexical.mrr10 >= 0.9
    assert mini_report.documents == 6 and mini_report.chunks == 6


def test_every_mode_is_reported_and_an_unavailable_one_says_why(mini_report):
    assert [r.name for r in mini_report.results] == list(MODES)
    for result in mini_report.results:
        assert result.available or result.unavailable, result.name
    table = mini_report.table()
    for result in mini_report.results:
        if not result.available:
            assert f"| {result.name} | unavailable: {result.unavailable}" in table
    json.dumps(mini_report.as_dict())


def test_a_mode_the_knowledge_base_cannot_run_is_reported_unavailable(tmp_path):
    from veille import KnowledgeBase

    with KnowledgeBase(tmp_path / "kb.db", embed=False) as kb:
        report = evaluate(kb, BEIR / "mini", MODES)
    assert report.result("lexical").available
    for mode in ("dense", "hybrid"):
        assert not report.result(mode).available
        assert f"| {mode} | unavailable: {report.result(mode).unavailable}" in report.table()
        assert report.as_dict()["modes"][MODES.index(mode)] == {"name": mode, "available": False,
                                                                 "reason": report.result(mode).unavailable}


def test_a_document_in_several_chunks_counts_once(tmp_path):
    long_text = " ".join(f"La phrase numéro {n} parle du canal du Midi, de ses écluses et de Pierre-Paul Riquet."
                         for n in range(120))
    data = BeirSet("long", {"canal": ("Le canal du Midi", long_text), "loire": ("La Loire", "Un fleuve sauvage."),
                            "loire-bis": ("La Loire", "Un fleuve sauvage.")},
                   {"q": "écluses du canal du Midi", "r": "fleuve sauvage"}, {"q": {"canal": 1}, "r": {"loire-bis": 1}})
    report = evaluate(tmp_path / "kb.db", data, ("lexical",))
    assert report.chunks > report.documents == 3
    assert report.depth >= 100 * 2  # more chunks than documents: deeper searches, so 100 documents can be ranked
    assert report.rankings["lexical"]["q"] == ["canal"]
    # the same text twice is stored once; both ids are ranked, side by side
    assert report.rankings["lexical"]["r"] == ["loire", "loire-bis"]
    assert any("repeat another one's text" in n for n in report.notes)
    assert report.result("lexical").recall10 == 1.0


def test_a_kept_knowledge_base_can_be_evaluated_again(tmp_path):
    first = evaluate(tmp_path / "kb.db", BEIR / "mini", ("lexical",))
    again = evaluate(tmp_path / "kb.db", BEIR / "mini", ("lexical",))
    assert again.rankings == first.rankings
    assert again.chunks == first.chunks
    assert (first.reused, again.reused) == (0, 6)  # read again, neither parsed nor embedded again
    assert "6 documents, 6 of them already stored" in again.summary()


def test_the_eval_command_prints_the_table_or_json(capsys):
    parser = argparse.ArgumentParser()
    add_eval_arguments(parser)
    assert run_eval_command(parser.parse_args([str(BEIR / "mini"), "--mode", "lexical", "--json"])) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [m["name"] for m in printed["modes"]] == ["lexical"]
    assert printed["modes"][0]["mrr@10"] >= 0.9
    assert run_eval_command(parser.parse_args([str(BEIR / "sans-entete"), "--sample", "1", "--seed", "3"])) == 0
    out = capsys.readouterr().out
    assert "1 of 2 queries (seed 3)" in out and "| lexical |" in out and "| hybrid |" in out


def test_unknown_modes_are_refused():
    with pytest.raises(ValueError, match="modes are among"):
        evaluate(None, BEIR / "mini", ("semantic",))


# -- the PIAF gate ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline() -> dict:
    return json.loads(BASELINE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gate():
    started = time.perf_counter()
    try:
        reports = retrieval_eval.gate_reports()
    except InputError as missing:
        pytest.fail(f"{missing}: the retrieval gate needs ../shared beside the project")
    return reports, time.perf_counter() - started


def test_the_baseline_records_when_and_what_it_measured(baseline):
    on = baseline["measured_on"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", on["date"])
    assert on["commit"] and on["commit"] != "unknown"
    assert baseline["note"]
    assert baseline["runs"].keys() == retrieval_eval.GATE.keys()
    for name, run in baseline["runs"].items():
        # the floors hold for the settings they were measured with
        assert run["settings"] == json.loads(json.dumps(asdict(retrieval_eval.GATE[name]))), name
        assert run["floors"].keys() == run["measured"].keys(), name
        for mode, floors in run["floors"].items():
            assert floors.keys() == set(retrieval_eval.METRICS), (name, mode)
            for metric, floor in floors.items():
                # A floor sits just under the value measured when it was pinned: lowering it means rewriting
                # the measured value (and the date and commit) too, which the diff shows.
                assert run["measured"][mode][metric] - 0.02 <= floor <= run["measured"][mode][metric], \
                    (name, mode, metric)


def test_no_retrieval_figure_falls_below_its_floor(gate, baseline):
    reports, seconds = gate
    below = []
    for name, report in reports.items():
        print(f"\nretrieval gate, {name}:\n{report.table()}")
        floors = baseline["runs"][name]["floors"]
        for result in report.results:
            if not result.available:
                if result.name in floors:
                    below.append(f"{name}: {result.name} has floors but cannot run: {result.unavailable}")
                continue
            if result.name not in floors:
                below.append(f"{name}: {result.name} runs but has no floor: re-pin with bench/retrieval_eval.py --pin")
                continue
            got = result.as_dict()
            below += [f"{name}: {result.name} {metric} {got[metric]:.4f} < floor {floor}"
                      for metric, floor in floors[result.name].items() if got[metric] < floor]
    print(f"retrieval gate: {seconds:.1f} s")
    assert not below, "retrieval regressed:\n" + "\n".join(below)


def test_missing_evaluation_data_fails_loudly(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        retrieval_eval.gate_reports(tmp_path / "piaf")


def test_veille_eval_is_a_command_of_the_cli(capsys):
    from veille.cli import main

    assert main(["eval", str(BEIR / "mini"), "--mode", "lexical"]) == 0
    out = capsys.readouterr().out
    assert "mini: all 5 queries; 6 documents, ingested as 6 chunks" in out
    assert re.search(r"\| lexical \| 0\.9\d\d \| 1\.000 \| 1\.000 \| 1\.000 \|", out)
    # embeddings refused: the dense mode is reported unavailable, and no mode ran
    assert main(["--no-embed", "eval", str(BEIR / "mini"), "--mode", "dense"]) == 1
    assert "| dense | unavailable: dense search needs embeddings: embeddings turned off" in capsys.readouterr().out
    assert main(["eval", str(BEIR / "absent")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_hybrid_is_compared_with_the_better_single_mode_query_by_query():
    from veille.evaluate import EvalReport

    qrels = {f"q{i}": {f"d{i}": 1} for i in range(6)}
    lexical = {q: ["x", f"d{i}"] for i, q in enumerate(qrels)}  # always second: nDCG 0.631
    dense = {q: ["x", "y", f"d{i}"] for i, q in enumerate(qrels)}  # always third: 0.5
    hybrid = {q: [f"d{i}"] if i % 2 else ["x", f"d{i}"] for i, q in enumerate(qrels)}  # first on every other

    def report(hybrid_rankings):
        rankings = {"lexical": lexical, "dense": dense, "hybrid": hybrid_rankings}
        results = [score_rankings(m, r, qrels, [0.01] * 6) for m, r in rankings.items()]
        return EvalReport("t", 6, 6, 6, 6, None, 0, 100, 0.0, results=results, rankings=rankings, qrels=qrels)

    better = report(hybrid)
    gain = 0.5 * (1 - 1 / math.log2(3))
    assert better.hybrid_gain().startswith(f"hybrid beats the better single mode (lexical): nDCG@10 "
                                           f"{better.result('hybrid').ndcg10:.3f} vs {1 / math.log2(3):.3f}, "
                                           f"+{gain:.3f}")
    assert better.hybrid_gain() in better.table()
    assert report(dense).hybrid_gain().startswith("hybrid does not beat the better single mode (lexical)")
    without_dense = report(hybrid)
    without_dense.results[1] = Scores("dense", unavailable="no model")
    assert without_dense.hybrid_gain() is None and "hybrid beats" not in without_dense.table()
