"""Social posts: hashtags cleaned, emoji-numbered items, reaction bars removed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from veille.chunking.textformat import parse_chunk_file
from veille.loaders import post

from .loader_checks import DATA, check_nothing_dropped, check_units, read, seed


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
