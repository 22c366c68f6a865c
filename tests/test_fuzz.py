"""Fuzzing under hypothesis: every loader, format detection and the per-file pipeline on hostile inputs.

The inputs and the contract are bench/fuzz.py's (generated text, real files truncated, flipped, spliced,
re-encoded, zipped; no exception but ``InputError``, and an input error hides no bug). The CI profile runs
60 examples per test; ``VEILLE_FUZZ_EXAMPLES=20000`` runs more, and ``bench/fuzz.py --inputs N`` runs N
from a seeded random and counts failures instead of stopping at the first.
"""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from veille.chunking import ChunkingConfig
from veille.errors import InputError
from veille.pipeline import Pipeline
from veille.read import normalise

from .conftest import load_bench

fuzz = load_bench("fuzz")
INPUTS = fuzz.Inputs()
EXAMPLES = int(os.environ.get("VEILLE_FUZZ_EXAMPLES", "0"))
long_mode = settings(max_examples=EXAMPLES) if EXAMPLES else (lambda test: test)

_randoms = st.randoms(use_true_random=False)
# Text hypothesis makes: any characters, or fragments of every format's syntax strung together.
_any_text = st.text(max_size=400) | st.lists(st.sampled_from(fuzz.FRAGMENTS), max_size=40).map("".join)
_encodings = st.sampled_from(["utf-8", *fuzz.ENCODINGS])


def _chat_zip(text: str) -> bytes:
    """A WhatsApp export zipped with a photo, with fixed times (the same bytes every run)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (("_chat.txt", text.encode()), ("0001-PHOTO.jpg", b"\xff\xd8\xff")):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 3, 12, 10, 15, 0)), data)
    return buffer.getvalue()


CHAT = "".join(f"12/03/2024, 10:{m:02d} - Léa Dubois: Le campus IA consommera {m} MW.\n" for m in range(20))


@long_mode
@given(_randoms)
def test_loaders_on_mutated_files(rnd):
    fuzz.run_target("loaders", INPUTS.make(rnd))


@long_mode
@given(_randoms)
def test_detect_on_mutated_files(rnd):
    fuzz.run_target("detect", INPUTS.make(rnd))


@long_mode
@given(_randoms)
def test_pipeline_on_mutated_files(rnd):
    fuzz.run_target("pipeline", INPUTS.make(rnd))


@long_mode
@given(_any_text, st.sampled_from(fuzz.NAMES))
@example('{"messages": [{"sender_name": "L', "message_1.json")  # a truncated export: refused, never a post
@example("=== MÉTADONNÉES CHUNK ===\nTokens: 3\n", "chunk.txt")  # a chunk header without content
def test_loaders_and_detect_on_generated_text(text, name):
    text = normalise(text)  # what loaders are given: decoded and normalised text
    fuzz.check_loaders(text, name)
    fuzz.check_detect(text, name)


@long_mode
@given(_any_text, _encodings, st.sampled_from(fuzz.NAMES))
@example('{"guild": {"name": "g"}, "channel": {"name": "c"}, "messages": [{"author": {"na', "utf-8", "x.txt")
@example("12/03/2024, 10:15 - Léa: Réunion à 10 h", "utf-16-le", "chat.txt")
@example('"channel": {' * 700, "utf-8", "sub.srt")  # a raw line over 8 000 characters, cut: each piece counted
def test_pipeline_on_generated_text(text, encoding, name):
    fuzz.check_pipeline(fuzz.reencode(text.encode("utf-8", errors="replace"), encoding), name)


@long_mode
@given(st.binary(max_size=600), st.sampled_from(fuzz.NAMES))
@example(b"PK\x03\x04" + bytes(40), "chat.zip")  # zip magic, then nothing a zip holds
def test_pipeline_on_bytes(data, name):
    fuzz.check_pipeline(data, name)


def test_every_one_byte_change_of_a_chat_zip_is_read_or_refused():
    """Regression: zipfile raised IndexError (a member name emptied), ValueError (a negative seek), zlib.error,
    NotImplementedError… through veille; each is now "truncated or damaged zip archive"."""
    data = _chat_zip(CHAT)
    pipeline = Pipeline("chars4", ChunkingConfig())
    reasons = set()
    for position in range(len(data)):
        for value in (0x00, 0x7F, 0x80, 0xFF):
            damaged = bytearray(data)
            damaged[position] = value
            try:
                pipeline.parse_source(bytes(damaged), "chat.zip")
            except InputError as error:
                assert not isinstance(error.__cause__, fuzz._BUGS), error.__cause__
                reasons.add(error.reason.split(" (")[0])
    assert "truncated or damaged zip archive" in reasons


@pytest.mark.parametrize(("patch", "reason"), [
    ("empty name", "truncated or damaged zip archive (a file without a name)"),
    ("negative seek", "cannot read '_chat.txt' from the zip archive (negative seek value"),
])
def test_damaged_zip_regressions(patch, reason):
    data = bytearray(_chat_zip(CHAT))
    central = data.index(b"PK\x01\x02")  # the first central directory entry: _chat.txt
    if patch == "empty name":
        # its file name length to 0, the comment length to the name's: the name's bytes read as a comment
        data[central + 32:central + 34] = data[central + 28:central + 30]
        data[central + 28:central + 30] = b"\x00\x00"
    else:
        # the end record places the central directory 100 bytes further than it is: zipfile takes the
        # difference for data prepended to the archive and seeks 100 bytes before the first member
        end = data.index(b"PK\x05\x06")
        data[end + 16:end + 20] = (central + 100).to_bytes(4, "little")
    with pytest.raises(InputError) as caught:
        Pipeline("chars4", ChunkingConfig()).parse_source(bytes(data), "chat.zip")
    assert caught.value.reason.startswith(reason), caught.value.reason
