"""`fangcun rules list | show | validate | test` through the real entry point."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from scanner.engine.ruleset import default_rules_dir


def fangcun(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from scanner.cli import main; main()", *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "250"},
    )


def test_list_and_show():
    listed = fangcun("rules", "list", "--lang", "en")
    assert listed.returncode == 0
    assert "FACE-001" in listed.stdout and "face-sole-entry-method" in listed.stdout
    shown = fangcun("rules", "show", "face-001")
    assert shown.returncode == 0 and "slug: face-sole-entry-method" in shown.stdout
    missing = fangcun("rules", "show", "NOPE-999")
    assert missing.returncode == 2 and "NOPE-999: no such rule" in missing.stderr


def test_validate_and_test_the_shipped_pack():
    valid = fangcun("rules", "validate")
    assert valid.returncode == 0 and "rules valid" in valid.stdout
    tested = fangcun("rules", "test")
    assert tested.returncode == 0 and " 0 failed" in tested.stdout


def copy_pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(default_rules_dir(), pack, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return pack


def test_a_wrong_case_fails_rules_test(tmp_path):
    pack = copy_pack(tmp_path)
    cases = next(pack.glob("face/FACE-001.*.cases.yaml"))
    text = cases.read_text(encoding="utf-8")
    cases.write_text(text.replace("expect: PASS", "expect: FAIL", 1), encoding="utf-8")
    tested = fangcun("rules", "test", str(pack))
    assert tested.returncode == 1 and "FAIL FACE-001" in tested.stderr and " 1 failed" in tested.stdout


def test_a_broken_rule_is_one_line_naming_the_file(tmp_path):
    pack = copy_pack(tmp_path)
    rule = next(pack.glob("face/FACE-001.*[!s].yaml"))
    rule.write_text(rule.read_text(encoding="utf-8").replace("severity: ", "severity: dire #", 1), encoding="utf-8")
    valid = fangcun("rules", "validate", str(pack))
    assert valid.returncode == 2 and rule.name in valid.stderr and "Traceback" not in valid.stderr
