"""The frozen data model every stage passes along.

Sources open bytes, extractors state facts as `Evidence`, the rule engine turns facts into
`RuleResult`s, reporters render a `Report`. Nothing here does I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

# 1.1: every result carries its finding fingerprint. 1.2: every target carries its coverage (what was
# judged, what could not be analysed and what to supply); an incomplete target has no grade; the
# report carries its scoring scale; legal bases carry the article text; every evidence document carries
# how it reads in each report language ("shown").
SCHEMA_VERSION = "1.2"
INCOMPLETE = "incomplete"  # the grade of a target judged on too little to be graded


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

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Location:
        return cls(str(d["uri"]), str(d.get("logical", "")), str(d.get("snippet", "")))


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

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Evidence:
        """The fact a document describes; its id is derived again from what it says."""
        return cls(str(d["kind"]), str(d["key"]), dict(d.get("attrs") or {}), Location.from_dict(d["location"]),
                   str(d["extractor"]), Confidence(d.get("confidence", "high")))


@dataclass(frozen=True, slots=True)
class ErrorRecord:
    """A failure that is data, not a crash: stage (open/extract:NAME/incomplete:NAME/rules/render, or timeout/memory/
    crash for a target stopped at a limit or lost with its worker), the input, why."""

    stage: str
    message: str
    input: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"stage": self.stage, "message": self.message, "input": self.input}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ErrorRecord:
        return cls(str(d["stage"]), str(d["message"]), str(d.get("input", "")))


def finding_fingerprint(rule_id: str, target_identity: str) -> str:
    """Identifies one rule's finding on one input across runs (waivers and SARIF use it). The
    identity is the input's sha256, or the target id of a target without one."""
    return hashlib.sha256(f"{rule_id}:{target_identity}".encode()).hexdigest()


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
    fingerprint: str = ""  # finding_fingerprint(rule_id, target identity), set by the engine
    unseen: tuple[str, ...] = ()  # UNKNOWN because no extractor could state these kinds

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "outcome": str(self.outcome),
            "severity": str(self.severity),
            "confidence": str(self.confidence),
            "message": self.message,
            "evidence_ids": list(self.evidence_ids),
            "fingerprint": self.fingerprint,
        }
        if self.waiver_reason:
            d["waiver_reason"] = self.waiver_reason
        if self.unseen:
            d["unseen"] = list(self.unseen)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RuleResult:
        return cls(str(d["rule_id"]), int(d["rule_version"]), Outcome(d["outcome"]), Severity(d["severity"]),
                   Confidence(d["confidence"]), str(d.get("message", "")), tuple(d.get("evidence_ids", ())),
                   str(d.get("waiver_reason", "")), str(d.get("fingerprint", "")), tuple(d.get("unseen", ())))


@dataclass(frozen=True, slots=True)
class Score:
    value: float | None  # None when no rule could be decided, or the target is incomplete
    grade: str  # A–E, "N/A" (nothing to score) or INCOMPLETE (too little judged to grade)

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "grade": self.grade}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Score:
        return cls(d.get("value"), str(d.get("grade", "N/A")))


