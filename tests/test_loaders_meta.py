"""Messenger/Instagram JSON exports: an own French sample, real exports, a property test."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veille.loaders import meta
from veille.read import read_file

from .loader_checks import DATA, check_json_spans

SAMPLES = DATA / "meta"
REAL = Path(__file__).resolve().parents[2] / "shared" / "realdata"
MINER = REAL / "chat-miner"


def real(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} not found: the tests need ../shared/realdata beside the project")
    return path


def mangle(text: str) -> str:
    """What Meta writes: the UTF-8 bytes as latin-1 code points."""
    return text.encode("utf-8").decode("latin-1")


def check_spans(doc, messages: list[dict]) -> None:
    """Each unit's slice is exactly one message object of the source, each used once."""
    check_json_spans(doc, messages, ordered=False)


def load(path: Path):
    text = read_file(path).text
    doc = meta.parse(text, str(path))
    check_spans(doc, json.loads(text)["messages"])
    times = [u.time for u in doc.units]
    assert times == sorted(times), "units are not oldest first"
    return doc


def utc_ms(when: datetime) -> int:
    return round(when.replace(tzinfo=UTC).timestamp() * 1000)


# --- own sample --------------------------------------------------------------------------


def test_sample_is_escaped_like_meta():
    raw = (SAMPLES / "messenger_fr.json").read_text(encoding="ascii")
    assert "\\u00c3\\u00a9" in raw and "\\u00f0\\u009f" in raw  # "é" and an emoji, as Meta writes them


def test_messenger_fr():
    doc = load(SAMPLES / "messenger_fr.json")
    assert doc.format == "meta" and doc.kind == "chat"
    assert doc.title == "Veille cloud souverain 🇫🇷"
    assert doc.participants == ["Léa Dubois", "Hugo Martin", "Zoé Lefèvre"]
    assert doc.report.authors == doc.participants
    assert doc.report.first == "2024-03-12 09:00" and doc.report.last == "2024-03-14 09:00"
    assert doc.report.system == 4 and doc.date == datetime(2024, 3, 12, 9, 0)
    assert doc.metadata == {"thread_path": "inbox/veillecloudsouverain_123", "thread_type": "RegularGroup"}
    assert [u.kind for u in doc.units] == ["system", "message", "message", "message", "message",
                                           "system", "system", "message", "system"]
    assert all(u.author is None for u in doc.units if u.kind == "system")
    join, hello, reply, photo, share, unsent, call, late, leave = doc.units
    assert join.text == "Léa Dubois a ajouté Zoé Lefèvre au groupe."
    assert join.meta == {"by": "Léa Dubois", "type": "Subscribe"}
    assert hello.text == "Bonjour à tous ! Voici le compte rendu de la réunion 📝"
    assert hello.author == "Léa Dubois" and hello.time == datetime(2024, 3, 12, 9, 2, 41)
    assert hello.meta["reactions"] == [("👍", "Hugo Martin"), ("❤️", "Zoé Lefèvre")]
    assert reply.text == "Merci Léa, j'ai déjà lu la partie sur l'hébergement.\nÀ quand la suite ? 🤔"
    # Same timestamp: the photo comes before the share (file order is newest first).
    assert photo.time == share.time
    assert photo.text == "[photo]" and photo.author == "Zoé Lefèvre"
    assert photo.meta == {"attachment": True, "file": "photo_réunion_1.jpg"}
    assert share.text == "Article sur SecNumCloud ☁️" and share.meta == {"link": "https://exemple.fr/secnumcloud"}
    assert unsent.text == "[message retiré]" and unsent.meta == {"by": "Zoé Lefèvre", "unsent": True}
    assert call.text == "L'appel est terminé." and call.meta["type"] == "Call" and call.meta["call_duration"] == 754
    assert late.text == "Désolée, j'étais en déplacement. Réunion à 10 h 30 ? 🙂"
    assert late.meta == {"attachment": True, "file": "audio_zoe.mp4"}
    assert leave.meta == {"by": "Hugo Martin", "type": "Unsubscribe"}


def test_repair():
    assert meta.repair(mangle("Zoé 😀 ❤️")) == "Zoé 😀 ❤️"
    assert meta.repair("déjà correct") == "déjà correct"  # not latin-1-encoded UTF-8: kept
    assert meta.repair("plain") == "plain" and meta.repair(None) == ""
    assert meta.repair("€") == "€"  # not latin-1 at all: kept


