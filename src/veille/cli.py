"""The ``veille`` command: checks its inputs, calls KnowledgeBase, formats the output."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import os
import signal
import sys
import time
from typing import Any, Callable, NoReturn, Sequence, TextIO

from . import __version__
from .answer import ANSWER_SENTENCES, Answer, clock
from .chunking import ChunkingConfig, render_chunk
from .embed import EXTRA, QUERY_MAX_CHARS, EmbeddingUnavailable, query_for_model
from .embed_queue import EmbedInterrupted, EmbedReport
from .enrich.figures import format_quantity
from .errors import BadArgument, VeilleError
from .evaluate import add_eval_arguments, run_eval_command
from .kb import IngestInterrupted, IngestProgress, IngestStopped, IngestReport, KnowledgeBase, Resolved
from .llm import LLMConfig, LLMUnavailable
from .migrate import MigrateReport, migrate
from .loaders import FORMATS
from .names import printable
from .search import HIGHLIGHT
from .store import is_server
from .store.base import date_bound
from .text.tokens import COUNTERS
from .types import DOCUMENT_KINDS, MODES

DEFAULT_DB = "veille.db"


class _Parser(argparse.ArgumentParser):
    """argparse, with errors as ``veille: --since: 'foo' is not a date (…)`` (exit code 2)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"veille: {message.removeprefix('argument ')}\n")


def _number(kind: Callable[[str], Any], what: str, least: float, above: bool = False) -> Callable[[str], Any]:
    """An argparse type: a number of ``kind`` at least (or above) ``least``."""
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or value < least or (above and value == least):
            raise argparse.ArgumentTypeError(f"'{printable(text)}' is not {what}")
        return value
    return parse


def _date(text: str) -> str:
    try:
        date_bound(text, end=False)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(printable(str(exc))) from None
    return text


