"""DiscordChatExporter JSON exports: an own French sample and a property test."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veille.loaders import discord
from veille.read import read_file

from .loader_checks import DATA, check_json_spans

SAMPLE = DATA / "discord" / "serveur_fr.json"


def check_spans(doc, messages: list[dict]) -> None:
    """Each unit's slice is exactly its message object of the source, in order."""
    check_json_spans(doc, messages)


def load():
    text = read_file(SAMPLE).text
    doc = discord.parse(text, str(SAMPLE))
    check_spans(doc, json.loads(text)["messages"])
    return doc


def test_serveur_fr():
    doc = load()
    assert doc.format == "discord" and doc.kind == "chat"
    assert doc.title == "Souveraineté numérique FR / #centres-de-données"
    assert doc.metadata == {"guild": "Souveraineté numérique FR", "channel": "centres-de-données",
                            "category": "Infrastructures", "topic": "Datacenters, énergie et IA souveraine 🇫🇷"}
    assert doc.participants == ["Léa Dubois", "Hugo Martin", "zoe_lefevre"]
    assert doc.report.authors == doc.participants
    assert doc.report.first == "2024-03-12 09:00" and doc.report.last == "2024-03-14 08:30"
    assert doc.report.system == 2 and doc.report.notes == []
    assert doc.date == datetime(2024, 3, 12, 9, 0)
    assert [u.kind for u in doc.units] == ["system", "message", "message", "message", "system", "message", "message"]
    join, hello, reply, pdf, pin, ia, answer = doc.units

    assert join.text == "zoe_lefevre a rejoint le serveur" and join.author is None
    assert join.time == datetime(2024, 3, 12, 9, 0)
    assert join.meta == {"id": "1000", "utc_offset": "+01:00", "by": "zoe_lefevre", "type": "GuildMemberJoin"}

    assert hello.text == "Bonjour à tous ! Le nouveau centre de données de Marseille ouvre en juin 🏗️"
    assert hello.author == "Léa Dubois" and hello.time == datetime(2024, 3, 12, 9, 2, 41, 123000)
    assert hello.meta == {"id": "1001", "utc_offset": "+01:00", "reactions": [("👍", 2), ("🇫🇷", 1)]}

    assert reply.text == ("Merci @Léa Dubois, quelle puissance électrique prévue ?\n"
                          "Et le refroidissement : free cooling ou eau de mer ? 🌊")
    assert reply.author == "Hugo Martin" and reply.time == datetime(2024, 3, 12, 9, 5, 33, 500000)
    assert reply.meta == {"id": "1002", "utc_offset": "+01:00", "edited": "2024-03-12T09:07:02.000+01:00",
                          "reply_to": "1001"}

    assert pdf.text == "[fichier: schéma_refroidissement.pdf]" and pdf.author == "Léa Dubois"
    assert pdf.time == datetime(2024, 3, 12, 9, 10)
    assert pdf.meta == {"id": "1003", "utc_offset": "+01:00", "attachment": True, "file": "schéma_refroidissement.pdf"}

    assert pin.text == "Léa Dubois a épinglé un message" and pin.author is None
    assert pin.time == datetime(2024, 3, 12, 9, 11, 15)
    assert pin.meta == {"id": "1004", "utc_offset": "+01:00", "by": "Léa Dubois", "type": "ChannelPinnedMessage"}

    assert ia.text == ("L'IA souveraine passe aussi par des modèles ouverts entraînés en Europe. "
                       "Qu'en pensez-vous ? 🤖🇪🇺")
    assert ia.author == "zoe_lefevre" and ia.time == datetime(2024, 3, 13, 18, 45)
    assert ia.meta == {"id": "1005", "utc_offset": "+01:00", "reactions": [("❤️", 3)], "attachment": True,
                       "file": "carte_datacenters.png", "files": ["carte_datacenters.png", "notes.txt"]}

    assert answer.text == "D'accord avec toi, Zoé. Mais l'énergie reste le nerf de la guerre ⚡"
    assert answer.author == "Hugo Martin" and answer.time == datetime(2024, 3, 14, 8, 30)
    assert answer.meta == {"id": "1006", "utc_offset": "+01:00", "reply_to": "1005"}


def test_offsets_and_other_offsets():
    text = read_file(SAMPLE).text
    data = json.loads(text)
    # Compact output (no indentation) and a negative offset: same units, own spans.
    data["messages"][0]["timestamp"] = "2024-03-12T09:00:00-05:30"
    compact = json.dumps(data, ensure_ascii=True)
    doc = discord.parse(compact, "compact.json")
    check_spans(doc, data["messages"])
    assert doc.units[0].time == datetime(2024, 3, 12, 9, 0) and doc.units[0].meta["utc_offset"] == "-05:30"
    assert [u.text for u in doc.units] == [u.text for u in load().units]


