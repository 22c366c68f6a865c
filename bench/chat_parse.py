"""WhatsApp parsing speed and memory: veille beside LangChain, chat-miner and whatstk on the same French export.

    /tmp/bvenv/bin/python bench/chat_parse.py [--sizes 10,100] [--quick] [--out bench/out]

Prints numbers, never a verdict:

1. which header layouts each parser reads (French Android, ``à``, iOS bracketed,
   US 12-hour, dotted German, ISO, UTF-16), on ~200-message files: messages found
   against messages written, and whether the first and last message times are right;
2. for each size (default 10 and 100 MB of generated French Android export):
   messages/s, MB/s, messages found and peak memory of every parser, each in a
   fresh child process, timing the file read and the parse but not the imports.

Results also go to ``<out>/chat_parse.json``. See bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate_whatsapp as gen  # noqa: E402  (standard library only: safe to import in every child)
from machine import cpu_model, version  # noqa: E402

MB = 1e6
HERE = Path(__file__).resolve()
FORMAT_MESSAGES = 200
FORMAT_LAYOUTS = ("fr-android", "fr-android-a", "fr-ios", "en-ios", "us-12h", "de-dotted", "iso", "fr-android-utf16")


# -- the parsers, as each is called in its child process -------------------------------------
class Unavailable(Exception):
    """The parser cannot run at all here (not installed, or not written yet)."""


@dataclass
class Parsed:
    """What one parser returned for one file."""

    messages: int
    first: str = ""  # earliest and latest message time it gave, to the minute ("" when it keeps no times)
    last: str = ""
    note: str = ""


def _minute(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else ""


def _times(times: list) -> tuple[str, str]:
    times = [t for t in times if t is not None]
    return (_minute(min(times)), _minute(max(times))) if times else ("", "")


def _setup_veille_stream(path: Path) -> Callable[[], Parsed]:
    from veille.loaders import whatsapp

    iter_messages = getattr(whatsapp, "iter_messages", None)
    if iter_messages is None:
        raise Unavailable("veille.loaders.whatsapp.iter_messages does not exist in this checkout yet")

    def parse() -> Parsed:
        count = 0
        first = last = None
        for unit in iter_messages(path):
            if unit.kind != "message":
                continue
            count += 1
            if unit.time is not None:  # running min/max: nothing is kept
                first = unit.time if first is None or unit.time < first else first
                last = unit.time if last is None or unit.time > last else last
        return Parsed(count, _minute(first), _minute(last))
    return parse


def _setup_veille_whole(path: Path) -> Callable[[], Parsed]:
    from veille.loaders import whatsapp
    from veille.read import decode_bytes

    def parse() -> Parsed:
        text = decode_bytes(path.read_bytes(), path.name).text
        doc = whatsapp.parse(text, path.name)
        messages = [u for u in doc.units if u.kind == "message"]
        return Parsed(len(messages), *_times([u.time for u in messages]))
    return parse


def _setup_langchain_chat(path: Path) -> Callable[[], Parsed]:
    from langchain_community.chat_loaders.whatsapp import WhatsAppChatLoader

    def parse() -> Parsed:
        sessions = list(WhatsAppChatLoader(str(path)).lazy_load())
        count = sum(len(session["messages"]) for session in sessions)
        return Parsed(count, note="keeps the header's date as a string: times not checked")
    return parse


def _setup_langchain_documents(path: Path) -> Callable[[], Parsed]:
    from langchain_community.document_loaders import WhatsAppChatLoader

    def parse() -> Parsed:
        docs = list(WhatsAppChatLoader(str(path)).lazy_load())
        # one Document holding "name on date: text\n\n" per message line it matched (text has no newline)
        count = sum(doc.page_content.count("\n\n") for doc in docs)
        return Parsed(count, note="one Document for the whole chat; rows counted; continuation lines dropped")
    return parse


def _setup_chatminer(path: Path) -> Callable[[], Parsed]:
    from chatminer.chatparsers import WhatsAppParser

    def parse() -> Parsed:
        parser = WhatsAppParser(str(path))
        parser.parse_file()
        frame = parser.parsed_messages.get_df()  # a polars DataFrame
        if frame.height == 0:
            return Parsed(0)
        return Parsed(frame.height, _minute(frame["timestamp"].min()), _minute(frame["timestamp"].max()))
    return parse


def _setup_whatstk(path: Path) -> Callable[[], Parsed]:
    from whatstk import WhatsAppChat
    from whatstk.whatsapp import parser as whatstk_parser

    kwargs: dict[str, object] = {}
    note = ""
    limit = getattr(whatstk_parser, "MAX_INPUT_SIZE", None)
    if "max_size" in inspect.signature(whatstk_parser.df_from_whatsapp).parameters:
        kwargs["max_size"] = None
        if limit and path.stat().st_size > limit:
            try:  # refused on the file's size alone, before reading: nothing to time
                whatstk_parser.df_from_whatsapp(str(path))
            except ValueError:
                note = (f"read with max_size=None: by default it refuses files over {limit / 2**20:.0f} MiB "
                        "(ValueError)")

    def parse() -> Parsed:
        frame = WhatsAppChat.from_source(filepath=str(path), **kwargs).df
        if frame.empty:
            return Parsed(0, note=note)
        return Parsed(len(frame), _minute(frame["date"].min()), _minute(frame["date"].max()), note)
    return parse


@dataclass(frozen=True)
class Peer:
    key: str
    label: str
    package: str  # distribution whose version is reported
    setup: Callable[[Path], Callable[[], Parsed]]


PEERS: dict[str, Peer] = {p.key: p for p in (
    Peer("veille-stream", "veille iter_messages (streaming)", "veille", _setup_veille_stream),
    Peer("veille-whole", "veille parse (whole file)", "veille", _setup_veille_whole),
    Peer("langchain-chat", "LangChain chat_loaders.WhatsAppChatLoader", "langchain-community",
         _setup_langchain_chat),
    Peer("langchain-docs", "LangChain document_loaders.WhatsAppChatLoader", "langchain-community",
         _setup_langchain_documents),
    Peer("chat-miner", "chat-miner WhatsAppParser", "chat-miner", _setup_chatminer),
    Peer("whatstk", "whatstk WhatsAppChat.from_source", "whatstk", _setup_whatstk),
)}


def _error_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:160]}" if text else type(exc).__name__


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(peer_key: str, paths: list[Path], result: Path) -> None:
    """Run one parser over ``paths`` in this (fresh) process; write what happened to ``result``."""
    peer = PEERS[peer_key]
    runs: list[dict[str, object]] = []
    out: dict[str, object] = {"peer": peer_key, "runs": runs}
    for path in paths:
        try:
            parse = peer.setup(path)  # imports happen here, before the baseline
        except Unavailable as exc:
            out["unavailable"] = str(exc)
            break
        except ImportError as exc:
            out["unavailable"] = f"not installed ({_error_line(exc)})"
            break
        baseline = _rss_mb()
        start = time.perf_counter()
        try:
            parsed, error = parse(), ""
        except Exception as exc:  # noqa: BLE001 - a peer that fails is a result, not a crash
            parsed, error = None, _error_line(exc)
        seconds = time.perf_counter() - start
        runs.append({"path": str(path), "seconds": seconds, "error": error,
                     "parsed": asdict(parsed) if parsed else None,
                     "baseline_mb": baseline, "peak_mb": _rss_mb()})
        result.write_text(json.dumps(out), "utf-8")  # partial results survive a timeout
    result.write_text(json.dumps(out), "utf-8")


# -- the parent: files, children, tables ------------------------------------------------------
@dataclass
class Run:
    """One parser on one file, as the parent saw it."""

    peer: str
    label: str
    path: str
    expected: int
    megabytes: float
    seconds: float = 0.0
    messages: int | None = None
    dates_ok: bool | None = None  # None: the parser gives no times
    baseline_mb: float = 0.0
    peak_mb: float = 0.0
    note: str = ""
    error: str = ""  # could not read: why
    load: float = 0.0  # 1-minute load average when it started

    @property
    def mb_per_s(self) -> float:
        return self.megabytes / self.seconds if self.seconds and not self.error else 0.0

    @property
    def messages_per_s(self) -> float:
        return (self.messages or 0) / self.seconds if self.seconds and not self.error else 0.0


def run_child(peer: str, paths: list[Path], timeout: float) -> tuple[dict[str, object], str]:
    """Start a fresh interpreter for one parser; its JSON result and, when it failed, why."""
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "result.json"
        env = dict(os.environ, LANGCHAIN_TRACING_V2="false", PYTHONHASHSEED="0")
        command = [sys.executable, str(HERE), "--child", peer, "--result", str(result), *map(str, paths)]
        failure = ""
        try:
            proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
            if proc.returncode:
                tail = " ".join(proc.stderr.strip().splitlines()[-1:])[:200]
                failure = f"child exited with code {proc.returncode}: {tail}"
        except subprocess.TimeoutExpired:  # subprocess.run has killed the child
            failure = f"timed out after {timeout:.0f} s"
        data = json.loads(result.read_text("utf-8")) if result.exists() else {"runs": []}
    return data, failure


def _dates_ok(parsed: dict[str, object], info: gen.ExportInfo) -> bool | None:
    if not parsed.get("first"):
        return None
    return parsed["first"] == info.first_message and parsed["last"] == info.last_message


def to_runs(peer: str, paths: list[Path], infos: list[gen.ExportInfo], data: dict[str, object],
            failure: str, load: float = 0.0) -> list[Run]:
    """One Run per file, filling in why a file has no result."""
    done = {r["path"]: r for r in data.get("runs", [])}
    runs = []
    for path, info in zip(paths, infos, strict=True):
        run = Run(peer, PEERS[peer].label, str(path), info.messages, info.bytes / MB, load=load)
        found = done.get(str(path))
        if data.get("unavailable"):
            run.error = f"not run: {data['unavailable']}"
        elif found is None:
            run.error = failure or "no result"
        else:
            run.seconds = found["seconds"]
            run.baseline_mb, run.peak_mb = found["baseline_mb"], found["peak_mb"]
            if found["error"]:
                run.error = found["error"]
            else:
                parsed = found["parsed"]
                run.messages, run.note = parsed["messages"], parsed["note"]
                run.dates_ok = _dates_ok(parsed, info)
        runs.append(run)
    return runs


def wait_for_quiet(max_wait: float = 120) -> float:
    """Wait (up to ``max_wait`` s) while other work keeps the CPUs busy; the 1-minute load average."""
    cpus = os.cpu_count() or 1
    waited = 0.0
    load = os.getloadavg()[0]
    while load > cpus - 0.5 and waited < max_wait:
        if not waited:
            print(f"  (load average {load:.2f} on {cpus} CPUs: waiting for it to fall)", flush=True)
        time.sleep(10)
        waited += 10
        load = os.getloadavg()[0]
    if load > cpus - 0.5:
        print(f"  (still busy: load average {load:.2f}; measuring anyway, numbers may be low)", flush=True)
    return load


# -- report ---------------------------------------------------------------------------------------
def n(value: float) -> str:
    """An integer with thin-space thousands: ``100 000``."""
    return f"{value:,.0f}".replace(",", "\u202f")


def table(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    """A Markdown table padded so that it also reads aligned in a terminal."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).rjust(w) if i in right else str(c).ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths, strict=True))) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else "-" * (w + 2) for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def _count_cell(run: Run) -> str:
    if run.error:
        return "–"
    mark = "" if run.messages == run.expected else " ✗"
    return f"{n(run.messages or 0)} / {n(run.expected)}{mark}"


