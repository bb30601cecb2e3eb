"""The leads worth an auditor's time: targets with failures at or above a severity, worst first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from scanner.campaign.store import Store
from scanner.documents import Finding, company_of, iter_findings, severity_rank, shorten
from scanner.model import INCOMPLETE, Outcome, Severity


@dataclass(frozen=True, slots=True)
class LeadFinding:
    rule_id: str
    title: str
    severity: str
    confidence: str
    message: str
    articles: tuple[str, ...]
    snippets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lead:
    """A target with failures at or above the chosen severity."""

    target_id: str
    kind: str
    label: str
    company: str
    uri: str
    sha256: str
    score: float | None
    grade: str
    worst_severity: str  # "" for an incomplete target without failures
    findings: tuple[LeadFinding, ...]
    gaps: tuple[str, ...] = ()  # an incomplete target: what could not be analysed, and what to supply

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def leads(
    reports: Mapping[str, Any] | Iterable[Mapping[str, Any]], *, min_severity: str = "high", lang: str = "zh"
) -> list[Lead]:
    """Targets with FAIL results at or above `min_severity`, worst severity first, then lowest score;
    then the incomplete targets (no grade: what they need is listed), above every clean target,
    which is no lead at all."""
    threshold = Severity(min_severity).rank
    found: list[Lead] = []
    for report in [reports] if isinstance(reports, Mapping) else reports:
        by_target: dict[str, list[Finding]] = {}
        for finding in iter_findings(report, lang=lang, outcomes=frozenset({Outcome.FAIL})):
            if severity_rank(finding.severity) >= threshold:
                by_target.setdefault(finding.target_id, []).append(finding)
        gaps = {t["id"]: tuple(f"{g['reason']} {g['remedy']}" for g in (t.get("coverage") or {}).get("gaps", ()))
                for t in report.get("targets", []) if (t.get("score") or {}).get("grade") == INCOMPLETE}
        found.extend(_lead(findings, gaps.pop(target_id, ())) for target_id, findings in by_target.items())
        found.extend(_incomplete_lead(t, gaps[t["id"]]) for t in report.get("targets", []) if t["id"] in gaps)
    return sorted(found, key=lambda lead: (-severity_rank(lead.worst_severity), lead.grade != INCOMPLETE,
                                           _score_key(lead.score), lead.label, lead.uri))


def _incomplete_lead(target: Mapping[str, Any], gaps: tuple[str, ...]) -> Lead:
    return Lead(target_id=target["id"], kind=target["kind"], label=target.get("label", ""), company=company_of(target),
                uri=target.get("uri", ""), sha256=target.get("sha256", ""), score=None, grade=INCOMPLETE,
                worst_severity="", findings=(), gaps=gaps)


def leads_from_store(store: Store, run_id: int, *, min_severity: str = "high", lang: str = "zh") -> list[Lead]:
    """Leads of one stored run, reading its targets one at a time."""
    report = {**store.report_header(run_id), "targets": store.iter_documents(run_id)}
    return leads(report, min_severity=min_severity, lang=lang)


def _score_key(score: float | None) -> float:
    return float("inf") if score is None else float(score)


def _lead(findings: list[Finding], gaps: tuple[str, ...] = ()) -> Lead:
    first = findings[0]
    ordered = sorted(findings, key=lambda f: (-severity_rank(f.severity), f.rule_id))
    return Lead(
        target_id=first.target_id,
        kind=first.target_kind,
        label=first.target_label,
        company=first.company,
        uri=first.target_uri,
        sha256=first.sha256,
        score=first.score,
        grade=first.grade,
        worst_severity=ordered[0].severity,
        findings=tuple(
            LeadFinding(
                rule_id=f.rule_id,
                title=f.rule_title,
                severity=f.severity,
                confidence=f.confidence,
                message=f.message,
                articles=f.legal_basis,
                snippets=tuple(shorten(ev["location"]["snippet"]) for ev in f.evidence if (ev.get("location") or {}).get("snippet")),
            )
            for f in ordered
        ),
        gaps=gaps,
    )
