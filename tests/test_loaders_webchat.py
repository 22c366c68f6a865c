"""Copied web chat: authors recovered after their messages, UI residue removed, channel titles as sections."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from veille.loaders import webchat
from veille.text.sentences import split_sentences

from .loader_checks import DATA, check_nothing_dropped, check_units, collapse, read, seed

SEED_PEOPLE = {"Sam Altwoman", "Mira Miruta", "Brad Heavycap", "Sylvia Viedemehr"}


def _parse_seed():
    path, text = seed("000")
    return text, webchat.parse(text, str(path))


def _is_name(doc):
    names = set(doc.participants) | {u.author for u in doc.units if u.author}
    return lambda line: line.strip() in names


def test_seed_participants_are_the_four_authors():
    _, doc = _parse_seed()
    assert set(doc.participants) == SEED_PEOPLE
    assert len(doc.participants) == 4
    assert set(doc.report.authors) == SEED_PEOPLE


def test_seed_ui_residue_is_removed_and_counted():
    _, doc = _parse_seed()
    for unit in doc.units:
        assert "Rechercher" not in unit.text
        assert "Vente" not in unit.text
    assert doc.report.removed == 3
    assert any("Rechercher" in note for note in doc.report.notes)


def test_seed_channel_title_is_a_section_not_an_author():
    _, doc = _parse_seed()
    assert "Sécurité intérieure" not in doc.participants
    assert all(u.author != "Sécurité intérieure" for u in doc.units)
    assert any(u.section == "Sécurité intérieure" and u.kind == "message" for u in doc.units)
    heading = [u for u in doc.units if u.kind == "heading"]
    assert [h.text for h in heading] == ["Sécurité intérieure"]


def test_seed_every_sentence_is_in_a_unit():
    text, doc = _parse_seed()
    units = [collapse(u.text) for u in doc.units]
    sentences = []
    for block in text.split("\n\n"):
        if len(block.strip()) > 60:  # a message paragraph, without the indented channel title
            body = " ".join(line for line in block.split("\n") if not line.startswith(" "))
            sentences += [collapse(body[a:b]) for a, b in split_sentences(body)]
    assert len(sentences) > 30
    for sentence in sentences:
        assert any(sentence in unit for unit in units), sentence


def test_seed_attribution_names_follow_messages():
    _, doc = _parse_seed()
    messages = [u for u in doc.units if u.kind == "message"]
    assert len(messages) == 10
    starts = {u.text.split(".")[0][:30]: u.author for u in messages}
    assert starts["Totalement d’accord avec vous"] == "Sylvia Viedemehr"
    assert starts["Tu as raison Brad, c’est un po"] == "Sylvia Viedemehr"
    assert starts["Parfait, Sam"] == "Mira Miruta"  # not Sam answering himself
    assert starts["Absolument"] == "Mira Miruta"  # the dangling name before it
    assert starts["Oui, tout à fait"] == "Brad Heavycap"
    assert doc.metadata["names"] == "after"
    for unit in messages:
        assert unit.time is None
        first = unit.author.split()[0]
        assert f", {first}." not in unit.text and f" {first}. " not in unit.text


def test_seed_wrapped_lines_are_joined_and_units_point_at_the_source():
    _, doc = _parse_seed()
    check_units(doc)
    check_nothing_dropped(doc, _is_name(doc))
    assert all("\n" not in u.text for u in doc.units)


def test_sample_with_collapsed_message_and_section():
    path = DATA / "webchat" / "fil_datacenter.txt"
    doc = webchat.parse(read(path), str(path))
    assert doc.participants == ["Léa Fontaine", "Karim Benali", "Julie Marchand"]
    messages = [u for u in doc.units if u.kind == "message"]
    assert [u.author for u in messages] == [
        "Léa Fontaine", "Karim Benali", "Julie Marchand", "Karim Benali", "Léa Fontaine", "Julie Marchand"]
    assert messages[-1].section == "Énergie et refroidissement"
    assert messages[0].section is None
    assert doc.report.system == 1  # the trailing name with no message left
    assert doc.report.removed == 5
    check_units(doc)
    check_nothing_dropped(doc, _is_name(doc))


def test_sample_assistant_copy_names_before():
    path = DATA / "webchat" / "assistant_copie.txt"
    doc = webchat.parse(read(path), str(path))
    assert doc.metadata["names"] == "before"
    assert [u.author for u in doc.units] == ["Vous", "ChatGPT", "Vous", "ChatGPT"]
    assert doc.units[1].text.startswith("Les estimations publiées varient beaucoup. "
                                        "Pour un modèle de plusieurs centaines")
    assert not any("Copier" in u.text or "Régénérer" in u.text for u in doc.units)


def test_sniff_gives_a_reason():
    _, text = seed("000")
    confidence, reason = webchat.sniff(text, "x.txt")
    assert confidence >= 0.7
    assert "repeated names" in reason
    assert webchat.sniff("Un texte sans noms.\n\nRien de plus.", "x.txt")[0] < 0.5


# -- properties --------------------------------------------------------------

_VOCAB = ("calcul", "énergie", "serveur", "données", "souveraineté", "baie", "réseau", "modèle",
          "coût", "refroidissement", "puce", "cloud", "contrat", "site", "électricité", "mégawatt")
_NAMES = ("Anne Rigal", "Omar Tazi", "Chloé Bernard")
_UI = ("Rechercher", "Copier", "Partager", "Répondre", "Vente")

_line = st.lists(st.sampled_from(_VOCAB), min_size=3, max_size=12).map(lambda w: " ".join(w))
_body = st.lists(_line, min_size=1, max_size=4).map(lambda ls: "\n".join(ls).capitalize() + ".")
_message = st.tuples(_body, st.sampled_from(_NAMES), st.one_of(st.none(), st.sampled_from(_UI)))


@settings(max_examples=60, deadline=None)
@given(st.lists(_message, min_size=4, max_size=12))
def test_generated_threads_keep_every_message_with_its_author(messages):
    authors = [m[1] for m in messages]
    if any(authors.count(name) < 2 for name in set(authors)):
        authors = [_NAMES[i % 2] for i in range(len(messages))]
        messages = [(body, name, ui) for (body, _, ui), name in zip(messages, authors, strict=True)]
    parts = ["Rechercher"]
    for body, author, ui in messages:
        parts += [body, author] + ([ui] if ui else [])
    text = "\n\n".join(parts) + "\n"
    doc = webchat.parse(text, "gen.txt")
    check_units(doc)
    check_nothing_dropped(doc, lambda line: line.strip() in _NAMES)
    got = [(u.text, u.author) for u in doc.units if u.kind == "message"]
    want = [(collapse(body), author) for body, author, _ in messages]
    assert got == want
    assert doc.participants == list(dict.fromkeys(authors))


def test_wrapped_last_words_and_indented_titles_are_not_authors():
    block = ("On construit des campus de calcul un peu partout en\nEurope.\n\nLéa Fontaine\n\n"
             " Réglementation\n\nLe règlement européen s’applique aussi aux modèles servis depuis\nEurope.\n\n"
             "Karim Benali\n\n")
    from veille.loaders import webchat as loader

    doc = loader.parse(block * 3, "fil.txt")
    assert doc.authors() == ["Léa Fontaine", "Karim Benali"]
    assert all(u.author != "Réglementation" for u in doc.units)
