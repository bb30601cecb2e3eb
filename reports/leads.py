"""Leads as a terminal table, Markdown and JSON, from their documents (`Lead.to_dict()` of
scanner.campaign.leads)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from reports.escape import md_escape
from reports.view import display_names, named

LeadDoc = Mapping[str, Any]
_HEADERS = {
    "zh": ("严重程度", "目标", "单位", "得分", "违规规则", "法律依据", "证据摘录"),
    "en": ("Severity", "Target", "Company", "Score", "Failing rules", "Legal basis", "Evidence"),
}


def _rows(found: Sequence[LeadDoc], lang: str) -> Iterator[tuple[str, ...]]:
    names = display_names(lang)
    for lead in found:
        findings = lead["findings"]
        grade = named(names["grade"], lead["grade"])
        yield (
            named(names["severity"], lead["worst_severity"]) or grade,
            lead["label"] or lead["uri"],
            lead["company"],
            grade if lead["score"] is None else f"{lead['score']:.0f} ({grade})",
            "\n".join(f"{f['rule_id']} {f['title']} [{named(names['severity'], f['severity'])}]" for f in findings)
            or "\n".join(lead.get("gaps", ())),
            "\n".join(dict.fromkeys(a for f in findings for a in f["articles"])),
            "\n".join(s for f in findings for s in f["snippets"][:2]),
        )


def leads_table(found: Sequence[LeadDoc], *, lang: str = "zh", width: int = 80) -> Any:
    """A rich Table for the CLI: one line per lead (severity, target, company, score, rule ids), cut
    to the terminal's width; the articles and evidence are in the files `write_leads` writes."""
    from rich.table import Table
    from rich.text import Text

    headers = _HEADERS.get(lang, _HEADERS["en"])
    table = Table(width=width, show_lines=False)
    for header in headers[:4]:
        table.add_column(header, overflow="ellipsis", no_wrap=True)
    table.add_column(headers[4], overflow="ellipsis", no_wrap=True, ratio=1)
    for row, lead in zip(_rows(found, lang), found):
        rules = " ".join(f["rule_id"] for f in lead["findings"]) or ("未完成" if lang == "zh" else "incomplete")
        table.add_row(*(Text(c) for c in (*row[:4], rules)))  # Text: names from apps are never markup
    return table


def leads_csv(found: Sequence[LeadDoc], *, lang: str = "zh") -> str:
    import csv
    import io

    from reports.escape import spreadsheet_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_HEADERS.get(lang, _HEADERS["en"]))
    for row in _rows(found, lang):
        writer.writerow([spreadsheet_cell(c) for c in row])
    return buffer.getvalue()


def write_leads(found: Sequence[LeadDoc], out_dir: Path, *, lang: str = "zh") -> list[Path]:
    """leads.md, leads.csv (UTF-8 with BOM, for Excel) and leads.json in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "leads.md", out_dir / "leads.csv", out_dir / "leads.json"]
    paths[0].write_text(leads_markdown(found, lang=lang), encoding="utf-8")
    paths[1].write_text(leads_csv(found, lang=lang), encoding="utf-8-sig", newline="")
    paths[2].write_text(leads_json(found), encoding="utf-8")
    return paths


def leads_markdown(found: Sequence[LeadDoc], *, lang: str = "zh") -> str:
    headers = _HEADERS.get(lang, _HEADERS["en"])
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in _rows(found, lang):
        lines.append("| " + " | ".join(md_escape(cell) for cell in row) + " |")
    return "\n".join(lines) + "\n"


def leads_json(found: Sequence[LeadDoc]) -> str:
    return json.dumps(list(found), ensure_ascii=False, indent=2) + "\n"
