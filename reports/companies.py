"""The per-company table of a crawl: one row per company, read from the report.json document alone.

A company is a `site` target (its seed) together with the app targets downloaded from its site
(attributes.company). Grade and score are the site's own; FAIL counts and the worst findings cover
the site and its apps, because an app's finding (e.g. CONS-003) is the company's too. Rows go
lowest score first, companies no rule could score last.

    company_rows(report, lang)              -> [CompanyRow]
    render_companies_csv(report, lang="zh") -> str   (write it with encoding "utf-8-sig")
    render_companies_md(report, lang="zh")  -> str
    companies_table(report, lang="zh")      -> rich Table (the CLI prints it)
    write_companies(report, out_dir, lang)  -> [OUT/companies.csv, OUT/companies.md]
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table
from rich.text import Text

from reports.escape import md_escape, spreadsheet_cell
from reports.view import SEVERITY_ORDER, labels_for, score_text
from scanner.documents import company_of

Doc = Mapping[str, Any]

# key, zh header, en header; the FAIL columns (one per severity) follow "score".
_LEADING = (("company", "企业", "Company"), ("region", "地区", "Region"), ("seed_url", "起始网址", "Seed URL"),
            ("pages", "已采集页面", "Pages captured"), ("errors", "错误", "Errors"), ("grade", "等级", "Grade"),
            ("score", "得分", "Score"))
_TRAILING = (("worst", "最严重问题（规则）", "Worst findings (rules)"), ("apps", "关联应用", "Linked apps"))


@dataclass(frozen=True)
class CompanyRow:
    company: str
    region: str
    seed_url: str
    pages: int
    errors: int
    grade: str
    score: str
    fails: Mapping[str, int]  # severity → FAIL count over the site and its apps
    worst: tuple[str, ...]  # rule ids failing at the highest failing severity
    apps: tuple[str, ...]  # "label [grade]" of each linked app

    def cells(self) -> list[str]:
        leading = [self.company, self.region, self.seed_url, str(self.pages), str(self.errors), self.grade,
                   self.score]
        return [*leading, *(str(self.fails[s]) for s in SEVERITY_ORDER), " ".join(self.worst), "; ".join(self.apps)]


def headers(lang: str) -> list[str]:
    column = 1 if lang == "zh" else 2
    severity_names = labels_for(lang)["severity_names"]
    fail_word = "不合规" if lang == "zh" else "FAIL"
    return [*(c[column] for c in _LEADING), *(f"{fail_word}-{severity_names[s]}" for s in SEVERITY_ORDER),
            *(c[column] for c in _TRAILING)]


def _worst_rules(targets: Sequence[Doc]) -> tuple[str, ...]:
    fails = [r for t in targets for r in t["results"] if r["outcome"] == "FAIL"]
    for severity in SEVERITY_ORDER:
        ids = sorted({r["rule_id"] for r in fails if r["severity"] == severity})
        if ids:
            return tuple(ids)
    return ()


def _row(site: Doc, apps: Sequence[Doc], grade_names: Mapping[str, str]) -> CompanyRow:
    attributes = site.get("attributes") or {}
    targets = [site, *apps]
    fails = {s: sum(1 for t in targets for r in t["results"] if r["outcome"] == "FAIL" and r["severity"] == s)
             for s in SEVERITY_ORDER}
    return CompanyRow(
        company=company_of(site),
        region=str(attributes.get("region") or ""),
        seed_url=site["uri"],
        pages=int(attributes.get("pages") or 0),
        errors=sum(len(t["errors"]) for t in targets),
        grade=grade_names.get(site["score"]["grade"], site["score"]["grade"]),  # N/A, incomplete in words
        score=score_text(site["score"]),
        fails=fails,
        worst=_worst_rules(targets),
        apps=tuple(f"{a['label'] or a['uri']} [{grade_names.get(a['score']['grade'], a['score']['grade'])}]" for a in apps),
    )


def company_rows(report: Doc, lang: str = "zh") -> list[CompanyRow]:
    """One row per site target, with the app targets of the same company."""
    apps: dict[str, list[Doc]] = {}
    for target in report["targets"]:
        if target["kind"] == "apk" and company_of(target):
            apps.setdefault(company_of(target), []).append(target)
    sites = sorted((t for t in report["targets"] if t["kind"] == "site"),
                   key=lambda t: (t["score"]["value"] is None, t["score"]["value"] or 0.0, company_of(t)))
    grade_names = labels_for(lang)["grade_names"]
    return [_row(site, apps.get(company_of(site), []), grade_names) for site in sites]


def render_companies_csv(report: Doc, lang: str = "zh") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers(lang))
    for row in company_rows(report, lang):
        writer.writerow([spreadsheet_cell(c) for c in row.cells()])
    return buffer.getvalue()


def render_companies_md(report: Doc, lang: str = "zh") -> str:
    title = "# 企业汇总" if lang == "zh" else "# Companies"
    names = headers(lang)
    lines = [title, "", "| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join((md_escape(c) or " ") for c in row.cells()) + " |" for row in company_rows(report, lang)]
    return "\n".join(lines) + "\n"


def companies_table(report: Doc, lang: str = "zh") -> Table:
    """The same rows for a terminal: FAIL counts folded into one column, seed URL left out."""
    severity_names = labels_for(lang)["severity_names"]
    names = headers(lang)
    table = Table(title="企业汇总" if lang == "zh" else "Companies")
    for name in (names[0], names[1], names[3], names[4], names[5], names[6]):
        table.add_column(name)
    table.add_column("不合规" if lang == "zh" else "FAIL")
    table.add_column(names[-2])
    table.add_column(names[-1])
    for row in company_rows(report, lang):
        fails = " ".join(f"{severity_names[s]}{row.fails[s]}" for s in SEVERITY_ORDER if row.fails[s]) or "0"
        cells = (row.company, row.region, str(row.pages), str(row.errors), row.grade, row.score, fails,
                 " ".join(row.worst), "\n".join(row.apps))
        table.add_row(*(Text(c) for c in cells))  # Text: names and labels are never read as markup
    return table


def has_companies(report: Doc) -> bool:
    return any(t["kind"] == "site" for t in report["targets"])


def write_companies(report: Doc, out_dir: Path, lang: str = "zh") -> list[Path]:
    """OUT/companies.csv (UTF-8 with a BOM, so Excel reads Chinese) and OUT/companies.md."""
    csv_path, md_path = Path(out_dir) / "companies.csv", Path(out_dir) / "companies.md"
    csv_text, md_text = render_companies_csv(report, lang), render_companies_md(report, lang)
    csv_path.write_text(csv_text, encoding="utf-8-sig", newline="")
    md_path.write_text(md_text, encoding="utf-8")
    return [csv_path, md_path]
