"""Markdown and plain text: headings, paragraphs, list items, code blocks."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from veille.loaders import markdown, plaintext

from .loader_checks import DATA, check_nothing_dropped, check_units, read


def test_markdown_sample():
    path = DATA / "markdown" / "notes_calcul.md"
    doc = markdown.parse(read(path), str(path))
    assert doc.title == "Calcul intensif en Europe"
    kinds = [(u.kind, u.text[:25]) for u in doc.units]
    assert kinds[0] == ("heading", "Calcul intensif en Europe")
    paragraph = doc.units[1]
    assert paragraph.text == ("Les supercalculateurs européens sont financés en partie par "
                              "l’entreprise commune EuroHPC.")
    assert paragraph.section == "Calcul intensif en Europe"
    items = [u for u in doc.units if "item" in u.meta]
    assert [u.text for u in items][0] == "Trois machines dépassent l’exaflop annoncé."
    assert all(u.section == "Chiffres clés" for u in items)
    code = [u for u in doc.units if "code" in u.meta]
    assert len(code) == 1 and code[0].meta["code"] == "python"
    assert code[0].text.splitlines() == ["puissance_mw = 20", "heures = 24 * 365", "print(puissance_mw * heures)"]
    assert doc.units[-1].text == "Le calcul est devenu une infrastructure stratégique."
    assert doc.report.removed == 4  # front matter and a rule
    check_units(doc)
    check_nothing_dropped(doc)


def test_markdown_setext_heading():
    doc = markdown.parse("Titre\n=====\n\nTexte du paragraphe.\n", "a.md")
    assert [(u.kind, u.text) for u in doc.units] == [("heading", "Titre"), ("paragraph", "Texte du paragraphe.")]
    assert doc.units[1].section == "Titre"


def test_markdown_sniff():
    path = DATA / "markdown" / "notes_calcul.md"
    assert markdown.sniff(read(path), "notes.txt")[0] >= 0.5
    assert markdown.sniff("Du texte.", "notes.md")[0] >= 0.5
    assert markdown.sniff("Du texte #IA sans titre.", "notes.txt")[0] < 0.5


def test_plaintext_sample():
    path = DATA / "plaintext" / "note_longue.txt"
    doc = plaintext.parse(read(path), str(path))
    assert doc.title == "Note sur la sobriété des modèles"
    assert [u.kind for u in doc.units] == ["heading", "paragraph", "paragraph"]
    assert doc.units[1].text.startswith("Les petits modèles de langue, entraînés sur des corpus bien choisis, "
                                        "rivalisent parfois")
    assert "\n" not in doc.units[1].text
    assert doc.units[2].line_start == 8 and doc.units[2].line_end == 9
    check_units(doc)
    check_nothing_dropped(doc)


def test_plaintext_keeps_short_lines_apart():
    doc = plaintext.parse("Courses :\nGPU\nbaies\nonduleurs\n", "liste.txt")
    assert doc.units[0].text == "Courses :\nGPU\nbaies\nonduleurs"


def test_plaintext_always_sniffs_a_little():
    assert plaintext.sniff("", "x")[0] == 0.1
    assert plaintext.sniff("n'importe quoi", "x")[1]


_WORD = st.sampled_from(("le", "calcul", "souverain", "exige", "des", "centres", "de", "données", "sobres"))
_line = st.lists(_WORD, min_size=1, max_size=12).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_line, min_size=1, max_size=5), min_size=1, max_size=6))
def test_generated_plain_text_keeps_every_line(blocks):
    text = "\n\n".join("\n".join(block) for block in blocks) + "\n"
    for loader in (plaintext, markdown):
        doc = loader.parse(text, "gen.txt")
        check_units(doc)
        check_nothing_dropped(doc)
        assert " ".join(u.text for u in doc.units).split() == text.split()
