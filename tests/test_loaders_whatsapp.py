"""WhatsApp exports: own French samples, real exports from other projects, a property test."""

from __future__ import annotations

import builtins
import csv
import json
import re
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veille.detect import detect
from veille.loaders import whatsapp
from veille.read import normalise, read_file

from .loader_checks import (
    DATA,
    check_nothing_dropped,
    check_units,
    collapse,
    uncovered_lines,
)

SAMPLES = DATA / "whatsapp"
REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata"
MINER = REAL / "chat-miner" / "HEAD" / "test" / "whatsapp"
MINER_OLD = REAL / "chat-miner" / "older_6dd0987p" / "test" / "whatsapp"
CHAT_PARSER = REAL / "whatsapp-chat-parser"
CHAT_PARSER_TESTS = CHAT_PARSER / "HEAD" / "tests"
#: The real WhatsApp exports the tests read, relative to ../shared/realdata.
REAL_EXPORTS = [
    *(f"chat-miner/HEAD/test/whatsapp/{name}" for name in (
        "test_[mmddyy]_24hrs.txt", "test_ddmmyy_24hrs.txt", "test_mmddyy_24hrs.txt",
        "test_mmddyyyy_12hrs.txt", "test_yyyymmdd_24hrs.txt")),
    *(f"chat-miner/older_6dd0987p/test/whatsapp/test_{stem}.txt" for stem in (
        "dateformat1", "dateformat2", "dateformat3", "dateformat4", "dateformat5", "dateformat6", "unicode")),
    "chat-miner/older_eeb44bcp/test/whatsapp/testlog.txt",
    "langchain-chat/whatsapp_chat.txt",
    "whatsapp-chat-parser/samples_75f11bd19946ec331c98bfc94792460c8409cc89/samples/short-chat.txt",
]


def load(path: Path):
    doc = whatsapp.parse(read_file(path).text, str(path))
    check_units(doc)
    check_nothing_dropped(doc)
    assert not uncovered_lines(doc)
    return doc


def real(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} not found: the tests need ../shared/realdata beside the project")
    return path


def messages(doc):
    return [u for u in doc.units if u.kind == "message"]


# --- own samples -------------------------------------------------------------------------


def test_android_fr():
    doc = load(SAMPLES / "android_fr.txt")
    kinds = [u.kind for u in doc.units]
    assert kinds == ["system", "system", "system", "message", "message", "message", "message", "message", "system"]
    assert all(u.author is None for u in doc.units if u.kind == "system")
    assert doc.report.authors == ["Camille Roux", "Hugo Martin", "Léa Dubois"]
    assert doc.report.first == "2024-03-12 09:02" and doc.report.last == "2024-03-14 08:16"
    assert doc.report.system == 4 and doc.report.raw == 0
    multi = doc.units[4]
    assert multi.text.startswith("Merci Camille") and multi.text.endswith("On en parle demain ?")
    assert (multi.line_start, multi.line_end) == (5, 7)
    assert doc.units[5].meta == {"attachment": True} and doc.units[5].author == "Léa Dubois"
    assert doc.units[6].meta.get("deleted") is True
    assert doc.units[7].text == "Réunion à 10:30 pour le point hebdomadaire."
    assert doc.units[7].time == datetime(2024, 3, 14, 8, 15)
    assert doc.metadata["date_order"] == "dmy"


def test_ios_fr_with_seconds_and_raw_preamble():
    doc = load(SAMPLES / "ios_fr.txt")
    assert doc.units[0].kind == "raw" and doc.report.raw == 1
    msgs = messages(doc)
    assert [m.author for m in msgs] == ["Camille Roux", "Hugo Martin", "Hugo Martin", "Léa Dubois",
                                        "Camille Roux", "Léa Dubois"]
    assert msgs[0].time == datetime(2024, 2, 5, 8, 30, 12)
    assert msgs[2].meta == {"attachment": True, "file": "00000012-PHOTO-2024-02-05-08-32-03.jpg"}
    assert msgs[3].meta == {"attachment": True} and msgs[3].time == datetime(2024, 2, 6, 14, 5, 33)
    assert msgs[4].text.endswith("- récupération de chaleur")


def test_us_12_hour_month_first():
    doc = load(SAMPLES / "us_12h.txt")
    assert doc.metadata["date_order"] == "mdy"
    assert [u.kind for u in doc.units[:2]] == ["system", "system"]
    times = [m.time for m in messages(doc)]
    assert times == [datetime(2018, 3, 6, 13, 56), datetime(2018, 3, 6, 23, 58), datetime(2018, 3, 7, 0, 5),
                     datetime(2018, 3, 7, 12, 10), datetime(2018, 3, 13, 9, 15)]
    assert messages(doc)[-1].meta == {"attachment": True, "file": "IMG-20180313-WA0001.jpg"}


