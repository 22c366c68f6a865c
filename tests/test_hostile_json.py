"""Truncated and invalid JSON exports: refused with the JSON reason, whatever the detection path; nothing stored.

Text that opens like JSON is never handed to a text loader (post, article, plain text…): either a JSON
export's loader reads it, or it is refused saying where the JSON breaks and which export its head names.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from veille import KnowledgeBase
from veille.detect import detect
from veille.loaders.jsonchat import describe_json_error, export_named_by_head, looks_like_json

from .conftest import DATA, SHARED

REAL = SHARED / "realdata"
DISCORD = "DiscordChatExporter export"
TELEGRAM = "Telegram export"
META = "Messenger/Instagram export"
SLACK_DAY = "Slack day file"

#: JSON exports, the format that reads them (None: a Slack day file, read only within its export), what they are.
SAMPLES = [
    (DATA / "discord" / "serveur_fr.json", "discord", DISCORD),
    (DATA / "telegram" / "export_fr.json", "telegram", TELEGRAM),
    (DATA / "meta" / "messenger_fr.json", "meta", META),
    (DATA / "meta" / "veillecloud_123" / "message_1.json", "meta", META),
    (REAL / "chat-miner" / "HEAD" / "test" / "telegram" / "test_batch_export.json", "telegram", TELEGRAM),
    (REAL / "chat-miner" / "HEAD" / "test" / "telegram" / "test_single_export.json", "telegram", TELEGRAM),
    (REAL / "chat-miner" / "older_6dd0987p" / "test" / "instagram" / "testlog.json", "meta", META),
    (REAL / "langchain-chat" / "facebook_chat.json", "meta", META),
    (REAL / "slack-export" / "unzipped" / "enrique" / "2016-02-07.json", None, SLACK_DAY),
]
FRACTIONS = (0.1, 0.4, 0.9, 0.99)
TRUNCATED = re.compile(r"^truncated JSON: the text ends inside (a string|a value|an object|an array)"
                       r"( \(the value of \"[^\"]+\"\))? at line (\d+), column (\d+)")


def _sample(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests need ../shared beside the project")
    return path


def _cuts(path: Path, folder: Path) -> dict[Path, bytes]:
    """The sample cut at each fraction of its bytes, written under ``folder``."""
    data = _sample(path).read_bytes()
    folder.mkdir(parents=True, exist_ok=True)
    cuts = {}
    for fraction in FRACTIONS:
        cut = data[: int(len(data) * fraction)]
        target = folder / f"{path.stem}_{int(fraction * 100)}{path.suffix}"
        target.write_bytes(cut)
        cuts[target] = cut
    return cuts


def _end_position(text: str) -> tuple[int, int]:
    """Line and column (1-based) of the last non-blank character of ``text``."""
    end = len(text.rstrip())
    line = text.count("\n", 0, end) + 1
    return line, end - text.rfind("\n", 0, end) - 1


def _check_truncated(reason: str, cut: bytes, looks: str, read_as: str | None = None) -> None:
    found = TRUNCATED.match(reason)
    assert found, reason
    text = cut.decode("utf-8", errors="replace")
    assert (int(found.group(3)), int(found.group(4))) == _end_position(text), reason
    if read_as:
        assert reason.endswith(f"(read as a {read_as})"), reason
    elif export_named_by_head(text) is not None or len(cut) > 2000:
        assert reason.endswith(f"(looks like a {looks})"), reason


@pytest.mark.parametrize(("path", "fmt", "looks"), SAMPLES, ids=lambda v: getattr(v, "name", None))
def test_truncated_export_refused_without_format(tmp_path, path, fmt, looks):
    cuts = _cuts(path, tmp_path / "cuts")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(sorted(cuts))
        assert kb.stats()["documents"] == 0
    assert len(report.files) == len(cuts) and all(f.status == "failed" for f in report.files)
    for result in report.files:
        _check_truncated(result.reason, cuts[Path(result.path)], looks)


@pytest.mark.parametrize(("path", "fmt", "looks"), [s for s in SAMPLES if s[1]], ids=lambda v: getattr(v, "name", None))
def test_truncated_export_refused_with_its_format_forced(tmp_path, path, fmt, looks):
    cuts = _cuts(path, tmp_path / "cuts")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(sorted(cuts), format=fmt)
        assert kb.stats()["documents"] == 0
    assert all(f.status == "failed" for f in report.files) and len(report.files) == len(cuts)
    for result in report.files:
        _check_truncated(result.reason, cuts[Path(result.path)], looks, read_as=looks)


@pytest.mark.parametrize("forced", ["post", "plaintext", "article", "markdown"])
def test_truncated_export_never_read_by_a_forced_text_loader(tmp_path, forced):
    path = DATA / "discord" / "serveur_fr.json"
    cuts = _cuts(path, tmp_path / "cuts")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(sorted(cuts), format=forced)
        assert kb.stats()["documents"] == 0
    for result in report.files:
        assert result.status == "failed"
        _check_truncated(result.reason, cuts[Path(result.path)], DISCORD)


def test_the_discord_probe_is_no_longer_a_post(tmp_path):
    """The probe: a DiscordChatExporter JSON cut at 40 % was stored as a post of raw JSON."""
    data = (DATA / "discord" / "serveur_fr.json").read_bytes()
    cut = tmp_path / "discord_40.json"
    cut.write_bytes(data[: int(len(data) * 0.4)])
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        result = kb.ingest(cut).files[0]
        assert kb.stats()["documents"] == 0
    assert result.status == "failed"
    assert result.reason.startswith("truncated JSON: the text ends inside a string at line ")
    assert result.reason.endswith("(looks like a DiscordChatExporter export)")


@pytest.mark.parametrize(("path", "fmt", "looks"), SAMPLES, ids=lambda v: getattr(v, "name", None))
def test_invalid_json_says_where_it_breaks(tmp_path, path, fmt, looks):
    """A separator changed in the middle of the export: invalid JSON at that line and column."""
    text = _sample(path).read_text(encoding="utf-8")
    middle = text.index(",\n", len(text) // 2)  # a separator between members, not a comma inside a string
    broken = text[:middle] + ";" + text[middle + 1:]
    target = tmp_path / path.name
    target.write_text(broken, encoding="utf-8")
    line = broken.count("\n", 0, middle) + 1
    column = middle - broken.rfind("\n", 0, middle)
    for forced in (None, fmt, "post"):
        with KnowledgeBase(tmp_path / f"kb_{forced}.db") as kb:
            result = kb.ingest(target, format=forced).files[0]
            assert kb.stats()["documents"] == 0
        assert result.status == "failed"
        assert result.reason.startswith(f"invalid JSON at line {line} column {column}: Expecting "), result.reason
        named = f"(read as a {looks})" if forced and forced == fmt else f"(looks like a {looks})"
        assert result.reason.endswith(named), result.reason


def test_meta_conversation_with_a_truncated_part(tmp_path):
    folder = tmp_path / "veillecloud_123"
    shutil.copytree(DATA / "meta" / "veillecloud_123", folder)
    part = folder / "message_2.json"
    data = part.read_bytes()
    part.write_bytes(data[: int(len(data) * 0.9)])
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        result = kb.ingest(folder).files[0]
        assert kb.stats()["documents"] == 0
    assert result.status == "failed"
    assert TRUNCATED.match(result.reason) and result.reason.endswith(f"(read as a {META})"), result.reason


def test_slack_export_with_truncated_users_json_is_refused(tmp_path):
    folder = tmp_path / "slack"
    shutil.copytree(_sample(REAL / "slack-export" / "unzipped"), folder)
    users = folder / "users.json"
    users.write_bytes(users.read_bytes()[:3000])
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        result = kb.ingest(folder).files[0]
        assert kb.stats()["documents"] == 0
    assert result.status == "failed" and TRUNCATED.match(result.reason), result.reason


def test_slack_export_with_a_truncated_day_file_keeps_its_text_and_says_why(tmp_path):
    """One cut day file does not sink the export: its text is a raw unit, its note the JSON reason."""
    folder = tmp_path / "slack"
    shutil.copytree(_sample(REAL / "slack-export" / "unzipped"), folder)
    day = folder / "enrique" / "2016-02-07.json"
    cut = day.read_bytes()[:5000]
    day.write_bytes(cut)
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(folder)
        assert kb.stats()["documents"] == 2
        enrique = next(d for d in kb.documents() if d.source.endswith("#enrique"))
        chunks = " ".join(c.text for c in kb.chunks(enrique.id))
    assert report.ok
    notes = next(f.report["notes"] for f in report.files if f.path.endswith("#enrique"))
    line, column = _end_position(cut.decode("utf-8"))
    assert (f"enrique/2016-02-07.json: truncated JSON: the text ends inside an object at line {line}, "
            f"column {column}; its text kept as a raw unit") in notes
    last_words = cut.decode("utf-8").rstrip()[-12:]
    assert last_words in chunks  # the raw text is kept, to its last character


def test_valid_json_that_no_loader_reads(tmp_path):
    plain = tmp_path / "config.json"
    plain.write_text('{"a": 1, "b": [true, null]}', encoding="utf-8")
    day = tmp_path / "2016-02-07.json"
    day.write_bytes(_sample(REAL / "slack-export" / "unzipped" / "enrique" / "2016-02-07.json").read_bytes())
    no_suffix = tmp_path / "notes"
    no_suffix.write_text('[{"x": "Bonjour, ceci est un texte assez long pour ressembler à un article."}]',
                         encoding="utf-8")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest([plain, day, no_suffix])
        forced = kb.ingest(plain, format="plaintext").files[0]
        assert kb.stats()["documents"] == 0
    reasons = {Path(f.path).name: f.reason for f in report.files}
    assert reasons["config.json"].startswith("unknown format: JSON, which no loader reads (telegram: ")
    assert reasons["2016-02-07.json"] == ("unknown format: JSON that looks like a Slack day file; "
                                          "a Slack export is read whole, as a folder or a zip archive")
    assert reasons["notes"].startswith("unknown format: JSON, which no loader reads")
    assert forced.reason == "plaintext reads text, not JSON: force a JSON export's format"


def test_json_lines_named():
    text = '{"id": 1, "text": "a"}\n{"id": 2, "text": "b"}\n'
    found = detect(text, "corpus.jsonl")
    assert found.refused == ("invalid JSON at line 2 column 1: more than one JSON value "
                             "(JSON lines has no loader yet)")


@pytest.mark.parametrize("text", [
    "[12/03/2024 10:15:00] Léa : Bonjour\n",
    "[12/03/2024, 10:15] Léa : Bonjour\n",
    "[lien](https://example.org) vers l'article\n",
    "[Musique] bonjour à tous\n",
    "{Annonce} Réunion demain\n",
    "[ 10:15 ] début\n",
])
def test_text_opening_with_a_bracket_is_not_json(text):
    assert not looks_like_json(text)
    assert not detect(text, "x.txt").refused


@pytest.mark.parametrize("text", ['{"a', "[", "[\n  {", '  {\n "guild": {', "[]", "{}", '["a"]', "[[1]]"])
def test_text_opening_like_json(text):
    assert looks_like_json(text)


@pytest.mark.parametrize(("text", "inside"), [
    ('{"a": tr', "an object"),
    ('{"a": fals', "an object"),
    ('{"a": -', "an object"),
    ('{"a": 1.', "an object"),
    ('{"a": 1e+', "an object"),
    ('{"a": "L\\u00', "a string"),
    ('{"a": "abc\\', "a string"),
    ('{"a": "abc {x [y', "a string"),
    ('{"messages": [', 'an array (the value of "messages")'),
    ('{"messages": [{"x": "}"}, {"y": [1, 2', 'an array (the value of "y")'),
    ("[", "an array"),
])
def test_truncated_json_names_what_is_open(text, inside):
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        reason = describe_json_error(text, error)
    assert reason == f"truncated JSON: the text ends inside {inside} at line 1, column {len(text)}"


# --- valid JSON of odd shapes: read, never an exception (regressions found by bench/fuzz.py) ---------------

def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _parse_through_pipeline(data: dict, name: str):
    from veille.chunking import ChunkingConfig
    from veille.pipeline import Pipeline

    pipeline = Pipeline("chars4", ChunkingConfig())
    doc, detection = pipeline.parse_bytes(json.dumps(data, ensure_ascii=False, indent=1).encode(), name)
    pipeline.index_terms(pipeline.chunk(doc))
    return doc, detection


def _raw_units_hold(doc, items: list) -> None:
    """The items of the messages list that are no message object are raw units, in order, placed on their JSON."""
    raws = [u for u in doc.units if u.kind == "raw"]
    assert [u.text for u in raws] == [i if isinstance(i, str) else json.dumps(i, ensure_ascii=False) for i in items]
    assert doc.report.raw == len(items)
    for unit, item in zip(raws, items, strict=True):
        assert json.loads(doc.text[unit.start:unit.end]) == item
        assert doc.text.count("\n", 0, unit.start) + 1 == unit.line_start


def test_telegram_values_of_the_wrong_type():
    data = _json(DATA / "telegram" / "export_fr.json")
    messages = data["messages"]
    messages[1]["text"] = 42  # was TypeError: iterating an int
    messages[2]["date_unixtime"] = [1]  # was TypeError in int()
    messages[2].pop("date", None)
    messages[3]["media_type"] = ["sticker"]  # was TypeError: an unhashable marker
    messages[0]["members"] = 7  # was TypeError: iterating an int
    messages += [None, "texte perdu ?", 12]
    doc, detection = _parse_through_pipeline(data, "result.json")
    assert detection.startswith("telegram")
    assert doc.units[1].text == "42" and doc.units[2].time is None
    _raw_units_hold(doc, [None, "texte perdu ?", 12])


def test_discord_values_of_the_wrong_type():
    data = _json(DATA / "discord" / "serveur_fr.json")
    messages = data["messages"]
    messages[0]["type"] = ["Default"]  # was TypeError: unhashable in a set
    messages[1]["mentions"] = 3  # was TypeError: iterating an int
    messages[2]["attachments"] = "fichier.pdf"
    messages[2]["embeds"] = 1
    messages.append([{"content": "dans une liste"}])
    doc, detection = _parse_through_pipeline(data, "discord.json")
    assert detection.startswith("discord")
    assert doc.units[0].kind == "system" and doc.units[0].meta["type"] == '["Default"]'
    _raw_units_hold(doc, [[{"content": "dans une liste"}]])


def test_meta_values_of_the_wrong_type():
    data = _json(DATA / "meta" / "messenger_fr.json")
    data["messages"][0]["type"] = {"Generic": 1}  # was TypeError: unhashable in a set
    data["messages"][1]["timestamp_ms"] = float("nan")  # json.dumps writes NaN, json.loads reads it back
    data["messages"].insert(2, "Bonjour")
    doc, detection = _parse_through_pipeline(data, "message_1.json")
    assert detection.startswith("meta")
    _raw_units_hold(doc, ["Bonjour"])
    assert "2 messages without a usable timestamp_ms" in doc.report.notes  # the NaN one and the raw item


def test_slack_values_of_the_wrong_type():
    from veille.loaders import slack

    root = DATA / "slack" / "equipe-veille"
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    day = json.loads(files["general/2024-03-11.json"])
    day[0]["subtype"] = ["bot_message"]  # was TypeError: unhashable in a set
    day[0]["reactions"] = 5
    day[1]["files"] = 2  # was TypeError: unpacking an int
    files["general/2024-03-11.json"] = json.dumps(day).encode()
    channels = json.loads(files["channels.json"])
    channels[0]["members"] = 9  # was TypeError: iterating an int
    files["channels.json"] = json.dumps(channels).encode()
    docs = slack.parse_export(files, "equipe")
    general = next(d for d in docs if d.metadata["slack_channel"] == "general")
    assert len([u for u in general.units if u.meta.get("file") == "general/2024-03-11.json"]) == len(day)


def test_an_export_with_a_few_odd_messages_is_still_that_export():
    """All messages had to hold author and timestamp: one odd message refused the whole export."""
    data = _json(DATA / "discord" / "serveur_fr.json")
    del data["messages"][3]["timestamp"]
    doc, detection = _parse_through_pipeline(data, "discord.json")
    assert detection.startswith("discord") and len(doc.units) == len(data["messages"])
    assert "1 messages without a usable timestamp" in " ".join(doc.report.notes)
    data["messages"] = [{"content": "x"}] * 5 + data["messages"][:2]  # most lack them: not an export of Discord's
    found = detect(json.dumps(data), "discord.json")
    assert found.refused.startswith("unknown format: JSON that looks like a DiscordChatExporter export, which no "
                                    "loader reads (")
    assert "discord: 5 of 7 items lack author/timestamp" in found.refused
