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
