"""Campaign commands end to end through the real entry point, on the project's own APK fixtures:
`scan --db` (batch, reuse, kill and resume), `leads`, `campaign`, `diff`, and bad databases."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from campaign_fakes import done_count
from docx import Document
from openpyxl import load_workbook

from reports.exports import COLUMNS
from scanner.campaign.diff import classify
from scanner.campaign.store import open_store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
APKS = ("bioprompt", "cameraonly", "dooralt", "facedoor", "facepolicy", "idcollect")
FACE_DOOR_LABEL = "智慧社区门禁"  # facedoor.apk's app name
POLICY_HTML = """<!doctype html><html><head><meta charset="utf-8"><title>幸福物业隐私政策</title></head><body>
<h1>幸福物业隐私政策</h1><p>为实现刷脸开门功能，我们会收集您的人脸信息，并在收集前取得您的单独同意。</p>
<p>人脸信息保存期限为六个月，到期删除。您也可以选择刷卡或密码开门。联系方式：privacy@example.cn</p></body></html>
"""
POLICY_TXT = "物业缴费隐私政策\n我们收集您的手机号码用于物业缴费通知。您可以查阅、更正、删除您的个人信息。\n"


def fangcun(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", *args],
        capture_output=True, text=True, cwd=cwd, timeout=timeout,
        env={**os.environ, "COLUMNS": "200"},
    )


def one_clear_error(proc: subprocess.CompletedProcess, *needles: str) -> str:
    """Exit 2, no traceback, and exactly one non-empty stderr line that mentions every needle."""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and len(lines) == 1, proc.stderr
    assert lines[0].startswith("error:") and all(n in lines[0] for n in needles), lines[0]
    return lines[0]


def with_zip_comment(apk: bytes, comment: bytes) -> bytes:
    """The same APK with a new zip comment: other bytes (and sha256), same contents."""
    at = apk.rfind(b"PK\x05\x06")
    return apk[: at + 20] + struct.pack("<H", len(comment)) + comment


def make_inputs(folder: Path) -> Path:
    """The six fixture APKs, two policies, and three inputs that cannot be analysed."""
    folder.mkdir(parents=True)
    for name in APKS:
        shutil.copy(FIXTURES / f"{name}.apk", folder / f"{name}.apk")
    (folder / "policies").mkdir()
    (folder / "policies" / "privacy.html").write_text(POLICY_HTML, encoding="utf-8")
    (folder / "policies" / "fees.txt").write_text(POLICY_TXT, encoding="utf-8")
    (folder / "junk.apk").write_bytes(b"not an apk\n")
    (folder / "dangling.apk").symlink_to(folder / "nowhere.apk")  # root reads chmod 000 files; a dead link it cannot
    os.mkfifo(folder / "pipe.apk")  # reading it would block the batch forever
    return folder


def summary_line(proc: subprocess.CompletedProcess) -> str:
    return next(line for line in proc.stderr.splitlines() if line.startswith("run "))


def summary_counts(line: str) -> dict[str, int]:
    """'run 1: 17 inputs, scanned 3, reused 0, …' → {'run': 1, 'inputs': 17, 'scanned': 3, …}"""
    counts = {name: int(n) for name, n in re.findall(r"(run|scanned|reused|resumed|errors) (\d+)", line)}
    counts["inputs"] = int(re.search(r"(\d+) inputs", line).group(1))
    return counts


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("campaign")
    inputs = make_inputs(tmp / "in")
    db, out = tmp / "camp.sqlite", tmp / "out"
    proc = fangcun("scan", "--db", str(db), str(inputs), "-o", str(out), "--jobs", "2", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return tmp, inputs, db, out, proc, report


def target_by_name(report: dict, name: str) -> dict:
    return next(t for t in report["targets"] if Path(t["uri"]).name == name)


def test_batch_scan_writes_report_store_and_records_bad_inputs(batch) -> None:
    _, _, db, _, proc, report = batch
    assert sorted(Path(t["uri"]).name for t in report["targets"]) == sorted(
        [f"{name}.apk" for name in APKS] + ["fees.txt", "privacy.html"])
    assert target_by_name(report, "facedoor.apk")["attributes"]["package"] == "com.fangcun.fixture.facedoor"
    errors = {Path(e["input"]).name: e["message"] for e in report["errors"]}
    assert set(errors) == {"junk.apk", "dangling.apk", "pipe.apk"}
    assert "not a regular file" in errors["pipe.apk"] and "dangling" in errors["dangling.apk"]
    assert all("\n" not in m and "Traceback" not in m for m in errors.values())
    assert summary_line(proc).startswith("run 1: 9 inputs, scanned 8, reused 0, resumed 0, errors 1")
    with open_store(db) as store:
        (run,) = store.runs("default")
        assert run.finished_at is not None and (run.targets_done, run.targets_failed) == (8, 3)
        assert store.report_dict(run.id)["targets"] == report["targets"]


def test_same_batch_again_is_a_new_run_that_reuses_every_analysis(batch) -> None:
    tmp, inputs, db, _, _, report = batch
    again = fangcun("scan", "--db", str(db), str(inputs), "-o", str(tmp / "again"), "--jobs", "2", "--lang", "en")
    assert again.returncode == 0, again.stderr
    # junk.apk is tried again (an error is never reused); everything analysed before is taken as it was
    assert summary_line(again).startswith("run 2: 9 inputs, scanned 0, reused 8, resumed 0, errors 1")
    second = json.loads((tmp / "again" / "report.json").read_text(encoding="utf-8"))
    assert second["targets"] == report["targets"] and second["errors"] == report["errors"]
    other_language = fangcun("scan", "--db", str(db), "--campaign", "zh", str(inputs / "facedoor.apk"), "-o", str(tmp / "zh"))
    assert "新分析 1，沿用 0" in other_language.stderr  # messages differ by language: no reuse


def test_leads_name_the_face_only_door_app_with_its_articles(batch) -> None:
    _, _, db, _, _, _ = batch
    table = fangcun("leads", "--db", str(db), "--min-severity", "high", "--lang", "en")
    assert table.returncode == 0, table.stderr
    assert FACE_DOOR_LABEL in table.stdout and "FACE-001" in table.stdout
    as_json = fangcun("leads", "--db", str(db), "--min-severity", "high", "--json", "--run", "1")
    found = json.loads(as_json.stdout)
    by_label = {lead["label"]: lead for lead in found}
    face_001 = next(f for f in by_label[FACE_DOOR_LABEL]["findings"] if f["rule_id"] == "FACE-001")
    assert face_001["severity"] == "high" and any("个人信息保护法" in a for a in face_001["articles"])
    assert any("刷脸开门" in s for s in face_001["snippets"])
    # the door app with card/QR/PIN alternatives and the system-prompt app are no FACE-001 leads
    assert all(f["rule_id"] != "FACE-001" for lead in found if lead["label"] != FACE_DOOR_LABEL for f in lead["findings"])


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [value for name, value in attrs if tag == "a" and name == "href" and value]


def links_in(path: Path) -> list[str]:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.hrefs


def test_campaign_report_links_every_target_and_exports_one_row_per_finding(batch) -> None:
    tmp, _, db, scan_out, _, report = batch
    out = tmp / "campaign"
    proc = fangcun("campaign", "--db", str(db), "--run", "1", "-o", str(out), "--lang", "en",
                   "-f", "html,md,csv,xlsx,docx")  # pdf: the same documents, rendered once below on a small run
    assert proc.returncode == 0, proc.stderr
    hrefs = links_in(out / "campaign.html")
    assert sorted(hrefs) == sorted(f"targets/{t['id']}.html" for t in report["targets"])
    for href in hrefs:
        page = (out / href).read_text(encoding="utf-8")
        target = next(t for t in report["targets"] if href.endswith(f"/{t['id']}.html"))
        assert target["sha256"] in page
    # `scan --db -o OUT` wrote the same per-target pages beside its report
    assert sorted(p.name for p in (scan_out / "targets").iterdir()) == sorted(Path(h).name for h in hrefs)
    assert "FACE-001" in (out / "campaign.md").read_text(encoding="utf-8")

    expected = sum(1 for t in report["targets"] for r in t["results"] if r["outcome"] in ("FAIL", "UNKNOWN", "WAIVED"))
    rows = list(csv.reader((out / "findings.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == expected + 1 and len(rows[0]) == len(COLUMNS)
    named = [dict(zip([c[0] for c in COLUMNS], row)) for row in rows[1:]]
    door = next(r for r in named if r["target_label"] == FACE_DOOR_LABEL and r["rule_id"] == "FACE-001")
    facedoor = target_by_name(report, "facedoor.apk")
    assert door["outcome"] == "Violation" and door["severity"] == "High"  # an en export: values in English words
    assert door["sha256"] == facedoor["sha256"] and door["target_uri"].endswith("facedoor.apk")
    face_rule = next(r for r in report["tool"]["rules"] if r["id"] == "FACE-001")
    assert door["rule_title"] == face_rule["title"]["en"]
    assert "Personal Information Protection Law" in door["legal_basis"]
    assert "facedoor.apk" in door["evidence_location"] and door["evidence"] and door["time"]
    assert not any(r["target_label"] == "幸福家园" and r["rule_id"] == "FACE-001" for r in named)
    sheet = load_workbook(out / "findings.xlsx").active
    assert sheet.max_row == expected + 1
    # a case document for the campaign and one per target
    assert (out / "campaign.docx").is_file() and not (out / "campaign.pdf").exists()
    assert sorted(p.stem for p in (out / "cases").glob("*.docx")) == sorted(t["id"] for t in report["targets"])
    case = "\n".join(p.text for p in Document(str(out / "cases" / f"{facedoor['id']}.docx")).paragraphs)
    assert "Personal Information Protection Law of the PRC, Art. 29" in case and "Articles cited" in case


# -- follow-up: the same folder scanned again after the app changed ------------------------------


def diff_sections(markdown: str) -> dict[str, set[tuple[str, str]]]:
    """{section title: {(rule id, target)}} from `diff --lang en` output."""
    sections: dict[str, set[tuple[str, str]]] = {}
    current = ""
    for line in markdown.splitlines():
        heading = re.match(r"## (.+) \(\d+\)$", line)
        if heading:
            current = heading.group(1)
            sections[current] = set()
        item = re.match(r"- \*\*(\S+)\*\* .* — (.+?): .+ → .+$", line)  # outcomes are words ("Not applicable")
        if item and current:
            sections[current].add((item.group(1), item.group(2)))
    return sections


def expected_moves(old: dict, new: dict) -> dict[str, set[tuple[str, str]]]:
    """Fixed and new findings computed from the two reports directly (targets paired by uri here)."""
    moves: dict[str, set[tuple[str, str]]] = {"Fixed": set(), "New findings": set()}
    for new_target in new["targets"]:
        old_target = next(t for t in old["targets"] if t["uri"] == new_target["uri"])
        before = {r["rule_id"]: r["outcome"] for r in old_target["results"]}
        after = {r["rule_id"]: r["outcome"] for r in new_target["results"]}
        for rule_id in before.keys() | after.keys():
            bucket = classify(before.get(rule_id), after.get(rule_id), target_gone=False)
            if bucket in ("fixed", "new"):
                moves["Fixed" if bucket == "fixed" else "New findings"].add((rule_id, new_target["label"]))
    return moves


@pytest.fixture(scope="module")
def follow_up(tmp_path_factory):
    """Three runs over one folder: app.apk is facedoor, then dooralt (fixed), then facedoor again."""
    tmp = tmp_path_factory.mktemp("follow-up")
    folder = tmp / "site"
    folder.mkdir()
    shutil.copy(FIXTURES / "cameraonly.apk", folder / "same.apk")
    (folder / "privacy.html").write_text(POLICY_HTML, encoding="utf-8")
    db = tmp / "visits.sqlite"
    reports, summaries = [], []
    for number, app in enumerate(("facedoor", "dooralt", "facedoor"), start=1):
        shutil.copy(FIXTURES / f"{app}.apk", folder / "app.apk")
        out = tmp / f"out{number}"
        proc = fangcun("scan", "--db", str(db), str(folder), "-o", str(out), "--lang", "en", "-f", "json")
        assert proc.returncode == 0, proc.stderr
        reports.append(json.loads((out / "report.json").read_text(encoding="utf-8")))
        summaries.append(summary_line(proc))
    return tmp, db, reports, summaries


def test_follow_up_runs_analyse_only_what_changed(follow_up) -> None:
    _, _, _, summaries = follow_up
    assert "scanned 3, reused 0" in summaries[0]
    assert "scanned 1, reused 2" in summaries[1]  # same.apk and the policy are unchanged
    assert "scanned 0, reused 3" in summaries[2]  # facedoor at app.apk was analysed in run 1


def test_diff_of_report_files_lists_exactly_the_fixed_and_new_findings(follow_up) -> None:
    tmp, _, reports, _ = follow_up
    fixed_run = fangcun("diff", str(tmp / "out1" / "report.json"), str(tmp / "out2" / "report.json"), "--lang", "en")
    sections = diff_sections(fixed_run.stdout)
    expected = expected_moves(reports[0], reports[1])
    assert fixed_run.returncode == (1 if expected["New findings"] else 0), fixed_run.stderr
    assert ("FACE-001", "幸福家园") in sections["Fixed"]
    assert sections["Fixed"] == expected["Fixed"] and sections["New findings"] == expected["New findings"]
    assert not any(target == "随手拍" for _, target in sections["Fixed"] | sections["New findings"])

    regressed = fangcun("diff", str(tmp / "out2" / "report.json"), str(tmp / "out3" / "report.json"), "--lang", "en")
    sections = diff_sections(regressed.stdout)
    expected = expected_moves(reports[1], reports[2])
    assert regressed.returncode == 1 and expected["New findings"]
    assert ("FACE-001", FACE_DOOR_LABEL) in sections["New findings"]
    assert sections["New findings"] == expected["New findings"] and sections["Fixed"] == expected["Fixed"]


def test_diff_of_stored_runs_matches_the_diff_of_their_reports(follow_up) -> None:
    tmp, db, _, _ = follow_up
    for old, new in (("1", "2"), ("2", "3")):
        stored = fangcun("diff", "--db", str(db), old, new, "--lang", "en", "-o", str(tmp / f"diff-{old}-{new}"))
        files = fangcun("diff", str(tmp / f"out{old}" / "report.json"), str(tmp / f"out{new}" / "report.json"), "--lang", "en")
        assert stored.returncode == files.returncode in (0, 1), stored.stderr
        assert diff_sections(stored.stdout) == diff_sections(files.stdout)
        assert (tmp / f"diff-{old}-{new}" / "diff.html").stat().st_size > 0


# -- killed midway, started again -------------------------------------------------------------


def comparable(db: Path) -> tuple[list, list]:
    with open_store(db) as store:
        (run,) = store.runs("default")
        assert run.finished_at is not None
        report = store.report_dict(run.id)
    return report["targets"], report["errors"]


def test_sigkilled_batch_restarted_equals_an_uninterrupted_one(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(10):  # distinct bytes, same apps: our APK reader must still open them
        name = APKS[i % len(APKS)]
        data = with_zip_comment((FIXTURES / f"{name}.apk").read_bytes(), f"copy {i}".encode())
        (folder / f"{name}-{i:02d}.apk").write_bytes(data)
    (folder / "junk.apk").write_bytes(b"PK\x03\x04 broken")
    args = ["scan", str(folder), "--jobs", "1", "-f", "json", "--lang", "en"]
    reference = fangcun(*args, "--db", str(tmp_path / "reference.sqlite"), "-o", str(tmp_path / "ref"))
    assert reference.returncode == 0, reference.stderr

    db = tmp_path / "killed.sqlite"
    child = subprocess.Popen([sys.executable, "-c", "from scanner.cli import main; main()", *args, "--db", str(db),
                              "-o", str(tmp_path / "killed")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while done_count(db) < 3 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.01)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert 3 <= done_count(db) < 10, "the batch was not killed midway"

    resumed = fangcun(*args, "--db", str(db), "-o", str(tmp_path / "killed"))
    assert resumed.returncode == 0, resumed.stderr
    counts = summary_counts(summary_line(resumed))
    assert counts["run"] == 1 and counts["resumed"] >= 3 and counts["resumed"] + counts["scanned"] + counts["errors"] == 11
    assert comparable(db) == comparable(tmp_path / "reference.sqlite")
    assert len(comparable(db)[0]) == 10


# -- bad databases and inputs -----------------------------------------------------------------


@pytest.fixture(scope="module")
def small_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("small")
    db = tmp / "small.sqlite"
    proc = fangcun("scan", "--db", str(db), str(FIXTURES / "idcollect.apk"), "-o", str(tmp / "out"), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    return tmp, db


@pytest.mark.parametrize("command", ["scan", "leads", "campaign", "diff"])
def test_corrupt_database_is_one_clear_line(tmp_path: Path, command: str) -> None:
    db = tmp_path / "corrupt.sqlite"
    db.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 20)
    args = {
        "scan": ["scan", "--db", str(db), str(FIXTURES / "cameraonly.apk"), "-o", str(tmp_path / "o")],
        "leads": ["leads", "--db", str(db)],
        "campaign": ["campaign", "--db", str(db), "-o", str(tmp_path / "o")],
        "diff": ["diff", "--db", str(db), "1", "2"],
    }[command]
    one_clear_error(fangcun(*args), "corrupt.sqlite", "not a usable Fangcun database")


def test_database_from_a_newer_schema_is_refused(small_db, tmp_path: Path) -> None:
    _, db = small_db
    newer = tmp_path / "newer.sqlite"
    shutil.copy(db, newer)
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    one_clear_error(fangcun("leads", "--db", str(newer)), "newer.sqlite", "schema version 99 is newer")
    one_clear_error(fangcun("scan", "--db", str(newer), str(FIXTURES / "cameraonly.apk"), "-o", str(tmp_path / "o")),
                    "schema version 99")
    assert fangcun("leads", "--db", str(db)).returncode == 0  # the same file at the current version is fine


def test_locked_database_stops_a_writer_but_not_a_reader(small_db, tmp_path: Path) -> None:
    _, db = small_db
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        reader = fangcun("leads", "--db", str(db), "--min-severity", "none", "--json")
        writer = fangcun("scan", "--db", str(db), str(FIXTURES / "dooralt.apk"), "-o", str(tmp_path / "o"), timeout=60)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert reader.returncode == 0 and json.loads(reader.stdout)[0]["findings"]
    one_clear_error(writer, "small.sqlite", "locked by another process")


def test_missing_database_is_an_error_and_not_created(tmp_path: Path) -> None:
    db = tmp_path / "absent.sqlite"
    one_clear_error(fangcun("leads", "--db", str(db)), "absent.sqlite", "no such database")
    assert not db.exists()


def test_diff_of_unrelated_reports_and_runs_is_refused(small_db, tmp_path: Path) -> None:
    tmp, db = small_db
    other = fangcun("scan", "--db", str(db), "--campaign", "elsewhere", str(FIXTURES / "facedoor.apk"),
                    "-o", str(tmp_path / "other"), "-f", "json")
    assert other.returncode == 0, other.stderr
    one_clear_error(fangcun("diff", str(tmp / "out" / "report.json"), str(tmp_path / "other" / "report.json")),
                    "no target in common")
    one_clear_error(fangcun("diff", "--db", str(db), "1", "2"), "run 1 and run 2", "no target in common")
    one_clear_error(fangcun("diff", "--db", str(db), "1", "last"), "'last'", "run ids")
    assert fangcun("diff", "--db", str(db), "1", "1").returncode == 0  # a run compared with itself


def test_analysis_fingerprint_changes_with_what_shapes_a_document() -> None:
    from scanner.campaign.batch import analysis_fingerprint

    tool = {"version": "1.0", "ruleset_sha256": "a" * 64}
    base = analysis_fingerprint(tool, "en")
    assert analysis_fingerprint(dict(tool), "en") == base
    assert analysis_fingerprint(tool, "zh") != base
    assert analysis_fingerprint({**tool, "ruleset_sha256": "b" * 64}, "en") != base
    assert analysis_fingerprint({**tool, "version": "1.1"}, "en") != base


def test_a_code_change_without_a_version_bump_stops_reuse(tmp_path: Path) -> None:
    from scanner.campaign.batch import analysis_fingerprint, source_digest

    code = tmp_path / "scanner"
    (code / "sources").mkdir(parents=True)
    (code / "sources" / "dex.py").write_text("LIMIT = 1\n", encoding="utf-8")
    (code / "notes.txt").write_text("not code", encoding="utf-8")
    tool = {"version": "1.0", "ruleset_sha256": "a" * 64}
    before, digest = analysis_fingerprint(tool, "en", code_root=code), source_digest(code)

    (code / "notes.txt").write_text("still not code", encoding="utf-8")
    assert source_digest(code) == digest and analysis_fingerprint(tool, "en", code_root=code) == before
    (code / "sources" / "dex.py").write_text("LIMIT = 2\n", encoding="utf-8")
    assert source_digest(code) != digest
    assert analysis_fingerprint(tool, "en", code_root=code) != before


def test_waivers_apply_in_a_batch_and_an_expired_one_does_not(tmp_path: Path) -> None:
    import hashlib

    from scanner.model import finding_fingerprint

    sha = hashlib.sha256((FIXTURES / "facedoor.apk").read_bytes()).hexdigest()
    fingerprint = finding_fingerprint("FACE-001", sha)[:16]

    def outcome(expires: str, name: str) -> str:
        waivers = tmp_path / f"{name}.yaml"
        waivers.write_text(f"waivers:\n  - {{rule: FACE-001, fingerprint: '{fingerprint}', reason: 已整改待复核, "
                           f"expires: {expires}}}\n", encoding="utf-8")
        db = tmp_path / f"{name}.sqlite"
        proc = fangcun("scan", "--db", str(db), "--waivers", str(waivers), str(FIXTURES / "facedoor.apk"),
                       "-o", str(tmp_path / name), "-f", "json")
        assert proc.returncode == 0, proc.stderr
        [target] = json.loads((tmp_path / name / "report.json").read_text(encoding="utf-8"))["targets"]
        return {r["rule_id"]: r["outcome"] for r in target["results"]}["FACE-001"]

    assert outcome("2999-12-31", "live") == "WAIVED"
    assert outcome("2000-01-01", "expired") == "FAIL"


def test_a_batch_where_every_input_failed_exits_2_and_says_so(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.apk").write_bytes(b"not an apk\n")
    (inputs / "b.apk").write_bytes(b"nor this\n")
    proc = fangcun("scan", "--db", str(tmp_path / "camp.sqlite"), str(inputs), "-o", str(tmp_path / "out"),
                   "-f", "json", "--lang", "en")
    assert proc.returncode == 2, proc.stderr
    assert "no input could be analysed (2)" in proc.stderr and "Traceback" not in proc.stderr
    assert "a.apk" in proc.stderr and "b.apk" in proc.stderr


@pytest.mark.parametrize("option", [["--policy", "privacy.html"], ["--fetch-policies"]])
def test_policies_with_db_are_refused_in_one_line(small_db, tmp_path: Path, option: list[str]) -> None:
    _, db = small_db
    proc = fangcun("scan", "--db", str(db), str(FIXTURES / "dooralt.apk"), *option, "-o", str(tmp_path / "o"))
    one_clear_error(proc, "not supported with --db", "without --db")


def test_campaign_writes_its_pdf_case_document(small_db, tmp_path: Path) -> None:
    _, db = small_db
    proc = fangcun("campaign", "--db", str(db), "-o", str(tmp_path / "c"), "-f", "pdf")
    assert proc.returncode == 0, proc.stderr
    pdf = (tmp_path / "c" / "campaign.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and not (tmp_path / "c" / "campaign.html").exists()


def test_campaign_rejects_an_unknown_format_in_one_line(small_db, tmp_path: Path) -> None:
    _, db = small_db
    one_clear_error(fangcun("campaign", "--db", str(db), "-o", str(tmp_path / "c"), "-f", "html,odt"),
                    "odt", "html, md, csv, xlsx, docx, pdf")
