"""``veille serve``: the knowledge base over HTTP — a JSON API and a page, in one process.

One :class:`Service` holds the knowledge base: a reading ``KnowledgeBase`` that every read route shares
(one at a time: its in-memory indexes are built once, not per request), and a writing one that the ingest
jobs and deletions use in turn, so searches are answered while an upload is being ingested (SQLite's WAL
lets a reader go on beside the writer). Both share one embedding model.

Safe by default: the server listens on 127.0.0.1; on any other address it needs a token, which every API
request then carries (``Authorization: Bearer …`` or ``X-Veille-Token``). Requests naming another host are
refused (a DNS-rebinding page cannot read the API), state-changing requests need the ``X-Veille`` header
(which no cross-site form or simple request can send) and an ``Origin``, when sent, of this server. The
page runs no inline script, and its Content-Security-Policy allows nothing from elsewhere.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import os
import queue
import re
import secrets
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, AsyncIterator, BinaryIO, Callable, Iterator

from .embed import load_embedder
from .errors import AmbiguousReference, BadArgument, VeilleError


class ServeError(VeilleError):
    """The server cannot start as asked (no token for a public address, the serve extra missing)."""


try:  # the serve extra; cli.py imports this module only for veille serve
    from fastapi import FastAPI, Query, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import UploadFile
except ImportError as missing:  # pragma: no cover - the extra is installed in the tests
    raise ServeError(f"veille serve needs the serve extra: pip install 'veille[serve]' ({missing.name} is "
                     "missing)") from None
from .ingest_embedding import IngestProgress
from .kb import KnowledgeBase
from .llm import LLMConfig, LLMUnavailable
from .names import printable
from .store import is_server

#: Where the page's files are, inside the package.
STATIC = Path(__file__).with_name("web")
#: Limits of one upload: files, bytes per file, bytes in all.
MAX_UPLOAD_FILES = 200
MAX_UPLOAD_FILE_BYTES = 512 * 1024 * 1024
MAX_UPLOAD_BYTES = 1024 * 1024 * 1024
#: Bytes of a multipart body that are not the files' own (boundaries and part headers), allowed per file.
PART_OVERHEAD = 4096
#: Bytes copied at a time from an upload to its job's folder.
COPY_BYTES = 1024 * 1024
#: How the API shows the folder of uploaded files (``FILE-uploads``, beside the knowledge base).
UPLOADS_SHOWN_AS = "envois/"
#: Units of a document sent at a time by the document route.
UNITS_PAGE = 400
#: Finished jobs remembered in memory (their reports), the oldest forgotten first; their records stay on disk.
KEPT_JOBS = 100
#: Seconds between two records of a running job's progress.
RECORD_EVERY = 0.5
_JOB_ID = re.compile(r"[0-9a-f]{12}")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
                                "frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def is_loopback(host: str) -> bool:
    """True for an address only this machine reaches."""
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a token."""
    if not is_loopback(host) and not token:
        raise ServeError(f"{host} is reachable from other machines: give a token (--token or VEILLE_TOKEN) "
                         "that every request must carry, or listen on 127.0.0.1")
    if token is not None and len(token) < 16:
        raise ServeError("the token is too short: give one of 16 characters or more "
                         "(python -c 'import secrets; print(secrets.token_urlsafe())')")


@dataclass
class Job:
    """One upload being ingested: where it stands, then the ingest report (as ``veille ingest --json``)."""

    id: str
    names: list[str]
    folder: Path
    status: str = "queued"  # queued, running, done, failed
    files_done: int = 0
    files_total: int = 0
    chunks_embedded: int = 0
    seconds: float = 0.0
    report: dict[str, Any] | None = None
    refused: list[dict[str, str]] = field(default_factory=list)  # files the upload itself refused
    error: str | None = None
    recorded: float = 0.0  # when its record was last written (time.monotonic)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "files": self.names, "files_done": self.files_done,
                "files_total": self.files_total, "chunks_embedded": self.chunks_embedded,
                "seconds": round(self.seconds, 2), "refused": self.refused, "report": self.report,
                "error": self.error}


