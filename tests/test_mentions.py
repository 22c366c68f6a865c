"""Mentions: the people, organisations and places a chunk names, searchable with --mentions;
participants' names are not topics."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from veille import KnowledgeBase
from veille.cli import main
from veille.enrich.mention_eval import load_sample, rule_method, score
from veille.enrich.mentions import MentionExtractor, fold_name
from veille.text.analyzer import fold_accents

from .conftest import DATA, SEEDS, SHARED, seed

REALDATA = SHARED / "realdata"
MENTIONS = DATA / "mentions"


def _name_words(names: list[str]) -> set[str]:
    """Folded words of participants' names, as a reader would spot them in a topic."""
    return {w for n in names for w in re.findall(r"[^\W\d_]+", fold_accents(n.lower())) if len(w) > 2}


def _assert_no_participant_in_topics(kb: KnowledgeBase) -> int:
    checked = 0
    for chunk, _ in kb.store.chunks():
        doc_people = _name_words(chunk.participants)
        for topic in chunk.topics:
            words = set(re.findall(r"[^\W\d_]+", fold_accents(topic.lower())))
            assert not words & doc_people, (chunk.id, topic, chunk.participants)
        checked += bool(chunk.participants)
    return checked


def test_seed_000_lists_no_participant_among_its_topics(kb):
    kb.ingest(seed("000"))
    chunks = [c for c, _ in kb.store.chunks()]
    people = {p for c in chunks for p in c.participants}
    assert {"Mira Miruta", "Sylvia Viedemehr", "Sam Altwoman", "Brad Heavycap"} <= people
    topics = [t for c in chunks for t in c.topics]
    assert topics and not any("mira" in fold_accents(t.lower()) or "miruta" in t.lower() for t in topics)
    assert _assert_no_participant_in_topics(kb) == len(chunks)


def test_seed_004_transcript_topics_hold_no_guest_name(kb):
    kb.ingest(seed("004"))
    assert _assert_no_participant_in_topics(kb) > 10


@pytest.mark.parametrize("folder", ["whatsapp-chat-parser", "chat-miner", "langchain-chat", "slack-export/unzipped"])
def test_real_chat_exports_ingest_with_mentions_and_no_participant_topics(tmp_path, folder):
    with KnowledgeBase(tmp_path / "real.db") as kb:
        report = kb.ingest(REALDATA / folder)
        stored = [f for f in report.files if f.status == "added"]
        assert stored, [f.as_dict() for f in report.files]
        assert _assert_no_participant_in_topics(kb) > 0
        chunks = [c for c, _ in kb.store.chunks()]
        assert all(all(name in c.text for name in c.mentions) for c in chunks)
        assert kb.store.check() == []


def test_real_whatsapp_sample_names_are_found(tmp_path):
    with KnowledgeBase(tmp_path / "real.db") as kb:
        kb.ingest(REALDATA / "whatsapp-chat-parser")
        assert any(c.mentions for c, _ in kb.store.chunks())


def test_seed_mentions(kb):
    kb.ingest([seed(n) for n in ("000", "002", "003", "004")])
    named: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    for chunk, source in kb.store.chunks():
        named.setdefault(Path(source).name[:3], set()).update(chunk.mentions)
        kinds.update(chunk.mention_kinds)
    assert {"Mira", "Clara", "Sam", "Sylvia", "Brad"} <= named["000"]
    assert not {"Mira Miruta", "Sylvia Viedemehr"} & named["000"]  # speaker labels say who wrote, not who is named
    assert {"OpenAI", "Bloomberg", "CNBC", "Sam Altman", "Hayden Field", "États-Unis", "France", "Kyutai",
            "Mistral"} <= named["002"]
    assert {"Sam Altman", "Chine", "États-Unis", "Amérique"} <= named["003"]
    assert {"Jean-Baptiste Kempf", "Scaleway", "OCTO Technology", "Microsoft", "Portugal", "Google", "Allemagne",
            "Nvidia", "Silicon Valley", "Angoulême"} <= named["004"]
    assert not {"Rechercher", "Vente", "Bonsoir", "Catégorie", "Voilà"} & set().union(*named.values())
    assert (kinds["Jean-Baptiste Kempf"], kinds["Scaleway"], kinds["Allemagne"]) == ("person", "organisation", "place")
    assert kinds["Sam Altman"] == "person" and kinds["OpenAI"] == "organisation"


