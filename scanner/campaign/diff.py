"""Follow-up ("回头看"): what a later scan fixed, what is new, what still fails, and how the facts moved.

Targets are matched by id (same bytes), else by uri (same file or seed URL), else by label and kind
(a new version of the same app). Within a matched pair, results are compared rule by rule; evidence
is compared by kind and key, so "access.alternative_method card added" shows why a finding was fixed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from scanner.campaign.store import Store
from scanner.documents import localized, rule_index, severity_rank
from scanner.model import Outcome

_OPEN = frozenset({Outcome.FAIL, Outcome.UNKNOWN})
_CLOSED = frozenset({Outcome.PASS, Outcome.NOT_APPLICABLE})
_NOTEWORTHY = frozenset({Outcome.FAIL, Outcome.UNKNOWN, Outcome.WAIVED})


class DiffError(Exception):
    """Two reports that cannot be compared."""


@dataclass(frozen=True, slots=True)
class FindingChange:
    target: str  # the label (or uri) a reader knows the target by
    rule_id: str
    title: str
    severity: str
    old_outcome: str | None  # None: the target or the rule was absent
    new_outcome: str | None
    evidence_before: tuple[str, ...]  # "kind key" of the evidence the result cited
    evidence_after: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TargetChange:
    target: str
    kind: str
    old_id: str | None
    new_id: str | None
    old_score: float | None
    new_score: float | None
    old_grade: str
    new_grade: str
    evidence_added: tuple[str, ...]
    evidence_removed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Diff:
    fixed: tuple[FindingChange, ...]
    new: tuple[FindingChange, ...]
    unchanged: tuple[FindingChange, ...]  # FAIL before and after
    changed: tuple[FindingChange, ...]  # any other move into or out of FAIL/UNKNOWN/WAIVED
    targets: tuple[TargetChange, ...]  # matched, added (old_id None) and gone (new_id None)
    old_generated_at: str
    new_generated_at: str
    # each "kind key" above as the report's language words it (from the facts' stored words)
    evidence_words: Mapping[str, str] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """1 if anything newly fails, else 0."""
        return 1 if self.new else 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any], *, lang: str = "zh") -> Diff:
    """Compare two report.json documents. DiffError if they share no target."""
    old_targets = list(old.get("targets", []))
    new_targets = list(new.get("targets", []))
    pairs = match_targets(old_targets, new_targets)
    if not any(o is not None and n is not None for o, n in pairs):
        raise DiffError(
            f"the two reports have no target in common ({len(old_targets)} old, {len(new_targets)} new; "
            "matched by id, uri, then label and kind)"
        )
    rules = {**rule_index(old), **rule_index(new)}
    buckets: dict[str, list[FindingChange]] = {"fixed": [], "new": [], "unchanged": [], "changed": []}
    target_changes = []
    for old_target, new_target in pairs:
        target_changes.append(_target_change(old_target, new_target))
        for change in _result_changes(old_target, new_target, rules, lang):
            bucket = classify(change.old_outcome, change.new_outcome, target_gone=new_target is None)
            if bucket:
                buckets[bucket].append(change)
    order = lambda c: (-severity_rank(c.severity), c.target, c.rule_id)  # noqa: E731
    return Diff(
        fixed=tuple(sorted(buckets["fixed"], key=order)),
        new=tuple(sorted(buckets["new"], key=order)),
        unchanged=tuple(sorted(buckets["unchanged"], key=order)),
        changed=tuple(sorted(buckets["changed"], key=order)),
        targets=tuple(sorted(target_changes, key=lambda t: (t.kind, t.target))),
        old_generated_at=str(old.get("generated_at", "")),
        new_generated_at=str(new.get("generated_at", "")),
        evidence_words=_evidence_words([*old_targets, *new_targets], lang),
    )


def _evidence_words(targets: list[Mapping[str, Any]], lang: str) -> dict[str, str]:
    """"kind key" → the fact's kind and key in words, as stored when it was judged."""
    words: dict[str, str] = {}
    for target in targets:
        for ev in target.get("evidence", []):
            shown = (ev.get("shown") or {}).get(lang)
            if shown:
                words.setdefault(f"{ev['kind']} {ev['key']}".strip(), f"{shown['kind']} {shown['key']}".strip())
    return words


