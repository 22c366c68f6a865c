"""HTML pages: main text through trafilatura, title/author/date/site, headings as sections, page chrome out."""

from __future__ import annotations

import socket
from datetime import datetime

import pytest

from veille import KnowledgeBase
from veille.cli import main
from veille.detect import detect
from veille.loaders import html
from veille.read import read_file

from .loader_checks import DATA, check_units, collapse, seed

PAGES = DATA / "html"
SAMPLES = sorted(PAGES.rglob("*.html"))


def _parse(name: str):
    path = PAGES / name
    decoded = read_file(path)
    return html.parse(decoded.text, str(path))


def _texts(doc) -> str:
    return "\n".join(u.text for u in doc.units)


def test_samples_are_read_as_html_with_units_pointing_into_the_text():
    assert len(SAMPLES) == 6
    for path in SAMPLES:
        text = read_file(path).text
        found = detect(text, path.name)
        assert found.format == "html", (path, found)
        doc = html.parse(text, str(path))
        check_units(doc)
        assert doc.kind == "article" and doc.format == "html"
        assert doc.report.raw == 0
        for unit in doc.units:  # the rendered text holds each unit as it is
            assert doc.text[unit.start:unit.end] == unit.text
        assert doc.metadata["html_chars"] == len(text)
        assert doc.metadata["extractor"].startswith("trafilatura ")


def test_article_page_metadata():
    doc = _parse("article_complet.html")
    assert doc.title == "Refroidir les GPU sans assécher les rivières"
    assert doc.participants == ["Claire Dumoulin"]
    assert doc.date == datetime(2024, 3, 14)
    assert doc.metadata["author"] == "Claire Dumoulin"
    assert doc.metadata["site"] == "Le Veilleur Numérique"
    assert doc.metadata["url"] == "https://veilleur-numerique.example/2024/03/refroidir-les-gpu"
    assert doc.metadata["description"].startswith("Les centres de calcul pour l'IA consomment")
    assert doc.metadata["categories"] == ["Infrastructures"]
    assert doc.metadata["tags"] == ["centres de données", "eau"]
    assert doc.metadata["html_lang"] == "fr"


def test_article_page_keeps_the_body_and_drops_the_chrome():
    doc = _parse("article_complet.html")
    paragraphs = [u.text for u in doc.units if u.kind == "paragraph"]
    assert paragraphs[0].startswith("Un centre de calcul de 100 mégawatts peut évaporer")
    assert paragraphs[-1].startswith("Reste le coût.")
    assert len(paragraphs) == 7
    quote = next(u for u in doc.units if u.meta.get("quote"))
    assert quote.text.startswith("« Nous ne construirons plus de salle sans récupération de chaleur »")
    kept = _texts(doc)
    for phrase in ("quatre mille processeurs graphiques", "arrêtés préfectoraux", "À Saclay, un projet pilote",
                   "renchérit l'investissement d'environ quinze pour cent"):
        assert phrase in kept
    for chrome in ("cookies", "Tout accepter", "Accueil", "Souveraineté", "Rechercher", "Partager",
                   "Copier le lien", "À lire aussi", "Le nucléaire, batterie", "commentaire", "Jean-Marc",
                   "huile diélectrique", "newsletter", "Mentions légales", "Tous droits réservés", "Par Claire"):
        assert chrome not in kept, chrome
    units = doc.units
    assert units[0].kind == "heading" and units[0].meta == {"title": True}
    assert [u.text for u in units].count(doc.title) == 1  # the h1 is not repeated after the title
    assert doc.report.removed == 1  # the byline, its author being in the metadata
    assert any(n.startswith("removed 1 line (byline") for n in doc.report.notes)
    note = doc.report.notes[-1]
    assert note.startswith("main text: ") and note.endswith(" characters of page text kept")


def test_rendered_text_is_title_then_blocks():
    doc = _parse("article_complet.html")
    blocks = doc.text.rstrip("\n").split("\n\n")
    assert blocks[0] == doc.title
    assert [collapse(b) for b in blocks[1:]] == [u.text for u in doc.units[1:]]


