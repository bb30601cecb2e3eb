"""`fangcun scan` end to end on the project's own APK fixtures, through the real CLI entry point."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"


def fangcun(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", *args],
        capture_output=True, text=True, cwd=cwd, timeout=300,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1800000000", "COLUMNS": "200"},
    )


def scan(tmp_path: Path, *inputs: Path, extra: tuple[str, ...] = ()) -> tuple[subprocess.CompletedProcess, dict]:
    out = tmp_path / "out"
    proc = fangcun("scan", *map(str, inputs), "-o", str(out), "-f", "json,html,md,sarif", *extra)
    report = json.loads((out / "report.json").read_text(encoding="utf-8")) if (out / "report.json").exists() else {}
    return proc, report


def results(target: dict) -> dict[str, dict]:
    return {r["rule_id"]: r for r in target["results"]}


def evidence_by_id(target: dict) -> dict[str, dict]:
    return {e["id"]: e for e in target["evidence"]}


@pytest.fixture(scope="module")
def door_reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("doors")
    proc, report = scan(tmp, FIXTURES / "facedoor.apk", FIXTURES / "dooralt.apk", FIXTURES / "cameraonly.apk")
    assert proc.returncode == 0, proc.stderr
    by_package = {t["attributes"]["package"]: t for t in report["targets"]}
    return tmp / "out", report, by_package


def test_face_only_door_fails_face_001_with_its_proof(door_reports):
    _, _, targets = door_reports
    door = targets["com.fangcun.fixture.facedoor"]
    face_001 = results(door)["FACE-001"]
    assert face_001["outcome"] == "FAIL"
    proof = [evidence_by_id(door)[i] for i in face_001["evidence_ids"]]
    places = " ".join(e["location"]["logical"] + " " + e["location"]["snippet"] + " " + e["key"] for e in proof)
    assert "arcsoft" in places.lower()  # the SDK class or native lib
    assert "刷脸开门" in places


def test_door_with_alternatives_passes_face_001(door_reports):
    _, _, targets = door_reports
    alt = targets["com.fangcun.fixture.dooralt"]
    assert results(alt)["FACE-001"]["outcome"] == "PASS"


def test_camera_only_app_has_no_face_capture(door_reports):
    _, _, targets = door_reports
    cam = targets["com.fangcun.fixture.cameraonly"]
    kinds = {e["kind"] for e in cam["evidence"]}
    assert "camera.use" in kinds
    assert not kinds & {"face.capture", "face.sdk", "face.api_call"}
    assert results(cam)["FACE-002"]["outcome"] == "NOT_APPLICABLE"


def test_all_formats_written_and_valid(door_reports):
    out, report, _ = door_reports
    from reports import validate_report

    validate_report(report)
    for name in ("report.json", "report.html", "report.md", "report.sarif"):
        assert (out / name).stat().st_size > 0
    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    assert any(r["ruleId"] == "FACE-001" for r in sarif["runs"][0]["results"])


def test_app_strings_are_escaped_in_html(door_reports):
    out, _, _ = door_reports
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_fail_on_sets_exit_code(tmp_path):
    proc, _ = scan(tmp_path, FIXTURES / "facedoor.apk", extra=("--fail-on", "high"))
    assert proc.returncode == 1
    proc, _ = scan(tmp_path, FIXTURES / "cameraonly.apk", extra=("--fail-on", "critical"))
    assert proc.returncode == 0


def make_bad_inputs(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    bad = {}
    bad["not_zip"] = folder / "not-a-zip.apk"
    bad["not_zip"].write_bytes(b"this is not an apk at all\n")
    bad["no_manifest"] = folder / "no-manifest.apk"
    with zipfile.ZipFile(bad["no_manifest"], "w") as z:
        z.writestr("classes.dex", b"dex\n035\0")
    data = (FIXTURES / "cameraonly.apk").read_bytes()
    bad["truncated"] = folder / "truncated.apk"
    bad["truncated"].write_bytes(data[: len(data) // 2])
    return bad


@pytest.mark.parametrize("case", ["not_zip", "no_manifest", "truncated"])
def test_single_bad_input_is_one_clear_line_and_exit_2(tmp_path, case):
    path = make_bad_inputs(tmp_path / "in")[case]
    proc, _ = scan(tmp_path, path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [l for l in proc.stderr.splitlines() if l.strip()]
    assert any(path.name in l for l in lines), proc.stderr


def test_directory_with_bad_files_scans_the_rest(tmp_path):
    folder = tmp_path / "mixed"
    make_bad_inputs(folder)
    shutil.copy(FIXTURES / "dooralt.apk", folder / "good.apk")
    (folder / "notes.md").write_text("not scanned: unsupported suffixes are skipped in directories")
    proc, report = scan(tmp_path, folder)
    assert proc.returncode == 0, proc.stderr
    assert [t["attributes"]["package"] for t in report["targets"]] == ["com.fangcun.fixture.dooralt"]
    failed_inputs = {Path(e["input"]).name for e in report["errors"]}
    assert failed_inputs == {"not-a-zip.apk", "no-manifest.apk", "truncated.apk"}


def test_identical_files_are_analysed_once(tmp_path):
    a = tmp_path / "a.apk"
    b = tmp_path / "b.apk"
    shutil.copy(FIXTURES / "cameraonly.apk", a)
    shutil.copy(FIXTURES / "cameraonly.apk", b)
    proc, report = scan(tmp_path, a, b)
    assert proc.returncode == 0
    assert len(report["targets"]) == 1
    assert report["targets"][0]["attributes"]["also_at"] == [str(b)]


def test_missing_input_and_bad_format_are_usage_errors(tmp_path):
    proc, _ = scan(tmp_path, tmp_path / "nowhere.apk")
    assert proc.returncode == 2 and "nowhere.apk" in proc.stderr and "Traceback" not in proc.stderr
    proc = fangcun("scan", str(FIXTURES / "cameraonly.apk"), "-f", "pdfx", "-o", str(tmp_path / "o"))
    assert proc.returncode == 2 and "pdfx" in proc.stderr


def test_report_is_reproducible(tmp_path):
    _, first = scan(tmp_path / "1", FIXTURES / "facedoor.apk")
    _, second = scan(tmp_path / "2", FIXTURES / "facedoor.apk")
    assert first == second
    assert first["tool"]["ruleset_sha256"] and first["targets"][0]["sha256"]


def test_embedded_policy_text_decides_face_003(tmp_path):
    """A policy covering face processing turns FACE-003 to PASS; one silent on faces keeps it FAIL."""
    proc, report = scan(tmp_path, FIXTURES / "facepolicy.apk", FIXTURES / "facedoor.apk")
    assert proc.returncode == 0, proc.stderr
    by_package = {t["attributes"]["package"]: t for t in report["targets"]}
    covered, silent = by_package["com.fangcun.fixture.facepolicy"], by_package["com.fangcun.fixture.facedoor"]
    assert results(covered)["FACE-003"]["outcome"] == "PASS"
    assert results(silent)["FACE-003"]["outcome"] == "FAIL"
    proof = [evidence_by_id(covered)[i] for i in results(covered)["FACE-003"]["evidence_ids"]]
    assert any(e["kind"] == "policy.discloses" and e["key"] == "face_collection" for e in proof)
    docs = [e for e in silent["evidence"] if e["kind"] == "policy.document"]
    assert docs and all(d["attrs"]["analysed"] for d in docs)


POLICY_HTML = """<!doctype html><html><head><meta charset="gbk"><title>某物业隐私政策</title>
<script>var note = "我们收集您的人脸信息";</script></head><body>
<h2>一、我们如何收集和使用您的个人信息</h2>
<p>为实现刷脸开门功能，我们会收集您的人脸信息，用于门禁通行身份核验。</p>
<p>我们不会将人脸识别作为唯一验证方式，您也可以使用门禁卡或二维码开门。</p>
<h2>二、我们如何存储您的个人信息</h2>
<p>您的人脸信息保存期限为您搬离小区后30日内删除。</p>
<h2>三、联系我们</h2><p>如有疑问，请发送邮件至 privacy@example-wuye.cn 与我们联系。</p>
</body></html>"""


def test_policy_file_is_a_target_with_quoted_practices(tmp_path):
    policy = tmp_path / "policy.html"
    policy.write_bytes(POLICY_HTML.encode("gbk"))
    proc, report = scan(tmp_path, policy)
    assert proc.returncode == 0, proc.stderr
    (target,) = report["targets"]
    assert target["kind"] == "policy" and target["attributes"]["encoding"] == "gb18030"
    practices = {(e["key"], e["attrs"]["polarity"]): e for e in target["evidence"] if e["kind"] == "policy.discloses"}
    assert ("face_collection", "affirm") in practices
    assert ("face_alternative", "affirm") in practices and ("face_retention", "affirm") in practices
    quoted = practices[("face_retention", "affirm")]
    assert "30日" in quoted["attrs"]["sentence"] and quoted["location"]["logical"].startswith("chars ")
    assert "二、我们如何存储您的个人信息" in quoted["attrs"]["section"]
    # the script's "我们收集您的人脸信息" is not text a reader sees
    assert all("var note" not in e["attrs"].get("sentence", "") for e in target["evidence"])
    checklist = {e["key"]: e["attrs"]["present"] for e in target["evidence"] if e["kind"] == "policy.checklist"}
    assert checklist and any(checklist.values()) and not all(checklist.values())
    md = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "30日内删除" in md


def test_report_rerenders_from_report_json_alone(tmp_path):
    out = tmp_path / "out"
    assert fangcun("scan", str(FIXTURES / "facedoor.apk"), "-o", str(out), "-f", "json").returncode == 0
    assert not (out / "report.html").exists()
    proc = fangcun("report", str(out), "-f", "html,sarif", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "FACE-001" in html and 'lang="en"' in html
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "report.json").write_text('{"x": 1}', encoding="utf-8")
    proc = fangcun("report", str(broken))
    assert proc.returncode == 2 and "not a Fangcun report.json" in proc.stderr and "Traceback" not in proc.stderr


def test_a_word_policy_and_an_app_bundle_are_scanned_from_the_command_line(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("隐私政策", style="Heading 1")
    document.add_paragraph("为实现刷脸开门，我们会收集您的人脸信息。")
    policy = tmp_path / "policy.docx"
    document.save(policy)
    proc, report = scan(tmp_path, policy, FIXTURES / "facedoor.aab")
    assert proc.returncode == 0, proc.stderr
    assert "AndroidManifest" not in proc.stderr and report["errors"] == []
    kinds = {t["kind"]: t for t in report["targets"]}
    assert set(kinds) == {"apk", "policy"}
    assert any(e["kind"] == "policy.discloses" and e["key"] == "face_collection" for e in kinds["policy"]["evidence"])
    assert kinds["apk"]["attributes"]["format"] == "aab"
