"""Hostile paths at ingest: links that loop or lead nowhere, special files, odd names, unreadable folders.

Each one is reported with the reason and the batch goes on; nothing hangs, nothing is lost.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veille import KnowledgeBase
from veille.cli import main
from veille.errors import InputError
from veille.names import as_text, printable

from .conftest import DATA
from veille.file_bytes import read_regular_file
from veille.walk import walk

TEXT = "Le data center de Marseille consomme 1 GW, a dit Claire lors de la réunion du comité.\n"
ROOT = Path(__file__).resolve().parents[1]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "z.txt").write_text(TEXT.replace("Marseille", "Lyon"), encoding="utf-8")
    return folder


def _by_path(report) -> dict[str, object]:
    return {Path(f.path).name: f for f in report.files}


def test_symlink_loops_are_skipped_and_the_batch_goes_on(tmp_path):
    folder = _folder(tmp_path)
    (folder / "self").symlink_to(folder / "self")  # a link to itself: ELOOP
    (folder / "up").symlink_to(folder)  # a folder link back to a parent
    (folder / "sub").mkdir()
    (folder / "sub" / "b.txt").write_text(TEXT.replace("Claire", "Paul"), encoding="utf-8")
    (folder / "sub" / "back").symlink_to(folder)
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(folder)
    files = _by_path(report)
    assert files["self"].status == "skipped" and "symbolic link loop" in files["self"].reason
    assert files["up"].status == "skipped" and "loop" in files["up"].reason
    assert files["back"].status == "skipped"
    assert [files[n].status for n in ("a.txt", "z.txt", "b.txt")] == ["added"] * 3
    assert report.ok  # a loop holds no data: reported, not a failure


def test_a_symlink_loop_named_directly_fails_without_a_traceback(tmp_path, capsys):
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    good = _folder(tmp_path) / "a.txt"
    assert main(["--db", str(tmp_path / "kb.db"), "ingest", str(loop), str(good)]) == 1
    out, err = capsys.readouterr()
    assert "symbolic link loop" in err and "1 added" in out


def test_links_to_files_and_folders_are_followed_once(tmp_path):
    folder = _folder(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "c.txt").write_text(TEXT.replace("Claire", "Inès"), encoding="utf-8")
    (folder / "linked").symlink_to(elsewhere)
    (folder / "again").symlink_to(elsewhere)  # the same folder twice: read once
    (folder / "file-link.txt").symlink_to(folder / "a.txt")
    found = walk([folder])
    names = [p.relative_to(folder).as_posix() for p in found.items]
    assert names == ["a.txt", "file-link.txt", "z.txt", "again/c.txt"]
    assert not found.problems


def test_a_dangling_link_is_reported(tmp_path):
    folder = _folder(tmp_path)
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(folder)
    gone = _by_path(report)["gone.txt"]
    assert gone.status == "skipped" and "dangling symbolic link" in gone.reason and "nowhere.txt" in gone.reason
    assert report.count("added") == 2


def test_a_fifo_is_skipped_without_being_opened(tmp_path):
    """Reading a FIFO waits for a writer forever: ingest must not even open it."""
    folder = _folder(tmp_path)
    os.mkfifo(folder / "pipe.txt")
    result: dict[str, object] = {}

    def ingest() -> None:
        with KnowledgeBase(tmp_path / "kb.db") as kb:
            result["report"] = kb.ingest(folder)

    worker = threading.Thread(target=ingest, daemon=True)
    worker.start()
    worker.join(60)
    if worker.is_alive():  # unblock the reader so the test process can end, then fail
        fd = os.open(folder / "pipe.txt", os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        pytest.fail("ingest hung on a FIFO")
    report = result["report"]
    pipe = _by_path(report)["pipe.txt"]
    assert pipe.status == "skipped" and "a FIFO" in pipe.reason
    assert report.count("added") == 2


def test_a_fifo_named_directly_fails_and_read_file_refuses_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(fifo)
    assert report.files[0].status == "failed" and "a FIFO" in report.files[0].reason
    with pytest.raises(InputError, match="a FIFO"):
        read_regular_file(fifo, 1000)


def test_a_socket_and_a_device_are_skipped(tmp_path):
    folder = _folder(tmp_path)
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock"))
    (folder / "null").symlink_to("/dev/null")
    try:
        found = walk([folder])
    finally:
        server.close()
    reasons = {Path(p.path).name: p.reason for p in found.problems}
    assert "a socket" in reasons["sock"]
    assert "a character device" in reasons["null"]
    assert [p.name for p in found.items] == ["a.txt", "z.txt"]


def test_a_name_that_is_not_utf8_is_ingested_and_shown_escaped(tmp_path, capsys):
    folder = _folder(tmp_path)
    odd = os.fsencode(folder) + b"/caf\xe9.txt"
    with open(odd, "wb") as out:
        out.write(TEXT.replace("Claire", "Zoé").encode("latin-1"))
    db = str(tmp_path / "kb.db")
    assert main(["--db", db, "ingest", str(folder)]) == 0
    out, _ = capsys.readouterr()
    assert "caf\\xe9.txt" in out and "3 added" in out
    with KnowledgeBase(db) as kb:
        sources = [d.source for d in kb.documents()]
        assert str(folder / "caf\\xe9.txt") in sources  # stored as valid text
        assert kb.ingest(folder).count("unchanged") == 3  # found again under the same name
        assert kb.remove(os.fsdecode(odd)) and len(kb.documents()) == 2  # removed by its real path
    assert main(["--db", db, "ingest", "--json", str(folder)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert any(f["path"].endswith("caf\\xe9.txt") and f["status"] == "added" for f in report["files"])


def test_names_with_newlines_and_escape_codes_are_printed_escaped(tmp_path, capsys):
    folder = tmp_path / "odd"
    folder.mkdir()
    name = "bad\nname\x1b[31m.txt"
    (folder / name).write_text(TEXT, encoding="utf-8")
    db = str(tmp_path / "kb.db")
    assert main(["--db", db, "ingest", str(folder)]) == 0
    out, _ = capsys.readouterr()
    assert "\x1b" not in out and "bad\\nname\\x1b[31m.txt" in out
    assert main(["--db", db, "documents"]) == 0
    out, _ = capsys.readouterr()
    assert "\x1b" not in out and "bad\\nname" in out
    assert main(["--db", db, "ingest", "--json", str(folder)]) == 0
    assert json.loads(capsys.readouterr().out)["files"][0]["path"] == str(folder / name)  # JSON: the real name
    assert main(["--db", db, "ingest", str(folder / "missing\x1b[2J")]) == 1
    assert "missing\\x1b[2J" in capsys.readouterr().err


@given(st.binary(max_size=40))
def test_any_file_name_becomes_valid_text_and_utf8_names_stay_as_they_are(raw):
    name = os.fsdecode(raw)
    text = as_text(name)
    text.encode("utf-8")  # SQLite and JSON take it
    try:
        assert text == raw.decode("utf-8")
    except UnicodeDecodeError:
        assert "\\x" in text


@given(st.text(max_size=40))
def test_printable_text_has_no_control_characters(text):
    shown = printable(text)
    shown.encode("utf-8")
    assert not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") or unicodedata.bidirectional(c)
                   in ("LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI", "LRM", "RLM") for c in shown)
    if text.isprintable():
        assert shown == text


def test_printable_and_as_text():
    assert printable("a\tb\r\n\x07\x9b") == "a\\tb\\r\\n\\x07\\x9b"
    assert printable("résumé — ok") == "résumé — ok"
    assert printable("photo\u202egnp.exe") == "photo\\u202egnp.exe"
    assert as_text(os.fsdecode(b"caf\xe9")) == "caf\\xe9"
    as_text("\ud800x").encode("utf-8")  # any lone surrogate becomes valid text


def test_an_unreadable_folder_is_reported_as_failed():
    """Root reads any folder, so the walk runs in a child process as an unprivileged user (nobody)."""
    uid = 65534 if os.geteuid() == 0 else os.geteuid()
    with tempfile.TemporaryDirectory(dir="/tmp") as scratch:  # pytest's tmp_path is closed to other users
        tree = Path(scratch) / "tree"
        tree.mkdir()
        (tree / "open.txt").write_text(TEXT, encoding="utf-8")
        (tree / "closed").mkdir()
        (tree / "closed" / "secret.txt").write_text(TEXT, encoding="utf-8")
        (tree / "locked.txt").write_text(TEXT, encoding="utf-8")
        os.chmod(scratch, 0o755)
        if os.geteuid() == 0:
            for path in (tree, tree / "open.txt", tree / "closed", tree / "locked.txt"):
                os.chown(path, uid, uid)
        (tree / "closed").chmod(0)
        (tree / "locked.txt").chmod(0)
        script = (
            "import os, sys, json\n"
            # imported first: the unprivileged user may not read the interpreter's files
            "from veille.walk import walk\n"
            "from veille.file_bytes import read_regular_file\n"
            "from veille.errors import InputError\n"
            f"if os.geteuid() == 0: os.setgid({uid}); os.setuid({uid})\n"
            f"found = walk([{str(tree)!r}])\n"
            "reasons = []\n"
            "for p in found.items:\n"
            "    try: read_regular_file(p, 10000)\n"
            "    except InputError as exc: reasons.append(exc.reason)\n"
            "print(json.dumps({'items': [str(p) for p in found.items], 'reasons': reasons,"
            " 'problems': [(p.path, p.status, p.reason) for p in found.problems]}))\n"
        )
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                              timeout=60, cwd="/")
        (tree / "closed").chmod(0o700)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["items"] == [str(tree / "locked.txt"), str(tree / "open.txt")]
    assert found["reasons"] == ["cannot read: Permission denied"]
    assert found["problems"] == [[str(tree / "closed"), "failed", "cannot read folder: Permission denied"]]


def test_a_file_removed_between_listing_and_reading_is_reported(tmp_path):
    folder = _folder(tmp_path)
    found = walk([folder])
    (folder / "a.txt").unlink()
    with pytest.raises(InputError, match="no such file"):
        read_regular_file(found.items[0], 1000)
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(found.items)
    assert [f.status for f in report.files] == ["failed", "added"]
    assert "no such file" in report.files[0].reason


def test_a_file_written_while_it_is_read_is_read_again_or_reported(tmp_path):
    """A writer appends all the time: every read sees a size that moved, and says so."""
    growing = tmp_path / "growing.log"
    growing.write_bytes(b"x" * 4_000_000)
    writer = subprocess.Popen([sys.executable, "-c",
                               "import sys, time\nf = open(sys.argv[1], 'ab', buffering=0)\n"
                               "while True: f.write(b'y' * 64); time.sleep(0.0002)\n", str(growing)])
    try:
        time.sleep(0.3)
        outcomes = set()
        for _ in range(5):
            try:
                data = read_regular_file(growing, 1 << 30)
            except InputError as exc:
                outcomes.add(exc.reason)
            else:  # a read that saw no change is whole: as long as the size it found
                outcomes.add("whole" if data.endswith(b"y" * 64) or data.endswith(b"x") else "torn")
    finally:
        writer.kill()
        writer.wait()
    assert "torn" not in outcomes
    assert any(o.startswith("changed while it was read") for o in outcomes)
    assert read_regular_file(growing, 1 << 30) == growing.read_bytes()  # once still, read whole


def test_exclude_patterns_are_counted_not_failed(tmp_path, capsys):
    folder = _folder(tmp_path)
    (folder / "drafts").mkdir()
    (folder / "drafts" / "d1.txt").write_text(TEXT, encoding="utf-8")
    (folder / "drafts" / "d2.txt").write_text(TEXT, encoding="utf-8")
    (folder / "debug.log").write_text("noise", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "trace.log").write_text("noise", encoding="utf-8")
    found = walk([folder], exclude=["*.log", "drafts"])
    assert [p.relative_to(folder).as_posix() for p in found.items] == ["a.txt", "z.txt"]
    assert found.excluded == 3 and not found.problems
    found = walk([folder], exclude=["drafts/d1.txt", "sub/*"])
    assert [p.relative_to(folder).as_posix() for p in found.items] == ["a.txt", "debug.log", "z.txt",
                                                                        "drafts/d2.txt"]
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(folder, exclude=["*.log", "drafts"])
    assert report.ok and report.excluded == 3 and report.as_dict()["excluded"] == 3
    db = str(tmp_path / "kb2.db")
    assert main(["--db", db, "ingest", str(folder), "--exclude", "*.log", "--exclude", "drafts"]) == 0
    out = capsys.readouterr().out
    assert "2 added, 3 excluded" in out and "debug.log" not in out


def test_a_fifo_inside_an_export_folder_fails_that_export_without_hanging(tmp_path):
    export = tmp_path / "export"
    shutil.copytree(DATA / "slack" / "equipe-veille", export)
    channel = next(p for p in sorted(export.iterdir()) if p.is_dir())
    os.mkfifo(channel / "2099-01-01.json")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest(export)
    [result] = report.files
    assert result.status == "failed"
    assert result.reason == f"{channel.name}/2099-01-01.json: not a regular file (a FIFO): skipped without opening it"