def speed_table(runs: list[Run]) -> str:
    rows = []
    for run in runs:
        if run.error:
            rows.append([run.label, f"{run.megabytes:.1f}", "–", "–", "–", "–", "–", "–", "–",
                         f"could not read: {run.error}"])
            continue
        dates = {True: "yes", False: "wrong", None: "n/a"}[run.dates_ok]
        rows.append([run.label, f"{run.megabytes:.1f}", f"{run.seconds:.1f}",
                     n(run.messages_per_s) if run.messages else "–", f"{run.mb_per_s:.1f}" if run.messages else "–",
                     _count_cell(run), dates, f"{run.peak_mb:.0f}", f"{run.peak_mb - run.baseline_mb:.1f}",
                     "read nothing" if not run.messages else run.note])
    return table(["parser", "MB", "s", "messages/s", "MB/s", "messages found / written", "times right",
                  "peak RSS MB", "over baseline MB", "note"], rows, right={1, 2, 3, 4, 5, 7, 8})


def memory_table(by_size: dict[str, list[Run]]) -> str:
    sizes = list(by_size)
    rows = []
    for peer in dict.fromkeys(r.peer for runs in by_size.values() for r in runs):
        cells = [PEERS[peer].label]
        for size in sizes:
            run = next((r for r in by_size[size] if r.peer == peer), None)
            ok = run is not None and not run.error
            cells += [f"{run.peak_mb:.0f}" if ok else "–", f"{run.peak_mb - run.baseline_mb:.1f}" if ok else "–"]
        rows.append(cells)
    header = ["parser"]
    for size in sizes:
        header += [f"peak RSS at {size} MB", f"over baseline at {size} MB"]
    return table(header, rows, right=set(range(1, len(header))))


