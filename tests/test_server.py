"""``veille serve``: the JSON API of the real server (uvicorn in a thread) on the loopback interface.

Every route and its errors, the uploads (zips, refused files, limits, unsafe names), the host, origin and
token rules, the security headers, searches answered while an upload is being ingested, and the command
itself in a subprocess, stopped by a signal.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import uvicorn

from veille import KnowledgeBase
from veille.llm import LLMConfig
from veille.server import ServeError, Service, check_exposure, create_app, safe_name

from .conftest import EXAMPLES, ROOT, ctrl_c_as_a_terminal_sends_it
from .test_llm import ChatServer, streamed
from .test_remove import _colliding_texts

WRITE = {"X-Veille": "1"}
TOKEN = "s3cret-token-of-the-tests"

# A WhatsApp export with dates: the timeline's days and counts are checked against these lines.
WHATSAPP = """\
03/03/2025 à 09:12 - Sylvia Martin: Bonjour, le devis du supercalculateur est arrivé
03/03/2025 à 09:15 - Karim Benali: Combien ?
03/03/2025 à 09:20 - Sylvia Martin: 3 500 000 € de plus que prévu, à cause des GPU
04/03/2025 à 14:02 - Karim Benali: EDF confirme le raccordement de 1 GW pour 2027
04/03/2025 à 14:05 - Karim Benali: Le site de Marseille reste en tête
06/03/2025 à 18:40 - Sylvia Martin: Réunion avec Kempf jeudi sur la souveraineté du calcul
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Running:
    """A real uvicorn server, in a thread, over a Service on ``db``."""

    def __init__(self, db: Path, *, llm: Any = None, **app_options: Any) -> None:
        self.service = Service(db, embed=False, llm=llm)
        self.port = free_port()
        self.app = create_app(self.service, port=self.port, **app_options)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}"
        self.client = httpx.Client(base_url=self.url, timeout=30)
        deadline = time.monotonic() + 15
        while True:
            try:
                if self.client.get("/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not answer /api/health within 15 s"
            time.sleep(0.05)

    def wait(self, job_id: str, seconds: float = 120) -> dict[str, Any]:
        """The job once finished."""
        deadline = time.monotonic() + seconds
        while (job := self.client.get(f"/api/jobs/{job_id}").json())["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, job
            time.sleep(0.05)
        return job

    def upload(self, files: list[tuple[str, bytes]], wait: bool = True) -> dict[str, Any]:
        response = self.client.post("/api/ingest", headers=WRITE, files=[("files", f) for f in files])
        assert response.status_code == 202, response.text
        assert response.headers["location"] == f"/api/jobs/{response.json()['id']}"
        return self.wait(response.json()["id"]) if wait else response.json()

    def close(self) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(timeout=15)
        assert not self.thread.is_alive()
        self.service.close()


@contextmanager
def running(db: Path, **options: Any) -> Iterator[Running]:
    server = Running(db, **options)
    try:
        yield server
    finally:
        server.close()


def examples_db(folder: Path, *extra: Path) -> Path:
    """A lexical knowledge base of the project's examples (and ``extra`` files) in ``folder``."""
    db = folder / "kb.db"
    with KnowledgeBase(db, embed=False) as kb:
        assert kb.ingest(EXAMPLES).ok
        for path in extra:
            assert kb.ingest(path).ok
    return db


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("serve")
    chat = folder / "groupe_whatsapp.txt"
    chat.write_text(WHATSAPP, encoding="utf-8")
    with running(examples_db(folder, chat)) as server:
        yield server


@pytest.fixture
def fresh(tmp_path) -> Iterator[Running]:
    """A server of its own over the examples, for the tests that change what it holds."""
    with running(examples_db(tmp_path)) as server:
        yield server


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The JSON error of a response, checked: its status, its reason."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status and body["error"], body
    return body


def doc_id(server: Running, name: str) -> str:
    return next(d["id"] for d in server.client.get("/api/documents").json() if d["source"].endswith(name))


# --------------------------------------------------------------------------------------------- search

def test_lexical_search_answers_as_search_json(api):
    body = api.client.get("/api/search", params={"q": "data center 1 GW", "k": 3, "mode": "lexical"}).json()
    assert body["query"] == "data center 1 GW" and "lexical" in body["mode"] and body["undated_left_out"] == 0
    assert 0 < len(body["hits"]) <= 3
    assert all("data" in h["text"].lower() or "gw" in h["text"].lower() for h in body["hits"])
    assert {"chunk_id", "document_id", "score", "snippet", "source", "kind"} <= set(body["hits"][0])


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_dense_and_hybrid_without_embeddings_are_400_with_the_reason(api, mode):
    body = problem(api.client.get("/api/search", params={"q": "data center", "mode": mode}), 400)
    assert "embed" in body["error"].lower(), body


def test_each_filter_of_search(api):
    def hits(**params: Any) -> list[dict[str, Any]]:
        response = api.client.get("/api/search", params={"k": 20, **params})
        assert response.status_code == 200, response.text
        return response.json()["hits"]

    chats = hits(q="data center", kind="chat")
    assert chats and all(h["kind"] == "chat" for h in chats)
    karim = hits(q="raccordement", who="Karim Benali")
    assert karim and all("Karim Benali" in h["authors"] for h in karim)
    assert not hits(q="raccordement", who="Personne Inconnue")
    march = api.client.get("/api/search", params={"q": "supercalculateur GPU", "since": "2025-03-03",
                                                  "until": "2025-03-03"}).json()
    assert march["hits"] and all(h["source"].endswith("groupe_whatsapp.txt") for h in march["hits"])
    assert march["undated_left_out"] > 0  # the examples carry no dates: said, not silently dropped
    assert not hits(q="supercalculateur", since="2025-03-07")
    assert not hits(q="supercalculateur", until="2025-03-02")
    pages = hits(q="data center", source="page_reseau")
    assert pages and all(h["source"].endswith("page_reseau.html") for h in pages)
    edf = hits(q="raccordement", mentions="EDF")
    assert edf and all("EDF" in h["text"] for h in edf)


@pytest.mark.parametrize("params, argument", [
    ({"q": "data", "k": "many"}, "k"),
    ({"q": "data", "k": 0}, "k"),
    ({"q": "data", "since": "hier"}, "since"),
    ({"q": "data", "since": "2025-03-05", "until": "2025-03-01"}, "since"),
    ({"q": "data", "kind": "roman"}, "kind"),
    ({}, "q"),
])
def test_bad_search_arguments_are_400_naming_the_argument(api, params, argument):
    body = problem(api.client.get("/api/search", params=params), 400)
    assert body["argument"] == argument, body


# ------------------------------------------------------------------------------------------------ ask

def test_ask_cites_units_that_show_resolves(api):
    answer = api.client.get("/api/ask", params={"q": "Combien coûte un data center de 1 GW ?"}).json()
    assert answer["answered"] and "35 milliards d'euros" in answer["text"]
    for sentence in answer["sentences"]:
        citation = sentence["citation"]
        shown = api.client.get("/api/show", params={"citation": citation["ref"], "around": 1})
        assert shown.status_code == 200, shown.text
        units = shown.json()["units"]
        assert any(u["idx"] == citation["unit"] and sentence["text"][:30] in u["text"] for u in units), units


def test_ask_without_an_answer_says_why_and_gives_the_passages(api):
    question = "Quel temps fera-t-il demain à Lille pour le raccordement ?"
    answer = api.client.get("/api/ask", params={"q": question}).json()
    assert answer["answered"] is False and answer["reason"] and not answer["sentences"]
    assert answer["passages"], answer


def events(response: httpx.Response) -> list[tuple[str, Any]]:
    """The server-sent events of a whole response, as (name, data)."""
    found = []
    for block in response.text.split("\n\n"):
        if block.strip():
            fields = dict(line.split(": ", 1) for line in block.splitlines())
            found.append((fields["event"], json.loads(fields["data"])))
    return found


def test_ask_stream_without_a_language_model_gives_the_extractive_answer_and_why(api, monkeypatch):
    for name in ("VEILLE_LLM_URL", "VEILLE_LLM_MODEL", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    response = api.client.get("/api/ask/stream", params={"q": "Combien coûte un data center de 1 GW ?"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    ((name, answer),) = events(response)
    assert name == "answer" and answer["answered"] and answer["llm_error"] and answer["generated"] is None


def test_ask_stream_streams_the_language_models_pieces_then_the_checked_answer(tmp_path):
    chat = ChatServer()
    try:
        with running(examples_db(tmp_path), llm=lambda: LLMConfig(chat.url, "qwen2.5:7b")) as server:
            question = "Combien coûte un data center de 1 GW ?"
            evidence = server.service.read(lambda kb: kb.ask(question).evidence)  # the sources the model gets
            n = next(i for i, (_, text) in enumerate(evidence, 1) if "35 milliards d'euros" in text)
            chat.replies.append(streamed("Un data center de 1 GW coûte autour de ",
                                         f"35 milliards d'euros [{n}]."))
            found = events(server.client.get("/api/ask/stream", params={"q": question}))
    finally:
        chat.close()
    names = [name for name, _ in found]
    assert names == ["text", "text", "answer"], names
    assert "".join(data for name, data in found if name == "text").startswith("Un data center de 1 GW")
    generated = found[-1][1]["generated"]
    assert generated and generated["verified"], generated
    assert generated["citations"][str(n)]["author"] == "Thomas Girard"
    assert question in chat.received[0].body["messages"][-1]["content"]


# ---------------------------------------------------------------------------------------------- figures

def test_figures_with_unit_and_bounds(api):
    everything = api.client.get("/api/figures").json()
    assert everything["total"] == len(everything["figures"]) > 10
    power = api.client.get("/api/figures", params={"unit": "GW", "min": 1, "max": 1}).json()
    assert power["figures"] and all(f["unit"] == "W" and f["value"] <= 1e9 and (f["high"] or f["value"]) >= 1e9
                                    for f in power["figures"])
    limited = api.client.get("/api/figures", params={"limit": 2}).json()
    assert limited["total"] == everything["total"] and len(limited["figures"]) == 2
    queried = api.client.get("/api/figures", params={"q": "supercalculateur devis", "k": 2}).json()
    assert any(f["value"] == 3_500_000 and f["unit"] == "EUR" for f in queried["figures"]), queried


def test_figures_bad_unit_is_400(api):
    body = problem(api.client.get("/api/figures", params={"unit": "parsecs"}), 400)
    assert "parsecs" in body["error"]
    problem(api.client.get("/api/figures", params={"min": "beaucoup"}), 400)


# -------------------------------------------------------------------------------------------- documents

def test_documents_list_every_stored_document(api):
    listed = api.client.get("/api/documents").json()
    assert sorted(Path(d["source"]).name for d in listed) == sorted(
        [p.name for p in EXAMPLES.iterdir()] + ["groupe_whatsapp.txt"])
    assert {"id", "kind", "format", "title", "participants", "chunks", "units", "period"} <= set(listed[0])


def test_one_document_by_pages_and_around(api):
    ref = doc_id(api, "emission_tech.txt")
    whole = api.client.get(f"/api/documents/{ref}").json()
    total = whole["total"]
    assert whole["document"]["id"] == ref and len(whole["units"]) == total > 20
    assert [u["idx"] for u in whole["units"]] == list(range(total))
    assert whole["chunks"][0]["unit_start"] == 0 and whole["chunks"][-1]["unit_end"] == total
    page = api.client.get(f"/api/documents/{ref}", params={"start": 10, "limit": 5}).json()
    assert page["start"] == 10 and [u["idx"] for u in page["units"]] == [10, 11, 12, 13, 14]
    assert page["units"] == whole["units"][10:15]
    assert all(c["unit_start"] < 15 and c["unit_end"] > 10 for c in page["chunks"]) and page["chunks"]
    centred = api.client.get(f"/api/documents/{ref}", params={"around": 50, "limit": 10}).json()
    assert centred["start"] == 45 and [u["idx"] for u in centred["units"]] == list(range(45, 55))
    assert api.client.get(f"/api/documents/{ref[:8]}").json()["document"]["id"] == ref  # an id prefix
    for bad in ({"start": -1}, {"limit": 0}, {"around": -3}):
        problem(api.client.get(f"/api/documents/{ref}", params=bad), 400)
    problem(api.client.get("/api/documents/0000000000000000"), 404)


def test_timeline_counts_each_authors_messages_per_day_as_in_the_file(api):
    ref = doc_id(api, "groupe_whatsapp.txt")
    timeline = api.client.get(f"/api/documents/{ref}/timeline").json()
    lines = re.findall(r"^(\d\d)/(\d\d)/(\d{4}) à [\d:]+ - ([^:]+):", WHATSAPP, re.M)
    expected = Counter((author, f"{y}-{m}-{d}") for d, m, y, author in lines)
    assert timeline["document"] == ref
    assert timeline["days"] == ["2025-03-03", "2025-03-04", "2025-03-06"]
    assert {(a, day): n for a, days in timeline["participants"].items() for day, n in days.items()} == expected
    # the web chat example has no dates: no day, not an error
    undated = api.client.get(f"/api/documents/{doc_id(api, 'discussion_equipe.txt')}/timeline").json()
    assert undated["days"] == [] and undated["participants"] == {}
    problem(api.client.get("/api/documents/0000000000000000/timeline"), 404)


def test_chunks_of_a_document(api):
    ref = doc_id(api, "discussion_equipe.txt")
    chunks = api.client.get(f"/api/documents/{ref}/chunks").json()
    listed = next(d for d in api.client.get("/api/documents").json() if d["id"] == ref)
    assert len(chunks) == listed["chunks"] and chunks[0]["text"].startswith("Énergie et data centers")
    problem(api.client.get("/api/documents/0000000000000000/chunks"), 404)


def test_show_and_bad_citations(api):
    ref = doc_id(api, "groupe_whatsapp.txt")
    shown = api.client.get("/api/show", params={"citation": f"{ref}#3", "around": 1}).json()
    assert [u["idx"] for u in shown["units"]] == [2, 3, 4] and "EDF" in shown["units"][1]["text"]
    for bad in ("pas une citation", f"{ref}#999", "0000000000000000#1"):
        body = problem(api.client.get("/api/show", params={"citation": bad}), 400)
        assert body["argument"] == "citation"
    problem(api.client.get("/api/show", params={"citation": f"{ref}#1", "around": -1}), 400)


def test_stats(api):
    stats = api.client.get("/api/stats").json()
    assert stats["documents"] == len(list(EXAMPLES.iterdir())) + 1 and stats["chunks"] > 0
    assert "lexical" in stats["mode"] and "Karim Benali" in json.dumps(stats["participants"], ensure_ascii=False)


def test_unknown_job_route_and_method(api):
    problem(api.client.get("/api/jobs/nothere"), 404)
    problem(api.client.get("/api/nothing"), 404)
    problem(api.client.put("/api/search", headers=WRITE), 405)


# ----------------------------------------------------------------------------------------------- delete

def test_delete_refuses_unknown_ambiguous_and_unmarked_then_removes(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    first, second = _colliding_texts()
    (notes / "un.txt").write_text(first, encoding="utf-8")
    (notes / "deux.txt").write_text(second, encoding="utf-8")
    with running(examples_db(tmp_path, notes)) as server:
        shared = next(d["id"] for d in server.client.get("/api/documents").json()
                      if d["source"].endswith("un.txt"))[:6]
        problem(server.client.delete("/api/documents/0000000000000000", headers=WRITE), 404)
        ambiguous = problem(server.client.delete(f"/api/documents/{shared}", headers=WRITE), 409)
        assert len(ambiguous["ids"]) == 2
        ref = doc_id(server, "page_reseau.html")
        assert any(h["document_id"] == ref for h in
                   server.client.get("/api/search", params={"q": "réseau électrique", "k": 50}).json()["hits"])
        problem(server.client.delete(f"/api/documents/{ref}"), 403)
        assert len(server.client.get("/api/documents").json()) == 8  # nothing removed yet
        assert server.client.delete(f"/api/documents/{ref}", headers=WRITE).json() == {"removed": [ref]}
        hits = server.client.get("/api/search", params={"q": "réseau électrique", "k": 50}).json()["hits"]
        assert hits and all(h["document_id"] != ref for h in hits)
        problem(server.client.get(f"/api/documents/{ref}"), 404)


# ---------------------------------------------------------------------------------------------- uploads

def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb(unpacked: int) -> bytes:
    """A small zip that unpacks to ``unpacked`` bytes of zeros."""
    buffer = io.BytesIO()
    block = bytes(1 << 20)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("_chat.txt", "w", force_zip64=True) as member:
            for _ in range(unpacked >> 20):
                member.write(block)
    return buffer.getvalue()


def by_name(job: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["path"]: f for f in job["report"]["files"]}


def test_upload_of_several_files_a_zip_and_refused_ones(fresh):
    bomb = zip_bomb(260 << 20)
    assert len(bomb) < 2 << 20
    job = fresh.upload([
        ("groupe.txt", WHATSAPP.encode()),
        ("note.md", "# Note\n\nLe comité valide le budget de 12 M€ pour le calcul souverain.\n".encode()),
        ("WhatsApp Chat - Projet.zip", zip_of({"WhatsApp Chat with Projet.txt": WHATSAPP.replace(
            "Sylvia Martin", "Inès Roy").encode(), "00000012-PHOTO.jpg": b"\xff\xd8\xff" + bytes(100)})),
        ("photo.bin", bytes(range(256)) * 8),
        ("evasion.zip", zip_of({"../../etc/_chat.txt": WHATSAPP.encode()})),
        ("bombe.zip", bomb),
    ])
    assert job["status"] == "done" and job["error"] is None and job["files_done"] == job["files_total"] == 6
    assert job["files"] == ["groupe.txt", "note.md", "WhatsApp Chat - Projet.zip", "photo.bin", "evasion.zip",
                            "bombe.zip"]
    files = by_name(job)
    assert set(files) == set(job["files"]), files  # the names as uploaded, not where they are kept
    assert {n: f["status"] for n, f in files.items()} == {
        "groupe.txt": "added", "note.md": "added", "WhatsApp Chat - Projet.zip": "added",
        "photo.bin": "failed", "evasion.zip": "failed", "bombe.zip": "failed"}
    assert "unsafe archive path" in files["evasion.zip"]["reason"]
    assert "over the size limit once unpacked" in files["bombe.zip"]["reason"]
    assert files["photo.bin"]["reason"]
    text = json.dumps(job, ensure_ascii=False)
    assert str(fresh.service.uploads) not in text and str(fresh.service.uploads.resolve()) not in text
    assert "/" not in "".join(files)  # no folder of the server's disk in the report
    hits = fresh.client.get("/api/search", params={"q": "supercalculateur", "who": "Inès Roy"}).json()["hits"]
    assert hits, "the chat inside the zip was ingested"
    assert fresh.client.get("/api/search", params={"q": "budget calcul souverain"}).json()["hits"]


def test_upload_without_files_or_the_header_is_refused(fresh):
    problem(fresh.client.post("/api/ingest", headers=WRITE, data={"other": "x"}), 400)
    problem(fresh.client.post("/api/ingest", files=[("files", ("a.txt", b"Bonjour"))]), 403)


def raw_upload(server: Running, filename: bytes, data: bytes) -> dict[str, Any]:
    """An upload whose multipart body is written by hand (a client would escape the name)."""
    boundary = b"veilleboundary1234"
    body = (b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + filename
            + b"\"\r\nContent-Type: text/plain\r\n\r\n" + data + b"\r\n--" + boundary + b"--\r\n")
    response = server.client.post("/api/ingest", content=body, headers={
        **WRITE, "Content-Type": "multipart/form-data; boundary=" + boundary.decode()})
    assert response.status_code == 202, response.text
    return server.wait(response.json()["id"])


@pytest.mark.parametrize("filename, kept", [
    (b"../../../etc/cron.d/chat.txt", "chat.txt"),
    (b"..\\..\\windows\\chat.txt", "chat.txt"),
    (b"chat\x00.txt", "chat_.txt"),
    (b"..", "upload"),
])
def test_an_unsafe_file_name_is_stored_under_a_safe_one(fresh, filename, kept):
    job = raw_upload(fresh, filename, WHATSAPP.encode())
    assert job["files"] == [kept] and job["status"] == "done"
    assert list(by_name(job)) == [kept]
    stored = [p.relative_to(fresh.service.uploads) for p in fresh.service.uploads.rglob("*")
              if p.is_file() and p.parent.name != ".jobs"]  # the jobs' records aside
    assert [p.name for p in stored] == [kept] and len(stored[0].parts) == 2  # in the job's own folder
    assert not (fresh.service.uploads.parent / "etc").exists()


def test_safe_names():
    assert safe_name("../../a/b.txt") == "b.txt"
    assert safe_name("C:\\Users\\x\\chat.txt") == "chat.txt"
    assert safe_name("a\x00b\x1f<c>.txt") == "a_b_c_.txt"
    assert safe_name("") == safe_name(".") == safe_name(" .. ") == "upload"
    assert len(safe_name("x" * 1000 + ".txt")) == 200


def test_upload_limits(tmp_path):
    with running(examples_db(tmp_path), max_files=3, max_file_bytes=2000, max_bytes=5000) as server:
        many = [("files", (f"n{i}.txt", b"Bonjour")) for i in range(4)]
        body = problem(server.client.post("/api/ingest", headers=WRITE, files=many), 413)
        assert "at most 3" in body["error"]
        job = server.upload([("petit.txt", WHATSAPP.encode()), ("gros.txt", b"a " * 1500)])
        assert job["refused"] == [{"path": "gros.txt", "status": "failed",
                                   "reason": job["refused"][0]["reason"]}]
        assert job["refused"][0]["reason"] == "2.93 KB: over the upload limit of 1.95 KB"
        assert job["files"] == ["petit.txt"] and by_name(job)["petit.txt"]["status"] == "added"
        in_all = [("files", (f"n{i}.txt", b"b " * 900)) for i in range(3)]
        body = problem(server.client.post("/api/ingest", headers=WRITE, files=in_all), 413)
        assert body["error"] == "the upload is over 4.88 KB in all"
        # a body declared far over the limit is refused before it is read
        huge = problem(server.client.post("/api/ingest", headers=WRITE, files=[("files", ("x.txt", bytes(50_000)))]),
                       413)
        assert huge["error"] == "the upload is over 4.88 KB in all"
        kept = sorted(p.name for p in server.service.uploads.rglob("*")
                      if p.is_file() and p.parent.name != ".jobs")
        assert kept == ["petit.txt"]


def test_files_of_the_same_name_are_kept_apart_and_the_job_names_them_as_kept(fresh):
    job = fresh.upload([("chat.txt", WHATSAPP.encode()), ("Chat.txt", WHATSAPP.replace("Sylvia", "Anne").encode()),
                        ("chat.txt", WHATSAPP.replace("Sylvia", "Zoé").encode())])
    assert job["files"] == ["chat.txt", "Chat-2.txt", "chat-3.txt"]
    assert sorted(by_name(job)) == sorted(job["files"])
    assert all(f["status"] == "added" for f in job["report"]["files"])


# ------------------------------------------------------------------------------------- no server paths

@pytest.mark.parametrize("path", [
    "/static/..%2f..%2fetc%2fpasswd", "/static/%2e%2e/%2e%2e/etc/passwd", "/static/index.html",
    "/static/..%2fserver.py", "/api/documents/%2Fetc%2Fpasswd", "/api/documents/%2Fetc%2Fpasswd/chunks",
    "/api/documents/..%2F..%2F..%2Fetc%2Fpasswd/timeline", "/static/../../../etc/passwd",
])
def test_no_route_reads_a_path_of_the_server(api, path):
    response = api.client.get(path)
    body = problem(response, 404)
    assert "root:" not in response.text and "import" not in response.text, body


def test_show_by_path_of_a_file_not_stored_reads_nothing(api):
    body = problem(api.client.get("/api/show", params={"citation": "/etc/passwd:1"}), 400)
    assert "root:" not in json.dumps(body)


def test_the_openapi_schema_lists_every_route(api):
    schema = api.client.get("/api/openapi.json").json()
    routes = {(method.upper(), path) for path, item in schema["paths"].items() for method in item}
    assert routes == {
        ("GET", "/api/health"), ("GET", "/api/stats"), ("GET", "/api/search"), ("GET", "/api/ask"),
        ("GET", "/api/ask/stream"), ("GET", "/api/figures"), ("GET", "/api/documents"),
        ("GET", "/api/documents/{ref}"), ("DELETE", "/api/documents/{ref}"),
        ("GET", "/api/documents/{ref}/timeline"), ("GET", "/api/documents/{ref}/chunks"), ("GET", "/api/show"),
        ("POST", "/api/ingest"), ("GET", "/api/jobs/{job_id}")}
    assert all(item[m].get("summary") for item in schema["paths"].values() for m in item)


# ---------------------------------------------------------------------------------------------- security

def test_another_host_is_421(api):
    problem(api.client.get("/api/stats", headers={"Host": "evil.example"}), 421)
    problem(api.client.get("/", headers={"Host": "evil.example:80"}), 421)
    assert api.client.get("/api/stats", headers={"Host": f"localhost:{api.port}"}).status_code == 200


def test_a_cross_site_write_is_403(api):
    ref = doc_id(api, "post_linkedin.txt")
    for headers in ({**WRITE, "Origin": "http://evil.example"}, {**WRITE, "Origin": "null"},
                    {"Origin": api.url}):
        problem(api.client.delete(f"/api/documents/{ref}", headers=headers), 403)
    problem(api.client.post("/api/ingest", files=[("files", ("a.txt", b"x"))],
                            headers={**WRITE, "Origin": "http://evil.example"}), 403)
    assert doc_id(api, "post_linkedin.txt") == ref


def test_the_token_rule(tmp_path):
    with running(examples_db(tmp_path), token=TOKEN) as server:
        client = server.client
        assert problem(client.get("/api/stats"), 401)["error"].startswith("this server needs a token")
        problem(client.get("/api/stats", headers={"Authorization": "Bearer wrong-token-wrong-token"}), 401)
        problem(client.get("/api/search", params={"q": "GW"}, headers={"X-Veille-Token": TOKEN[:-1]}), 401)
        assert client.get("/api/stats", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert client.get("/api/search", params={"q": "GW"}, headers={"X-Veille-Token": TOKEN}).status_code == 200
        assert {**client.get("/api/health").json(), "process": 0} == {"ok": True, "token": True, "process": 0}
        assert client.get("/").status_code == 200
        problem(client.post("/api/ingest", headers=WRITE, files=[("files", ("a.txt", b"x"))]), 401)


def test_exposure_needs_a_long_token():
    with pytest.raises(ServeError, match="reachable from other machines"):
        check_exposure("0.0.0.0", None)
    with pytest.raises(ServeError, match="too short"):
        check_exposure("127.0.0.1", "short")
    check_exposure("0.0.0.0", TOKEN)
    check_exposure("::1", None)
    check_exposure("127.0.0.2", None)


@pytest.mark.parametrize("path", ["/", "/api/stats", "/api/nothing", "/static/nothing.js"])
def test_security_headers_on_the_page_and_the_api(api, path):
    headers = api.client.get(path).headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"


# -------------------------------------------------------------------------------------------- concurrency

def big_chat(lines: int) -> bytes:
    rows = []
    for n in range(lines):
        day, minute = 1 + n // 1440 % 28, n % 1440
        rows.append(f"{day:02d}/04/2025 à {minute // 60:02d}:{minute % 60:02d} - {('Léa', 'Karim', 'Inès')[n % 3]} "
                    f"Test: message {n} sur le data center numéro {n % 97} et ses {n % 13} GW de puissance")
    return ("\n".join(rows) + "\n").encode()


def test_searches_are_answered_while_an_upload_is_ingested(fresh):
    job = fresh.upload([("gros_groupe.txt", big_chat(20_000))], wait=False)
    answered: list[tuple[int, bool]] = []
    done = threading.Event()

    def search(client: httpx.Client) -> None:
        deadline = time.monotonic() + 60
        for n in range(400):
            if done.is_set() or time.monotonic() > deadline:
                return
            before = fresh.service.jobs[job["id"]].status
            response = client.get("/api/search", params={"q": f"data center {n % 50}", "k": 5})
            after = fresh.service.jobs[job["id"]].status
            answered.append((response.status_code, before == after == "running"))

    clients = [httpx.Client(base_url=fresh.url, timeout=30) for _ in range(3)]
    threads = [threading.Thread(target=search, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    finished = fresh.wait(job["id"], seconds=120)
    done.set()
    for thread, client in zip(threads, clients):
        thread.join(timeout=60)
        client.close()
    assert finished["status"] == "done" and by_name(finished)["gros_groupe.txt"]["status"] == "added"
    assert answered and all(status == 200 for status, _ in answered), Counter(s for s, _ in answered)
    assert sum(during for _, during in answered) >= 3, (len(answered), finished["seconds"])
    assert fresh.client.get("/api/search", params={"q": "numéro 42"}).json()["hits"]


# ------------------------------------------------------------------------------------- the command itself

def veille(*args: str) -> subprocess.Popen:
    """``python -m veille ARGS`` of this checkout, lexical, without a token in its environment."""
    env = {k: v for k, v in os.environ.items() if k != "VEILLE_TOKEN"}
    return subprocess.Popen([sys.executable, "-m", "veille", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**env, "PYTHONPATH": str(ROOT / "src"), "VEILLE_EMBED": "0"},
                            preexec_fn=ctrl_c_as_a_terminal_sends_it)


def test_serve_on_a_public_address_without_a_token_exits_with_the_reason(tmp_path):
    process = veille("--db", str(tmp_path / "kb.db"), "serve", "--host", "0.0.0.0", "--port", str(free_port()))
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2 and "reachable from other machines" in err and "token" in err
    assert "Traceback" not in err
    process = veille("--db", str(tmp_path / "kb.db"), "serve", "--token", "short", "--port", str(free_port()))
    out, err = process.communicate(timeout=60)
    assert process.returncode == 2 and "too short" in err and "Traceback" not in err


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_the_serve_command_answers_then_stops_on_a_signal(tmp_path, stop):
    db = examples_db(tmp_path)
    port = free_port()
    process = veille("--db", str(db), "serve", "--port", str(port))
    try:
        deadline = time.monotonic() + 30
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            while True:
                try:
                    if client.get("/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "veille serve did not answer within 30 s"
                time.sleep(0.1)
            hits = client.get("/api/search", params={"q": "data center 1 GW"}).json()["hits"]
            assert hits and hits[0]["document_id"]
        process.send_signal(stop)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode in (0, 128 + stop), (process.returncode, err)
    assert "Traceback" not in err, err
    assert f"serving {db} at http://127.0.0.1:{port}/" in err


def test_serve_with_two_processes_shares_jobs_and_data_between_them(tmp_path):
    db = examples_db(tmp_path)
    port = free_port()
    process = veille("--db", str(db), "serve", "--port", str(port), "--workers", "2")
    url = f"http://127.0.0.1:{port}"

    def fresh_get(path: str, **params: Any) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=10) as client:  # a new connection: either process may take it
            return client.get(path, params=params)

    try:
        deadline = time.monotonic() + 30
        processes: set[int] = set()
        while len(processes) < 2:
            try:
                processes.add(fresh_get("/api/health").json()["process"])
            except httpx.TransportError:
                time.sleep(0.1)
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, f"one process answered within 30 s: {processes}"
        chat = "".join(f"12/03/2024, 10:{m:02d} - Ornella Vasquez: Le gyroptère numéro {m} a volé.\n" for m in range(30))
        with httpx.Client(base_url=url, timeout=30) as client:
            job = client.post("/api/ingest", headers={"X-Veille": "1"},
                              files=[("files", ("gyroptere.txt", chat.encode(), "text/plain"))]).json()
        status = None
        while status != "done":  # asked of both processes: the one ingesting and the other
            answer = fresh_get(f"/api/jobs/{job['id']}")
            assert answer.status_code == 200, answer.text
            status = answer.json()["status"]
            assert status in ("queued", "running", "done"), answer.json()
            assert time.monotonic() < deadline + 60, "the upload was not ingested within 90 s"
            time.sleep(0.05)
        assert answer.json()["report"]["files"][0]["path"] == "gyroptere.txt"
        found = [fresh_get("/api/search", q="gyroptère", k=1).json()["hits"] for _ in range(10)]
        assert all(hits and "gyroptère" in hits[0]["text"] for hits in found)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode in (0, 128 + signal.SIGINT), (process.returncode, err)
    assert "Traceback" not in err and "2 processes" in err, err