def test_ambiguous_order_settled_by_one_late_date():
    doc = load(SAMPLES / "ambigu.txt")
    assert doc.metadata["date_order"] == "dmy"
    assert doc.units[0].time == datetime(2023, 2, 1, 10, 0)
    assert doc.units[3].time == datetime(2023, 3, 4, 9, 0)


def test_fully_ambiguous_prefers_french_and_says_so():
    text = "".join(f"0{d}/0{d}/2023, 10:0{d} - Camille: message {d}\n" for d in range(1, 5))
    doc = whatsapp.parse(text, "x.txt")
    assert doc.metadata["date_order"] == "dmy"
    assert any("d/m" in note for note in doc.report.notes)


def test_sniff():
    for path in SAMPLES.glob("*.txt"):
        confidence, reason = whatsapp.sniff(read_file(path).text, path.name)
        assert confidence >= 0.9, (path, reason)
        assert "lines" in reason and "date order" in reason
        assert detect(read_file(path).text, path.name).format == "whatsapp"
    assert whatsapp.sniff("Bonjour.\nUne note sans date.\n", "n.txt")[0] == 0.0


# --- real exports ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["test_[mmddyy]_24hrs.txt", "test_ddmmyy_24hrs.txt", "test_mmddyy_24hrs.txt",
                                  "test_mmddyyyy_12hrs.txt", "test_yyyymmdd_24hrs.txt"])
def test_chat_miner_head(name):
    target = json.loads(real(MINER / "target.json").read_text(encoding="utf-8"))
    doc = load(real(MINER / name))
    # chat-miner drops the one-character message "." and the system lines; it lists newest first.
    got = [(m.time.isoformat(), m.author, collapse(m.text)) for m in messages(doc) if m.text != "."]
    want = [(t["timestamp"], t["author"], collapse(t["message"])) for t in reversed(target)]
    assert got == want
    assert doc.report.system == 2


@pytest.mark.parametrize("number", ["1", "2", "3", "4", "5", "6", "unicode"])
def test_chat_miner_dateformats(number):
    stem = f"test_dateformat{number}" if number != "unicode" else "test_unicode"
    doc = load(real(MINER_OLD / f"{stem}.txt"))
    with real(MINER_OLD / f"{stem}_target.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[::-1]
    # The target names system lines "System" and turns "." into "<Disappearing Message>".
    want = [(r["timestamp"], None if r["author"] == "System" else r["author"], collapse(normalise(r["message"])))
            for r in rows if r["message"] != "<Disappearing Message>"]
    got = [(u.time.strftime("%Y-%m-%d %H:%M:%S"), u.author, collapse(u.text))
           for u in doc.units if u.text != "."]
    assert got == want


def test_langchain_ten_header_styles():
    doc = load(real(REAL / "langchain-chat" / "whatsapp_chat.txt"))
    msgs = messages(doc)
    assert len(msgs) == 10 and doc.report.raw == 0
    assert [m.author for m in msgs] == ["James", "User name", "User 2", "User 1", "User name 2", "User 2",
                                        "User 1", "User 2", "User 3", "User 4"]
    assert msgs[0].time == datetime(2023, 5, 5, 15, 48, 11)
    assert msgs[1].time == datetime(2021, 11, 8, 9, 41, 32)
    assert msgs[3].time == datetime(2023, 1, 23, 3, 22)
    assert msgs[5].time == datetime(2023, 5, 4, 16, 13, 23)
    assert msgs[6].time == datetime(2022, 7, 19, 23, 32)
    assert msgs[8].meta["attachment"] and msgs[9].meta["deleted"]


def test_whatsapp_chat_parser_short_chat():
    found = sorted((REAL / "whatsapp-chat-parser").glob("samples_*/samples/short-chat.txt"))
    assert found, "short-chat.txt not found under ../shared/realdata"
    doc = load(found[0])
    assert [u.kind for u in doc.units] == ["system", "system", "message", "message", "message"]
    # whatsapp-chat-parser reads 06/03/2017 as 6 March 2017 (m/d, the dates then run forward).
    assert doc.units[0].time == datetime(2017, 6, 3, 0, 45)
    assert doc.metadata["date_order"] == "mdy"
    assert [m.author for m in messages(doc)] == ["Sample User", "TestBot", "+410123456789"]
    assert messages(doc)[-1].text == "How are you?\n\nIs everything alright?"


# --- property test -----------------------------------------------------------------------

_NAMES = ["Camille Roux", "Hugo", "Léa Dubois", "+33 6 12 34 56 78", "Zoé 🤓", "Jean-Baptiste Kempf"]
_WORDS = ["bonjour", "cloud", "souverain", "données", "réunion", "demain", "modèle", "ouvert", ":", "!", "?",
          "10h30", "été", "déjà"]


def _fmt(style: str, t: datetime) -> str:
    h12 = t.hour % 12 or 12
    ap = "AM" if t.hour < 12 else "PM"
    yy = t.year % 100
    return {
        "android": f"{t:%d/%m/%Y}, {t:%H:%M} - ",
        "android_fr": f"{t:%d/%m/%Y} à {t:%H:%M} - ",
        "ios": f"[{t:%d/%m/%Y} {t:%H:%M:%S}] ",
        "us": f"{t.month}/{t.day}/{yy:02}, {h12}:{t:%M} {ap} - ",
        "ios_us": f"[{t.month}/{t.day}/{yy:02}, {h12}:{t:%M:%S} {ap}] ",
        "dotted": f"{t:%d.%m.%y} {t:%H.%M.%S}: ",
        "ymd": f"{t:%Y-%m-%d} {t:%H:%M} - ",
        "es": f"{t.day}/{t.month}/{t.year}, {h12}:{t:%M} {'a. m.' if t.hour < 12 else 'p. m.'} - ",
        "dashed": f"{t:%d-%m-%y} {t:%H:%M} - ",
        "spaced": f"{t.day}. {t.month}. {t.year}. {t:%H:%M:%S} ",
        "us_nnbsp": f"{t.month}/{t.day}/{yy:02}, {h12}:{t:%M}\u202f{ap} - ",
        "ios_lrm": f"\u200e[{t:%d/%m/%Y} {t:%H:%M:%S}] ",
    }[style]


_HAS_SECONDS = {"ios", "ios_us", "dotted", "spaced", "ios_lrm"}
_STYLES = ["android", "android_fr", "ios", "us", "ios_us", "dotted", "ymd", "es", "dashed", "spaced", "us_nnbsp",
           "ios_lrm"]
_line = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map(" ".join).filter(lambda s: s[0].isalpha())
_message = st.tuples(
    st.sampled_from(_NAMES),
    st.integers(0, 3 * 365 * 24 * 3600),
    st.lists(_line, min_size=1, max_size=3),
    st.booleans(),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_STYLES), st.lists(_message, min_size=1, max_size=8))
