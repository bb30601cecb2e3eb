import re
from pathlib import Path

from campaign_fakes import make_report, make_target

from reports.campaign import existing_target_links, render_campaign_html, render_campaign_md


def report() -> dict:
    return make_report(
        make_target("<script>alert(1)</script>", company="甲&乙物业", score=20.0, grade="E",
                    outcomes={"FACE-001": "FAIL", "CONS-002": "FAIL", "MIN-003": "PASS"}),
        make_target("幸福家园", company="甲&乙物业", score=70.0, grade="C"),
        make_target("安全钱包", company="丙", score=100.0, grade="A",
                    outcomes={"FACE-001": "PASS", "CONS-002": "PASS", "MIN-003": "PASS"}),
    )


def test_page_is_self_contained_and_escapes_text() -> None:
    html = render_campaign_html(report(), lang="zh")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "甲&amp;乙物业" in html
    assert not re.search(r"<(link|img|iframe)\b", html)
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert html.count("<svg") == 2 and "<style>" in html


def test_targets_and_companies_ranked_worst_first_with_counts() -> None:
    html = render_campaign_html(report(), lang="en")
    order = [html.index(name) for name in ("&lt;script&gt;", "幸福家园", "安全钱包")]
    assert order == sorted(order)
    companies = html[html.index("<h2>Companies"):]
    assert companies.index("甲&amp;乙物业") < companies.index("丙")
    # per-rule FAIL bars: FACE-001 failed twice, CONS-002 once
    assert "<title>FACE-001 Face must not be the only way in: 2</title>" in html
    assert "<title>CONS-002 Separate consent for face data: 1</title>" in html
    assert "<title>E: 1</title>" in html and "<title>B: 0</title>" in html


def test_links_only_to_reports_that_exist(tmp_path: Path) -> None:
    data = report()
    first = data["targets"][0]["id"]
    (tmp_path / "targets").mkdir()
    (tmp_path / "targets" / f"{first}.html").write_text("x")
    links = existing_target_links(data, tmp_path)
    assert links == {first: f"targets/{first}.html"}
    html = render_campaign_html(data, target_links=links)
    assert html.count('href="targets/') == 1


def test_markdown_summary() -> None:
    md = render_campaign_md(report(), lang="zh")
    lines = md.splitlines()
    first_row = next(line for line in lines if line.startswith("| 1 |"))
    assert "&lt;script" in first_row and "<script" not in first_row and "| E |" in first_row and "| 严重 |" in first_row
    assert "- FACE-001 人脸识别不得作为唯一开门方式: 2" in md
