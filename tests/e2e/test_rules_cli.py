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


def test_a_misspelt_value_in_where_is_refused_naming_file_rule_and_allowed_values(tmp_path):
    """The value would never match any fact: FACE-001 would turn from FAIL to PASS on the door app."""
    pack = copy_pack(tmp_path)
    rule = next(pack.glob("face/FACE-001.*[!s].yaml"))
    cases = next(pack.glob("face/FACE-001.*.cases.yaml"))
    for path in (rule, cases):  # misspelt in the rule and in its cases alike, as an author would
        path.write_text(path.read_text(encoding="utf-8").replace("purpose: access_control", "purpose: access-control"),
                        encoding="utf-8")
    valid = fangcun("rules", "validate", str(pack))
    assert valid.returncode == 2 and "Traceback" not in valid.stderr
    message = " ".join(valid.stderr.split())
    assert rule.name in message and "rule FACE-001" in message
    assert "'access-control' is not an allowed value; allowed: access_control, identity, login" in message


def test_a_hand_written_requires_is_refused_with_the_known_extractors(tmp_path):
    pack = copy_pack(tmp_path)
    rule = next(pack.glob("face/FACE-001.*[!s].yaml"))
    text = rule.read_text(encoding="utf-8")
    rule.write_text(text.replace("applies_when:", "requires:\n  context.access_control: [apk_strngs]\napplies_when:", 1),
                    encoding="utf-8")
    valid = fangcun("rules", "validate", str(pack))
    message = " ".join(valid.stderr.split())
    assert valid.returncode == 2 and rule.name in message and "rule FACE-001" in message
    assert "`requires` is not written in rule files" in message and "apk_strings" in message


def test_a_case_fact_outside_the_contract_is_refused(tmp_path):
    pack = copy_pack(tmp_path)
    cases = next(pack.glob("face/FACE-001.*.cases.yaml"))
    cases.write_text(cases.read_text(encoding="utf-8").replace("for: residents", "for: owners", 1), encoding="utf-8")
    tested = fangcun("rules", "test", str(pack))
    message = " ".join(tested.stderr.split())
    assert tested.returncode == 2 and cases.name in message and "'owners' is not one of all, residents, visitors" in message


def test_rules_new_writes_a_rule_that_loads_and_passes(tmp_path):
    pack = copy_pack(tmp_path)
    made = fangcun("rules", "new", "face", "face-thing-to-check", "--rules", str(pack))
    assert made.returncode == 0, made.stderr
    rule = pack / "face" / "FACE-009.face-thing-to-check.yaml"
    assert rule.is_file() and (pack / "face" / "FACE-009.face-thing-to-check.cases.yaml").is_file()
    text = rule.read_text(encoding="utf-8")
    assert "#   face.capture" in text and "requires" not in text  # the contract's kinds listed, nothing to derive by hand
    assert fangcun("rules", "validate", str(pack)).returncode == 0
    tested = fangcun("rules", "test", str(pack))
    assert tested.returncode == 0 and "input" in tested.stdout and "evidence" in tested.stdout
    again = fangcun("rules", "new", "face", "face-thing-to-check", "--rules", str(pack))
    assert again.returncode == 2 and "already the slug" in again.stderr
    assert fangcun("rules", "new", "minimisation", "second-one", "--rules", str(pack)).returncode == 0
    assert (pack / "minimisation" / "MINI-003.second-one.yaml").is_file()