def test_invalid_json_raises_value_error():
    text = (SAMPLES / "messenger_fr.json").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match=r"^truncated JSON: the text ends inside .* at line \d+, column \d+ \(read as a Messenger/Instagram export\)$"):
        meta.parse(text[: len(text) // 2], "cut.json")
    with pytest.raises(ValueError, match="^invalid JSON at line 1 column 1: Expecting value"):
        meta.parse("Bonjour, ceci n'est pas du JSON.\n", "note.txt")
    with pytest.raises(ValueError, match="not a Messenger/Instagram export"):
        meta.parse('{"a": 1}', "other.json")
    with pytest.raises(ValueError, match="not a Messenger/Instagram export"):
        meta.parse("[1, 2]", "list.json")


def test_sniff():
    confidence, reason = meta.sniff(read_file(SAMPLES / "messenger_fr.json").text, "message_1.json")
    assert confidence == 0.95 and "3 participants" in reason
    assert meta.sniff(read_file(real(REAL / "langchain-chat" / "facebook_chat.json")).text, "f.json")[0] == 0.95
    testlog = MINER / "older_6dd0987p" / "test" / "instagram" / "testlog.json"
    assert meta.sniff(read_file(real(testlog)).text, "t.json")[0] == 0.95
    # chat-miner's trimmed samples have no participants list: still claimed, a little less surely.
    assert meta.sniff(read_file(real(MINER / "HEAD/test/instagram/test_export.json")).text, "t.json")[0] == 0.8
    assert meta.sniff('{"messages": [{"role": "user", "content": "salut"}]}', "c.json")[0] == 0.0
    assert meta.sniff('{"name": "x", "type": "personal_chat", "messages": []}', "c.json")[0] == 0.0
    assert meta.sniff('{"participants": [', "c.json")[0] == 0.0
    assert meta.sniff("Bonjour.\nUne note.\n", "n.txt")[0] == 0.0
    assert meta.sniff("[1, 2]", "n.json")[0] == 0.0


# --- real exports --------------------------------------------------------------------------


def test_chat_miner_messenger():
    """chat-miner's target keeps ``datetime`` as epoch ms and lists the two equal-time
    messages in reversed file order, as we do."""
    folder = MINER / "fb_30734a8" / "test" / "facebookMessenger"
    target = json.loads(real(folder / "target.json").read_text(encoding="utf-8"))
    doc = load(real(folder / "testlog.json"))
    assert [(utc_ms(u.time), u.author, u.text) for u in doc.units] == \
        [(t["datetime"], t["author"], t["message"]) for t in target]
    assert doc.title == "Conversation Messenger/Instagram" and doc.participants == ["John Doe", "Allan Smith"]


def test_chat_miner_instagram():
    """The target keeps file order (newest first) and naive UTC ISO times: compared oldest first."""
    folder = MINER / "HEAD" / "test" / "instagram"
    target = json.loads(real(folder / "target.json").read_text(encoding="utf-8"))
    doc = load(real(folder / "test_export.json"))
    assert [(u.time.isoformat(), u.author, u.text) for u in doc.units] == \
        [(t["timestamp"], t["author"], t["message"]) for t in reversed(target)]
    assert doc.report.first == "2019-12-24 11:23" and doc.report.last == "2020-01-17 20:49"


def test_chat_miner_instagram_older():
    """The CSV target: times in Europe/Berlin local time (we keep UTC), chat-miner's own
    words for media ("sentphoto"…) where we write markers, and polls dropped (we keep them)."""
    folder = MINER / "older_6dd0987p" / "test" / "instagram"
    with real(folder / "testlog_target.csv").open(encoding="utf-8") as handle:
        target = list(csv.DictReader(handle))
    doc = load(real(folder / "testlog.json"))
    assert doc.title == "Test Log" and doc.metadata["thread_type"] == "RegularGroup"
    assert doc.participants == ["John Doe", "J❤️hn Doe", "Jane Doe", "Lionel Messi"]
    berlin = ZoneInfo("Europe/Berlin")
    ours_words = {"[photo]": "sentphoto", "[vidéo]": "sentvideo", "[audio]": "sentaudio",
                  "[message vide]": "disappearingmessage", "John Doe sent an attachment.": "sentshare"}
    polls = {"John Doe's poll has multiple updates.", "This poll is no longer available."}
    ours = []
    for unit in doc.units:
        if unit.text in polls:
            continue
        local = unit.time.replace(tzinfo=UTC).astimezone(berlin).replace(tzinfo=None)
        ours.append((local, unit.author, ours_words.get(unit.text, unit.text)))
    theirs = [(datetime.fromisoformat(t["timestamp"]), t["author"], t["message"]) for t in target]
    assert sorted(ours) == sorted(theirs)
    assert len(doc.units) == len(target) + 2
    by_text = {u.text: u for u in doc.units}
    assert by_text["Testing message with emoji: ❤️"].author == "John Doe"
    assert by_text["Testing message with reactions."].meta["reactions"] == [("❤️", "J❤️hn Doe"), ("💖", "Jane Doe")]
    assert by_text["[photo]"].meta["file"].endswith("_n_5409190972533416.jpg")
    assert by_text["John Doe sent an attachment."].meta["link"].startswith("https://www.instagram.com/p/")
    assert doc.units[0].time == datetime(2014, 12, 24, 17, 8)  # "joined the group", no type: a message


def test_langchain_facebook_chat():
    doc = load(real(REAL / "langchain-chat" / "facebook_chat.json"))
    data = json.loads((REAL / "langchain-chat" / "facebook_chat.json").read_text(encoding="utf-8"))
    assert doc.title == "User 1 and User 2 chat" and doc.participants == ["User 1", "User 2"]
    assert doc.metadata == {"thread_path": "inbox/User 1 and User 2 chat"}
    assert len(doc.units) == 11 and doc.report.system == 0
    expected = [(m["sender_name"], m["timestamp_ms"], m.get("content", "[photo]")) for m in reversed(data["messages"])]
    assert [(u.author, utc_ms(u.time), u.text) for u in doc.units] == expected
    assert doc.units[0].text.startswith("Hi! Im interested in your bag.")
    assert doc.units[-1].text == "Bye!" and doc.units[-1].author == "User 2"
    assert doc.units[4].meta == {"attachment": True, "file": "url_of_some_picture.jpg"}
    assert doc.report.first == "2023-02-04 22:17" and doc.report.last == "2023-02-05 11:46"


# --- property: Meta's escaping round-trips ---------------------------------------------------

_FRENCH = st.lists(
    st.sampled_from(list("abcdeéèêëàâçîïôûùüœæÉÀÇ’«» .,;:!?'\n-") + ["😀", "🇫🇷", "❤️", "👍🏽", "☁️", "€", "…"]),
    min_size=1, max_size=40,
).map("".join).filter(lambda t: t.strip())
_ANY = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).filter(lambda t: t.strip())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.one_of(_FRENCH, _ANY), min_size=1, max_size=8),
       names=st.lists(_FRENCH.map(str.strip).filter(bool), min_size=1, max_size=3), indent=st.sampled_from([None, 2]))