def test_round_trip(style, drawn):
    base = datetime(2020, 2, 1)
    # One early message dated the 25th settles the day/month order for the whole file.
    entries = [("Camille Roux", datetime(2020, 1, 25, 8, 0, 0), ["premier message"], False)]
    for author, seconds, lines, tilde in sorted(drawn, key=lambda d: d[1]):
        entries.append((author, base + timedelta(seconds=seconds), lines, tilde))
    text = ""
    for author, when, lines, tilde in entries:
        shown = f"~ {author}" if tilde else author
        text += _fmt(style, when) + f"{shown}: " + "\n".join(lines) + "\n"
    doc = whatsapp.parse(text, "prop.txt")
    check_units(doc)
    check_nothing_dropped(doc)
    assert whatsapp.sniff(text, "prop.txt")[0] >= (0.9 if len(entries) >= 3 else 0.0)
    msgs = messages(doc)
    assert len(msgs) == len(entries) and doc.report.raw == 0
    for unit, (author, when, lines, _) in zip(msgs, entries, strict=True):
        expected = when if style in _HAS_SECONDS else when.replace(second=0)
        assert (unit.author, unit.time, unit.text) == (author, expected, "\n".join(lines))


# --- 2024 exports: edit markers, media placeholders, invisible characters ------------------


def test_android_fr_2024_edits_and_media():
    doc = load(SAMPLES / "android_fr_2024.txt")
    assert doc.report.system == 3 and doc.report.raw == 0
    msgs = messages(doc)
    edited = [m for m in msgs if m.meta.get("edited")]
    assert [m.time for m in edited] == [datetime(2024, 3, 12, 9, 5), datetime(2024, 3, 12, 9, 12),
                                        datetime(2024, 3, 13, 8, 0)]
    assert "3 messages edited" in doc.report.notes
    for unit in edited:
        assert "modifié" not in unit.text
        assert doc.text[unit.start:unit.end] == unit.text  # the span stops before the marker
    assert edited[1].text.endswith("le refroidissement pèse 40 %.") and edited[1].line_end == 11
    files = [(m.meta.get("attachment"), m.meta.get("file")) for m in msgs if m.meta.get("attachment")]
    assert files == [(True, "IMG-20240312-WA0001.jpg"), (True, None), (True, "Rapport_RTE_2024.pdf"),
                     (True, None), (True, "STK-20240312-WA0003.webp")]
    assert msgs[1].text.endswith("Le graphique de RTE dont je parlais.")
    assert [m.meta for m in msgs if m.meta.get("deleted")] == [{"deleted": True}]


