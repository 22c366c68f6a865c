"""Figures as data: extraction against hand-labelled seeds and cases, number writing, and storage."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from veille.chunking import ChunkingConfig
from veille.enrich.figures import extract_figures
from veille.pipeline import Pipeline

from .conftest import DATA as ALL_DATA, SEEDS as SEED_FOLDER

DATA = ALL_DATA / "figures"
SEEDS = sorted(SEED_FOLDER.glob("00*.txt"))


def _key(f: dict) -> tuple:
    high = f.get("high")
    return (f["unit"], float(f"{float(f['value']):.9g}"), None if high is None else float(f"{float(high):.9g}"),
            " ".join(f["text"].split()), f.get("approx"))


def _found(text: str) -> list[dict]:
    return [fig.as_dict() for fig in extract_figures(text)]


def precision_recall(found: list[dict], expected: list[dict]) -> tuple[float, float, Counter, Counter]:
    got, want = Counter(map(_key, found)), Counter(map(_key, expected))
    common = sum((got & want).values())
    precision = common / sum(got.values()) if got else 1.0
    recall = common / sum(want.values()) if want else 1.0
    return precision, recall, got - want, want - got


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_seed_figures_match_the_hand_labels(seed: Path) -> None:
    pipeline = Pipeline("chars4", ChunkingConfig())
    doc, _ = pipeline.parse_bytes(seed.read_bytes(), str(seed))
    found = [f for unit in doc.units for f in _found(unit.text)]
    expected = json.loads((DATA / f"{seed.stem}.json").read_text(encoding="utf-8"))
    precision, recall, extra, missing = precision_recall(found, expected)
    print(f"{seed.stem}: {len(expected)} labelled, {len(found)} found, precision {precision:.3f}, recall {recall:.3f}")
    assert not extra and not missing, f"found but not labelled: {dict(extra)}; labelled but not found: {dict(missing)}"
    assert precision == recall == 1.0
    for label in expected:  # each label's sentence is in the text (the labels were read off it)
        assert " ".join(label["sentence"].split()) in " ".join(" ".join(u.text for u in doc.units).split())


CASES = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_written_cases(case: dict) -> None:
    found = _found(case["text"])
    _, _, extra, missing = precision_recall(found, case["figures"])
    assert not extra and not missing, f"extra: {dict(extra)}; missing: {dict(missing)}"
    texts = [f["text"] for f in found]
    for non_figure in case.get("not", []):
        assert not any(non_figure in t or t in non_figure for t in texts), f"{non_figure!r} taken as a figure"
    for f in extract_figures(case["text"]):
        assert case["text"][f.start:f.end] == f.text


# -- number writing -----------------------------------------------------------------------------------------
SPACES = [" ", "\u202f", "\u00a0"]


def _grouped(whole: int, sep: str) -> str:
    digits = str(whole)
    head = len(digits) % 3 or 3
    return sep.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


@settings(max_examples=300, deadline=None)
@given(whole=st.integers(0, 10**12), decimals=st.one_of(st.none(), st.text("0123456789", min_size=1, max_size=3)),
       space=st.sampled_from(SPACES), grouped=st.booleans())
def test_french_number_writing_round_trips(whole: int, decimals: str | None, space: str, grouped: bool) -> None:
    written = _grouped(whole, space) if grouped else str(whole)
    if decimals:
        written += "," + decimals
    expected = float(f"{whole}.{decimals or 0}")
    figures = extract_figures(f"Le budget est de {written} euros cette année.")
    assert [(f.value, f.unit) for f in figures] == [(pytest.approx(expected, rel=1e-12), "EUR")]
    assert figures[0].text == f"{written} euros"


@settings(max_examples=200, deadline=None)
@given(whole=st.integers(10**6, 10**12))
def test_french_dotted_thousands_round_trip(whole: int) -> None:
    written = _grouped(whole, ".")
    assert [f.value for f in extract_figures(f"Soit {written} d’euros.")] == [float(whole)]


@settings(max_examples=300, deadline=None)
@given(whole=st.integers(0, 10**12), decimals=st.one_of(st.none(), st.text("0123456789", min_size=1, max_size=3)),
       grouped=st.booleans())
def test_english_number_writing_round_trips(whole: int, decimals: str | None, grouped: bool) -> None:
    written = _grouped(whole, ",") if grouped else str(whole)
    if decimals:
        written += "." + decimals
    expected = float(f"{whole}.{decimals or 0}")
    figures = extract_figures(f"They spent {written} dollars on it.")
    assert [(f.value, f.unit) for f in figures] == [(pytest.approx(expected, rel=1e-12), "USD")]


@settings(max_examples=300, deadline=None)
@given(year=st.integers(1800, 2199), hour=st.integers(0, 23), minute=st.integers(0, 59),
       second=st.integers(0, 59), day=st.integers(1, 31), month=st.integers(1, 12),
       phone=st.lists(st.integers(0, 99), min_size=4, max_size=4), lead=st.integers(1, 9),
       style=st.sampled_from(["fr", "intl", "dots"]), megawatts=st.integers(1, 999),
       space=st.sampled_from(SPACES))
def test_years_dates_times_and_phone_numbers_are_never_figures(
        year: int, hour: int, minute: int, second: int, day: int, month: int, phone: list[int], lead: int,
        style: str, megawatts: int, space: str) -> None:
    pairs = [f"{p:02d}" for p in phone]
    number = {"fr": f"0{lead} " + " ".join(pairs), "intl": f"+33 {lead} " + " ".join(pairs),
              "dots": f"0{lead}." + ".".join(pairs)}[style]
    text = (f"{hour:02d}:{minute:02d}:{second:02d} En {year}, le {day}/{month}/{year} à {hour}h{minute:02d}, "
            f"le {year}-{month:02d}-{day:02d}, appelez le {number}{space}: le site consomme {megawatts} MW, "
            f"ouvert le {day} novembre {year} de {hour}:{minute:02d} à {hour}h.")
    figures = extract_figures(text)
    assert [(f.value, f.unit, f.text) for f in figures] == [(megawatts * 1e6, "W", f"{megawatts} MW")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_text_gives_figures_at_their_offsets(text: str) -> None:
    for figure in extract_figures(text):
        assert text[figure.start:figure.end] == figure.text
        assert math.isfinite(figure.value)
