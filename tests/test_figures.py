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

DATA = Path(__file__).parent / "data" / "figures"
CORPUS = Path("/work/shared/corpus")
SEEDS = sorted(CORPUS.glob("00*.txt")) if CORPUS.is_dir() else []


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