def test_ios_fr_2024_marks_narrow_spaces_and_tilde_contacts():
    raw = (SAMPLES / "ios_fr_2024.txt").read_text(encoding="utf-8")
    assert "\u200e[" in raw and "~\u202fLéa" in raw  # the sample holds what WhatsApp writes
    doc = load(SAMPLES / "ios_fr_2024.txt")
    assert [u.kind for u in doc.units[:2]] == ["system", "system"]
    assert doc.units[0].meta == {"by": "Veille souveraineté"}
    msgs = messages(doc)
    assert {m.author for m in msgs} == {"Camille Roux", "Léa Dubois", "Hugo Martin"}
    assert msgs[1].text == "Merci, je le lis ce soir." and msgs[1].meta == {"edited": True}
    assert msgs[2].meta == {"attachment": True, "file": "00000014-PHOTO-2024-03-12-09-08-15.jpg"}
    assert [m.text for m in msgs[3:6]] == ["image absente", "vidéo absente", "autocollant omis"]
    assert all(m.meta == {"attachment": True} for m in msgs[3:6])
    assert msgs[6].meta["file"] == "00000017-Rapport ANSSI.pdf"
    assert msgs[7].text == "La version corrigée :\nle rapport sort en avril, pas en mars."
    assert msgs[8].meta == {"deleted": True} and msgs[8].time == datetime(2024, 3, 13, 8, 31, 12)
    assert "2 messages edited" in doc.report.notes


# Each sample: day/month order, first and last message time, number of messages.
FORMAT_SAMPLES = {
    "us_12h_nnbsp.txt": ("mdy", datetime(2024, 3, 12, 9, 5), datetime(2024, 3, 13, 0, 5), 5),
    "es_ampm_fr.txt": ("dmy", datetime(2024, 3, 12, 9, 5), datetime(2024, 3, 13, 20, 45), 4),
    "dotted_2digit.txt": ("dmy", datetime(2024, 3, 12, 14, 5), datetime(2024, 3, 13, 9, 30), 4),
    "dashed_4digit.txt": ("dmy", datetime(2024, 3, 12, 14, 5), datetime(2024, 3, 14, 8, 15), 3),
    "ios_dotted_4digit.txt": ("dmy", datetime(2024, 3, 12, 14, 5, 33), datetime(2024, 3, 15, 18), 3),
    "ymd.txt": ("ymd", datetime(2024, 3, 12, 14, 5), datetime(2024, 3, 13, 9), 3),
}


@pytest.mark.parametrize("name", sorted(FORMAT_SAMPLES))
def test_header_formats(name):
    order, first, last, count = FORMAT_SAMPLES[name]
    doc = load(SAMPLES / name)
    msgs = messages(doc)
    assert doc.metadata["date_order"] == order
    assert (msgs[0].time, msgs[-1].time, len(msgs)) == (first, last, count)
    assert doc.report.raw == 0 and not any(":" in (m.author or "") for m in msgs)
    assert all(m.author and m.author[0] not in "~ " for m in msgs)


@pytest.mark.parametrize(("marker", "locale"), [
    ("<Ce message a été modifié>", "fr"), ("<This message was edited>", "en"),
    ("<Este mensaje fue editado>", "es"), ("<Se editó este mensaje.>", "es"),
    ("<Diese Nachricht wurde bearbeitet>", "de"), ("<Questo messaggio è stato modificato>", "it"),
    ("<Esta mensagem foi editada>", "pt"), ("\u200e<Ce message a été modifié>", "fr, raw LRM"),
])
def test_edit_markers(marker, locale):
    text = (f"12/03/2024 09:05 - Camille Roux: Rendez-vous à 10 h. {marker}\n"
            f"12/03/2024 09:06 - Hugo Martin: Deux lignes :\nla seconde corrigée {marker}\n"
            "12/03/2024 09:07 - Léa Dubois: J'ai modifié le message précédent.\n")
    doc = whatsapp.parse(text, "edits.txt")
    check_units(doc)
    assert [m.text for m in doc.units] == ["Rendez-vous à 10 h.", "Deux lignes :\nla seconde corrigée",
                                           "J'ai modifié le message précédent."]
    assert [m.meta.get("edited", False) for m in doc.units] == [True, True, False]
    assert [text[u.start:u.end] for u in doc.units] == [u.text for u in doc.units]
    assert "2 messages edited" in doc.report.notes


def test_edit_marker_alone_stays_text():
    doc = whatsapp.parse("12/03/2024 09:05 - Camille Roux: <Ce message a été modifié>\n", "x.txt")
    assert doc.units[0].text == "<Ce message a été modifié>" and "edited" not in doc.units[0].meta
    assert not any("edited" in note for note in doc.report.notes)


