"""Timestamped transcripts: fragments re-flowed into sentences that keep their start time."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from veille.loaders import reflow, transcript

from .loader_checks import DATA, check_nothing_dropped, check_units, read, seed

GLUED = re.compile(r"\d{1,2}:\d\d")


def _parse_seed():
    path, text = seed("004")
    return transcript.parse(text, str(path))


def _sentences(doc):
    return [u for u in doc.units if u.kind == "sentence"]


def test_seed_period_comes_from_unit_offsets():
    doc = _parse_seed()
    sentences = _sentences(doc)
    assert sentences[0].offset == 0.0
    assert max(u.offset for u in sentences) == 3035.0  # 50:35
    assert doc.report.first == "00:00:00"
    assert doc.report.last == "00:50:35"


def test_seed_participants_host_then_guests():
    doc = _parse_seed()
    assert doc.participants == ["Frédéric Simottel", "Jean-Baptiste Kempf", "Tristan Nitot", "Clément David"]


def test_seed_description_kept():
    doc = _parse_seed()
    assert doc.metadata["description"].startswith("Ce mercredi 12 novembre, Frédéric Simottel a reçu")
    assert doc.units[0].meta.get("description") is True


def test_seed_page_chrome_removed_and_counted():
    doc = _parse_seed()
    for unit in doc.units:
        for chrome in ("Recommandations", "TVTranscription", "Catégorie", "il y a 2 jours", "À suivre"):
            assert chrome not in unit.text
        assert "54:55" not in unit.text and "1:17:57" not in unit.text
    assert doc.report.removed > 20
    check_nothing_dropped(doc)


def test_seed_no_timestamps_left_in_units():
    doc = _parse_seed()
    for unit in doc.units:
        assert not GLUED.search(unit.text), unit.text


SPOT_CHECKS = {
    "Tech & Co, la quotidienne, le débrief de la tech.": 0,
    "Jean-Baptiste Kempf, bonsoir Jean-Baptiste.": 39,
    "Bonsoir Clément.": 73,
    "Avec plaisir.": 76,
    "Et avec nous, Tristan Nito.": 116,
    "Google lui préfère l'Allemagne, il va investir 5 milliards et demi.": 142,
    "Là, on est vraiment dans un mode vertical.": 153,
    "Il y a deux éléments.": 230,
    "Qu'est-ce qui bloque en premier ?": 987,
    "Yann Lequin, donc Yann Lequin, français.": 1552,
}


def test_seed_spot_checked_sentences_start_at_their_time():
    doc = _parse_seed()
    by_text = {u.text: u for u in _sentences(doc)}
    for sentence, seconds in SPOT_CHECKS.items():
        assert by_text[sentence].offset == float(seconds), sentence


#: Sentences from the whole show (by their opening words) and the time of the fragment each starts in,
#: read off the seed: beginning, middle, the unpunctuated last third, the end.
SPOT_CHECKS_ACROSS_THE_SHOW = {
    "Comment il faut voir ça ?": 172,  # 02:52, after "Tiens, ils sont là sur le..."
    "Ce n'est pas un facteur de décision.": 254,  # 04:14
    "Il a beaucoup de proches.": 1550,  # 25:50
    "Messieurs, on va revenir sur le départ.": 1538,  # 25:38, two fragments
    "Deux visions du futur de l'intelligence artificielle qui sont devenues en fait irréconciliables.": 1585,
    "Mais ça changera quoi sur le business de méta en vrai ?": 2002,  # 33:22
    "66 ans.": 2012,  # 33:32, "33:3266 ans." — the digits glued to the timestamp
    "66 ans, je ne sais pas combien": 2013,  # 33:33
    "Je pense que c'est toujours pareil": 2367,  # 39:27, unpunctuated speech after "C'est bon ?"
    "non non non si tu peux acheter": 2998,  # 49:58, after "tu le vends encore ?"
}


def test_seed_spot_checked_sentences_across_the_show_start_at_their_time():
    sentences = _sentences(_parse_seed())
    for opening, seconds in SPOT_CHECKS_ACROSS_THE_SHOW.items():
        found = [u for u in sentences if u.text == opening or u.text.startswith(opening + " ")]
        assert len(found) == 1, (opening, [u.text for u in found])
        assert found[0].offset == float(seconds), opening
    assert (sentences[-1].text, sentences[-1].offset) == ("BFM Business", 3035.0)  # 50:35, the last line


def test_seed_units_point_at_the_source():
    doc = _parse_seed()
    check_units(doc)
    offsets = [u.offset for u in _sentences(doc)]
    assert offsets == sorted(offsets)
    assert all(len(u.text.split()) <= reflow.MAX_WORDS + 15 for u in _sentences(doc))
    multi = [u for u in _sentences(doc) if u.line_end > u.line_start]
    assert multi, "fragments are re-flowed across lines"


def test_sample_with_speaker_labels_and_hours():
    path = DATA / "transcript" / "podcast_souverainete.txt"
    doc = transcript.parse(read(path), str(path))
    assert doc.participants == ["Claire Dubreuil", "Marc Lefèvre", "Sofia Haddad", "Paul Girard"]
    units = {u.text: u for u in _sentences(doc)}
    assert units["Merci Claire."].author == "Marc Lefèvre"
    assert units["Merci Claire."].offset == 9.0
    assert units["Je suis d'accord, mais il faut parler d'argent."].meta == {"speaker_change": True}
    assert units["Je suis d'accord, mais il faut parler d'argent."].author is None
    assert units["Et l'énergie ?"].author == "Sofia Haddad"
    assert units["Merci pour votre écoute et à bientôt."].offset == 3602.0
    assert not any("Épisodes similaires" in u.text or "Transcription" == u.text for u in doc.units)
    assert doc.report.removed == 6
    check_units(doc)
    check_nothing_dropped(doc)


def _sample_rows(name: str):
    path = DATA / "transcript" / name
    doc = transcript.parse(read(path), str(path))
    check_units(doc)
    check_nothing_dropped(doc)
    return doc, [(u.text, u.offset, u.author) for u in _sentences(doc)]


def test_youtube_copy_with_timestamps_above_their_words():
    doc, rows = _sample_rows("youtube_copie.txt")
    assert rows == [
        ("Bonjour à tous et bienvenue dans cette émission sur l'énergie du numérique.", 0.0, None),
        ("Aujourd'hui, on parle des centres de données qui poussent autour de Paris.", 7.0, None),
        ("Ils consomment autant qu'une ville moyenne.", 10.0, None),  # starts inside the 0:10 fragment
        ("Merci de m'accueillir.", 18.0, "Karim Benali"),
        ("Et la chaleur, on en fait quoi ?", 21.0, None),
        ("On la revend au réseau de chaleur urbain.", 3598.0, None),  # 59:58
        ("C'est déjà le cas à Saclay.", 3603.0, None),  # 1:00:03
        ("Merci à vous et à la semaine prochaine.", 3723.0, None),  # 1:02:03
    ]
    assert _sentences(doc)[4].meta == {"speaker_change": True}
    assert doc.report.removed == 11  # "Transcription" and the 10 timestamps on their own line
    assert doc.participants == ["Karim Benali"]
    assert (doc.report.first, doc.report.last) == ("00:00:00", "01:02:03")


def test_timestamp_and_space_before_the_words():
    doc, rows = _sample_rows("horodatage_espace.txt")
    assert rows == [
        ("Bienvenue dans Watt & Data.", 0.0, None),
        ("Cette semaine, on parle de la chaleur que rejettent les serveurs.", 3.0, None),
        ("Elle est souvent perdue.", 6.0, None),
        ("Pourtant, elle pourrait chauffer des piscines ou des logements.", 10.0, None),
        ("Pour conclure, la sobriété reste la première source d'économies.", 3597.0, None),
        ("Merci de nous avoir écoutés.", 3723.0, None),
    ]
    assert doc.title.startswith("Podcast Watt & Data, épisode 7")


def test_bracketed_timestamps():
    _, rows = _sample_rows("horodatage_crochets.txt")
    assert rows == [
        ("Bonjour, ici Lucie Perrin.", 0.0, None),
        ("Je suis ingénieure en efficacité énergétique.", 2.0, None),
        ("Mon travail consiste à mesurer la consommation réelle des baies de serveurs.", 5.0, None),
        ("Parfois, on découvre des surprises.", 75.0, None),
        ("Des machines allumées qui ne servent plus à rien.", 75.0, None),
        ("À bientôt.", 3723.0, None),
    ]


def test_timestamps_glued_to_the_words():
    doc, rows = _sample_rows("horodatage_colle.txt")
    assert rows == [
        ("Bonsoir et bienvenue.", 0.0, None),
        ("On commence par les chiffres.", 2.0, None),
        ("Un gigawatt, c'est à peu près la puissance d'un réacteur nucléaire.", 4.0, None),
        ("Et le chantier coûte plusieurs milliards d'euros.", 9.0, None),
        ("Il faut aussi compter le réseau électrique qui doit suivre.", 3598.0, None),
        ("Bonne soirée.", 3723.0, None),
    ]
    assert doc.report.removed == 2  # "Catégorie", "À suivre"


def test_subtitle_files_are_not_transcript_lines():
    for path in sorted((DATA / "subtitles").iterdir()):
        confidence, reason = transcript.sniff(read(path), path.name)
        assert confidence == 0.0, path.name
        assert "subtitle" in reason


def test_sniff():
    _, text = seed("004")
    confidence, reason = transcript.sniff(text, "page.txt")
    assert confidence > 0.9
    assert "timestamp" in reason
    assert transcript.sniff("Un article.\n\nSans horodatage.", "a.txt")[0] == 0.0


# -- properties --------------------------------------------------------------

_WORDS = ("on", "parle", "de", "calcul", "et", "des", "données", "en", "europe", "avec", "les",
          "centres", "souverains", "qui", "coûtent", "cher", "mais", "voilà")
_fragment = st.tuples(
    st.integers(min_value=0, max_value=9),  # seconds since the previous fragment
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6),
    st.sampled_from(["", "", ",", ".", " ?", "…"]),
    st.sampled_from(["{t}{x}", "{t} {x}", "[{t}] {x}"]),
)


def _stamp(seconds: int) -> str:
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


@settings(max_examples=80, deadline=None)
@given(st.lists(_fragment, min_size=1, max_size=40), st.integers(min_value=0, max_value=4000))
def test_generated_fragments_reflow_without_loss(fragments, start):
    lines, times, words = [], [], []
    now = start
    for gap, ws, end, layout in fragments:
        now += gap
        lines.append(layout.format(t=_stamp(now), x=" ".join(ws) + end))
        times.append(float(now))
        words += ws
    description = "Une émission présentée par Léa Fontaine sur le calcul et les centres de données."
    text = description + "\n" + "\n".join(lines) + "\n12:00\nÀ suivre\n"
    doc = transcript.parse(text, "gen.txt")
    check_units(doc)
    check_nothing_dropped(doc)
    sentences = _sentences(doc)
    assert [w for u in sentences for w in re.findall(r"\w+", u.text)] == words
    for unit in sentences:
        assert unit.offset == times[unit.line_start - 2]  # the fragment the sentence starts in
        assert not GLUED.search(unit.text)
    assert doc.report.removed == 2
    assert doc.metadata["description"] == description
    assert doc.participants == ["Léa Fontaine"]
