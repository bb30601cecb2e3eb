"""The campaign summary: one self-contained page (and a Markdown twin) ranking targets and companies.

Input is a report.json-shaped dict (a report file, or ``Store.report_dict(run_id)``). The page has
inline CSS and inline SVG bar charts; no scripts, no external resources. Jinja2 autoescaping is on
for everything, since labels and snippets come from the apps and pages under audit.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from reports.escape import md_escape
from reports.view import display_names, named
from scanner.documents import company_of, iter_findings, localized, rule_index, severity_rank
from scanner.model import INCOMPLETE, Outcome

TEMPLATES = Path(__file__).resolve().parent / "templates"
GRADES = ("incomplete", "A", "B", "C", "D", "E", "N/A")
_SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}")
BAR_WIDTH = 360  # px of the longest bar

# Shared by the campaign and diff pages; inlined so each page is one self-contained file.
STYLE = """\
:root { --ink: #1f2933; --muted: #616e7c; --rule: #d9dee4; --band: #f5f7fa;
  --critical: #7a1020; --high: #c81e1e; --medium: #c05a00; --low: #1c64b0; --info: #52606d; --na: #8592a3; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 28px 32px 48px; color: var(--ink); line-height: 1.5; font-size: 14px;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
h1 { font-size: 1.65rem; margin: 0 0 10px; }
h2 { font-size: 1.25rem; margin: 30px 0 10px; padding-bottom: 6px; border-bottom: 2px solid var(--ink); }
header { border-bottom: 3px double var(--ink); padding-bottom: 12px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.meta dt, .muted { color: var(--muted); }
dl.meta dd { margin: 0; }
.mono { font-family: Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.88em; }
.wrap { word-break: break-all; }
.charts { display: flex; flex-wrap: wrap; gap: 24px 48px; margin-top: 20px; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg text { font-size: 12px; fill: var(--ink); }
svg text.count { fill: var(--muted); }
rect.bar { fill: var(--na); }
rect.fail { fill: var(--high); }
table { width: 100%; border-collapse: collapse; font-size: 0.93rem; }
th, td { border: 1px solid var(--rule); padding: 5px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--band); white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.8rem; font-weight: 600; color: #fff; background: var(--info); }
.sev-critical { background: var(--critical); } .sev-high { background: var(--high); } .sev-medium { background: var(--medium); }
.sev-low { background: var(--low); } .sev-info { background: var(--info); }
.grade { display: inline-block; min-width: 2.1em; text-align: center; padding: 1px 6px; border-radius: 4px; font-weight: 700; color: #fff; background: var(--na); }
.grade-A { background: #147a3d; } .grade-B { background: #5a8f1b; } .grade-C { background: #b7791f; } .grade-D { background: #c05a00; } .grade-E { background: #9b1c1c; }
rect.grade-A { fill: #147a3d; } rect.grade-B { fill: #5a8f1b; } rect.grade-C { fill: #b7791f; } rect.grade-D { fill: #c05a00; } rect.grade-E { fill: #9b1c1c; }
.tag { display: inline-block; padding: 0 6px; border: 1px solid var(--rule); border-radius: 4px; font-size: 0.8rem; color: var(--muted); }
.added { color: #147a3d; } .removed { color: var(--high); }
@media print { body { max-width: none; padding: 0; } }
"""

TEXT = {
    "zh": {
        "title": "专项检查汇总", "targets": "目标", "companies": "单位", "grades": "等级分布",
        "rule_fails": "各规则不通过数", "rank": "排名", "target": "目标", "kind": "类型", "company": "单位",
        "score": "得分", "grade": "等级", "worst": "最严重问题", "fails": "不通过", "unknown": "无法判定",
        "report": "报告", "open": "查看", "rule": "规则", "count": "数量", "errors": "未能分析的输入",
        "generated": "生成时间", "none": "无", "ruleset": "规则集", "target_count": "目标数",
    },
    "en": {
        "title": "Campaign summary", "targets": "Targets", "companies": "Companies", "grades": "Grades",
        "rule_fails": "FAIL count per rule", "rank": "#", "target": "Target", "kind": "Kind", "company": "Company",
        "score": "Score", "grade": "Grade", "worst": "Worst finding", "fails": "FAIL", "unknown": "UNKNOWN",
        "report": "Report", "open": "open", "rule": "Rule", "count": "Count", "errors": "Inputs not analysed",
        "generated": "Generated", "none": "none", "ruleset": "Rule pack", "target_count": "Targets",
    },
}


@dataclass(frozen=True, slots=True)
class TargetRow:
    id: str
    label: str
    kind: str
    uri: str
    company: str
    score: float | None
    grade: str
    worst_severity: str
    fails: int
    unknowns: int
    link: str | None


@dataclass(frozen=True, slots=True)
class CompanyRow:
    name: str
    targets: int
    worst_score: float | None
    worst_grade: str
    worst_severity: str
    fails: int


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    title: str
    count: int
    width: int


@cache
def template_environment() -> jinja2.Environment:
    # autoescape=True outright: select_autoescape() would not recognise the .j2 extension.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )


def existing_target_links(report: Mapping[str, Any], out_dir: Path, pattern: str = "targets/{id}.html") -> dict[str, str]:
    """Relative links to the per-target reports that exist under `out_dir` (pattern filled with the target id)."""
    links = {}
    for target in report.get("targets", []):
        relative = pattern.format(id=target["id"])
        if (out_dir / relative).is_file():
            links[target["id"]] = relative
    return links


def safe_file_name(name: str) -> bool:
    """A target id that can name a file inside the output folder (never a path out of it)."""
    return bool(_SAFE_FILE_NAME.fullmatch(name))


def one_target_report(report: Mapping[str, Any], target: Mapping[str, Any]) -> dict[str, Any]:
    """The report document narrowed to one target (run-level errors belong to other inputs)."""
    return {**report, "targets": [target], "errors": []}


def write_target_reports(report: Mapping[str, Any], out_dir: Path, *, lang: str, folder: str = "targets") -> dict[str, str]:
    """Each target's own HTML report as `out_dir/folder/<target id>.html`; returns the relative links.

    Every page is validated before it is written (jsonschema.ValidationError otherwise). A target id
    that is not a plain file name gets no page rather than a path outside `folder`.
    """
    from reports import render, validate_report

    links = {}
    (out_dir / folder).mkdir(parents=True, exist_ok=True)
    for target in report.get("targets", []):
        target_id = str(target.get("id", ""))
        if not _SAFE_FILE_NAME.fullmatch(target_id):
            continue
        document = one_target_report(report, target)
        validate_report(document)
        relative = f"{folder}/{target_id}.html"
        (out_dir / relative).write_text(render("html", document, lang=lang), encoding="utf-8")
        links[target_id] = relative
    return links


def campaign_view(report: Mapping[str, Any], *, lang: str, target_links: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Everything the templates show, ranked worst first. Computed once here, rendered twice."""
    links = target_links or {}
    rules = rule_index(report)
    targets = list(report.get("targets", []))
    findings_by_target: dict[str, list[Any]] = {}
    for finding in iter_findings(report, lang=lang, outcomes=frozenset({Outcome.FAIL, Outcome.UNKNOWN})):
        findings_by_target.setdefault(finding.target_id, []).append(finding)
    rows = [_target_row(t, findings_by_target.get(t["id"], []), links.get(t["id"])) for t in targets]
    # incomplete targets first: something must be supplied before they can be graded
    rows.sort(key=lambda r: (r.grade != INCOMPLETE, _score_key(r.score), -severity_rank(r.worst_severity), r.label, r.uri))
    rule_fails = Counter(
        f.rule_id for findings in findings_by_target.values() for f in findings if f.outcome == Outcome.FAIL
    )
    grade_counts = Counter(r.grade if r.grade in GRADES else "N/A" for r in rows)
    return {
        "generated_at": report.get("generated_at", ""),
        "tool": report.get("tool", {}),
        "targets": rows,
        "companies": _company_rows(rows),
        "grade_bars": _bars([(g, g, grade_counts.get(g, 0)) for g in GRADES]),
        "rule_bars": _bars([
            (rule_id, (localized(rules[rule_id].get("title"), lang) if rule_id in rules else ""), count)
            for rule_id, count in sorted(rule_fails.items(), key=lambda kv: (-kv[1], kv[0]))
        ]),
        "errors": list(report.get("errors", [])),
    }


def render_campaign_html(
    report: Mapping[str, Any], *, lang: str | None = None, target_links: Mapping[str, str] | None = None
) -> str:
    lang = lang or str(report.get("lang", "zh"))
    view = campaign_view(report, lang=lang, target_links=target_links)
    template = template_environment().get_template("campaign.html.j2")
    return template.render(view=view, lang=lang, text=TEXT.get(lang, TEXT["en"]), bar_width=BAR_WIDTH, style=STYLE,
                           N=display_names(lang), named=named)


def render_campaign_md(
    report: Mapping[str, Any], *, lang: str | None = None, target_links: Mapping[str, str] | None = None
) -> str:
    lang = lang or str(report.get("lang", "zh"))
    view = campaign_view(report, lang=lang, target_links=target_links)
    text = TEXT.get(lang, TEXT["en"])
    names = display_names(lang)
    lines = [f"# {text['title']}", "", f"{text['generated']}: {view['generated_at']}", ""]
    lines += [f"## {text['targets']}", "",
              f"| {text['rank']} | {text['target']} | {text['kind']} | {text['company']} | {text['score']} | "
              f"{text['grade']} | {text['worst']} | {text['fails']} | {text['report']} |",
              "|---|---|---|---|---|---|---|---|---|"]
    for rank, row in enumerate(view["targets"], start=1):
        link = f"[{text['open']}]({md_escape(row.link)})" if row.link else ""
        lines.append(
            f"| {rank} | {md_escape(row.label or row.uri)} | {named(names['kind'], row.kind)} | {md_escape(row.company)} | {_score_text(row.score)} | "
            f"{named(names['grade'], row.grade)} | {named(names['severity'], row.worst_severity) or '–'} | {row.fails} | {link} |"
        )
    lines += ["", f"## {text['companies']}", "",
              f"| {text['rank']} | {text['company']} | {text['target_count']} | {text['score']} | {text['worst']} | {text['fails']} |",
              "|---|---|---|---|---|---|"]
    for rank, company in enumerate(view["companies"], start=1):
        lines.append(
            f"| {rank} | {md_escape(company.name)} | {company.targets} | {_score_text(company.worst_score)} | "
            f"{named(names['severity'], company.worst_severity) or '–'} | {company.fails} |"
        )
    lines += ["", f"## {text['grades']}", ""] + [f"- {named(names['grade'], bar.label)}: {bar.count}" for bar in view["grade_bars"]]
    lines += ["", f"## {text['rule_fails']}", ""]
    lines += [f"- {bar.label} {md_escape(bar.title)}: {bar.count}" for bar in view["rule_bars"]] or [f"- {text['none']}"]
    if view["errors"]:
        lines += ["", f"## {text['errors']}", ""] + [f"- {md_escape(e.get('message', ''))}" for e in view["errors"]]
    return "\n".join(lines) + "\n"


def _target_row(target: Mapping[str, Any], findings: list[Any], link: str | None) -> TargetRow:
    fails = [f for f in findings if f.outcome == Outcome.FAIL]
    score = target.get("score") or {}
    return TargetRow(
        id=target["id"],
        label=str(target.get("label", "")),
        kind=str(target.get("kind", "")),
        uri=str(target.get("uri", "")),
        company=company_of(target),
        score=score.get("value"),
        grade=str(score.get("grade", "N/A")),
        worst_severity=max((f.severity for f in fails), key=severity_rank, default=""),
        fails=len(fails),
        unknowns=len(findings) - len(fails),
        link=link,
    )


def _company_rows(rows: list[TargetRow]) -> list[CompanyRow]:
    grouped: dict[str, list[TargetRow]] = {}
    for row in rows:
        if row.company:
            grouped.setdefault(row.company, []).append(row)
    companies = []
    for name, members in grouped.items():
        worst = min(members, key=lambda r: _score_key(r.score))
        companies.append(CompanyRow(
            name=name,
            targets=len(members),
            worst_score=worst.score,
            worst_grade=worst.grade,
            worst_severity=max((r.worst_severity for r in members), key=severity_rank),
            fails=sum(r.fails for r in members),
        ))
    return sorted(companies, key=lambda c: (_score_key(c.worst_score), -severity_rank(c.worst_severity), c.name))


def _bars(items: list[tuple[str, str, int]]) -> list[Bar]:
    top = max((count for _, _, count in items), default=0) or 1
    return [Bar(label, title, count, round(BAR_WIDTH * count / top)) for label, title, count in items]


def _score_key(score: float | None) -> float:
    return float("inf") if score is None else float(score)


def _score_text(score: float | None) -> str:
    return "–" if score is None else f"{score:.0f}"
