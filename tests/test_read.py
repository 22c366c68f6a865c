"""Bytes to text: encodings, BOMs, mojibake, invisible marks, bad input."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import assume, given, strategies as st

from veille.errors import InputError
from veille.read import _MOJIBAKE, decode_bytes, normalise, repair_mojibake

FRENCH = "Le coût de l’énergie d’un data center : 3,5 M€ pour 100 000 GPU, soit 12 % — « ça dépasse »."


@pytest.mark.parametrize("encoding,prefix", [
    ("utf-8", b""),
    ("utf-8", codecs.BOM_UTF8),
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-16-le", b""),
    ("utf-16-be", b""),
    ("cp1252", b""),
])
def test_encodings_are_detected(encoding, prefix):
    decoded = decode_bytes(prefix + FRENCH.encode(encoding))
    assert decoded.text == FRENCH
    assert decoded.encoding.startswith(encoding)


def test_mojibake_is_repaired():
    broken = FRENCH.encode("utf-8").decode("cp1252")
    assert "Ã©" in broken
    decoded = decode_bytes(broken.encode("utf-8"))
    assert decoded.text == FRENCH
    assert decoded.repaired > 0


def test_emoji_mojibake_is_repaired():
    text = "Bravo 🚀 et 😀 !"
    fixed, count = repair_mojibake(text.encode("utf-8").decode("cp1252"))
    assert fixed == text and count == 2


def test_genuine_accented_capitals_are_left_alone():
    text = "« ÉTÉ » À Ça Être œuvre"
    assert repair_mojibake(text) == (text, 0)


def test_invisible_marks_and_nfc():
    text = "\u200eL\u2019e\u0301nergie\u200b\u00a012\u202f%\r\nfin\ufeff"
    assert normalise(text) == "L’énergie 12 %\nfin"


def test_zero_width_joiner_kept_for_emoji():
    family = "👩\u200d💻"
    assert normalise(family) == family


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"),
    (b"   \n\n", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    (b"caf\xe9 \x81\x8d au lait", "undecodable"),
])
def test_bad_bytes_are_refused_with_a_reason(data, reason):
    with pytest.raises(InputError) as err:
        decode_bytes(data, "bad.txt")
    assert reason in err.value.reason
    assert "bad.txt" in str(err.value)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")), min_size=1))
def test_utf8_round_trip(text):
    assume(text.strip() and not _MOJIBAKE.search(text))  # "Ã©" is taken for broken "é", on purpose
    expected = normalise(text)
    assert decode_bytes(text.encode("utf-8")).text == expected
    assert decode_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le")).text == expected


def test_a_page_declaring_its_charset_is_read_in_it():
    page = '<html><head><meta charset="iso-8859-15"><title>Prix</title></head><body><p>Le MWh coûte 80 €.</p>'
    decoded = decode_bytes(page.encode("iso-8859-15"), "prix.html")
    assert decoded.encoding == "iso-8859-15 (declared)" and "80 €" in decoded.text  # cp1252 would give "¤"
    utf8 = '<meta charset="iso-8859-1"><p>Déjà en UTF-8 malgré la déclaration.</p>'
    assert decode_bytes(utf8.encode("utf-8"), "x.html").encoding == "utf-8"  # valid UTF-8 wins over the label
