"""Sentence-level scores: per practice precision, recall and F1 for presence and for polarity.

Presence: a sentence states the practice (any polarity) or not. Polarity: the (practice, polarity)
pair must match — a practice found with the wrong polarity is both a false positive and a false
negative. Macro averages are over the practices with gold support in the split.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: bool, gold: bool) -> None:
        self.tp += predicted and gold
        self.fp += predicted and not gold
        self.fn += gold and not predicted

    @property
    def support(self) -> int:
        return self.tp + self.fn

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


@dataclass
class Scores:
    presence: dict[str, Counts]
    polarity: dict[str, Counts]

    def macro(self, table: str, practices: Iterable[str] | None = None) -> float:
        counts = getattr(self, table)
        names = [p for p in (practices or counts) if counts[p].support]
        return sum(counts[p].prf()[2] for p in names) / len(names) if names else 0.0


def score(pairs: Iterable[tuple[Mapping[str, str], Mapping[str, str]]], practices: Sequence[str]) -> Scores:
    """pairs: (gold labels, predicted labels) per sentence, each practice → polarity."""
    presence = {p: Counts() for p in practices}
    polarity = {p: Counts() for p in practices}
    for gold, predicted in pairs:
        for p in practices:
            g, q = gold.get(p), predicted.get(p)
            presence[p].add(bool(q), bool(g))
            polarity[p].tp += bool(g and q == g)
            polarity[p].fp += bool(q and q != g)
            polarity[p].fn += bool(g and q != g)
    return Scores(presence, polarity)


def table(scores: Scores, practices: Sequence[str], title: str) -> str:
    lines = [title, f"  {'practice':24} {'support':>7}  {'presence P/R/F1':>20}  {'polarity P/R/F1':>20}"]
    for p in practices:
        pres, pol = scores.presence[p], scores.polarity[p]
        if not pres.support and not pres.fp:
            continue
        a = "{:.2f}/{:.2f}/{:.2f}".format(*pres.prf())
        b = "{:.2f}/{:.2f}/{:.2f}".format(*pol.prf())
        lines.append(f"  {p:24} {pres.support:7d}  {a:>20}  {b:>20}")
    lines.append(f"  {'macro-F1':24} {'':7}  {scores.macro('presence', practices):20.3f}  "
                 f"{scores.macro('polarity', practices):20.3f}")
    return "\n".join(lines)
