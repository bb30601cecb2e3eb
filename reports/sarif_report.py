"""report.json → SARIF 2.1.0: one run, the rules as reportingDescriptors, FAIL / UNKNOWN / WAIVED results.

Mapping:
- FAIL → kind "fail", level from severity (critical/high error, medium warning, low/info note).
- WAIVED → the same as FAIL plus an accepted external suppression carrying the waiver reason,
  so SARIF viewers hide it but keep it on record.
- UNKNOWN → kind "review". SARIF 2.1.0 §3.27.10 requires level "none" for any kind other than
  "fail", so the severity travels in properties instead.
- PASS and NOT_APPLICABLE are not emitted: SARIF consumers treat results as things to act on.
Every target is an artifact (uri + sha-256); each result points at its target's artifact, names the
logical places of its evidence, and lists every piece of evidence as a related location.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from reports.view import labels_for, legal_basis_text, pick

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "fangcunFinding"

LEVEL_BY_SEVERITY = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
EMITTED_OUTCOMES = ("FAIL", "WAIVED", "UNKNOWN")

_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")

Doc = Mapping[str, Any]


def _uri_reference(uri: str) -> str:
    """A file path as a URI reference (spaces and non-ASCII percent-encoded); URLs are kept."""
    if _WINDOWS_DRIVE.match(uri):
        return "file:///" + quote(uri.replace("\\", "/"), safe="/:._-~")
    if _HAS_SCHEME.match(uri):
        return uri
    return quote(uri, safe="/._-~")


def _rule_help(rule: Doc, lang: str) -> str:
    labels = labels_for(lang)
    lines = [pick(rule["remediation"], lang)]
    if rule["legal_basis"]:
        lines += ["", labels["legal_basis"] + ":"]
        lines += ["- " + legal_basis_text(b, lang) for b in rule["legal_basis"]]
    return "\n".join(lines)


def _descriptor(rule: Doc, lang: str) -> dict[str, Any]:
    return {
        "id": rule["id"],
        "name": rule["slug"],
        "shortDescription": {"text": pick(rule["title"], lang)},
        "fullDescription": {"text": pick(rule["rationale"], lang)},
        "help": {"text": _rule_help(rule, lang)},
        "defaultConfiguration": {"level": LEVEL_BY_SEVERITY[rule["severity"]]},
        "properties": {
            "rule_version": rule["version"],
            "severity": rule["severity"],
            "confidence": rule["confidence"],
            "tags": [rule["category"]] if rule["category"] else [],
            "legal_basis": [dict(b) for b in rule["legal_basis"]],
        },
    }


def _artifact(target: Doc) -> dict[str, Any]:
    artifact: dict[str, Any] = {
        "location": {"uri": _uri_reference(target["uri"])},
        "description": {"text": target["label"] or target["uri"]},
        "properties": {"target_id": target["id"], "kind": target["kind"]},
    }
    if target["sha256"]:
        artifact["hashes"] = {"sha-256": target["sha256"]}
    return artifact


def _evidence_location(index: int, evidence: Doc) -> dict[str, Any]:
    location = evidence["location"]
    text = f"{evidence['kind']}: {evidence['key']}"
    if location["snippet"]:
        text += f" — {location['snippet']}"
    related: dict[str, Any] = {"id": index, "message": {"text": text}}
    if location["uri"]:
        related["physicalLocation"] = {"artifactLocation": {"uri": _uri_reference(location["uri"])}}
    if location["logical"]:
        related["logicalLocations"] = [{"fullyQualifiedName": location["logical"]}]
    related["properties"] = {"evidence_id": evidence["id"], "extractor": evidence["extractor"]}
    return related


def _primary_location(target: Doc, artifact_index: int, cited: list[Doc]) -> dict[str, Any]:
    """The target's artifact, with the logical places (inside it) of the cited evidence."""
    location: dict[str, Any] = {
        "physicalLocation": {"artifactLocation": {"uri": _uri_reference(target["uri"]),
                                                  "index": artifact_index}},
    }
    places = dict.fromkeys(
        ev["location"]["logical"] for ev in cited
        if ev["location"]["logical"] and ev["location"]["uri"] in ("", target["uri"])
    )
    if places:
        location["logicalLocations"] = [{"fullyQualifiedName": place} for place in places]
    return location


def _result(result: Doc, target: Doc, artifact_index: int, rule_index: Mapping[str, int],
            evidence: Mapping[str, Doc]) -> dict[str, Any]:
    cited = [evidence[i] for i in result["evidence_ids"] if i in evidence]
    reviewing = result["outcome"] == "UNKNOWN"
    sarif: dict[str, Any] = {"ruleId": result["rule_id"]}
    if result["rule_id"] in rule_index:
        sarif["ruleIndex"] = rule_index[result["rule_id"]]
    sarif["kind"] = "review" if reviewing else "fail"
    sarif["level"] = "none" if reviewing else LEVEL_BY_SEVERITY[result["severity"]]
    sarif["message"] = {"text": result["message"]}
    sarif["locations"] = [_primary_location(target, artifact_index, cited)]
    if cited:
        sarif["relatedLocations"] = [_evidence_location(i, ev) for i, ev in enumerate(cited, start=1)]
    if result["outcome"] == "WAIVED":
        sarif["suppressions"] = [{"kind": "external", "status": "accepted",
                                  "justification": result.get("waiver_reason", "")}]
    sarif["partialFingerprints"] = {FINGERPRINT_KEY: result["fingerprint"]}
    sarif["properties"] = {
        "target_id": target["id"],
        "outcome": result["outcome"],
        "severity": result["severity"],
        "confidence": result["confidence"],
        "rule_version": result["rule_version"],
        "evidence_ids": list(result["evidence_ids"]),
    }
    return sarif


def _notification(error: Doc, target_id: str = "") -> dict[str, Any]:
    text = error["message"]
    if error.get("input"):
        text = f"{error['input']}: {text}"
    properties = {"stage": error["stage"]}
    if target_id:
        properties["target_id"] = target_id
    return {"level": "error", "message": {"text": text}, "properties": properties}


def build_sarif(report: Doc, lang: str = "zh") -> dict[str, Any]:
    rules = report["tool"]["rules"]
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    notifications = [_notification(e) for e in report["errors"]]
    for artifact_index, target in enumerate(report["targets"]):
        evidence = {ev["id"]: ev for ev in target["evidence"]}
        results += [_result(r, target, artifact_index, rule_index, evidence)
                    for r in target["results"] if r["outcome"] in EMITTED_OUTCOMES]
        notifications += [_notification(e, target["id"]) for e in target["errors"]]
    driver = {
        "name": report["tool"]["name"],
        "version": report["tool"]["version"],
        "rules": [_descriptor(rule, lang) for rule in rules],
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "language": "zh-CN" if lang == "zh" else "en-US",
        "artifacts": [_artifact(t) for t in report["targets"]],
        "invocations": [{"executionSuccessful": not report["errors"],
                         "toolExecutionNotifications": notifications}],
        "results": results,
        "properties": {
            "generated_at": report["generated_at"],
            "ruleset_sha256": report["tool"]["ruleset_sha256"],
            "report_schema_version": report["schema_version"],
        },
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(report: Doc, lang: str = "zh") -> str:
    return json.dumps(build_sarif(report, lang), ensure_ascii=False, indent=2) + "\n"