def _utf8(text: str) -> str:
    """Text from the command line; bytes that are not UTF-8 (a latin-1 terminal) are refused by name."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise argparse.ArgumentTypeError(f"'{printable(text)}' is not UTF-8 text (set the terminal to UTF-8)") \
            from None
    return text


_WEIGHT = _number(float, "a weight (a number, 0 or more)", 0)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="veille",
        description="French-first, local-first knowledge base: ingest chats, transcripts, articles and posts; "
                    "search them in French.",
    )
    parser.add_argument("--version", action="version", version=f"veille {__version__}")
    parser.add_argument("--db", default=os.environ.get("VEILLE_DB", DEFAULT_DB),
                        help=f"knowledge base: a file, or a PostgreSQL URI postgresql://user@host/database "
                             f"(default: $VEILLE_DB or {DEFAULT_DB})")
    parser.add_argument("--no-embed", dest="embed", action="store_false", default=None,
                        help="leave the embedding model out: lexical search, and ingest without vectors "
                             "(default: embed when the model is installed, unless $VEILLE_EMBED=0)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", help="read files and folders into the knowledge base",
                       description="Read files and folders into the knowledge base. A bad file is reported "
                                   "with the reason and the others go on; the exit code is 1 if any failed.")
    p.add_argument("paths", nargs="+", help="files or folders")
    p.add_argument("--format", choices=FORMATS, help="skip detection and use this loader")
    p.add_argument("--tokens", dest="token_counter", choices=sorted(COUNTERS),
                   help="token counter (default cl100k; chars4 is the ceil(characters/4) estimate)")
    p.add_argument("--max-tokens", type=_number(int, "a chunk budget (a whole number of tokens, 16 or more)", 16),
                   help="chunk budget in tokens (default 400)")
    p.add_argument("--overlap", type=_number(int, "an overlap (a whole number of tokens, 0 or more)", 0),
                   help="overlap carried between chunks, in tokens, below the budget (default 60)")
    p.add_argument("--silence", type=_number(float, "a number of minutes above 0", 0, above=True),
                   help="minutes of silence that start a new chat chunk (default 120)")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="leave out files and folders matching this pattern, against the path relative to the "
                        "folder given and against the name (repeatable; e.g. '*.log', 'drafts/*')")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show embedding progress on stderr (default: when stderr is a terminal)")

    p = sub.add_parser("embed", help="embed the stored chunks that have no vector, as one of several workers",
                       description="Embed the chunks stored without a vector (veille --no-embed ingest …), in "
                                   "batches of 16 claimed from the knowledge base: on PostgreSQL, run it in as "
                                   "many processes, on as many machines, as you like; each claims other chunks, "
                                   "and a worker stopped or killed loses nothing (its batch goes to another). On a "
                                   "SQLite file one worker embeds at a time (a batch holds the write lock). Stops "
                                   "when every chunk has a vector, or with --follow runs until Ctrl-C.")
    p.add_argument("--follow", action="store_true",
                   help="keep looking for new chunks (every few seconds) until Ctrl-C: run it beside "
                        "veille --no-embed ingest")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show progress on stderr (default: when stderr is a terminal)")

    p = sub.add_parser("migrate", help="copy a knowledge base to another store (SQLite file ↔ PostgreSQL), vectors "
                                       "included",
                       description="Copy every document of FROM into TO, with its units, chunks, index terms, "
                                   "vectors, figures and message keys, and the knowledge base's settings: nothing "
                                   "is parsed or embedded again. FROM and TO are each a file or a PostgreSQL URI "
                                   "(postgresql://user@host/database); TO must be empty (a new file, or a new "
                                   "database). --db is not used.")
    p.add_argument("source", metavar="FROM", help="the knowledge base to copy: a file or a PostgreSQL URI")
    p.add_argument("target", metavar="TO", help="where to copy it: a new file or an empty PostgreSQL database")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show progress on stderr (default: when stderr is a terminal)")

    p = sub.add_parser("search", help="search the knowledge base in French",
                       description="Hybrid search (BM25 with the French analyser and multilingual-e5-small "
                                   "embeddings, fused by reciprocal rank) when the embedding model is installed, "
                                   "BM25 alone otherwise; filters apply inside each ranker, before its top k.")
    p.add_argument("query", type=_utf8,
                   help=f"words to look for (the embedding model reads the first {QUERY_MAX_CHARS} characters)")
    p.add_argument("-k", type=_number(int, "a number of results (a whole number, 1 or more)", 1), default=5,
                   help="number of results (default 5)")
    p.add_argument("--mode", choices=MODES,
                   help="lexical (BM25), dense (embeddings) or hybrid (both fused); default hybrid when the "
                        "embedding model is installed, else lexical")
    p.add_argument("--lexical-weight", type=_WEIGHT, help="weight of the BM25 ranking in the fusion (default 1)")
    p.add_argument("--dense-weight", type=_WEIGHT, help="weight of the dense ranking in the fusion (default 1)")
    p.add_argument("--dedup", action=argparse.BooleanOptionalAction, default=None,
                   help="leave out chunks that overlap or repeat a better hit of the same document "
                        "(default: on in dense and hybrid modes)")
    _add_filters(p)
    p.add_argument("--json", action="store_true", help="print results as JSON")

    p = sub.add_parser("ask", help="answer a question with sentences cited to the exact message or paragraph",
                       description="Search, then answer with the sentences (or chat messages) of the best passages "
                                   "that answer the question, each cited to its unit: a chat message (author, "
                                   "date and time), a transcript second, an article's paragraph. Nothing is "
                                   "generated. When nothing answers, it says so and shows the closest passages.")
    p.add_argument("question", type=_utf8, help="the question, in French (or any language the sources speak)")
    p.add_argument("-n", "--sentences", type=_number(int, "a number of sentences (a whole number, 1 or more)", 1),
                   default=ANSWER_SENTENCES, help=f"sentences in the answer at most (default {ANSWER_SENTENCES})")
    p.add_argument("--mode", choices=MODES, help="search mode (default hybrid when the embedding model is "
                                                  "installed, else lexical)")
    _add_filters(p)
    p.add_argument("--llm", action="store_true",
                   help="also ask an OpenAI-compatible chat endpoint (Ollama, llama.cpp, vLLM, a hosted API) to "
                        "answer from the best passages, then check its citations and figures; falls back to the "
                        "extractive answer when the endpoint cannot answer")
    _add_llm_endpoint(p)
    p.add_argument("--json", action="store_true", help="print the answer as JSON")

    p = sub.add_parser("serve", help="open the knowledge base in a browser: a web page and a JSON API",
                       description="Serve the knowledge base over HTTP: a page (search, documents, ask, figures, "
                                   "upload) at / and a JSON API under /api (its OpenAPI schema at "
                                   "/api/openapi.json). It listens on 127.0.0.1 unless told otherwise; on any "
                                   "other address it needs a token that every request carries. The file is "
                                   "made if it does not exist yet.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=_number(int, "a port (a whole number from 1 to 65535)", 1), default=8765,
                   help="port (default 8765)")
    p.add_argument("--token", default=os.environ.get("VEILLE_TOKEN"),
                   help="a secret every request must carry; needed on any address but 127.0.0.1 "
                        "(default $VEILLE_TOKEN)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="also answer requests addressed to this host name (e.g. the machine's name on the network)")
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    p.add_argument("--workers", type=_number(int, "a number of processes (a whole number, 1 or more)", 1), default=1,
                   help="server processes sharing the port, each with its own reader: searches run on several "
                        "cores (default 1; each process holds its own copy of the indexes and the model)")
    _add_llm_endpoint(p, "the page's generated answers")

    p = sub.add_parser("show", help="print a cited message or paragraph with the units around it",
                       description="Print the unit a citation names (DOCUMENT#UNIT as answers print it, or "
                                   "PATH:LINE) with the units before and after it.")
    p.add_argument("citation", type=_utf8, help="DOCUMENT#UNIT (the document by id, id prefix or path) or PATH:LINE")
    p.add_argument("--around", type=_number(int, "a number of units (a whole number, 0 or more)", 0), default=3,
                   help="units shown before and after the cited one (default 3)")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p = sub.add_parser("figures", help="list the figures (amounts, power, counts, percentages…) found in the sources",
                       description="List the figures found at ingest (money, power, energy, counts of things, "
                                   "percentages, multipliers…), each with its sentence, author, time and citation: "
                                   "all of them, or those of the chunks that best match QUERY.")
    p.add_argument("query", nargs="?", type=_utf8, help="only the figures of the chunks that best match these words")
    p.add_argument("-k", type=_number(int, "a number of chunks (a whole number, 1 or more)", 1), default=10,
                   help="with QUERY: how many of the best chunks to take figures from (default 10)")
    p.add_argument("--unit", type=_utf8, help="only figures in this unit (GW, MW, kWh, €, M€, $, %, GPU, token…) "
                                              "or of this kind of quantity (money, power, energy, count…)")
    p.add_argument("--min", type=_number(float, "a number", -math.inf),
                   help="only figures of at least this value, in the unit of --unit (a range counts if it overlaps)")
    p.add_argument("--max", type=_number(float, "a number", -math.inf),
                   help="only figures of at most this value, in the unit of --unit")
    p.add_argument("--kind", choices=DOCUMENT_KINDS, help="only this kind of document")
    p.add_argument("--who", type=_utf8, help="only figures said by this participant")
    p.add_argument("--since", type=_date, help="only figures at or after this date (YYYY, YYYY-MM, YYYY-MM-DD or "
                                               "YYYY-MM-DD HH:MM); figures without a date are left out")
    p.add_argument("--until", type=_date, help="only figures at or before this date (same forms)")
    p.add_argument("--source", type=_utf8, help="only documents whose path contains this text")
    output = p.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print the figures as JSON")
    output.add_argument("--csv", action="store_true", help="print the figures as CSV (one row per figure)")

    p = sub.add_parser("chunks", help="print stored chunks in the chunk text format or as JSONL",
                       description="Print chunks in the chunk text format (or JSONL with --format jsonl).")
    p.add_argument("document", nargs="?", help="document id, id prefix or source path (default: all)")
    p.add_argument("--format", choices=["text", "jsonl"], default="text", help="output format")
    p.add_argument("--limit", type=_number(int, "a number of chunks (a whole number, 0 or more)", 0),
                   help="print at most this many chunks")

    p = sub.add_parser("documents", help="list stored documents",
                       description="List stored documents with their kind, format and counts.")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = sub.add_parser("remove", help="delete a document and everything derived from it",
                       description="Delete documents (by id, id prefix of at least 6 characters, or source "
                                   "path; an export's path removes its conversations) with their units, chunks "
                                   "and index entries. An id prefix that several documents share lists them "
                                   "and removes nothing unless --yes is given (or you confirm on a terminal).")
    p.add_argument("documents", nargs="+", help="document ids, id prefixes or source paths")
    p.add_argument("-y", "--yes", action="store_true",
                   help="remove every document an id prefix matches, without asking")

    p = sub.add_parser("eval", help="score each search mode on a BEIR-layout test set",
                       description="Ingest a BEIR-layout set (corpus.jsonl, queries.jsonl, qrels.tsv) through the "
                                   "normal pipeline into a scratch knowledge base and print nDCG@10, Recall@10, "
                                   "Recall@100, MRR@10 and query latency (p50, p95) per search mode.")
    add_eval_arguments(p)

    p = sub.add_parser("stats", help="counts and settings of the knowledge base",
                       description="Counts of documents, units, chunks and tokens, and the mode in use.")
    p.add_argument("--json", action="store_true", help="print as JSON")
    return parser


def _add_llm_endpoint(p: argparse.ArgumentParser, what: str = "--llm") -> None:
    """Where an OpenAI-compatible chat endpoint is, for ``what``."""
    p.add_argument("--llm-url", help=f"the endpoint's base URL for {what}, e.g. http://127.0.0.1:11434/v1 "
                                     "(default $VEILLE_LLM_URL, else $OPENAI_BASE_URL)")
    p.add_argument("--llm-model", help="the model's name (default $VEILLE_LLM_MODEL)")
    p.add_argument("--llm-key", help="API key (default $VEILLE_LLM_KEY, else $OPENAI_API_KEY; none for a local server)")
    p.add_argument("--llm-timeout", type=_number(float, "a number of seconds above 0", 0, above=True),
                   help="seconds to wait for the endpoint's next bytes (default $VEILLE_LLM_TIMEOUT, else 60)")


def _add_filters(p: argparse.ArgumentParser) -> None:
    """The filters of search (and of ask): they apply inside each ranker, before its top is taken."""
    p.add_argument("--kind", choices=DOCUMENT_KINDS,
                   help="only this kind of document")
    p.add_argument("--who", type=_utf8, help="only chunks where this participant speaks")
    p.add_argument("--since", type=_date,
                   help="only chunks at or after this date (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DD HH:MM); "
                        "chunks without a date are left out, and counted")
    p.add_argument("--until", type=_date, help="only chunks at or before this date (same forms; a day, month or "
                                               "year given is included whole)")
    p.add_argument("--source", type=_utf8, help="only documents whose path contains this text")
    p.add_argument("--topic", type=_utf8, help="only chunks with this topic")
    p.add_argument("--mentions", type=_utf8,
                   help="only chunks that name this person, organisation or place (e.g. EDF, Kempf, Marseille)")


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    return {"kind": args.kind, "who": args.who, "since": args.since, "until": args.until,
            "source": args.source, "topic": args.topic, "mentions": args.mentions}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    if args.command == "ingest" and args.overlap is not None:
        budget = args.max_tokens or ChunkingConfig().max_tokens
        if args.overlap >= budget:
            parser.error(f"--overlap: {args.overlap} is not below the chunk budget ({budget} tokens)")
    if args.command == "migrate":
        _check_db(parser, args.source, create=False, option="FROM")
        _check_db(parser, args.target, create=True, option="TO")
    elif args.command != "eval":
        _check_db(parser, args.db, create=args.command in ("ingest", "serve"))
    if args.command == "serve" and args.port > 65535:
        parser.error(f"--port: {args.port} is not a port (a whole number from 1 to 65535)")
    handler = COMMANDS[args.command]
    stopped = _StopSignal()
    try:
        with stopped:
            return handler(args)
    except BadArgument as exc:  # a check only the library can make (since after until)
        parser.error(f"{_OPTION.get(exc.argument, '--' + exc.argument.replace('_', '-'))}: {exc.reason}")
    except VeilleError as exc:
        print(f"veille: {printable(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `veille chunks | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: said in one line, no traceback
        if not isinstance(exc, (IngestInterrupted, EmbedInterrupted)):
            print("veille: interrupted", file=sys.stderr)
        return 128 + stopped.signal


class _StopSignal:
    """SIGTERM handled as Ctrl-C while a command runs; which of the two stopped it (the exit code is 128 + it)."""

    def __init__(self) -> None:
        self.signal = signal.SIGINT
        self._previous: Any = None

    def __enter__(self) -> "_StopSignal":
        try:
            self._previous = signal.signal(signal.SIGTERM, self._stop)
        except ValueError:  # not the main thread: SIGTERM keeps its handler
            self._previous = None
        return self

    def _stop(self, signum: int, frame: Any) -> None:
        self.signal = signal.SIGTERM
        raise KeyboardInterrupt

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGTERM, self._previous)


_OPTION = {"k": "-k", "query": "query", "question": "question", "citation": "citation"}


def _check_db(parser: argparse.ArgumentParser, db: str, create: bool, option: str = "--db") -> None:
    """The knowledge base file must exist, except for ingest, which needs the folder it goes in (a server's
    URI is checked by connecting to it)."""
    if db == ":memory:" or is_server(db):
        return
    if os.path.isdir(db):
        parser.error(f"{option}: '{printable(db)}' is a folder, not a knowledge base file")
    if os.path.exists(db):
        return
    if not create:
        parser.error(f"{option}: no knowledge base at '{printable(db)}' (veille ingest creates one)")
    folder = os.path.dirname(os.path.abspath(db))
    if not os.path.isdir(folder):
        parser.error(f"{option}: cannot create '{printable(db)}': no folder '{printable(folder)}'")


def _open(args: argparse.Namespace, **options: Any) -> KnowledgeBase:
    options["embed"] = args.embed
    return KnowledgeBase(args.db, **{k: v for k, v in options.items() if v is not None})


def cmd_ingest(args: argparse.Namespace) -> int:
    with _open(args, token_counter=args.token_counter, max_tokens=args.max_tokens,
               overlap_tokens=args.overlap, silence_minutes=args.silence) as kb:
        show = sys.stderr.isatty() if args.progress is None else args.progress
        bar = ProgressBar(sys.stderr) if show and kb.embedder is not None else None
        stop: IngestInterrupted | None = None
        try:
            report = kb.ingest(args.paths, format=args.format, progress=bar, exclude=args.exclude)
        except IngestInterrupted as exc:  # what was committed is said, then main gives the exit code
            stop, report = exc, exc.report
        except IngestStopped as exc:  # the disk is full: what was stored is said, then why it stopped
            report = exc.report
            _show_report(report, args.json)
            print(f"veille: {printable(str(exc))}", file=sys.stderr)
            return 1
        finally:
            if bar is not None:
                bar.close()
    _show_report(report, args.json)
    if stop is not None:
        raise stop
    return 0 if report.ok else 1


def cmd_embed(args: argparse.Namespace) -> int:
    if args.embed is False:
        print("veille: embed needs the embedding model: leave out --no-embed", file=sys.stderr)
        return 2
    args.embed = True  # the model is required: its absence is an error, not lexical mode
    show = sys.stderr.isatty() if args.progress is None else args.progress

    def tell(report: EmbedReport) -> None:
        print(f"\r{report.embedded} chunks embedded ({report.rate:.1f}/s)", end="", file=sys.stderr, flush=True)

    stop: EmbedInterrupted | None = None
    try:
        kb = _open(args)
    except EmbeddingUnavailable:
        print(f"veille: embed needs the embedding model, which is not installed: {EXTRA}", file=sys.stderr)
        return 2
    with kb:
        try:
            report = kb.embed(follow=args.follow, progress=tell if show else None)
        except EmbedInterrupted as exc:  # the report is said, then main gives the exit code
            stop, report = exc, exc.report
        finally:
            if show:
                print(file=sys.stderr)
    print(f"{report.embedded} chunks embedded in {report.seconds:.1f} s ({report.rate:.2f} chunks/s); "
          f"{report.left} chunks without a vector")
    if stop is not None:
        print("interrupted: the open batch was rolled back; run veille embed again to finish", file=sys.stderr)
        raise stop
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    show = sys.stderr.isatty() if args.progress is None else args.progress

    def tell(report: MigrateReport, total: int) -> None:
        print(f"\r{report.documents}/{total} documents, {report.chunks} chunks, {report.vectors} vectors copied",
              end="", file=sys.stderr, flush=True)

    try:
        report = migrate(args.source, args.target, progress=tell if show else None)
    finally:
        if show:
            print(file=sys.stderr)
    if args.json:
        print(json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=2))
    else:
        print(f"{report.documents} documents, {report.chunks} chunks and {report.vectors} vectors copied from "
              f"{printable(report.source)} to {printable(report.target)} in {report.seconds:.1f} s")
    return 0


def _show_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)


class ProgressBar:
    """One line on a terminal, redrawn in place: files done, chunks embedded, rate, time left."""

    def __init__(self, stream: TextIO, width: int = 24, every: float = 0.2) -> None:
        self.stream = stream
        self.width = width
        self.every = every
        self._last = 0.0
        self._drawn = 0

    def __call__(self, p: IngestProgress) -> None:
        now = time.monotonic()
        if now - self._last < self.every and p.files_done < p.files_total:
            return
        self._last = now
        share = p.files_done / p.files_total if p.files_total else 1.0
        filled = int(share * self.width)
        line = (f"{'█' * filled}{'░' * (self.width - filled)} {p.files_done}/{p.files_total} files · "
                f"{p.chunks_embedded} chunks embedded ({p.rate:.1f}/s)")
        if 0 < share < 1 and p.seconds > 2:
            line += f" · ~{_duration(p.seconds * (1 - share) / share)} left"
        self.stream.write("\r" + line.ljust(self._drawn))
        self.stream.flush()
        self._drawn = len(line)

    def close(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def _print_report(report: IngestReport) -> None:
    for f in report.files:
        if f.failed:
            print(f"✗ {printable(f.path)}: {printable(f.reason)}", file=sys.stderr)
            continue
        line = f"{_STATUS[f.status]} {printable(f.path)}"
        if f.status in ("added", "replaced"):
            line += f"  [{f.format}] {_describe(f.report)}, {f.chunks} chunks"
            print(line)
            for example in f.report.get("raw_examples", []):
                print(f"    raw {example}")
            continue
        if f.reason:
            line += f"  ({printable(f.reason)})"
        print(line)
    counts = ", ".join([*(f"{report.count(s)} {s}" for s in _STATUS if report.count(s)),
                        *([f"{report.excluded} excluded"] if report.excluded else [])])
    failed = len(report.failed)
    embedded = f"; {report.embedded} chunks embedded" if report.embedded else ""
    print(f"{counts}{', ' if counts and failed else ''}{f'{failed} failed' if failed else ''}{embedded}")
    print(f"mode: {report.mode}")
    if report.interrupted:
        print(f"interrupted: {len(report.files)} files done, {len(report.not_read)} not read; "
              "run the same command again to finish", file=sys.stderr)


def _describe(r: dict) -> str:
    """One line of a file's parse report: what was read, who, when, and what was set aside."""
    parts = [f"{r['messages']} messages" if r.get("messages") else f"{r.get('units', 0)} units"]
    if r.get("authors"):
        parts.append(f"{len(r['authors'])} authors")
    if r.get("first"):
        parts.append(f"{r['first']} → {r['last']}")
    for key, label in (("system", "system"), ("attachments", "attachments"),
                       ("skipped", "messages already stored, skipped"),
                       ("removed", "boilerplate lines removed"), ("raw", "raw lines kept")):
        if r.get(key):
            parts.append(f"{r[key]} {label}")
    return ", ".join(parts)


