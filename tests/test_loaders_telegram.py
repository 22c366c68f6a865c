"""Telegram JSON exports: an own French sample, chat-miner's real exports, a property test."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veille.loaders import telegram
from veille.read import read_file

from .loader_checks import DATA, check_json_spans, uncovered_lines

SAMPLES = DATA / "telegram"
MINER = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "chat-miner" / "HEAD" / "test" / "telegram"


def real(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} not found: the tests need ../shared/realdata beside the project")
    return path


def check_spans(doc, messages: list[dict]) -> None:
    """Each unit's slice is exactly its message's JSON object, and holds its id."""
    for piece, message in zip(check_json_spans(doc, messages), messages, strict=True):
        if "id" in message:
            assert re.search(rf'"id":\s*{message["id"]}\b', piece)


def load(path: Path):
    text = read_file(path).text
    doc = telegram.parse(text, str(path))
    data = json.loads(text)
    chats = data["chats"]["list"] if "chats" in data else [data]
    check_spans(doc, [m for chat in chats for m in chat["messages"]])
    return doc


# --- own sample --------------------------------------------------------------------------


def test_export_fr():
    doc = load(SAMPLES / "export_fr.json")
    assert doc.title == "Veille cloud souverain" and doc.format == "telegram" and doc.kind == "chat"
    assert [u.kind for u in doc.units] == ["system", "message", "message", "message", "message", "system", "message"]
    assert all(u.author is None for u in doc.units if u.kind == "system")
    assert doc.participants == ["Camille Roux", "Hugo Martin", "Léa Dubois", "Zoé Lefèvre"]
    assert doc.report.authors == doc.participants
    assert doc.report.first == "2024-03-12 09:00" and doc.report.last == "2024-03-14 08:15"
    assert doc.report.system == 2 and doc.date == datetime(2024, 3, 12, 9, 0, 5)
    create, hello, reply, forward, photo, invite, late = doc.units
    assert "create_group" in create.text and "Camille Roux" in create.text and "Léa Dubois" in create.text
    assert create.meta["action"] == "create_group" and create.meta["id"] == 1
    assert hello.text == ("Bonjour à tous ! Le compte rendu de la réunion est ici : "
                          "notes (https://exemple.fr/notes) 📝")
    assert hello.time == datetime(2024, 3, 12, 9, 2, 41)
    assert reply.meta == {"id": 3, "reply_to": 2, "edited": "2024-03-12T09:06:00"}
    assert reply.text.startswith("Merci Camille, j'ai déjà lu") and reply.text.endswith("👍")
    assert forward.text == "@camille regarde cet article sur la qualification SecNumCloud ☁️"
    assert forward.meta["forwarded_from"] == "Les Échos du Numérique"
    assert photo.text == "[photo]" and photo.author == "Léa Dubois"
    assert photo.meta == {"id": 5, "attachment": True, "file": "photos/photo_1@12-03-2024_09-10-02.jpg"}
    assert "invite_members" in invite.text and "Zoé Lefèvre" in invite.text
    assert late.text == "Bonsoir, désolée du retard.\nRéunion à 10:30 pour le point hebdomadaire ? 🙂"
    assert (late.line_start, late.line_end) == (109, 117)
    assert not [line for _, line in uncovered_lines(doc) if line.strip() not in {"{", "}", "]", "],"}
                and not line.lstrip().startswith(('"name"', '"type"', '"id"', '"messages"'))]


def test_escaped_json_keeps_offsets():
    """ASCII-escaped export (``\\u00e9``, ``\\n``): texts decoded, slices still the message objects."""
    data = json.loads((SAMPLES / "export_fr.json").read_text(encoding="utf-8"))
    text = json.dumps(data, indent=2)
    doc = telegram.parse(text, "ascii.json")
    check_spans(doc, data["messages"])
    assert doc.units[-1].text.startswith("Bonsoir, désolée du retard.\nRéunion")


def test_full_export_concatenates_chats():
    one = json.loads((SAMPLES / "export_fr.json").read_text(encoding="utf-8"))
    two = {"name": "Hugo Martin", "type": "personal_chat", "id": 77, "messages": [
        {"id": 10, "type": "message", "date": "2024-04-01T12:00:00", "from": None, "text": "Salut ! 😀"},
        {"id": 11, "type": "message", "date": "2024-04-01T12:01:00", "from": "Hugo Martin",
         "file": "files/rapport.pdf", "media_type": "sticker", "sticker_emoji": "😀", "text": ""},
    ]}
    text = json.dumps({"about": "…", "chats": {"about": "…", "list": [one, two]}}, ensure_ascii=False, indent=1)
    assert telegram.sniff(text, "result.json")[0] == 0.95
    doc = telegram.parse(text, "result.json")
    check_spans(doc, one["messages"] + two["messages"])
    assert doc.title == "Telegram export (2 chats)"
    assert [u.meta["chat"] for u in doc.units] == ["Veille cloud souverain"] * 7 + ["Hugo Martin"] * 2
    assert doc.units[7].author == "Inconnu" and doc.units[7].text == "Salut ! 😀"
    assert doc.units[8].text == "[sticker 😀]" and doc.units[8].meta["file"] == "files/rapport.pdf"
    assert doc.report.last == "2024-04-01 12:01"


def test_invalid_json_raises_value_error():
    text = (SAMPLES / "export_fr.json").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match=r"^truncated JSON: the text ends inside .* at line \d+, column \d+ \(read as a Telegram export\)$"):
        telegram.parse(text[: len(text) // 2], "cut.json")
    with pytest.raises(ValueError, match="not a Telegram export"):
        telegram.parse('{"a": 1}', "other.json")


def test_sniff():
    confidence, reason = telegram.sniff(read_file(SAMPLES / "export_fr.json").text, "export_fr.json")
    assert confidence == 0.95 and "single chat" in reason
    assert telegram.sniff(read_file(real(MINER / "test_batch_export.json")).text, "r.json")[0] == 0.95
    assert telegram.sniff('{"messages": [{"role": "user", "content": "salut"}]}', "c.json")[0] == 0.0
    assert telegram.sniff('{"messages": [', "c.json")[0] == 0.0
    assert telegram.sniff("Bonjour.\nUne note.\n", "n.txt")[0] == 0.0
    assert telegram.sniff("[1, 2]", "n.json")[0] == 0.0


# --- real exports (chat-miner) -----------------------------------------------------------


@pytest.mark.parametrize("name", ["test_single_export.json", "test_batch_export.json"])
def test_chat_miner(name):
    target = json.loads(real(MINER / "target.json").read_text(encoding="utf-8"))
    doc = load(real(MINER / name))
    # These exports only have date_unixtime (read as UTC, as chat-miner's target does) and no ids.
    assert [(u.time.isoformat(), u.author) for u in doc.units] == [(t["timestamp"], t["author"]) for t in target]
    # chat-miner joins entity parts with a space ("Link: https://…"); Telegram's own
    # convention concatenates them (real exports carry the spaces as plain parts).
    assert [u.text for u in doc.units] == ["Minimal Message", "Link:https://telegram.org/"]
    assert [re.sub(r"\s", "", u.text) for u in doc.units] == [re.sub(r"\s", "", t["message"]) for t in target]
    assert doc.report.authors == ["Author 1", "Author 2"] and doc.report.system == 0
    assert doc.report.first == "2018-12-05 10:39" and doc.report.last == "2018-12-05 10:49"
    if name == "test_batch_export.json":
        assert doc.title == "Chatname" and all(u.meta["chat"] == "Chatname" for u in doc.units)


# --- property test -----------------------------------------------------------------------

_NAMES = ["Camille Roux", "Hugo", "Léa Dubois", "Zoé 🤓", "Jean-Baptiste Kempf", "Ωmega"]
_WORDS = ["bonjour", "cloud", "souverain", "données", "réunion", "déjà", "été", "ça", "\"cité\"",
          "a\\b", "10h30", "🙂", "☁️", "👍🏽", "{", "}", "\"id\": 3", "\n"]
_plain = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map(" ".join).filter(lambda s: s.strip())
_entity = st.builds(lambda kind, text: {"type": kind, "text": text},
                    st.sampled_from(["bold", "italic", "link", "mention", "code", "hashtag"]), _plain)
_text = st.one_of(_plain, st.lists(st.one_of(_plain, _entity), min_size=1, max_size=4))


def _joined(text) -> str:
    return text if isinstance(text, str) else "".join(p if isinstance(p, str) else p["text"] for p in text)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_NAMES), _text, st.integers(0, 10**8)), min_size=1, max_size=8),
       st.booleans())
def test_round_trip(drawn, full):
    messages = [{"id": i + 1, "type": "message",
                 "date": datetime.fromtimestamp(1.6e9 + seconds).replace(microsecond=0).isoformat(),
                 "from": author, "text": text}
                for i, (author, text, seconds) in enumerate(drawn)]
    chat = {"name": "Groupe « test »", "type": "private_group", "id": 1, "messages": messages}
    data = {"chats": {"list": [chat]}} if full else chat
    text = json.dumps(data, ensure_ascii=False, indent=1)
    assert telegram.sniff(text, "result.json")[0] == 0.95
    doc = telegram.parse(text, "result.json")
    check_spans(doc, messages)
    assert [u.author for u in doc.units] == [a for a, _, _ in drawn]
    assert [u.text for u in doc.units] == [_joined(t).strip() for _, t, _ in drawn]
    assert [u.time.isoformat() for u in doc.units] == [m["date"] for m in messages]


def test_telegram_exports_are_detected_and_ingested(kb):
    from veille.detect import detect

    sample = Path(__file__).resolve().parent / "data" / "telegram" / "export_fr.json"
    assert detect(sample.read_text(encoding="utf-8"), sample.name).format == "telegram"
    real = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "chat-miner" / "HEAD" / "test" / "telegram"
    report = kb.ingest([sample, real / "test_single_export.json", real / "test_batch_export.json"])
    assert report.ok, [f.reason for f in report.failed]
    assert {f.format for f in report.files} == {"telegram"}
    assert kb.search("photo", kind="chat") is not None
