import csv
import json
from pathlib import Path

from campaign_fakes import TOOL, make_report, make_target
from openpyxl import load_workbook

from reports.exports import COLUMNS, write_csv, write_xlsx
from reports.leads import leads_json, leads_markdown, leads_table
from scanner.campaign.leads import leads, leads_from_store
from scanner.campaign.store import open_store


def campaign_report() -> dict:
    return make_report(
        make_target("幸福家园", company="甲物业", snippet="=HYPERLINK(\"http://evil\")",
                    outcomes={"FACE-001": "FAIL", "CONS-002": "WAIVED", "MIN-003": "PASS"}, score=55.0),
        make_target("智慧社区", company="乙物业", outcomes={"FACE-001": "FAIL", "CONS-002": "FAIL", "MIN-003": "UNKNOWN"},
                    score=10.0, grade="E"),
        make_target("随手拍", company="@SUM(1+1)", outcomes={"FACE-001": "NOT_APPLICABLE", "CONS-002": "PASS", "MIN-003": "FAIL"}, score=80.0),
        make_target("安全钱包", outcomes={"FACE-001": "PASS", "CONS-002": "PASS", "MIN-003": "PASS"}, score=100.0, grade="A"),
    )


def test_csv_has_one_row_per_finding_with_bom_and_safe_cells(tmp_path: Path) -> None:
    path = tmp_path / "findings.csv"
    assert write_csv(campaign_report(), path, lang="zh") == 6
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["单位", "目标名称"] and len(header) == len(COLUMNS)
    by = {(r[1], r[4]): dict(zip([c[0] for c in COLUMNS], r)) for r in body}
    assert set(by) == {("幸福家园", "FACE-001"), ("幸福家园", "CONS-002"), ("智慧社区", "FACE-001"),
                       ("智慧社区", "CONS-002"), ("智慧社区", "MIN-003"), ("随手拍", "MIN-003")}
    row = by[("幸福家园", "FACE-001")]
    # values in the export's language, never the internal ones
    assert row["company"] == "甲物业" and row["outcome"] == "不合规" and row["severity"] == "高"
    assert row["rule_title"] == "人脸识别不得作为唯一开门方式"
    assert row["legal_basis"] == "人脸识别司法解释 第十条; 个人信息保护法 第二十八条"
    assert row["evidence"] == 'face.capture access_control: =HYPERLINK("http://evil")'
    assert by[("随手拍", "MIN-003")]["company"] == "'@SUM(1+1)"  # a cell Excel would run as a formula
    assert row["evidence_location"] == "/apps/幸福家园.apk#res/values/strings.xml#access_control"
    assert row["time"] == "2025-01-01T00:00:00Z" and len(row["sha256"]) == 64
    assert by[("幸福家园", "CONS-002")]["outcome"] == "已豁免"


def test_xlsx_matches_csv_and_uses_english_titles(tmp_path: Path) -> None:
    path = tmp_path / "findings.xlsx"
    assert write_xlsx(campaign_report(), path, lang="en") == 6
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Company" and len(rows) == 7
    titles = {r[5] for r in rows[1:]}
    assert "Face must not be the only way in" in titles
    assert all(sheet.cell(row=i, column=11).data_type != "f" for i in range(2, 8))  # no formulas


def test_leads_keep_only_severe_failures_worst_first() -> None:
    found = leads(campaign_report(), min_severity="high", lang="zh")
    assert [lead.label for lead in found] == ["智慧社区", "幸福家园"]  # critical first
    assert [f.rule_id for f in found[0].findings] == ["CONS-002", "FACE-001"]
    assert found[0].worst_severity == "critical"
    assert "个人信息保护法 第二十九条" in found[0].findings[0].articles
    assert found[1].findings[0].snippets == ('=HYPERLINK("http://evil")',)
    assert [lead.label for lead in leads(campaign_report(), min_severity="medium")] == ["智慧社区", "幸福家园", "随手拍"]
    assert leads(make_report(make_target("好", outcomes={"FACE-001": "PASS", "CONS-002": "PASS", "MIN-003": "PASS"}))) == []


def test_equal_severity_leads_are_ordered_by_score() -> None:
    report = make_report(make_target("高分", score=90.0), make_target("低分", score=20.0), make_target("无分", score=None))
    assert [lead.label for lead in leads(report)] == ["低分", "高分", "无分"]


def test_lead_renderings(tmp_path: Path) -> None:
    found = [lead.to_dict() for lead in leads(campaign_report())]
    data = json.loads(leads_json(found))
    assert data[0]["label"] == "智慧社区" and data[0]["findings"][0]["rule_id"] == "CONS-002"
    md = leads_markdown(found, lang="zh")
    assert md.count("\n") == 4 and "| 严重 | 智慧社区 |" in md
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(leads_table(found, lang="en"))
    assert "智慧社区" in console.export_text()


def test_leads_from_store(tmp_path: Path) -> None:
    with open_store(tmp_path / "c.sqlite") as store:
        run = store.start_run("c", {}, tool=TOOL)
        for target in campaign_report()["targets"]:
            store.save_target(run, target)
        assert [lead.label for lead in leads_from_store(store, run)] == ["智慧社区", "幸福家园"]