def diff_runs(store: Store, old_run: int, new_run: int, *, lang: str = "zh") -> Diff:
    return diff_reports(store.report_dict(old_run), store.report_dict(new_run), lang=lang)


def classify(old: str | None, new: str | None, *, target_gone: bool) -> str | None:
    """fixed / new / unchanged / changed, or None when nothing worth reporting moved."""
    if old in _OPEN and (new in _CLOSED or target_gone):
        return "fixed"
    if new == Outcome.FAIL:
        return "unchanged" if old == Outcome.FAIL else "new"
    if old != new and (old in _NOTEWORTHY or new in _NOTEWORTHY):
        return "changed"
    return None


def match_targets(
    old_targets: list[Mapping[str, Any]], new_targets: list[Mapping[str, Any]]
) -> list[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]]:
    """Pairs (old, new); unmatched targets pair with None. Each pass only sees what earlier passes left."""
    keys = (
        lambda t: t.get("id"),
        lambda t: t.get("uri"),
        lambda t: (t.get("label"), t.get("kind")) if t.get("label") else None,
    )
    pairs: list[tuple[Mapping[str, Any] | None, Mapping[str, Any] | None]] = []
    old_left, new_left = list(old_targets), list(new_targets)
    for key in keys:
        index: dict[Any, int] = {}
        for at, target in enumerate(new_left):
            if key(target) is not None:
                index.setdefault(key(target), at)
        matched_new: set[int] = set()
        still_old = []
        for target in old_left:
            position: int | None = index.get(key(target)) if key(target) is not None else None
            if position is None or position in matched_new:
                still_old.append(target)
                continue
            matched_new.add(position)
            pairs.append((target, new_left[position]))
        old_left = still_old
        new_left = [t for i, t in enumerate(new_left) if i not in matched_new]
    pairs += [(t, None) for t in old_left] + [(None, t) for t in new_left]
    return pairs


def _name(target: Mapping[str, Any]) -> str:
    return str(target.get("label") or target.get("uri") or target.get("id"))


def _evidence_keys(target: Mapping[str, Any] | None, ids: list[str] | None = None) -> set[str]:
    if target is None:
        return set()
    wanted = set(ids) if ids is not None else None
    return {
        f"{ev['kind']} {ev['key']}".strip()
        for ev in target.get("evidence", [])
        if wanted is None or ev["id"] in wanted
    }


def _target_change(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> TargetChange:
    before, after = _evidence_keys(old), _evidence_keys(new)
    old_score, new_score = (old or {}).get("score") or {}, (new or {}).get("score") or {}
    either = new or old or {}
    return TargetChange(
        target=_name(either),
        kind=str(either.get("kind", "")),
        old_id=old.get("id") if old else None,
        new_id=new.get("id") if new else None,
        old_score=old_score.get("value"),
        new_score=new_score.get("value"),
        old_grade=old_score.get("grade", ""),
        new_grade=new_score.get("grade", ""),
        evidence_added=tuple(sorted(after - before)),
        evidence_removed=tuple(sorted(before - after)),
    )


def _result_changes(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, rules: Mapping[str, Mapping[str, Any]], lang: str
) -> list[FindingChange]:
    old_results = {r["rule_id"]: r for r in (old or {}).get("results", [])}
    new_results = {r["rule_id"]: r for r in (new or {}).get("results", [])}
    name = _name(new or old or {})
    changes = []
    for rule_id in sorted(old_results.keys() | new_results.keys()):
        before, after = old_results.get(rule_id), new_results.get(rule_id)
        rule = rules.get(rule_id)
        changes.append(
            FindingChange(
                target=name,
                rule_id=rule_id,
                title=(localized(rule.get("title"), lang) if rule else "") or rule_id,
                severity=str((after or before or {}).get("severity", "")),
                old_outcome=before["outcome"] if before else None,
                new_outcome=after["outcome"] if after else None,
                evidence_before=tuple(sorted(_evidence_keys(old, before["evidence_ids"]) if before else ())),
                evidence_after=tuple(sorted(_evidence_keys(new, after["evidence_ids"]) if after else ())),
            )
        )
    return changes