def test_headings_are_units_and_sections():
    doc = _parse("intertitres.html")
    assert doc.title == "Souveraineté numérique : ce que change le règlement européen sur l'IA"  # site name cut
    assert doc.metadata["site"] == "Observatoire du calcul"
    assert doc.participants == ["Karim Benali"]
    assert doc.date == datetime(2025, 1, 20)
    headings = [(u.text, u.meta.get("level")) for u in doc.units if u.kind == "heading" and not u.meta.get("title")]
    assert headings == [("Un texte fondé sur les risques", 2), ("Les pratiques interdites", 3),
                        ("Les systèmes à haut risque", 3), ("Les modèles à usage général", 2),
                        ("Ce qu'il faut retenir", 2)]
    sections = {u.text[:30]: u.section for u in doc.units if u.kind == "paragraph" and not u.meta.get("item")}
    assert sections == {
        "Le règlement européen sur l'in": doc.title,
        "Le règlement classe les systèm": "Un texte fondé sur les risques",
        "La notation sociale par les au": "Les pratiques interdites",
        "Le recrutement, l'éducation et": "Les systèmes à haut risque",
        "Les grands modèles de langue o": "Les modèles à usage général",
        "Ce seuil inquiète les laborato": "Les modèles à usage général",
        "Les obligations arrivent en qu": "Ce qu'il faut retenir",
    }
    for unit in doc.units:
        if unit.kind == "heading":
            assert unit.section == unit.text
    items = [u for u in doc.units if u.meta.get("item")]
    assert [u.text for u in items] == [
        "février 2025 : les pratiques interdites ;", "août 2025 : les modèles à usage général ;",
        "août 2026 : la plupart des systèmes à haut risque ;",
        "août 2027 : les systèmes intégrés à des produits déjà réglementés."]
    assert {u.section for u in items} == {"Ce qu'il faut retenir"}
    assert "\n- février 2025 : les pratiques interdites ;\n- août 2025" in doc.text  # one block, a line each
    assert "Accueil" not in _texts(doc) and "licence libre" not in _texts(doc)


def test_bold_paragraph_is_a_heading_and_a_heading_holding_a_long_sentence_is_a_paragraph():
    page = ("<!DOCTYPE html><html><head><title>Le calcul en région</title></head><body><article>"
            "<h1>Le calcul en région</h1>"
            "<h2>Les régions investissent à leur tour dans des machines de calcul, pour attirer les laboratoires "
            "et les jeunes pousses qui ne veulent plus attendre des mois une allocation nationale.</h2>"
            + "<p>Les collectivités financent des machines de taille moyenne, installées dans les universités, "
              "et mutualisées entre laboratoires publics et entreprises du territoire.</p>" * 2
            + "<p><strong>Une gouvernance partagée</strong></p>"
            "<p>Un comité réunit les financeurs et répartit les heures de calcul chaque trimestre, selon les "
            "projets déposés par les équipes et leur intérêt pour le territoire.</p>"
            "<p><strong>Les heures sont attribuées sur dossier, sans frais pour les laboratoires.</strong></p>"
            "</article></body></html>")
    doc = html.parse(page, "region.html")
    check_units(doc)
    lead = next(u for u in doc.units if u.text.startswith("Les régions investissent"))
    assert lead.kind == "paragraph" and lead.meta == {"lead": True}
    bold = next(u for u in doc.units if u.text == "Une gouvernance partagée")
    assert bold.kind == "heading" and bold.meta["bold"] is True
    after = next(u for u in doc.units if u.text.startswith("Un comité réunit"))
    assert after.section == "Une gouvernance partagée"
    sentence = next(u for u in doc.units if u.text.startswith("Les heures sont attribuées"))
    assert sentence.kind == "paragraph"  # bold, but a sentence


def test_latin1_page_declared_iso_8859_1():
    path = PAGES / "latin1" / "electricite.html"
    raw = path.read_bytes()
    assert b'charset=iso-8859-1' in raw and "é".encode("latin-1") in raw
    decoded = read_file(path)
    assert decoded.encoding == "iso-8859-1 (declared)"  # not UTF-8: read in the charset the page declares
    doc = html.parse(decoded.text, str(path))
    assert doc.title == "L'électricité des centres de données en Île-de-France"
    assert doc.participants == ["Hélène Mérignac"]
    assert doc.date == datetime(2009, 6, 2)
    kept = _texts(doc)
    assert "franciliens ont consommé près de deux térawattheures" in kept
    assert "À Aubervilliers comme à Saint-Denis, des élus s'inquiètent" in kept
    assert "Ã" not in kept and "\ufffd" not in kept
    assert "Dossiers" not in kept  # the menu line, removed as boilerplate
    assert doc.report.removed == 1


