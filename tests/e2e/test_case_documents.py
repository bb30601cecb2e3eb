"""Reports an auditor can sign: coverage before grade, supplied and fetched policies, the law's own
words, Word and PDF case documents, and one language per output."""

from __future__ import annotations

import http.server
import json
import re
import threading
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader
from typer.testing import CliRunner

from reports.campaign import render_campaign_html, render_campaign_md
from reports.diff import diff_html, diff_markdown
from reports.exports import write_csv, write_xlsx
from reports.leads import leads_markdown, leads_table
from scanner.campaign.diff import diff_reports
from scanner.campaign.leads import leads
from scanner.cli import app
from scanner.contract import load_vocabulary, vocab_labels

ROOT = Path(__file__).resolve().parents[2]
APKS = ROOT / "tests" / "fixtures" / "apks"
POLICY = ROOT / "tests" / "fixtures" / "policies" / "dooralt-privacy.html"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def scan(out: Path, *args: str) -> dict:
    code, output = run("scan", *args, "-o", str(out))
    assert code == 0, output
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def english_values() -> set[str]:
    """Every internal value a zh output must never show: the vocabulary's closed values (longer than
    two letters, so an "SDK" or "ID" in a name is not mistaken) and the product's own."""
    values = {v for vs in vocab_labels()["values"].values() for v in vs if len(v) > 2}
    values |= {"critical", "high", "medium", "low", "info", "FAIL", "PASS", "UNKNOWN", "WAIVED", "NOT_APPLICABLE",
               "incomplete", "apk", "site", "policy", "page"}
    return values - {"nfc", "mac", "imei", "imsi", "iccid", "fangcun"}  # the tool's own name stands as it is


def leaked(text: str) -> set[str]:
    """Internal values standing as words of their own (not inside a URL, path, class or id), in the
    text a reader sees (markup and style sheets left out)."""
    text = re.sub(r"<style.*?</style>|<[^>]+>", " ", text, flags=re.S)
    words = set(re.findall(r"(?<![\w./:@#$;>-])[A-Za-z_]+(?![\w./:@#$;(<-])", text))
    return words & english_values()


def test_every_vocabulary_value_kind_and_attribute_has_words_in_both_languages() -> None:
    vocab = load_vocabulary()
    labels = vocab_labels()
    for kind, spec in vocab.kinds.items():
        assert {"zh", "en"} <= set(labels["kinds"][kind]), kind
        for attr, attr_spec in spec.attrs.items():
            assert {"zh", "en"} <= set(labels["attrs"][attr]), attr
            if attr_spec.closed and attr_spec.value_set:
                for value in attr_spec.values:
                    assert {"zh", "en"} <= set(labels["values"][attr_spec.value_set][value]), (attr_spec.value_set, value)


def test_dooralt_without_its_policy_is_incomplete_with_reason_and_next_step(tmp_path: Path) -> None:
    report = scan(tmp_path, str(APKS / "dooralt.apk"))
    target = report["targets"][0]
    assert target["score"] == {"value": None, "grade": "incomplete"}
    assert target["coverage"]["complete"] is False
    gap = target["coverage"]["gaps"][0]
    assert "https://www.fixture-dooralt.cn/privacy.html" in gap["inputs"]
    assert "--policy" in gap["remedy"] and "FACE-003" in gap["rules"]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "未完成" in html and "--fetch-policies" in html


def test_dooralt_with_its_policy_is_graded(tmp_path: Path) -> None:
    report = scan(tmp_path, str(APKS / "dooralt.apk"), "--policy", str(POLICY))
    target = report["targets"][0]
    assert target["score"]["grade"] in "ABCDE" and target["coverage"]["complete"] is True
    assert target["coverage"]["judged"] == target["coverage"]["applicable"]
    assert target["attributes"]["policies_read"][0]["uri"] == str(POLICY)
    outcomes = {r["rule_id"]: r["outcome"] for r in target["results"]}
    assert outcomes["FACE-003"] == "PASS" and outcomes["FACE-004"] == "PASS"


def test_a_waived_finding_does_not_improve_the_grade(tmp_path: Path) -> None:
    plain = scan(tmp_path / "a", str(APKS / "facedoor.apk"))["targets"][0]
    face_001 = next(r for r in plain["results"] if r["rule_id"] == "FACE-001")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(f"waivers:\n  - {{rule: FACE-001, fingerprint: {face_001['fingerprint'][:16]}, reason: 整改中, expires: 2999-01-01}}\n",
                       encoding="utf-8")
    waived = scan(tmp_path / "b", str(APKS / "facedoor.apk"), "--waivers", str(waivers))["targets"][0]
    assert next(r for r in waived["results"] if r["rule_id"] == "FACE-001")["outcome"] == "WAIVED"
    assert waived["score"] == plain["score"]