def test_round_trip(texts, names, indent):
    start = datetime(2024, 1, 1)
    messages = [{"sender_name": mangle(names[i % len(names)]),
                 "timestamp_ms": utc_ms(start + timedelta(minutes=i)),
                 "content": mangle(t), "type": "Generic"} for i, t in enumerate(texts)]
    messages.reverse()  # newest first, as Meta writes
    data = {"participants": [{"name": mangle(n)} for n in names], "messages": messages, "title": mangle(names[0])}
    text = json.dumps(data, ensure_ascii=True, indent=indent)
    assert meta.sniff(text, "message_1.json")[0] == 0.95
    doc = meta.parse(text, "message_1.json")
    check_spans(doc, messages)
    assert [u.text for u in doc.units] == [t.strip() for t in texts]
    assert [u.author for u in doc.units] == [names[i % len(names)] for i in range(len(texts))]
    assert doc.participants == names and doc.title == names[0]


def test_meta_exports_are_detected_and_ingested(kb):
    real = Path(__file__).resolve().parents[2] / "shared" / "realdata"
    sample = Path(__file__).resolve().parent / "data" / "meta" / "messenger_fr.json"
    paths = [sample, real / "langchain-chat" / "facebook_chat.json",
             real / "chat-miner" / "fb_30734a8" / "test" / "facebookMessenger" / "testlog.json",
             real / "chat-miner" / "HEAD" / "test" / "instagram" / "test_export.json"]
    report = kb.ingest(paths)
    assert report.ok, [f.reason for f in report.failed]
    assert {f.format for f in report.files} == {"meta"}
    assert all(f.report["authors"] for f in report.files)
