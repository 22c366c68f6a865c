"""Mention extraction quality on the hand-labelled sample (tests/data/mentions/ and the five seeds).

Prints precision, recall and F1 of the names found, and how often a found name's kind
(person, organisation, place) is right, for veille's rule-based extractor and, when
spaCy and its small French model are installed, for spaCy's NER (PER, ORG, LOC), side by side.

    PYTHONPATH=src python bench/mentions_quality.py [--misses]
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from veille.enrich.mention_eval import load_sample, rule_method, score
from veille.enrich.mentions import Mention, ORGANISATION, PERSON, PLACE, _distinct

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"  # the seeds, beside the project

_LEADING = re.compile(r"^(?:(?:la|le|les|l|d|du|de|des|en|au|aux|qu|n|s|j)(?:['’]|\s+))+", re.I)
_SPACY_KINDS = {"PER": PERSON, "ORG": ORGANISATION, "LOC": PLACE}


def spacy_method():
    """spaCy's fr_core_news_sm entities (PER, ORG, LOC; MISC left out), or None when not installed."""
    try:
        import spacy
        nlp = spacy.load("fr_core_news_sm")
    except (ImportError, OSError):
        return None

    def method(texts: list[str], people: list[str]) -> list[Mention]:
        found = []
        for doc in nlp.pipe(texts):
            for e in doc.ents:
                if e.label_ in _SPACY_KINDS:
                    # spaCy often takes the article or elision in ("la Chine", "l'Europe"): left out, to
                    # compare names with names
                    name = _LEADING.sub("", e.text)
                    if name:
                        found.append(Mention(name, _SPACY_KINDS[e.label_], e.end_char - len(name), e.end_char))
        return _distinct(found)

    return method


def main() -> None:
    sample = load_sample(ROOT / "tests" / "data" / "mentions", CORPUS)
    sentences = [s for s in sample if s.name.startswith("sentence")]
    seeds = [s for s in sample if s.name.startswith("seed")]
    gold = sum(len(s.gold) for s in sample)
    print(f"sample: {len(sentences)} sentences and {len(seeds)} seeds, {gold} labelled names\n")
    methods = {"veille rules": rule_method}
    spacy = spacy_method()
    if spacy is None:
        print("(spaCy or fr_core_news_sm not installed: rules only)\n")
    else:
        methods["spaCy fr_core_news_sm"] = spacy
    print(f"{'method':<24} {'part':<10} {'P':>6} {'R':>6} {'F1':>6} {'kind ok':>8} {'ms':>7}")
    results = {}
    for name, method in methods.items():
        for part, items in (("sentences", sentences), ("seeds", seeds), ("all", sample)):
            started = time.perf_counter()
            result = score(method, items)
            ms = (time.perf_counter() - started) * 1000
            results[name, part] = result
            print(f"{name:<24} {part:<10} {result.precision:>6.3f} {result.recall:>6.3f} {result.f1:>6.3f} "
                  f"{result.kind_accuracy:>8.3f} {ms:>7.0f}")
    if "--misses" in sys.argv:
        for (name, part), result in results.items():
            if part == "all":
                print(f"\n{name}: missed {result.missed}\n{name}: wrong {result.wrong}")


if __name__ == "__main__":
    main()
