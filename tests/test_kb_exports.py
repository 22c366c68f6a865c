"""Exports that hold several conversations (Slack, as a folder or a zip): one document per conversation."""

from __future__ import annotations

import json
from datetime import datetime, timezone
import shutil
import subprocess
import sys

import pytest

from veille import KnowledgeBase

from .conftest import DATA, SHARED

SLACK = SHARED / "realdata" / "slack-export"


@pytest.fixture
def slack_dir():
    if not (SLACK / "unzipped" / "users.json").exists():
        pytest.fail(f"the Slack export is missing under {SLACK}: the tests need ../shared beside the project")
    return SLACK


def day_messages(folder) -> dict[str, int]:
    """Message objects per channel, counted from the day files themselves."""
    return {channel.name: sum(len(json.loads(day.read_text(encoding="utf-8"))) for day in channel.glob("*.json"))
            for channel in folder.iterdir() if channel.is_dir()}


def test_zip_and_folder_give_the_same_conversations(kb, slack_dir):
    from_zip = kb.ingest(slack_dir / "testarchive.zip")
    assert from_zip.ok and from_zip.count("added") == 2
    paths = sorted(f.path.rsplit("#", 1)[1] for f in from_zip.files)
    assert paths == ["enrique", "traveling-sailor"]
    expected = day_messages(slack_dir / "unzipped")
    for f in from_zip.files:
        r = f.report
        assert f.format == "slack" and f.detection.startswith("slack (Slack export in a zip archive")
        # every message object of the day files is one unit (message or system): nothing dropped
        assert r["messages"] + r["system"] + r["raw"] == expected[f.path.rsplit("#", 1)[1]], r
    from_folder = kb.ingest(slack_dir / "unzipped")
    assert [f.status for f in from_folder.files] == ["duplicate", "duplicate"]
    assert kb.ingest(slack_dir / "testarchive.zip").count("unchanged") == 2


def test_an_export_folder_inside_a_folder_is_read_as_one_export(tmp_path, slack_dir):
    shutil.copytree(slack_dir / "unzipped", tmp_path / "exports" / "slack")
    (tmp_path / "exports" / "note.txt").write_text("Une note sur l'énergie des data centers.\n", encoding="utf-8")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(tmp_path / "exports")
        assert report.ok
        shown = sorted(f.path.rsplit("/", 1)[1] for f in report.files)
        assert shown == ["note.txt", "slack#enrique", "slack#traveling-sailor"]  # no day file ingested alone
        sources = sorted(d.source for d in kb.documents())
        assert sources[1].endswith("exports/slack#enrique")


def test_search_filters_and_remove_work_on_conversations(kb, slack_dir):
    kb.ingest(slack_dir / "testarchive.zip")
    users = {u["id"]: u for u in json.loads((slack_dir / "unzipped" / "users.json").read_text(encoding="utf-8"))}
    names = {u.get("real_name") or u["name"] for u in users.values()}
    hits = kb.search("traceback", k=5)
    assert hits and all(h.source.endswith("#traveling-sailor") for h in hits)
    assert set(hits[0].authors) <= names
    who = hits[0].authors[0]
    assert all(who in h.authors for h in kb.search("traceback", who=who))
    removed = kb.remove(str(slack_dir / "testarchive.zip"))
    assert len(removed) == 2 and kb.stats()["documents"] == 0


def test_a_damaged_export_zip_fails_alone(tmp_path, slack_dir):
    data = (slack_dir / "testarchive.zip").read_bytes()
    (tmp_path / "cut.zip").write_bytes(data[: len(data) // 2])
    (tmp_path / "ok.txt").write_text("Le réseau électrique français et l'IA.\n", encoding="utf-8")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest([tmp_path / "cut.zip", tmp_path / "ok.txt"])
    assert [f.status for f in report.files] == ["failed", "added"]
    assert "zip" in report.files[0].reason


def test_cli_prints_the_parse_report_of_each_conversation(tmp_path, slack_dir):
    db = tmp_path / "kb.db"
    done = subprocess.run([sys.executable, "-m", "veille", "--db", str(db), "ingest", str(slack_dir / "unzipped")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("+ ") and "#enrique  [slack]" in lines[0]
    assert "messages" in lines[0] and "authors" in lines[0] and "→" in lines[0] and "system" in lines[0]
    as_json = subprocess.run([sys.executable, "-m", "veille", "--db", str(tmp_path / "k2.db"), "ingest", "--json",
                              str(slack_dir / "testarchive.zip")], capture_output=True, text=True, check=True)
    files = json.loads(as_json.stdout)["files"]
    for f in files:
        channel = slack_dir / "unzipped" / f["path"].rsplit("#", 1)[1]
        stamps = [float(m["ts"]) for day in channel.glob("*.json") for m in json.loads(day.read_text("utf-8"))]
        first = datetime.fromtimestamp(min(stamps), timezone.utc)
        last = datetime.fromtimestamp(max(stamps), timezone.utc)
        assert (f["report"]["first"], f["report"]["last"]) == (f"{first:%Y-%m-%d %H:%M}", f"{last:%Y-%m-%d %H:%M}")
    assert all(set(f["report"]) >= {"messages", "authors", "first", "last", "system", "attachments", "raw"}
               for f in files)


def test_a_meta_conversation_in_parts_is_one_document(kb):
    folder = DATA / "meta" / "veillecloud_123"
    whole = kb.parse_bytes((DATA / "meta" / "messenger_fr.json").read_bytes(), "messenger_fr.json")[0]
    report = kb.ingest(folder)
    assert report.ok and len(report.files) == 1, report.files
    result = report.files[0]
    assert result.format == "meta" and "2 parts" in result.detection
    stored = kb.store.db.execute("SELECT kind, author, time, text FROM units ORDER BY idx").fetchall()
    assert [tuple(r) for r in stored] == [
        (u.kind, u.author, u.time.isoformat(sep=" "), u.text) for u in whole.units]  # same messages, same order
    assert result.report["messages"] == whole.report.messages and result.report["first"] == whole.report.first
    text = kb.store.document_text(result.document_id)
    for row in kb.store.db.execute("SELECT start, end, meta FROM units").fetchall():
        part = json.loads(row["meta"])["part"]
        assert text[row["start"]:row["end"]].startswith("{") and part in ("message_1.json", "message_2.json")
