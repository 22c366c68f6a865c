"""``veille serve`` under load: requests per second and latency of N concurrent clients over loopback.

1. Copies a knowledge base of about 100 000 chunks (``bench/out/bench.db``, made by ``ingest_speed.py``;
   read only, through SQLite's backup) to ``bench/out/serve_load.db`` and starts ``python -m veille --db COPY
   serve`` on a free port in a process of its own (its threads do not share the clients' GIL), with
   ``VEILLE_EMBED`` as ``--embed`` says.
2. For each phase, ``--clients`` threads each keep one HTTP/1.1 connection (``http.client``) and send
   requests one after the other for ``--seconds``: lexical search (the queries of ``ingest_speed.py``:
   words, elisions, figures, kind= and who= filters), hybrid search when the knowledge base has vectors and
   the server embeds, and ask (extractive).
3. Then uploads a generated corpus of ``--upload-mb`` MB through ``/api/ingest`` and runs the same lexical
   and ask load while the job is running (each phase stops early when the job ends, and says so).

Latencies are client-side (request sent → whole body read), nearest-rank percentiles in milliseconds.

    python bench/serve_load.py [--db bench/out/bench.db] [--clients 1,4] [--seconds 15] [--embed]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate_corpus as gen  # noqa: E402
from ingest_speed import make_queries, percentile  # noqa: E402
from machine import cpu_model, version  # noqa: E402

OUT = HERE / "out"


@dataclass
class Phase:
    """The requests of one load phase."""

    label: str
    clients: int
    seconds: float = 0.0
    times: list[float] = field(default_factory=list)  # ms of each answered request
    errors: dict[str, int] = field(default_factory=dict)
    note: str = ""

    def row(self) -> str:
        t = self.times
        errors = ", ".join(f"{n}× {e}" for e, n in self.errors.items()) or "0"
        return (f"| {self.label} | {self.clients} | {len(t)} | {len(t) / self.seconds:.0f} | "
                f"{percentile(t, 50):.1f} | **{percentile(t, 95):.1f}** | {percentile(t, 99):.1f} | "
                f"{max(t, default=0):.1f} | {errors} | {self.note} |")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_db(source: Path, copy: Path) -> None:
    """A copy of ``source`` made through SQLite's backup: the source is only read."""
    for leftover in (copy, copy.with_name(copy.name + "-wal"), copy.with_name(copy.name + "-shm")):
        leftover.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    dst.close()
    src.close()


def small_db(path: Path, megabytes: float) -> None:
    """A smaller knowledge base from a generated corpus, when bench.db is missing."""
    from veille import KnowledgeBase

    corpus = OUT / "serve_load_corpus"
    gen.generate_corpus(corpus, megabytes, seed=7)
    path.unlink(missing_ok=True)
    with KnowledgeBase(path, embed=False) as kb:
        kb.ingest(corpus)


