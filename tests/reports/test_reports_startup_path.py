"""The start-up walk's call path in report.json, HTML and Markdown: entry method, each call, the API,
for real fixture scans (a FAIL with the path, a PASS with the gate on the path)."""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path
from typing import Any

from reports import render, validate_report
from scanner.pipeline import build_report, load_ruleset, scan_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
START_PATH = ["com.fangcun.fixture.startimei.StartApp.onCreate", "android.telephony.TelephonyManager.getDeviceId"]
ACCEPT_STEP = "com.fangcun.fixture.acceptimei.SplashActivity$Agree.onClick (accept callback)"


@cache
def document(name: str) -> dict[str, Any]:
    ruleset = load_ruleset()
    report = build_report([scan_file(FIXTURES / f"{name}.apk", ruleset, lang="en")], ruleset, lang="en").to_dict()
    validate_report(report)
    return report


def result(doc: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in doc["targets"][0]["results"] if r["rule_id"] == rule_id)


def evidence(doc: dict[str, Any], ids: list[str], kind: str) -> list[dict[str, Any]]:
    return [e for e in doc["targets"][0]["evidence"] if e["id"] in ids and e["kind"] == kind]


def test_report_json_carries_the_path_of_the_failing_read() -> None:
    doc = document("startimei")
    cons005 = result(doc, "CONS-005")
    assert cons005["outcome"] == "FAIL" and cons005["confidence"] == "medium"
    [read] = evidence(doc, cons005["evidence_ids"], "startup.collect")
    assert read["attrs"]["path"] == START_PATH and read["attrs"]["gated"] is False
    assert "android.telephony.TelephonyManager.getDeviceId" in cons005["message"]
    assert result(doc, "CONS-002")["outcome"] == "PASS"  # a consent step exists; it just comes too late


def _finding_html(page: str, rule_id: str) -> str:
    start = page.index(f'<code>{rule_id}</code> <span class="title">')  # the finding, not the summary's mention
    return page[start: page.index("</article>", start)]


def test_html_shows_each_step_of_the_path_in_order_inside_the_finding() -> None:
    finding = _finding_html(render("html", document("startimei"), lang="en"), "CONS-005")
    steps = re.findall(r'<ol class="path">(.*?)</ol>', finding)
    assert steps, "no path list in the CONS-005 finding"
    assert re.findall(r"<li><code>(.*?)</code></li>", steps[0]) == START_PATH
    assert "path=" not in finding  # the path is shown as steps, not repeated among the attributes


def test_markdown_shows_the_path_in_the_evidence_row() -> None:
    page = render("md", document("startimei"), lang="zh")
    finding = page[page.index("— `CONS-005`"):]
    row = next(line for line in finding.splitlines() if line.startswith("| 启动时"))  # the start-up read, as a sentence
    steps = "".join(f"<br>{number}. {step}" for number, step in enumerate(START_PATH, 1))
    assert "调用路径（入口 → … → 调用）：" + steps in row  # numbered, in order


def test_a_pass_shows_the_path_through_the_gate() -> None:
    doc = document("acceptimei")
    cons005 = result(doc, "CONS-005")
    assert cons005["outcome"] == "PASS"
    [read] = evidence(doc, cons005["evidence_ids"], "startup.collect")
    assert ACCEPT_STEP in read["attrs"]["path"] and read["attrs"]["gate_cue"] == "positive_button"
    [gate] = evidence(doc, cons005["evidence_ids"], "startup.gate")
    assert gate["attrs"]["path"][-1] == ACCEPT_STEP
    page = render("html", doc, lang="en")
    passes = page[page.index("<h3>Passed rules</h3>"):]
    row = passes[passes.index("<code>CONS-005</code>"): passes.index("</tr>", passes.index("<code>CONS-005</code>"))]
    assert f"<li><code>{html.escape(ACCEPT_STEP)}</code></li>" in row
    md = render("md", doc, lang="en")
    md_row = next(line for line in md.splitlines() if line.startswith("| `CONS-005`"))
    assert " → ".join(read["attrs"]["path"]) in md_row