_STATUS = {"added": "+", "replaced": "~", "unchanged": "=", "duplicate": "≡", "skipped": "-"}


def cmd_search(args: argparse.Namespace) -> int:
    with _open(args) as kb:
        filters = _filters(args)
        hits = kb.search(args.query, k=args.k, mode=args.mode, lexical_weight=args.lexical_weight,
                         dense_weight=args.dense_weight, dedup=args.dedup, **filters)
        mode = kb.describe_mode(args.mode)
        undated = kb.undated(**filters)
        dense = kb.embedder is not None and (args.mode or kb.default_mode) != "lexical"
    embedded = len(query_for_model(args.query)) if dense else None
    if args.json:
        print(json.dumps({"query": args.query, "mode": mode, "undated_left_out": undated,
                          "query_embedded_chars": embedded, "hits": [h.as_dict() for h in hits]},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"{len(hits)} résultat(s) pour « {printable(args.query)} » — mode {mode}")
    if embedded is not None and embedded < len(args.query):
        print(f"(the embedding model read the query's first {embedded} of {len(args.query)} characters)")
    if undated:
        print(f"({undated} chunk(s) without a date left out by --since/--until)")
    bold = sys.stdout.isatty()
    for n, hit in enumerate(hits, 1):
        snippet = hit.snippet
        if bold:
            snippet = snippet.replace(HIGHLIGHT[0], "\033[1m", 1)
            while HIGHLIGHT[0] in snippet:
                snippet = snippet.replace(HIGHLIGHT[0], "\033[0m", 1).replace(HIGHLIGHT[0], "\033[1m", 1)
        found_by = ", ".join(f"{name} #{rank}" for name, rank in hit.ranks.items())
        title = printable(hit.title or os.path.basename(hit.source))
        print(f"\n{n}. [{hit.kind}] {title}  (score {hit.score:.3g}; {found_by})")
        print(f"   {snippet}")
        print(f"   ↳ {printable(hit.citation)}")
        if hit.mentions:
            print(f"   ⌖ {printable(', '.join(hit.mentions))}")
        if hit.figures:
            shown = [format_quantity(f.value, f.unit, f.high) for f in hit.figures[:8]]
            more = f" (+{len(hit.figures) - 8})" if len(hit.figures) > 8 else ""
            print(f"   # chiffres : {' · '.join(shown)}{more}")
        if hit.also:
            print(f"   ≈ {len(hit.also)} overlapping chunk(s) of the same document left out")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    config, problem = None, ""
    if args.llm or args.llm_url or args.llm_model:
        try:
            config = LLMConfig.from_env(args.llm_url, args.llm_model, args.llm_key, args.llm_timeout)
        except LLMUnavailable as exc:
            problem = str(exc)
    streamed = config is not None and not args.json

    started = False

    def show_text(piece: str) -> None:
        nonlocal started
        if not started:  # the heading comes with the first piece: an endpoint that fails prints none
            print(f"Réponse générée ({config.model}) :\n", flush=True)  # type: ignore[union-attr]
            started = True
        print(printable(piece) if "\n" not in piece else piece, end="", flush=True)

    if streamed:
        print(f"Question : « {printable(args.question)} »\n", flush=True)
    with _open(args) as kb:
        answer = kb.ask(args.question, sentences=args.sentences, mode=args.mode, llm=config,
                        on_text=show_text if streamed else None, **_filters(args))
    answer.llm_error = answer.llm_error or problem
    if args.json:
        print(json.dumps(answer.as_dict(), ensure_ascii=False, indent=2))
        return 0
    if answer.generated is not None:
        _print_generated(answer)
        return 0
    if answer.llm_error:
        print(f"veille: {printable(answer.llm_error)}; the extractive answer follows", file=sys.stderr)
    if not streamed:
        print(f"Question : « {printable(args.question)} » — mode {answer.mode}\n")
    if not answer.answered:
        print(f"Pas de réponse : {answer.reason}.")
        if answer.passages:
            print("\nPassages les plus proches :")
            for n, hit in enumerate(answer.passages, 1):
                print(f"{n}. {printable(hit.snippet)}\n   ↳ {printable(hit.citation)}")
        return 0
    for sentence in answer.sentences:
        print(f"{printable(sentence.text)} [{sentence.source}]")
    figures = [f"{format_quantity(f.value, f.unit, f.high)} [{s.source}]" for s in answer.sentences for f in s.figures]
    if figures:
        print(f"\nChiffres : {' · '.join(figures)}")
    print("\nSources :")
    for n, cited in enumerate(answer.sources, 1):
        print(f"[{n}] {printable(cited.label)}\n    veille show {cited.ref}")
    return 0


def _print_generated(answer: Answer) -> None:
    """After the streamed text: which sentences failed their checks, and the sources with their citations."""
    generated = answer.generated
    assert generated is not None
    print("\n")
    if generated.verified:
        print("✓ chaque phrase cite une source donnée, et chaque chiffre est dans une source qu'elle cite")
    for sentence in generated.unverified:
        print(f"⚠ non vérifiée : « {printable(sentence.text)} » — {printable('; '.join(sentence.problems))}")
    print("\nSources :")
    for n, (cited, _) in enumerate(answer.evidence, 1):
        print(f"[{n}] {printable(cited.label)}\n    veille show {cited.ref}")


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args) as kb:
        shown = kb.show(args.citation, around=args.around)
    if args.json:
        print(json.dumps(shown.as_dict(), ensure_ascii=False, indent=2))
        return 0
    doc = shown.document
    print(f"{printable(doc.title or os.path.basename(doc.source))} — {printable(doc.source)} [{doc.kind}]")
    for unit in shown.units:
        mark = "▶" if unit.idx == shown.unit else " "
        who = " · ".join(x for x in (unit.author, unit.time, clock(unit.offset)) if x)
        lines = f"{unit.line_start}" + (f"-{unit.line_end}" if unit.line_end != unit.line_start else "")
        print(f"\n{mark} #{unit.idx} · ligne {lines}" + (f" · {printable(who)}" if who else ""))
        for line in unit.text.splitlines() or [""]:
            print(f"{mark} {printable(line)}")
    return 0


