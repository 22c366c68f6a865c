"""The generated answer (``veille.llm``) against a real chat-completions server on the loopback interface."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veille.errors import BadArgument, VeilleError
from veille.llm import (LLMConfig, LLMUnavailable, Source, answer_sentences, citations, figures_in,
                        generate_answer, parse_number, verify)

SOURCES = [
    Source(1, "Sylvia : le supercalculateur Jean Zay a coûté 3 500 000 € de plus cette année.",
           "Sylvia, 2025-03-04 14:02, groupe.txt:120"),
    Source(2, "Karim : un data center d'IA de nouvelle génération demande environ 10 GW.",
           "Karim, 2025-03-04 14:05, groupe.txt:124"),
]
QUESTION = "Combien coûte le supercalculateur ?"


# ------------------------------------------------------------------------------------- the loopback server

@dataclass
class Reply:
    """What the server answers to the next request."""

    status: int = 200
    content_type: str = "text/event-stream"
    chunks: list[bytes] = field(default_factory=list)
    delay: float = 0.0       # seconds before the headers
    stall_after: int = -1    # chunks sent before the server stops answering (-1: never)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict


class ChatServer:
    """A small OpenAI-compatible chat-completions server that plays scripted replies."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.received: list[Received] = []
        self.release = threading.Event()  # set at teardown: a sleeping handler stops waiting
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                server.received.append(Received(self.path, dict(self.headers), body))
                reply = server.replies.pop(0)
                if reply.delay and server.release.wait(reply.delay):
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.end_headers()
                for index, chunk in enumerate(reply.chunks):
                    if index == reply.stall_after:
                        server.release.wait(10)
                        return
                    self.wfile.write(chunk)
                    self.wfile.flush()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def config(self, **options: object) -> LLMConfig:
        return LLMConfig(url=self.url, model="qwen2.5:7b", **options)

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[ChatServer]:
    chat = ChatServer()
    yield chat
    chat.close()