@dataclass(frozen=True, slots=True)
class Gap:
    """Something the target could not be judged on, why, and what the auditor can do about it.

    cause: "unread" (material the target points at, such as a linked policy, was not read) or
    "unseen" (an extractor failed, so the kinds it states are unknown); reason and remedy are
    sentences in the report's language; rules: the rules left UNKNOWN; kinds: the evidence kinds
    concerned, and kind_names the same in the report's language; inputs: the material itself (policy URLs …)."""

    cause: str
    reason: str
    remedy: str
    rules: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    kind_names: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"cause": self.cause, "reason": self.reason, "remedy": self.remedy, "rules": list(self.rules),
                "kinds": list(self.kinds), "kind_names": list(self.kind_names), "inputs": list(self.inputs)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Gap:
        return cls(str(d["cause"]), str(d["reason"]), str(d["remedy"]), tuple(d.get("rules", ())),
                   tuple(d.get("kinds", ())), tuple(d.get("inputs", ())), tuple(d.get("kind_names", ())))


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of the applicable rule pack a target was judged on: judged (PASS, FAIL, WAIVED) out
    of applicable (every result but NOT_APPLICABLE). complete is False below the threshold or when
    required material was not read; then the target has no grade."""

    judged: int
    applicable: int
    threshold: float
    complete: bool
    gaps: tuple[Gap, ...] = ()

    @property
    def ratio(self) -> float | None:
        return None if not self.applicable else round(self.judged / self.applicable, 3)

    def to_dict(self) -> dict[str, Any]:
        return {"judged": self.judged, "applicable": self.applicable, "ratio": self.ratio,
                "threshold": self.threshold, "complete": self.complete, "gaps": [g.to_dict() for g in self.gaps]}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Coverage:
        return cls(int(d["judged"]), int(d["applicable"]), float(d["threshold"]), bool(d["complete"]),
                   tuple(Gap.from_dict(g) for g in d.get("gaps", ())))


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
    coverage: Coverage | None = None  # set by the engine when it judges; None in documents before 1.2
    # How each fact reads, by evidence id and report language (scanner.contract.fact_words), set when the
    # target is judged; written into each evidence document as "shown" so reporters decide no wording.
    shown: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Every result carries its finding fingerprint. The engine sets it when it judges; a result
        # built elsewhere (a test, a document written before fingerprints) gets the same value here.
        if any(not r.fingerprint for r in self.results):
            identity = self.sha256 or self.id
            object.__setattr__(self, "results", tuple(
                r if r.fingerprint else replace(r, fingerprint=finding_fingerprint(r.rule_id, identity))
                for r in self.results))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": str(self.kind),
            "uri": self.uri,
            "sha256": self.sha256,
            "label": self.label,
            "attributes": _jsonable(self.attributes),
            "extractors": list(self.extractors),
            "evidence": [self._evidence_document(e) for e in self.evidence],
            "results": [r.to_dict() for r in self.results],
            "score": self.score.to_dict(),
            "coverage": None if self.coverage is None else self.coverage.to_dict(),
            "errors": [e.to_dict() for e in self.errors],
        }

    def _evidence_document(self, ev: Evidence) -> dict[str, Any]:
        document = ev.to_dict()
        if ev.id in self.shown:
            document["shown"] = _jsonable(self.shown[ev.id])
        return document

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Target:
        """A target document read back (a stored run, a report.json)."""
        return cls(
            id=str(d["id"]),
            kind=TargetKind(d["kind"]),
            uri=str(d["uri"]),
            sha256=str(d.get("sha256", "")),
            label=str(d.get("label", "")),
            attributes=dict(d.get("attributes") or {}),
            evidence=tuple(Evidence.from_dict(e) for e in d.get("evidence", ())),
            results=tuple(RuleResult.from_dict(r) for r in d.get("results", ())),
            score=Score.from_dict(d.get("score") or {}),
            errors=tuple(ErrorRecord.from_dict(e) for e in d.get("errors", ())),
            extractors=tuple(d.get("extractors", ())),
            coverage=Coverage.from_dict(d["coverage"]) if d.get("coverage") else None,
            shown={str(e["id"]): e["shown"] for e in d.get("evidence", ()) if e.get("shown") and e.get("id")},
        )


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
    # {source, article, title_zh, title_en} and, where known, short_zh (《个人信息保护法》), article_zh
    # (第二十九条), number (文号), effective (施行日期), text (the article verbatim) or summary (for
    # instruments whose text is not held: a confirmed summary, never passed off as the text), provenance
    legal_basis: tuple[Mapping[str, str], ...]

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

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RuleInfo:
        return cls(str(d["id"]), str(d["slug"]), int(d["version"]), dict(d["title"]), Severity(d["severity"]),
                   Confidence(d["confidence"]), str(d["category"]), dict(d["rationale"]), dict(d["remediation"]),
                   tuple(dict(b) for b in d["legal_basis"]))


@dataclass(frozen=True)
class Report:
    tool_version: str
    rules: tuple[RuleInfo, ...]
    ruleset_sha256: str
    targets: tuple[Target, ...]
    generated_at: str
    lang: str = "zh"
    errors: tuple[ErrorRecord, ...] = ()
    # the scale the scores were computed on (rules/scoring.yaml), so a report explains its own grades
    scoring: Mapping[str, Any] = field(default_factory=dict)
    # imported signature databases whose entries the evidence cites: {id, name, licence, url, attribution}
    signature_sources: tuple[Mapping[str, str], ...] = ()
    # learned models the facts were read with: {name, version, sha256, reader}
    models: tuple[Mapping[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        tool: dict[str, Any] = {
            "name": "fangcun",
            "version": self.tool_version,
            "rules": [r.to_dict() for r in self.rules],
            "ruleset_sha256": self.ruleset_sha256,
        }
        if self.scoring:
            tool["scoring"] = _jsonable(self.scoring)
        if self.signature_sources:
            tool["signature_sources"] = [dict(s) for s in self.signature_sources]
        if self.models:
            tool["models"] = [dict(m) for m in self.models]
        return {
            "schema_version": SCHEMA_VERSION,
            "generated_at": self.generated_at,
            "lang": self.lang,
            "tool": tool,
            "targets": [t.to_dict() for t in self.targets],
            "errors": [e.to_dict() for e in self.errors],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Report:
        tool = d["tool"]
        return cls(
            tool_version=str(tool["version"]),
            rules=tuple(RuleInfo.from_dict(r) for r in tool.get("rules", ())),
            ruleset_sha256=str(tool.get("ruleset_sha256", "")),
            targets=tuple(Target.from_dict(t) for t in d.get("targets", ())),
            generated_at=str(d.get("generated_at", "")),
            lang=str(d.get("lang", "zh")),
            errors=tuple(ErrorRecord.from_dict(e) for e in d.get("errors", ())),
            scoring=dict(tool.get("scoring") or {}),
            signature_sources=tuple(dict(s) for s in tool.get("signature_sources", ())),
            models=tuple(dict(m) for m in tool.get("models", ())),
        )


def _jsonable(value: Any) -> Any:
    """Mappings/sequences of attrs as plain JSON values (tuples → lists, enums → str)."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, StrEnum):
        return str(value)
    return value
