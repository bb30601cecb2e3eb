"""Hand-made targets and report documents for the campaign tests (no real scanning needed)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from scanner.errors import InputError
from scanner.model import (
    Confidence,
    Evidence,
    Location,
    Outcome,
    RuleResult,
    Score,
    Severity,
    Target,
    TargetKind,
)

RULES = [
    {
        "id": "FACE-001", "slug": "face-sole-entry-method", "version": 1,
        "title": {"zh": "人脸识别不得作为唯一开门方式", "en": "Face must not be the only way in"},
        "severity": "high", "confidence": "high", "category": "face",
        "rationale": {"zh": "", "en": ""}, "remediation": {"zh": "", "en": ""},
        "legal_basis": [
            {"source": "spc-face-2021", "article": "第十条", "title_zh": "人脸识别司法解释", "title_en": "SPC face interpretation"},
            {"source": "pipl", "article": "第二十八条", "title_zh": "个人信息保护法", "title_en": "PIPL"},
        ],
    },
    {
        "id": "CONS-002", "slug": "separate-face-consent", "version": 1,
        "title": {"zh": "处理人脸信息应取得单独同意", "en": "Separate consent for face data"},
        "severity": "critical", "confidence": "medium", "category": "consent",
        "rationale": {"zh": "", "en": ""}, "remediation": {"zh": "", "en": ""},
        "legal_basis": [{"source": "pipl", "article": "第二十九条", "title_zh": "个人信息保护法", "title_en": "PIPL"}],
    },
    {
        "id": "MIN-003", "slug": "identifiers", "version": 2,
        "title": {"zh": "不得收集设备标识符", "en": "No device identifiers"},
        "severity": "medium", "confidence": "high", "category": "minimisation",
        "rationale": {"zh": "", "en": ""}, "remediation": {"zh": "", "en": ""},
        "legal_basis": [{"source": "pipl", "article": "第六条", "title_zh": "个人信息保护法", "title_en": "PIPL"}],
    },
]
TOOL = {"name": "fangcun", "version": "test", "rules": RULES, "ruleset_sha256": "f" * 64}


def evidence(kind: str, key: str, uri: str, snippet: str = "", **attrs: Any) -> Evidence:
    return Evidence(kind, key, attrs, Location(uri, f"res/values/strings.xml#{key}", snippet), "fake@1")


def result(rule_id: str, outcome: str, severity: str, evs: tuple[Evidence, ...] = ()) -> RuleResult:
    return RuleResult(rule_id, 1, Outcome(outcome), Severity(severity), Confidence.HIGH, f"{rule_id} {outcome}",
                      tuple(e.id for e in evs))


def make_target(label: str, *, uri: str = "", outcomes: dict[str, str] | None = None, alternatives: tuple[str, ...] = (),
                snippet: str = "刷脸开门", company: str = "", score: float | None = 40.0, grade: str = "D",
                sha256: str = "") -> Target:
    """A door app: face capture always; each `alternatives` method adds an access.alternative_method."""
    uri = uri or f"/apps/{label}.apk"
    sha256 = sha256 or hashlib.sha256(f"{label}|{uri}".encode()).hexdigest()
    face = evidence("face.capture", "access_control", uri, snippet, purpose="access_control")
    alts = tuple(evidence("access.alternative_method", m, uri, f"{m}开门", method=m) for m in alternatives)
    severities = {r["id"]: r["severity"] for r in RULES}
    outcomes = outcomes or {"FACE-001": "FAIL", "CONS-002": "PASS", "MIN-003": "NOT_APPLICABLE"}
    results = tuple(
        result(rule_id, outcome, severities[rule_id], (face,) if outcome == "FAIL" else alts)
        for rule_id, outcome in sorted(outcomes.items())
    )
    return Target(
        id=f"apk-{sha256[:12]}", kind=TargetKind.APK, uri=uri, sha256=sha256, label=label,
        attributes={"package": f"com.example.{len(label)}", **({"company": company} if company else {})},
        evidence=(face, *alts), results=results, score=Score(score, grade),
    )


def make_report(*targets: Target, generated_at: str = "2025-01-01T00:00:00Z") -> dict[str, Any]:
    return {
        "schema_version": "1.0", "generated_at": generated_at, "lang": "zh", "tool": TOOL,
        "targets": [t.to_dict() for t in targets], "errors": [],
    }


def scan_text(path: Path) -> Target:
    """A stand-in scanner over .txt inputs. Directives in the text steer it:
    HANG, BOOM (bug), BAD (bad input), EAT (memory), and the rule ids to fail.
    FANGCUN_TEST_SCAN_DELAY slows every scan; FANGCUN_TEST_SCAN_LOG lists the files scanned."""
    text = path.read_text(encoding="utf-8")
    log = os.environ.get("FANGCUN_TEST_SCAN_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{path.name}\n")
    time.sleep(float(os.environ.get("FANGCUN_TEST_SCAN_DELAY", "0")))
    words = text.split()
    if "HANG" in words:
        time.sleep(3600)
    if "BOOM" in words:
        raise ValueError("scanner bug")
    if "BAD" in words:
        raise InputError(str(path), "not a policy document")
    if "EAT" in words:
        hog = bytearray(4 * 2**30)  # beyond the memory limit the test sets
        hog[-1] = 1
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    fails = {w for w in words if w.startswith(("FACE-", "CONS-", "MIN-"))}
    outcomes = {r["id"]: ("FAIL" if r["id"] in fails else "PASS") for r in RULES}
    return make_target(path.stem, uri=str(path), outcomes=outcomes, sha256=sha, snippet=text[:40],
                       company=f"公司{len(path.stem) % 3}", score=100.0 - 30 * len(fails), grade="C" if fails else "A")


def done_count(db: Path) -> int:
    """Targets a (possibly running) batch has finished, read without locking it; 0 before it starts."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT count(*) FROM targets WHERE status = 'done'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0