def streamed(*pieces: str, done: bool = True) -> Reply:
    """An SSE reply giving ``pieces`` as deltas, the way llama.cpp's server and Ollama send them."""
    events = [{"choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}]
    events += [{"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]} for piece in pieces]
    events.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    chunks = [b": keep-alive\n\n"] + [f"data: {json.dumps(e, ensure_ascii=False)}\n\n".encode() for e in events]
    if done:
        chunks.append(b"data: [DONE]\n\n")
    return Reply(chunks=chunks)


def whole(content: str) -> Reply:
    """A plain JSON reply (a server that does not stream)."""
    body = {"id": "x", "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}
    return Reply(content_type="application/json", chunks=[json.dumps(body).encode()])


# --------------------------------------------------------------------------------------- generated answers

def test_streamed_answer_with_citations_is_verified_and_the_request_is_the_protocol(server):
    server.replies.append(streamed("Le supercalculateur a coûté ", "3,5 millions d'euros de plus [1]. ",
                                   "Un data center d'IA demande environ 10 GW [2]."))
    pieces: list[str] = []
    answer = generate_answer(QUESTION, SOURCES, server.config(), on_text=pieces.append)
    assert pieces == ["Le supercalculateur a coûté ", "3,5 millions d'euros de plus [1]. ",
                      "Un data center d'IA demande environ 10 GW [2]."]
    assert answer.text == "".join(pieces).strip()
    assert [(s.text, s.cited, s.verified) for s in answer.sentences] == [
        ("Le supercalculateur a coûté 3,5 millions d'euros de plus [1].", (1,), True),
        ("Un data center d'IA demande environ 10 GW [2].", (2,), True)]
    assert answer.verified and answer.unverified == []

    (request,) = server.received
    assert request.path == "/v1/chat/completions"
    assert request.body["model"] == "qwen2.5:7b" and request.body["stream"] is True
    system, user = request.body["messages"]
    assert system["role"] == "system" and "[1]" in system["content"] and "Je ne sais pas" in system["content"]
    assert user["role"] == "user"
    assert user["content"] == (
        "Sources :\n\n"
        f"[1] (Sylvia, 2025-03-04 14:02, groupe.txt:120)\n{SOURCES[0].text}\n\n"
        f"[2] (Karim, 2025-03-04 14:05, groupe.txt:124)\n{SOURCES[1].text}\n\n"
        f"Question : {QUESTION}")
    assert set(request.body) == {"model", "messages", "stream", "temperature"}
    assert "Authorization" not in request.headers


def test_a_key_is_sent_as_a_bearer_token(server):
    server.replies.append(whole("Il a coûté 3 500 000 € [1]."))
    answer = generate_answer(QUESTION, SOURCES, server.config(key="sk-test-123"))
    assert server.received[0].headers["Authorization"] == "Bearer sk-test-123"
    assert answer.verified


def test_a_local_server_is_reached_past_the_environments_proxy(server, monkeypatch):
    with socket.socket() as probe:  # a proxy that is not there: going through it would be refused
        probe.bind(("127.0.0.1", 0))
        dead_proxy = f"http://127.0.0.1:{probe.getsockname()[1]}"
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    server.replies.append(whole("Il a coûté 3,5 M€ [1]."))
    assert generate_answer(QUESTION, SOURCES, server.config()).verified


def test_a_plain_json_reply_is_read_too(server):
    server.replies.append(whole("Il a coûté 3,5 M€ [1]."))
    pieces: list[str] = []
    answer = generate_answer(QUESTION, SOURCES, server.config(), on_text=pieces.append)
    assert pieces == ["Il a coûté 3,5 M€ [1]."]
    assert answer.sentences[0].verified


def test_a_stream_sent_under_another_content_type_is_read_as_a_stream(server):
    reply = streamed("Il a coûté ", "3,5 M€ [1].")
    reply.content_type = "text/plain"
    server.replies.append(reply)
    assert generate_answer(QUESTION, SOURCES, server.config()).text == "Il a coûté 3,5 M€ [1]."


def test_the_thinking_of_a_reasoning_model_is_not_part_of_the_answer(server):
    server.replies.append(streamed("<think>La source 1 parle de 3 500 000 €, ", "soit 12 millions ?</think>\n\n",
                                   "Il a coûté 3,5 M€ [1]."))
    answer = generate_answer(QUESTION, SOURCES, server.config())
    assert answer.text == "Il a coûté 3,5 M€ [1]." and answer.verified


def test_answer_as_a_json_record(server):
    server.replies.append(whole("Il a coûté 3,5 M€ [1]. Et 12 GW [2]."))
    record = generate_answer(QUESTION, SOURCES, server.config()).as_dict()
    assert json.loads(json.dumps(record, ensure_ascii=False)) == {
        "text": "Il a coûté 3,5 M€ [1]. Et 12 GW [2].", "model": "qwen2.5:7b",
        "url": f"{server.url}/chat/completions", "verified": False,
        "sentences": [{"text": "Il a coûté 3,5 M€ [1].", "cited": [1], "verified": True, "problems": []},
                      {"text": "Et 12 GW [2].", "cited": [2], "verified": False,
                       "problems": ["12 GW not in [2]"]}],
        "sources": [{"number": s.number, "label": s.label, "text": s.text} for s in SOURCES]}


def test_an_error_of_the_callers_printing_is_not_taken_for_the_servers(server):
    server.replies.append(streamed("Il a coûté ", "3,5 M€ [1]."))

    def closed_stdout(piece: str) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(BrokenPipeError):
        generate_answer(QUESTION, SOURCES, server.config(), on_text=closed_stdout)


def test_a_citation_of_a_source_not_given_is_flagged(server):
    server.replies.append(streamed("Il a coûté 3,5 millions d'euros [1]. ", "EDF fournira l'électricité [7]."))
    answer = generate_answer(QUESTION, SOURCES, server.config())
    first, second = answer.sentences
    assert first.verified
    assert not second.verified and second.problems == ("cites [7], which was not given",)
    assert not answer.verified and answer.unverified == [second]


def test_a_figure_absent_from_its_cited_source_is_flagged(server):
    server.replies.append(streamed("Il a coûté 12 millions d'euros [1]. ", "Il faut 10 GW [2]."))
    answer = generate_answer(QUESTION, SOURCES, server.config())
    first, second = answer.sentences
    assert first.problems == ("12 millions € not in [1]",)
    assert second.verified


def test_a_figure_present_in_another_source_than_the_cited_one_is_flagged(server):
    # 10 GW is in [2], but the sentence cites [1].
    server.replies.append(streamed("Il faut 10 GW [1]."))
    (sentence,) = generate_answer(QUESTION, SOURCES, server.config()).sentences
    assert sentence.problems == ("10 GW not in [1]",)


def test_a_sentence_without_citation_is_unverified(server):
    server.replies.append(streamed("Il a coûté 3 500 000 € [1]. Cela paraît beaucoup."))
    first, second = generate_answer(QUESTION, SOURCES, server.config()).sentences
    assert first.verified and second.problems == ("cites no source",)


def test_a_decline_is_unavailable_for_the_fallback(server):
    server.replies.append(streamed("Je ne sais pas : les sources ne le disent pas."))
    with pytest.raises(LLMUnavailable, match="no answer in the sources"):
        generate_answer(QUESTION, SOURCES, server.config())


# ------------------------------------------------------------------------------------------------ failures

def test_time_out_is_unavailable_within_the_time_out(server):
    server.replies.append(Reply(delay=10, chunks=streamed("trop tard [1].").chunks))
    started = time.monotonic()
    with pytest.raises(LLMUnavailable) as raised:
        generate_answer(QUESTION, SOURCES, server.config(timeout=0.3))
    assert time.monotonic() - started < 3
    assert raised.value.url == f"{server.url}/chat/completions"
    assert str(raised.value) == f"LLM endpoint {server.url}/chat/completions: no reply within 0.3 s (time-out)"


def test_a_stream_that_stalls_half_way_times_out(server):
    reply = streamed("Il a coûté ", "3,5 M€ [1].")
    reply.stall_after = 3  # keep-alive, role, first piece; then nothing
    server.replies.append(reply)
    pieces: list[str] = []
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match=r"no reply within 0.3 s \(time-out\)"):
        generate_answer(QUESTION, SOURCES, server.config(timeout=0.3), on_text=pieces.append)
    assert time.monotonic() - started < 3
    assert pieces == ["Il a coûté "]


def test_refused_connection():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = LLMConfig(url=f"http://127.0.0.1:{port}/v1", model="m", timeout=2)
    with pytest.raises(LLMUnavailable) as raised:
        generate_answer(QUESTION, SOURCES, config)
    assert str(raised.value) == (f"LLM endpoint http://127.0.0.1:{port}/v1/chat/completions: "
                                 "connection refused (is the server running?)")
    assert isinstance(raised.value, VeilleError)


@pytest.mark.parametrize("url", ["127.0.0.1:11434/v1", "ftp://127.0.0.1/v1", "http:///v1"])
def test_a_url_that_is_not_http_is_unavailable(url):
    with pytest.raises(LLMUnavailable, match="not an http:// or https:// URL"):
        generate_answer(QUESTION, SOURCES, LLMConfig(url=url, model="m"))


def test_http_401_gives_the_servers_message(server):
    body = {"error": {"message": "Incorrect API key provided: sk-bad", "type": "invalid_request_error"}}
    server.replies.append(Reply(status=401, content_type="application/json", chunks=[json.dumps(body).encode()]))
    with pytest.raises(LLMUnavailable) as raised:
        generate_answer(QUESTION, SOURCES, server.config(key="sk-bad"))
    assert raised.value.reason == "HTTP 401 Unauthorized: Incorrect API key provided: sk-bad"


def test_http_404_and_500_with_plain_text_or_ollama_errors(server):
    server.replies.append(Reply(status=404, content_type="application/json",
                                chunks=[b'{"error":"model \\"llama9\\" not found, try pulling it first"}']))
    server.replies.append(Reply(status=500, content_type="text/plain", chunks=[b"out of memory"]))
    with pytest.raises(LLMUnavailable, match=r'HTTP 404 Not Found: model "llama9" not found, try pulling it first$'):
        generate_answer(QUESTION, SOURCES, server.config())
    with pytest.raises(LLMUnavailable, match="HTTP 500 Internal Server Error: out of memory$"):
        generate_answer(QUESTION, SOURCES, server.config())


@pytest.mark.parametrize("chunks, reason", [
    ([b"data: {\"choices\": [{\"delta\": {\"content\": \"Il a\"}}]}\n\n", b"data: {not json\n\n"],
     "malformed stream: '{not json' is not JSON"),
    ([b"data: {\"choices\": [{\"delta\": {\"content\": \"Il a co\"}}]}\n\n"],
     r"malformed stream: it ended before its last event \(no \[DONE\]\)"),
    ([b"data: {\"object\": \"chat.completion.chunk\"}\n\n", b"data: [DONE]\n\n"],
     "malformed reply: no choices in"),
    ([b"data: {\"error\": {\"message\": \"context length exceeded\"}}\n\n"],
     "the server reports an error: context length exceeded"),
])
def test_malformed_streams(server, chunks, reason):
    server.replies.append(Reply(chunks=chunks))
    with pytest.raises(LLMUnavailable, match=reason):
        generate_answer(QUESTION, SOURCES, server.config())


def test_empty_reply_and_refusal(server):
    server.replies.append(streamed())
    refusal = {"choices": [{"index": 0, "delta": {"refusal": "I can't help with that."}, "finish_reason": None}]}
    server.replies.append(Reply(chunks=[f"data: {json.dumps(refusal)}\n\n".encode(), b"data: [DONE]\n\n"]))
    server.replies.append(Reply(content_type="application/json", chunks=[json.dumps(
        {"choices": [{"message": {"role": "assistant", "content": ""}, "finish_reason": "content_filter"}]}).encode()]))
    with pytest.raises(LLMUnavailable, match="the model gave an empty reply"):
        generate_answer(QUESTION, SOURCES, server.config())
    with pytest.raises(LLMUnavailable, match="the model refused: I can't help with that."):
        generate_answer(QUESTION, SOURCES, server.config())
    with pytest.raises(LLMUnavailable, match="content filter"):
        generate_answer(QUESTION, SOURCES, server.config())


def test_bad_sources_are_refused_before_any_request(server):
    with pytest.raises(BadArgument, match="no source"):
        generate_answer(QUESTION, [], server.config())
    with pytest.raises(BadArgument, match="share a number"):
        generate_answer(QUESTION, [SOURCES[0], SOURCES[0]], server.config())
    assert server.received == []


# ----------------------------------------------------------------------------------------------- the config

def test_config_from_explicit_values_then_the_environment():
    env = {"VEILLE_LLM_URL": "http://127.0.0.1:11434/v1", "VEILLE_LLM_MODEL": "mistral",
           "OPENAI_BASE_URL": "https://api.example.com/v1", "OPENAI_API_KEY": "sk-openai"}
    config = LLMConfig.from_env(environ=env)
    assert (config.url, config.model, config.key, config.timeout) == (
        "http://127.0.0.1:11434/v1", "mistral", "sk-openai", 60.0)
    assert config.endpoint == "http://127.0.0.1:11434/v1/chat/completions"
    assert LLMConfig.from_env(environ={**env, "VEILLE_LLM_KEY": "k2"}).key == "k2"
    assert LLMConfig.from_env(url="http://h:8080/v1/", model="m", key="k", timeout=5, environ=env) == LLMConfig(
        "http://h:8080/v1/", "m", "k", 5)
    assert LLMConfig("http://h:8080/v1/", "m").endpoint == "http://h:8080/v1/chat/completions"
    fallback = LLMConfig.from_env(environ={"OPENAI_BASE_URL": "https://api.example.com/v1", "VEILLE_LLM_MODEL": "m"})
    assert (fallback.url, fallback.key) == ("https://api.example.com/v1", None)
    assert LLMConfig.from_env(environ={**env, "VEILLE_LLM_TIMEOUT": "2.5"}).timeout == 2.5


def test_config_missing_or_bad_values():
    with pytest.raises(LLMUnavailable, match="set VEILLE_LLM_URL"):
        LLMConfig.from_env(environ={})
    with pytest.raises(LLMUnavailable, match="set VEILLE_LLM_MODEL"):
        LLMConfig.from_env(environ={"VEILLE_LLM_URL": "http://127.0.0.1:8080/v1"})
    with pytest.raises(BadArgument, match="VEILLE_LLM_TIMEOUT: 'soon' is not a number"):
        LLMConfig.from_env(url="u", model="m", environ={"VEILLE_LLM_TIMEOUT": "soon"})
    with pytest.raises(BadArgument, match="timeout"):
        LLMConfig.from_env(url="u", model="m", timeout=0, environ={})


# ------------------------------------------------------------------------------------------- verification

def same_figures(found: list[tuple[float, str]], expected: list[tuple[float, str]]) -> bool:
    """Same units in the same order, values equal to float precision."""
    return ([unit for _, unit in found] == [unit for _, unit in expected]
            and [value for value, _ in found] == pytest.approx([value for value, _ in expected]))


def test_figures_written_differently_match():
    sources = [Source(1, "Le contrat : 3 500 000 € (trois millions et demi), 200 MW, 100 000 GPU, 12 %."),
               Source(2, "It costs $12 million and 1,000.5 tokens.")]
    answer = ("Le contrat vaut 3,5 millions d'euros pour 200 mégawatts [1]. Il prévoit 100 000 GPU, "
              "soit 12 pour cent [1]. Cela coûte 12 millions de dollars pour 1 000,5 tokens [2].")
    assert [(s.verified, s.problems) for s in verify(answer, sources)] == [(True, ())] * 3


def test_figure_unit_must_agree_when_both_have_one():
    sources = [Source(1, "Le budget est de 12 % du total.")]
    (sentence,) = verify("Le budget est de 12 € [1].", sources)
    assert sentence.problems == ("12 € not in [1]",)
    (sentence,) = verify("Le budget est de 12 [1].", sources)
    assert sentence.verified


def test_several_cited_sources_any_may_hold_the_figure():
    (sentence,) = verify("Il a coûté 3,5 M€ pour 10 GW [1][2].", SOURCES)
    assert sentence.verified and sentence.cited == (1, 2)
    (sentence,) = verify("Il a coûté 4 M€ [1, 2].", SOURCES)
    assert sentence.problems == ("4 millions € not in [1] or [2]",)


def test_a_date_or_time_from_the_label_is_not_an_invented_figure():
    (sentence,) = verify("Le 04/03/2025 à 14h02, Sylvia a parlé de 3 500 000 € [1].", SOURCES)
    assert sentence.verified
    (sentence,) = verify("En 2025, Sylvia a parlé de 3 500 000 € [1].", SOURCES)
    assert sentence.verified


def test_answer_sentences_in_french():
    text = ("M. Dupont estime le coût à 3,5 M€, etc. selon la note [1]. Le Dr. Martin parle de 3.5 GW [2]. "
            "Karim cite 100 000 GPU. [2] Enfin, rien [1, 2].")
    assert answer_sentences(text) == [
        "M. Dupont estime le coût à 3,5 M€, etc. selon la note [1].",
        "Le Dr. Martin parle de 3.5 GW [2].",
        "Karim cite 100 000 GPU. [2]",
        "Enfin, rien [1, 2]."]


def test_a_list_answer_and_dates_in_words():
    text = ("Deux chiffres :\n1. Le 4 mars 2025, Sylvia cite 3,5 M€ [1].\n2) Karim parle de 10 GW [2].\n"
            "- Le 1er avril, rien [2].")
    assert answer_sentences(text) == ["Deux chiffres :", "Le 4 mars 2025, Sylvia cite 3,5 M€ [1].",
                                      "Karim parle de 10 GW [2].", "Le 1er avril, rien [2]."]
    assert [s.problems for s in verify(text, SOURCES)] == [("cites no source",), (), (), ()]
    assert figures_in("le 4 mars 2025, le 1er avril, March 4, 12 mai") == []


def test_citation_forms():
    assert citations("a [1][2] b [3-5] [2; 7] c [ 8 , 9 ]") == (1, 2, 3, 4, 5, 7, 8, 9)
    assert citations("pas de citation, 2024 [note]") == ()


def test_default_figure_reader():
    cases = {
        "3,5 M€": [(3.5e6, "€")], "€3,5M": [(3.5e6, "€")], "3 500 000 €": [(3.5e6, "€")],
        "3,5 millions d'euros": [(3.5e6, "€")], "3,5 milliards d’euros": [(3.5e9, "€")],
        "$12 million": [(12e6, "$")], "12 millions de dollars": [(12e6, "$")], "100MM de $": [(1e8, "$")],
        "~10GW": [(1e10, "W")], "200 mégawatts": [(2e8, "W")], "3 TWh": [(3e12, "Wh")],
        "100 000 GPU": [(1e5, "")], "100\u202f000 GPU": [(1e5, "")], "100\u00a0000 GPU": [(1e5, "")],
        "12 %": [(12, "%")], "12%": [(12, "%")], "1,000.5 tokens": [(1000.5, "")], "0,125": [(0.125, "")],
        "2 k€": [(2000, "€")], "4 Md$": [(4e9, "$")],
        "le 04/03/2025 à 14h02, en 2025, 2025-03-04 14:02": [],
        "H100, GPT-4 et A100": [],
    }
    for text, expected in cases.items():
        assert same_figures(figures_in(text), expected), text


def test_verify_takes_the_projects_figure_reader():
    def only_gigawatts(text: str) -> list[tuple[float, str]]:
        return [(10.0, "GW")] if "GW" in text else []

    (sentence,) = verify("Il faut 12 millions et 10 GW [2].", SOURCES, figures_of=only_gigawatts)
    assert sentence.verified


# --------------------------------------------------------------------------------------- property tests

def french(value: int, cents: int, separator: str) -> str:
    """``value`` written the French way, grouped by ``separator`` with ``cents`` as two decimals."""
    grouped = f"{value:,}".replace(",", separator)
    return grouped + (f",{cents:02d}" if cents else "")


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=99),
       st.sampled_from([" ", "\u00a0", "\u202f", ""]))
def test_french_and_english_writing_read_alike(value, cents, separator):
    expected = value + cents / 100
    written_fr = french(value, cents, separator)
    written_en = f"{value:,}" + (f".{cents:02d}" if cents else "")
    assert parse_number(written_fr) == pytest.approx(expected)
    assert parse_number(written_en) == pytest.approx(expected)
    for text in (f"Il faut {written_fr} € de plus.", f"It takes {written_en} € more."):
        assert same_figures(figures_in(text), [(expected, "€")]), text


@given(st.integers(min_value=1, max_value=999), st.integers(min_value=0, max_value=9),
       st.sampled_from([("millions", 1e6), ("M", 1e6), ("milliards", 1e9), ("Md", 1e9), ("k", 1e3)]),
       st.sampled_from([("d'euros", "€"), ("€", "€"), ("de dollars", "$"), ("$", "$")]))
def test_multipliers_and_currencies(units, tenth, multiplier, currency):
    word, scale = multiplier
    written, unit = currency
    number = f"{units},{tenth}" if tenth else str(units)
    if word in ("M", "Md", "k") and written.startswith("d"):
        written = {"d'euros": "€", "de dollars": "$"}[written]
    text = f"Le projet coûte {number} {word} {written}."
    assert same_figures(figures_in(text), [((units + tenth / 10) * scale, unit)]), text


sentence_words = st.lists(st.sampled_from(
    ["le", "coût", "M.", "Dupont", "etc.", "3,5", "M€", "100\u202f000", "GPU", "10", "GW", "Dr.", "p.", "ex.",
     "1,000.5", "millions", "d'euros"]), min_size=1, max_size=8)


@given(st.lists(st.tuples(sentence_words, st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=2)),
                min_size=1, max_size=5))
def test_sentences_of_an_answer_come_back_with_their_citations(parts):
    """Sentences built from French number writing and abbreviations split back where they were joined."""
    written = []
    for words, numbers in parts:
        written.append("Selon " + " ".join(words) + " " + "".join(f"[{n}]" for n in numbers) + ".")
    sentences = answer_sentences(" ".join(written))
    assert sentences == written
    assert [citations(s) for s in sentences] == [tuple(dict.fromkeys(numbers)) for _, numbers in parts]
