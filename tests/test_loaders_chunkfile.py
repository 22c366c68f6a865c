"""Chunk text files read back keep their header as the chunk's metadata."""

from __future__ import annotations

from datetime import datetime

from veille.chunking.textformat import render_chunk
from veille.loaders import chunkfile
from veille.types import Chunk

from .loader_checks import DATA, check_units, read, seed


def _parse_seed():
    path, text = seed("001")
    return text, chunkfile.parse(text, str(path))


def test_seed_header_and_content_kept():
    text, doc = _parse_seed()
    meta = doc.metadata["chunk"]
    assert meta["tokens"] == 557
    assert meta["messages"] == 9
    assert meta["period"] == [None, None]
    assert meta["participants"] == [] and meta["topics"] == []
    content = text[text.index("=== CONTENU ===\n") + len("=== CONTENU ===\n"):]
    assert meta["content"] == content
    assert doc.kind == "chunk" and doc.format == "chunkfile"


def test_seed_units_are_the_content_lines_as_written():
    text, doc = _parse_seed()
    assert len(doc.units) == 9
    assert doc.units[0].text.startswith("📔Cela s’inscrit")
    assert "hashtag#Hyperarme" in doc.units[0].text  # faithful: no post rewrites in a chunk file
    assert doc.units[1].text.startswith("1️⃣Il y a une forte rivalité")
    assert [u.meta.get("item") for u in doc.units] == [None, 1, 2, None, 3, 4, 5, None, 6]
    for unit in doc.units:
        assert text[unit.start:unit.end] == unit.text
    check_units(doc)


def test_seed_header_renders_back_line_for_line():
    text, doc = _parse_seed()
    meta = doc.metadata["chunk"]
    chunk = Chunk(text=meta["content"], unit_start=0, unit_end=len(doc.units), tokens=meta["tokens"],
                  messages=meta["messages"], period=tuple(meta["period"]),
                  participants=meta["participants"], topics=meta["topics"])
    rendered = render_chunk(chunk)
    assert rendered.split("\n")[:8] == text.split("\n")[:8]
    assert rendered == text


def test_sample_with_context_and_messages():
    path = DATA / "chunkfile" / "chunk_chat.txt"
    doc = chunkfile.parse(read(path), str(path))
    meta = doc.metadata["chunk"]
    assert meta["period"] == ["2025-03-04 10:12", "2025-03-04 10:31"]
    assert meta["context"].startswith("[2025-03-04 10:05] Karim Benali")
    assert doc.participants == ["Léa Fontaine", "Karim Benali"]
    assert [(u.author, u.time) for u in doc.units] == [
        ("Léa Fontaine", datetime(2025, 3, 4, 10, 12)),
        ("Karim Benali", datetime(2025, 3, 4, 10, 20)),
        ("Léa Fontaine", datetime(2025, 3, 4, 10, 31)),
    ]
    assert doc.units[2].text == "Je prépare la note pour le comité."
    assert all(u.kind == "message" for u in doc.units)
    check_units(doc)


def test_sniff():
    _, text = seed("001")
    assert chunkfile.sniff(text, "x.txt") == (0.99, "starts with the '=== MÉTADONNÉES CHUNK ===' header")
    assert chunkfile.sniff("=== CONTENU ===\nrien", "x.txt")[0] == 0.0
