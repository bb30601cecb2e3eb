"""SARIF 2.1.0 output: schema-valid, one run, results only for what needs action."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support.sample_report import APK_SHA, APK_URI, batch_report, sample_report

from reports import render

SARIF_SCHEMA = Path(__file__).resolve().parents[2].parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def _sarif(report: dict[str, Any] | None = None, lang: str = "zh") -> dict[str, Any]:
    return json.loads(render("sarif", report or sample_report(), lang=lang))


@pytest.fixture(scope="module")
def run() -> dict[str, Any]:
    log = _sarif()
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    return log["runs"][0]


def _validator() -> jsonschema.Draft7Validator:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"SARIF schema not present at {SARIF_SCHEMA}")
    return jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))


@pytest.mark.parametrize("build", [sample_report, batch_report], ids=["sample", "batch"])
def test_output_validates_against_sarif_schema(build) -> None:
    validator = _validator()
    errors = sorted(validator.iter_errors(_sarif(build())), key=lambda e: list(e.path))
    assert not errors, errors[0].message


def test_sarif_schema_check_is_not_vacuous() -> None:
    validator = _validator()
    log = _sarif()
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(log))


def test_driver_describes_every_rule_without_information_uri(run: dict[str, Any]) -> None:
    driver = run["tool"]["driver"]
    assert driver["name"] == "fangcun" and driver["version"] == "0.1.0"
    assert "informationUri" not in driver
    rule = next(r for r in driver["rules"] if r["id"] == "FACE-002")
    assert rule["name"] == "face-separate-consent"
    assert rule["shortDescription"]["text"] == "处理人脸信息应取得单独同意"
    assert rule["fullDescription"]["text"].startswith("人脸信息属于敏感个人信息")
    assert "《个人信息保护法》第二十九条" in rule["help"]["text"]
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["properties"]["severity"] == "high" and rule["properties"]["tags"] == ["consent"]
    assert rule["properties"]["legal_basis"][0]["source"] == "PIPL"


def test_rule_texts_follow_lang() -> None:
    driver = _sarif(lang="en")["runs"][0]["tool"]["driver"]
    rule = next(r for r in driver["rules"] if r["id"] == "FACE-002")
    assert rule["shortDescription"]["text"] == "Separate consent for face data"


def _by_rule(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["ruleId"]: r for r in run["results"]}


def test_only_fail_unknown_and_waived_become_results(run: dict[str, Any]) -> None:
    assert sorted(_by_rule(run)) == ["FACE-002", "FACE-003", "MIN-001", "POL-001", "SDK-001"]


@pytest.mark.parametrize("rule_id, kind, level", [
    ("FACE-003", "fail", "error"),    # critical
    ("FACE-002", "fail", "error"),    # high
    ("POL-001", "fail", "warning"),   # medium
    ("SDK-001", "review", "none"),    # UNKNOWN: SARIF requires level none for kind review
])
def test_kind_and_level_follow_outcome_and_severity(run: dict[str, Any], rule_id: str, kind: str, level: str) -> None:
    result = _by_rule(run)[rule_id]
    assert (result["kind"], result["level"]) == (kind, level)


def test_waived_result_is_suppressed_with_its_reason(run: dict[str, Any]) -> None:
    waived = _by_rule(run)["MIN-001"]
    assert waived["suppressions"][0]["status"] == "accepted"
    assert "2025-12-31" in waived["suppressions"][0]["justification"]
    assert "suppressions" not in _by_rule(run)["FACE-002"]


def test_result_points_at_target_rule_and_evidence(run: dict[str, Any]) -> None:
    result = _by_rule(run)["FACE-002"]
    rules = run["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == "FACE-002"
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "samples/%E6%99%BA%E6%85%A7%E7%A4%BE%E5%8C%BA%20v2.apk"
    artifact = run["artifacts"][location["physicalLocation"]["artifactLocation"]["index"]]
    assert artifact["hashes"] == {"sha-256": APK_SHA}
    places = [l["fullyQualifiedName"] for l in location["logicalLocations"]]
    assert "Lcom/example/door/FaceDoorActivity;->scan()V" in places
    assert len(places) == len(set(places))
    assert result["properties"]["outcome"] == "FAIL"
    assert result["properties"]["target_id"] == "apk:com.example.community"
    assert all(isinstance(i, str) for i in result["properties"]["evidence_ids"])
    assert len(result["relatedLocations"]) == len(result["properties"]["evidence_ids"]) == 3


def test_fingerprint_is_sha256_of_rule_and_target_hash(run: dict[str, Any]) -> None:
    expected = hashlib.sha256(f"FACE-002:{APK_SHA}".encode()).hexdigest()
    assert _by_rule(run)["FACE-002"]["partialFingerprints"]["fangcunFinding"] == expected
    assert _by_rule(run)["FACE-003"]["partialFingerprints"]["fangcunFinding"] != expected


def test_target_without_hash_has_no_hashes_entry() -> None:
    artifacts = _sarif(batch_report())["runs"][0]["artifacts"]
    assert artifacts and all("hashes" not in a for a in artifacts)


def test_errors_become_notifications(run: dict[str, Any]) -> None:
    invocation = run["invocations"][0]
    texts = [n["message"]["text"] for n in invocation["toolExecutionNotifications"]]
    assert "samples/broken.apk: not an APK (no AndroidManifest.xml)" in texts
    assert f"{APK_URI}: assets/privacy.html: not valid UTF-8" in texts
    assert invocation["executionSuccessful"] is False
    assert _sarif(batch_report())["runs"][0]["invocations"][0]["executionSuccessful"] is True


def test_urls_are_kept_and_paths_become_uri_references(run: dict[str, Any]) -> None:
    uris = [a["location"]["uri"] for a in run["artifacts"]]
    assert uris == ["samples/%E6%99%BA%E6%85%A7%E7%A4%BE%E5%8C%BA%20v2.apk", "https://wuye.example.cn/privacy.html"]
