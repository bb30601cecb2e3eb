import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from campaign_fakes import TOOL, done_count, scan_text

from scanner.campaign.batch import run_batch
from scanner.campaign.store import open_store

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def write_inputs(folder: Path, contents: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in contents.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def stored(db: Path, run_id: int) -> dict:
    with open_store(db) as store:
        return store.report_dict(run_id)


def test_batch_stores_targets_and_records_each_failure_once(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for name, text in {"a.txt": "FACE-001 刷脸开门", "b.txt": "all fine", "sub/c.txt": "CONS-002", "bad.txt": "BAD",
                       "bug.txt": "BOOM", "hang.txt": "HANG", "eat.txt": "EAT", "ignored.bin": "FACE-001"}.items():
        (folder / name).write_text(text, encoding="utf-8")
    db = tmp_path / "c.sqlite"
    summary = run_batch([folder], db, campaign="c", jobs=2, per_target_seconds=1.5, per_target_memory_mb=256,
                        progress=False, scan_fn=scan_text, tool=TOOL)
    report = stored(db, summary.run_id)
    assert sorted(Path(t["uri"]).name for t in report["targets"]) == ["a.txt", "b.txt", "c.txt"]
    stages = {Path(e["input"]).name: e["stage"] for e in report["errors"]}
    assert stages == {"bad.txt": "open", "bug.txt": "scan", "hang.txt": "timeout", "eat.txt": "memory"}
    assert all("\n" not in e["message"] and Path(e["input"]).name in e["message"] for e in report["errors"])
    assert (summary.total, summary.scanned, summary.errors, summary.resumed) == (7, 3, 4, 0)
    with open_store(db) as store:
        assert store.run(summary.run_id).finished_at is not None


def test_identical_files_are_analysed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_inputs(tmp_path / "in", {"one.txt": "FACE-001", "copy.txt": "FACE-001", "other.txt": "MIN-003"})
    log = tmp_path / "scanned.log"
    monkeypatch.setenv("FANGCUN_TEST_SCAN_LOG", str(log))
    summary = run_batch([folder, folder / "one.txt"], tmp_path / "c.sqlite", campaign="c", jobs=1, progress=False,
                        scan_fn=scan_text, tool=TOOL)
    scanned = log.read_text(encoding="utf-8").split()
    assert sorted(scanned) == ["copy.txt", "other.txt"]  # walk order: copy.txt comes first
    targets = {Path(t["uri"]).name: t for t in stored(tmp_path / "c.sqlite", summary.run_id)["targets"]}
    assert targets["copy.txt"]["attributes"]["also_at"] == [str(folder / "one.txt")]
    assert "also_at" not in targets["other.txt"]["attributes"]
    assert summary.duplicates == 1


def test_missing_input_is_recorded_not_fatal(tmp_path: Path) -> None:
    folder = write_inputs(tmp_path / "in", {"a.txt": "fine"})
    summary = run_batch([folder, tmp_path / "nope.apk"], tmp_path / "c.sqlite", campaign="c", jobs=1, progress=False,
                        scan_fn=scan_text, tool=TOOL)
    report = stored(tmp_path / "c.sqlite", summary.run_id)
    assert len(report["targets"]) == 1
    assert report["errors"] == [{"stage": "open", "input": str(tmp_path / "nope.apk"),
                                 "message": f"{tmp_path / 'nope.apk'}: no such file or directory"}]


def _comparable(report: dict) -> tuple[list, list]:
    return report["targets"], report["errors"]


def test_killed_batch_resumes_without_redoing_or_losing_targets(tmp_path: Path) -> None:
    contents = {f"t{i:02d}.txt": f"target {i} " + ("FACE-001 " if i % 2 else "") + ("MIN-003" if i % 3 == 0 else "")
                for i in range(12)}
    contents["t05.txt"] = "BAD"
    folder = write_inputs(tmp_path / "in", contents)

    reference_db = tmp_path / "reference.sqlite"
    reference = run_batch([folder], reference_db, campaign="kill-test", jobs=1, progress=False, scan_fn=scan_text, tool=TOOL)

    db = tmp_path / "killed.sqlite"
    env = {**os.environ, "FANGCUN_TEST_SCAN_DELAY": "0.2", "FANGCUN_TEST_SCAN_LOG": str(tmp_path / "before.log"),
           "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, str(HERE / "batch_child.py"), str(db), str(folder)], env=env)
    deadline = time.monotonic() + 30
    while done_count(db) < 3 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.02)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    done_at_kill = done_count(db)
    assert 3 <= done_at_kill < 11, "the batch was not killed midway"
    with open_store(db) as store:
        (run,) = store.runs("kill-test")
        assert run.finished_at is None
        finished_before = {Path(json.loads(d)["uri"]).name for (d,) in store._read(
            "SELECT document FROM targets WHERE status = 'done'")}

    env["FANGCUN_TEST_SCAN_DELAY"] = "0"
    env["FANGCUN_TEST_SCAN_LOG"] = str(tmp_path / "after.log")
    subprocess.run([sys.executable, str(HERE / "batch_child.py"), str(db), str(folder)], env=env, check=True, timeout=60)

    with open_store(db) as store:
        (resumed,) = store.runs("kill-test")
        assert resumed.id == run.id and resumed.finished_at is not None
        result_rows = store._read("SELECT target_id, rule_id, outcome, severity, evidence_ids FROM results ORDER BY 1, 2")
    with open_store(reference_db) as store:
        reference_rows = store._read("SELECT target_id, rule_id, outcome, severity, evidence_ids FROM results ORDER BY 1, 2")
    rescanned = set((tmp_path / "after.log").read_text(encoding="utf-8").split())
    assert not rescanned & finished_before
    assert _comparable(stored(db, run.id)) == _comparable(stored(reference_db, reference.run_id))
    assert result_rows == reference_rows and len(result_rows) == 11 * 3


def test_real_scanner_batch(tmp_path: Path) -> None:
    folder = write_inputs(tmp_path / "in", {
        "policy-a.txt": "隐私政策。我们会收集您的人脸信息用于刷脸开门。",
        "policy-b.txt": "隐私政策。我们收集您的手机号码用于物业缴费。",
        "copy-of-a.txt": "隐私政策。我们会收集您的人脸信息用于刷脸开门。",
    })
    (folder / "broken.apk").write_bytes(b"not a zip")
    try:
        from scanner.pipeline import load_ruleset, scan_file

        scan_file(folder / "policy-a.txt", load_ruleset())
    except Exception as exc:  # noqa: BLE001 — the rule pack or an extractor is not in place in this tree yet
        pytest.skip(f"real scanner not usable here: {type(exc).__name__}: {exc}")
    summary = run_batch([folder], tmp_path / "c.sqlite", campaign="real", jobs=2, progress=False)
    report = stored(tmp_path / "c.sqlite", summary.run_id)
    assert sorted(Path(t["uri"]).name for t in report["targets"]) == ["copy-of-a.txt", "policy-b.txt"]
    assert report["tool"]["rules"] and report["tool"]["ruleset_sha256"]
    assert [(Path(e["input"]).name, e["stage"]) for e in report["errors"]] == [("broken.apk", "open")]
    copy = next(t for t in report["targets"] if t["uri"].endswith("copy-of-a.txt"))
    assert copy["attributes"]["also_at"] == [str(folder / "policy-a.txt")]
    in_process = scan_file(folder / "policy-b.txt", load_ruleset()).to_dict()
    assert next(t for t in report["targets"] if t["uri"].endswith("policy-b.txt")) == in_process


def test_unusable_database_fails_before_any_work(tmp_path: Path) -> None:
    from scanner.campaign.store import StoreError

    db = tmp_path / "c.sqlite"
    db.write_bytes(b"garbage" * 1000)
    calls: list[Path] = []
    with pytest.raises(StoreError, match="c.sqlite"):
        run_batch([tmp_path], db, campaign="c", progress=False, scan_fn=calls.append, tool=TOOL)
    assert calls == []
