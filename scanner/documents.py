"""Reading report.json documents: the findings they hold, the rules they carry, who a target belongs to.

A finding is one rule result that needs attention (FAIL, UNKNOWN or WAIVED) together with what a
reader needs beside it: the target, the rule's title and legal basis, and the evidence it cites.
Everything here reads report.json-shaped dicts (`Report.to_dict()`), so it works the same on a report
file and on a run rebuilt from the store (whose ``targets`` may be a lazy iterator). Campaign
computations and reporters both read documents through this module.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from scanner.model import Outcome, Severity

FINDING_OUTCOMES = frozenset({Outcome.FAIL, Outcome.UNKNOWN, Outcome.WAIVED})
SNIPPET_CHARS = 120


@dataclass(frozen=True, slots=True)
class Finding:
    company: str
    target_id: str
    target_kind: str
    target_label: str
    target_uri: str
    sha256: str
    score: float | None
    grade: str
    rule_id: str
    rule_title: str
    legal_basis: tuple[str, ...]
    severity: str
    confidence: str
    outcome: str
    message: str
    evidence: tuple[Mapping[str, Any], ...]  # the evidence documents the result cites
    time: str


def shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def severity_rank(severity: str) -> int:
    try:
        return Severity(severity).rank
    except ValueError:
        return -1


def rule_index(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {rule["id"]: rule for rule in (report.get("tool") or {}).get("rules", [])}


def localized(text: Any, lang: str) -> str:
    """A {zh, en} text in `lang`, falling back to the other language; plain strings as they are."""
    if isinstance(text, Mapping):
        return str(text.get(lang) or text.get("zh") or text.get("en") or "")
    return str(text or "")


def rule_title(rule: Mapping[str, Any] | None, rule_id: str, lang: str) -> str:
    return (localized(rule.get("title"), lang) if rule else "") or rule_id


def legal_basis(rule: Mapping[str, Any] | None, lang: str) -> tuple[str, ...]:
    """Each legal source as 'title article', e.g. '《个人信息保护法》 第二十八条'."""
    if not rule:
        return ()
    lines = []
    for basis in rule.get("legal_basis", []):
        title = basis.get(f"title_{lang}") or basis.get("title_zh") or basis.get("title_en") or basis.get("source", "")
        lines.append(" ".join(part for part in (str(title), str(basis.get("article", ""))) if part))
    return tuple(lines)



def company_of(document: Mapping[str, Any]) -> str:
    """The organisation behind a target: stated in attributes, else a site's own label."""
    attributes = document.get("attributes") or {}
    for key in ("company", "developer", "organisation"):
        if attributes.get(key):
            return str(attributes[key])
    return str(document.get("label", "")) if document.get("kind") == "site" else ""


def iter_findings(
    report: Mapping[str, Any], *, lang: str = "zh", outcomes: frozenset[str] = FINDING_OUTCOMES
) -> Iterator[Finding]:
    """Every result with an outcome in `outcomes`, target by target, in report order."""
    rules = rule_index(report)
    time = str(report.get("generated_at", ""))
    for target in report.get("targets", []):
        evidence_by_id = {ev["id"]: ev for ev in target.get("evidence", [])}
        score = target.get("score") or {}
        for result in target.get("results", []):
            if result.get("outcome") not in outcomes:
                continue
            rule = rules.get(result["rule_id"])
            yield Finding(
                company=company_of(target),
                target_id=target.get("id", ""),
                target_kind=target.get("kind", ""),
                target_label=target.get("label", ""),
                target_uri=target.get("uri", ""),
                sha256=target.get("sha256", ""),
                score=score.get("value"),
                grade=score.get("grade", "N/A"),
                rule_id=result["rule_id"],
                rule_title=rule_title(rule, result["rule_id"], lang),
                legal_basis=legal_basis(rule, lang),
                severity=result.get("severity", ""),
                confidence=result.get("confidence", ""),
                outcome=result["outcome"],
                message=result.get("message", ""),
                evidence=tuple(evidence_by_id[i] for i in result.get("evidence_ids", []) if i in evidence_by_id),
                time=time,
            )
