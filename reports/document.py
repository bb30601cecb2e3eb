"""The case document an auditor signs and hands over (检察建议, 调查报告, 整改通知 are drafted from it),
arranged once here and written as Word (reports.document_docx) and PDF (reports.document_pdf).

Order: cover (target, company, region, date, tool and rule versions, input hashes), a one-paragraph
summary, the findings by severity (facts and evidence, the legal basis with the article's words, the
remedy and a reply-deadline field), then an appendix of facts. One document covers one target or, for
a campaign, every target after a ranked overview. Like every reporter it arranges report.json and
computes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.view import SEVERITY_ORDER, build_view, cited_articles, date_text

Doc = Mapping[str, Any]
_OUTCOME_ORDER = ("FAIL", "WAIVED")


def _by_severity(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Violations and waived findings (which still stand) in full, worst first; a rule that could not
    be judged is listed apart, in one table, since its gap already says what to supply."""
    return sorted((f for f in findings if f["outcome"] in _OUTCOME_ORDER),
                  key=lambda f: (SEVERITY_ORDER.index(f["severity"]), _OUTCOME_ORDER.index(f["outcome"]), f["rule_id"]))


def _summary(target: dict[str, Any], L: Mapping[str, Any]) -> str:
    coverage = target["coverage"] or {"judged": "—", "applicable": "—", "percent": "—"}
    verdict = L["incomplete_verdict"] if target["incomplete"] else f"{L['grade']} {target['grade']}（{L['score']} {target['score']}）"
    who = target["label"] + (f"（{target['company']}）" if target["company"] else "")
    text = L["case_summary"].format(
        who=who, kind=target["kind_label"], verdict=verdict, applicable=coverage["applicable"],
        judged=coverage["judged"], percent=coverage["percent"],
        fails=sum(target["fail_counts"].values()), reviews=target["review_count"])
    if target["worst"]:
        text += L["worst"] + "：" + "；".join(f"{f['title']}（{f['severity_label']}）" for f in target["worst"]) + "。"
    return text


def case_view(report: Doc, lang: str, *, title: str | None = None) -> dict[str, Any]:
    view = build_view(report, lang)
    L = view["L"]
    targets = []
    for target in view["targets"]:
        inputs = [(target["uri"], target["sha256"])] + [(p["uri"], p["sha256"]) for p in target["policies_read"]]
        # the appendix keeps the tables a reader looks things up in; every other fact is already a
        # sentence under the finding that cites it
        facts = [section for section in target["facts"] if section["name"] != "other_facts"]
        targets.append({**target, "summary_text": _summary(target, L), "ordered": _by_severity(target["findings"]),
                        "undecided": [f for f in target["findings"] if f["outcome"] == "UNKNOWN"],
                        "inputs": inputs, "facts": facts})
    return {
        **view,
        # numbered over what the document prints in full: the findings that stand
        "articles": cited_articles({"findings": t["ordered"]} for t in targets),
        "title": title or (L["cover_title"] if len(targets) == 1 else L["campaign_title"]),
        "date": date_text(view["generated_at"][:10], lang),
        "targets": targets,
        "rules_versions": ", ".join(f"{r['id']} v{r['version']}" for r in report["tool"]["rules"]),
    }
