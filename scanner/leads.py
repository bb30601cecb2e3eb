"""Findings across a campaign, and the leads worth an auditor's time.

A finding is one rule result that needs attention (FAIL, UNKNOWN or WAIVED) together with what a
reader needs beside it: the target, the rule's title and legal basis, and the evidence it cites.
Everything here reads report.json-shaped dicts, so it works the same on a report file and on a run
rebuilt from the store (whose ``targets`` may be a lazy iterator).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Iterator, Mapping

from scanner.model import Outcome, Severity
from scanner.store import Store, company_of

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


def evidence_summary(evidence: Iterable[Mapping[str, Any]], limit: int = 5) -> str:
    """'kind key: snippet' for the first few evidence items, shortened."""
    parts = []
    for ev in list(evidence)[:limit]:
        snippet = (ev.get("location") or {}).get("snippet", "")
        head = f"{ev.get('kind', '')} {ev.get('key', '')}".strip()
        parts.append(f"{head}: {shorten(snippet, 80)}" if snippet else head)
    return shorten("; ".join(parts), 400)


def evidence_locations(evidence: Iterable[Mapping[str, Any]], limit: int = 5) -> str:
    """Where the cited evidence was seen: a URL or file, and the place inside it."""
    places: list[str] = []
    for ev in evidence:
        location = ev.get("location") or {}
        place = "#".join(part for part in (location.get("uri", ""), location.get("logical", "")) if part)
        if place and place not in places:
            places.append(place)
    return "; ".join(places[:limit])


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


# -- leads -----------------------------------------------------------------------------------------


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
    worst_severity: str
    findings: tuple[LeadFinding, ...]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def leads(
    reports: Mapping[str, Any] | Iterable[Mapping[str, Any]], *, min_severity: str = "high", lang: str = "zh"
) -> list[Lead]:
    """Targets with FAIL results at or above `min_severity`, worst severity first, then lowest score."""
    threshold = Severity(min_severity).rank
    found: list[Lead] = []
    for report in [reports] if isinstance(reports, Mapping) else reports:
        by_target: dict[str, list[Finding]] = {}
        for finding in iter_findings(report, lang=lang, outcomes=frozenset({Outcome.FAIL})):
            if severity_rank(finding.severity) >= threshold:
                by_target.setdefault(finding.target_id, []).append(finding)
        found.extend(_lead(findings) for findings in by_target.values())
    return sorted(found, key=lambda lead: (-severity_rank(lead.worst_severity), _score_key(lead.score), lead.label, lead.uri))


def leads_from_store(store: Store, run_id: int, *, min_severity: str = "high", lang: str = "zh") -> list[Lead]:
    """Leads of one stored run, reading its targets one at a time."""
    report = {**store.report_header(run_id), "targets": store.iter_documents(run_id)}
    return leads(report, min_severity=min_severity, lang=lang)


def _score_key(score: float | None) -> float:
    return float("inf") if score is None else float(score)


def _lead(findings: list[Finding]) -> Lead:
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
    )


_HEADERS = {
    "zh": ("严重程度", "目标", "单位", "得分", "违规规则", "法律依据", "证据摘录"),
    "en": ("Severity", "Target", "Company", "Score", "Failing rules", "Legal basis", "Evidence"),
}


def _rows(found: list[Lead]) -> Iterator[tuple[str, ...]]:
    for lead in found:
        yield (
            lead.worst_severity,
            lead.label or lead.uri,
            lead.company,
            "–" if lead.score is None else f"{lead.score:.0f} ({lead.grade})",
            "\n".join(f"{f.rule_id} {f.title} [{f.severity}]" for f in lead.findings),
            "\n".join(dict.fromkeys(a for f in lead.findings for a in f.articles)),
            "\n".join(s for f in lead.findings for s in f.snippets[:2]),
        )


def leads_table(found: list[Lead], *, lang: str = "zh") -> Any:
    """A rich Table for the CLI to print."""
    from rich.table import Table

    table = Table(show_lines=True)
    for header in _HEADERS.get(lang, _HEADERS["en"]):
        table.add_column(header, overflow="fold")
    for row in _rows(found):
        table.add_row(*row)
    return table


def leads_markdown(found: list[Lead], *, lang: str = "zh") -> str:
    headers = _HEADERS.get(lang, _HEADERS["en"])
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in _rows(found):
        lines.append("| " + " | ".join(_md_cell(cell) for cell in row) + " |")
    return "\n".join(lines) + "\n"


def leads_json(found: list[Lead]) -> str:
    return json.dumps([lead.to_dict() for lead in found], ensure_ascii=False, indent=2) + "\n"


def _md_cell(text: str) -> str:
    """Escaped so a snippet cannot break the table or inject markup where Markdown is rendered."""
    escaped = text.replace("\\", "\\\\").replace("|", "\\|").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br>")
