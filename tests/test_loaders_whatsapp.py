"""WhatsApp exports: own French samples, real exports from other projects, a property test."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

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
_WORDS = ["bonjour", "cloud", "souverain", "données", "réunion", "demain", "modèle", "ouvert", ":", "!", "?", "10h30", "été", "déjà"]


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
    }[style]


_HAS_SECONDS = {"ios", "ios_us", "dotted"}
_line = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map(" ".join).filter(lambda s: s[0].isalpha())
_message = st.tuples(
    st.sampled_from(_NAMES),
    st.integers(0, 3 * 365 * 24 * 3600),
    st.lists(_line, min_size=1, max_size=3),
    st.booleans(),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["android", "android_fr", "ios", "us", "ios_us", "dotted", "ymd", "es"]),
       st.lists(_message, min_size=1, max_size=8))
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