@pytest.mark.parametrize(("body", "file"), [
    ("<Médias omis>", None), ("<Media omitted>", None), ("<Fichier omis>", None),
    ("<attached: 00000012-PHOTO-2024-03-12-14-05-33.jpg>", "00000012-PHOTO-2024-03-12-14-05-33.jpg"),
    ("<pièce jointe : 00000013-Compte rendu.pdf>", "00000013-Compte rendu.pdf"),
    ("IMG-20240312-WA0001.jpg (fichier joint)", "IMG-20240312-WA0001.jpg"),
    ("IMG-20240312-WA0001.jpg (file attached)", "IMG-20240312-WA0001.jpg"),
    ("PTT-20240312-WA0002.opus (fichier joint)", "PTT-20240312-WA0002.opus"),
    ("2015-08-04-PHOTO-00004762.jpg <attached>", "2015-08-04-PHOTO-00004762.jpg"),
    ("4f2680f1db95a8454775cc2eefc95bfc.jpg (Datei angehängt)", "4f2680f1db95a8454775cc2eefc95bfc.jpg"),
    ("image absente", None), ("\u200evidéo absente", None), ("vidéo absente", None), ("audio omis", None),
    ("document omitted", None), ("sticker omitted", None), ("autocollant omis", None), ("GIF omitted", None),
    ("<Medien ausgeschlossen>", None), ("<Multimedia omitido>", None),
])
def test_media_placeholders(body, file):
    doc = whatsapp.parse(f"12/03/2024 14:05 - Léa Dubois: {body}\n", "media.txt")
    check_units(doc)
    want = {"attachment": True, "file": file} if file else {"attachment": True}
    assert doc.units[0].meta == want


@pytest.mark.parametrize("body", [
    "La vidéo absente de la réunion, on la retrouve ?", "J'ai omis une image dans le rapport.",
    "Voir rapport.pdf page 3", "Le sticker était drôle",
])
def test_no_attachment_in_ordinary_messages(body):
    doc = whatsapp.parse(f"12/03/2024 14:05 - Léa Dubois: {body}\n", "media.txt")
    assert doc.units[0].meta == {}


# --- streaming -----------------------------------------------------------------------------


def stream_matches_parse(path: Path) -> list:
    """Units of ``iter_messages(path)``, checked equal to those of ``parse`` on the decoded file."""
    doc = whatsapp.parse(read_file(path).text, str(path))
    streamed = list(whatsapp.iter_messages(path))
    assert streamed == doc.units
    return streamed


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.txt")))
def test_stream_equals_parse_samples(name):
    assert stream_matches_parse(SAMPLES / name)


@pytest.mark.parametrize("relative", REAL_EXPORTS)
def test_stream_equals_parse_real_exports(relative):
    assert stream_matches_parse(real(REAL / relative))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le", "utf-8-sig", "cp1252"])
def test_stream_equals_parse_encodings(tmp_path, encoding):
    text = (SAMPLES / "android_fr.txt").read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / f"export-{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    units = stream_matches_parse(path)
    assert units[3].author == "Camille Roux" and units[3].text.startswith("Bonjour à tous")
    if encoding.startswith("utf-16"):
        assert read_file(path).encoding.startswith("utf-16")


def test_stream_equals_parse_after_normalisation(tmp_path):
    """Offsets count characters after NFC, mark removal and newline folding, in both paths."""
    text = ("\ufeff\u200e[12/03/2024 09:05:40] ~\u202fCamille Roux: Ce\u0301line a \u00e9crit\u00a0:\r\n"
            "ligne suivante \u200bavec espace\u00a0insécable\r"
            "\u200e[12/03/2024 09:06:00] Hugo Martin: d\u00c3\u00a9j\u00c3\u00a0 vu "
            "<Ce message a \u00e9t\u00e9 modifi\u00e9>\n"
            "\n"
            "[12/03/2024 09:07:00] L\u00e9a Dubois: fin\x07 du fil\n")
    path = tmp_path / "messy.txt"
    path.write_bytes(text.encode("utf-8"))
    units = stream_matches_parse(path)
    assert [u.author for u in units] == ["Camille Roux", "Hugo Martin", "Léa Dubois"]
    assert units[0].text == "Céline a écrit :\nligne suivante avec espace insécable"
    assert units[1].text == "déjà vu" and units[1].meta == {"edited": True}
    assert (units[2].line_start, units[2].start) == (5, read_file(path).text.index("fin du fil"))


def big_export(path: Path, count: int) -> Path:
    """A French Android export of ``count`` messages, one in five on two lines."""
    start = datetime(2024, 1, 1, 8, 0)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            when = start + timedelta(minutes=7 * i)
            handle.write(f"{when:%d/%m/%Y} à {when:%H:%M} - Personne {i % 17}: message numéro {i} sur "
                         "la souveraineté numérique et l'énergie des centres de données\n")
            if i % 5 == 0:
                handle.write("suite du message, avec une seconde ligne un peu plus longue\n")
    return path


