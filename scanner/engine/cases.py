"""Running a rule's good/bad cases (the `.cases.yaml` beside each rule file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scanner.engine.evaluate import judge
from scanner.engine.ruleset import Rule, RuleSet, read_yaml, validate_against
from scanner.errors import RuleLoadError
from scanner.model import Evidence, Location, TargetKind


@dataclass(frozen=True)
class CaseOutcome:
    rule_id: str
    name: str
    expected: str
    actual: str

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


def expected_extractors(target_kind: str) -> set[str]:
    from scanner.pipeline import extractors_for  # the pipeline's own lists: cases judge as scans do

    return {spec.name for spec in extractors_for(TargetKind(target_kind))}


def cases_path(rule: Rule) -> Path:
    return rule.path.with_name(rule.path.name[: -len(".yaml")] + ".cases.yaml")


def run_cases(rule: Rule) -> list[CaseOutcome]:
    path = cases_path(rule)
    if not path.is_file():
        raise RuleLoadError(f"{rule.path}: no cases file beside it ({path.name})")
    data = read_yaml(path)
    validate_against("cases.schema.json", data, path)
    if data["rule"] != rule.id:
        raise RuleLoadError(f"{path}: cases are for {data['rule']}, not {rule.id}")
    outcomes = []
    for case in data["cases"]:
        evidence = [
            Evidence(e["kind"], str(e.get("key", "")), e.get("attrs", {}), Location(f"case:{case['name']}", str(i)), "case@1")
            for i, e in enumerate(case["evidence"])
        ]
        # the extractors that run on this kind of target, as in a real scan; named ones fail on request
        expected = expected_extractors(case["target_kind"])
        ran = (expected | {x for extractors in rule.requires.values() for x in extractors}) - set(case.get("failed_extractors", []))
        result = judge(rule, evidence, ran, expected=expected)
        outcomes.append(CaseOutcome(rule.id, case["name"], case["expect"], result.outcome.value))
    return outcomes


def run_all_cases(ruleset: RuleSet) -> list[CaseOutcome]:
    return [o for rule in ruleset.rules for o in run_cases(rule)]
