"""Running a rule's good/bad cases (the `.cases.yaml` beside each rule file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scanner.engine.evaluate import judge
from scanner.engine.ruleset import Rule, RuleSet, read_yaml, validate_against
from scanner.errors import RuleLoadError
from scanner.model import Evidence, Location


@dataclass(frozen=True)
class CaseOutcome:
    rule_id: str
    name: str
    expected: str
    actual: str

    @property
    def ok(self) -> bool:
        return self.expected == self.actual


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
        failed = set(case.get("failed_extractors", []))
        ran = {x for extractors in rule.requires.values() for x in extractors} - failed
        result = judge(rule, evidence, ran)
        outcomes.append(CaseOutcome(rule.id, case["name"], case["expect"], result.outcome.value))
    return outcomes


def run_all_cases(ruleset: RuleSet) -> list[CaseOutcome]:
    return [o for rule in ruleset.rules for o in run_cases(rule)]
