"""The ``veille`` command: checks its inputs, calls KnowledgeBase, formats the output."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Sequence

from . import __version__
from .chunking import render_chunk
from .errors import VeilleError
from .kb import IngestReport, KnowledgeBase
from .loaders import LOADERS
from .search import HIGHLIGHT
from .text.tokens import COUNTERS

DEFAULT_DB = "veille.db"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="veille",
        description="French-first, local-first knowledge base: ingest chats, transcripts, articles and posts; "
                    "search them in French.",
    )
    parser.add_argument("--version", action="version", version=f"veille {__version__}")
    parser.add_argument("--db", default=os.environ.get("VEILLE_DB", DEFAULT_DB),
                        help=f"knowledge base file (default: $VEILLE_DB or {DEFAULT_DB})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("ingest", help="read files and folders into the knowledge base",
                       description="Read files and folders into the knowledge base. A bad file is reported "
                                   "with the reason and the others go on; the exit code is 1 if any failed.")
    p.add_argument("paths", nargs="+", help="files or folders")
    p.add_argument("--format", choices=sorted([*LOADERS, "slack"]), help="skip detection and use this loader")
    p.add_argument("--tokens", dest="token_counter", choices=sorted(COUNTERS),
                   help="token counter (default cl100k; chars4 is the ceil(characters/4) estimate)")
    p.add_argument("--max-tokens", type=int, help="chunk budget in tokens (default 400)")
    p.add_argument("--overlap", type=int, help="overlap carried between chunks, in tokens (default 60)")
    p.add_argument("--silence", type=float, help="minutes of silence that start a new chat chunk (default 120)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("search", help="search the knowledge base in French",
                       description="BM25 search with the French analyser; filters apply before ranking.")
    p.add_argument("query", help="words to look for")
    p.add_argument("-k", type=int, default=5, help="number of results (default 5)")
    p.add_argument("--kind", choices=["chat", "transcript", "article", "post", "chunk", "text"],
                   help="only this kind of document")
    p.add_argument("--who", help="only chunks where this participant speaks")
    p.add_argument("--since", help="only chunks at or after this date (YYYY-MM-DD[ HH:MM])")
    p.add_argument("--until", help="only chunks at or before this date (YYYY-MM-DD[ HH:MM])")
    p.add_argument("--source", help="only documents whose path contains this text")
    p.add_argument("--topic", help="only chunks with this topic")
    p.add_argument("--json", action="store_true", help="print results as JSON")

    p = sub.add_parser("chunks", help="print stored chunks in the chunk text format or as JSONL",
                       description="Print chunks in the chunk text format (or JSONL with --format jsonl).")
    p.add_argument("document", nargs="?", help="document id, id prefix or source path (default: all)")
    p.add_argument("--format", choices=["text", "jsonl"], default="text", help="output format")
    p.add_argument("--limit", type=int, help="print at most this many chunks")

    p = sub.add_parser("documents", help="list stored documents",
                       description="List stored documents with their kind, format and counts.")
    p.add_argument("--json", action="store_true", help="print as JSON")

    p = sub.add_parser("remove", help="delete a document and everything derived from it",
                       description="Delete documents (by id, id prefix or source path) with their units, "
                                   "chunks and index entries.")
    p.add_argument("documents", nargs="+", help="document ids, id prefixes or source paths")

    p = sub.add_parser("stats", help="counts and settings of the knowledge base",
                       description="Counts of documents, units, chunks and tokens, and the mode in use.")
    p.add_argument("--json", action="store_true", help="print as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 0
    if getattr(args, "max_tokens", None) is not None and args.max_tokens < 16:
        parser.error("--max-tokens must be at least 16")
    handler = COMMANDS[args.command]
    try:
        return handler(args)
    except VeilleError as exc:
        print(f"veille: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `veille chunks | head`
        sys.stderr.close()
        return 0


def _open(args: argparse.Namespace, **options: Any) -> KnowledgeBase:
    return KnowledgeBase(args.db, **{k: v for k, v in options.items() if v is not None})


def cmd_ingest(args: argparse.Namespace) -> int:
    with _open(args, token_counter=args.token_counter, max_tokens=args.max_tokens,
               overlap_tokens=args.overlap, silence_minutes=args.silence) as kb:
        report = kb.ingest(args.paths, format=args.format)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report)
    return 0 if report.ok else 1


def _print_report(report: IngestReport) -> None:
    for f in report.files:
        if f.failed:
            print(f"✗ {f.path}: {f.reason}", file=sys.stderr)
            continue
        line = f"{_STATUS[f.status]} {f.path}"
        if f.status in ("added", "replaced"):
            line += f"  [{f.format}] {_describe(f.report)}, {f.chunks} chunks"
            print(line)
            for example in f.report.get("raw_examples", []):
                print(f"    raw {example}")
            continue
        if f.reason:
            line += f"  ({f.reason})"
        print(line)
    counts = ", ".join(f"{report.count(s)} {s}" for s in _STATUS if report.count(s))
    failed = len(report.failed)
    print(f"{counts}{', ' if counts and failed else ''}{f'{failed} failed' if failed else ''}")


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


_STATUS = {"added": "+", "replaced": "~", "unchanged": "=", "duplicate": "≡"}


def cmd_search(args: argparse.Namespace) -> int:
    with _open(args) as kb:
        hits = kb.search(args.query, k=args.k, kind=args.kind, who=args.who, since=args.since,
                         until=args.until, source=args.source, topic=args.topic)
        mode = kb.stats()["mode"]
    if args.json:
        print(json.dumps({"query": args.query, "mode": mode, "hits": [h.as_dict() for h in hits]},
                         ensure_ascii=False, indent=2))
        return 0
    print(f"{len(hits)} résultat(s) pour « {args.query} » — mode {mode}")
    bold = sys.stdout.isatty()
    for n, hit in enumerate(hits, 1):
        snippet = hit.snippet
        if bold:
            snippet = snippet.replace(HIGHLIGHT[0], "\033[1m", 1)
            while HIGHLIGHT[0] in snippet:
                snippet = snippet.replace(HIGHLIGHT[0], "\033[0m", 1).replace(HIGHLIGHT[0], "\033[1m", 1)
        print(f"\n{n}. [{hit.kind}] {hit.title or os.path.basename(hit.source)}  (score {hit.score:.2f})")
        print(f"   {snippet}")
        print(f"   ↳ {hit.citation}")
    return 0


def cmd_chunks(args: argparse.Namespace) -> int:
    with _open(args) as kb:
        shown = 0
        for chunk in kb.chunks(args.document):
            if args.limit is not None and shown >= args.limit:
                break
            if args.format == "jsonl":
                print(json.dumps(chunk_record(chunk), ensure_ascii=False))
            else:
                if shown:
                    print()
                print(render_chunk(chunk))
            shown += 1
    if args.document and not shown:
        print(f"no document matches {args.document!r}", file=sys.stderr)
        return 1
    return 0


def chunk_record(chunk: Any) -> dict[str, Any]:
    """A chunk as {text, metadata}: usable as a LangChain or LlamaIndex document."""
    return {
        "text": chunk.text,
        "metadata": {
            "id": chunk.id,
            "document_id": chunk.document_id,
            "source": chunk.source,
            "chunk_index": chunk.index,
            "period_start": chunk.period[0],
            "period_end": chunk.period[1],
            "participants": chunk.participants,
            "topics": chunk.topics,
            "tokens": chunk.tokens,
            "messages": chunk.messages,
            "unit_start": chunk.unit_start,
            "unit_end": chunk.unit_end,
            "section": chunk.section,
            "context": chunk.context,
        },
    }


def cmd_documents(args: argparse.Namespace) -> int:
    with _open(args) as kb:
        docs = kb.documents()
    if args.json:
        print(json.dumps([d.__dict__ for d in docs], ensure_ascii=False, indent=2, default=str))
        return 0
    for d in docs:
        people = f"  ({', '.join(d.participants[:4])}{'…' if len(d.participants) > 4 else ''})" if d.participants else ""
        print(f"{d.id[:12]}  {d.kind:<10} {d.units:>5} units {d.chunks:>4} chunks  {d.title or d.source}{people}")
        print(f"              {d.source}")
    print(f"{len(docs)} document(s)")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    status = 0
    with _open(args) as kb:
        for ref in args.documents:
            removed = kb.remove(ref)
            if removed:
                for doc_id in removed:
                    print(f"removed {doc_id}")
            else:
                print(f"✗ {ref}: no such document", file=sys.stderr)
                status = 1
    return status


def cmd_stats(args: argparse.Namespace) -> int:
    with _open(args) as kb:
        stats = kb.stats()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    for key, value in stats.items():
        print(f"{key:>14}: {value}")
    return 0


COMMANDS = {
    "ingest": cmd_ingest,
    "search": cmd_search,
    "chunks": cmd_chunks,
    "documents": cmd_documents,
    "remove": cmd_remove,
    "stats": cmd_stats,
}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
