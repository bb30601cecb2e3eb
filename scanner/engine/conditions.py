"""The condition language of rules: all / any / none over evidence leaves. Nothing else.

A leaf `{evidence: KIND, key: v|[v…], where: {attr: v|[v…]}, min_count: n}` is true when at least
`min_count` evidence items of KIND match the key (if given) and every `where` attribute. A missing
attribute never matches. Evaluation also returns the evidence that decided it, so a result can
point at its proof.

Conditions are three-valued. A kind is *unseen* on a target when an extractor that would state it
was expected there and none of them ran cleanly. A leaf over an unseen kind is true if facts that
were stated already satisfy it, and otherwise unknown: the missing extractor might have stated
them. `all`, `any` and `none` combine truth values as Kleene's logic does (false wins an `all`,
true wins an `any`), so a rule is UNKNOWN exactly when its answer depends on facts nobody could read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scanner.model import Evidence

Condition = Mapping[str, Any]


@dataclass(frozen=True)
class Verdict:
    """A condition's truth (None: unknown), the evidence that decided it, and the unseen kinds that
    left it unknown."""

    truth: bool | None
    evidence: tuple[Evidence, ...] = ()
    unseen: frozenset[str] = frozenset()


def _as_set(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _matches_value(actual: Any, wanted: Any) -> bool:
    options = _as_set(wanted)
    if isinstance(actual, list):  # an attr holding several values matches if any of them is wanted
        return any(a in options for a in actual)
    return actual in options


def leaf_matches(leaf: Condition, ev: Evidence) -> bool:
    if ev.kind != leaf["evidence"]:
        return False
    if "key" in leaf and not _matches_value(ev.key, leaf["key"]):
        return False
    for attr, wanted in leaf.get("where", {}).items():
        if attr not in ev.attrs or not _matches_value(ev.attrs[attr], wanted):
            return False
    return True


def evaluate(cond: Condition, evidence: Sequence[Evidence], unseen: frozenset[str] = frozenset()) -> Verdict:
    """The verdict of `cond` on these facts, with `unseen` kinds treated as unknown.

    For a true condition the evidence is what made it true; for a false one, what made it false
    (e.g. the alternative door methods that keep FACE-001 from failing)."""
    for op in ("all", "any", "none"):
        if op in cond:
            return _combine(op, [evaluate(c, evidence, unseen) for c in cond[op]])
    matched = tuple(e for e in evidence if leaf_matches(cond, e))
    if len(matched) >= cond.get("min_count", 1):
        return Verdict(True, matched)
    if cond["evidence"] in unseen:
        return Verdict(None, (), frozenset({cond["evidence"]}))
    return Verdict(False)


def _combine(op: str, parts: list[Verdict]) -> Verdict:
    truths = [p.truth for p in parts]
    if op == "none":  # not any(...)
        inner = _combine("any", parts)
        if inner.truth is None:
            return inner
        return Verdict(not inner.truth, inner.evidence if inner.truth else
                       tuple(e for p in parts if p.truth is False for e in p.evidence))
    decisive = op == "any"  # the truth value that decides an any (True) or an all (False)
    if decisive in truths:
        return Verdict(decisive, tuple(e for p in parts if p.truth is decisive for e in p.evidence))
    if None in truths:
        return Verdict(None, (), frozenset().union(*(p.unseen for p in parts if p.truth is None)))
    return Verdict(not decisive, tuple(e for p in parts for e in p.evidence))


def kinds_in(cond: Condition) -> set[str]:
    """Every evidence kind a condition reads (for validation against the vocabulary)."""
    for op in ("all", "any", "none"):
        if op in cond:
            return set().union(*(kinds_in(c) for c in cond[op]))
    return {cond["evidence"]}
