"""`fangcun scan POLICY.html`: a privacy policy on its own is judged by the face and notice rules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FACE_RULES = ("FACE-002", "FACE-004", "FACE-007", "FACE-008")
CORE_ITEMS = ("processor_identity", "contact", "purposes", "methods", "data_types", "retention", "rights")

PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>
<body>
<h1>{title}</h1>
{body}
</body></html>
"""

# Says faces are collected, and nothing on retention, minors, separate consent or necessity; no
# processor name.
DEFICIENT = PAGE.format(title="智慧社区隐私政策", body="""
<h2>一、我们收集的信息</h2>
<p>为了向您提供刷脸开门服务，我们会收集您的人脸信息。您注册账号时主动提供的手机号码用于登录。</p>
<h2>二、您的权利</h2>
<p>您可以查阅、更正、删除您的个人信息。</p>
<h2>三、联系我们</h2>
<p>如有疑问，请发送邮件至 service@community-app.cn。</p>
""")

COMPLETE = PAGE.format(title="安居智慧社区隐私政策", body="""
<p>本政策适用于杭州安居物业服务有限公司（以下简称“我们”）运营的“安居智慧社区”应用。</p>
<h2>一、我们收集的个人信息</h2>
<p>为了向您提供刷脸开门服务，我们会收集您的人脸信息。您注册账号时主动提供的手机号码用于登录和接收通知。</p>
<p>我们会通过您在应用中填写的表单收集您的房屋地址，用于核实业主身份。</p>
<h2>二、人脸信息的处理规则</h2>
<p>人脸信息属于敏感个人信息。处理您的人脸信息是实现刷脸开门所必需的，其必要性在于确认通行人员为本小区业主；处理人脸信息可能对您的个人权益产生影响，一旦泄露可能导致您的人身和财产安全受到危害。</p>
<p>在采集您的人脸信息前，我们会通过单独的弹窗取得您的单独同意。您也可以选择使用门禁卡或二维码开门。</p>
<h2>三、信息的保存期限</h2>
<p>您的人脸信息保存期限为您迁出小区或注销账号后30日内，届满后我们将删除您的人脸信息。</p>
<p>其他个人信息的保存期限为实现处理目的所必要的最短时间。</p>
<h2>四、未成年人个人信息保护</h2>
<p>若您是不满十四周岁的未成年人，为您录入人脸信息前需取得您的父母或其他监护人的同意。</p>
<h2>五、您的权利</h2>
<p>您可以查阅、复制、更正、删除您的个人信息，也可以撤回您对处理人脸信息的同意。您可以在“我的-设置”中注销账号。</p>
<h2>六、如何联系我们</h2>
<p>如您对本政策有任何疑问，可以通过客服电话 0571-88886666 或邮箱 privacy@anju-property.cn 联系我们的个人信息保护负责人。</p>
""")

NO_FACE = PAGE.format(title="物业缴费隐私政策", body="""
<p>本政策适用于杭州安居物业服务有限公司运营的“安居缴费”应用。</p>
<h2>一、我们收集的信息</h2>
<p>为了向您提供物业缴费服务，我们会收集您主动提供的手机号码和房屋地址。</p>
<h2>二、保存期限</h2>
<p>您的个人信息保存期限为实现处理目的所必要的最短时间，注销账号后我们将删除您的个人信息。</p>
<h2>三、您的权利</h2>
<p>您可以查阅、复制、更正、删除您的个人信息，也可以撤回同意或注销账号。</p>
<h2>四、联系我们</h2>
<p>如有疑问，请拨打客服电话 0571-88886666 联系我们。</p>
""")

POLICIES = {"deficient.html": DEFICIENT, "complete.html": COMPLETE, "noface.html": NO_FACE}


def fangcun(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", *args],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1800000000", "COLUMNS": "200"},
    )


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> tuple[Path, dict[str, dict]]:
    folder = tmp_path_factory.mktemp("policies")
    paths = []
    for name, html in POLICIES.items():
        (folder / name).write_text(html, encoding="utf-8")
        paths.append(str(folder / name))
    out = folder / "out"
    proc = fangcun("scan", *paths, "-o", str(out), "-f", "json,html,md")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    targets = {Path(t["uri"]).name: t for t in report["targets"]}
    assert set(targets) == set(POLICIES)
    assert all(t["kind"] == "policy" for t in targets.values())
    return out, targets