def test_seed_001_content_mentions():
    text = seed("001").read_text(encoding="utf-8").split("=== CONTENU ===", 1)[1]
    names = MentionExtractor().names(text)
    assert {"Chine", "USA", "Poutine", "Trump", "Paris"} <= set(names)
    assert not {"Chinois", "Américains", "SiliconValley", "Hyperarme"} & set(names)  # demonyms, hashtags, links


@pytest.mark.parametrize("text, expected", [
    ("Hier, EDF et RTE ont écrit à la CNIL.", ["EDF", "RTE", "CNIL"]),
    ("Le rapport de la Banque de France cite Jean-Baptiste Kempf.", ["Banque de France", "Jean-Baptiste Kempf"]),
    ("Nous irons en Côte d'Ivoire puis à Marseille en mars.", ["Côte d'Ivoire", "Marseille"]),
    ("Selon Sam Altman, la Chine avance vite.", ["Sam Altman", "Chine"]),
    ("Lundi. Mardi. Bonjour. Merci. Cependant, rien.", []),
    ("Ce que dit M. Dupont est vrai.", ["Dupont"]),
    ("Tech & Co reçoit Tristan Nitot.", ["Tristan Nitot"]),  # unknown at a sentence start: left out
    ("Sur Tech & Co, Tristan Nitot.", ["Tech & Co", "Tristan Nitot"]),
])
def test_names_in_sentences(text, expected):
    assert MentionExtractor().names(text) == expected


def test_a_capital_at_a_sentence_start_counts_when_the_document_names_it_elsewhere():
    extractor = MentionExtractor()
    assert extractor.names("Kalray prépare une levée de fonds.") == []
    first, second = extractor.names_of(["Kalray prépare une levée de fonds.", "On parlait de Kalray hier."])
    assert [m.text for m in first] == ["Kalray"] and [m.text for m in second] == ["Kalray"]


