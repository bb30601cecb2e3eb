"""The Markdown report: same order as HTML, cells that cannot break their table, inert HTML."""

from __future__ import annotations

import re

import pytest
from support.sample_report import batch_report, sample_report

from reports import render
from reports.templating import md_escape


@pytest.fixture(scope="module")
def md_zh() -> str:
    return render("md", sample_report(), lang="zh")


def _unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_every_table_row_has_as_many_cells_as_its_header(md_zh: str) -> None:
    lines = md_zh.splitlines()
    tables = 0
    for i, line in enumerate(lines):
        if re.fullmatch(r"\|(:?-+:?\|)+", line):
            tables += 1
            width = _unescaped_pipes(lines[i - 1])
            j = i + 1
            while j < len(lines) and lines[j].startswith("|"):
                assert _unescaped_pipes(lines[j]) == width, lines[j]
                j += 1
    assert tables >= 10


def test_pipe_and_newline_inside_a_snippet_stay_in_the_cell(md_zh: str) -> None:
    assert "点击「刷脸开门」\\| 刷卡<br>扫码" in md_zh
    assert "智慧社区 \\| Smart Community" in md_zh


def test_script_tag_from_the_app_is_inert(md_zh: str) -> None:
    assert "<script>" not in md_zh
    assert "&lt;script>alert(1)&lt;/script>" in md_zh


@pytest.mark.parametrize("raw, escaped", [
    ("a|b", "a\\|b"),
    ("line1\nline2", "line1<br>line2"),
    ("line1\r\nline2", "line1<br>line2"),
    ("<img src=x>", "&lt;img src=x>"),
    ("*bold*", "\\*bold\\*"),
    ("[link](x)", "\\[link\\](x)"),
    ("# heading", "\\# heading"),
    ("1. item", "1\\. item"),
    ("- item", "\\- item"),
    ("_em_", "\\_em\\_"),
    ("&amp;", "&amp;amp;"),
])
def test_md_escape_neutralises_markup(raw: str, escaped: str) -> None:
    assert md_escape(raw) == escaped


@pytest.mark.parametrize("plain", ["access_control", "0.1.0", "Lcom/a/B;->m()V", "A & B", "刷脸开门", "-x"])
def test_md_escape_leaves_harmless_text_alone(plain: str) -> None:
    assert md_escape(plain) == plain


def test_findings_order_and_probable_wording(md_zh: str) -> None:
    headings = re.findall(r"^#### (.+) — `([A-Z]+-\d+)`", md_zh, re.M)
    apk_rules = [rule for _, rule in headings][:4]
    assert apk_rules == ["FACE-003", "FACE-002", "SDK-001", "MIN-001"]
    assert headings[0][0] == "可能不合规 · 严重"
    assert headings[1][0] == "不合规 · 高"


def test_english_labels() -> None:
    md_en = render("md", sample_report(), lang="en")
    assert "### Findings" in md_en and "### 发现的问题" not in md_en
    assert "Probable violation · Critical" in md_en


def test_batch_summary_is_ranked_with_company_columns() -> None:
    md = render("md", batch_report())
    rows = [line for line in md.splitlines() if re.match(r"\| \d+ \|", line)]
    assert [row.split("|")[2].strip() for row in rows] == ["乙物业", "甲物业", "丙物业"]
    header = next(line for line in md.splitlines() if line.startswith("| 序号"))
    assert "| 企业 |" in header and "| 地区 |" in header
