"""Spreadsheet exports: one row per finding (FAIL, UNKNOWN, WAIVED) across a report or a stored run.

CSV is UTF-8 with a byte-order mark so Excel shows Chinese correctly. Cells that a spreadsheet would
read as a formula are prefixed with an apostrophe: snippets come from untrusted apps and pages.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from reports.escape import spreadsheet_cell
from reports.view import display_names, fact_words, labels_for, named
from scanner.documents import Finding, iter_findings, shorten

COLUMNS: tuple[tuple[str, str, str], ...] = (  # key, zh header, en header
    ("company", "单位", "Company"),
    ("target_label", "目标名称", "Target"),
    ("target_uri", "目标文件/网址", "Target file/URL"),
    ("sha256", "SHA-256", "SHA-256"),
    ("rule_id", "规则编号", "Rule ID"),
    ("rule_title", "规则名称", "Rule"),
    ("legal_basis", "法律依据", "Legal basis"),
    ("severity", "严重程度", "Severity"),
    ("confidence", "置信度", "Confidence"),
    ("outcome", "结论", "Outcome"),
    ("evidence", "证据摘要", "Evidence"),
    ("evidence_location", "证据位置", "Evidence location"),
    ("time", "时间", "Time"),
)


def headers(lang: str) -> list[str]:
    index = 1 if lang == "zh" else 2
    return [column[index] for column in COLUMNS]


def evidence_summary(evidence: Iterable[Mapping[str, Any]], limit: int = 5, lang: str = "zh") -> str:
    """'what was found: snippet' for the first few evidence items, shortened."""
    parts = []
    for ev in list(evidence)[:limit]:
        snippet = (ev.get("location") or {}).get("snippet", "")
        head = fact_words(ev, lang, labels_for(lang))["sentence"]
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


def finding_row(finding: Finding, lang: str = "zh") -> list[str]:
    names = display_names(lang)
    values = {
        "company": finding.company,
        "target_label": finding.target_label,
        "target_uri": finding.target_uri,
        "sha256": finding.sha256,
        "rule_id": finding.rule_id,
        "rule_title": finding.rule_title,
        "legal_basis": "; ".join(finding.legal_basis),
        "severity": named(names["severity"], finding.severity),
        "confidence": named(names["confidence"], finding.confidence),
        "outcome": named(names["outcome"], finding.outcome),
        "evidence": evidence_summary(finding.evidence, lang=lang),
        "evidence_location": evidence_locations(finding.evidence),
        "time": finding.time,
    }
    return [spreadsheet_cell(values[key]) for key, _, _ in COLUMNS]


def export_rows(reports: Mapping[str, Any] | Iterable[Mapping[str, Any]], *, lang: str = "zh") -> Iterator[list[str]]:
    """Rows (without header) for one report dict or several."""
    for report in [reports] if isinstance(reports, Mapping) else reports:
        for finding in iter_findings(report, lang=lang):
            yield finding_row(finding, lang)


def write_csv(reports: Mapping[str, Any] | Iterable[Mapping[str, Any]], path: Path, *, lang: str = "zh") -> int:
    """Write the findings as CSV; returns the number of finding rows."""
    count = 0
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers(lang))
        for row in export_rows(reports, lang=lang):
            writer.writerow(row)
            count += 1
    return count


def write_xlsx(reports: Mapping[str, Any] | Iterable[Mapping[str, Any]], path: Path, *, lang: str = "zh") -> int:
    """Write the findings as an Excel workbook (one sheet, frozen header); returns the row count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)  # streams rows: memory stays flat on large campaigns
    sheet = workbook.create_sheet("findings" if lang != "zh" else "问题清单")
    sheet.freeze_panes = "A2"
    for index, width in enumerate((18, 18, 30, 16, 10, 30, 36, 9, 9, 10, 50, 40, 20), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_font = Font(bold=True)
    header_cells = []
    for text in headers(lang):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = header_font
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in export_rows(reports, lang=lang):
        sheet.append(row)
        count += 1
    workbook.save(Path(path))
    return count