class Service:
    """The knowledge base behind the server: reads one at a time, writes in a worker thread."""

    def __init__(self, db: str | Path, *, embed: bool | None = None, uploads: str | Path | None = None,
                 llm: Callable[[], LLMConfig] | None = None, workers: int = 1) -> None:
        self.db: str | Path = str(db) if is_server(db) else Path(db)
        embedder, _ = load_embedder(embed)
        options: dict[str, Any] = {"embedder": embedder} if embedder is not None else {"embed": False}
        self.reader = KnowledgeBase(self.db, workers=workers, **options)
        self.writer = KnowledgeBase(self.db, workers=workers, **options)
        self.read_lock = threading.Lock()
        self.write_lock = threading.Lock()
        if uploads:
            self.uploads = Path(uploads)
        elif isinstance(self.db, str):  # a PostgreSQL database: the uploads are kept in the working folder
            self.uploads = Path("veille-uploads").resolve()
        else:
            self.uploads = self.db.with_name(self.db.name + "-uploads")
        self.llm = llm
        self.jobs: dict[str, Job] = {}
        self._job_records = self.uploads / ".jobs"  # read by every server process
        # the uploads' folder as JSON writes it (resolved and as given), for ``public``
        self._upload_folders = {json.dumps(str(f) + os.sep, ensure_ascii=False)[1:-1]
                                for f in (self.uploads.resolve(), self.uploads)}
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._worker = threading.Thread(target=self._run_jobs, name="veille-ingest", daemon=True)
        self._worker.start()

    # -- reads -------------------------------------------------------------------------------------
    def read(self, action: Callable[[KnowledgeBase], Any]) -> Any:
        """Run ``action`` on the reading knowledge base, alone."""
        with self.read_lock:
            return action(self.reader)

    def warm(self) -> None:
        """Build the reader's in-memory indexes (chunk keys, lengths, vectors) before the first request needs
        them: a second or more at 100 000 chunks, paid once at start, by each process."""
        with self.read_lock:
            self.reader.store.warm()

    def view(self, action: Callable[[KnowledgeBase], Any]) -> Any:
        """What ``action`` returns (JSON values), as the API shows it: see ``public``."""
        return self.public(self.read(action))

    def public(self, value: Any, *, names_only: bool = False) -> Any:
        """``value`` (JSON values) with every path of an uploaded file as ``envois/JOB/NAME`` (or its ``NAME``
        alone, for a job's report): the server's disk is not shown."""
        text = json.dumps(value, ensure_ascii=False)
        folders = sorted((f for f in self._upload_folders if f in text), key=len, reverse=True)  # the longest first
        if not folders:  # nothing uploaded is named: the value as it is (no second parse on every request)
            return value
        for folder in folders:
            escaped = re.escape(folder)
            if names_only:
                text = re.sub(escaped + r"[^/\\\"]+" + re.escape(json.dumps(os.sep)[1:-1]), "", text)
            else:
                text = re.sub(escaped, UPLOADS_SHOWN_AS.replace("\\", "\\\\"), text)
        return json.loads(text)

    # -- writes ------------------------------------------------------------------------------------
    def remove(self, ref: str) -> list[str]:
        with self.write_lock:
            return self.writer.remove(ref)

    def submit(self, files: list[tuple[str, BinaryIO]], refused: list[dict[str, str]]) -> Job:
        """Copy the uploaded files into a folder of their own and queue their ingest (their names as kept)."""
        folder = self.uploads / _job_folder()
        folder.mkdir(parents=True, exist_ok=False)
        taken: set[str] = set()
        names = []
        for name, data in files:
            names.append(_unique(name, taken))
            data.seek(0)
            with open(folder / names[-1], "xb") as kept:
                shutil.copyfileobj(data, kept, COPY_BYTES)
        job = Job(id=uuid.uuid4().hex[:12], names=names, folder=folder, refused=refused, files_total=len(files))
        self.jobs[job.id] = job
        self._record(job)
        while len(self.jobs) > KEPT_JOBS:
            oldest = next(iter(self.jobs))
            if self.jobs[oldest].status in ("queued", "running"):
                break
            del self.jobs[oldest]
        self._queue.put(job)
        return job

    def job(self, job_id: str) -> dict[str, Any] | None:
        """Where a job stands: this process's own, or one another server process runs (``serve --workers``)."""
        if job_id in self.jobs:
            return self.jobs[job_id].as_dict()
        if not _JOB_ID.fullmatch(job_id):
            return None
        try:
            return json.loads((self._job_records / f"{job_id}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _record(self, job: Job) -> None:
        """Write where ``job`` stands for the other server processes (replaced at once, never half written)."""
        self._job_records.mkdir(parents=True, exist_ok=True)
        record = self._job_records / f"{job.id}.json"
        partial = record.with_suffix(".part")
        partial.write_text(json.dumps(job.as_dict(), ensure_ascii=False), encoding="utf-8")
        os.replace(partial, record)
        job.recorded = time.monotonic()

    def _run_jobs(self) -> None:
        while (job := self._queue.get()) is not None:
            job.status = "running"
            self._record(job)

            def progress(p: IngestProgress, job: Job = job) -> None:
                job.files_done, job.files_total = p.files_done, p.files_total
                job.chunks_embedded, job.seconds = p.chunks_embedded, p.seconds
                if time.monotonic() - job.recorded > RECORD_EVERY:
                    self._record(job)

            try:
                with self.write_lock:
                    report = self.writer.ingest(job.folder, progress=progress)
                job.report = self.public(report.as_dict(), names_only=True)
                job.files_done = job.files_total
                job.status = "done"
            except Exception as error:  # noqa: BLE001 - a failed job says why; the server goes on
                job.error = self.public(str(error) or repr(error), names_only=True)
                job.status = "failed"
            self._record(job)

    def close(self) -> None:
        self._queue.put(None)
        self._worker.join(timeout=30)
        self.reader.close()
        self.writer.close()


def _job_folder() -> str:
    return time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_name(name: str) -> str:
    """An uploaded file's name as a plain file name: its last part only, nothing a path or a shell reads."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = _UNSAFE.sub("_", base).strip(" .")
    return base[:200] or "upload"


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem}-{n}.{ext}" if dot and stem else f"{name}-{n}"
    taken.add(candidate.lower())
    return candidate


# -- the application -----------------------------------------------------------------------------------

def create_app(service: Service, *, token: str | None = None, host: str = "127.0.0.1", port: int = 8765,
               allowed_hosts: tuple[str, ...] = (), max_files: int = MAX_UPLOAD_FILES,
               max_file_bytes: int = MAX_UPLOAD_FILE_BYTES, max_bytes: int = MAX_UPLOAD_BYTES,
               close_service: bool = False) -> Any:
    """The ASGI application (FastAPI) over ``service`` (closed when the server stops, if ``close_service``)."""
    check_exposure(host, token)

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        await run_in_threadpool(service.warm)
        yield
        if close_service:
            service.close()

    app = FastAPI(title="veille", version="1", summary="A French-first knowledge base: search, ask, figures.",
                  docs_url=None, redoc_url=None, openapi_url="/api/openapi.json", lifespan=lifespan)
    hosts = {h.lower() for h in (*LOOPBACK, host, *allowed_hosts)}

    def problem(status: int, reason: str, **extra: Any) -> JSONResponse:
        return JSONResponse({"error": reason, "status": status, **extra}, status_code=status,
                            headers=SECURITY_HEADERS)

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Any]) -> Any:
        request_host = _host_name(request.headers.get("host", ""))
        if request_host not in hosts:
            return problem(421, f"this server does not answer for host {printable(request_host)!r}")
        path = request.url.path
        if request.method in STATE_CHANGING:
            origin = request.headers.get("origin")
            if origin is not None and _host_name(origin.partition("://")[2]) not in hosts:
                return problem(403, "cross-site request refused")
            if request.headers.get("x-veille") is None:
                return problem(403, "a state-changing request needs the X-Veille header (cross-site "
                                    "requests are refused)")
        if token is not None and path.startswith("/api/") and path != "/api/health":
            given = request.headers.get("x-veille-token") or request.headers.get("authorization", "")
            given = given.removeprefix("Bearer ").strip()
            if not hmac.compare_digest(given.encode(), token.encode()):
                return problem(401, "this server needs a token (Authorization: Bearer TOKEN or X-Veille-Token)")
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(VeilleError)
    async def veille_error(request: Request, error: VeilleError) -> JSONResponse:
        if isinstance(error, AmbiguousReference):
            return problem(409, str(error), ids=error.ids)
        if isinstance(error, NotFound):
            return problem(404, str(error))
        if isinstance(error, BadArgument):
            return problem(400, str(error), argument=error.argument)
        return problem(400, str(error))

    @app.exception_handler(404)
    async def not_found(request: Request, error: Exception) -> JSONResponse:
        return problem(404, f"no route {printable(request.url.path)!r}")

    @app.exception_handler(405)
    async def not_allowed(request: Request, error: Exception) -> JSONResponse:
        return problem(405, f"{request.method} is not allowed on {printable(request.url.path)!r}")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        return problem(400, f"{where}: {first.get('msg', 'invalid')}", argument=where)

    # -- the page ----------------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    assets = {p.name: p for p in STATIC.iterdir() if p.is_file()}  # the package's files only, by name

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Any:
        if name not in assets or name == "index.html":
            return problem(404, f"no file {printable(name)!r}")
        return FileResponse(assets[name])

    # -- the API -----------------------------------------------------------------------------------
    @app.get("/api/health", summary="Whether the server answers (no token needed)")
    def health() -> dict[str, Any]:
        return {"ok": True, "token": token is not None, "process": os.getpid()}

    @app.get("/api/stats", summary="What the knowledge base holds, and how it searches")
    def stats() -> dict[str, Any]:
        return service.view(lambda kb: {**kb.stats(), "participants": kb.store.participants()})

    @app.get("/api/search", summary="The best chunks for a query (as veille search --json)")
    def search(q: str = Query(..., description="the query"), k: int = 10, mode: str | None = None,
               kind: str | None = None, who: str | None = None, since: str | None = None,
               until: str | None = None, source: str | None = None, mentions: str | None = None,
               topic: str | None = None) -> dict[str, Any]:
        filters = dict(kind=kind, who=who, since=since, until=until, source=source, mentions=mentions,
                       topic=topic)

        def run(kb: KnowledgeBase) -> dict[str, Any]:
            hits = kb.search(q, k=k, mode=mode, **filters)  # type: ignore[arg-type]
            undated = kb.undated(**filters) if since or until else 0
            return {"query": q, "mode": kb.describe_mode(mode), "undated_left_out": undated,
                    "hits": [h.as_dict() for h in hits]}

        return service.view(run)

    @app.get("/api/ask", summary="An extractive answer with citations (as veille ask --json)")
    def ask(q: str, sentences: int = 3, mode: str | None = None, kind: str | None = None,
            who: str | None = None, since: str | None = None, until: str | None = None,
            source: str | None = None, mentions: str | None = None) -> dict[str, Any]:
        return service.view(lambda kb: kb.ask(q, sentences=sentences, mode=mode, kind=kind, who=who, since=since,
                                               until=until, source=source, mentions=mentions).as_dict())

    @app.get("/api/ask/stream", summary="The answer of the server's language model, streamed (text/event-stream)",
             response_description="events: `text` (a piece of the answer), then `answer` (the checked answer, as "
                                  "/api/ask with `generated`), or `error`")
    def ask_stream(q: str, sentences: int = 3, mode: str | None = None, kind: str | None = None,
                   who: str | None = None, since: str | None = None, until: str | None = None,
                   source: str | None = None, mentions: str | None = None) -> StreamingResponse:
        try:
            config = service.llm() if service.llm else LLMConfig.from_env()
        except LLMUnavailable as error:
            config, unavailable = None, str(error)
        pieces: queue.Queue[tuple[str, Any] | None] = queue.Queue()

        def run() -> None:
            try:
                answer = service.read(lambda kb: kb.ask(q, sentences=sentences, mode=mode, kind=kind, who=who,
                                                        since=since, until=until, source=source,
                                                        mentions=mentions))
                if config is None:
                    result = {**answer.as_dict(), "llm_error": unavailable}
                else:
                    answer.generate(config, lambda text: pieces.put(("text", text)))
                    result = answer.as_dict()
                pieces.put(("answer", service.public(result)))
            except VeilleError as error:
                pieces.put(("error", {"error": str(error), "status": 400}))
            except Exception as error:  # noqa: BLE001 - the stream ends with the reason
                pieces.put(("error", {"error": f"internal error: {error!r}", "status": 500}))
            finally:
                pieces.put(None)

        threading.Thread(target=run, daemon=True).start()

        def events() -> Iterator[str]:
            while (item := pieces.get()) is not None:
                name, data = item
                yield f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"X-Accel-Buffering": "no", **SECURITY_HEADERS})

    @app.get("/api/figures", summary="Figures found at ingest (as veille figures --json)")
    def figures(q: str | None = None, unit: str | None = None, min: float | None = None,
                max: float | None = None, k: int = 10, mode: str | None = None, kind: str | None = None,
                who: str | None = None, since: str | None = None, until: str | None = None,
                source: str | None = None, limit: int = Query(1000, ge=1, le=100000)) -> dict[str, Any]:
        def run(kb: KnowledgeBase) -> dict[str, Any]:
            found = kb.figures(q, unit=unit, min=min, max=max, k=k, mode=mode, kind=kind, who=who, since=since,
                               until=until, source=source)
            return {"total": len(found), "figures": [f.as_dict() for f in found[:limit]]}

        return service.view(run)

    @app.get("/api/documents", summary="Every stored document (as veille documents --json)")
    def documents() -> list[dict[str, Any]]:
        return service.view(lambda kb: [_document_dict(d) for d in kb.documents()])

    @app.get("/api/documents/{ref}", summary="One document and a page of its units, with its chunks' bounds")
    def document(ref: str, start: int = Query(0, ge=0), limit: int = Query(UNITS_PAGE, ge=1, le=5000),
                 around: int | None = Query(None, ge=0, description="a unit to centre the page on")
                 ) -> dict[str, Any]:
        def run(kb: KnowledgeBase) -> dict[str, Any]:
            doc_id = _one(kb, ref)
            stored = kb.store.document(doc_id)
            first = max(0, around - limit // 2) if around is not None else start
            units = kb.store.units(doc_id, first, first + limit)
            return {"document": _document_dict(stored), "start": first, "total": stored.units,
                    "units": [u.as_dict() for u in units],
                    "chunks": [{"idx": i, "unit_start": s, "unit_end": e}
                               for i, s, e in kb.store.chunk_bounds(doc_id, first, first + limit)]}

        return service.view(run)

    @app.get("/api/documents/{ref}/timeline", summary="Messages per day and participant of a conversation")
    def timeline(ref: str) -> dict[str, Any]:
        def run(kb: KnowledgeBase) -> dict[str, Any]:
            doc_id = _one(kb, ref)
            rows = kb.store.timeline(doc_id)
            people: dict[str, dict[str, int]] = {}
            for author, day, count in rows:
                people.setdefault(author, {})[day] = count
            return {"document": doc_id, "days": sorted({day for _, day, _ in rows}), "participants": people}

        return service.view(run)

    @app.get("/api/documents/{ref}/chunks", summary="A document's chunks (as veille chunks --json)")
    def chunks(ref: str) -> list[dict[str, Any]]:
        return service.view(lambda kb: [c.as_record() for c in kb.chunks(_one(kb, ref))])

    @app.delete("/api/documents/{ref}", summary="Delete a document and all derived from it")
    def delete(ref: str) -> dict[str, Any]:
        service.read(lambda kb: _one(kb, ref))  # unknown or ambiguous: said before anything is removed
        return {"removed": service.remove(ref)}

    @app.get("/api/show", summary="A citation's unit with the units around it (as veille show --json)")
    def show(citation: str, around: int = Query(3, ge=0, le=200)) -> dict[str, Any]:
        return service.view(lambda kb: kb.show(citation, around).as_dict())

    @app.post("/api/ingest", status_code=202, summary="Upload files or zips to ingest; a job to follow")
    async def ingest(request: Request) -> Any:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes + PART_OVERHEAD * max_files:  # said before it is read
            return problem(413, f"the upload is over {_size(max_bytes)} in all")
        form = await request.form(max_files=max_files + 1, max_part_size=max_file_bytes)
        try:
            uploads = [v for v in form.getlist("files") if isinstance(v, UploadFile)]
            if not uploads:
                return problem(400, "no file: send them as multipart form data, field 'files'")
            if len(uploads) > max_files:
                return problem(413, f"{len(uploads)} files: at most {max_files} per upload")
            files: list[tuple[str, BinaryIO]] = []
            refused: list[dict[str, str]] = []
            total = 0
            for upload in uploads:
                name = safe_name(upload.filename or "")
                size = upload.size if upload.size is not None else upload.file.seek(0, os.SEEK_END)
                if size > max_file_bytes:
                    refused.append({"path": name, "status": "failed",
                                    "reason": f"{_size(size)}: over the upload limit of {_size(max_file_bytes)}"})
                    continue
                total += size
                if total > max_bytes:
                    return problem(413, f"the upload is over {_size(max_bytes)} in all")
                files.append((name, upload.file))
            # the uploads are spooled to temporary files: copied to the job's folder away from the event loop
            job = await run_in_threadpool(service.submit, files, refused)
        finally:
            await form.close()
        return JSONResponse(job.as_dict(), status_code=202, headers={"Location": f"/api/jobs/{job.id}"})

    @app.get("/api/jobs/{job_id}", summary="Where an upload's ingest stands, then its report")
    def job(job_id: str) -> dict[str, Any]:
        found = service.job(job_id)
        if found is None:
            raise NotFound(f"no job {job_id!r}")
        return found

    return app


class NotFound(VeilleError):
    """A document or job the request names does not exist."""


def _size(count: int) -> str:
    """A number of bytes for a person: 512 MB, 1.5 KB, 300 bytes."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} bytes"


def _host_name(host: str) -> str:
    """The name in a Host header or an origin, without its port."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _one(kb: KnowledgeBase, ref: str) -> str:
    found = kb.resolve(ref)
    if not found.ids:
        raise NotFound(f"no stored document is {ref!r}")
    if found.ambiguous:
        raise AmbiguousReference(ref, found.ids)
    return found.ids[0]


def _document_dict(doc: Any) -> dict[str, Any]:
    return {"id": doc.id, "source": doc.source, "kind": doc.kind, "format": doc.format, "title": doc.title,
            "participants": doc.participants, "chunks": doc.chunks, "units": doc.units,
            "ingested_at": doc.ingested_at, "period": doc.metadata.get("period")}


#: The environment variable that carries ``serve``'s settings to the processes of ``serve --workers N``.
SETTINGS_VARIABLE = "VEILLE_SERVE_SETTINGS"


def serve(db: str | Path, *, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
          embed: bool | None = None, open_browser: bool = False, allowed_hosts: tuple[str, ...] = (),
          llm: tuple[str | None, str | None, str | None, float | None] = (None, None, None, None),
          workers: int = 1, log: Callable[[str], None] = print) -> None:
    """Run the server until Ctrl-C: in this process, or in ``workers`` processes sharing the port (each with its
    own reader, so that searches run on several cores; an upload is ingested by the process that took it).

    ``llm``: the generated answers' endpoint (URL, model, key, time-out; the environment's when None).
    """
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - the extra is installed in the tests
        raise ServeError("veille serve needs the serve extra: pip install 'veille[serve]' (uvicorn is missing)") \
            from None
    check_exposure(host, token)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise BadArgument("workers", f"{workers!r} is not a number of processes (a whole number, 1 or more)")
    settings = {"db": str(db) if is_server(db) else str(Path(db).resolve()), "host": host, "port": port, "token": token, "embed": embed,
                "allowed_hosts": list(allowed_hosts), "llm": list(llm)}
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    _, mode = load_embedder(embed)
    log(f"veille: serving {db} at {url} ({mode}{f'; {workers} processes' if workers > 1 else ''}); Ctrl-C stops"
        + ("; every request needs the token" if token else ""))
    if open_browser:
        import webbrowser

        threading.Timer(1.0, webbrowser.open, (url,)).start()
    if workers == 1:
        uvicorn.run(app_from_settings(settings), host=host, port=port, log_level="warning", access_log=False)
        return
    os.environ[SETTINGS_VARIABLE] = json.dumps(settings)  # the worker processes inherit it
    uvicorn.run("veille.server:app_from_environment", factory=True, workers=workers, host=host, port=port,
                log_level="warning", access_log=False)


def app_from_settings(settings: dict[str, Any]) -> Any:
    """The application over a new ``Service`` of ``serve``'s settings, closed when the server stops."""
    url, model, key, timeout = settings["llm"]
    service = Service(settings["db"], embed=settings["embed"],
                      llm=lambda: LLMConfig.from_env(url, model, key, timeout))
    return create_app(service, token=settings["token"], host=settings["host"], port=settings["port"],
                      allowed_hosts=tuple(settings["allowed_hosts"]), close_service=True)


def app_from_environment() -> Any:
    """The application of one process of ``serve --workers N`` (uvicorn's factory)."""
    return app_from_settings(json.loads(os.environ[SETTINGS_VARIABLE]))
