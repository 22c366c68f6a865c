"""Social posts: hashtags cleaned, emoji-numbered items, reaction bars removed."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veille.chunking.textformat import parse_chunk_file
from veille.loaders import post
from veille.types import Document

from .loader_checks import (
    DATA,
    check_nothing_dropped,
    check_units,
    line_precision_recall,
    read,
    seed,
    uncovered_lines,
)


def _seed_post():
    _, text = seed("001")
    return parse_chunk_file(text).content


def test_seed_content_as_a_post():
    content = _seed_post()
    doc = post.parse(content, "post.txt")
    assert len(doc.units) == 9
    assert all(u.kind == "paragraph" for u in doc.units)
    assert not any("hashtag#" in u.text for u in doc.units)
    assert "#Hyperarme" in doc.units[0].text and "#géopolitiques" in doc.units[0].text
    items = [(u.meta["item"], u.text[:20]) for u in doc.units if "item" in u.meta]
    assert [n for n, _ in items] == [1, 2, 3, 4, 5, 6]
    assert items[0][1].startswith("Il y a une forte")
    assert not any("\u20e3" in u.text for u in doc.units)
    assert doc.title == "Cela s’inscrit très directement dans les scénarios que j’explore dans mon livre…"
    check_units(doc)
    check_nothing_dropped(doc)


def test_keycaps_without_variation_selector():
    doc = post.parse("1\u20e3Premier point.\n2\u20e3Second point.\n", "p.txt")
    assert [(u.meta["item"], u.text) for u in doc.units] == [(1, "Premier point."), (2, "Second point.")]


def test_sample_reactions_removed():
    path = DATA / "post" / "post_gpu.txt"
    doc = post.parse(read(path), str(path))
    assert doc.report.removed == 7
    assert len(doc.units) == 5
    texts = " ".join(u.text for u in doc.units)
    for chrome in ("réactions", "commentaires", "J’aime", "Commenter", "Republier", "Voir la traduction"):
        assert chrome not in texts
    assert doc.units[-1].text.endswith("#IA #Souveraineté #DataCenter")
    assert [u.meta.get("item") for u in doc.units] == [None, 1, 2, 3, None]
    assert doc.title.startswith("Trois leçons de notre premier cluster")
    check_units(doc)
    check_nothing_dropped(doc)


def test_numbered_lines_and_more_marker():
    text = "Trois idées sur le calcul :\n1) La sobriété.\n2. Les puces.\nLa suite arrive … plus\n"
    doc = post.parse(text, "p.txt")
    assert [(u.meta.get("item"), u.text) for u in doc.units] == [
        (None, "Trois idées sur le calcul :"), (1, "La sobriété."), (2, "Les puces."), (None, "La suite arrive")]
    assert doc.report.removed == 1
    check_units(doc)


def test_sniff():
    confidence, reason = post.sniff(_seed_post(), "post.txt")
    assert confidence >= 0.75
    assert "hashtag#" in reason
    assert post.sniff("Un texte ordinaire.\nSans dièse.", "a.txt")[0] == 0.0


_WORD = st.sampled_from(("IA", "calcul", "GPU", "souveraineté", "énergie", "cloud", "données"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.lists(_WORD, min_size=1, max_size=8), st.lists(_WORD, max_size=3)),
                min_size=1, max_size=10))
def test_generated_posts_rewrite_hashtags(rows):
    lines = [" ".join(words) + "".join(f" hashtag#{t}" for t in tags) for words, tags in rows]
    doc = post.parse("\n".join(lines) + "\n", "p.txt")
    check_units(doc)
    check_nothing_dropped(doc)
    assert [u.text for u in doc.units] == [line.replace("hashtag#", "#") for line in lines]


# -- samples with their expected units ---------------------------------------------------------------------------------
# Each tests/data/post/<name>.txt has <name>.expected.json, written from the sample: "title", "participants",
# "metadata" (a subset of doc.metadata), "units" as [item number or bullet or null, text], "removed" (every line
# no unit holds, repeated as often as it occurs), "removed_by_reason", optionally "date".

POST_SAMPLES = sorted(p.name.removesuffix(".expected.json") for p in (DATA / "post").glob("*.expected.json"))


def _post_sample(name: str) -> tuple[Document, dict]:
    path = DATA / "post" / f"{name}.txt"
    expected = json.loads((DATA / "post" / f"{name}.expected.json").read_text(encoding="utf-8"))
    return post.parse(read(path), str(path)), expected


def test_post_samples_in_both_languages():
    assert len(POST_SAMPLES) >= 6
    assert any("_en_" in name for name in POST_SAMPLES) and any("_fr" in name for name in POST_SAMPLES)


@pytest.mark.parametrize("name", POST_SAMPLES)
def test_post_sample(name):
    doc, expected = _post_sample(name)
    assert doc.title == expected["title"]
    assert [[u.meta.get("item", u.meta.get("bullet")), u.text] for u in doc.units] == expected["units"]
    assert Counter(line.strip() for _, line in uncovered_lines(doc)) == Counter(expected["removed"])
    assert doc.metadata.get("removed", {}) == expected["removed_by_reason"]
    assert doc.report.removed == sum(expected["removed_by_reason"].values())
    assert doc.participants == expected["participants"]
    for key, value in expected["metadata"].items():
        assert doc.metadata.get(key) == value, key
    if "date" in expected:
        assert doc.date is not None and doc.date.isoformat().startswith(expected["date"])
    assert not any("hashtag#" in u.text or "\u20e3" in u.text for u in doc.units)
    check_units(doc)
    check_nothing_dropped(doc)


def test_post_line_classification_precision_and_recall(capsys):
    def found_and_gold(name: str) -> tuple[Counter[str], Counter[str]]:
        doc, expected = _post_sample(name)
        return Counter(line.strip() for _, line in uncovered_lines(doc)), Counter(expected["removed"])

    precision, recall, truth = line_precision_recall(map(found_and_gold, POST_SAMPLES))
    with capsys.disabled():
        print(f"\npost line classification over {len(POST_SAMPLES)} samples, {truth} header and chrome lines: "
              f"precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.97 and recall >= 0.95


@pytest.mark.parametrize(("line", "reason"), [
    ("1 234 réactions", "reactions"), ("👍❤️ 87", "reactions"), ("12 commentaires · 3 republications", "reactions"),
    ("J’aime · Commenter · Republier · Envoyer", "actions"), ("Like Comment Repost Send", "actions"),
    ("45 likes", "reactions"), ("3 reposts", "reactions"), ("Voir la traduction", "actions"),
    ("See translation", "actions"), ("Suivre", "actions"), ("+ Follow", "actions"), ("12,3 k vues", "reactions"),
    ("Vous et 23 autres personnes", "reactions"), ("Jane Doe and 41 others", "reactions"),
    ("Écrire un commentaire…", "actions"), ("Most relevant", "actions"), ("1.2K reactions · 87 comments", "reactions"),
    ("Bravo !", None), ("Merci pour vos 87 commentaires, je réponds à tous.", None), ("87", None),
    ("J’aime le calcul frugal", None), ("Partager les données du réseau", None),
])
def test_chrome_lines(line, reason):
    assert post.chrome_reason(line) == reason


@pytest.mark.parametrize(("line", "kind"), [
    ("1 sem. • Modifié •", "age"), ("2h •", "age"), ("3 j • 🌐", "age"), ("2d • Edited •", "age"),
    ("Il y a 5 heures", "age"), ("3 mars, 10:12 · 🌐", "age"), ("12 345 abonnés", "followers"),
    ("8,412 followers", "followers"), ("• 2e", "degree"), ("• 3e et +", "degree"), ("· 3rd+", "degree"),
    ("@obs_calcul", "handle"), ("Léa Martin a republié ceci", "repost"), ("Modifié", "edited"),
    ("Directrice IA chez Nébula Cloud", None), ("Claire Fontaine", None), ("2 GPU par serveur", None),
])
def test_header_signatures(line, kind):
    found = post.signature(line)
    assert (found[0] if found else None) == kind


def test_header_becomes_participants_and_metadata():
    text = ("Léa Martin\n• 1er\nDirectrice IA chez Nébula Cloud\n12 345 abonnés\n2h •\nSuivre\n"
            "Nous ouvrons un second campus de calcul à Grenoble.\n")
    doc = post.parse(text, "p.txt")
    assert [u.text for u in doc.units] == ["Nous ouvrons un second campus de calcul à Grenoble."]
    assert doc.participants == ["Léa Martin"]
    assert doc.metadata["headline"] == "Directrice IA chez Nébula Cloud"
    assert doc.metadata["followers"] == 12345 and doc.metadata["posted"] == "2h"
    assert doc.report.removed == 6


@pytest.mark.parametrize(("figure", "value"), [
    ("12 345", 12345), ("8,412", 8412), ("1,2 k", 1200), ("1.2K", 1200), ("3 M", 3_000_000), ("87", 87)])
def test_counts(figure, value):
    assert post.count_of(figure) == value


def test_no_header_without_a_strong_signature():
    doc = post.parse("Merci à toute l’équipe\nSuivre\n", "p.txt")
    assert [u.text for u in doc.units] == ["Merci à toute l’équipe"] and doc.participants == []


def test_hashtags_with_accents_and_compounds():
    doc = post.parse("Vive hashtag#SouverainetéNumérique et hashtag#IAgénérative, hashtag#Énergie !\n", "p.txt")
    assert doc.units[0].text == "Vive #SouverainetéNumérique et #IAgénérative, #Énergie !"


def test_inline_keycaps_split_into_items_with_their_offsets():
    text = "Bilan 🌱 1️⃣ 14 équipes 2️⃣ 48 heures 🔟 un GPU\n"
    doc = post.parse(text, "p.txt")
    assert [(u.meta.get("item"), u.text) for u in doc.units] == [
        (None, "Bilan 🌱"), (1, "14 équipes"), (2, "48 heures"), (10, "un GPU")]
    assert [text[u.start:u.end] for u in doc.units] == ["Bilan 🌱", "1️⃣ 14 équipes", "2️⃣ 48 heures", "🔟 un GPU"]
    check_units(doc)


def test_bullets_and_what_is_not_one():
    text = "• Réseau\n👉 Énergie\n✅ Talents\n➡️ Eau\n- Chaleur\n-10 % de consommation\n"
    doc = post.parse(text, "p.txt")
    assert [(u.meta.get("bullet"), u.text) for u in doc.units] == [
        ("•", "Réseau"), ("👉", "Énergie"), ("✅", "Talents"), ("➡", "Eau"), ("-", "Chaleur"),
        (None, "-10 % de consommation")]


# -- property: content kept as written, injected header and trailing bars counted ---------------------------------------

_CONTENT_WORDS = ("IA", "calcul", "GPU", "souveraineté", "énergie", "cloud", "données", "réseau", "Grenoble")
_CHROME_WORDS = ("commentaires", "partager", "j’aime", "réactions", "suivre", "like", "share", "vues", "envoyer")
_content = st.tuples(
    st.lists(st.sampled_from(_CONTENT_WORDS), min_size=1, max_size=6),
    st.lists(st.sampled_from(_CHROME_WORDS), max_size=3),
    st.lists(st.sampled_from(("IA", "Énergie", "DataCenter")), max_size=2),
    st.sampled_from(("", ".", " !", " ?", " 👇")),
).map(lambda t: " ".join(t[0] + t[1]) + t[3] + "".join(f" hashtag#{tag}" for tag in t[2]))
_n = st.integers(min_value=1, max_value=9999)
_bar = st.one_of(
    _n.map("{} réactions".format), _n.map("{} commentaires".format), _n.map("{} reposts".format),
    st.tuples(_n, _n).map(lambda t: f"{t[0]} commentaires · {t[1]} republications"), _n.map("👍❤️ {}".format),
    _n.map("{} likes".format), _n.map("Vous et {} autres personnes".format), _n.map("{} k vues".format),
    st.sampled_from(("J’aime · Commenter · Republier · Envoyer", "Like", "Comment", "Repost", "Send", "J’aime",
                     "Commenter", "Voir la traduction", "See translation", "Suivre", "Écrire un commentaire…")),
)
_header = st.tuples(st.sampled_from(("Léa Martin", "Karim Benali", "Jane Whitaker")),
                    st.sampled_from(("Directrice IA chez Nébula", "Head of AI at Northwind", "")),
                    _n.map("{} abonnés".format), st.sampled_from(("2h •", "1 sem. • Modifié •", "3d • Edited •")))


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.none(), _header), st.lists(_content, min_size=1, max_size=8), st.lists(_bar, max_size=6),
       st.lists(_n.map(str), max_size=2))
def test_generated_posts_keep_content_and_count_chrome(header, content, bars, figures):
    head = [line for line in header if line] if header else []
    text = "\n".join(head + content + bars + figures) + "\n"
    doc = post.parse(text, "p.txt")
    check_units(doc)
    check_nothing_dropped(doc)
    assert [u.text for u in doc.units] == [" ".join(line.replace("hashtag#", "#").split()) for line in content]
    assert doc.report.removed == len(head) + len(bars) + len(figures)
    assert doc.participants == ([header[0]] if header else [])


@pytest.mark.parametrize("name", [*POST_SAMPLES])
def test_post_samples_are_detected_as_posts(name):
    from veille.detect import detect

    path = DATA / "post" / f"{name}.txt"
    assert detect(read(path), path.name).format == "post"
