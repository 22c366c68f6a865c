"""``ask --llm`` end to end: the best units go to a real loopback server speaking the chat-completions
protocol; its answer is checked (citations, figures) and an endpoint that cannot answer leaves the
extractive answer."""

from __future__ import annotations

import socket

import pytest

from veille import KnowledgeBase
from veille.cli import main
from veille.llm import LLMConfig

from .test_llm import ChatServer, Reply, streamed, whole

QUESTION = "Combien coûte un data center de 1 GW ?"


@pytest.fixture
def server():
    chat = ChatServer()
    yield chat
    chat.close()


def _source_with(kb: KnowledgeBase, text: str) -> int:
    """The number the question's sources give the unit holding ``text``."""
    evidence = kb.ask(QUESTION).evidence
    return next(n for n, (_, unit_text) in enumerate(evidence, 1) if text in unit_text)


def test_the_best_units_are_sent_and_a_faithful_answer_is_verified(demo, server):
    with KnowledgeBase(demo) as kb:
        n = _source_with(kb, "35 milliards d'euros")
        server.replies.append(streamed("Un data center de 1 GW coûte autour de ",
                                       f"35 milliards d'euros, surtout pour les puces [{n}]."))
        pieces: list[str] = []
        answer = kb.ask(QUESTION, llm=server.config(), on_text=pieces.append)
    assert "".join(pieces).startswith("Un data center de 1 GW coûte")
    assert answer.generated is not None and answer.generated.verified, answer.generated.unverified
    assert answer.llm_error == ""
    # the sources sent are the units of the answer's evidence, with their citation labels, and nothing else
    (request,) = server.received
    user = request.body["messages"][-1]["content"]
    assert QUESTION in user
    for number, (cited, text) in enumerate(answer.evidence, 1):
        assert f"[{number}]" in user and cited.label in user and text.split("\n")[0] in user
    assert answer.as_dict()["generated"]["citations"][n]["author"] == "Thomas Girard"


def test_a_citation_not_given_and_a_figure_not_in_its_source_are_flagged(demo, server):
    with KnowledgeBase(demo) as kb:
        n = _source_with(kb, "35 milliards d'euros")
        server.replies.append(whole(f"Le coût atteint 35 milliards d'euros [{n}]. "
                                    f"Les puces coûtent 42 milliards d'euros [{n}]. "
                                    "La facture d'électricité est de 525 millions d'euros [12]."))
        answer = kb.ask(QUESTION, llm=server.config())
    generated = answer.generated
    assert generated is not None and not generated.verified
    verified = [s.verified for s in generated.sentences]
    assert verified == [True, False, False]
    problems = [" ".join(s.problems) for s in generated.unverified]
    assert "42" in problems[0] and f"[{n}]" in problems[0]
    assert "cites [12], which was not given" in problems[1]


def test_an_endpoint_that_cannot_answer_leaves_the_extractive_answer(demo, server):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with KnowledgeBase(demo) as kb:
        refused = kb.ask(QUESTION, llm=LLMConfig(f"http://127.0.0.1:{closed}/v1", "m", timeout=2))
        server.replies.append(Reply(delay=3.0))
        late = kb.ask(QUESTION, llm=server.config(timeout=0.5))
    for answer in (refused, late):
        assert answer.generated is None and answer.answered and answer.sentences
        assert "35 milliards d'euros" in answer.text
    assert "connection refused" in refused.llm_error
    assert "time" in late.llm_error.lower()


def test_weak_evidence_is_not_sent_to_the_model(demo, server):
    with KnowledgeBase(demo) as kb:
        answer = kb.ask("Quelle est la recette de la pâte à crêpes au beurre salé ?", llm=server.config())
    assert not answer.answered and answer.generated is None and server.received == []
    assert "not sent to the model" in answer.llm_error


def test_the_cli_streams_checks_and_falls_back(demo, server, capsys, monkeypatch):
    for name in ("VEILLE_LLM_URL", "OPENAI_BASE_URL", "VEILLE_LLM_MODEL"):
        monkeypatch.delenv(name, raising=False)
    with KnowledgeBase(demo) as kb:
        n = _source_with(kb, "35 milliards d'euros")
    server.replies.append(streamed(f"Environ 35 milliards d'euros [{n}]. ", "Et 99 milliards de plus [1]."))
    assert main(["--db", str(demo), "ask", QUESTION, "--llm", "--llm-url", server.url, "--llm-model", "m"]) == 0
    out = capsys.readouterr().out
    assert "Réponse générée (m) :" in out and f"Environ 35 milliards d'euros [{n}]." in out
    assert "⚠ non vérifiée : « Et 99 milliards de plus [1]. »" in out
    assert "\nSources :\n[1] " in out and "veille show " in out
    server.close()
    assert main(["--db", str(demo), "ask", QUESTION, "--llm", "--llm-url", server.url, "--llm-model", "m",
                 "--llm-timeout", "2"]) == 0
    captured = capsys.readouterr()
    assert "connection refused" in captured.err and "the extractive answer follows" in captured.err
    assert "35 milliards d'euros" in captured.out and "Sources :" in captured.out
    assert main(["--db", str(demo), "ask", QUESTION, "--llm"]) == 0  # no endpoint configured: said, then answered
    captured = capsys.readouterr()
    assert "VEILLE_LLM_URL" in captured.err and "Sources :" in captured.out