def formats_table(runs: list[Run]) -> tuple[str, list[str]]:
    """Parser × layout: messages found / written, ✓ when the times are right too; errors as footnotes."""
    notes: list[str] = []
    rows = []
    for peer in dict.fromkeys(r.peer for r in runs):
        cells = [PEERS[peer].label]
        for layout in FORMAT_LAYOUTS:
            run = next(r for r in runs if r.peer == peer and Path(r.path).name.startswith(f"whatsapp_{layout}_"))
            if run.error:
                if run.error not in notes:
                    notes.append(run.error)
                cells.append(f"error ({notes.index(run.error) + 1})")
                continue
            cell = f"{run.messages}/{run.expected}"
            if run.messages and run.dates_ok is False:
                cell += " times ✗"
            elif run.messages == run.expected and run.dates_ok is not False:
                cell += " ✓"
            cells.append(cell)
        rows.append(cells)
    header = ["parser", *FORMAT_LAYOUTS]
    return table(header, rows, right=set()), [f"({i}) {text}" for i, text in enumerate(notes, 1)]


def environment() -> str:
    packages = ("veille", "langchain-community", "chat-miner", "whatstk", "pandas", "polars", "python-dateutil")
    return (f"{os.cpu_count()} CPU ({cpu_model()}) · Python {platform.python_version()} · "
            + " · ".join(f"{p} {version(p)}" for p in packages))


