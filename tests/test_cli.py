"""The veille command: help for every command, documented in the README, exit codes, output formats."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from veille.cli import COMMANDS, build_parser, main

from .conftest import EXAMPLES, ROOT, seed


def _subcommands():
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return action.choices


def test_every_command_has_help_and_is_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    choices = _subcommands()
    assert set(choices) == set(COMMANDS)
    for name, sub in choices.items():
        assert sub.description, name
        assert f"veille {name}" in readme or f"veille --db demo.db {name}" in readme, name


def test_help_runs_as_a_console_command():
    out = subprocess.run([sys.executable, "-m", "veille", "--help"], capture_output=True, text=True, check=True)
    assert "ingest" in out.stdout and "search" in out.stdout


def test_ingest_search_chunks_remove(backend, capsys):
    db = backend
    assert main(["--db", db, "ingest", str(EXAMPLES)]) == 0
    out = capsys.readouterr().out
    assert "6 added" in out
    assert main(["--db", db, "ingest", str(EXAMPLES)]) == 0
    assert "6 unchanged" in capsys.readouterr().out

    assert main(["--db", db, "search", "nucléaire", "--json", "-k", "3"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["hits"] and result["mode"].startswith("lexical")
    assert all({"snippet", "citation", "units", "authors"} <= set(h) for h in result["hits"])

    assert main(["--db", db, "chunks", "--limit", "1"]) == 0
    assert capsys.readouterr().out.startswith("=== MÉTADONNÉES CHUNK ===\nPériode: ")

    assert main(["--db", db, "chunks", "--format", "jsonl"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert records and all(set(r) == {"text", "metadata"} for r in records)
    assert all(isinstance(v, (str, int, list, type(None))) for r in records for v in r["metadata"].values())

    assert main(["--db", db, "documents", "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert main(["--db", db, "remove", docs[0]["id"]]) == 0
    assert main(["--db", db, "remove", "nope-nope"]) == 1
    capsys.readouterr()
    assert main(["--db", db, "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["documents"] == 5  # six added, one removed


def test_failed_file_gives_non_zero_exit_and_names_the_file(tmp_path, capsys):
    (tmp_path / "bon.txt").write_text("Un texte sur le cloud souverain.\n", encoding="utf-8")
    (tmp_path / "binaire.bin").write_bytes(bytes(range(256)) * 4)
    code = main(["--db", str(tmp_path / "x.db"), "ingest", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 1
    assert "binaire.bin" in captured.err and "binary" in captured.err
    assert "1 added" in captured.out


def test_format_override(tmp_path, capsys):
    db = str(tmp_path / "f.db")
    assert main(["--db", db, "ingest", "--format", "plaintext", str(seed("004")), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"][0]["format"] == "plaintext"
    assert report["files"][0]["detection"] == "plaintext (forced)"


def test_unknown_format_name_is_refused():
    with pytest.raises(SystemExit):
        main(["ingest", "--format", "docx", "x.txt"])


def test_veille_db_may_name_a_postgresql_database(pg_uri, monkeypatch, capsys):
    monkeypatch.setenv("VEILLE_DB", pg_uri)
    assert main(["ingest", str(seed("003"))]) == 0
    assert "1 added" in capsys.readouterr().out
    assert main(["search", "semi-conducteurs", "--json", "-k", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["hits"]
    assert main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["documents"] == 1 and stats["path"].startswith("postgresql://")


def test_an_unreachable_server_is_said_clearly(tmp_path, capsys):
    uri = f"postgresql://nobody@/veille?host={tmp_path}"  # no server listens in an empty folder
    assert main(["--db", uri, "search", "x"]) == 2
    err = capsys.readouterr().err
    assert "cannot connect" in err and "nobody@" in err
