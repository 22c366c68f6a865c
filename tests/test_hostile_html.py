"""Pages with huge attribute values or script/style blocks: their text is still found, or the reason says why not.

libxml2 (under trafilatura) stops reading a page at a value over 10 MB: before the loader emptied such
values, a 20 MB inlined image lost every paragraph after it and a 20 MB ``data-x`` gave "no text found".
"""

from __future__ import annotations

import re

import pytest

from veille import KnowledgeBase
from veille.loaders import html

from .conftest import SHARED

TWENTY_MB = 20_000_000
BEFORE = "<p>Le campus IA de Fouju consommera un gigawatt, soit la consommation d'une ville de 500 000 habitants.</p>"
AFTER = ("<p>Après l'image, le rapport chiffre le coût du projet à sept milliards d'euros sur dix ans, "
         "raccordement électrique compris.</p>")


def _page(middle: str, head: str = "") -> str:
    return (f"<!DOCTYPE html><html lang=\"fr\"><head><title>Centres de données</title>{head}</head><body>"
            f"<article><h1>Centres de données</h1>{BEFORE}{middle}{AFTER}</article></body></html>")


def _texts(doc) -> list[str]:
    return [u.text for u in doc.units]


#: (what, the part of the page in the body, in the head), for a value of n characters.
HUGE = [
    ("data URI image", lambda n: (f'<img src="data:image/png;base64,{"A" * n}" alt="schéma">', "")),
    ("data-x attribute", lambda n: (f"<div data-x='{'x' * n}'><span>note</span></div>", "")),
    ("style block", lambda n: ("", f"<style>{'a{color:red}' * (n // 12)}</style>")),
    ("script block", lambda n: (f"<script>{'var a=1;' * (n // 8)}</script>", "")),
]


@pytest.mark.parametrize(("label", "parts"), HUGE, ids=[h[0] for h in HUGE])
def test_huge_value_does_not_hide_the_text(label, parts):
    doc = html.parse(_page(*parts(TWENTY_MB)), "page.html")
    texts = _texts(doc)
    assert any("un gigawatt" in t for t in texts), label
    assert any("sept milliards d'euros" in t for t in texts), label
    emptied = [n for n in doc.report.notes if "left out before extraction" in n]
    assert len(emptied) == 1 and emptied[0].startswith("1 attribute values or script/style blocks over 65 536 "), emptied
    assert _texts(html.parse(_page(*parts(24)), "page.html")) == texts  # the text of the page with a small value


def test_real_page_with_a_huge_attribute_keeps_all_its_text():
    path = SHARED / "realdata" / "trafilatura-eval-fr" / "html" / "legrandcontinent.eu.heran.html"
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests need ../shared beside the project")
    page = path.read_text(encoding="utf-8")
    body = re.search(r"<body[^>]*>", page, re.IGNORECASE)
    assert body
    hostile = page[: body.end()] + f'<img src="data:image/png;base64,{"QUFB" * (TWENTY_MB // 4)}">' + page[body.end():]
    plain, loaded = html.parse(page, "page.html"), html.parse(hostile, "page.html")
    assert len(plain.units) > 10
    assert _texts(loaded) == _texts(plain)
    assert plain.title == loaded.title


def test_page_of_script_only_says_what_it_holds(tmp_path):
    page = tmp_path / "app.html"
    text = (f"<!DOCTYPE html><html><head><title></title><script>{'var a=1;' * (TWENTY_MB // 8)}</script>"
            "</head><body><div id=\"root\"></div></body></html>")
    page.write_text(text, encoding="utf-8")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        result = kb.ingest(page).files[0]
        assert kb.stats()["documents"] == 0
    assert result.status == "failed"
    assert result.reason == (f"html: no text found: the page's {len(text):,} characters hold no visible text "
                             f"({len('<script></script>') + TWENTY_MB:,} in <script> and <style>)").replace(",", " ")


def test_page_of_a_huge_attribute_only_says_so(tmp_path):
    page = tmp_path / "image.html"
    page.write_text(f'<!DOCTYPE html><html><body><img src="data:image/png;base64,{"A" * TWENTY_MB}"></body></html>',
                    encoding="utf-8")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        result = kb.ingest(page).files[0]
        assert kb.stats()["documents"] == 0
    assert result.status == "failed"
    assert result.reason.startswith("html: no text found: the page's 20 000 ")
    assert result.reason.endswith("(20 000 022 in attribute values over 65 536 characters)")  # with "data:…,"


def test_quoted_page_text_is_never_taken_for_an_attribute():
    """A long run of page text after '="' holds tags, so it is never emptied as an attribute value."""
    prose = "".join(f"<p>Paragraphe {i} : la souveraineté numérique passe par le calcul.</p>" for i in range(2000))
    page = f'<!DOCTYPE html><html><body><article><p>x ="</p>{prose}<p>fin"</p></article></body></html>'
    assert len(page) > html.HUGE_VALUE_CHARS
    doc = html.parse(page, "page.html")
    assert not any("left out before extraction" in n for n in doc.report.notes)
    assert any("Paragraphe 1999" in t for t in _texts(doc))
