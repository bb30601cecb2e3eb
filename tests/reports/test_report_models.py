"""report.json names the learned model a policy was read with (tool.models), and only then."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from reports import validate_report
from scanner.engine.ruleset import load_ruleset
from scanner.nlp.practice_model import READER, model_record, read_artefact
from scanner.pipeline import build_report, scan_file


@pytest.fixture(scope="module")
def ruleset():
    return load_ruleset()


def test_a_policy_scan_records_the_practice_model(tmp_path: Path, ruleset) -> None:
    policy = tmp_path / "policy.txt"
    policy.write_text("隐私政策\n我们会采集您的人脸图像用于门禁通行。您可以拨打客服电话400-000-0000联系我们。\n", encoding="utf-8")
    report = build_report([scan_file(policy, ruleset)], ruleset).to_dict()
    validate_report(report)
    manifest, _ = read_artefact()
    record = {"name": "practice_model", "version": manifest["version"], "sha256": manifest["artefact_sha256"],
              "reader": "combined"}
    assert model_record("combined") == record
    # The model is named only when the shipped reading uses it.
    assert report["tool"].get("models", []) == ([] if READER == "rules" else [{**record, "reader": READER}])


def test_a_report_without_policy_text_names_no_model(ruleset) -> None:
    assert "models" not in build_report([], ruleset).to_dict()["tool"]


def test_the_schema_refuses_a_model_record_without_its_hash(tmp_path: Path, ruleset) -> None:
    report = build_report([], ruleset).to_dict()
    report["tool"]["models"] = [{"name": "practice_model", "version": "practice_model_v1", "reader": "combined"}]
    with pytest.raises(jsonschema.ValidationError):
        validate_report(report)