def test_iter_messages_is_lazy(tmp_path, monkeypatch):
    path = big_export(tmp_path / "big.txt", 20_000)
    size = path.stat().st_size
    opened = []

    def spy_open(file, mode="r", *args, **kwargs):
        handle = builtins.open(file, mode, *args, **kwargs)  # noqa: SIM115 - the loader closes it
        if "b" not in mode:
            opened.append(handle)
        return handle

    monkeypatch.setattr(whatsapp, "open", spy_open, raising=False)
    units = whatsapp.iter_messages(path)
    assert opened == []  # nothing is read before the first unit is asked for
    first = next(units)
    assert first.text.startswith("message numéro 0") and first.line_end == 2
    assert len(opened) == 2 and opened[0].closed  # pass 1 read the whole file, pass 2 has just begun
    assert opened[1].buffer.tell() < size / 50, (opened[1].buffer.tell(), size)
    units.close()


def test_iter_messages_memory_is_flat(tmp_path):
    peaks = {}
    for count in (2_000, 10_000):
        path = big_export(tmp_path / f"export-{count}.txt", count)
        tracemalloc.start()
        try:
            seen = sum(1 for _ in whatsapp.iter_messages(path))
            peaks[count] = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert seen == count
    size = path.stat().st_size
    assert peaks[10_000] < size / 20, (peaks, size)
    assert peaks[10_000] < 1.5 * peaks[2_000] + 50_000, peaks  # five times the file, not more memory


# --- whatsapp-chat-parser's own cases, read from its TypeScript tests ----------------------
# ../shared/realdata/whatsapp-chat-parser/HEAD/tests (MIT): one-line headers of many locales with the
# date, author and message that project expects. The cases are extracted at test time, not copied.

_LIT = r"'(?:[^'\\]|\\.)*'"  # a single-quoted TypeScript string


def js(literal: str) -> str:
    """The value of a single-quoted TypeScript string literal (quotes included)."""
    escapes = {"n": "\n", "t": "\t", "r": "\r"}
    return re.sub(r"\\u([0-9a-fA-F]{4})|\\(.)",
                  lambda m: chr(int(m[1], 16)) if m[1] else escapes.get(m[2], m[2]), literal[1:-1])


def ts_source(name: str) -> str:
    return real(CHAT_PARSER_TESTS / name).read_text(encoding="utf-8")


def parse_lines(text: str):
    """``text`` as the loader receives it from a file (normalised), parsed and checked."""
    doc = whatsapp.parse(normalise(text), "case.txt")
    check_units(doc)
    assert not uncovered_lines(doc)
    return doc


def header_format_cases() -> list[tuple[str, bool, datetime]]:
    """(line, system, expected datetime) of parser.test.ts's "formats" cases."""
    source = ts_source("parser.test.ts")
    lines = {name: (system == "true", js(msg)) for name, system, msg in
             re.findall(rf"const (\w+) = \[\{{ system: (true|false), msg: ({_LIT}) \}}\];", source)}
    parsed = dict(re.findall(r"const (\w+) = parseMessages\((\w+)\);", source))
    expected = {name: js(value) for name, value in re.findall(rf"const (expected\w*) = ({_LIT});", source)}
    return [(lines[parsed[p]][1], lines[parsed[p]][0], datetime.fromisoformat(expected[e].removesuffix("Z")))
            for p, e in re.findall(r"expect\((\w+)\[0\]\.date\.toISOString\(\)\)\.toBe\((\w+)\);", source)]


def test_chat_parser_header_formats():
    cases = header_format_cases()
    assert len(cases) >= 12, "parser.test.ts changed shape: the format cases were not found"
    for line, system, when in cases:
        doc = parse_lines(line)
        assert len(doc.units) == 1, (line, doc.units)
        unit = doc.units[0]
        assert (unit.kind, unit.time) == ("system" if system else "message", when), line
        assert normalise(line).endswith(f"{unit.author}: {unit.text}"), (line, unit)


_GETTERS = {"FullYear": "year", "Month": "month", "Date": "day", "Hours": "hour", "Minutes": "minute",
            "Seconds": "second"}


def single_message_cases() -> list[tuple[str, bool, dict[str, object]]]:
    """(line, system, expectations) for parser.test.ts's parseMessages blocks on one literal message."""
    source = ts_source("parser.test.ts")
    token = re.compile(rf"system: (true|false), msg: ({_LIT})"
                       r"|parsed\[0\]\.date\.get(\w+)\(\)\)\.toBe\((\d+)\)"
                       rf"|parsed\[0\]\.(author|message)\)\.toBe\((null|{_LIT})\)")
    cases: list[tuple[str, bool, dict[str, object]]] = []
    for system, msg, getter, number, field, value in token.findall(source):
        if msg:
            cases.append((js(msg), system == "true", {}))
        elif getter:
            cases[-1][2][_GETTERS[getter]] = int(number) + (getter == "Month")  # getMonth counts from 0
        else:
            cases[-1][2][field] = None if value == "null" else js(value)
    return [case for case in cases if case[2]]