def test_table_rows_are_units():
    doc = _parse("tableau.html")
    rows = [u.text for u in doc.units if u.meta.get("table")]
    assert rows == ["Machine | Site | Puissance crête", "Jean Zay | Orsay | 125 pétaflops",
                    "Adastra | Montpellier | 74 pétaflops", "Joliot-Curie | Bruyères-le-Châtel | 22 pétaflops"]
    lines = [u.line_start for u in doc.units if u.meta.get("table")]
    assert lines == list(range(lines[0], lines[0] + 4))  # one block, a row a line
    assert doc.metadata["site"] == "Carnet de calcul" and doc.date == datetime(2024, 11, 5)
    assert doc.participants == []


def test_br_separated_lines():
    doc = _parse("lignes_br.html")
    paragraphs = [u.text for u in doc.units if u.kind == "paragraph"]
    assert paragraphs == [
        ("Le syndicat mixte Trégor Numérique annonce l'ouverture de son centre de calcul mutualisé le 2 septembre "
         "2024."),
        "Les entreprises et laboratoires du territoire pourront y louer des heures de calcul à prix coûtant.",
        "Le centre est alimenté à quatre-vingts pour cent par le parc éolien en mer voisin.",
        "Adresse du centre :", "12 rue des Techniciens", "22300 Lannion",
        # a line that goes on with the sentence of the one before joins it
        "Les candidatures sont examinées par un comité qui se réunit chaque premier lundi du mois.",
    ]
    first, second, third = [u for u in doc.units if u.kind == "paragraph"][:3]
    assert second.line_start == first.line_start + 1 == third.line_start - 1  # one block, a line each


def test_almost_empty_page():
    doc = _parse("presque_vide.html")
    assert doc.title == "Page en travaux"
    assert [(u.kind, u.text) for u in doc.units] == [("heading", "Page en travaux"),
                                                     ("paragraph", "Cette page sera bientôt disponible.")]
    assert doc.date is None and doc.participants == []
    check_units(doc)


def test_page_without_text_has_no_units_and_says_why():
    doc = html.parse("<!DOCTYPE html><html><head><title></title></head><body><nav></nav></body></html>", "x.html")
    assert doc.units == [] and doc.text == ""
    assert "no main text found" in doc.report.notes[0]
    for text in ("", "   ", "bonjour", "<p>", "{\"messages\": []}"):
        check_units(html.parse(text, "x.html"))  # never raises, whatever it is given


def test_title_without_site_name_and_authors_without_par():
    doc = html.parse(
        "<html><head><title>Les GPU de la recherche | Le Carnet | 12.03.2024</title>"
        "<meta property='og:site_name' content='Le Carnet'><meta name='author' content='Par Inès Roux'></head>"
        "<body><p>Les laboratoires publics attendent en moyenne trois mois pour obtenir des heures de calcul sur "
        "les machines nationales, faute de processeurs graphiques en nombre suffisant.</p></body></html>", "x.html")
    assert doc.title == "Les GPU de la recherche"
    assert doc.participants == ["Inès Roux"]
    untitled = html.parse("<html><body><p>Les laboratoires publics attendent trois mois. Ensuite ils "
                          "calculent.</p></body></html>", "x.html")
    assert untitled.title == "Les laboratoires publics attendent trois mois"


@pytest.mark.parametrize(("text", "name"), [
    ("<!DOCTYPE html><html><body><p>x</p></body></html>", "page.txt"),
    ("  <!doctype HTML>\n<html lang='fr'>", ""),
    ("<html>\n<head><title>t</title></head>", "sans_extension"),
    ("<head><meta charset='utf-8'></head><body>texte</body>", "x"),
    ("<body><p>Un paragraphe.</p></body>", "x"),
    ("<!-- enregistré depuis le navigateur -->\n<!DOCTYPE html>\n<html>", "x"),
    ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n<html xmlns="http://www.w3.org/1999/xhtml">', "x.xhtml"),
    ("<div class='article'><h2>Titre</h2><p>Un paragraphe.</p></div>", "fragment.html"),
    ("<p>Bonjour</p><p>Au revoir</p>", "index.php"),
])
def test_sniff_html(text, name):
    confidence, reason = html.sniff(text, name)
    assert confidence >= 0.9 and reason


