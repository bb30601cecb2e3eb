"""The per-target time limit of in-process scans: a target that runs away is stopped and becomes an
error; the targets around it are still scanned."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest

from scanner import pipeline
from scanner.pipeline import TimeLimitExceeded, load_ruleset, scan_paths, time_limit

POLICY = "隐私政策\n我们会收集您的手机号，用于登录。\n"


def _runaway_when_named_slow(real_scan_file):
    """scan_file that never finishes for files named slow*, and swallows every Exception on the way
    (as an extractor's error handler does), so only a limit it cannot catch stops it."""

    def scan_file(path, *args, **kwargs):
        if Path(path).name.startswith("slow"):
            while True:
                with contextlib.suppress(Exception):  # swallowing everything is the point of the test
                    time.sleep(0.01)
        return real_scan_file(path, *args, **kwargs)

    return scan_file


def test_a_runaway_target_is_stopped_and_the_others_are_scanned(tmp_path: Path, monkeypatch) -> None:
    for name in ("a.txt", "slow.txt", "b.txt"):
        (tmp_path / name).write_text(POLICY + name, encoding="utf-8")
    ruleset = load_ruleset()
    pipeline.scan_file(tmp_path / "a.txt", ruleset)  # loads the text pipeline, so the limit times analysis only
    monkeypatch.setattr(pipeline, "scan_file", _runaway_when_named_slow(pipeline.scan_file))
    started = time.monotonic()
    targets, errors = scan_paths([tmp_path], ruleset, per_target_seconds=1)
    assert time.monotonic() - started < 30
    assert sorted(Path(t.uri).name for t in targets) == ["a.txt", "b.txt"]
    assert [(e.stage, Path(e.input).name) for e in errors] == [("timeout", "slow.txt")]
    assert errors[0].message.endswith("analysis stopped after 1 s")


def test_a_target_within_the_limit_is_untouched_and_the_alarm_is_cleared(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text(POLICY, encoding="utf-8")
    targets, errors = scan_paths([tmp_path], load_ruleset(), per_target_seconds=30)
    assert len(targets) == 1 and errors == []
    time.sleep(0.05)  # a leftover alarm would fire into later code; none is set any more
    import signal

    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_time_limit_raises_past_the_deadline_only() -> None:
    with time_limit(5):
        pass
    with pytest.raises(TimeLimitExceeded), time_limit(0.2):
        time.sleep(2)
