"""The condition language of rules: all / any / none over evidence leaves. Nothing else.

A leaf `{evidence: KIND, key: v|[v…], where: {attr: v|[v…]}, min_count: n}` is true when at least
`min_count` evidence items of KIND match the key (if given) and every `where` attribute. A missing
attribute never matches. Evaluation also returns the evidence that made leaves true, so a result
can point at its proof.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from scanner.model import Evidence

Condition = Mapping[str, Any]


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


def evaluate(cond: Condition, evidence: Sequence[Evidence]) -> tuple[bool, list[Evidence]]:
    """Truth of `cond` and the evidence that decided it.

    For a true condition that is the evidence that made it true; for a false one, the evidence that
    made it false (e.g. the alternative door methods that keep FACE-001 from failing).
    """
    for op in ("all", "any", "none"):
        if op in cond:
            parts = [evaluate(c, evidence) for c in cond[op]]
            if op == "all":
                truth = all(ok for ok, _ in parts)
            elif op == "any":
                truth = any(ok for ok, _ in parts)
            else:
                truth = not any(ok for ok, _ in parts)
            # a child decided the answer when its truth points the same way (for none: the opposite way)
            return truth, [e for ok, evs in parts if (ok != truth if op == "none" else ok == truth) for e in evs]
    matched = [e for e in evidence if leaf_matches(cond, e)]
    truth = len(matched) >= cond.get("min_count", 1)
    return truth, matched if truth else []


def kinds_in(cond: Condition) -> set[str]:
    """Every evidence kind a condition reads (for validation against the vocabulary)."""
    for op in ("all", "any", "none"):
        if op in cond:
            return set().union(*(kinds_in(c) for c in cond[op]))
    return {cond["evidence"]}
