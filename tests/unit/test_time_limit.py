"""The per-target limits of in-process scans: each target runs in a worker of its own, so one that
runs away in time or memory is stopped and becomes an error; the targets around it are still scanned
and kept."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from scanner import pipeline
from scanner.pipeline import load_ruleset, scan_paths

POLICY = "隐私政策\n我们会收集您的手机号，用于登录。\n"


def _misbehaving(real_scan_file):
    """scan_file that never finishes for files named slow* (swallowing every Exception on the way, as
    an extractor's error handler does, so only a limit it cannot catch stops it), and that allocates
    without end for files named eat*."""

    def scan_file(path, *args, **kwargs):
        name = Path(path).name
        if name.startswith("slow"):
            while True:
                with contextlib.suppress(Exception):  # swallowing everything is the point of the test
                    time.sleep(0.01)
        if name.startswith("eat"):
            hoard = []
            while True:
                hoard.append(bytearray(64 * 2**20))
        return real_scan_file(path, *args, **kwargs)

    return scan_file


def test_a_runaway_target_is_stopped_and_the_others_are_scanned(tmp_path: Path, monkeypatch) -> None:
    for name in ("a.txt", "slow.txt", "eat.txt", "b.txt"):
        (tmp_path / name).write_text(POLICY + name, encoding="utf-8")
    ruleset = load_ruleset()
    monkeypatch.setattr(pipeline, "scan_file", _misbehaving(pipeline.scan_file))  # the forked workers inherit it
    started = time.monotonic()
    targets, errors = scan_paths([tmp_path], ruleset, per_target_seconds=5, per_target_memory_mb=512)
    assert time.monotonic() - started < 60
    assert sorted(Path(t.uri).name for t in targets) == ["a.txt", "b.txt"]
    assert all(t.results for t in targets)
    assert sorted((e.stage, Path(e.input).name) for e in errors) == [("memory", "eat.txt"), ("timeout", "slow.txt")]
    stopped = next(e for e in errors if e.stage == "timeout")
    assert stopped.message.endswith("analysis stopped after 5 s")


def test_identical_files_are_scanned_once_and_both_names_kept(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text(POLICY, encoding="utf-8")
    (tmp_path / "q.txt").write_text(POLICY, encoding="utf-8")
    targets, errors = scan_paths([tmp_path], load_ruleset())
    assert errors == []
    assert [Path(t.uri).name for t in targets] == ["p.txt"]
    assert targets[0].attributes["also_at"] == [str(tmp_path / "q.txt")]