class Client:
    """One keep-alive connection to the server."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, path: str, **params: Any) -> tuple[int, bytes]:
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        try:
            self.connection.request("GET", f"{path}?{query}")
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            raise

    def post_files(self, path: str, files: list[Path]) -> tuple[int, bytes]:
        boundary = uuid.uuid4().hex
        parts = []
        for file in files:
            parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{file.name}\""
                         "\r\nContent-Type: text/plain\r\n\r\n".encode() + file.read_bytes() + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        self.connection.request("POST", path, body=body, headers={
            "X-Veille": "1", "Content-Type": f"multipart/form-data; boundary={boundary}"})
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


def run_phase(port: int, phase: Phase, path: str, queries: list[tuple[str, str, dict[str, str]]],
              extra: dict[str, str], seconds: float, stop: threading.Event | None = None) -> Phase:
    """``phase.clients`` threads sending ``path`` requests for ``seconds`` (or until ``stop`` is set)."""
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + seconds

    def client(number: int) -> None:
        connection = Client(port)
        n = number * 997
        while time.perf_counter() < deadline and not (stop and stop.is_set()):
            _, text, filters = queries[n % len(queries)]
            n += 1
            sent = time.perf_counter()
            try:
                status, _ = connection.get(path, q=text, **filters, **extra)
                reason = "" if status == 200 else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as error:
                reason = type(error).__name__
            elapsed = (time.perf_counter() - sent) * 1000
            with lock:
                if reason:
                    phase.errors[reason] = phase.errors.get(reason, 0) + 1
                else:
                    phase.times.append(elapsed)
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(phase.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - start
    return phase


def start_server(db: Path, port: int, embed: bool, workers: int = 1) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "VEILLE_EMBED": "1" if embed else "0"}
    process = subprocess.Popen([sys.executable, "-m", "veille", "--db", str(db), "serve", "--port", str(port),
                                "--workers", str(workers)],
                               env=env, stderr=subprocess.PIPE, text=True)
    probe = Client(port)
    deadline = time.monotonic() + 300
    while True:
        try:
            if probe.get("/api/health")[0] == 200:
                break
        except (OSError, http.client.HTTPException):
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"veille serve did not start: {process.communicate()[1]}")
        time.sleep(0.2)
    probe.close()
    return process


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=OUT / "bench.db",
                        help="the knowledge base to copy and serve (ingest_speed.py makes bench/out/bench.db)")
    parser.add_argument("--clients", default="1,4", help="client counts of the phases (default 1,4)")
    parser.add_argument("--workers", default="1,2",
                        help="server process counts, one server each, one after the other (default 1,2)")
    parser.add_argument("--seconds", type=float, default=15, help="seconds per phase (default 15)")
    parser.add_argument("--upload-mb", type=float, default=8,
                        help="size of the generated corpus uploaded for the under-ingest phases (default 8)")
    parser.add_argument("--embed", action="store_true", help="the server embeds (VEILLE_EMBED=1): hybrid search")
    parser.add_argument("--small-mb", type=float, default=10,
                        help="when --db is missing: the size of the corpus of a smaller knowledge base built instead")
    args = parser.parse_args()
    counts = sorted({int(c) for c in args.clients.split(",")})
    OUT.mkdir(exist_ok=True)
    copy = OUT / "serve_load.db"
    if args.db.exists():
        copy_db(args.db, copy)
    else:
        print(f"{args.db} is missing: `python bench/ingest_speed.py` makes the 100 000-chunk one (about 3 "
              f"minutes); building a smaller one from {args.small_mb} MB of generated corpus instead",
              file=sys.stderr)
        small_db(copy, args.small_mb)
    upload = OUT / "serve_load_upload"
    files = gen.generate_corpus(upload, args.upload_mb, seed=99, tag="up")
    queries = make_queries(300, 20250304)

    phases: list[Phase] = []
    for workers in sorted({int(w) for w in args.workers.split(",")}):
        if phases:  # a new copy, without the last server's upload
            if args.db.exists():
                copy_db(args.db, copy)
            else:
                small_db(copy, args.small_mb)
        phases += serve_and_load(copy, workers, args, counts, queries, upload, files)
    print("\n| load | clients | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | note |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for phase in phases:
        print(phase.row())
    return 0


def serve_and_load(copy: Path, workers: int, args: argparse.Namespace, counts: list[int],
                   queries: list[tuple[str, str, dict[str, str]]], upload: Path, files: list[Any]) -> list[Phase]:
    """Every phase against one server of ``workers`` processes."""
    processes = f" ({workers} processes)" if workers > 1 else ""
    port = free_port()
    server = start_server(copy, port, args.embed, workers)
    phases: list[Phase] = []
    try:
        client = Client(port)
        stats = json.loads(client.get("/api/stats")[1])
        hybrid = args.embed and stats["vectors"] > 0
        print(f"{os.cpu_count()} CPU ({cpu_model()}) · Python {sys.version.split()[0]} · veille {version('veille')}"
              f" · uvicorn {version('uvicorn')} · FastAPI {version('fastapi')} · load average "
              f"{os.getloadavg()[0]:.1f} at the start (other processes share the cores)")
        print(f"knowledge base: {stats['chunks']:,} chunks, {stats['vectors']:,} vectors; server mode: "
              f"{stats['mode']}; {args.seconds:g} s per phase\n")
        run_phase(port, Phase("warm-up", 1), "/api/search", queries, {"mode": "lexical"}, 5)
        loads = [("lexical search", "/api/search", {"mode": "lexical", "k": "10"})]
        if hybrid:
            loads.append(("hybrid search", "/api/search", {"mode": "hybrid", "k": "10"}))
        loads.append(("ask (extractive)", "/api/ask", {}))
        for label, path, extra in loads:
            for clients in counts:
                phases.append(run_phase(port, Phase(label + processes, clients), path, queries, extra, args.seconds))
                print(phases[-1].row(), flush=True)

        client.close()  # idle through the phases: the server has closed it
        client = Client(port)
        status, body = client.post_files("/api/ingest", [upload / f.path for f in files])
        assert status == 202, body
        job_id = json.loads(body)["id"]
        ended = threading.Event()

        def watch() -> None:
            watcher = Client(port)
            try:
                while json.loads(watcher.get(f"/api/jobs/{job_id}")[1])["status"] in ("queued", "running"):
                    time.sleep(0.2)
                ended.set()
            except (OSError, http.client.HTTPException):  # the server stopped before the job ended
                pass
            watcher.close()

        threading.Thread(target=watch, daemon=True).start()
        mb = sum(f.bytes for f in files) / 1e6
        for label, path, extra in [loads[0], loads[-1]]:
            clients = counts[-1]
            phase = run_phase(port, Phase(f"{label}{processes}, during an upload's ingest", clients), path, queries, extra,
                              args.seconds, stop=ended)
            phase.note = f"ingest of {mb:.1f} MB ended first" if ended.is_set() else f"ingest of {mb:.1f} MB running"
            phases.append(phase)
            print(phase.row(), flush=True)
        ended.wait(120)  # an ingest that embeds can take far longer: then its state so far
        client.close()  # idle for longer than the server keeps a connection open
        client = Client(port)
        job = json.loads(client.get(f"/api/jobs/{job_id}")[1])
        done = job["report"]["counts"] if job["report"] else f"{job['files_done']} of {job['files_total']} files"
        print(f"\nupload: {len(files)} files, {mb:.1f} MB, job {job['status']} after {job['seconds']} s: {done}")
        client.close()
    finally:
        server.terminate()
        _, err = server.communicate(timeout=60)
    print(f"server stopped: exit code {server.returncode}" + ("; traceback on stderr" if "Traceback" in err else ""))
    return phases

if __name__ == "__main__":
    sys.exit(main())
