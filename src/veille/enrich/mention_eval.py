"""Scores a mention extractor against hand-labelled text (tests/data/mentions/).

A sample is a text, the people who wrote it (a chat's participants) and the names it
mentions with their kinds, labelled by reading. A method gives, for a list of texts of
one document, the distinct mentions of each; names are compared folded (case, accents,
punctuation), and a mention's kind counts when both sides give one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..pipeline import Pipeline
from ..chunking import ChunkingConfig
from ..text.fold import fold_name
from .mentions import Mention, MentionExtractor

#: A method: (texts of one document, its people) → the distinct mentions of the document.
Method = Callable[[list[str], list[str]], list[Mention]]


@dataclass
class LabelledText:
    name: str
    texts: list[str]
    people: list[str]
    gold: dict[str, str | None]  # name → kind


@dataclass
class Score:
    """Precision, recall and F1 of the names found; how often a found name's kind is right."""

    true: int = 0
    predicted: int = 0
    gold: int = 0
    kinds_right: int = 0
    kinds_compared: int = 0
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def kind_accuracy(self) -> float:
        return self.kinds_right / self.kinds_compared if self.kinds_compared else 1.0


def load_sample(folder: Path, corpus: Path | None = None) -> list[LabelledText]:
    """The labelled sentences of ``folder``, and the seeds of ``corpus`` labelled in its seeds.json."""
    sample = [LabelledText(f"sentence {n}", [item["text"]], [], item["mentions"])
              for n, item in enumerate(json.loads((folder / "sentences.json").read_text(encoding="utf-8")), 1)]
    if corpus is not None:
        pipeline = Pipeline("chars4", ChunkingConfig())
        for seed, label in json.loads((folder / "seeds.json").read_text(encoding="utf-8")).items():
            if seed.startswith("_"):
                continue
            (path,) = corpus.glob(f"{seed}_*.txt")
            doc, _ = pipeline.parse_bytes(path.read_bytes(), path.name)
            units = doc.units[:label["units"]] if label["units"] else doc.units
            sample.append(LabelledText(f"seed {seed}", [u.text for u in units], doc.authors(), label["mentions"]))
    return sample


def rule_method(texts: list[str], people: list[str]) -> list[Mention]:
    """veille's own extractor, over a document's texts."""
    return MentionExtractor(people).distinct(texts)


def score(method: Method, sample: list[LabelledText]) -> Score:
    total = Score()
    for item in sample:
        found = {fold_name(m.text): m for m in method(item.texts, item.people)}
        gold = {fold_name(name): (name, kind) for name, kind in item.gold.items()}
        total.predicted += len(found)
        total.gold += len(gold)
        for key, mention in found.items():
            if key in gold:
                total.true += 1
                kind = gold[key][1]
                if kind and mention.kind:
                    total.kinds_compared += 1
                    total.kinds_right += kind == mention.kind
            else:
                total.wrong.append(f"{item.name}: {mention.text}")
        total.missed += [f"{item.name}: {name}" for key, (name, _) in gold.items() if key not in found]
    return total
