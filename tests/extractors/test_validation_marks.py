"""Schema validation of rule, signature and lexicon files is remembered only for the exact bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scanner.engine import ruleset
from scanner.engine.ruleset import load_ruleset, rule_files
from scanner.errors import RuleLoadError
from scanner.schemas import CACHE_DIR_ENV, validation_mark
from scanner.signatures import FACE_SDKS_PATH, load_signature_file


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_DIR_ENV, str(folder))
    return folder


def _copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(ruleset.default_rules_dir(), target)
    return target


def _break_schema_of_first_rule(rules_dir: Path) -> Path:
    """Valid YAML, same id and slug, but a severity the rule schema does not allow."""
    path = rule_files(rules_dir)[0]
    text = path.read_text(encoding="utf-8")
    severity = next(line for line in text.splitlines() if line.startswith("severity:"))
    path.write_text(text.replace(severity, "severity: catastrophic"), encoding="utf-8")
    return path


def test_a_validated_pack_loads_the_same_from_its_marks(tmp_path: Path, cache: Path) -> None:
    rules_dir = _copy_rules(tmp_path)
    first = load_ruleset(rules_dir)
    marks = sorted(p.name for p in (cache / "schema-valid").iterdir())
    assert len(marks) >= len(first.rules)
    second = load_ruleset(rules_dir)
    assert [r.info for r in second.rules] == [r.info for r in first.rules]
    assert second.sha256 == first.sha256
    assert sorted(p.name for p in (cache / "schema-valid").iterdir()) == marks


def test_an_edited_rule_is_validated_again_despite_old_marks(tmp_path: Path, cache: Path) -> None:
    rules_dir = _copy_rules(tmp_path)
    load_ruleset(rules_dir)  # every file marked valid
    broken = _break_schema_of_first_rule(rules_dir)
    with pytest.raises(RuleLoadError, match=broken.name):
        load_ruleset(rules_dir)


def test_a_mark_names_both_the_schema_and_the_document(cache: Path) -> None:
    mark = validation_mark("schema A", "document")
    assert mark is not None and mark.parent == cache / "schema-valid"
    assert validation_mark("schema B", "document") != mark
    assert validation_mark("schema A", "document ") != mark
    assert validation_mark("schema A", "document") == mark


def test_an_empty_cache_setting_keeps_no_marks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CACHE_DIR_ENV, "")
    assert validation_mark("schema", "document") is None
    rules_dir = _copy_rules(tmp_path)
    assert load_ruleset(rules_dir).rules
    broken = _break_schema_of_first_rule(rules_dir)
    with pytest.raises(RuleLoadError, match=broken.name):
        load_ruleset(rules_dir)


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(CACHE_DIR_ENV, str(blocker))
    assert load_ruleset(_copy_rules(tmp_path)).rules


def test_signature_files_use_marks_and_still_reject_bad_ones(tmp_path: Path, cache: Path) -> None:
    good = tmp_path / "face_sdks.yaml"
    shutil.copy(FACE_SDKS_PATH, good)
    assert load_signature_file(good)["sdks"]
    assert any((cache / "schema-valid").iterdir())
    assert load_signature_file(good) == load_signature_file(FACE_SDKS_PATH)
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("kind: face", "kind: 7", 1), encoding="utf-8")
    with pytest.raises(RuleLoadError, match="bad.yaml"):
        load_signature_file(bad)
