"""Chunkers: budgets, overlap, silences, speakers, the chunk text format, and their invariants."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, strategies as st

from veille.chunking import ChunkingConfig, chunk_document, render_chunk, render_unit
from veille.loaders.common import collapse
from veille.chunking.textformat import parse_chunk_file
from veille.text.tokens import CharEstimateCounter, make_counter
from veille.types import Document, Unit

COUNTER = make_counter("cl100k")
T0 = datetime(2025, 7, 27, 19, 41)


def chat(messages: list[tuple[str, str, int]]) -> Document:
    """A chat document from (author, text, minutes after T0); offsets as if one line per message."""
    units, text, pos = [], "", 0
    for n, (author, body, minutes) in enumerate(messages, 1):
        line = f"{author}: {body}"
        units.append(Unit(body, "message", author=author, time=T0 + timedelta(minutes=minutes),
                          start=pos + len(author) + 2, end=pos + len(line), line_start=n, line_end=n))
        text += line + "\n"
        pos += len(line) + 1
    return Document("chat.txt", "chat", "test", text, units)


def article(paragraphs: list[str], headings: dict[int, str] | None = None) -> Document:
    units, text, section = [], "", None
    headings = headings or {}
    for n, para in enumerate(paragraphs):
        if n in headings:
            section = headings[n]
            units.append(Unit(section, "heading", start=len(text), end=len(text) + len(section)))
            text += section + "\n\n"
        units.append(Unit(para, "paragraph", section=section, start=len(text), end=len(text) + len(para)))
        text += para + "\n\n"
    return Document("article.txt", "article", "test", text, units)


SENTENCE = "Le coût d’un data center de 1 GW dépasse 35 milliards d’euros, selon l’équipe."


def test_chunk_text_format_layout_and_round_trip():
    doc = chat([("Mira Miruta", "Bonjour à tous", 0), ("Sam Altwoman", "On parle de l’IA ?", 82)])
    (chunk,) = chunk_document(doc, COUNTER)
    chunk.topics = ["supercalculateurs", "coûts d'entraînement"]
    text = render_chunk(chunk)
    lines = text.split("\n")
    assert lines[:8] == [
        "=== MÉTADONNÉES CHUNK ===",
        "Période: 2025-07-27 19:41 → 2025-07-27 21:03",
        "Participants: Mira Miruta, Sam Altwoman",
        "Topics: supercalculateurs, coûts d'entraînement",
        f"Tokens: {chunk.tokens}",
        "Messages: 2",
        "",
        "=== CONTENU ===",
    ]
    back = parse_chunk_file(text)
    assert back.content == chunk.text
    assert back.tokens == chunk.tokens and back.messages == 2
    assert back.participants == ["Mira Miruta", "Sam Altwoman"]


def test_unknown_period_prints_null():
    doc = article(["Un paragraphe sans date."])
    (chunk,) = chunk_document(doc, COUNTER)
    assert render_chunk(chunk).split("\n")[1] == "Période: null → null"


def test_long_silence_starts_a_new_chunk():
    doc = chat([("A", "premier", 0), ("B", "réponse", 5), ("A", "le lendemain", 60 * 24)])
    chunks = chunk_document(doc, COUNTER, ChunkingConfig(silence_minutes=120))
    assert [(c.unit_start, c.unit_end) for c in chunks] == [(0, 2), (2, 3)]
    assert chunks[1].context == ""  # no overlap across a new conversation


def test_budget_respected_and_messages_whole_with_overlap():
    doc = chat([(f"P{i % 3}", SENTENCE, i) for i in range(40)])
    config = ChunkingConfig(max_tokens=120, overlap_tokens=40)
    chunks = chunk_document(doc, COUNTER, config)
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.tokens <= 120
        assert chunk.text.count("\n") + 1 == chunk.unit_end - chunk.unit_start
    for prev, nxt in zip(chunks, chunks[1:]):
        assert nxt.unit_start == prev.unit_end  # own units never overlap
        assert nxt.context and nxt.context_start is not None and nxt.context_start < nxt.unit_start
        assert nxt.context.split("\n")[-1] == prev.text.split("\n")[-1]


def test_cut_prefers_a_change_of_speaker():
    msgs = [("Alice", SENTENCE, 0), ("Alice", SENTENCE, 1), ("Bob", SENTENCE, 2), ("Bob", SENTENCE, 3),
            ("Bob", SENTENCE, 4)]
    doc = chat(msgs)
    one = COUNTER.count_many([render_unit(doc.units[0])])[0] + 1
    chunks = chunk_document(doc, COUNTER, ChunkingConfig(max_tokens=one * 4 - 2, min_fill=0.3))
    assert chunks[0].unit_end == 2  # cut where Bob starts, not after Bob's first message


def test_over_long_message_is_cut_at_sentence_ends():
    body = " ".join([SENTENCE] * 30)
    doc = chat([("A", "court", 0), ("B", body, 1), ("A", "fin", 2)])
    chunks = chunk_document(doc, COUNTER, ChunkingConfig(max_tokens=100))
    long_parts = [c for c in chunks if c.unit_start == 1]
    assert len(long_parts) > 2
    assert all(c.tokens <= 100 for c in chunks)
    assert collapse(" ".join(c.text for c in long_parts)).endswith(SENTENCE)


def test_heading_travels_with_its_chunk():
    paras = [SENTENCE * 3] * 8
    doc = article(paras, headings={0: "I. Le coût", 4: "II. L’énergie"})
    chunks = chunk_document(doc, COUNTER, ChunkingConfig(max_tokens=90))
    assert any(doc.units[c.unit_start].kind == "heading" for c in chunks)
    for chunk in chunks:
        first = doc.units[chunk.unit_start]
        if first.kind != "heading":
            assert chunk.context.startswith(first.section)
        assert chunk.section in ("I. Le coût", "II. L’énergie")


def test_char_estimate_counter():
    assert CharEstimateCounter().count_many(["abcd", "abcde", ""]) == [1, 2, 0]


def test_stored_chunk_keeps_header_metadata():
    doc = article(["ligne un", "ligne deux"])
    doc.kind = "chunk"
    doc.metadata["chunk"] = {"period": [None, None], "participants": [], "topics": [], "tokens": 557,
                             "messages": 9, "content": "ligne un\nligne deux"}
    (chunk,) = chunk_document(doc, COUNTER)
    assert (chunk.tokens, chunk.messages, chunk.text) == (557, 9, "ligne un\nligne deux")


# -- properties -------------------------------------------------------------

WORD = st.sampled_from(["l’IA", "énergie", "d'accès", "GPU", "😀", "réseau", "coûts", "à", "Ça", "data",
                        "100 000", "3,5 M€", "12 %", "souveraineté", "qu’on", "calcul.", "vite !", "👩\u200d💻"])
MESSAGE = st.lists(WORD, min_size=1, max_size=60).map(" ".join)


@given(st.lists(st.tuples(st.sampled_from(["Léa", "Karim", "Julie"]), MESSAGE, st.integers(0, 600)),
                min_size=1, max_size=40),
       st.integers(20, 300), st.integers(0, 80))
def test_every_unit_lands_in_a_chunk_and_traces_back(messages, budget, overlap):
    messages.sort(key=lambda m: m[2])
    doc = chat(messages)
    chunks = chunk_document(doc, COUNTER, ChunkingConfig(max_tokens=budget, overlap_tokens=overlap))
    covered = [i for c in chunks for i in range(c.unit_start, c.unit_end)]
    assert sorted(set(covered)) == list(range(len(doc.units)))
    joined = collapse(" ".join(c.text for c in chunks))
    for unit in doc.units:
        # the unit's words survive (accents, emoji, elisions) …
        for word in unit.text.split():
            assert word in joined
        # … and its source position holds exactly its text
        assert doc.text[unit.start:unit.end] == unit.text
    for chunk in chunks:
        assert chunk.tokens <= budget
        assert chunk.messages == chunk.unit_end - chunk.unit_start
        own = doc.units[chunk.unit_start:chunk.unit_end]
        rendered = "\n".join(render_unit(u, doc.units[i - 1] if i else None)
                              for i, u in enumerate(own, chunk.unit_start))
        if chunk.text != rendered:  # a piece of one over-long message
            assert len(own) == 1
            whole = render_unit(own[0], doc.units[chunk.unit_start - 1] if chunk.unit_start else None)
            assert all(w in whole for w in chunk.text.split())


@given(st.lists(MESSAGE, min_size=1, max_size=30), st.integers(30, 300))
def test_article_paragraphs_all_land_once(paragraphs, budget):
    doc = article(paragraphs)
    chunks = chunk_document(doc, COUNTER, ChunkingConfig(max_tokens=budget))
    for prev, nxt in zip(chunks, chunks[1:]):
        assert nxt.unit_start >= prev.unit_end - 1  # a split paragraph may span several chunks
    joined = collapse(" ".join(c.text for c in chunks))
    assert joined == collapse(" ".join(paragraphs)) or all(w in joined for p in paragraphs for w in p.split())
