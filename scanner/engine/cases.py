"""Running a rule's cases (the `.cases.yaml` beside each rule file).

A case gives facts, an input, or both, and the outcome the rule must reach:
- `evidence`: hand-written facts, checked against the contract (rules/vocab.yaml) like any fact;
- `input`: material that goes through the real extractors first, exactly as in a scan:
  `ui` (an app's user-facing strings, as an app with no code; with `ui_policy` it also carries that text as
  its embedded privacy policy, with `target_sdk` the SDK level its manifest declares), `page` (one captured HTML page of a
  site), `notice` (a page whose text is this notice), `policy` (a policy file's text) or `apk` (a
  fixture APK, looked up in the fixture folders; a case whose fixture is not there is skipped).
Facts given beside an input are stated before the extractors run, as if an earlier extractor had
stated them, so derived facts (face.capture) see them. `failed_extractors` names extractors that
fail on the target: they do not run, and the rules that need them must say UNKNOWN.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.contract import Vocabulary, attributes_read
from scanner.engine.evaluate import judge
from scanner.engine.ruleset import Rule, RuleSet, read_yaml, validate_against
from scanner.errors import InputError, RuleLoadError
from scanner.model import Evidence, Location, TargetKind

FIXTURES_ENV = "FANGCUN_FIXTURES"  # extra folders (os.pathsep-separated) where `apk:` fixtures are found
INPUT_KINDS = ("ui", "page", "notice", "policy", "apk")
EVIDENCE, INPUT = "evidence", "input"


@dataclass(frozen=True)
class CaseOutcome:
    rule_id: str
    name: str
    expected: str
    actual: str
    mode: str = EVIDENCE  # "evidence": hand-written facts; "input": real material through the extractors
    skipped: str = ""  # why the case could not run (an `apk:` fixture not available here)

    @property
    def ok(self) -> bool:
        return bool(self.skipped) or self.expected == self.actual


def expected_extractors(target_kind: str) -> set[str]:
    from scanner.extractors import extractors_for  # the pipeline's own lists: cases judge as scans do

    return {spec.name for spec in extractors_for(TargetKind(target_kind))}


def cases_path(rule: Rule) -> Path:
    return rule.path.with_name(rule.path.name[: -len(".yaml")] + ".cases.yaml")


def fixture_dirs() -> list[Path]:
    """Where `apk:` fixtures are looked for: $FANGCUN_FIXTURES, then the source tree's tests/fixtures/apks."""
    extra = [Path(p) for p in os.environ.get(FIXTURES_ENV, "").split(os.pathsep) if p]
    return [*extra, Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "apks"]


def _given_facts(case: Mapping[str, Any], rule: Rule, vocab: Vocabulary, path: Path) -> list[Evidence]:
    """The case's hand-written facts, each held to the contract: known kind, key and attributes with
    allowed values, and every required attribute the rule reads (a real fact always has it)."""
    conditions = [c for c in (rule.applies_when, rule.unknown_when, rule.fails_when) if c]
    facts = []
    for i, e in enumerate(case.get("evidence", ())):
        ev = Evidence(e["kind"], str(e.get("key", "")), e.get("attrs", {}), Location(f"case:{case['name']}", str(i)), "case@1")
        read = frozenset().union(*(attributes_read(c, ev.kind) for c in conditions))
        problems = vocab.evidence_problems(ev, check_emitter=False, required=read)
        if problems:
            raise RuleLoadError(f"{path}: case {case['name']!r}: evidence #{i + 1}: {problems[0]} (see rules/vocab.yaml)")
        facts.append(ev)
    return facts