def outcomes(target: dict) -> dict[str, str]:
    return {r["rule_id"]: r["outcome"] for r in target["results"]}


def checklist(target: dict) -> dict[str, bool]:
    return {e["key"]: e["attrs"]["present"] for e in target["evidence"] if e["kind"] == "policy.checklist"}


def checklist_tables(text: str, heading: str, table_end: str) -> list[str]:
    """Every checklist table of a rendered report (one per target), heading to end of table."""
    parts = text.split(heading)[1:]
    assert parts, f"no {heading!r} section"
    tables = []
    for part in parts:
        part = part.lstrip()
        end = part.find(table_end)
        tables.append(part if end < 0 else part[:end])
    return tables


def test_policy_admitting_faces_without_the_required_statements_fails_and_is_graded(scanned):
    _, targets = scanned
    deficient = targets["deficient.html"]
    got = outcomes(deficient)
    assert {rule: got.get(rule) for rule in (*FACE_RULES, "CONS-004")} == {
        rule: "FAIL" for rule in (*FACE_RULES, "CONS-004")}
    assert deficient["score"]["grade"] != "N/A" and deficient["score"]["value"] is not None


def test_missing_notice_items_are_named_and_proved(scanned):
    _, targets = scanned
    deficient = targets["deficient.html"]
    result = next(r for r in deficient["results"] if r["rule_id"] == "CONS-004")
    # named in the report's words, never by their keys
    assert "处理者名称/身份" in result["message"] and "保存期限" in result["message"]
    assert "processor_identity" not in result["message"]
    assert not any(item in result["message"] for item in ("contact", "purposes", "rights"))
    evidence = {e["id"]: e for e in deficient["evidence"]}
    absent = {e["key"] for i in result["evidence_ids"] if not (e := evidence[i])["attrs"].get("present", True)}
    assert absent >= {"processor_identity", "retention"}


def test_complete_policy_passes(scanned):
    _, targets = scanned
    complete = targets["complete.html"]
    items = checklist(complete)
    assert all(items[item] for item in (*CORE_ITEMS, "sensitive_necessity", "minors")), items
    got = outcomes(complete)
    assert {rule: got.get(rule) for rule in (*FACE_RULES, "CONS-004")} == {
        rule: "PASS" for rule in (*FACE_RULES, "CONS-004")}
    assert complete["score"]["grade"] != "N/A"


def test_policy_silent_on_faces_is_not_judged_by_face_rules(scanned):
    _, targets = scanned
    no_face = targets["noface.html"]
    got = outcomes(no_face)
    assert {rule: got.get(rule) for rule in FACE_RULES} == {rule: "NOT_APPLICABLE" for rule in FACE_RULES}
    assert got["CONS-004"] == "PASS"


def test_checklist_items_are_shown_by_name(scanned):
    out, _ = scanned
    html = (out / "report.html").read_text(encoding="utf-8")
    markdown = (out / "report.md").read_text(encoding="utf-8")
    for table in checklist_tables(html, "<h4>隐私政策必备内容核对</h4>", "</table>"):
        assert "<td>处理者名称/身份</td>" in table and "processor_identity" not in table
    for table in checklist_tables(markdown, "#### 隐私政策必备内容核对", "\n\n"):
        assert "| 处理者名称/身份 |" in table and "processor_identity" not in table


def test_checklist_items_are_named_in_english_too(tmp_path):
    policy = tmp_path / "deficient.html"
    policy.write_text(DEFICIENT, encoding="utf-8")
    proc = fangcun("scan", str(policy), "-o", str(tmp_path / "out"), "-f", "md", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    (table,) = checklist_tables(markdown, "#### Policy completeness checklist", "\n\n")
    assert "| processor name / identity |" in table and "processor_identity" not in table