def test_invalid_json_raises_value_error():
    text = read_file(SAMPLE).text
    with pytest.raises(ValueError, match=r"^truncated JSON: the text ends inside .* at line \d+, column \d+ \(read as a DiscordChatExporter export\)$"):
        discord.parse(text[: len(text) // 2], "cut.json")
    with pytest.raises(ValueError, match="^invalid JSON at line 1 column 1: Expecting value"):
        discord.parse("Bonjour, ceci n'est pas du JSON.\n", "note.txt")
    with pytest.raises(ValueError, match="not a Discord export"):
        discord.parse('{"a": 1}', "other.json")
    with pytest.raises(ValueError, match="not a Discord export"):
        discord.parse("[1, 2]", "list.json")
    with pytest.raises(ValueError, match="not a Discord export"):
        discord.parse('{"messages": []}', "bare.json")


def test_sniff():
    confidence, reason = discord.sniff(read_file(SAMPLE).text, "serveur_fr.json")
    assert confidence == 0.95 and "7 messages" in reason
    assert discord.sniff('{"messages": [{"sender_name": "a", "timestamp_ms": 1}]}', "m.json")[0] == 0.0
    assert discord.sniff('{"name": "x", "type": "personal_chat", "messages": [{"type": "message", "date": "2024"}]}',
                         "t.json")[0] == 0.0
    assert discord.sniff('{"guild": {}, "channel": {}, "messages": []}', "d.json")[0] == 0.0
    assert discord.sniff('{"guild": {}, "channel": {}, "messages": [{"content": "x"}]}', "d.json")[0] == 0.0
    assert discord.sniff('{"guild": {', "d.json")[0] == 0.0
    assert discord.sniff("Bonjour.\nUne note.\n", "n.txt")[0] == 0.0
    assert discord.sniff("[1, 2]", "n.json")[0] == 0.0


# --- property: what the exporter writes round-trips ---------------------------------------

_FRENCH = st.lists(
    st.sampled_from(list("abcdeéèêëàâçîïôûùüœæÉÀÇ’«» .,;:!?'\"\\{}[]\n-") + ["😀", "🇫🇷", "❤️", "👍🏽", "☁️", "€", "…"]),
    min_size=1, max_size=40,
).map("".join).filter(lambda t: t.strip() and "<@" not in t)
_NAME = _FRENCH.map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(_FRENCH, min_size=1, max_size=8),
       names=st.lists(st.tuples(_NAME, st.one_of(st.none(), _NAME)), min_size=1, max_size=3),
       offset=st.integers(min_value=-12 * 4, max_value=14 * 4),
       indent=st.sampled_from([None, 2]), ascii_=st.booleans())
def test_round_trip(texts, names, offset, indent, ascii_):
    start = datetime(2024, 1, 1, 12, 0)
    minutes = offset * 15
    sign = "-" if minutes < 0 else "+"
    suffix = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    messages = []
    for i, t in enumerate(texts):
        name_, nick = names[i % len(names)]
        messages.append({"id": str(i), "type": "Reply" if i else "Default",
                         "timestamp": (start + timedelta(minutes=i)).isoformat(timespec="milliseconds") + suffix,
                         "timestampEdited": None, "content": t,
                         "author": {"id": str(100 + i % len(names)), "name": name_, "nickname": nick},
                         "attachments": [], "embeds": [], "reactions": [], "mentions": [],
                         **({"reference": {"messageId": str(i - 1)}} if i else {})})
    data = {"guild": {"name": "Serveur"}, "channel": {"name": "général"}, "messages": messages,
            "messageCount": len(messages)}
    text = json.dumps(data, ensure_ascii=ascii_, indent=indent)
    assert discord.sniff(text, "export.json")[0] == 0.95
    doc = discord.parse(text, "export.json")
    check_spans(doc, messages)
    assert [u.text for u in doc.units] == [t.strip() for t in texts]
    assert [u.author for u in doc.units] == [(nick or name_) for name_, nick in
                                             (names[i % len(names)] for i in range(len(texts)))]
    assert [u.time for u in doc.units] == [start + timedelta(minutes=i) for i in range(len(texts))]
    assert all(u.meta["utc_offset"] == suffix for u in doc.units)
    assert [u.meta.get("reply_to") for u in doc.units] == [None] + [str(i - 1) for i in range(1, len(texts))]
    assert doc.title == "Serveur / #général" and doc.report.notes == []


def test_discord_export_is_detected_and_ingested(kb):
    from veille.detect import detect

    sample = Path(__file__).resolve().parent / "data" / "discord" / "serveur_fr.json"
    assert detect(sample.read_text(encoding="utf-8"), sample.name).format == "discord"
    result = kb.ingest(sample).files[0]
    assert result.status == "added" and result.format == "discord"
    hits = kb.search("centre de données refroidissement", kind="chat")
    assert hits and hits[0].authors
