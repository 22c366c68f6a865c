"""SRT and WebVTT subtitles, YouTube auto-captions too: cues re-flowed into sentences with start times and speakers."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import veille.detect
from veille.detect import detect
from veille.loaders import LOADERS, subtitles, transcript
from veille.read import decode_bytes

from .loader_checks import CORPUS, DATA, check_nothing_dropped, check_units, read, seed

SAMPLES = DATA / "subtitles"
_WORD = re.compile(r"\w+")
# Lines that are structure, not text: timing lines, cue numbers, the WebVTT signature and header fields.
_STRUCTURE = re.compile(r"[^\n]*-->[^\n]*|[\ufeff \t]*\d+[ \t]*|\ufeff?WEBVTT.*|(?:Kind|Language): \w+")


def _parse(name: str):
    path = SAMPLES / name
    return subtitles.parse(read(path), str(path))


def _rows(doc) -> list[tuple[str, float | None, str | None]]:
    return [(u.text, u.offset, u.author) for u in doc.units]


def _check(doc, identifiers: frozenset[str] = frozenset()) -> None:
    """Units point at the source; every other non-blank line is structure or counted as removed."""
    check_units(doc)
    check_nothing_dropped(doc, lambda line: bool(_STRUCTURE.fullmatch(line)) or line in identifiers)
    assert all(u.kind == "sentence" for u in doc.units)


# -- SRT ------------------------------------------------------------------------

TABLE_RONDE_SRT = [
    ("Table ronde : l'IA et l'énergie", 0.5, None),
    ("Bonsoir à tous.", 3.4, "CLAIRE DUBOIS"),
    ("Ce soir, on parle des centres de données.", 3.4, "CLAIRE DUBOIS"),  # second sentence of a cue
    ("Yann Morvan, vous dirigez un opérateur de cloud à Lyon.", 6.2, "CLAIRE DUBOIS"),
    ("C'est exact.", 10.0, "Yann Morvan"),
    ("Et nous construisons un site de 40 mégawatts.", 10.0, "Yann Morvan"),
    ("Un mégawatt, c'est combien de foyers ?", 12.7, "CLAIRE DUBOIS"),
    ("Environ mille foyers.", 16.1, None),
    ("Mille foyers ?", 16.1, None),
    ("Oui, et le refroidissement compte pour un tiers de la facture.", 19.2, None),
    ("Merci.", 23.3, "CLAIRE DUBOIS"),
    ("On continue dans un instant avec la question de l'eau.", 23.3, "CLAIRE DUBOIS"),
]


def test_srt_numbered_multiline_cues_styling_and_speakers():
    doc = _parse("table_ronde.srt")
    assert _rows(doc) == TABLE_RONDE_SRT
    assert doc.kind == "transcript" and doc.format == "subtitles"
    assert doc.metadata == {"subtitle_format": "srt", "duration": 27.0, "cues": 9}
    assert doc.title == "table ronde"
    assert doc.participants == ["CLAIRE DUBOIS", "Yann Morvan"]
    changes = [u.text for u in doc.units if u.meta.get("speaker_change")]
    assert changes == ["Environ mille foyers.", "Mille foyers ?",  # dialogue dashes
                       "Oui, et le refroidissement compte pour un tiers de la facture."]  # >>
    across = doc.units[-1]  # cue 8's second line, then cue 9
    assert (across.line_start, across.line_end) == (37, 41)
    assert doc.text[across.start:across.end].startswith("On continue</u> dans un instant\n\n9\n")
    assert doc.text[across.start:across.end].endswith("question de l'eau.")
    assert doc.report.first == "00:00:00" and doc.report.last == "00:00:23"
    assert doc.report.removed == 0 and doc.report.notes == []
    _check(doc)


def test_srt_without_numbers_or_blank_lines_and_a_broken_timing_line():
    doc = _parse("sans_numeros.srt")
    assert _rows(doc) == [
        ("Le premier supercalculateur exaflopique européen consomme environ 17 mégawatts.", 60.0, None),
        ("Sa chaleur chauffe des bureaux voisins.", 65.2, None),
        ("Un deuxième site est prévu.", 65.2, None),  # after blank lines inside the cue
        ("On attend encore le budget.", 65.2, None),  # its timing line is broken: the cue before's time
        ("Et l'eau ?", 75.0, "Jeanne Roux"),
        ("Le circuit est fermé, rien ne s'évapore.", 78.2, None),
    ]
    assert (doc.units[0].line_start, doc.units[0].line_end) == (2, 4)
    assert doc.metadata == {"subtitle_format": "srt", "duration": 81.0, "cues": 6}
    assert doc.report.notes == [("1 cue with an unreadable timing line kept, timed like the cue before "
                                 "(line 12: '00:01:0x,000 --> 00:01:11,000')")]
    _check(doc)


# -- WebVTT ---------------------------------------------------------------------

TABLE_RONDE_VTT = [
    ("Bienvenue dans Watt & Data.", 0.0, "Inès Caron"),
    ("Avec nous, Hugo Marchal, qui compare la facture électrique des modèles.", 3.7, "Inès Caron"),
    ("Merci.", 7.2, "Hugo Marchal"),
    ("Entraîner un grand modèle, c'est des <mégawattheures> par semaine.", 7.2, "Hugo Marchal"),
    ("Et l'inférence pèse encore plus sur la durée.", 10.2, "Hugo Marchal"),
    ("Data centers ou centres de données ?", 13.5, "Inès Caron"),
    ("Peu importe, il faut les refroidir.", 13.5, "Hugo Marchal"),  # second voice of the cue
    ("Et le PUE ?", 16.2, None),
    ("Autour de 1,2 chez nous.", 16.2, None),
    ("On passe aux questions du public.", 19.5, "SOFIA"),  # &gt;&gt; SOFIA :
]


def test_vtt_header_blocks_identifiers_voices_tags_and_entities():
    doc = _parse("table_ronde.vtt")
    assert _rows(doc) == TABLE_RONDE_VTT
    assert doc.title == "Table ronde sur la sobriété numérique"
    assert doc.language == "fr"
    assert doc.metadata == {"subtitle_format": "vtt", "duration": 23.0, "cues": 7,
                            "header": {"Kind": "captions", "Language": "fr"}}
    assert doc.participants == ["Inès Caron", "Hugo Marchal", "SOFIA"]
    assert doc.report.removed == 10  # STYLE 4 lines, REGION 3, NOTE 2 + 1 between cues
    assert [note.split(" (")[0] for note in doc.report.notes] == ["removed 4 lines", "removed 3 lines",
                                                                  "removed 3 lines"]
    assert "WebVTT NOTE block" in doc.report.notes[2]
    assert not any("inaudible" in u.text or "jaune" in u.text for u in doc.units)
    _check(doc, identifiers=frozenset({"intro"}))


def test_vtt_without_identifiers_or_blank_lines():
    doc = _parse("sans_identifiants.vtt")
    assert _rows(doc) == [
        ("Les batteries du site tiennent quatre heures en cas de coupure.", 1.0, None),
        ("Au-delà, les groupes électrogènes prennent le relais.", 4.2, None),
        ("Ils tournent au gazole, mais un essai à l'hydrogène commence en juin.", 7.5, None),
        ("Combien de litres par heure ?", 14.5, "NOÉMIE VIDAL"),
    ]
    assert doc.units[2].line_start == 10 and doc.units[2].line_end == 13
    assert doc.metadata["subtitle_format"] == "vtt"
    _check(doc)


# -- YouTube auto-captions ----------------------------------------------------------

def test_youtube_rolling_captions_keep_every_word_once_with_its_time():
    doc = _parse("youtube_auto.fr.vtt")
    assert _rows(doc) == [
        ("bonjour à tous et bienvenue dans ce nouvel épisode consacré à l'énergie des centres de données",
         0.0, None),
        # a pause of 4 s (last word at 6.6 s, next line at 11 s) ends the sentence
        ("aujourd'hui on reçoit une ingénieure qui construit des data centers à marseille merci d'être là",
         11.0, None),
        ("merci à vous", 18.1, None),  # after a mid-line >>: the time of its own first word
        ("alors combien d'énergie consomme un site comme le vôtre", 19.2, None),
        ("environ vingt mégawatts en pointe soit une petite ville", 27.3, None),
    ]
    assert [bool(u.meta.get("speaker_change")) for u in doc.units] == [False, False, True, True, True]
    assert doc.metadata["subtitle_format"] == "youtube-vtt"
    assert doc.metadata["duration"] == 31.01
    assert doc.title == "youtube auto"
    assert doc.report.removed == 19
    assert doc.report.notes == ["19 repeated caption lines dropped (YouTube rolling captions)"]
    timed_lines = [re.sub(r"<[^>]*>", "", line) for line in doc.text.split("\n") if "<c>" in line]
    spoken = [w for line in timed_lines for w in _WORD.findall(line.replace("&gt;", ""))]
    assert [w for u in doc.units for w in _WORD.findall(u.text)] == spoken
    _check(doc)


# -- encodings ------------------------------------------------------------------

@pytest.mark.parametrize("name", ["table_ronde.srt", "table_ronde.vtt"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-16"])
def test_bom_cp1252_and_utf16_files_read_end_to_end(name, encoding):
    text = read(SAMPLES / name)
    data = text.replace("\n", "\r\n").encode(encoding)
    decoded = decode_bytes(data, name)
    assert decoded.text == text
    assert subtitles.sniff(decoded.text, name)[0] == 0.95
    assert _rows(subtitles.parse(decoded.text, name)) == _rows(subtitles.parse(text, name))


@pytest.mark.parametrize("name", ["table_ronde.srt", "table_ronde.vtt"])
def test_a_bom_left_in_the_text_changes_nothing(name):
    text = read(SAMPLES / name)
    doc = subtitles.parse("\ufeff" + text, name)
    assert _rows(doc) == _rows(subtitles.parse(text, name))
    check_units(doc)


def test_ruby_annotations_and_language_spans():
    vtt = ("WEBVTT\n\n00:01.000 --> 00:03.000\n"
           "<c.vert>Le <ruby>PUE<rt>pi-ou-i</rt></ruby> du site</c> est de <lang en>one point two</lang>.\n")
    doc = subtitles.parse(vtt, "ruby.vtt")
    assert _rows(doc) == [("Le PUE du site est de one point two.", 1.0, None)]
    check_units(doc)


# -- speakers, pauses, odd input ------------------------------------------------------

def test_every_kind_of_speaker_mark():
    srt = ("1\n00:00:01,000 --> 00:00:02,000\n>> JEANNE ROUX: Le réseau sature.\n\n"
           "2\n00:00:02,500 --> 00:00:04,000\n- MARC : Depuis quand ?\n- Depuis l'été.\n\n"
           "3\n00:00:04,500 --> 00:00:06,000\nPaul Girard : Et les batteries\n"
           "00:00:06,100 --> 00:00:07,000\n-- aident un peu.\n")
    doc = subtitles.parse(srt, "voix.srt")
    assert [(u.text, u.offset, u.author) for u in doc.units] == [
        ("Le réseau sature.", 1.0, "JEANNE ROUX"),
        ("Depuis quand ?", 2.5, "MARC"),
        ("Depuis l'été.", 2.5, None),
        ("Et les batteries -- aident un peu.", 4.5, "Paul Girard"),  # "--" is no dialogue dash
    ]
    vtt = ("WEBVTT\n\n00:01.000 --> 00:03.000\n<v Lina>On démarre <v Omar>les tests ?\n\n"
           "00:03.000 --> 00:05.000\n<v Omar>Oui, ce soir\n\n00:05.000 --> 00:06.000\n<v Omar>après vingt heures.\n")
    doc = subtitles.parse(vtt, "voix.vtt")
    assert [(u.text, u.offset, u.author) for u in doc.units] == [
        ("On démarre", 1.0, "Lina"),
        ("les tests ?", 1.0, "Omar"),
        ("Oui, ce soir après vingt heures.", 3.0, "Omar"),  # the same voice goes on across cues
    ]
    for doc in (subtitles.parse(srt, "voix.srt"), subtitles.parse(vtt, "voix.vtt")):
        check_units(doc)


def test_unpunctuated_cues_are_cut_at_long_pauses():
    srt = ("00:00:01,000 --> 00:00:02,000\non installe les baies\n\n"
           "00:00:02,100 --> 00:00:03,000\npuis le câblage\n\n"
           "00:00:07,000 --> 00:00:08,000\nensuite les tests de charge\n")
    doc = subtitles.parse(srt, "pauses.srt")
    assert _rows(doc) == [("on installe les baies puis le câblage", 1.0, None),
                          ("ensuite les tests de charge", 7.0, None)]  # 4 s of silence before


def test_no_cue_at_all_keeps_the_text_raw():
    doc = subtitles.parse("Une note sans sous-titres.\n\nDeuxième paragraphe.\n", "note.srt")
    assert [(u.kind, u.text) for u in doc.units] == [("raw", "Une note sans sous-titres."),
                                                      ("raw", "Deuxième paragraphe.")]
    assert doc.report.raw == 2
    check_units(doc)


# -- detection -----------------------------------------------------------------

#: The precedence recommended for the registry: subtitles just before transcript.
ORDER = ("chunkfile", "telegram", "meta", "discord", "whatsapp", "subtitles", "transcript", "webchat", "post",
         "markdown", "article", "plaintext")


def _registry() -> dict:
    """The registry with subtitles just before transcript (as it is once registered)."""
    if "subtitles" in LOADERS:
        return dict(LOADERS)
    registry = {}
    for loader_name, loader in LOADERS.items():
        if loader_name == "transcript":
            registry["subtitles"] = subtitles
        registry[loader_name] = loader
    return registry


@pytest.mark.parametrize("path", sorted(SAMPLES.iterdir()), ids=lambda p: p.name)
def test_samples_are_detected_as_subtitles(monkeypatch, path):
    text = read(path)
    assert subtitles.sniff(text, path.name)[0] == 0.95
    assert subtitles.sniff(text, "sans_suffixe.txt")[0] == 0.95
    assert transcript.sniff(text, path.name)[0] < 0.5  # subtitle timing lines are not transcript lines
    monkeypatch.setattr(veille.detect, "LOADERS", _registry())
    assert detect(text, path.name).format == "subtitles"


def test_other_inputs_are_not_subtitles(monkeypatch):
    monkeypatch.setattr(veille.detect, "LOADERS", _registry())
    for path in sorted(CORPUS.glob("*.txt")):
        assert subtitles.sniff(read(path), path.name)[0] == 0.0, path.name
        assert detect(read(path), path.name).format != "subtitles"
    _, text = seed("004")
    assert detect(text, "page.txt").format == "transcript"
    for folder in ("transcript", "whatsapp", "webchat", "article", "post", "markdown", "plaintext"):
        for path in sorted((DATA / folder).glob("*.[tm][xd]*")):  # .txt and .md
            assert subtitles.sniff(read(path), path.name)[0] == 0.0, path


def test_sniff_reasons():
    assert subtitles.sniff("WEBVTT\n\n00:01.000 --> 00:02.000\nBonjour\n", "x") == (0.95, "WEBVTT header")
    assert subtitles.sniff("1\n00:00:01,000 --> 00:00:02,000\nBonjour\n", "x.srt")[0] == 0.9
    assert subtitles.sniff("Bonjour.\n", "x.srt")[0] == 0.3
    assert subtitles.sniff("Un article sur les flèches --> et les minutes 00:01.\n", "x.txt")[0] == 0.0


# -- properties ------------------------------------------------------------------

_VOCABULARY = ("on", "parle", "du", "calcul", "et", "des", "données", "en", "Europe", "les", "centres", "coûtent",
               "cher", "mais", "voilà", "l'énergie", "1,2", "mégawatts", "Oui.", "Donc", "fin.", "vraiment ?",
               "réseau,", "d'accord…", "Marseille")

_cue = st.tuples(
    st.integers(min_value=0, max_value=4000),  # milliseconds of silence before the cue
    st.integers(min_value=300, max_value=4000),  # duration
    st.lists(st.sampled_from(_VOCABULARY), min_size=1, max_size=9),
    st.integers(min_value=0, max_value=8),  # where a second line starts (none when past the end)
)


def _stamp(ms: int, comma: bool = False, short: bool = False) -> str:
    h, m, s, f = ms // 3_600_000, ms // 60_000 % 60, ms // 1000 % 60, ms % 1000
    clock = f"{m:02d}:{s:02d}" if short and not h else f"{h:02d}:{m:02d}:{s:02d}"
    return f"{clock}{',' if comma else '.'}{f:03d}"


def _timed_cues(cues: list, start: int) -> list[tuple[int, int, list[str], int]]:
    now, timed = start, []
    for gap, duration, words, split in cues:
        now += gap
        timed.append((now, now + duration, words, split))
        now += duration
    return timed


def _write(timed: list, vtt: bool, numbers: bool, blanks: int, short: bool) -> tuple[str, dict[int, float]]:
    """Subtitles as text, and the start of the cue each text line belongs to (by line number)."""
    lines = ["WEBVTT", ""] if vtt else []
    starts: dict[int, float] = {}
    for n, (begin, end, words, split) in enumerate(timed, 1):
        if numbers and (blanks or not vtt):
            lines.append(str(n) if not vtt or n % 2 else f"cue-{n}")
        settings = " align:start position:10%" if vtt and n % 3 == 0 else ""
        lines.append(f"{_stamp(begin, not vtt, short)} --> {_stamp(end, not vtt, short)}{settings}")
        for text in (" ".join(words[:split]), " ".join(words[split:])) if 0 < split < len(words) else (" ".join(words),):
            lines.append(text)
            starts[len(lines)] = begin / 1000
        lines += [""] * blanks
    return "\n".join(lines) + "\n", starts


@settings(max_examples=60, deadline=None)
@given(st.lists(_cue, min_size=1, max_size=25), st.integers(min_value=0, max_value=4_000_000),
       st.booleans(), st.booleans(), st.integers(min_value=0, max_value=2), st.booleans())
def test_generated_srt_and_vtt_read_back_word_for_word(cues, start, vtt, numbers, blanks, short):
    timed = _timed_cues(cues, start)
    text, starts = _write(timed, vtt, numbers, blanks, short)
    doc = subtitles.parse(text, "gen.vtt" if vtt else "gen.srt")
    _check(doc, identifiers=frozenset(f"cue-{n}" for n in range(len(timed) + 1)))
    assert [w for u in doc.units for w in _WORD.findall(u.text)] == [
        w for _, _, words, _ in timed for w in _WORD.findall(" ".join(words))]
    offsets = [u.offset for u in doc.units]
    assert offsets == sorted(offsets)
    for unit in doc.units:
        assert unit.offset == starts[unit.line_start]  # the start of the cue the sentence starts in
    assert doc.metadata["subtitle_format"] == ("vtt" if vtt else "srt")
    assert doc.metadata["duration"] == timed[-1][1] / 1000


def _write_youtube(lines: list[list[str]], start: int, gaps: list[int], holds: bool) -> tuple[str, dict[int, float]]:
    """YouTube auto-captions: rolling cues, inline word times, 10 ms hold cues; the time of each word by offset."""
    out = "WEBVTT\nKind: captions\nLanguage: fr\n\n"
    times: dict[int, float] = {}
    shown, now = " ", start
    for words, gap in zip(lines, gaps):
        now += gap
        begin, end = now, now + 250 * len(words) + 100
        out += f"{_stamp(begin)} --> {_stamp(end)} align:start position:0%\n{shown}\n"
        times[len(out)] = begin / 1000
        out += words[0]
        for k, word in enumerate(words[1:], 1):
            at = begin + 250 * k
            out += f"<{_stamp(at)}><c> "
            times[len(out)] = at / 1000
            out += f"{word}</c>"
        shown = " ".join(words)
        out += "\n\n"
        if holds:
            out += f"{_stamp(end)} --> {_stamp(end + 10)} align:start position:0%\n{shown}\n \n\n"
        now = end + 10
    return out, times


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_VOCABULARY), min_size=1, max_size=7), min_size=1, max_size=25),
       st.data(), st.integers(min_value=0, max_value=4_000_000), st.booleans())
def test_generated_youtube_captions_read_back_every_word_once(lines, data, start, holds):
    assume(any(len(words) > 1 for words in lines))  # else no inline time says they are YouTube's
    gaps = data.draw(st.lists(st.integers(min_value=0, max_value=5000), min_size=len(lines), max_size=len(lines)))
    text, times = _write_youtube(lines, start, gaps, holds)
    doc = subtitles.parse(text, "gen.fr.vtt")
    _check(doc)
    assert [w for u in doc.units for w in _WORD.findall(u.text)] == [
        w for words in lines for w in _WORD.findall(" ".join(words))]
    offsets = [u.offset for u in doc.units]
    assert offsets == sorted(offsets)
    for unit in doc.units:
        assert unit.offset == times[unit.start]  # the time of the sentence's first word
    assert doc.metadata["subtitle_format"] == "youtube-vtt"
    assert doc.report.removed == (2 * len(lines) - 1 if holds else len(lines) - 1)