def test_chat_parser_single_messages():
    cases = single_message_cases()
    assert len(cases) >= 2 and all(len(want) == 8 for _, _, want in cases), cases
    for line, system, want in cases:
        unit = parse_lines(line).units[0]
        assert unit.kind == ("system" if system else "message"), line
        got = {name: getattr(unit.time, name) for name in _GETTERS.values()}
        got.update(author=unit.author, message=unit.text)
        assert got == want, line


def merge_cases() -> list[tuple[list[str], str, str]]:
    """(lines, field, expected) of parser.test.ts's makeArrayOfMessages cases."""
    source = ts_source("parser.test.ts")
    arrays = {name: [js(s) for s in re.findall(_LIT, body)] for name, body in
              re.findall(rf"const (\w+) = \[((?:\s*{_LIT},?)+)\s*\];", source)}
    found = re.findall(rf"makeArrayOfMessages\(\s*(\w+)(?:\.concat\(({_LIT})\))?\s*\)\[0\]\s*\.(msg|system),?\s*\)"
                       rf"\.toBe\(\s*({_LIT}|true|false)", source)
    return [(arrays[name] + ([js(extra)] if extra else []), field, value) for name, extra, field, value in found]


def test_chat_parser_multiline_and_system():
    cases = merge_cases()
    assert len(cases) >= 6, cases
    for lines, field, value in cases:
        doc = parse_lines("\n".join(lines))
        assert len(doc.units) == 1, lines
        unit = doc.units[0]
        assert (unit.line_start, unit.line_end) == (1, len(lines))  # continuation lines stay in the message
        if field == "msg":
            assert js(value) == "\n".join(lines) and js(value).endswith(unit.text), (lines, unit.text)
        else:
            assert unit.kind == ("system" if value == "true" else "message"), lines


def test_chat_parser_attachments():
    source = ts_source("parser.test.ts")
    block = source[source.index("describe('parseAttachments'"):]
    strings = {name: js(value) for name, value in re.findall(rf"const (\w+) =\s*({_LIT});", block)}
    entries = [strings[e] if e in strings else js(e)
               for e in re.findall(rf"\{{ system: (?:true|false), msg: (\w+|{_LIT}) \}}", block)]
    files = {int(i): js(name) for i, name in
             re.findall(rf"parsedWithAttachments\[(\d+)\]\?\.attachment\?\.fileName\)\.toBe\(\s*({_LIT})", block)}
    plain = [int(i) for i in re.findall(r"parsedWithAttachments\[(\d+)\]\.attachment\)\.toBeUndefined", block)]
    assert len(files) >= 4 and plain, (files, plain)
    for i, name in files.items():
        assert parse_lines(entries[i]).units[0].meta == {"attachment": True, "file": name}, entries[i]
    for i in plain:
        assert "attachment" not in parse_lines(entries[i]).units[0].meta, entries[i]


def date_order_cases() -> list[tuple[str, list[tuple[int, int, int]], str]]:
    """(check, [first, second, year] dates, expected) of date.test.ts's order checks."""
    cases = []
    for block in re.split(r"describe\('", ts_source("date.test.ts"))[1:]:
        arrays = {name: [tuple(map(int, t)) for t in re.findall(r"\[(\d+), (\d+), (\d+)\]", body)]
                  for name, body in re.findall(r"const (\w+) = \[((?:\s*\[\d+, \d+, \d+\],?)+)\s*\];", block)}
        for check, name, result in re.findall(r"expect\((\w+)\((\w+)\)\)\.toBe\((true|false|null)\)", block):
            cases.append((check, arrays[name], result))
    return cases


def test_chat_parser_day_month_order():
    """true: days first; false: months first; null: that check alone cannot tell."""
    cases = date_order_cases()
    assert {check for check, _, _ in cases} >= {"checkAbove12", "checkDecreasing", "changeFrequencyAnalysis"}
    assert len(cases) >= 12, cases
    for check, dates, result in cases:
        text = "".join(f"{a:02}/{b:02}/{year}, 10:00 - Camille: message {i}\n"
                       for i, (a, b, year) in enumerate(dates))
        doc = parse_lines(text)
        if result == "null":  # no field above 12 in these dates: veille must say it guessed
            assert any("ambiguous" in note for note in doc.report.notes), (check, dates)
        else:
            assert doc.metadata["date_order"] == ("dmy" if result == "true" else "mdy"), (check, dates)