class _PolicySite(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def policy_site(tmp_path: Path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "privacy.html").write_bytes(POLICY.read_bytes())
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: _PolicySite(*a, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_a_policy_url_is_fetched_through_the_crawler_and_captured(tmp_path: Path, policy_site: str) -> None:
    out = tmp_path / "out"
    report = scan(out, str(APKS / "dooralt.apk"), "--policy", f"{policy_site}/privacy.html")
    target = report["targets"][0]
    assert target["coverage"]["complete"] is True and target["score"]["grade"] in "ABCDE"
    read = target["attributes"]["policies_read"][0]
    assert read["uri"] == f"{policy_site}/privacy.html" and "sha256:" in read["capture"]
    index = (out / "fetched" / "captures" / "index.jsonl").read_text(encoding="utf-8")
    assert "privacy.html" in index and list((out / "fetched" / "captures").glob("crawl-*.warc.gz"))
    # robots.txt is obeyed: a disallowed policy is not fetched, and the scan says why
    code, output = run("scan", str(APKS / "dooralt.apk"), "--policy", f"{policy_site}/private/p.html", "-o", str(tmp_path / "o2"))
    assert code == 2 and "robots.txt" in output


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def _docx_text(path: Path) -> str:
    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    footer = "".join(node.text or "" for node in document.sections[0].footer._element.iter() if node.tag.endswith("}t"))
    return "\n".join([*(p.text for p in document.paragraphs), *cells, footer])


def test_facedoor_case_documents_show_the_law_page_numbers_and_no_internals(tmp_path: Path) -> None:
    scan(tmp_path, str(APKS / "facedoor.apk"), "-f", "json,docx,pdf")
    pdf, docx = _pdf_text(tmp_path / "report.pdf"), _docx_text(tmp_path / "report.docx")
    pages = len(PdfReader(str(tmp_path / "report.pdf")).pages)
    for text in (pdf, docx):
        assert "《个人信息保护法》第二十九条" in text.replace(" ", "").replace("\n", "")
        # PIPL Art. 29 verbatim, printed once in the appendix of cited articles whatever cites it
        assert text.replace("\n", "").count("处理敏感个人信息应当取得个人的单独同意") == 1
        assert "引用的法律条文" in text and "签名证书" in text and "com.fangcun.fixture.facedoor" in text
        assert not leaked(text), leaked(text)
    assert f"第 1 页 共 {pages} 页" in pdf
    assert pages <= 18, f"{pages} pages for one app"  # twelve violations, each cited article printed once
    fonts = [font for page in PdfReader(str(tmp_path / "report.pdf")).pages
             for font in (page["/Resources"].get("/Font") or {}).values()]
    descendants = [f.get_object()["/DescendantFonts"][0].get_object() for f in fonts if "/DescendantFonts" in f.get_object()]
    assert descendants and all("/FontFile2" in d["/FontDescriptor"].get_object() for d in descendants)  # embedded
    assert "PAGE" in (tmp_path / "report.docx").read_bytes().decode("latin-1") or "第" in docx


def test_a_three_target_campaign_has_its_documents_and_zh_outputs_show_no_internal_values(tmp_path: Path) -> None:
    apps = [str(APKS / f"{name}.apk") for name in ("facedoor", "dooralt", "idcollect")]
    report = scan(tmp_path, *apps, "-f", "json,html,md,docx,pdf")
    assert len(list((tmp_path / "cases").glob("*.docx"))) == 3 and len(list((tmp_path / "cases").glob("*.pdf"))) == 3
    campaign_pdf = _pdf_text(tmp_path / "report.pdf")
    assert "专项检查汇总报告" in campaign_pdf and "未完成" in campaign_pdf
    later = scan(tmp_path / "later", *apps[:2], str(APKS / "cameraonly.apk"))
    outputs = {
        "campaign.html": render_campaign_html(report, lang="zh"),
        "campaign.md": render_campaign_md(report, lang="zh"),
        "diff.md": diff_markdown(diff_reports(report, later).to_dict(), lang="zh"),
        "diff.html": diff_html(diff_reports(report, later).to_dict(), lang="zh"),
        "leads.md": leads_markdown([lead.to_dict() for lead in leads(report, min_severity="info")], lang="zh"),
        "report.html": (tmp_path / "report.html").read_text(encoding="utf-8"),
        "report.md": (tmp_path / "report.md").read_text(encoding="utf-8"),
        "report.docx": _docx_text(tmp_path / "report.docx"),
        "report.pdf": campaign_pdf,
    }
    write_csv(report, tmp_path / "f.csv", lang="zh")
    outputs["findings.csv"] = (tmp_path / "f.csv").read_text(encoding="utf-8-sig")
    write_xlsx(report, tmp_path / "f.xlsx", lang="zh")
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "f.xlsx").active
    outputs["findings.xlsx"] = "\n".join(" ".join(str(c) for c in row if c is not None) for row in sheet.iter_rows(values_only=True))
    from rich.console import Console

    console = Console(width=100, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(leads_table([lead.to_dict() for lead in leads(report, min_severity="info")], lang="zh", width=100))
    outputs["leads table"] = console.export_text()
    for name, text in outputs.items():
        assert not leaked(text), f"{name}: {sorted(leaked(text))}"
    # the incomplete app ranks above the clean ones in leads and in the campaign
    ranked = [lead.label for lead in leads(report, min_severity="info")]
    assert "幸福家园" in ranked
    assert outputs["campaign.md"].index("幸福家园") < outputs["campaign.md"].index("智慧社区门禁")