def _open_input(case: Mapping[str, Any], path: Path) -> Any:
    """The source an input case describes; None when its fixture is not available here."""
    from scanner.sources.apk import apk_from_texts, open_apk
    from scanner.sources.policy import policy_from_bytes
    from scanner.sources.web import CapturedPage, SiteSource, site_sha256

    given = case["input"]
    kind, value = next((k, given[k]) for k in INPUT_KINDS if k in given)
    uri = f"case:{case['name']}"
    if kind == "apk":
        for folder in fixture_dirs():
            if (folder / value).is_file():
                return open_apk(folder / value)
        return None
    if kind == "ui":
        assets = {"assets/privacy.html": str(given["ui_policy"]).encode("utf-8")} if "ui_policy" in given else None
        return apk_from_texts([str(t) for t in value], uri=uri, assets=assets, target_sdk=given.get("target_sdk"))
    if kind == "policy":
        return policy_from_bytes(str(value).encode("utf-8"), uri=uri, name="policy.txt")
    html = str(value) if kind == "page" else f"<html><body><p>{_escape(str(value))}</p></body></html>"
    url = str(given.get("url", "https://case.invalid/notice.html"))
    body = html.encode("utf-8")
    import hashlib

    page = CapturedPage(url=url, final_url=url, status=200, fetched_at="2026-01-01T00:00:00Z",
                        sha256=hashlib.sha256(body).hexdigest(), content_type="text/html; charset=utf-8",
                        company="case", warc_path=None, warc_offset=0, content=body)
    kind_of_target = TargetKind(case["target_kind"])
    return SiteSource(uri=url, label="case", sha256=site_sha256([page]), attributes={}, pages=(page,), kind=kind_of_target)


def _escape(text: str) -> str:
    import html

    return "</p><p>".join(html.escape(part) for part in text.split("\n"))


def _input_facts(case: Mapping[str, Any], given: Sequence[Evidence], failed: set[str], path: Path,
                 vocab: Vocabulary) -> tuple[list[Evidence], set[str]] | None:
    """Run the target kind's real extractors (all but the failed ones) on the case's input."""
    from scanner.extractors import extractors_for
    from scanner.extractors.runner import INCOMPLETE_STAGE, run_extractors

    try:
        source = _open_input(case, path)
    except InputError as exc:
        raise RuleLoadError(f"{path}: case {case['name']!r}: input cannot be read: {exc}") from exc
    if source is None:
        return None
    every = extractors_for(TargetKind(case["target_kind"]))
    specs = [s for s in every if s.name not in failed]
    evidence, ran, errors = run_extractors(source, specs, vocab, given=given, expected={s.name for s in every})
    broken = [e for e in errors if not e.stage.startswith(INCOMPLETE_STAGE)]
    if broken:
        raise RuleLoadError(f"{path}: case {case['name']!r}: extraction failed: {broken[0].message}")
    return evidence, {label.split("@", 1)[0] for label in ran}


def run_cases(rule: Rule, vocab: Vocabulary | None = None) -> list[CaseOutcome]:
    from scanner.contract import load_vocabulary

    vocab = vocab or load_vocabulary()
    path = cases_path(rule)
    if not path.is_file():
        raise RuleLoadError(f"{rule.path}: no cases file beside it ({path.name})")
    data = read_yaml(path)
    validate_against("cases.schema.json", data, path)
    if data["rule"] != rule.id:
        raise RuleLoadError(f"{path}: cases are for {data['rule']}, not {rule.id}")
    outcomes = []
    for case in data["cases"]:
        if case["target_kind"] not in rule.applies_to:
            raise RuleLoadError(f"{path}: case {case['name']!r}: {rule.id} does not apply to {case['target_kind']}")
        given = _given_facts(case, rule, vocab, path)
        failed = set(case.get("failed_extractors", []))
        expected = expected_extractors(case["target_kind"])
        mode = INPUT if "input" in case else EVIDENCE
        if mode == INPUT:
            extracted = _input_facts(case, given, failed, path, vocab)
            if extracted is None:
                outcomes.append(CaseOutcome(rule.id, case["name"], case["expect"], "", mode,
                                            skipped=f"fixture {case['input']['apk']} not available"))
                continue
            evidence, ran = extracted
        else:
            evidence, ran = given, expected - failed  # the extractors of this kind of target, as in a scan
        result = judge(rule, evidence, ran, expected=expected)
        outcomes.append(CaseOutcome(rule.id, case["name"], case["expect"], result.outcome.value, mode))
    return outcomes


def run_all_cases(ruleset: RuleSet) -> list[CaseOutcome]:
    return [o for rule in ruleset.rules for o in run_cases(rule, ruleset.vocab)]
