"""Fuzzing veille's readers: every loader, format detection and the per-file pipeline, on hostile inputs.

    nice python bench/fuzz.py [--inputs 100000] [--targets loaders,detect,pipeline] [--seed 1] [--out DIR]

Inputs are generated (fragments of every format's syntax strung at random, or repeated into 5-60 KB) or
mutated from real files
(the samples under tests/data, the seed corpus in ../shared/corpus and the small real exports in
../shared/realdata): truncated, bytes flipped, inserted or deleted, two files spliced (the head of one,
the tail of another), a segment duplicated, re-encoded (UTF-16 with or without BOM, cp1252, mojibake),
put in a zip archive, or a Slack export / Meta conversation with one file mutated.

The contract: no exception but veille's own input errors (``veille.errors.InputError``), and an input error
never hides a KeyError, IndexError, TypeError… (the pipeline turns a loader's ValueError, KeyError and
IndexError into one); a loader keeps the units it reads inside its text, counts its raw units, and
detection names a loader or says why it refuses the text. tests/test_fuzz.py runs the same inputs under
hypothesis (``make_input`` draws from hypothesis's random); this script runs N of them from a seeded
``random.Random`` and prints inputs run, failures (grouped by exception and place) and time, and saves one
failing input per group under ``--out``, and lists the slowest inputs (a hostile file must not stall a batch).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import sys
import time
import traceback
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
REAL = SHARED / "realdata"

#: Seed files larger than this are left out: the mutations need variety more than size, and time per input.
MAX_SEED_BYTES = 80_000
#: Real exports used as seeds (small ones; their own folders say where they come from).
REAL_SEEDS = ("chat-miner/**/*.txt", "chat-miner/**/*.json", "langchain-chat/*.txt", "langchain-chat/*.json",
              "whatsapp-chat-parser/samples_*/samples/*.txt", "slack-export/unzipped/*/*.json",
              "trafilatura-eval-fr/html/sauvonsluniversite.com.spip.html")
SLACK_SAMPLE = ROOT / "tests" / "data" / "slack" / "equipe-veille"
META_PARTS = ROOT / "tests" / "data" / "meta" / "veillecloud_123"

#: Pieces of every format's syntax the generator strings together.
FRAGMENTS = (
    "12/03/2024, 10:15 - ", "[12/03/2024 10:15:00] ", "12.03.24, 10:15 - ", "3/12/24, 10:15 AM - ", "2024-03-12 ",
    "12/03/2024 à 10:15 - ", "Léa Dubois: ", "Hugo : ", "‎<Médias omis>", "<attached: 0001-PHOTO.jpg>",
    "00:12 ", "01:02:03 ", "12:05\n", "1\n00:00:01,000 --> 00:00:02,500\n", "WEBVTT\n\n", "00:01.000 --> 00:02.000 ",
    "=== MÉTADONNÉES CHUNK ===\n", "Période: 2025-07-27 19:41 → 2025-07-27 21:03\n", "Participants: A, B\n",
    "Topics: a, b\n", "Tokens: 12\n", "Messages: 3\n", "=== CONTENU ===\n",
    "{", "}", "[", "]", ",", ":", '"', '"messages": [', '"guild": {', '"channel": {', '"sender_name": "Léa"',
    '"timestamp_ms": 1710406800000', '"type": "message"', '"date": "2024-03-12T09:00:05"', '"text": ',
    '"timestamp": "2024-03-12T09:00:00+01:00"', '"author": {"name": "x"}', '"chats": {"list": [', "null", "true",
    "<!DOCTYPE html>", "<html>", "<body>", "<p>", "</p>", "<h2>", "</h2>", "<br>", "<script>", "</script>",
    "# Titre\n", "## Section\n", "- item\n", "1️⃣ ", "hashtag#IA ", "#Souveraineté ", "👍 12 · 3 commentaires\n",
    "Partager l'article :", "Rechercher\n", "Nouvelle discussion\n", "Voir la traduction",
    "Le centre de données consomme 1 GW, soit 7 millions d'euros. ", "L'IA d'aujourd'hui. ", "Bonjour ! ",
    "\n", "\n\n", "\t", " ", "\u202f", "\u200e", "\ufeff", "\r\n", "\x00", "\x0c", "…", "«", "»", "’", "é", "😀",
    "\ud7ff", "Ã©", "â€™", "0", "9", "-", ">", "|", "\\", "\\u00", "A" * 300,
)
NAMES = ("chat.txt", "_chat.txt", "export.json", "result.json", "message_1.json", "page.html", "sub.srt",
         "sub.vtt", "notes.md", "article.txt", "post.txt", "data.csv", "noname", "2024-03-12.json")
ENCODINGS = ("utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "utf-8-sig", "mojibake")


@dataclass
class FuzzInput:
    """One hostile input: a file's bytes (or an export folder's files) and its name; how it was made."""

    data: bytes | dict[str, bytes]
    name: str
    how: str


def load_seeds() -> list[tuple[str, bytes]]:
    """The seed files: project samples, the seed corpus and small real exports (name, bytes)."""
    paths = [p for p in sorted((ROOT / "tests" / "data").rglob("*")) if p.is_file()]
    paths += sorted((SHARED / "corpus").glob("*"))
    for pattern in REAL_SEEDS:
        paths += sorted(REAL.glob(pattern))
    seeds = []
    for path in paths:
        if path.is_file() and 0 < path.stat().st_size <= MAX_SEED_BYTES and path.suffix != ".db":
            seeds.append((path.name, path.read_bytes()))
    if len(seeds) < 20:
        raise SystemExit(f"only {len(seeds)} seed files found: the fuzzer needs ../shared beside the project")
    return seeds


def _folder(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


class Inputs:
    """Makes hostile inputs from any source of randomness with ``random.Random``'s methods."""

    def __init__(self, seeds: list[tuple[str, bytes]] | None = None) -> None:
        self.seeds = seeds if seeds is not None else load_seeds()
        self.slack = _folder(SLACK_SAMPLE)
        self.meta_parts = _folder(META_PARTS)

    def make(self, rng: Any) -> FuzzInput:
        """One input: generated text, a mutated seed, or either in a container."""
        roll = rng.random()
        if roll < 0.03:
            data, how = self.repeated(rng), "repeated"
        elif roll < 0.2:
            data, how = self.generated(rng), "generated"
        else:
            name, data = rng.choice(self.seeds)
            data, how = self.mutated(rng, data), f"mutated {name}"
        name = rng.choice(NAMES) if rng.random() < 0.5 else how.rpartition(" ")[2]
        roll = rng.random()
        if roll < 0.06:
            return FuzzInput(self.zipped(rng, data, name), name.rsplit(".", 1)[0] + ".zip", how + ", zipped")
        if roll < 0.10:
            return self.export_folder(rng, data, how)
        return FuzzInput(data, name, how)

    def generated(self, rng: Any) -> bytes:
        parts = [rng.choice(FRAGMENTS) for _ in range(rng.randrange(0, 60))]
        text = "".join(parts)
        return text.encode("utf-8", errors="surrogatepass" if rng.random() < 0.02 else "replace")

    def repeated(self, rng: Any) -> bytes:
        """One or two fragments repeated into 5-60 KB: long lines, many lines, deep nesting."""
        unit = "".join(rng.choice(FRAGMENTS) for _ in range(rng.randrange(1, 3)))
        return (unit * (rng.randrange(5_000, 60_000) // len(unit))).encode("utf-8", errors="replace")

    def mutated(self, rng: Any, data: bytes) -> bytes:
        if rng.random() < 0.4:  # a JSON export kept valid: its loader reads it (None: not JSON)
            kept_valid = mutate_json(rng, data)
            if kept_valid is not None:
                return kept_valid
        for _ in range(rng.randrange(1, 4)):
            data = self.mutate_once(rng, data)
        return data

    def mutate_once(self, rng: Any, data: bytes) -> bytes:
        size = len(data)
        at = rng.randrange(0, size + 1)
        kind = rng.randrange(0, 9)
        if kind == 0:  # truncate
            return data[:at]
        if kind == 1:  # flip bytes
            buffer = bytearray(data)
            for _ in range(rng.randrange(1, 8)):
                if buffer:
                    buffer[rng.randrange(0, len(buffer))] = rng.randrange(0, 256)
            return bytes(buffer)
        if kind == 2:  # insert random bytes or a fragment
            extra = (bytes(rng.randrange(0, 256) for _ in range(rng.randrange(1, 16))) if rng.random() < 0.5
                     else rng.choice(FRAGMENTS).encode("utf-8", errors="replace"))
            return data[:at] + extra + data[at:]
        if kind == 3:  # delete a range
            return data[:at] + data[at + rng.randrange(1, 400):]
        if kind == 4:  # splice: this head with another seed's tail
            other = rng.choice(self.seeds)[1]
            return data[:at] + other[rng.randrange(0, len(other) + 1):]
        if kind == 5:  # duplicate a segment
            end = min(size, at + rng.randrange(1, 2000))
            return data[:end] + data[at:end] * rng.randrange(1, 4) + data[end:]
        if kind == 6:  # re-encode
            return reencode(data, rng.choice(ENCODINGS))
        if kind == 7:  # cut at a line boundary, then keep going from a later one
            lines = data.split(b"\n")
            if len(lines) > 2:
                i = rng.randrange(0, len(lines))
                j = rng.randrange(i, len(lines))
                return b"\n".join(lines[:i] + lines[j:])
            return data
        return data[:at] + bytes([rng.choice(b"{}[]\",:\n\\<>\r\x00")]) + data[at:]  # one structural byte

    def zipped(self, rng: Any, data: bytes, name: str) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(rng.choice(("_chat.txt", "WhatsApp Chat with Léa.txt", name, "notes.txt")), data)
            if rng.random() < 0.5:
                archive.writestr("0001-PHOTO.jpg", b"\xff\xd8\xff")
        packed = buffer.getvalue()
        if rng.random() < 0.2:  # a damaged archive
            packed = self.mutate_once(rng, packed)
        return packed

    def export_folder(self, rng: Any, data: bytes, how: str) -> FuzzInput:
        """A Slack export or a Meta conversation in parts, one file replaced by the mutated bytes."""
        files = dict(self.slack if rng.random() < 0.6 else self.meta_parts)
        target = rng.choice(sorted(files))
        files[target] = data if rng.random() < 0.5 else self.mutated(rng, files[target])
        if rng.random() < 0.3:
            del files[rng.choice(sorted(files))]
        if rng.random() < 0.3:  # the same, as a zip archive
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                for path, content in files.items():
                    archive.writestr(f"export/{path}", content)
            return FuzzInput(buffer.getvalue(), "export.zip", f"{how}, as {target} of a zipped export")
        return FuzzInput(files, "export", f"{how}, as {target} of an export folder")


#: Values a JSON mutation puts in place of another: every JSON type, odd numbers, markup, deep nesting.
JSON_VALUES = (None, True, False, 0, -1, 1.5, 2**70, -(2**70), 1e308, "", "x", "2024-13-45T99:99:99", "1710406800000",
               "\u00c3", "<@123>", "<!here>", "&lt;", [], {}, [None], [{"type": "bold"}], {"text": 5}, "😀" * 3,
               [[[[[]]]]], {"name": None}, "9" * 30)


def mutate_json(rng: Any, data: bytes) -> bytes | None:
    """The bytes' JSON with one value replaced, removed or duplicated; None when the bytes are not JSON."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError):
        return None
    containers: list[Any] = []

    def walk(node: Any, depth: int) -> None:
        if isinstance(node, dict | list) and depth < 12:
            containers.append(node)
            for child in node.values() if isinstance(node, dict) else node:
                walk(child, depth + 1)

    walk(value, 0)
    if not containers:
        return None
    for _ in range(rng.randrange(1, 4)):
        node = rng.choice(containers)
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            continue
        key = rng.choice(keys)
        roll = rng.random()
        if roll < 0.6:
            node[key] = rng.choice(JSON_VALUES)
        elif roll < 0.8:
            del node[key]
        elif isinstance(node, list):
            node.insert(key, node[key])
        else:
            node[f"{key}_"] = node[key]
    try:
        return json.dumps(value, ensure_ascii=rng.random() < 0.5, indent=rng.choice((None, 1, 2))).encode()
    except (ValueError, RecursionError):
        return None


def reencode(data: bytes, encoding: str) -> bytes:
    """The bytes read as UTF-8 (bad bytes replaced) and written in another encoding."""
    text = data.decode("utf-8", errors="replace")
    if encoding == "mojibake":
        return text.encode("utf-8").decode("cp1252", errors="replace").encode("utf-8")
    return text.encode(encoding, errors="replace")


def decoded_text(data: bytes) -> str:
    """Text for the loader and detection targets: decoded as ingest does, or UTF-8 with replacements
    (normalised: loaders read decoded and normalised text)."""
    from veille.errors import InputError
    from veille.read import decode_bytes, normalise

    try:
        return decode_bytes(data, "fuzz").text
    except InputError:
        return normalise(data.decode("utf-8", errors="replace"))  # the loaders' contract: normalised text


# -- the contract, per target ---------------------------------------------------------------

class ContractBroken(AssertionError):
    """An invariant of veille's readers that an input broke (not an exception raised inside veille)."""


def _expect(condition: bool, what: str) -> None:
    if not condition:
        raise ContractBroken(what)


def check_document(doc: Any) -> None:
    """Units inside the text, not blank, and counted; raw units counted."""
    text = doc.text
    for unit in doc.units:
        _expect(0 <= unit.start <= unit.end <= len(text), f"unit outside its text: {unit.start}-{unit.end}")
        _expect(bool(unit.text.strip()), "blank unit")
        _expect(1 <= unit.line_start <= unit.line_end, f"line numbers {unit.line_start}-{unit.line_end}")
    _expect(doc.report.units == len(doc.units), "report.units is not the number of units")
    _expect(doc.title is None or isinstance(doc.title, str), f"title {doc.title!r}")
    _expect(all(isinstance(p, str) for p in doc.participants), f"participants {doc.participants!r}")
    _expect(all(u.author is None or isinstance(u.author, str) for u in doc.units), "an author that is no string")
    _expect(doc.report.raw == sum(1 for u in doc.units if u.kind == "raw"), "report.raw is not the raw units")


def check_loaders(text: str, name: str) -> None:
    """Every loader sniffs without raising; a text loader reads any text; a JSON loader reads or says ValueError."""
    from veille.loaders import LOADERS

    for loader in LOADERS.values():
        confidence, reason = loader.sniff(text, name)
        _expect(isinstance(confidence, float | int) and isinstance(reason, str), f"{loader.name}.sniff answer")
        if loader.name == "chunkfile" and confidence < 0.5:
            continue  # it reads only its own layout (header and content line), which sniff checks
        try:
            doc = loader.parse(text, name)
        except ValueError:
            if loader.reads_json:
                continue  # not an export of theirs: a clear error, never a wrong parse
            raise
        check_document(doc)


def check_detect(text: str, name: str) -> None:
    """Detection names a loader, or refuses the text saying why."""
    from veille.detect import detect
    from veille.loaders import LOADERS

    found = detect(text, name)
    _expect(found.format in LOADERS or bool(found.refused), f"detected {found.format!r} with no refusal")


_PIPELINE = None
_REASON_KIND = re.compile(r"[^:(0-9]*")
#: Exceptions that are bugs wherever they come from, even turned into an input error.
_BUGS = (KeyError, IndexError, TypeError, AttributeError, AssertionError, ZeroDivisionError, RecursionError,
         UnboundLocalError, NameError)


def check_pipeline(data: bytes | dict[str, bytes], name: str) -> str:
    """Bytes to documents, chunks and index terms: InputError is the only way to fail, and it hides no bug.

    Returns the outcome: the format of the documents read, or the kind of input error.
    """
    global _PIPELINE
    from veille.chunking import ChunkingConfig
    from veille.errors import InputError
    from veille.loaders import LOADERS
    from veille.pipeline import Pipeline

    if _PIPELINE is None:
        _PIPELINE = Pipeline("chars4", ChunkingConfig(max_tokens=120, overlap_tokens=20))
    try:
        parsed = _PIPELINE.parse_source(data, name)
    except InputError as error:
        _expect(not isinstance(error.__cause__, _BUGS), f"an input error hides {error.__cause__!r}")
        loader = error.reason.partition(": cannot parse:")[0] if ": cannot parse:" in error.reason else None
        _expect(loader not in LOADERS or LOADERS[loader].reads_json or loader == "chunkfile",
                f"text loader {loader} raised: {error.reason}")
        _expect(bool(error.reason), "an input error without a reason")
        return "refused: " + _REASON_KIND.match(error.reason).group()
    for doc, _ in parsed:
        check_document(doc)
        _expect(bool(doc.units), "a document without units")
        chunks = _PIPELINE.chunk(doc)
        _expect(bool(chunks), "a document without chunks")
        _PIPELINE.index_terms(chunks)
    return "read: " + ", ".join(sorted({doc.format for doc, _ in parsed}))


TARGETS = {"loaders": check_loaders, "detect": check_detect, "pipeline": check_pipeline}


def run_target(target: str, item: FuzzInput) -> str | None:
    """One input through one target (text targets get the decoded text; folders only go to the pipeline)."""
    if target == "pipeline":
        return check_pipeline(item.data, item.name)
    if isinstance(item.data, dict):
        return None
    TARGETS[target](decoded_text(item.data), item.name)
    return None


# -- the long run ---------------------------------------------------------------------------

def _place(error: BaseException) -> str:
    """Where an exception was raised: the last frame inside veille (or the last frame)."""
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if "/veille/" in f.filename] or frames
    frame = inside[-1] if inside else None
    return f"{Path(frame.filename).name}:{frame.lineno} {frame.name}" if frame else "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs in all, shared among the targets")
    parser.add_argument("--targets", default="loaders,detect,pipeline")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "fuzz")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    import logging

    logging.disable(logging.CRITICAL)  # trafilatura logs every broken page
    targets = args.targets.split(",")
    inputs = Inputs()
    print(f"{len(inputs.seeds)} seed files; {args.inputs} inputs over {', '.join(targets)}; seed {args.seed}")
    failures: Counter[tuple[str, str, str]] = Counter()
    runs: Counter[str] = Counter()
    spent: Counter[str] = Counter()
    examples: dict[tuple[str, str, str], FuzzInput] = {}
    outcomes: Counter[str] = Counter()
    tracebacks: dict[tuple[str, str, str], str] = {}
    slowest: list[tuple[float, str, str, int]] = []
    started = time.perf_counter()
    for i in range(args.inputs):
        target = targets[i % len(targets)]
        item = inputs.make(random.Random(f"{args.seed}:{i}"))
        began = time.perf_counter()
        try:
            outcome = run_target(target, item)
            if outcome:
                outcomes[outcome.strip()] += 1
        except Exception as error:  # noqa: BLE001 - counted and reported: that is the point
            key = (target, type(error).__name__, _place(error) if not isinstance(error, ContractBroken) else str(error))
            failures[key] += 1
            if key not in examples:
                examples[key] = item
                tracebacks[key] = "".join(traceback.format_exception(error))
        runs[target] += 1
        took = time.perf_counter() - began
        spent[target] += took
        slowest.append((took, target, item.how, len(item.data)))
        slowest = sorted(slowest, reverse=True)[:5]
        if (i + 1) % 5000 == 0:
            print(f"  {i + 1} inputs, {sum(failures.values())} failures, {time.perf_counter() - started:.0f} s",
                  flush=True)
    elapsed = time.perf_counter() - started
    print(f"\n{'target':<10} {'inputs':>8} {'failures':>9} {'ms/input':>9}")
    for target in targets:
        failed = sum(n for k, n in failures.items() if k[0] == target)
        print(f"{target:<10} {runs[target]:>8} {failed:>9} {1000 * spent[target] / max(runs[target], 1):>9.1f}")
    print(f"{'all':<10} {sum(runs.values()):>8} {sum(failures.values()):>9}   in {elapsed:.0f} s")
    print("\nslowest inputs:")
    for took, target, how, size in slowest:
        print(f"  {took:6.2f} s  {target:<9} {size:>7} bytes  {how}")
    if outcomes:
        print("\npipeline outcomes (documents read, or the input error's kind):")
        for outcome, count in outcomes.most_common(15):
            print(f"  {count:>6}  {outcome}")
    if failures:
        args.out.mkdir(parents=True, exist_ok=True)
        print("\nfailures by target, exception and place (one input of each saved):")
        for n, (key, count) in enumerate(failures.most_common()):
            item = examples[key]
            saved = args.out / f"failure_{n}_{Path(item.name).name}"
            if isinstance(item.data, dict):
                saved.with_suffix(".json").write_text(json.dumps({k: v.decode("latin-1") for k, v in item.data.items()}))
            else:
                saved.write_bytes(item.data)
            saved.with_name(saved.name + ".traceback.txt").write_text(f"{item.how}\n{tracebacks[key]}")
            print(f"  {count:>6}  {' | '.join(key)}  ({item.how}; {saved})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