_FIGURE_CSV = ("value", "high", "unit", "kind", "text", "approx", "sentence", "author", "time", "source",
               "line_start", "line_end", "document_id", "unit_index")


def cmd_figures(args: argparse.Namespace) -> int:
    if (args.min is not None or args.max is not None) and args.unit is None:
        print("(no --unit: --min and --max compare values in their base unit: W, Wh, EUR, g…)", file=sys.stderr)
    with _open(args) as kb:
        found = kb.figures(args.query, unit=args.unit, min=args.min, max=args.max, kind=args.kind, who=args.who,
                           since=args.since, until=args.until, source=args.source, k=args.k)
    if args.json:
        print(json.dumps([f.as_dict() for f in found], ensure_ascii=False, indent=2))
        return 0
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(_FIGURE_CSV)
        for f in found:
            row = {**f.as_dict(), "line_start": f.lines[0], "line_end": f.lines[1]}
            writer.writerow([row[c] for c in _FIGURE_CSV])
        return 0
    about = f" pour « {printable(args.query)} »" if args.query else ""
    print(f"{len(found)} chiffre(s){about}")
    for n, cited in enumerate(found, 1):
        figure = cited.figure
        hedge = f"{figure.approx} " if figure.approx else ""
        print(f"\n{n}. {hedge}{format_quantity(figure.value, figure.unit, figure.high)}  "
              f"[{figure.kind}] « {printable(figure.text)} »")
        print(f"   {printable(cited.sentence)}")
        print(f"   ↳ {printable(cited.citation)}")
    return 0


