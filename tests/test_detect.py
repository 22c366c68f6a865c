"""Format detection: each seed and sample goes to its loader, with a reason."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from veille.chunking.textformat import parse_chunk_file
from veille.detect import Detection, detect, get_loader
from veille.loaders.jsonchat import looks_like_json
from veille.loaders import LOADERS
from veille.read import decode_bytes

from .loader_checks import DATA, read, seed

SEEDS = {"000": "webchat", "001": "chunkfile", "002": "article", "003": "article", "004": "transcript"}
SAMPLES = {
    "webchat/fil_datacenter.txt": "webchat",
    "webchat/assistant_copie.txt": "webchat",
    "transcript/podcast_souverainete.txt": "transcript",
    "article/centres_donnees.txt": "article",
    "post/post_gpu.txt": "post",
    "markdown/notes_calcul.md": "markdown",
    "plaintext/note_longue.txt": "plaintext",
    "chunkfile/chunk_chat.txt": "chunkfile",
}


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seeds(prefix):
    path, text = seed(prefix)
    found = detect(text, path.name)
    assert isinstance(found, Detection)
    assert found.format == SEEDS[prefix], found
    assert found.reason
    assert found.confidence >= 0.5


#: Sample folders and the format their files are written in (Slack exports are folders, not files).
FOLDERS = {"article": "article", "chunkfile": "chunkfile", "discord": "discord", "html": "html",
           "identity": "whatsapp", "markdown": "markdown", "meta": "meta", "plaintext": "plaintext", "post": "post",
           "subtitles": "subtitles", "telegram": "telegram", "transcript": "transcript", "webchat": "webchat",
           "whatsapp": "whatsapp"}
#: Samples another format fits as well, on purpose: what detection says for them.
AMBIGUOUS = {
    "article/fr_videos_durees.txt": "transcript",  # a video page whose chapter lines start with times
    "article/fr_corps_cookies.txt": "plaintext",  # an article without any page chrome to recognise it by
}


def every_sample() -> list[str]:
    return sorted(str(p.relative_to(DATA)) for folder in FOLDERS for p in (DATA / folder).rglob("*")
                  if p.is_file() and not p.name.endswith(".expected.json"))


@pytest.mark.parametrize("name", every_sample())
def test_every_sample_is_detected_as_its_folder_format(name):
    path = DATA / name
    found = detect(decode_bytes(path.read_bytes(), name).text, path.name)
    assert found.format == AMBIGUOUS.get(name, FOLDERS[name.split("/")[0]]), found


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples(name):
    path = DATA / name
    found = detect(read(path), path.name)
    assert found.format == SAMPLES[name], found
    assert found.reason


def test_seed_post_content_is_a_post():
    _, text = seed("001")
    assert detect(parse_chunk_file(text).content, "post.txt").format == "post"


def test_candidates_cover_every_loader_best_first():
    _, text = seed("004")
    found = detect(text, "page.txt", explain=True)
    assert {c[0] for c in found.candidates} == set(LOADERS)
    assert detect(text, "page.txt").format == found.format == "transcript"
    confidences = [c[1] for c in found.candidates]
    assert confidences == sorted(confidences, reverse=True)
    assert all(c[2] for c in found.candidates)


def test_something_always_fits():
    for text in ("", "bonjour", "42\n\n43", "\u00e9" * 10):
        found = detect(text, "x")
        assert found.format == "plaintext"
        assert found.confidence == pytest.approx(0.1)
        assert found.reason


def test_more_specific_format_wins():
    # An article-looking page whose lines are timestamped is a transcript.
    sentence = "une phrase assez longue pour ressembler à un paragraphe d'article de presse, vraiment."
    lines = [f"00:{s:02d} {sentence}" for s in range(10)]
    text = "\n".join(lines + ["Laisser un commentaire"])
    assert detect(text, "x.txt").format == "transcript"


def test_get_loader():
    assert get_loader("webchat").name == "webchat"
    with pytest.raises(KeyError) as error:
        get_loader("pdf")
    assert "webchat" in str(error.value) and "plaintext" in str(error.value)


def test_every_loader_has_the_contract():
    for name, loader in LOADERS.items():
        assert loader.name == name
        assert loader.kind in ("chat", "transcript", "article", "post", "chunk", "text")
        confidence, reason = loader.sniff("Texte.", "x.txt")
        assert 0.0 <= confidence <= 1.0 and reason


def _all_inputs():
    from .loader_checks import CORPUS

    paths = sorted(CORPUS.glob("*.txt")) + sorted(p for p in DATA.glob("*/*") if p.is_file())
    return [(p.name, read(p)) for p in paths]


#: Loaders of structured exports (JSON): text that is not theirs is refused, not read.
STRUCTURED = {"telegram", "meta", "discord"}


def test_every_loader_reads_every_input_without_losing_track():
    from .loader_checks import check_units

    for _, text in _all_inputs():
        for loader in LOADERS.values():
            if loader.name == "chunkfile" and not text.startswith("=== MÉTADONNÉES CHUNK ==="):
                continue
            if loader.name in STRUCTURED:
                try:
                    doc = loader.parse(text, "x")
                except ValueError:
                    continue  # not their format: a clear error, never a wrong parse
                assert doc.units and all(0 <= u.start < u.end <= len(text) for u in doc.units)
                continue
            check_units(loader.parse(text, "x"))


_ANY = st.text(alphabet=st.sampled_from("ab É.:!?#>*-\n\t0123456789[]…«»hashtag#️⃣\u20e3"), max_size=300)


@settings(max_examples=150, deadline=None)
@given(_ANY)
def test_any_text_is_detected_and_parsed(text):
    from .loader_checks import check_units

    found = detect(text, "x.txt")
    assert found.reason
    if found.refused:  # opens like JSON no JSON loader reads: refused, never read as text
        assert looks_like_json(text) and found.format == "" and found.reason == found.refused
    else:
        check_units(get_loader(found.format).parse(text, "x.txt"))
    for loader in LOADERS.values():
        if loader.name != "chunkfile" and loader.name not in STRUCTURED:
            check_units(loader.parse(text, "x.txt"))