def test_quality_on_the_hand_labelled_sample():
    """Floors of bench/mentions_quality.py's figures (rules: P 0.898, R 0.958, F1 0.927 when pinned)."""
    result = score(rule_method, load_sample(MENTIONS, SEEDS))
    assert result.gold >= 120
    assert result.precision >= 0.88 and result.recall >= 0.94 and result.f1 >= 0.91, (result.missed, result.wrong)
    assert result.kind_accuracy >= 0.95


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def energy(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    _write(notes, "edf.md", "# Réseau\n\nEDF annonce que la production nucléaire remonte cet hiver.\n")
    _write(notes, "rte.md", "# Réseau\n\nLe gestionnaire RTE prévoit une production nucléaire en hausse.\n")
    _write(notes, "long.md", "# Réseau\n\nÉlectricité de France parle de production nucléaire et d'hydrogène.\n")
    _write(notes, "kempf.md", "# Cloud\n\nJean-Baptiste Kempf parle de production nucléaire à Marseille.\n")
    return notes


def test_mentions_filter_finds_the_chunk_naming_edf(backend, energy):
    with KnowledgeBase(backend) as kb:
        kb.ingest(energy)
        everything = kb.search("production nucléaire", k=10)
        assert len(everything) == 4
        for wanted in ("EDF", "edf", " Edf ", "Électricité de France", "electricite de france"):
            found = {Path(h.source).name for h in kb.search("production nucléaire", k=10, mentions=wanted)}
            assert found == {"edf.md", "long.md"}, wanted  # an acronym and its written-out form find each other
        assert [Path(h.source).name for h in kb.search("production", mentions="RTE")] == ["rte.md"]
        assert [Path(h.source).name for h in kb.search("production", mentions="kempf")] == ["kempf.md"]
        assert [Path(h.source).name for h in kb.search("production", mentions="MARSEILLE")] == ["kempf.md"]
        assert kb.search("production", mentions="Marseil") == []  # whole words of a name, not pieces
        assert kb.search("production", mentions="Scaleway") == []
        (hit,) = kb.search("production", mentions="Kempf")
        assert hit.mentions == ["Jean-Baptiste Kempf", "Marseille"]
        assert hit.as_dict()["mentions"] == ["Jean-Baptiste Kempf", "Marseille"]
        assert kb.undated(mentions="EDF") == 0


def test_mentions_option_of_the_cli(tmp_path, energy, capsys):
    db = str(tmp_path / "cli.db")
    assert main(["--db", db, "ingest", str(energy)]) == 0
    capsys.readouterr()
    assert main(["--db", db, "search", "production nucléaire", "--mentions", "EDF", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert sorted(Path(h["source"]).name for h in hits) == ["edf.md", "long.md"]
    assert main(["--db", db, "search", "production nucléaire", "--mentions", "edf"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 résultat(s)") and "⌖ EDF" in out and "rte.md" not in out
    assert main(["--db", db, "chunks", "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_name = {Path(r["metadata"]["source"]).name: r["metadata"]["mentions"] for r in records}
    assert by_name["kempf.md"] == [{"name": "Jean-Baptiste Kempf", "kind": "person"},
                                   {"name": "Marseille", "kind": "place"}]
    assert main(["--db", db, "chunks", str(energy / "rte.md")]) == 0
    assert "\nMentions: RTE\n" in capsys.readouterr().out


def test_fold_name_ignores_case_accents_and_punctuation():
    assert fold_name("Électricité  de-France") == fold_name("electricite de france") == "electricite de france"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_extraction_never_raises_and_mentions_are_in_the_text(text):
    extractor = MentionExtractor(["Mira Miruta"])
    for mention in extractor.extract(text):
        assert text[mention.start:mention.end] == mention.text and mention.text
        assert mention.kind in (None, "person", "organisation", "place")
    for name in extractor.names(text):
        assert name in text


_NAMEISH = st.lists(st.sampled_from(["Jean", "de", "EDF", "Marseille", "d'", "L'", "Le", "la", "&", "M.", ".",
                                     ",", "Électricité", "France", "\n", ":", "Sam", "Altman", "1️⃣", "#Tag",
                                     "https://x.fr/A", "Côte", "Ivoire", "[00:01:02]", "Mira Miruta :"]),
                    max_size=40).map(" ".join)


@given(_NAMEISH)
def test_extraction_on_name_like_text(text):
    first, second = MentionExtractor(["Mira Miruta"]).names_of([text, text.upper()])
    for mention in first:
        assert text[mention.start:mention.end] == mention.text
    assert all(fold_name(m.text) for m in second)


def test_a_run_left_with_a_particle_first_once_its_opener_goes():
    """Found by the property test: "DE & JEAN" (the opener "DE" left out, then "&" first)."""
    assert MentionExtractor().names("DE & JEAN") == ["JEAN"]
    assert MentionExtractor().names("Selon de Gaulle, la France.") == ["Gaulle", "France"]


def test_a_chunk_file_keeps_the_mentions_its_header_gives(tmp_path, energy, capsys):
    db = str(tmp_path / "cli.db")
    assert main(["--db", db, "ingest", str(energy / "kempf.md")]) == 0
    capsys.readouterr()
    assert main(["--db", db, "chunks"]) == 0
    printed = capsys.readouterr().out
    assert "\nMentions: Jean-Baptiste Kempf, Marseille\n" in printed
    chunk_file = _write(tmp_path, "chunk.txt", printed.replace("Marseille\n", "Marseille, Lyon\n", 1))
    with KnowledgeBase(tmp_path / "back.db") as kb:
        kb.ingest(chunk_file)
        (chunk,) = [c for c, _ in kb.store.chunks()]
        assert chunk.mentions == ["Jean-Baptiste Kempf", "Marseille", "Lyon"]  # as the header says
        assert [h.chunk_id for h in kb.search("nucléaire", mentions="lyon")] == [chunk.id]