def cmd_chunks(args: argparse.Namespace) -> int:
    with _open(args) as kb:
        shown = 0
        for chunk in kb.chunks(args.document):
            if args.limit is not None and shown >= args.limit:
                break
            if args.format == "jsonl":
                print(json.dumps(chunk.as_record(), ensure_ascii=False))
            else:
                if shown:
                    print()
                print(render_chunk(chunk))
            shown += 1
    if args.document and not shown:
        print(f"no document matches '{printable(args.document)}'", file=sys.stderr)
        return 1
    return 0


def cmd_documents(args: argparse.Namespace) -> int:
    with _open(args) as kb:
        docs = kb.documents()
    if args.json:
        print(json.dumps([d.__dict__ for d in docs], ensure_ascii=False, indent=2, default=str))
        return 0
    for d in docs:
        people = f"  ({', '.join(d.participants[:4])}{'…' if len(d.participants) > 4 else ''})" if d.participants else ""
        print(f"{d.id[:12]}  {d.kind:<10} {d.units:>5} units {d.chunks:>4} chunks  "
              f"{printable(d.title or d.source)}{printable(people)}")
        print(f"              {printable(d.source)}")
    print(f"{len(docs)} document(s)")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    status = 0
    with _open(args) as kb:
        for ref in args.documents:
            found = kb.resolve(ref)
            if not found.documents:
                print(f"✗ {printable(ref)}: no such document", file=sys.stderr)
                status = 1
                continue
            if found.ambiguous and not args.yes and not _confirm(found):
                status = 1
                continue
            for doc_id in kb.remove(ref, several=True):
                print(f"removed {doc_id}")
    return status