def test_chat_parser_year_first_dates():
    source = ts_source("date.test.ts")
    triple = r"\['(\d+)', '(\d+)', '(\d+)'\]"
    named = {name: tuple(parts) for name, *parts in re.findall(rf"const (\w+) = {triple};", source)}
    found = re.findall(r"normalizeDate\('(\d+)', '(\d+)', '(\d+)'\)\)\.toEqual\((\w+)\)", source)
    # A two-digit year written first ('11', '3', '4') cannot be told from a day; WhatsApp writes four digits.
    cases = [(year, month, day, named[name]) for year, month, day, name in found if len(year) == 4]
    assert cases, found
    for year, month, day, want in cases:
        unit = parse_lines(f"{year}-{month}-{day} 10:00 - a: m").units[0]
        assert unit.time.date() == datetime(*map(int, want)).date()


def test_chat_parser_clock_cases():
    source = ts_source("time.test.ts")
    twelve = re.findall(r"convertTime12to24\('([\d:]+)', '(AM|PM)'\)\)\.toBe\('([\d:]+)'\)", source)
    ampm = re.findall(r"normalizeAMPM\('([^']+)'\)\)\.toBe\('(AM|PM)'\)", source)
    padded = re.findall(r"normalizeTime\('([\d:]+)'\)\)\.toBe\('([\d:]+)'\)", source)
    assert len(twelve) >= 6 and len(ampm) >= 8 and len(padded) >= 3, (twelve, ampm, padded)
    for clock, half, want in twelve:
        unit = parse_lines(f"12/03/2024, {clock} {half} - a: m").units[0]
        assert unit.time.strftime("%H:%M:%S")[:len(want)] == want, (clock, half)
    for written, half in ampm:
        unit = parse_lines(f"12/03/2024, 1:00 {written} - a: m").units[0]
        assert unit.time.hour == (1 if half == "AM" else 13), written
    for clock, want in padded:
        unit = parse_lines(f"12/03/2024, {clock} - a: m").units[0]
        assert unit.time.strftime("%H:%M:%S") == want, clock


_PIECES = ["12/03/2024 à 09:05 - ", "[13/03/2024 10:00:01] ", "3/14/24, 9:05\u202fPM - ", "2024-03-15 08:00 - ",
           "Camille Roux: ", "~\u202fLéa: ", "bonjour ", "Ce\u0301line ", "d\u00c3\u00a9j\u00c3\u00a0 ", "\u200e",
           "\u00a0", "\u200b", "\ufeff", "\x07", "\t", "\n", "\r\n", "\r", "<Ce message a été modifié>",
           "<Médias omis>", "45/03/2024 09:05 - x: y", ":", " "]


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=40).map("".join).filter(str.strip),
       st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_stream_equals_parse_on_any_text(text, encoding):
    with TemporaryDirectory() as folder:
        path = Path(folder) / "export.txt"
        path.write_bytes(text.encode(encoding))
        if not read_file(path).text.strip():
            return  # read_file refuses a file of invisible characters; nothing to compare
        stream_matches_parse(path)


def test_ios_group_events_written_under_the_group_name_are_system_lines():
    doc = load(SAMPLES / "ios_groupe_systeme.txt")
    kinds = [(u.kind, u.author) for u in doc.units]
    assert kinds == [("system", None), ("system", None), ("system", None), ("message", "Camille Martin"),
                     ("system", None), ("message", "Karim Benali"), ("system", None)]
    assert all(u.meta["by"] == "Groupe Veille IA" for u in doc.units if u.kind == "system")
    assert doc.units[4].text == "Camille Martin a ajouté Karim Benali"
    assert doc.report.authors == ["Camille Martin", "Karim Benali"]
    assert (doc.report.messages, doc.report.system) == (2, 5)


def test_signal_desktop_text_export_reads_like_a_whatsapp_one():
    """chat-miner's Signal sample ("[2019-12-24, 12:23] Name: text") against its expected parse."""
    folder = real(REAL / "chat-miner" / "HEAD" / "test" / "signal")
    doc = load(folder / "test_export.txt")
    target = json.loads((folder / "target.json").read_text(encoding="utf-8"))
    got = sorted((u.time.isoformat(), u.author, " ".join(u.text.split())) for u in doc.units)
    want = sorted((t["timestamp"], t["author"], t["message"]) for t in target)
    assert got == want


def test_semicolons_between_date_and_time_or_before_the_author():
    doc = load(SAMPLES / "separateurs_point_virgule.txt")
    assert [(u.author, u.time.strftime("%d/%m %H:%M")) for u in doc.units] == [
        ("Camille Martin", "12/03 14:05"), ("Karim Benali", "12/03 14:07"), ("Léa Dubois", "12/03 14:09")]
    assert doc.units[0].text == "Point sur la consommation : 3,5 % du total."
