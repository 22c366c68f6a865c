"""The HTML evaluation gate: veille's chunks of trafilatura's French evaluation pages hold their floors.

The pages (``../shared/realdata/trafilatura-eval-fr/``) go through the real pipeline and are scored by
``bench/html_eval.py`` (the one scorer, shared with the benchmark). The floors are pinned in
``tests/eval/html_baseline.json``; its "note" says how, and why a floor cannot be lowered silently.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .conftest import load_bench

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tests" / "eval" / "html_baseline.json"


html_eval = load_bench("html_eval")


@pytest.fixture(scope="module")
def baseline() -> dict:
    return json.loads(BASELINE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def evaluation():
    try:
        pages = html_eval.load_pages()
    except FileNotFoundError as missing:
        pytest.fail(str(missing))
    return html_eval.evaluate_veille(pages)


def test_the_baseline_records_when_and_what_it_measured(baseline):
    on = baseline["measured_on"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", on["date"])
    assert on["commit"] and on["commit"] != "unknown"
    assert on["trafilatura"] and on["pages"] == 26
    assert baseline["note"]
    measured, floors = baseline["measured"], baseline["floors"]
    for key in html_eval.SHARES:
        # A floor sits just under the value measured when it was pinned: lowering it means rewriting
        # the measured value (and the date and commit) too, which the diff shows.
        assert measured[key] - 0.02 <= floors[key] <= measured[key], key
    for key in ("pages_all_with", "pages_all_without"):
        assert floors[key] == measured[key], key
    assert floors["metadata_right"] == measured["metadata_right"]
    assert floors["pages"].keys() == measured["pages"].keys()
    for page, shares in floors["pages"].items():
        for key, value in shares.items():
            assert measured["pages"][page][key] - 0.02 <= value <= measured["pages"][page][key], (page, key)


def test_no_figure_falls_below_its_floor(evaluation, baseline):
    totals = evaluation.totals
    floors = baseline["floors"]
    print(f"\nHTML evaluation: recall {totals.recall:.4f}, precision {totals.precision:.4f}, F1 {totals.f1:.4f}, "
          f"accuracy {totals.accuracy:.4f}, 'without' absent {totals.without_absent:.4f}, "
          f"pages with every 'with' found {totals.pages_all_with}, every 'without' absent "
          f"{totals.pages_all_without}, metadata right {totals.metadata} ({totals.seconds:.1f} s)")
    below = [f"{key} {getattr(totals, key):.4f} < floor {floors[key]}"
             for key in html_eval.SHARES if getattr(totals, key) < floors[key]]
    below += [f"{key} {getattr(totals, key)} < floor {floors[key]}"
              for key in ("pages_all_with", "pages_all_without") if getattr(totals, key) < floors[key]]
    below += [f"{key} right on {totals.metadata[key][0]} pages < floor {floor}"
              for key, floor in floors["metadata_right"].items() if totals.metadata[key][0] < floor]
    for page in evaluation.pages:
        floor = floors["pages"].get(page.file)
        assert floor is not None, f"{page.file} has no floor: re-pin with bench/html_eval.py --pin"
        if page.with_share < floor["with"]:
            below.append(f"{page.file}: 'with' found {page.with_share:.2f} < {floor['with']} (missing {page.missing})")
        if page.without_share < floor["without"]:
            below.append(f"{page.file}: 'without' absent {page.without_share:.2f} < {floor['without']} "
                         f"(leaked {page.leaked})")
    assert not below, "HTML extraction regressed:\n" + "\n".join(below)


def test_every_page_is_ingested(evaluation):
    assert not [p.file for p in evaluation.pages if p.error]


def test_missing_evaluation_data_fails_loudly(tmp_path):
    with pytest.raises(FileNotFoundError, match="needs ../shared"):
        html_eval.load_pages(tmp_path)


@pytest.mark.parametrize(("page", "sections"), [
    ("bondyblog.fr.paris-8.html", 3),  # the title, then two <h2>
    ("tdg.ch.chlorothalonil.html", 4),  # the title, then three one-line bold paragraphs
    ("legrandcontinent.eu.heran.html", 10),  # the title, then the interview's questions in <h3>
])
def test_headings_of_real_pages_are_the_sections_of_their_chunks(page, sections):
    from veille import KnowledgeBase

    path = html_eval.EVAL_DIR / "html" / page
    if not path.is_file():
        pytest.fail(f"{path} not found: the HTML evaluation needs ../shared beside the project")
    with KnowledgeBase(":memory:", workers=1) as kb:
        result = kb.ingest(path).files[0]
        assert result.status == "added", result.reason
        chunks = list(kb.chunks(result.document_id))
        units = kb.store.db.execute("SELECT kind, text, section FROM units WHERE document_id = ? ORDER BY idx",
                                    (result.document_id,)).fetchall()
    headings = [text for kind, text, _ in units if kind == "heading"]
    assert len(headings) == sections
    assert all(section in headings for kind, _, section in units if kind == "paragraph")
    # A heading opens a chunk, whose section it is (one right after another travels with that one).
    openers = [text for (kind, text, _), (before, _, _) in zip(units, [("", "", "")] + units)
               if kind == "heading" and before != "heading"]
    assert [c.section for c in chunks if c.text.split("\n")[0] in headings] == openers
    assert set(openers) <= {c.section for c in chunks} <= set(headings)  # a chunk further on: its paragraphs' heading
