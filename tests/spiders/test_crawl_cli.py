"""`fangcun crawl --scan-apps` end to end through the real entry point, then `fangcun report` offline.

The loopback web (conftest `app_web`): 阳光地产 (sales-office face capture for commission, an http
form asking ID and face photo, a privacy policy, a face-door app whose policy is silent on faces),
幸福物业 (face-only community door, no policy, a broken package), 和谐家园 (face door with card and QR
for residents, no policy, an app whose policy covers faces), and two unreachable companies.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import TEST_MAXSIZE, FixtureWeb

DEVELOPER, PROPERTY, COMMUNITY, REFUSED, NO_DNS = "阳光地产", "幸福物业", "和谐家园", "关门公司", "无名公司"
# The crawl profile is polite (delays, retries, 30 s timeouts); the test web needs none of that.
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "false", "RETRY_TIMES": "0", "DOWNLOAD_TIMEOUT": "1.5",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8", "DOWNLOAD_MAXSIZE": str(TEST_MAXSIZE)}
REPORT_FILES = ("report.json", "report.html", "report.md", "report.sarif", "companies.csv", "companies.md")


def fangcun(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", *args],
        capture_output=True, text=True, timeout=180,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1800000000", "COLUMNS": "250"},
    )


@dataclass
class CliCrawl:
    web: FixtureWeb
    out: Path
    proc: subprocess.CompletedProcess
    report: dict


@pytest.fixture(scope="module")
def cli_crawl(app_web: FixtureWeb, tmp_path_factory: pytest.TempPathFactory) -> CliCrawl:
    tmp = tmp_path_factory.mktemp("cli-crawl")
    seeds = tmp / "seeds.csv"
    rows = [(s.name, s.url, s.region) for s in app_web.seeds()]
    seeds.write_text("name,url,region\n" + "".join(f"{n},{u},{r}\n" for n, u, r in rows), encoding="utf-8")
    out = tmp / "out"
    settings = [arg for key, value in FAST.items() for arg in ("-s", f"{key}={value}")]
    proc = fangcun("crawl", str(seeds), "-o", str(out), "--scan-apps", "--max-pages", "30",
                   "--contact", "audit@example.org", "--db", str(tmp / "camp.sqlite"), *settings)
    report = json.loads((out / "report.json").read_text(encoding="utf-8")) if (out / "report.json").is_file() else {}
    return CliCrawl(app_web, out, proc, report)


def site(report: dict, company: str) -> dict:
    [target] = [t for t in report["targets"] if t["kind"] == "site" and t["label"] == company]
    return target


def apps_of(report: dict, company: str) -> list[dict]:
    return [t for t in report["targets"] if t["kind"] == "apk" and t["attributes"].get("company") == company]


def outcomes(target: dict) -> dict[str, str]:
    return {r["rule_id"]: r["outcome"] for r in target["results"]}


def test_crawl_exits_cleanly_and_writes_captures_reports_and_company_table(cli_crawl: CliCrawl) -> None:
    assert cli_crawl.proc.returncode == 0, cli_crawl.proc.stderr[-3000:]
    captures = cli_crawl.out / "captures"
    assert len(list(captures.glob("crawl-*.warc.gz"))) == 1
    assert (captures / "index.jsonl").stat().st_size > 0
    for name in REPORT_FILES:
        assert (cli_crawl.out / name).is_file(), name
    from reports import validate_report

    validate_report(cli_crawl.report)
    assert "企业汇总" in cli_crawl.proc.stdout  # the per-company table is printed


def test_a_crawl_stored_in_a_campaign_database_gives_its_leads(cli_crawl: CliCrawl) -> None:
    db = cli_crawl.out.parent / "camp.sqlite"
    proc = fangcun("leads", "--db", str(db), "--min-severity", "high", "--json")
    assert proc.returncode == 0, proc.stderr
    leads = {lead["label"]: lead for lead in json.loads(proc.stdout)}
    assert "FACE-006" in {f["rule_id"] for f in leads[DEVELOPER]["findings"]}
    assert COMMUNITY not in leads or "FACE-001" not in {f["rule_id"] for f in leads[COMMUNITY]["findings"]}


def test_sales_office_company_fails_face_006_and_http_form_fails_sec_002(cli_crawl: CliCrawl) -> None:
    developer = outcomes(site(cli_crawl.report, DEVELOPER))
    assert developer["FACE-006"] == "FAIL"
    assert developer["SEC-002"] == "FAIL"
    assert developer["CONS-001"] == "PASS"  # it publishes a privacy policy


def test_face_only_community_fails_and_card_or_qr_community_passes_face_001(cli_crawl: CliCrawl) -> None:
    assert outcomes(site(cli_crawl.report, PROPERTY))["FACE-001"] == "FAIL"
    assert outcomes(site(cli_crawl.report, COMMUNITY))["FACE-001"] == "PASS"


def test_companies_processing_faces_without_a_policy_fail_cons_001(cli_crawl: CliCrawl) -> None:
    assert outcomes(site(cli_crawl.report, PROPERTY))["CONS-001"] == "FAIL"
    assert outcomes(site(cli_crawl.report, COMMUNITY))["CONS-001"] == "FAIL"
    # an unreachable company processes nothing that was seen: no rule applies, nothing fails
    refused = site(cli_crawl.report, REFUSED)
    assert "FAIL" not in outcomes(refused).values() and refused["errors"]


def test_app_whose_policy_is_silent_on_the_sites_face_capture_fails_cons_003(cli_crawl: CliCrawl) -> None:
    [app] = apps_of(cli_crawl.report, DEVELOPER)
    assert app["attributes"]["package"] == "com.fangcun.fixture.facedoor"
    assert app["uri"] == cli_crawl.web.developer.base + "/app/yangguang.apk"
    cons_003 = next(r for r in app["results"] if r["rule_id"] == "CONS-003")
    assert cons_003["outcome"] == "FAIL"
    evidence = {e["id"]: e for e in app["evidence"]}
    [admitted] = [evidence[i] for i in cons_003["evidence_ids"] if evidence[i]["kind"] == "company.face_capture_admitted"]
    assert admitted["key"] == site(cli_crawl.report, DEVELOPER)["uri"]
    assert admitted["attrs"]["site"] == DEVELOPER and "sales_office" in admitted["attrs"]["places"]
    assert admitted["location"]["uri"].startswith(cli_crawl.web.developer.base)
    site_evidence = {e["id"] for e in site(cli_crawl.report, DEVELOPER)["evidence"]}
    assert set(admitted["attrs"]["evidence_ids"]) <= site_evidence  # it points at the site's own notices
    assert "company_consistency@1" in app["extractors"]


def test_app_whose_policy_covers_faces_passes_cons_003(cli_crawl: CliCrawl) -> None:
    [app] = apps_of(cli_crawl.report, COMMUNITY)
    assert app["attributes"]["package"] == "com.fangcun.fixture.facepolicy"
    assert outcomes(app)["CONS-003"] == "PASS"
    assert any(e["kind"] == "company.face_capture_admitted" for e in app["evidence"])


def test_broken_package_is_an_error_of_the_company_that_offers_it(cli_crawl: CliCrawl) -> None:
    assert apps_of(cli_crawl.report, PROPERTY) == []
    url = cli_crawl.web.property_mgr.base + "/app/xingfu.apk"
    [error] = [e for e in site(cli_crawl.report, PROPERTY)["errors"] if e["input"] == url]
    assert error["message"].startswith(f"app {url}: ") and "zip" in error["message"]
    assert not [e for e in cli_crawl.report["errors"] if e["input"] == url]


def test_company_table_rows_come_from_the_report(cli_crawl: CliCrawl) -> None:
    raw = (cli_crawl.out / "companies.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    by_company = {r["企业"]: r for r in rows}
    assert set(by_company) == {DEVELOPER, PROPERTY, COMMUNITY, REFUSED, NO_DNS}
    developer = by_company[DEVELOPER]
    assert developer["地区"] == "苏州" and developer["起始网址"] == cli_crawl.web.developer.base + "/"
    assert int(developer["已采集页面"]) >= 8 and int(developer["错误"]) >= 5
    assert developer["最严重问题（规则）"] == "FACE-006"
    assert int(developer["不合规-严重"]) == 1 and int(developer["不合规-中"]) >= 1  # CONS-003 of its app
    assert developer["关联应用"].startswith("智慧社区门禁 [")
    assert developer["等级"] == site(cli_crawl.report, DEVELOPER)["score"]["grade"]
    assert by_company[PROPERTY]["错误"] == "1"  # its broken package
    assert by_company[NO_DNS]["等级"] == "无法评分" and by_company[NO_DNS]["已采集页面"] == "0"  # N/A in words
    assert [r["企业"] for r in rows][-2:] == sorted([REFUSED, NO_DNS])  # unscored companies go last
    md = (cli_crawl.out / "companies.md").read_text(encoding="utf-8")
    assert md.count(f"| {DEVELOPER} |") == 1 and "FACE-006" in md


def test_no_robots_disallowed_or_offsite_request_reached_the_servers(cli_crawl: CliCrawl) -> None:
    web = cli_crawl.web
    assert web.developer.requested("/robots.txt") and web.developer.requested("/app/yangguang.apk")
    assert not web.developer.requested("/private/secret.html")
    assert not web.developer.requested("/only-from-b.html")
    assert not web.property_mgr.requested("/from-developer.html")
    [agent] = web.community.user_agents
    assert "contact: audit@example.org" in agent


def test_bad_setting_is_a_usage_error(tmp_path: Path) -> None:
    proc = fangcun("crawl", "http://127.0.0.1:9/", "-o", str(tmp_path), "-s", "DOWNLOAD_DELAY")
    assert proc.returncode == 2 and "expected KEY=VALUE" in proc.stderr
    assert not (tmp_path / "captures").exists()


# Stops the servers, so it stays the last test of this module (pytest keeps file order).
def test_report_re_analyses_offline_with_the_same_results(cli_crawl: CliCrawl) -> None:
    before = {name: (cli_crawl.out / name).read_bytes() for name in ("report.json", "companies.csv")}
    cli_crawl.web.stop()
    # the delivered report is never overwritten: without -o the command refuses and changes nothing
    refused = fangcun("report", str(cli_crawl.out))
    assert refused.returncode == 2 and "-o DIR" in refused.stderr
    assert (cli_crawl.out / "report.json").read_bytes() == before["report.json"]
    again = cli_crawl.out / "again"
    proc = fangcun("report", str(cli_crawl.out), "-o", str(again))
    assert proc.returncode == 0, proc.stderr[-3000:]
    after = json.loads((again / "report.json").read_text(encoding="utf-8"))
    assert after == json.loads(before["report.json"])
    assert (again / "companies.csv").read_bytes() == before["companies.csv"]
    assert "企业汇总" in proc.stdout
