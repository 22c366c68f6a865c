"""Web articles: title, headings as sections, body kept, share/comment boilerplate removed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from veille.loaders import article

from .loader_checks import DATA, check_nothing_dropped, check_units, collapse, read, seed

BOILERPLATE = (
    "Laisser un commentaire", "Partager l’article", "Votre adresse e-mail ne sera pas publiée",
    "Les champs obligatoires sont indiqués avec", "No responses yet", "Latest Comments",
    "Aucun commentaire à afficher", "Temps de lecture",
)


def _parse(prefix: str):
    path, text = seed(prefix)
    return text, article.parse(text, str(path))


def test_titles():
    _, doc = _parse("003")
    assert doc.title == ("Course à l’IA : pourquoi l’alerte de Sam Altman sur la Chine "
                         "doit rebattre les cartes américaines")
    _, doc = _parse("002")
    # The first line is a long paragraph: the title is its first sentence, cut near 80 characters.
    assert doc.title == "Dernières informations, OpenAI a lancé un projet visant à créer une coalition…"
    assert len(doc.title) <= 81


def test_boilerplate_removed_and_counted():
    for prefix, removed in (("002", 2), ("003", 6)):
        _, doc = _parse(prefix)
        for unit in doc.units:
            for phrase in BOILERPLATE:
                assert phrase not in unit.text, (prefix, unit.text)
        assert doc.report.removed == removed
        assert doc.report.notes
        check_nothing_dropped(doc)


def test_every_body_paragraph_is_in_a_unit():
    for prefix in ("002", "003"):
        text, doc = _parse(prefix)
        units = [collapse(u.text) for u in doc.units]
        body = [collapse(line) for line in text.split("\n") if len(line) > 100]
        assert len(body) >= 10
        for line in body:
            assert any(line in unit for unit in units), line
        check_units(doc)


def test_headings_are_units_and_sections():
    _, doc = _parse("003")
    headings = [u.text for u in doc.units if u.kind == "heading"]
    assert "I. Pourquoi l’alerte d’Altman change la donne" in headings
    assert "II. Au-delà des contrôles : quels leviers réels ?" in headings
    assert "1) Politique publique : bâtir l’avantage composable" in headings
    assert "Conclusion : penser écosystème, agir vite" in headings
    after = next(u for u in doc.units if u.text.startswith("L’alerte d’Altman est utile."))
    assert after.section == "Conclusion : penser écosystème, agir vite"
    assert after.kind == "paragraph"


def test_tweet_credit_is_content_and_headings_of_002():
    _, doc = _parse("002")
    credit = [u for u in doc.units if "Hayden Field" in u.text]
    assert len(credit) == 1 and credit[0].kind == "paragraph"
    headings = [u.text for u in doc.units if u.kind == "heading"]
    assert headings == [
        "Toujours un déficit de puissance de calcul à surmonter pour OpenAI",
        "Plus de 10 milliards de dollars investis dans l’infrastructure IA américaine grâce à l’alliance OpenAI",
    ]


def test_sample_french_and_english_boilerplate():
    path = DATA / "article" / "centres_donnees.txt"
    doc = article.parse(read(path), str(path))
    assert doc.title == "Les centres de données français face au mur énergétique"
    texts = " ".join(u.text for u in doc.units)
    for phrase in ("Publié le", "Temps de lecture", "À lire aussi", "Partager sur", "newsletter", "cookies",
                   "Tout accepter", "Sur le même sujet", "Rédaction Tech", "Leave a Reply", "Your email"):
        assert phrase not in texts
    assert [u.text for u in doc.units if u.kind == "heading"][1:] == [
        "Un raccordement qui prend des années", "1. Le refroidissement, second verrou",
        "Conclusion : planifier plutôt que subir"]
    assert len([u for u in doc.units if u.kind == "paragraph"]) == 5
    check_units(doc)
    check_nothing_dropped(doc)


def test_sniff():
    for prefix in ("002", "003"):
        _, text = seed(prefix)
        confidence, reason = article.sniff(text, "page.txt")
        assert confidence >= 0.5
        assert "boilerplate" in reason
    assert article.sniff("Deux lignes.\nSans plus.", "a.txt")[0] < 0.1


# -- properties --------------------------------------------------------------

_VOCAB = ("les", "centres", "de", "données", "consomment", "une", "électricité", "abondante", "et",
          "la", "souveraineté", "numérique", "dépend", "du", "calcul", "européen", "pour", "entraîner")
_sentence = st.lists(st.sampled_from(_VOCAB), min_size=6, max_size=14).map(
    lambda ws: " ".join(ws).capitalize() + ".")
_paragraph = st.lists(_sentence, min_size=2, max_size=5).map(" ".join).filter(lambda p: len(p) > 100)
_heading = st.lists(st.sampled_from(_VOCAB), min_size=2, max_size=6).map(lambda ws: " ".join(ws).capitalize())
_TAIL = ("Laisser un commentaire", "Partager l’article", "No responses yet", "Latest Comments",
         "Votre adresse e-mail ne sera pas publiée. Les champs obligatoires sont indiqués avec *",
         "Aucun commentaire à afficher.", "À lire aussi : un autre article", "Inscrivez-vous à la newsletter")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_heading, st.lists(_paragraph, min_size=1, max_size=3)), min_size=1, max_size=4),
       st.lists(st.sampled_from(_TAIL), min_size=1, max_size=5), st.booleans())
def test_generated_articles_keep_paragraphs_and_drop_boilerplate(sections, tail, blank_lines):
    lines = ["Temps de lecture : 4 minutes"]
    for heading, paragraphs in sections:
        lines += [heading] + paragraphs
    lines += tail
    text = ("\n\n" if blank_lines else "\n").join(lines) + "\n"
    doc = article.parse(text, "gen.txt")
    check_units(doc)
    check_nothing_dropped(doc)
    assert doc.report.removed == len(tail) + 1
    got = [(u.text, u.section) for u in doc.units if u.kind == "paragraph"]
    assert got == [(p, heading) for heading, paragraphs in sections for p in paragraphs]
    assert [u.text for u in doc.units if u.kind == "heading"] == [heading for heading, _ in sections]
    for line in tail:
        assert all(line not in u.text for u in doc.units)