@pytest.mark.parametrize(("text", "name"), [
    ("# Notes\n\nUn texte avec un saut<br>de ligne et H<sub>2</sub>O en ligne.\n\n<details>plus</details>\n",
     "notes.md"),
    ('{"messages": [{"text": "<html> est une balise"}]}', "result.json"),
    ("Voici une page : <html> en minuscules dans une phrase.", "note.txt"),
    ("Juste du texte dans un fichier nommé comme une page.", "page.html"),
    ("", "vide.html"),
])
def test_sniff_not_html(text, name):
    confidence, reason = html.sniff(text, name)
    assert confidence == 0.0 and reason


def test_seeds_are_not_html():
    for prefix in ("000", "001", "002", "003", "004"):
        path, text = seed(prefix)
        assert html.sniff(text, path.name)[0] == 0.0


def test_nothing_is_fetched_while_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access while parsing a page")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    for path in SAMPLES:
        assert html.parse(read_file(path).text, str(path)).units


def test_knowledge_base_ingests_a_folder_of_pages(kb):
    report = kb.ingest(PAGES)
    assert report.ok, report.as_dict()
    assert [f.status for f in report.files] == ["added"] * 6
    assert {f.format for f in report.files} == {"html"}
    assert all(f.detection.startswith("html (0.95") for f in report.files)
    docs = {d.source.rsplit("/", 1)[-1]: d for d in kb.documents()}
    assert docs["electricite.html"].metadata["encoding"] == "iso-8859-1 (declared)"
    assert docs["article_complet.html"].metadata["html_bytes"] == (PAGES / "article_complet.html").stat().st_size
    chunks = list(kb.chunks(str(PAGES / "intertitres.html")))
    by_section = {c.section: c.text for c in chunks}
    assert set(by_section) == {"Souveraineté numérique : ce que change le règlement européen sur l'IA",
                               "Un texte fondé sur les risques", "Les pratiques interdites",
                               "Les systèmes à haut risque", "Les modèles à usage général", "Ce qu'il faut retenir"}
    assert by_section["Les pratiques interdites"].startswith("Les pratiques interdites\nLa notation sociale")
    assert all(c.participants == ["Karim Benali"] for c in chunks)
    hits = kb.search("refroidissement liquide")
    assert hits and hits[0].source.endswith("article_complet.html")
    assert kb.search("pratiques bannies", since="2025-01-01")[0].source.endswith("intertitres.html")
    assert not kb.search("huile diélectrique")  # a reader's comment, not the article


def test_saved_page_assets_are_not_ingested(tmp_path):
    (tmp_path / "page.html").write_bytes((PAGES / "intertitres.html").read_bytes())
    assets = tmp_path / "page_files"
    assets.mkdir()
    (assets / "script.js").write_text("function suivi() { return 1; }\n", encoding="utf-8")
    (assets / "style.css").write_text("body { margin: 0; }\n", encoding="utf-8")
    (tmp_path / "notes_files").mkdir()  # no notes.html beside it: an ordinary folder
    (tmp_path / "notes_files" / "note.txt").write_text("Une note sur le calcul souverain.\n", encoding="utf-8")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(tmp_path)
    assert sorted(f.path.rsplit("/", 1)[-1] for f in report.files) == ["note.txt", "page.html"]
    assert report.ok


def test_cli_ingests_a_page(tmp_path, capsys):
    db = str(tmp_path / "cli.db")
    assert main(["--db", db, "ingest", str(PAGES / "article_complet.html")]) == 0
    out = capsys.readouterr().out
    assert "[html]" in out and "1 added" in out
    assert main(["--db", db, "search", "préfets prélèvements", "-k", "1"]) == 0
    assert "Refroidir les GPU sans assécher les rivières" in capsys.readouterr().out
