"""French sentence boundaries."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from veille.text.sentences import ends_sentence, sentences, split_sentences


def test_basic_boundaries():
    assert sentences("Le calcul coûte cher. Les puces aussi ! Et demain ? Personne ne sait… Voilà.") == [
        "Le calcul coûte cher.", "Les puces aussi !", "Et demain ?", "Personne ne sait…", "Voilà."]


def test_abbreviations_initials_and_numbers_do_not_split():
    text = ("M. Durand et le Dr. Martin, p. ex. des experts, etc. Ils vivent à Washington D.C. depuis "
            "3.5 ans. Voir https://exemple.fr/page.html pour plus.")
    assert sentences(text) == [
        "M. Durand et le Dr. Martin, p. ex. des experts, etc. Ils vivent à Washington D.C. depuis 3.5 ans.",
        "Voir https://exemple.fr/page.html pour plus."]


def test_informal_double_dot_is_not_an_end():
    text = "des superintelligences voient le jour..Hmm.. Sous 3 ans? Peut-être."
    assert sentences(text) == ["des superintelligences voient le jour..Hmm.. Sous 3 ans?", "Peut-être."]


def test_quotes_digits_and_blank_lines():
    assert sentences("Il a dit « oui. » Puis il est parti. 2024 fut rude.") == [
        "Il a dit « oui. »", "Puis il est parti.", "2024 fut rude."]
    assert sentences("Un titre\n\nUn paragraphe. Suite.") == ["Un titre", "Un paragraphe.", "Suite."]
    assert sentences("pas de capitale. après") == ["pas de capitale. après"]


def test_spans_are_offsets():
    text = "  Premier point.   Second point.  "
    assert split_sentences(text) == [(2, 16), (19, 32)]
    assert split_sentences("") == [] and split_sentences(" \n ") == []


def test_ends_sentence():
    assert ends_sentence("c'est fini.")
    assert ends_sentence("vraiment ?")
    assert ends_sentence("il a dit « non. »")
    assert not ends_sentence("comme M.")
    assert not ends_sentence("des serveurs, etc.")
    assert not ends_sentence("une virgule,")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("aB é.!?…«» \n\t3D:,-Mx'"), max_size=200))
def test_spans_cover_the_text_without_overlap(text):
    spans = split_sentences(text)
    pos = 0
    for start, end in spans:
        assert pos <= start < end <= len(text)
        assert text[pos:start].strip() == ""
        assert text[start:end] == text[start:end].strip()
        pos = end
    assert text[pos:].strip() == ""


_word = st.sampled_from(("calcul", "énergie", "données", "serveurs", "souveraineté", "cloud", "puces"))
_sentence = st.tuples(
    st.sampled_from(("Le", "La", "Les", "Un", "Des", "Notre", "Ce", "En", "2025,", "« La", "(Les")),
    st.lists(_word, min_size=1, max_size=8),
    st.sampled_from((".", "!", "?", " ?", "…", "...", ".»")),
).map(lambda t: f"{t[0]} {' '.join(t[1])}{t[2]}")


@settings(max_examples=200, deadline=None)
@given(st.lists(_sentence, min_size=1, max_size=10), st.sampled_from((" ", "  ", "\n", " \n")))
def test_generated_sentences_split_back(parts, glue):
    text = glue.join(parts)
    assert sentences(text) == parts
