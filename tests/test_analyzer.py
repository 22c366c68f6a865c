"""The French analyser: elisions, accents, one-letter words, numbers, stemming."""

from __future__ import annotations

from hypothesis import given, strategies as st

from veille.text.analyzer import FrenchAnalyzer, fold_accents

A = FrenchAnalyzer()


def test_elisions_straight_and_typographic():
    assert A.terms("l'IA") == A.terms("l’IA") == A.terms("IA") == ["ia"]
    assert A.terms("d'énergie") == A.terms("d’énergie") == A.terms("énergie")
    assert A.terms("qu'on s'engage jusqu'à lorsqu'il") == A.terms("engage")


def test_accents_fold_after_stemming():
    assert A.terms("énergie") == A.terms("energie") == A.terms("Énergies") == A.terms("ÉNERGIE")
    assert A.terms("coûts") == A.terms("couts") == A.terms("coût")


def test_plural_and_singular_meet():
    assert A.terms("data centers") == A.terms("data center")
    assert A.terms("supercalculateurs") == A.terms("supercalculateur")


def test_stop_words_out_but_one_letter_content_words_kept():
    assert A.terms("le la les de des à y a") == []
    assert A.terms("série A") == ["ser", "a"]
    assert "x" in A.terms("le réseau X")


def test_french_numbers():
    assert A.terms("100 000 GPU") == ["100000", "gpu"]
    assert A.terms("3,5 M€") == ["3.5", "m"]
    assert A.terms("12 %") == ["12"]
    assert A.terms("en 2024 100 000 puces")[:2] == ["2024", "100000"]


def test_spans_point_at_the_words():
    text = "L’accès à l’énergie"
    spans = list(A.spans(text))
    assert [text[a:b] for a, b, _ in spans] == ["accès", "énergie"]


def test_fold_accents():
    assert fold_accents("Œuvre cœur énergétique Ça") == "Oeuvre coeur energetique Ca"


WORDS = st.sampled_from(["énergie", "l’IA", "d'accès", "GPU", "réseau", "à", "y", "data", "centres",
                         "coûts", "😀", "3,5", "Ça", "qu'on", "A", "élevés", "—", "«", "»"])


@given(st.lists(WORDS, min_size=1, max_size=30))
def test_query_and_document_analyse_alike(words):
    text = " ".join(words)
    terms = A.terms(text)
    # every term of the text is found again when each word is analysed alone
    alone = [t for w in words for t in A.terms(w)]
    assert terms == alone
    assert all(t and " " not in t for t in terms)
    assert sorted(A.index_terms(text)) == sorted(terms)
    assert all(t == fold_accents(t) for t in terms)


@given(st.text(max_size=200))
def test_analyser_never_fails_and_spans_are_in_bounds(text):
    for a, b, term in A.spans(text):
        assert 0 <= a < b <= len(text)
        assert term


@given(st.lists(WORDS, min_size=1, max_size=30), st.lists(WORDS, min_size=1, max_size=3))
def test_match_spans_agree_with_spans(words, query):
    text = " ".join(words)
    terms = set(A.terms(" ".join(query)))
    assert A.match_spans(text, terms) == [(a, b) for a, b, t in A.spans(text) if t in terms]
