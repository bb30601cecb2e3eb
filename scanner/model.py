"""The frozen data model every stage passes along.

Sources open bytes, extractors state facts as `Evidence`, the rule engine turns facts into
`RuleResult`s, reporters render a `Report`. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Mapping

SCHEMA_VERSION = "1.0"


class Outcome(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    WAIVED = "WAIVED"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return list(Confidence).index(self)


class TargetKind(StrEnum):
    APK = "apk"
    POLICY = "policy"
    PAGE = "page"
    SITE = "site"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a fact was seen.

    uri: the input or captured URL (file path, https://…, apk path);
    logical: the place inside it (``Lcom/a/B;->m()V``, ``assets/privacy.html``,
    ``res/values/strings.xml#door_open``, ``chars 120-168``);
    snippet: a short, redacted excerpt.
    """

    uri: str
    logical: str = ""
    snippet: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"uri": self.uri, "logical": self.logical, "snippet": self.snippet}


@dataclass(frozen=True)
class Evidence:
    """One fact. `kind` is from rules/vocab.yaml; `extractor` is ``name@version``."""

    kind: str
    key: str
    attrs: Mapping[str, Any]
    location: Location
    extractor: str
    confidence: Confidence = Confidence.HIGH

    @property
    def id(self) -> str:
        """Stable across runs: the same fact at the same place keeps its id."""
        payload = json.dumps(
            [self.kind, self.key, self.location.uri, self.location.logical, _jsonable(self.attrs)],
            ensure_ascii=False,
            sort_keys=True,
        )
        return "ev-" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "key": self.key,
            "attrs": _jsonable(self.attrs),
            "location": self.location.to_dict(),
            "extractor": self.extractor,
            "confidence": str(self.confidence),
        }


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """A failure that is data, not a crash: stage (open/extract:NAME/rules/render, or timeout/memory/
    crash for a target stopped at a limit or lost with its worker), the input, why."""

    stage: str
    message: str
    input: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"stage": self.stage, "message": self.message, "input": self.input}


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule_id: str
    rule_version: int
    outcome: Outcome
    severity: Severity
    confidence: Confidence
    message: str
    evidence_ids: tuple[str, ...] = ()
    waiver_reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "outcome": str(self.outcome),
            "severity": str(self.severity),
            "confidence": str(self.confidence),
            "message": self.message,
            "evidence_ids": list(self.evidence_ids),
        }
        if self.waiver_reason:
            d["waiver_reason"] = self.waiver_reason
        return d


@dataclass(frozen=True, slots=True)
class Score:
    value: float | None  # None when no rule could be decided
    grade: str  # A–E, or "N/A"

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "grade": self.grade}


@dataclass(frozen=True)
class Target:
    id: str
    kind: TargetKind
    uri: str
    sha256: str
    label: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()
    results: tuple[RuleResult, ...] = ()
    score: Score = Score(None, "N/A")
    errors: tuple[ErrorRecord, ...] = ()
    extractors: tuple[str, ...] = ()  # name@version of every extractor that ran without error

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": str(self.kind),
            "uri": self.uri,
            "sha256": self.sha256,
            "label": self.label,
            "attributes": _jsonable(self.attributes),
            "extractors": list(self.extractors),
            "evidence": [e.to_dict() for e in self.evidence],
            "results": [r.to_dict() for r in self.results],
            "score": self.score.to_dict(),
            "errors": [e.to_dict() for e in self.errors],
        }


@dataclass(frozen=True)
class RuleInfo:
    """What a reader needs to know about a rule, carried in the report so it renders alone."""

    id: str
    slug: str
    version: int
    title: Mapping[str, str]
    severity: Severity
    confidence: Confidence
    category: str
    rationale: Mapping[str, str]
    remediation: Mapping[str, str]
    legal_basis: tuple[Mapping[str, str], ...]  # {source, article, title_zh, title_en}

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "slug": self.slug,
            "version": self.version,
            "title": dict(self.title),
            "severity": str(self.severity),
            "confidence": str(self.confidence),
            "category": self.category,
            "rationale": dict(self.rationale),
            "remediation": dict(self.remediation),
            "legal_basis": [dict(b) for b in self.legal_basis],
        }


@dataclass(frozen=True)
class Report:
    tool_version: str
    rules: tuple[RuleInfo, ...]
    ruleset_sha256: str
    targets: tuple[Target, ...]
    generated_at: str
    lang: str = "zh"
    errors: tuple[ErrorRecord, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "generated_at": self.generated_at,
            "lang": self.lang,
            "tool": {
                "name": "fangcun",
                "version": self.tool_version,
                "rules": [r.to_dict() for r in self.rules],
                "ruleset_sha256": self.ruleset_sha256,
            },
            "targets": [t.to_dict() for t in self.targets],
            "errors": [e.to_dict() for e in self.errors],
        }


def _jsonable(value: Any) -> Any:
    """Mappings/sequences of attrs as plain JSON values (tuples → lists, enums → str)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, StrEnum):
        return str(value)
    return value
