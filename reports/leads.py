"""Leads as a terminal table, Markdown and JSON, from their documents (`Lead.to_dict()` of
scanner.campaign.leads)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
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


def leads_table(found: Sequence[LeadDoc], *, lang: str = "zh") -> Any:
    """A rich Table for the CLI to print."""
    from rich.table import Table

    table = Table(show_lines=True)
    for header in _HEADERS.get(lang, _HEADERS["en"]):
        table.add_column(header, overflow="fold")
    for row in _rows(found, lang):
        table.add_row(*row)
    return table


def leads_markdown(found: Sequence[LeadDoc], *, lang: str = "zh") -> str:
    headers = _HEADERS.get(lang, _HEADERS["en"])
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for row in _rows(found, lang):
        lines.append("| " + " | ".join(md_escape(cell) for cell in row) + " |")
    return "\n".join(lines) + "\n"


def leads_json(found: Sequence[LeadDoc]) -> str:
    return json.dumps(list(found), ensure_ascii=False, indent=2) + "\n"
