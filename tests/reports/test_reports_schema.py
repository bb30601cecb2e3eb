"""report.schema.json accepts the documents Report.to_dict() produces and rejects broken ones."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from support.sample_report import batch_report, sample_report

from reports import validate_report, write_reports


def test_sample_report_is_valid() -> None:
    validate_report(sample_report())


def test_batch_report_is_valid() -> None:
    validate_report(batch_report())


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        node = doc
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
    return mutate


def _drop(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        node = doc
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]
    return mutate


BREAKAGES = {
    "evidence id as integer": _set(["targets", 0, "results", 1, "evidence_ids", 0], 7),
    "evidence id without prefix": _set(["targets", 0, "results", 1, "evidence_ids", 0], "abc"),
    "unknown outcome": _set(["targets", 0, "results", 0, "outcome"], "MAYBE"),
    "unknown severity": _set(["targets", 0, "results", 0, "severity"], "urgent"),
    "unknown confidence": _set(["targets", 0, "evidence", 0, "confidence"], "certain"),
    "evidence id malformed": _set(["targets", 0, "evidence", 0, "id"], "ev-XYZ"),
    "missing score": _drop(["targets", 0, "score"]),
    "score above 100": _set(["targets", 0, "score", "value"], 101),
    "unknown target kind": _set(["targets", 0, "kind"], "ipa"),
    "rule title without en": _drop(["tool", "rules", 0, "title", "en"]),
    "legal basis without article": _drop(["tool", "rules", 0, "legal_basis", 0, "article"]),
    "extra top-level field": _set(["surprise"], 1),
    "attrs not an object": _set(["targets", 0, "evidence", 0, "attrs"], ["a"]),
    "unknown lang": _set(["lang"], "fr"),
    "tool name": _set(["tool", "name"], "other"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_broken_document_fails_validation(breakage: str) -> None:
    doc = copy.deepcopy(sample_report())
    BREAKAGES[breakage](doc)
    with pytest.raises(jsonschema.ValidationError):
        validate_report(doc)


def test_open_attribute_objects_accept_any_keys() -> None:
    doc = sample_report()
    doc["targets"][0]["attributes"]["anything"] = {"nested": [1, 2]}
    doc["targets"][0]["evidence"][0]["attrs"]["new_attr"] = None
    validate_report(doc)


def test_write_reports_writes_nothing_for_a_broken_document(tmp_path) -> None:
    doc = sample_report()
    doc["targets"][0]["results"][0]["evidence_ids"] = [1]
    with pytest.raises(jsonschema.ValidationError):
        write_reports(doc, tmp_path / "out", ["json", "html"])
    assert not (tmp_path / "out").exists()