# -- main ---------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100", help="export sizes in MB (10^6 bytes), default 10,100")
    parser.add_argument("--quick", action="store_true", help="sizes 1,10 for a try")
    parser.add_argument("--layout", choices=sorted(gen.LAYOUTS), default="fr-android",
                        help="header layout of the timed exports, default fr-android ('12/03/2024 14:05 - ')")
    parser.add_argument("--parsers", default=",".join(PEERS), help=f"subset of: {', '.join(PEERS)}")
    parser.add_argument("--out", default=str(HERE.parent / "out"), help="output folder")
    parser.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    parser.add_argument("--timeout-per-mb", type=float, default=9.0,
                        help="seconds allowed per MB for one parser, at least 120; default 9 (15 min at 100 MB)")
    parser.add_argument("--skip-formats", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, [Path(p) for p in args.paths], Path(args.result))
        return 0

    sizes = [float(s) for s in ("1,10" if args.quick else args.sizes).split(",")]
    peers = [p.strip() for p in args.parsers.split(",") if p.strip()]
    unknown = [p for p in peers if p not in PEERS]
    if unknown:
        parser.error(f"unknown parser(s) {', '.join(unknown)}; choose from {', '.join(PEERS)}")
    out = Path(args.out)
    folder = out / "whatsapp"
    env = environment()
    print(f"environment: {env}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    report: dict[str, object] = {"environment": env, "sizes_mb": sizes, "seed": args.seed, "layout": args.layout}
    layout = f"{args.layout} ('{gen.LAYOUTS[args.layout].example}')"

    # 1. the exports
    start = time.perf_counter()
    exports = {}
    for size in sizes:
        path = folder / f"whatsapp_{args.layout}_{size:g}MB.txt"
        exports[f"{size:g}"] = gen.generate(path, args.layout, megabytes=size, seed=args.seed)
    format_files = {layout: gen.generate(folder / "formats" / f"whatsapp_{layout}_{FORMAT_MESSAGES}msg.txt",
                                         layout, messages=FORMAT_MESSAGES, seed=args.seed,
                                         mean_gap_minutes=360, start=datetime(2024, 2, 5, 9, 0))
                    for layout in FORMAT_LAYOUTS}
    print(f"\n1. exports (ready in {time.perf_counter() - start:.1f} s, cached in {folder})")
    for info in exports.values():
        print(f"  {gen.describe(info)}")
    report["exports"] = {size: asdict(info) for size, info in exports.items()}

    # 2. layouts each parser reads
    if not args.skip_formats:
        print(f"\n2. layouts: {FORMAT_MESSAGES}-message exports, one child process per parser")
        paths = [Path(info.path) for info in format_files.values()]
        infos = list(format_files.values())
        format_runs: list[Run] = []
        for peer in peers:
            data, failure = run_child(peer, paths, timeout=120)
            format_runs += to_runs(peer, paths, infos, data, failure)
        text, notes = formats_table(format_runs)
        print(text)
        for note in notes:
            print(note)
        report["formats"] = {"layouts": {k: v.example for k, v in gen.LAYOUTS.items() if k in FORMAT_LAYOUTS},
                             "runs": [asdict(r) for r in format_runs]}

    # 3. speed and memory per size
    by_size: dict[str, list[Run]] = {}
    for size_key, info in exports.items():
        timeout = max(120.0, args.timeout_per_mb * info.bytes / MB)
        print(f"\n3. {size_key} MB export, layout {layout} ({n(info.messages)} messages written); "
              f"one fresh process per parser, timeout {timeout:.0f} s")
        runs: list[Run] = []
        for peer in peers:
            load = wait_for_quiet()
            data, failure = run_child(peer, [Path(info.path)], timeout)
            run = to_runs(peer, [Path(info.path)], [info], data, failure, load)[0]
            runs.append(run)
            status = (f"could not read: {run.error}" if run.error else
                      f"{run.seconds:.1f} s, {n(run.messages_per_s)} messages/s, {run.messages:,} messages, "
                      f"peak {run.peak_mb:.0f} MB ({run.peak_mb - run.baseline_mb:+.1f} MB over baseline)")
            print(f"  {run.label}: {status}", flush=True)
        by_size[size_key] = runs
        report.setdefault("speed", {})[size_key] = [asdict(r) for r in runs]  # type: ignore[union-attr]
        (out / "chat_parse.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")

    print(f"\nEnvironment: {env}\n")
    for size_key, runs in by_size.items():
        info = exports[size_key]
        print(f"{size_key} MB export, layout {layout}: {info.bytes / MB:.1f} MB, {n(info.messages)} messages "
              f"({n(info.multiline)} multi-line, {n(info.media)} media placeholders, {n(info.deleted)} deleted), "
              f"{n(info.system)} system lines, {len(info.participants)} participants\n")
        print(speed_table(runs))
        print()
    if len(by_size) > 1:
        print("Peak memory (MB, RSS of the child; baseline = after its imports):\n")
        print(memory_table(by_size))
    (out / "chat_parse.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")
    print(f"\n(written to {out / 'chat_parse.json'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
