"""Folding (text/fold.py): each way two spellings are made to meet, on French text, and the offsets kept by
the folds that promise one character for one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from veille.text.fold import fold, fold_accents, fold_case_and_space, fold_case_like_regex, fold_in_place, fold_name


def test_each_fold_on_french_text():
    assert fold_accents("Œuvre cœur Énergétique") == "Oeuvre coeur Energetique"  # case kept
    assert fold("Éléonore Lœb") == "eleonore loeb"
    assert fold_name("Jean-Baptiste  KEMPF,") == "jean baptiste kempf"
    assert fold_in_place("L’Été") == "l'ete"
    assert fold_case_like_regex("MILLIARDſ d’Euros") == "milliards d’euros"  # accents and apostrophes kept
    assert fold_case_and_space("Le  Coût\n de l'IA ") == "le coût de l'ia"  # accents kept


@given(st.text())
def test_the_one_for_one_folds_keep_every_offset(text):
    assert len(fold_in_place(text)) == len(text)
    assert len(fold_case_like_regex(text)) == len(text)