def _confirm(found: Resolved) -> bool:
    """List the documents an id prefix matches; ask on a terminal, refuse otherwise."""
    print(f"'{printable(found.ref)}' is the start of {len(found.documents)} document ids:", file=sys.stderr)
    for doc_id, source in found.documents:
        print(f"  {doc_id}  {printable(source)}", file=sys.stderr)
    if sys.stdin.isatty() and sys.stderr.isatty():
        print(f"remove all {len(found.documents)}? [y/N] ", end="", file=sys.stderr, flush=True)
        return sys.stdin.readline().strip().lower() in ("y", "yes")
    print("✗ nothing removed: give more of the id, or --yes to remove them all", file=sys.stderr)
    return False


def cmd_stats(args: argparse.Namespace) -> int:
    with _open(args) as kb:
        stats = kb.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    for key, value in stats.items():
        print(f"{key:>14}: {value}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    return run_eval_command(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import serve

    serve(args.db, host=args.host, port=args.port, token=args.token or None, embed=args.embed,
          open_browser=args.open, allowed_hosts=tuple(args.allow_host), workers=args.workers,
          llm=(args.llm_url, args.llm_model, args.llm_key, args.llm_timeout),
          log=lambda line: print(printable(line), file=sys.stderr))
    return 0


COMMANDS = {
    "ingest": cmd_ingest,
    "embed": cmd_embed,
    "migrate": cmd_migrate,
    "search": cmd_search,
    "ask": cmd_ask,
    "serve": cmd_serve,
    "show": cmd_show,
    "figures": cmd_figures,
    "chunks": cmd_chunks,
    "documents": cmd_documents,
    "remove": cmd_remove,
    "stats": cmd_stats,
    "eval": cmd_eval,
}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
